//! Paid draws and make-up check-ins: partner points are deducted before the
//! action and refunded if it does not complete, without ever losing or
//! doubling points, even if the server dies in between.
//!
//! Before the deduction a refund "guard" is written to the outbox, due only
//! after `--points-guard-secs`. The action's own transaction cancels the
//! guard (it must still be pending: if it already fired, the action is
//! refused). If the action fails, the guard is made due at once; if the
//! server dies, it fires by itself later. The refund is a points add with
//! `reason: "refund"` and `origin_biz_id`, which the partner applies only if
//! it applied that deduction. So: deducted − refunded = completed actions × cost.

use huodong_shared::ErrorCode;
use huodong_shared::partner::{Callback, PointsChange};

use super::{PartnerConf, client, now_ms};
use crate::activities::model::Activity;
use crate::error::AppError;
use crate::ids;
use crate::on_db;
use crate::outbox::{self, Message};
use crate::session::Player;
use crate::state::AppState;

/// A deduction that went through, waiting for its action.
#[derive(Clone, Debug)]
pub struct Charge {
    /// The deduction's `biz_id`.
    pub biz_id: String,
    /// The `biz_id` of its refund (the outbox key of the guard).
    pub guard_key: String,
}

/// Deducts `points` for `reason` (`draw`, `checkin_makeup`). `Ok(None)` when
/// nothing is owed; 8001 / 8000 with the partner's message when it refuses;
/// 2010 when it does not answer (any deduction it made is refunded).
pub async fn deduct(
    state: &AppState,
    partner: &PartnerConf,
    activity: &Activity,
    player: &Player,
    points: i64,
    reason: &str,
) -> Result<Option<Charge>, AppError> {
    if points <= 0 {
        return Ok(None);
    }
    if !partner.has(Callback::PointsDeduct) {
        tracing::error!(app_id = %partner.app_id, activity = %activity.public_id, "activity costs points but the partner has no points_deduct callback");
        return Err(AppError::with_msg(
            ErrorCode::PartnerUnavailable,
            "积分服务暂不可用，请稍后再试",
        ));
    }
    let biz_id = format!("{}-{reason}-{}", activity.public_id, ids::random_hex(8));
    let guard_key = format!("{biz_id}-refund");
    let refund_body = PointsChange {
        u_id: player.u_id.clone(),
        points,
        biz_id: guard_key.clone(),
        activity_id: activity.public_id.clone(),
        reason: "refund".into(),
        origin_biz_id: Some(biz_id.clone()),
    };
    let mut guard = Message::new(
        partner.id,
        Some(activity.id),
        Callback::PointsAdd,
        guard_key.clone(),
        None,
        &refund_body,
    );
    guard.next_at = now_ms() + state.config.points_guard_secs.saturating_mul(1000);
    outbox::enqueue_now(&state.db, &guard).await?;

    let body = PointsChange {
        u_id: player.u_id.clone(),
        points,
        biz_id: biz_id.clone(),
        activity_id: activity.public_id.clone(),
        reason: reason.into(),
        origin_biz_id: None,
    };
    let charge = Charge { biz_id, guard_key };
    match client::call(&state.http, partner, Callback::PointsDeduct, &body).await {
        Ok(_) => Ok(Some(charge)),
        Err(err) if err.is_refusal() => {
            // Certainly not deducted: no refund is owed.
            cancel(state, &charge).await?;
            let msg = err.partner_msg().map(str::to_owned);
            let code = match &err {
                client::CallError::Refused { code, .. } if *code == 8001 => {
                    ErrorCode::NotEnoughPoints
                }
                client::CallError::Refused { code, .. } if *code == 8000 => ErrorCode::NoUser,
                _ => ErrorCode::PartnerUnavailable,
            };
            Err(match msg {
                Some(msg) => AppError::with_msg(code, msg),
                None => AppError::code(code),
            })
        }
        Err(err) => {
            tracing::warn!(app_id = %partner.app_id, error = %err, "points deduct got no answer; refunding");
            refund(state, &charge).await;
            Err(AppError::code(ErrorCode::PartnerUnavailable))
        }
    }
}

async fn cancel(state: &AppState, charge: &Charge) -> Result<(), AppError> {
    on_db!(&state.db, pool => {
        sqlx::query(outbox::CANCEL)
            .bind(now_ms())
            .bind(&charge.guard_key)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// The action did not happen: refund now (through the outbox, so a partner
/// outage only delays it).
pub async fn refund(state: &AppState, charge: &Charge) {
    let due = on_db!(&state.db, pool => {
        sqlx::query("UPDATE outbox SET next_at = $1 WHERE dedupe_key = $2 AND status = 'pending'")
            .bind(now_ms())
            .bind(&charge.guard_key)
            .execute(pool)
            .await
            .map(|_| ())
    });
    if let Err(err) = due {
        // The guard still fires after --points-guard-secs.
        tracing::warn!(error = %err, key = %charge.guard_key, "could not make a refund due now");
        return;
    }
    outbox::deliver_now(state, &charge.guard_key).await;
}
