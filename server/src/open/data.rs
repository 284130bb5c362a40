//! `data/records`: an activity's draws, winners, behaviour events and partner
//! deliveries (with their state: pending, done, failed, dead), page by page
//! with an opaque cursor.

use axum::extract::State;
use huodong_shared::ErrorCode;
use huodong_shared::open::{Records, RecordsQuery};
use serde_json::{Value, json};

use super::Signed;
use crate::activities::model::Activity;
use crate::error::{ApiResult, AppError, Reply};
use crate::on_db;
use crate::state::AppState;

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

const DRAWS: &str = "SELECT d.id, d.seq, pl.u_id, d.prize_id, p.name AS prize_name, p.kind AS prize_kind, \
     d.outcome, d.code, d.delivery, d.delivery_note, d.source, d.ip, d.created_at \
     FROM draws d JOIN players pl ON pl.id = d.player_id LEFT JOIN prizes p ON p.id = d.prize_id \
     WHERE d.activity_id = $1 AND d.id > $2";

const OUTBOX: &str = "SELECT id, callback, dedupe_key, status, attempts, last_error, body, result, created_at, done_at \
     FROM outbox WHERE activity_id = $1 AND id > $2";

/// Answers one page of records.
pub async fn records(
    State(state): State<AppState>,
    signed: Signed<RecordsQuery>,
) -> ApiResult<Records> {
    let query = signed.body;
    let activity = Activity::owned_by(&state.db, &query.activity_id, signed.partner.id).await?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "limit: 须在 1 到 500 之间",
        ));
    }
    let after: i64 = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c
            .parse()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| AppError::with_msg(ErrorCode::Validation, "cursor: 无效的游标"))?,
    };
    let (ids, list): (Vec<i64>, Vec<Value>) = match query.kind.as_str() {
        "draws" | "winners" => {
            let filter = if query.kind == "winners" {
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
                        r.id,
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
        "events" | "deliveries" => {
            let filter = if query.kind == "events" {
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
                        r.id,
                        json!({
                            "id": r.id, "callback": r.callback, "key": r.dedupe_key, "status": r.status,
                            "attempts": r.attempts, "last_error": r.last_error, "body": body,
                            "result": result, "created_at_ms": r.created_at, "done_at_ms": r.done_at,
                        }),
                    )
                })
                .unzip()
        }
        other => {
            return Err(AppError::with_msg(
                ErrorCode::Validation,
                format!("type: 不支持 {other}，可选 draws、winners、events、deliveries"),
            ));
        }
    };
    let next_cursor = (ids.len() as i64 == limit)
        .then(|| ids.last().map(i64::to_string))
        .flatten();
    Ok(Reply(Records { list, next_cursor }))
}
