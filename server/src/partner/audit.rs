//! Winner audit (中奖审核): a prize flagged `audit` is reserved when drawn
//! (its stock taken, the draw `audit_pending`) and awarded only when the
//! partner's audit callback approves the winner. A refused winner — or one
//! the partner never answers for within the outbox horizon — gets the
//! activity's `audit_fallback` prize if it has stock, else "thanks", and the
//! audited prize goes back to stock. The audit goes through the outbox, so
//! it survives restarts and partner outages like every other call.

use huodong_shared::api::PrizeKind;
use huodong_shared::partner::AuditRequest;

use crate::activities::model::{Activity, Prize};
use crate::db::now_secs;
use crate::draw::{claim_code, delivery_of, draw_messages, take_prize};
use crate::error::AppError;
use crate::on_db;
use crate::outbox::{self, Claimed};
use crate::state::AppState;

/// Settles an audit row: marks it `status` (fenced by its attempt) and
/// awards the prize or the fallback, in one transaction.
pub(crate) async fn decide(
    state: &AppState,
    row: &Claimed,
    approved: bool,
    status: &str,
    error: Option<&str>,
) -> Result<(), AppError> {
    let request: AuditRequest = serde_json::from_str(&row.body)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("audit body: {e}")))?;
    let activity = state
        .caches
        .activity(&state.db, &request.activity_id)
        .await?;
    let partner = state.caches.partner(&state.db, activity.partner_id).await?;
    let prizes = activity.prizes(&state.db).await?;
    let Some(prize) = prizes.iter().find(|p| p.id == request.prize_id) else {
        return Err(AppError::not_found("奖品"));
    };
    let fallback: Option<&Prize> = activity
        .rules
        .audit_fallback
        .and_then(|i| prizes.get(i))
        .filter(|p| p.id != prize.id && !p.audit);
    let activity: &Activity = &activity;
    let now = now_secs();
    let now_ms = super::now_ms();
    on_db!(&state.db, pool => {
        let mut tx = pool.begin().await?;
        let marked = sqlx::query(
            "UPDATE outbox SET status = $1, done_at = $2, locked_until = 0, last_error = $3, result = $4 \
             WHERE id = $5 AND attempts = $6 AND status = 'pending'",
        )
        .bind(status)
        .bind(now_ms)
        .bind(error)
        .bind(serde_json::json!({ "approved": approved }).to_string())
        .bind(row.id)
        .bind(row.attempts)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let draw: Option<(i64,)> = if marked == 1 {
            sqlx::query_as("SELECT player_id FROM draws WHERE id = $1 AND outcome = 'audit_pending'")
                .bind(request.draw_id)
                .fetch_optional(&mut *tx)
                .await?
        } else {
            None
        };
        if let Some((player_id,)) = draw {
            let draw_id = request.draw_id;
            // What the player ends up with, and the outcome recorded.
            let (award, outcome): (Option<&Prize>, &str) = if approved {
                (Some(prize), "won")
            } else {
                sqlx::query("UPDATE prizes SET stock_left = stock_left + 1 WHERE id = $1 AND stock_left IS NOT NULL")
                    .bind(prize.id)
                    .execute(&mut *tx)
                    .await?;
                let mut award = None;
                if let Some(fallback) = fallback {
                    let taken = take_prize!(tx, activity, player_id, fallback, now);
                    if taken == "won" {
                        award = Some(fallback);
                    }
                }
                (award, "audit_refused")
            };
            let delivery = delivery_of(&partner, award);
            sqlx::query("UPDATE draws SET outcome = $1, prize_id = $2, delivery = $3 WHERE id = $4")
                .bind(outcome)
                .bind(award.map(|p| p.id))
                .bind(delivery)
                .bind(draw_id)
                .execute(&mut *tx)
                .await?;
            if let Some(award) = award.filter(|p| p.kind() == PrizeKind::Code) {
                let _ = claim_code!(tx, draw_id, award.id);
            }
            for message in draw_messages(activity, &partner, &request.u_id, "audited", draw_id, "won", award, now) {
                outbox::enqueue!(tx, &message);
            }
        }
        tx.commit().await?;
    });
    state.outbox_wake.notify_one();
    Ok(())
}
