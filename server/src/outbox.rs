//! The durable outbox: every partner call that must not be lost — behaviour
//! events, coupon issue, points add (prizes) and points refunds — is a row
//! written in the same transaction as the state change it describes, and a
//! background worker delivers it until the partner acknowledges (code 0).
//!
//! - Each row carries the `event_id` / `biz_id` the partner sees; a retry
//!   sends the same id, so the partner applies it once.
//! - A worker claims due rows with a lease (`locked_until`); on PostgreSQL
//!   with `FOR UPDATE SKIP LOCKED`, so with several instances each row is
//!   taken by one worker at a time. A worker killed mid-delivery leaves the
//!   lease to expire and the row is delivered again (same id).
//! - Failures are retried with exponential backoff and full jitter (from
//!   `--outbox-retry-base-ms`, doubling up to 30 minutes), or after the
//!   partner's `Retry-After`, for `--outbox-horizon-secs` (a day by default);
//!   then the row is marked `dead`, visible in `data/records`.
//! - A prize the partner refuses for good (8000: no such user) or that is
//!   still undelivered at the horizon goes back to stock and the player sees
//!   the partner's message; any other refusal (9004, 7100, timeouts, 5xx) is
//!   retried, and the player sees "pending" with the partner's message.

use std::time::Duration;

use huodong_shared::ErrorCode;
use huodong_shared::partner::{AuditAnswer, Callback, CouponIssued, EventBody};
use rand::Rng;
use serde_json::Value;

use crate::activities::model::Activity;
use crate::db::Db;
use crate::error::AppError;
use crate::on_db;
use crate::partner::{CallError, audit, client, now_ms};
use crate::state::AppState;

/// The longest wait between two attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(30 * 60);
/// Rows one worker claims at once.
pub const BATCH: i64 = 32;

/// Inserts a message (a repeat of its `dedupe_key` is ignored).
pub const ENQUEUE: &str = "INSERT INTO outbox (partner_id, activity_id, callback, dedupe_key, draw_id, body, next_at, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING";

/// Cancels a pending message nobody holds (a points refund guard once the
/// draw it guards is recorded): `$1` now (ms), `$2` the key; one row affected
/// or none. (Placeholders appear in increasing order: rusqlite binds them by
/// position of first appearance.)
pub const CANCEL: &str = "UPDATE outbox SET status = 'cancelled', done_at = $1 \
     WHERE dedupe_key = $2 AND status = 'pending' AND locked_until <= $1";

/// A message to enqueue.
#[derive(Clone, Debug)]
pub struct Message {
    /// The partner it goes to.
    pub partner_id: i64,
    /// The activity it is about.
    pub activity_id: Option<i64>,
    /// Which callback.
    pub callback: Callback,
    /// The `event_id` or `biz_id`.
    pub dedupe_key: String,
    /// The draw whose prize it delivers.
    pub draw_id: Option<i64>,
    /// The body, without `timestamp`, `nonce` and `sign`.
    pub body: String,
    /// When it is due, unix ms.
    pub next_at: i64,
    /// When it was written, unix ms (the retry horizon counts from here).
    pub created_at: i64,
}

impl Message {
    /// A message due now.
    pub fn new(
        partner_id: i64,
        activity_id: Option<i64>,
        callback: Callback,
        dedupe_key: String,
        draw_id: Option<i64>,
        body: &impl serde::Serialize,
    ) -> Message {
        let now = now_ms();
        Message {
            partner_id,
            activity_id,
            callback,
            dedupe_key,
            draw_id,
            body: serde_json::to_string(body).unwrap_or_else(|_| "{}".into()),
            next_at: now,
            created_at: now,
        }
    }

    /// A behaviour event about `activity`.
    pub fn event(
        activity: &Activity,
        kind: &str,
        event_id: String,
        u_id: &str,
        at: i64,
        data: Value,
    ) -> Message {
        let body = EventBody {
            event_id: event_id.clone(),
            kind: kind.to_owned(),
            u_id: u_id.to_owned(),
            activity_id: activity.public_id.clone(),
            at,
            data,
        };
        Message::new(
            activity.partner_id,
            Some(activity.id),
            Callback::Events,
            event_id,
            None,
            &body,
        )
    }
}

/// Enqueues `$msg` on the open transaction `$tx` (either backend).
macro_rules! enqueue {
    ($tx:expr, $msg:expr) => {{
        let msg: &$crate::outbox::Message = $msg;
        sqlx::query($crate::outbox::ENQUEUE)
            .bind(msg.partner_id)
            .bind(msg.activity_id)
            .bind(msg.callback.as_str())
            .bind(&msg.dedupe_key)
            .bind(msg.draw_id)
            .bind(&msg.body)
            .bind(msg.next_at)
            .bind(msg.created_at)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use enqueue;

/// Enqueues one message in a transaction of its own.
pub async fn enqueue_now(db: &Db, msg: &Message) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        enqueue!(tx, msg);
        tx.commit().await
    })
}

/// A claimed row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub(crate) id: i64,
    pub(crate) partner_id: i64,
    pub(crate) callback: String,
    pub(crate) dedupe_key: String,
    pub(crate) draw_id: Option<i64>,
    pub(crate) body: String,
    pub(crate) attempts: i64,
    pub(crate) created_at: i64,
}

const CLAIM_COLUMNS: &str =
    "RETURNING id, partner_id, callback, dedupe_key, draw_id, body, attempts, created_at";

/// Claims up to [`BATCH`] due rows for `lease_ms`.
async fn claim_due(db: &Db, lease_ms: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    let now = now_ms();
    match db {
        Db::Postgres(pool) => {
            sqlx::query_as(&format!(
                "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN \
                 (SELECT id FROM outbox WHERE status = 'pending' AND next_at <= $2 AND locked_until <= $2 \
                 ORDER BY next_at LIMIT $3 FOR UPDATE SKIP LOCKED) {CLAIM_COLUMNS}"
            ))
            .bind(now + lease_ms)
            .bind(now)
            .bind(BATCH)
            .fetch_all(pool)
            .await
        }
        // One statement under SQLite's single write lock is atomic. A read
        // first: the `UPDATE` takes the database's one write lock even when
        // nothing is due, and would make the draw writer wait for it.
        Db::Sqlite(pool) => {
            let due: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM outbox WHERE status = 'pending' AND next_at <= $1 \
                 AND locked_until <= $1 LIMIT 1",
            )
            .bind(now)
            .fetch_optional(pool)
            .await?;
            if due.is_none() {
                return Ok(Vec::new());
            }
            sqlx::query_as(&format!(
                "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN \
                 (SELECT id FROM outbox WHERE status = 'pending' AND next_at <= $2 AND locked_until <= $2 \
                 ORDER BY next_at LIMIT $3) {CLAIM_COLUMNS}"
            ))
            .bind(now + lease_ms)
            .bind(now)
            .bind(BATCH)
            .fetch_all(pool)
            .await
        }
    }
}

/// Claims one pending row by its key, if nobody holds it.
async fn claim_key(db: &Db, key: &str, lease_ms: i64) -> Result<Option<Claimed>, sqlx::Error> {
    let now = now_ms();
    let sql = format!(
        "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 \
         WHERE dedupe_key = $2 AND status = 'pending' AND locked_until <= $3 {CLAIM_COLUMNS}"
    );
    on_db!(db, pool => {
        sqlx::query_as(&sql).bind(now + lease_ms).bind(key).bind(now).fetch_optional(pool).await
    })
}

/// How long a claim holds a row (`--outbox-lease-ms`, longer than any
/// partner timeout): a worker that dies mid-delivery frees it this much later.
fn lease_ms(state: &AppState) -> i64 {
    i64::try_from(state.config.outbox_lease_ms).unwrap_or(35_000)
}

/// The wait before attempt `attempts + 1`: exponential from `base_ms`, capped,
/// with full jitter in its upper half; `Retry-After` when the partner sent one.
pub fn backoff(base_ms: u64, attempts: i64, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(MAX_DELAY);
    }
    let exp = u32::try_from(attempts.clamp(1, 40) - 1).unwrap_or(0);
    let ceiling = base_ms
        .saturating_mul(2u64.saturating_pow(exp))
        .min(MAX_DELAY.as_millis() as u64)
        .max(1);
    let low = ceiling / 2;
    Duration::from_millis(rand::rng().random_range(low..=ceiling))
}

/// Delivers one pending message now, if nobody else holds it (used right
/// after a draw so the player sees the coupon's code at once, and for
/// refunds). The background worker picks up whatever this does not finish.
pub async fn deliver_now(state: &AppState, key: &str) {
    match claim_key(&state.db, key, lease_ms(state)).await {
        Ok(Some(row)) => deliver(state, row).await,
        // A worker holds it: wait for that attempt (bounded by the lease).
        Ok(None) => wait_settled(state, key).await,
        Err(err) => tracing::warn!(error = %err, "claiming an outbox row failed"),
    }
}

/// Waits while a worker is delivering `key`, at most one lease.
async fn wait_settled(state: &AppState, key: &str) {
    let deadline = now_ms() + lease_ms(state);
    while now_ms() < deadline {
        let held: Result<Option<(i64,)>, sqlx::Error> = on_db!(&state.db, pool => {
            sqlx::query_as(
                "SELECT id FROM outbox WHERE dedupe_key = $1 AND status = 'pending' AND locked_until > $2",
            )
            .bind(key)
            .bind(now_ms())
            .fetch_optional(pool)
            .await
        });
        if !matches!(held, Ok(Some(_))) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// How long the worker lets wake-ups gather before it claims again.
const WAKE_COALESCE: Duration = Duration::from_millis(20);

/// Runs the delivery loop until the task is aborted: claims due rows
/// (leased), delivers them, and sleeps until woken or 250 ms pass when there
/// is nothing to do.
pub async fn run_worker(state: AppState) {
    loop {
        let claimed = claim_due(&state.db, lease_ms(&state)).await;
        match claimed {
            Ok(rows) if !rows.is_empty() => {
                let mut set = tokio::task::JoinSet::new();
                for row in rows {
                    let state = state.clone();
                    set.spawn(async move { deliver(&state, row).await });
                }
                while set.join_next().await.is_some() {}
            }
            Ok(_) => {
                let woken =
                    tokio::time::timeout(Duration::from_millis(250), state.outbox_wake.notified())
                        .await;
                if woken.is_ok() {
                    // Let the wake-ups of a burst of draws coalesce into one
                    // claim (what a player waits for is delivered inline).
                    tokio::time::sleep(WAKE_COALESCE).await;
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "claiming outbox rows failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// What an attempt came to.
enum Verdict {
    Done(Value),
    /// The winner audit answered.
    Audited(bool),
    /// Refused for good (the partner says the user does not exist).
    Failed(String),
    Retry {
        error: String,
        note: Option<String>,
        retry_after: Option<Duration>,
    },
}

fn verdict(callback: Callback, result: Result<Value, CallError>) -> Verdict {
    match result {
        Ok(value) if callback == Callback::Audit => {
            match serde_json::from_value::<AuditAnswer>(value) {
                Ok(answer) => Verdict::Audited(answer.approved),
                Err(err) => Verdict::Retry {
                    error: format!("audit answer without `approved`: {err}"),
                    note: None,
                    retry_after: None,
                },
            }
        }
        Ok(value) => Verdict::Done(value),
        Err(CallError::Refused { code, msg })
            if code == ErrorCode::NoUser.as_i32()
                && matches!(callback, Callback::CouponIssue | Callback::PointsAdd) =>
        {
            Verdict::Failed(if msg.trim().is_empty() {
                ErrorCode::NoUser.msg_zh().to_owned()
            } else {
                msg
            })
        }
        Err(err) => Verdict::Retry {
            error: err.to_string(),
            note: err.partner_msg().map(str::to_owned),
            retry_after: match err {
                CallError::Status { retry_after, .. } => retry_after,
                _ => None,
            },
        },
    }
}

async fn deliver(state: &AppState, row: Claimed) {
    let Some(callback) = Callback::parse(&row.callback) else {
        tracing::error!(id = row.id, callback = %row.callback, "unknown outbox callback");
        return;
    };
    let result = match state.caches.partner(&state.db, row.partner_id).await {
        Ok(partner) => match serde_json::from_str::<Value>(&row.body) {
            Ok(body) => client::call(&state.http, &partner, callback, &body).await,
            Err(err) => Err(CallError::Malformed(err.to_string())),
        },
        Err(err) => Err(CallError::Transport(format!("partner not loaded: {err}"))),
    };
    let verdict = verdict(callback, result);
    if let Err(err) = settle(state, &row, callback, verdict).await {
        tracing::warn!(id = row.id, error = %err, "recording an outbox attempt failed; the lease will expire and it is retried");
    }
}

/// Records an attempt; the `attempts` fence keeps a stale worker from
/// overwriting a newer attempt's result.
async fn settle(
    state: &AppState,
    row: &Claimed,
    callback: Callback,
    verdict: Verdict,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let horizon_ms = state.config.outbox_horizon_secs.saturating_mul(1000);
    match verdict {
        Verdict::Audited(approved) => {
            audit::decide(state, row, approved, "done", None)
                .await
                .map_err(sqlx_error)?;
        }
        Verdict::Done(value) => {
            let issued: CouponIssued = if callback == Callback::CouponIssue {
                serde_json::from_value(value.clone()).unwrap_or_default()
            } else {
                CouponIssued::default()
            };
            on_db!(&state.db, pool => {
                let mut tx = pool.begin().await?;
                let updated = sqlx::query(
                    "UPDATE outbox SET status = 'done', done_at = $1, locked_until = 0, result = $2, last_error = NULL \
                     WHERE id = $3 AND attempts = $4 AND status = 'pending'",
                )
                .bind(now)
                .bind(value.to_string())
                .bind(row.id)
                .bind(row.attempts)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated == 1 && let Some(draw_id) = row.draw_id {
                    sqlx::query(
                        "UPDATE draws SET delivery = 'issued', code = COALESCE($1, code), delivery_note = $2 WHERE id = $3",
                    )
                    .bind(issued.cd_key.filter(|k| !k.is_empty()))
                    .bind(issued.des.filter(|d| !d.is_empty()))
                    .bind(draw_id)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
            });
            state.metrics.outbox_delivered.inc();
        }
        Verdict::Failed(msg) => {
            give_up(state, row, "failed", &msg, &msg).await?;
        }
        Verdict::Retry {
            error,
            note,
            retry_after,
        } => {
            let wait = backoff(state.config.outbox_retry_base_ms, row.attempts, retry_after);
            let next_at = now + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
            if next_at > row.created_at + horizon_ms {
                let shown = note.as_deref().unwrap_or("奖品发放失败，请联系客服");
                return give_up(state, row, "dead", &error, shown).await;
            }
            on_db!(&state.db, pool => {
                let mut tx = pool.begin().await?;
                let updated = sqlx::query(
                    "UPDATE outbox SET next_at = $1, locked_until = 0, last_error = $2 \
                     WHERE id = $3 AND attempts = $4 AND status = 'pending'",
                )
                .bind(next_at)
                .bind(&error)
                .bind(row.id)
                .bind(row.attempts)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated == 1 && let (Some(draw_id), Some(note)) = (row.draw_id, &note) {
                    sqlx::query("UPDATE draws SET delivery_note = $1 WHERE id = $2")
                        .bind(note)
                        .bind(draw_id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            });
            state.metrics.outbox_retried.inc();
            tracing::info!(id = row.id, key = %row.dedupe_key, attempts = row.attempts, wait_ms = wait.as_millis() as u64, error = %error, "partner call will be retried");
        }
    }
    Ok(())
}

fn sqlx_error(err: AppError) -> sqlx::Error {
    match err {
        AppError::Db(err) => err,
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

/// Marks a row `failed` or `dead`; a prize it delivered goes back to stock
/// and its draw shows `failed` with `shown` (the partner's message).
async fn give_up(
    state: &AppState,
    row: &Claimed,
    status: &str,
    error: &str,
    shown: &str,
) -> Result<(), sqlx::Error> {
    if row.callback == Callback::Audit.as_str() {
        // No answer in time counts as a refusal: the fallback, never the prize.
        return audit::decide(state, row, false, status, Some(error))
            .await
            .map_err(sqlx_error);
    }
    let now = now_ms();
    on_db!(&state.db, pool => {
        let mut tx = pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE outbox SET status = $1, done_at = $2, locked_until = 0, last_error = $3 \
             WHERE id = $4 AND attempts = $5 AND status = 'pending'",
        )
        .bind(status)
        .bind(now)
        .bind(error)
        .bind(row.id)
        .bind(row.attempts)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 1 && let Some(draw_id) = row.draw_id {
            sqlx::query(
                "UPDATE prizes SET stock_left = stock_left + 1 WHERE stock_left IS NOT NULL \
                 AND id = (SELECT prize_id FROM draws WHERE id = $1 AND delivery = 'pending')",
            )
            .bind(draw_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE draws SET delivery = 'failed', delivery_note = $1 WHERE id = $2 AND delivery = 'pending'")
                .bind(shown)
                .bind(draw_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    });
    state.metrics.outbox_given_up.inc();
    tracing::warn!(id = row.id, key = %row.dedupe_key, status, error, "partner call given up");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after() {
        for attempt in 1..=5 {
            let ceiling = 1000u64 << (attempt - 1);
            let wait = backoff(1000, attempt, None).as_millis() as u64;
            assert!(
                wait >= ceiling / 2 && wait <= ceiling,
                "attempt {attempt}: {wait}"
            );
        }
        assert!(backoff(1000, 40, None) <= MAX_DELAY);
        assert_eq!(
            backoff(1000, 1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            backoff(1000, 1, Some(Duration::from_secs(1 << 40))),
            MAX_DELAY
        );
    }

    #[test]
    fn only_no_user_fails_a_prize_for_good() {
        let refused = |code| {
            Err(CallError::Refused {
                code,
                msg: "发放优惠券异常".into(),
            })
        };
        assert!(matches!(
            verdict(Callback::CouponIssue, refused(8000)),
            Verdict::Failed(_)
        ));
        assert!(matches!(
            verdict(Callback::CouponIssue, refused(9004)),
            Verdict::Retry { note: Some(_), .. }
        ));
        assert!(matches!(
            verdict(Callback::Events, refused(8000)),
            Verdict::Retry { .. }
        ));
        assert!(matches!(
            verdict(Callback::Events, Ok(Value::Null)),
            Verdict::Done(_)
        ));
    }
}
