//! The check-in calendar: one check-in per player per local day (the primary
//! key enforces it), consecutive-day streaks, and milestone rewards that go
//! through the same prize machinery as draws (stock, caps, codes, records).

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use huodong_shared::ErrorCode;
use huodong_shared::api::{
    ActivityKind, CheckinResult, CheckinState, MakeupRequest, PrizeKind, WonPrize,
};
use huodong_shared::partner::Callback;
use serde_json::json;

use crate::activities::model::{Activity, Prize};
use crate::clock;
use crate::db::{BeginWrite, Db, is_unique_violation, now_secs};
use crate::draw::{activity_for, claim_code, delivery_of, draw_messages, take_prize, today};
use crate::error::{ApiJson, ApiResult, AppError, Reply};
use crate::on_db;
use crate::outbox::{self, Message};
use crate::partner::{self, now_ms, points};
use crate::session::Player;
use crate::state::AppState;

/// Routes of the calendar.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/activities/{id}/checkin", post(checkin))
        .route("/api/v1/activities/{id}/checkin/makeup", post(makeup))
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
pub async fn checkin_state(
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
/// same day is refused (2007) and changes nothing.
async fn checkin(
    State(state): State<AppState>,
    player: Player,
    Path(public_id): Path<String>,
) -> ApiResult<CheckinResult> {
    let activity = calendar_of(&state, &player, &public_id).await?;
    let now = now_secs();
    activity.check_open(now)?;
    partner::check_condition(&state, &activity, &player).await?;
    let day = today(&activity, now);
    let result = record(&state, &activity, &player, day, day, now, None).await?;
    state.outbox_wake.notify_one();
    Ok(Reply(result))
}

/// `POST /api/v1/activities/{id}/checkin/makeup`: checks in a missed day of
/// this activity, within the make-up limit, at the make-up cost in partner
/// points (refunded if the make-up does not happen).
async fn makeup(
    State(state): State<AppState>,
    player: Player,
    Path(public_id): Path<String>,
    ApiJson(input): ApiJson<MakeupRequest>,
) -> ApiResult<CheckinResult> {
    let activity = calendar_of(&state, &player, &public_id).await?;
    let now = now_secs();
    activity.check_open(now)?;
    let rules = activity.rules.checkin.clone().unwrap_or_default();
    let today = today(&activity, now);
    let first_day = crate::draw::today(&activity, activity.starts_at);
    if input.day >= today || input.day < first_day || clock::date_of(input.day).is_none() {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "day: 只能补签本活动期间今天以前的日子（yyyymmdd）",
        ));
    }
    let used = checkin_state(&state.db, &activity, player.player_id, today).await?;
    if used.days.contains(&input.day) {
        return Err(AppError::with_msg(
            ErrorCode::AlreadyCheckedIn,
            "这一天已经签到过了",
        ));
    }
    if used.makeups_left <= 0 {
        return Err(AppError::with_msg(
            ErrorCode::NoChancesLeft,
            "补签次数已用完",
        ));
    }
    partner::check_condition(&state, &activity, &player).await?;
    let partner = state.caches.partner(&state.db, activity.partner_id).await?;
    let charge = points::deduct(
        &state,
        &partner,
        &activity,
        &player,
        rules.makeup_cost,
        "checkin_makeup",
    )
    .await?;
    let result = record(
        &state,
        &activity,
        &player,
        input.day,
        today,
        now,
        charge.as_ref().map(|c| c.guard_key.as_str()),
    )
    .await;
    if let (Err(_), Some(charge)) = (&result, &charge) {
        points::refund(&state, charge).await;
    }
    state.outbox_wake.notify_one();
    Ok(Reply(result?))
}

async fn calendar_of(
    state: &AppState,
    player: &Player,
    public_id: &str,
) -> Result<std::sync::Arc<Activity>, AppError> {
    let activity = activity_for(state, player, public_id).await?;
    if activity.kind != ActivityKind::Checkin && activity.rules.checkin.is_none() {
        return Err(AppError::with_msg(ErrorCode::Validation, "该活动没有签到"));
    }
    Ok(activity)
}

/// Records the check-in of `day` (today, or a missed day: a make-up, counted
/// against the limit; `refund_guard` names a paid make-up's refund to
/// cancel), with the milestone rewards the
/// streak newly reaches, its events and deliveries, in one transaction.
async fn record(
    state: &AppState,
    activity: &Activity,
    player: &Player,
    day: i64,
    today: i64,
    now: i64,
    refund_guard: Option<&str>,
) -> Result<CheckinResult, AppError> {
    let made_up = day != today;
    let prizes = activity.prizes(&state.db).await?;
    let partner = state.caches.partner(&state.db, activity.partner_id).await?;
    let mut desc = days_desc(&state.db, activity.id, player.player_id).await?;
    if desc.contains(&day) {
        return Err(AppError::code(ErrorCode::AlreadyCheckedIn));
    }
    let before = streak(&desc, today);
    desc.push(day);
    desc.sort_unstable_by(|a, b| b.cmp(a));
    let after = streak(&desc, today);
    let milestones: Vec<(i64, &Prize)> = activity
        .rules
        .checkin
        .iter()
        .flat_map(|c| c.milestones.iter())
        .filter(|m| m.days > before && m.days <= after)
        .filter_map(|m| prizes.get(m.prize).map(|p| (m.days, p)))
        .collect();
    let limit = activity
        .rules
        .checkin
        .as_ref()
        .map(|c| c.makeup_limit)
        .unwrap_or(0);
    let source = if made_up { "makeup" } else { "checkin" };
    let rewards = on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO checkins (activity_id, player_id, day, made_up, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(activity.id)
        .bind(player.player_id)
        .bind(day)
        .bind(made_up)
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
        if made_up {
            let counted = sqlx::query(
                "UPDATE player_activity SET makeups_used = makeups_used + 1 \
                 WHERE activity_id = $1 AND player_id = $2 AND makeups_used < $3",
            )
            .bind(activity.id)
            .bind(player.player_id)
            .bind(limit)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if counted != 1 {
                return Err(AppError::with_msg(ErrorCode::NoChancesLeft, "补签次数已用完"));
            }
        }
        if partner.has(Callback::Events) {
            let event = Message::event(
                activity,
                "checkin",
                format!("{}-c{}-{day}", activity.public_id, player.player_id),
                &player.u_id,
                now,
                json!({ "day": day, "made_up": made_up, "streak": after }),
            );
            outbox::enqueue!(tx, &event);
        }
        let mut rewards = Vec::new();
        for (days, prize) in milestones {
            let (seq,): (i64,) = sqlx::query_as(
                "UPDATE player_activity SET draw_seq = draw_seq + 1 WHERE activity_id = $1 AND player_id = $2 \
                 RETURNING draw_seq",
            )
            .bind(activity.id)
            .bind(player.player_id)
            .fetch_one(&mut *tx)
            .await?;
            let outcome = take_prize!(tx, activity, player.player_id, prize, now);
            let won = (outcome == "won").then_some(prize);
            let delivery = delivery_of(&partner, won);
            let (draw_id,): (i64,) = sqlx::query_as(
                "INSERT INTO draws (activity_id, player_id, seq, idempotency_key, day, roll, weight_total, \
                 candidate_id, prize_id, outcome, odds, source, created_at, delivery) \
                 VALUES ($1, $2, $3, $4, $5, 0, 1, $6, $7, $8, '[]', 'milestone', $9, $10) RETURNING id",
            )
            .bind(activity.id)
            .bind(player.player_id)
            .bind(seq)
            .bind(format!("{source}:{day}:{days}:{}", prize.id))
            .bind(day)
            .bind(prize.id)
            .bind(won.map(|p| p.id))
            .bind(outcome)
            .bind(now)
            .bind(delivery)
            .fetch_one(&mut *tx)
            .await?;
            for message in draw_messages(activity, &partner, &player.u_id, "milestone", draw_id, outcome, won, now) {
                outbox::enqueue!(tx, &message);
            }
            if won.is_some() {
                let code = if prize.kind() == PrizeKind::Code {
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
                    delivery: delivery.map(str::to_owned),
                    note: None,
                });
            }
        }
        if let Some(guard) = refund_guard {
            let cancelled = sqlx::query(outbox::CANCEL)
                .bind(now_ms())
                .bind(guard)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if cancelled != 1 {
                return Err(AppError::code(ErrorCode::PartnerUnavailable));
            }
        }
        tx.commit().await?;
        rewards
    });
    Ok(CheckinResult {
        day,
        streak: after,
        rewards,
    })
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
