//! The check-in calendar: one check-in per player per local day (the primary
//! key enforces it), consecutive-day streaks, and milestone rewards that go
//! through the same prize machinery as draws (stock, caps, codes, records).

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use huodong_shared::ErrorCode;
use huodong_shared::api::{ActivityKind, CheckinResult, CheckinState, WonPrize};

use crate::activities::model::{Activity, Prize};
use crate::clock;
use crate::db::{BeginWrite, Db, is_unique_violation, now_secs};
use crate::draw::{activity_for, claim_code, take_prize, today};
use crate::error::{ApiResult, AppError, Reply};
use crate::on_db;
use crate::session::Player;
use crate::state::AppState;

/// Routes of the calendar.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/activities/{id}/checkin", post(checkin))
}

/// The streak ending at `day` (or at the day before, when `day` is not in),
/// from check-in days sorted descending.
pub fn streak(days_desc: &[i64], day: i64) -> i64 {
    let mut expected = if days_desc.first() == Some(&day) {
        day
    } else {
        match clock::previous_day(day) {
            Some(d) => d,
            None => return 0,
        }
    };
    let mut n = 0;
    for &d in days_desc {
        if d > expected {
            continue;
        }
        if d != expected {
            break;
        }
        n += 1;
        match clock::previous_day(expected) {
            Some(p) => expected = p,
            None => break,
        }
    }
    n
}

async fn days_desc(db: &Db, activity_id: i64, player_id: i64) -> Result<Vec<i64>, AppError> {
    let rows: Vec<(i64,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT day FROM checkins WHERE activity_id = $1 AND player_id = $2 ORDER BY day DESC")
            .bind(activity_id)
            .bind(player_id)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().map(|(d,)| d).collect())
}

/// The player's calendar.
pub async fn state(
    db: &Db,
    activity: &Activity,
    player_id: i64,
    day: i64,
) -> Result<CheckinState, AppError> {
    let desc = days_desc(db, activity.id, player_id).await?;
    let makeups_used: Option<(i64,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT makeups_used FROM player_activity WHERE activity_id = $1 AND player_id = $2")
            .bind(activity.id)
            .bind(player_id)
            .fetch_optional(pool)
            .await
    })?;
    let limit = activity
        .rules
        .checkin
        .as_ref()
        .map(|c| c.makeup_limit)
        .unwrap_or(0);
    let mut days = desc.clone();
    days.reverse();
    Ok(CheckinState {
        today: day,
        checked_in_today: desc.first() == Some(&day),
        streak: streak(&desc, day),
        days,
        makeups_left: (limit - makeups_used.map(|m| m.0).unwrap_or(0)).max(0),
    })
}

/// `POST /api/v1/activities/{id}/checkin`: today's check-in; a second one the
/// same day is refused (409) and changes nothing.
async fn checkin(
    State(state): State<AppState>,
    player: Player,
    Path(public_id): Path<String>,
) -> ApiResult<CheckinResult> {
    let activity = activity_for(&state, &player, &public_id).await?;
    if activity.kind != ActivityKind::Checkin && activity.rules.checkin.is_none() {
        return Err(AppError::with_msg(ErrorCode::Validation, "该活动没有签到"));
    }
    let now = now_secs();
    activity.check_open(now)?;
    let day = today(&activity, now);
    let prizes = activity.prizes(&state.db).await?;
    let mut desc = days_desc(&state.db, activity.id, player.player_id).await?;
    if desc.first() == Some(&day) {
        return Err(AppError::code(ErrorCode::AlreadyCheckedIn));
    }
    desc.insert(0, day);
    let streak = streak(&desc, day);
    let milestones: Vec<&Prize> = activity
        .rules
        .checkin
        .iter()
        .flat_map(|c| c.milestones.iter())
        .filter(|m| m.days == streak)
        .filter_map(|m| prizes.get(m.prize))
        .collect();
    let rewards = on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO checkins (activity_id, player_id, day, made_up, created_at) VALUES ($1, $2, $3, FALSE, $4)",
        )
        .bind(activity.id)
        .bind(player.player_id)
        .bind(day)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::code(ErrorCode::AlreadyCheckedIn));
            }
            Err(e) => return Err(e.into()),
        }
        sqlx::query("INSERT INTO player_activity (activity_id, player_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(activity.id)
            .bind(player.player_id)
            .execute(&mut *tx)
            .await?;
        let mut rewards = Vec::new();
        for prize in milestones {
            let (seq,): (i64,) = sqlx::query_as(
                "UPDATE player_activity SET draw_seq = draw_seq + 1 WHERE activity_id = $1 AND player_id = $2 \
                 RETURNING draw_seq",
            )
            .bind(activity.id)
            .bind(player.player_id)
            .fetch_one(&mut *tx)
            .await?;
            let outcome = take_prize!(tx, &activity, player.player_id, prize, now);
            let won = outcome == "won";
            let (draw_id,): (i64,) = sqlx::query_as(
                "INSERT INTO draws (activity_id, player_id, seq, idempotency_key, day, roll, weight_total, \
                 candidate_id, prize_id, outcome, odds, source, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 0, 1, $6, $7, $8, '[]', 'milestone', $9) RETURNING id",
            )
            .bind(activity.id)
            .bind(player.player_id)
            .bind(seq)
            .bind(format!("checkin:{day}:{streak}:{}", prize.id))
            .bind(day)
            .bind(prize.id)
            .bind(won.then_some(prize.id))
            .bind(outcome)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if won {
                let code = if prize.kind() == huodong_shared::api::PrizeKind::Code {
                    claim_code!(tx, draw_id, prize.id)
                } else {
                    None
                };
                rewards.push(WonPrize {
                    draw_id,
                    prize_id: prize.id,
                    name: prize.name.clone(),
                    kind: prize.kind(),
                    code,
                    won_at: now,
                });
            }
        }
        tx.commit().await?;
        rewards
    });
    Ok(Reply(CheckinResult {
        day,
        streak,
        rewards,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaks_count_consecutive_days_back_from_today_or_yesterday() {
        assert_eq!(streak(&[], 20261125), 0);
        assert_eq!(streak(&[20261125], 20261125), 1);
        assert_eq!(
            streak(&[20261125, 20261124, 20261123, 20261120], 20261125),
            3
        );
        // Not yet checked in today: yesterday's streak still stands.
        assert_eq!(streak(&[20261124, 20261123], 20261125), 2);
        assert_eq!(streak(&[20261122], 20261125), 0);
        assert_eq!(streak(&[20260301, 20260228], 20260301), 2);
    }
}
