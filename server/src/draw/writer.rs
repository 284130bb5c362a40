//! Group commit for SQLite: one thread owns a write connection (rusqlite, on
//! the same bundled SQLite as sqlx) and runs the draws that arrive together in
//! one transaction, each inside a savepoint (a refused draw rolls back alone),
//! then commits once: one fsync for the batch instead of one per draw. Every
//! caller is answered only after the commit, so an answered draw is on disk.
//!
//! It runs the same statements as the sqlx path (`sql.rs`) and the same pure
//! decisions (`decide`, `chances`, `Prize::held_back`), without a thread hop
//! per statement: that hop, not SQLite, bounded the sqlx writer.

use std::path::Path;
use std::time::Duration;

use huodong_shared::ErrorCode;
use huodong_shared::api::PrizeKind;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::{mpsc, oneshot};

use super::{
    DrawJob, DrawOutcome, DrawRow, chances, decide, draw_messages, initial_delivery, needs_audit,
    sql,
};
use crate::activities::model::Prize;
use crate::error::AppError;

/// Most draws committed together.
pub const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<DrawOutcome, AppError>>;

/// A handle to the writer thread; the thread ends when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct DrawWriter {
    jobs: mpsc::Sender<(DrawJob, Reply)>,
}

impl DrawWriter {
    /// Opens the writer's connection on the SQLite file and starts the thread.
    pub fn start(path: &Path) -> anyhow::Result<DrawWriter> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )?;
        conn.set_prepared_statement_cache_capacity(32);
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        std::thread::Builder::new()
            .name("draw-writer".into())
            .spawn(move || run(conn, rx))?;
        Ok(DrawWriter { jobs })
    }

    /// Runs one draw in the next batch.
    pub async fn submit(&self, job: DrawJob) -> Result<DrawOutcome, AppError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((job, reply))
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the draw writer has stopped")))?;
        answer
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the draw writer dropped a draw")))?
    }
}

fn run(mut conn: Connection, mut rx: mpsc::Receiver<(DrawJob, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results = run_batch(&mut conn, &batch);
        for ((_, reply), result) in batch.drain(..).zip(results) {
            let _ = reply.send(result);
        }
    }
}

/// Runs a parameterless statement through the statement cache.
fn exec_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn failed(err: &rusqlite::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("draw batch failed: {err}"))
}

fn run_batch(
    conn: &mut Connection,
    batch: &[(DrawJob, Reply)],
) -> Vec<Result<DrawOutcome, AppError>> {
    if let Err(err) = conn.execute_batch("BEGIN IMMEDIATE") {
        return batch.iter().map(|_| Err(failed(&err))).collect();
    }
    let mut results = Vec::with_capacity(batch.len());
    // The batch holds SQLite's write lock: only these draws change stock until
    // the commit, so each activity's prizes are read once and kept in step.
    let mut prizes = PrizeCache::default();
    for (job, _) in batch {
        if let Err(err) = exec_cached(conn, "SAVEPOINT draw") {
            results.push(Err(failed(&err)));
            continue;
        }
        let result = draw(conn, job, &mut prizes);
        let keep = matches!(result, Ok(DrawOutcome::Done(..)));
        prizes.settle(keep);
        let rolled_back = if keep {
            Ok(())
        } else {
            exec_cached(conn, "ROLLBACK TO draw")
        };
        match rolled_back.and_then(|()| exec_cached(conn, "RELEASE draw")) {
            Ok(()) => results.push(result),
            Err(err) => results.push(Err(failed(&err))),
        }
    }
    if let Err(err) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        tracing::error!(error = %err, size = batch.len(), "draw batch commit failed");
        return batch.iter().map(|_| Err(failed(&err))).collect();
    }
    results
}

/// Each activity's prizes for one batch, with the stock this batch took.
#[derive(Default)]
struct PrizeCache {
    by_activity: std::collections::HashMap<i64, std::rc::Rc<Vec<Prize>>>,
    /// Stock taken by the draw in progress: (activity, prize), applied when
    /// the draw is kept, forgotten when its savepoint rolls back.
    taken: Option<(i64, i64)>,
}

impl PrizeCache {
    fn get(
        &mut self,
        conn: &Connection,
        activity_id: i64,
    ) -> Result<std::rc::Rc<Vec<Prize>>, AppError> {
        if let Some(prizes) = self.by_activity.get(&activity_id) {
            return Ok(prizes.clone());
        }
        let prizes: Vec<Prize> = conn
            .prepare_cached(sql::PRIZES)
            .and_then(|mut s| s.query_map(params![activity_id], prize_of)?.collect())
            .map_err(internal)?;
        let prizes = std::rc::Rc::new(prizes);
        self.by_activity.insert(activity_id, prizes.clone());
        Ok(prizes)
    }

    fn settle(&mut self, keep: bool) {
        if let (true, Some((activity_id, prize_id))) = (keep, self.taken.take())
            && let Some(prizes) = self.by_activity.get_mut(&activity_id)
        {
            for prize in std::rc::Rc::make_mut(prizes) {
                if prize.id == prize_id
                    && let Some(left) = prize.stock_left.as_mut()
                {
                    *left -= 1;
                }
            }
        }
        self.taken = None;
    }
}

fn internal(err: rusqlite::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("draw: {err}"))
}

fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

fn prize_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Prize> {
    Ok(Prize {
        id: row.get(0)?,
        position: row.get(1)?,
        name: row.get(2)?,
        kind: row.get(3)?,
        weight: row.get(4)?,
        stock_total: row.get(5)?,
        stock_left: row.get(6)?,
        per_user_limit: row.get(7)?,
        audit: row.get(8)?,
        value_cents: row.get(9)?,
        coupon_id: row.get(10)?,
        points: row.get(11)?,
        image: row.get(12)?,
        release_every: row.get(13)?,
        release_amount: row.get(14)?,
        slotted: row.get(15)?,
    })
}

/// The statements of one draw (the same as `draw_statements!`).
fn draw(conn: &Connection, job: &DrawJob, cache: &mut PrizeCache) -> Result<DrawOutcome, AppError> {
    let (activity, player, now) = (&*job.activity, &job.player, job.now);
    let seen: Option<i64> = conn
        .prepare_cached(sql::KEY_SEEN)
        .and_then(|mut s| {
            s.query_row(params![activity.id, player.player_id, job.key], |r| {
                r.get(0)
            })
            .optional()
        })
        .map_err(internal)?;
    if seen.is_some() {
        return Ok(DrawOutcome::Duplicate);
    }
    let (seq, draws_used, extra_left): (i64, i64, i64) = conn
        .prepare_cached(sql::NEXT_SEQ)
        .and_then(|mut s| {
            s.query_row(params![activity.id, player.player_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
        })
        .map_err(internal)?;
    let per_day = activity.rules.chances_per_day;
    let under_total = activity.rules.chances_total.is_none_or(|t| draws_used < t);
    let day_used: Option<i64> = if under_total && per_day > 0 {
        conn.prepare_cached(sql::TAKE_DAY_CHANCE)
            .and_then(|mut s| {
                s.query_row(
                    params![activity.id, player.player_id, job.day, per_day],
                    |r| r.get(0),
                )
                .optional()
            })
            .map_err(internal)?
    } else {
        None
    };
    let chances_after = if let Some(used) = day_used {
        conn.prepare_cached(sql::COUNT_DRAW)
            .and_then(|mut s| s.execute(params![activity.id, player.player_id]))
            .map_err(internal)?;
        chances(activity, draws_used + 1, extra_left, used)
    } else if extra_left > 0 {
        conn.prepare_cached(sql::TAKE_EXTRA)
            .and_then(|mut s| s.execute(params![activity.id, player.player_id]))
            .map_err(internal)?;
        chances(activity, draws_used, extra_left - 1, per_day)
    } else {
        return Err(AppError::code(ErrorCode::NoChancesLeft));
    };

    let prizes = cache.get(conn, activity.id)?;
    let (roll, candidate, odds) = decide(activity, &prizes, &player.u_id, seq, job.forced);
    let on_review = if activity.rules.risk.is_some() || candidate.is_some_and(|p| p.audit) {
        review_status(conn, job)?
    } else {
        false
    };
    let mut outcome = "thanks";
    let mut won: Option<&Prize> = None;
    if let Some(prize) = candidate {
        if prize.kind() == PrizeKind::Thanks {
            won = Some(prize);
        } else if prize.audit && on_review {
            outcome = "review";
        } else {
            outcome = take_prize(conn, job, prize)?;
            if outcome == "won" && prize.stock_total.is_some() {
                cache.taken = Some((activity.id, prize.id));
            }
            if outcome == "won" {
                won = Some(prize);
                if needs_audit(&job.partner, prize) {
                    // Reserved until the partner approves this winner.
                    outcome = "audit_pending";
                }
            }
        }
    }
    let delivery = initial_delivery(&job.partner, outcome, won);
    let inserted = conn.prepare_cached(sql::RECORD_DRAW).and_then(|mut s| {
        s.query_row(
            params![
                activity.id,
                player.player_id,
                seq,
                job.key,
                job.day,
                roll,
                activity.weight_total,
                candidate.map(|p| p.id),
                won.map(|p| p.id),
                outcome,
                odds,
                job.ip,
                now,
                delivery
            ],
            |r| r.get::<_, i64>(0),
        )
    });
    let draw_id = match inserted {
        Ok(id) => id,
        Err(err) if is_unique_violation(&err) => return Ok(DrawOutcome::Duplicate),
        Err(err) => return Err(internal(err)),
    };
    let mut code = None;
    if let Some(prize) = won.filter(|p| outcome == "won" && p.kind() == PrizeKind::Code) {
        code = conn
            .prepare_cached(sql::CLAIM_CODE)
            .and_then(|mut s| {
                s.query_row(params![draw_id, prize.id], |r| r.get::<_, String>(0))
                    .optional()
            })
            .map_err(internal)?;
        let Some(c) = &code else {
            return Err(AppError::with_msg(
                ErrorCode::Conflict,
                "兑换码发放繁忙，请重试",
            ));
        };
        conn.prepare_cached(sql::SET_CODE)
            .and_then(|mut s| s.execute(params![c, draw_id]))
            .map_err(internal)?;
    }
    for m in draw_messages(
        activity,
        &job.partner,
        &player.u_id,
        "participate",
        draw_id,
        outcome,
        won,
        now,
    ) {
        conn.prepare_cached(crate::outbox::ENQUEUE)
            .and_then(|mut s| {
                s.execute(params![
                    m.partner_id,
                    m.activity_id,
                    m.callback.as_str(),
                    m.dedupe_key,
                    m.draw_id,
                    m.body,
                    m.next_at,
                    m.created_at
                ])
            })
            .map_err(internal)?;
    }
    if let Some(guard) = &job.charge {
        let cancelled = conn
            .prepare_cached(crate::outbox::CANCEL)
            .and_then(|mut s| s.execute(params![crate::partner::now_ms(), guard]))
            .map_err(internal)?;
        if cancelled != 1 {
            // The refund already went out: this draw must not happen.
            return Err(AppError::code(ErrorCode::PartnerUnavailable));
        }
    }
    Ok(DrawOutcome::Done(
        DrawRow {
            id: draw_id,
            seq,
            prize_id: won.map(|p| p.id),
            name: won.map(|p| p.name.clone()),
            kind: won.map(|p| p.kind.clone()),
            code,
            created_at: now,
            delivery: delivery.map(str::to_owned),
            delivery_note: None,
        },
        chances_after,
    ))
}

/// The automatic rule and the review list (as `review_status!`).
fn review_status(conn: &Connection, job: &DrawJob) -> Result<bool, AppError> {
    let activity = &job.activity;
    if let Some(rule) = activity.rules.risk {
        let recent: i64 = conn
            .prepare_cached(sql::RECENT_FROM_IP)
            .and_then(|mut s| {
                s.query_row(
                    params![activity.id, job.ip, job.now - rule.ip_window_secs],
                    |r| r.get(0),
                )
            })
            .map_err(internal)?;
        if recent >= rule.ip_draws_max {
            let reason = crate::risk::review_reason(&rule, &job.ip);
            conn.prepare_cached(sql::FLAG_FOR_REVIEW)
                .and_then(|mut s| {
                    s.execute(params![activity.id, job.player.player_id, reason, job.now])
                })
                .map_err(internal)?;
        }
    }
    conn.prepare_cached(sql::ON_REVIEW)
        .and_then(|mut s| {
            s.query_row(params![activity.id, job.player.player_id], |r| {
                r.get::<_, i64>(0)
            })
            .optional()
        })
        .map(|row| row.is_some())
        .map_err(internal)
}

/// The cap and the stock (as `take_prize!`).
fn take_prize(conn: &Connection, job: &DrawJob, prize: &Prize) -> Result<&'static str, AppError> {
    let floor = prize.held_back(&job.activity, job.now);
    let capped = match prize.per_user_limit {
        Some(limit) => {
            let won: i64 = conn
                .prepare_cached(sql::WINS_OF_PRIZE)
                .and_then(|mut s| {
                    s.query_row(
                        params![job.activity.id, job.player.player_id, prize.id],
                        |r| r.get(0),
                    )
                })
                .map_err(internal)?;
            won >= limit
        }
        None => false,
    };
    let in_stock = if capped {
        false
    } else if prize.stock_total.is_some() {
        conn.prepare_cached(sql::TAKE_STOCK)
            .and_then(|mut s| s.execute(params![prize.id, floor]))
            .map_err(internal)?
            == 1
    } else {
        true
    };
    Ok(super::outcome_of(capped, in_stock, floor, prize))
}
