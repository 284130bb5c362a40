//! `data/records` and `data/stats`: an activity's draws, winners,
//! participants, check-ins, behaviour events and partner deliveries (with
//! their state: pending, done, failed, dead), page by page with an opaque
//! cursor; and its figures. The console answers the same through [`page`]
//! and [`crate::activities::stats::stats`].

use axum::extract::State;
use huodong_shared::ErrorCode;
use huodong_shared::console::{Stats, StatsQuery};
use huodong_shared::open::{Records, RecordsQuery};
use serde_json::{Value, json};

use super::Signed;
use crate::activities::model::{Activity, Scope};
use crate::activities::stats;
use crate::error::{ApiResult, AppError, Reply};
use crate::merchants::{id_cursor, page_limit};
use crate::on_db;
use crate::state::AppState;

/// Every record type of `data/records`.
pub const ALL_TYPES: &[&str] = &[
    "draws",
    "winners",
    "participants",
    "checkins",
    "events",
    "deliveries",
];

#[derive(sqlx::FromRow)]
struct DrawRecord {
    id: i64,
    seq: i64,
    u_id: String,
    prize_id: Option<i64>,
    prize_name: Option<String>,
    prize_kind: Option<String>,
    outcome: String,
    code: Option<String>,
    delivery: Option<String>,
    delivery_note: Option<String>,
    source: String,
    ip: Option<String>,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct OutboxRecord {
    id: i64,
    callback: String,
    dedupe_key: String,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    body: String,
    result: Option<String>,
    created_at: i64,
    done_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ParticipantRecord {
    id: i64,
    u_id: String,
    nickname: Option<String>,
    draws: i64,
    wins: i64,
    checkins: i64,
    first_at: Option<i64>,
    last_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct CheckinRecord {
    player_id: i64,
    u_id: String,
    nickname: Option<String>,
    day: i64,
    made_up: bool,
    created_at: i64,
}

const DRAWS: &str = "SELECT d.id, d.seq, pl.u_id, d.prize_id, p.name AS prize_name, p.kind AS prize_kind, \
     d.outcome, d.code, d.delivery, d.delivery_note, d.source, d.ip, d.created_at \
     FROM draws d JOIN players pl ON pl.id = d.player_id LEFT JOIN prizes p ON p.id = d.prize_id \
     WHERE d.activity_id = $1 AND d.id > $2";

const OUTBOX: &str = "SELECT id, callback, dedupe_key, status, attempts, last_error, body, result, created_at, done_at \
     FROM outbox WHERE activity_id = $1 AND id > $2";

/// A participant: a player with a draw (or game round) or a check-in.
const PARTICIPANTS: &str = "SELECT pl.id, pl.u_id, pl.nickname, \
     (SELECT COUNT(*) FROM draws d WHERE d.activity_id = $1 AND d.player_id = pl.id AND d.source = 'draw') AS draws, \
     (SELECT COUNT(*) FROM draws d JOIN prizes p ON p.id = d.prize_id \
      WHERE d.activity_id = $1 AND d.player_id = pl.id AND p.kind <> 'thanks') AS wins, \
     (SELECT COUNT(*) FROM checkins c WHERE c.activity_id = $1 AND c.player_id = pl.id) AS checkins, \
     (SELECT MIN(t) FROM (SELECT MIN(created_at) AS t FROM draws WHERE activity_id = $1 AND player_id = pl.id \
      UNION ALL SELECT MIN(created_at) FROM checkins WHERE activity_id = $1 AND player_id = pl.id) f) AS first_at, \
     (SELECT MAX(t) FROM (SELECT MAX(created_at) AS t FROM draws WHERE activity_id = $1 AND player_id = pl.id \
      UNION ALL SELECT MAX(created_at) FROM checkins WHERE activity_id = $1 AND player_id = pl.id) l) AS last_at \
     FROM players pl WHERE pl.id > $2 AND pl.id IN \
     (SELECT player_id FROM draws WHERE activity_id = $1 UNION SELECT player_id FROM checkins WHERE activity_id = $1) \
     ORDER BY pl.id LIMIT $3";

/// Check-ins in the order they were made (a make-up is made today for a
/// past day); the cursor is the last one's `created_at.player_id.day`.
const CHECKINS: &str = "SELECT c.player_id, pl.u_id, pl.nickname, c.day, c.made_up, c.created_at \
     FROM checkins c JOIN players pl ON pl.id = c.player_id \
     WHERE c.activity_id = $1 AND (c.created_at > $2 OR (c.created_at = $2 AND (c.player_id > $3 \
     OR (c.player_id = $3 AND c.day > $4)))) \
     ORDER BY c.created_at, c.player_id, c.day LIMIT $5";

fn checkin_cursor(cursor: Option<&str>) -> Result<(i64, i64, i64), AppError> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok((i64::MIN, 0, 0));
    };
    let parts: Vec<i64> = cursor.split('.').filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [at, player, day] => Ok((*at, *player, *day)),
        _ => Err(AppError::with_msg(
            ErrorCode::Validation,
            "cursor: 无效的游标",
        )),
    }
}

/// One page of `activity`'s records of type `kind`, which must be one of
/// `allowed`.
pub async fn page(
    state: &AppState,
    activity: &Activity,
    kind: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
    allowed: &[&str],
) -> Result<Records, AppError> {
    let limit = page_limit(limit)?;
    if !allowed.contains(&kind) {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            format!("type: 不支持 {kind}，可选 {}", allowed.join("、")),
        ));
    }
    let (cursors, list): (Vec<String>, Vec<Value>) = match kind {
        "draws" | "winners" => {
            let after = id_cursor(cursor)?.unwrap_or(0);
            let filter = if kind == "winners" {
                " AND d.prize_id IS NOT NULL AND p.kind <> 'thanks'"
            } else {
                ""
            };
            let sql = format!("{DRAWS}{filter} ORDER BY d.id LIMIT $3");
            let rows: Vec<DrawRecord> = on_db!(&state.db, pool => {
                sqlx::query_as(&sql).bind(activity.id).bind(after).bind(limit).fetch_all(pool).await
            })?;
            rows.into_iter()
                .map(|r| {
                    (
                        r.id.to_string(),
                        json!({
                            "draw_id": r.id, "seq": r.seq, "u_id": r.u_id, "prize_id": r.prize_id,
                            "prize_name": r.prize_name, "prize_kind": r.prize_kind, "outcome": r.outcome,
                            "code": r.code, "delivery": r.delivery, "delivery_note": r.delivery_note,
                            "source": r.source, "ip": r.ip, "at": r.created_at,
                        }),
                    )
                })
                .unzip()
        }
        "participants" => {
            let after = id_cursor(cursor)?.unwrap_or(0);
            let rows: Vec<ParticipantRecord> = on_db!(&state.db, pool => {
                sqlx::query_as(PARTICIPANTS).bind(activity.id).bind(after).bind(limit).fetch_all(pool).await
            })?;
            rows.into_iter()
                .map(|r| {
                    (
                        r.id.to_string(),
                        json!({
                            "u_id": r.u_id, "nickname": r.nickname, "draws": r.draws, "wins": r.wins,
                            "checkins": r.checkins, "first_at": r.first_at, "last_at": r.last_at,
                        }),
                    )
                })
                .unzip()
        }
        "checkins" => {
            let (at, player, day) = checkin_cursor(cursor)?;
            let rows: Vec<CheckinRecord> = on_db!(&state.db, pool => {
                sqlx::query_as(CHECKINS)
                    .bind(activity.id)
                    .bind(at)
                    .bind(player)
                    .bind(day)
                    .bind(limit)
                    .fetch_all(pool)
                    .await
            })?;
            rows.into_iter()
                .map(|r| {
                    (
                        format!("{}.{}.{}", r.created_at, r.player_id, r.day),
                        json!({
                            "u_id": r.u_id, "nickname": r.nickname, "day": r.day,
                            "made_up": r.made_up, "at": r.created_at,
                        }),
                    )
                })
                .unzip()
        }
        _ => {
            let after = id_cursor(cursor)?.unwrap_or(0);
            let filter = if kind == "events" {
                " AND callback = 'events'"
            } else {
                " AND callback <> 'events'"
            };
            let sql = format!("{OUTBOX}{filter} ORDER BY id LIMIT $3");
            let rows: Vec<OutboxRecord> = on_db!(&state.db, pool => {
                sqlx::query_as(&sql).bind(activity.id).bind(after).bind(limit).fetch_all(pool).await
            })?;
            rows.into_iter()
                .map(|r| {
                    let body: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
                    let result: Value = r
                        .result
                        .as_deref()
                        .and_then(|t| serde_json::from_str(t).ok())
                        .unwrap_or(Value::Null);
                    (
                        r.id.to_string(),
                        json!({
                            "id": r.id, "callback": r.callback, "key": r.dedupe_key, "status": r.status,
                            "attempts": r.attempts, "last_error": r.last_error, "body": body,
                            "result": result, "created_at_ms": r.created_at, "done_at_ms": r.done_at,
                        }),
                    )
                })
                .unzip()
        }
    };
    let next_cursor = (cursors.len() as i64 == limit)
        .then(|| cursors.last().cloned())
        .flatten();
    Ok(Records { list, next_cursor })
}

/// `data/records`: one page of records.
#[utoipa::path(post, path = "/open/v1/data/records", tag = "open", request_body = RecordsQuery, responses((status = 200, body = Records)))]
pub async fn records(
    State(state): State<AppState>,
    signed: Signed<RecordsQuery>,
) -> ApiResult<Records> {
    let query = signed.body;
    let activity = Activity::in_scope(
        &state.db,
        &query.activity_id,
        Scope::partner(signed.partner.id),
    )
    .await?;
    Ok(Reply(
        page(
            &state,
            &activity,
            &query.kind,
            query.cursor.as_deref(),
            query.limit,
            ALL_TYPES,
        )
        .await?,
    ))
}

/// `data/stats`: the activity's figures (the console's, for the same activity).
#[utoipa::path(post, path = "/open/v1/data/stats", tag = "open", request_body = StatsQuery, responses((status = 200, body = Stats)))]
pub async fn stats(State(state): State<AppState>, signed: Signed<StatsQuery>) -> ApiResult<Stats> {
    let query = signed.body;
    let activity = Activity::in_scope(
        &state.db,
        &query.activity_id,
        Scope::partner(signed.partner.id),
    )
    .await?;
    Ok(Reply(
        stats::stats(&state.db, &activity, query.from, query.to).await?,
    ))
}
