//! Group commit for SQLite: one thread owns a write connection (rusqlite, on
//! the same bundled SQLite as sqlx) and runs the draws that arrive together in
//! one transaction (see `run_batch` for how a failed draw rolls back alone),
//! then commits once: one fsync for the batch instead of one per draw.
//!
//! The fsync is pipelined: the commit writes the batch to the WAL and a second
//! thread (`draw-sync`) makes the WAL durable (`fdatasync`) while the writer
//! runs the next batch. Every caller is answered only after the sync that
//! covers its commit, so an answered draw is on disk. The connection runs with
//! `synchronous = NORMAL`, under which SQLite itself syncs the WAL before each
//! checkpoint and the database after it, so checkpoints stay safe; only the
//! per-commit sync moves to the sync thread. Readers on other connections may
//! see a batch up to one sync before it is durable; the outbox worker sends
//! nothing before its own claim commits with a full sync, which covers every
//! earlier WAL frame, so no partner hears of a draw a power cut could undo.
//!
//! It makes the same pure decisions as the sqlx path (`decide`, `chances`,
//! `Prize::held_back`), without a thread hop per statement (that hop, not
//! SQLite, bounded the sqlx writer), and with statements of its own
//! (`sql.rs`): holding the write lock for the batch, it reads a player's
//! counters and then writes plain single-row statements, where the sqlx path
//! uses guarded upserts with `RETURNING` (each of which SQLite runs through a
//! temporary table and a statement journal).

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use huodong_shared::ErrorCode;
use huodong_shared::api::PrizeKind;
use rusqlite::{CachedStatement, Connection, OptionalExtension, params};
use tokio::sync::{mpsc, oneshot};

use super::{
    DrawJob, DrawOutcome, DrawRow, chances, decide, draw_messages, initial_delivery, needs_audit,
    sql,
};
use crate::activities::model::Prize;
use crate::error::AppError;
use crate::metrics::BatchMetrics;

/// Most draws committed together.
pub const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<DrawOutcome, AppError>>;

/// A committed batch's callers with their answers, waiting for the sync.
type Answers = Vec<(Reply, Result<DrawOutcome, AppError>)>;

/// Committed batches the sync thread may hold before the writer waits.
const SYNC_QUEUE: usize = 4;

/// A handle to the writer thread; the thread ends when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct DrawWriter {
    jobs: mpsc::Sender<(DrawJob, Reply)>,
}

impl DrawWriter {
    /// Opens the writer's connection on the SQLite file and starts the thread.
    pub fn start(path: &Path, metrics: BatchMetrics) -> anyhow::Result<DrawWriter> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // NORMAL: commits do not sync, the sync thread does (see the module
        // notes); checkpoints still sync. A larger page cache than the 2 MB
        // default keeps the hot index pages of a busy campaign, and a longer
        // WAL between checkpoints (32 MB rather than 4) copies a page that
        // many draws change once rather than again every few milliseconds.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 8192;",
        )?;
        conn.set_prepared_statement_cache_capacity(32);
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        let (to_sync, committed) = std_mpsc::sync_channel(SYNC_QUEUE);
        let sync_metrics = metrics.clone();
        std::thread::Builder::new()
            .name("draw-sync".into())
            .spawn(move || sync_and_answer(&wal, &committed, &sync_metrics))?;
        std::thread::Builder::new()
            .name("draw-writer".into())
            .spawn(move || run(conn, rx, &to_sync, &metrics))?;
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

fn run(
    mut conn: Connection,
    mut rx: mpsc::Receiver<(DrawJob, Reply)>,
    to_sync: &std_mpsc::SyncSender<Answers>,
    metrics: &BatchMetrics,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        metrics.size.observe(batch.len() as f64);
        let results = run_batch(&mut conn, &batch, metrics);
        let answers: Answers = batch
            .drain(..)
            .map(|(_, reply)| reply)
            .zip(results)
            .collect();
        if let Err(std_mpsc::SendError(answers)) = to_sync.send(answers) {
            // The sync thread is gone: nobody can be told their draw is durable.
            for (reply, _) in answers {
                let _ = reply.send(Err(AppError::Internal(anyhow::anyhow!(
                    "the draw sync thread has stopped"
                ))));
            }
        }
    }
}

/// The sync thread: makes the WAL durable for every committed batch waiting,
/// with one `fdatasync`, then answers their callers.
fn sync_and_answer(wal: &Path, committed: &std_mpsc::Receiver<Answers>, metrics: &BatchMetrics) {
    let mut file: Option<(File, u64)> = None;
    let mut waiting: Vec<Answers> = Vec::new();
    while let Ok(first) = committed.recv() {
        waiting.push(first);
        waiting.extend(committed.try_iter());
        let started = Instant::now();
        let synced = sync_wal(wal, &mut file);
        metrics.sync.observe(started.elapsed().as_secs_f64());
        if let Err(err) = &synced {
            tracing::error!(error = %err, wal = %wal.display(), "syncing the draw WAL failed");
            file = None;
        }
        for (reply, result) in waiting.drain(..).flatten() {
            let answer = match &synced {
                Ok(()) => result,
                // Committed but perhaps not on disk: a retry with the same
                // key answers the draw if it survived.
                Err(err) => Err(AppError::Internal(anyhow::anyhow!(
                    "the draw could not be made durable: {err}"
                ))),
            };
            let _ = reply.send(answer);
        }
    }
}

/// `fdatasync` of the WAL file, opened again if it was replaced; the first time,
/// the directory too, so the file's name is durable as well.
fn sync_wal(wal: &Path, file: &mut Option<(File, u64)>) -> std::io::Result<()> {
    let current = std::fs::metadata(wal)?.ino();
    if file.as_ref().is_none_or(|(_, ino)| *ino != current) {
        let opened = File::open(wal)?;
        let ino = opened.metadata()?.ino();
        if let Some(dir) = wal.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        *file = Some((opened, ino));
    }
    match file {
        Some((f, _)) => f.sync_data(),
        None => Ok(()),
    }
}

/// Runs a parameterless statement through the statement cache.
fn exec_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn failed(err: &rusqlite::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("draw batch failed: {err}"))
}

/// Runs a batch in one transaction. First without savepoints: a draw that is
/// refused before it writes needs none, and one that fails after writing (a
/// retried key, an empty code pool, a refunded charge) is rare. Such a failure
/// rolls the whole batch back, unanswered, and it runs again with a savepoint
/// per draw, so the failure rolls back alone.
fn run_batch(
    conn: &mut Connection,
    batch: &[(DrawJob, Reply)],
    metrics: &BatchMetrics,
) -> Vec<Result<DrawOutcome, AppError>> {
    let mut careful = false;
    loop {
        match run_pass(conn, batch, metrics, careful) {
            Some(results) => return results,
            None => careful = true,
        }
    }
}

/// One pass over the batch; `None` (the transaction rolled back) when a draw
/// failed after writing and `careful` was off; a careful pass always answers.
fn run_pass(
    conn: &Connection,
    batch: &[(DrawJob, Reply)],
    metrics: &BatchMetrics,
    careful: bool,
) -> Option<Vec<Result<DrawOutcome, AppError>>> {
    let started = Instant::now();
    if let Err(err) = conn.execute_batch("BEGIN IMMEDIATE") {
        return Some(batch.iter().map(|_| Err(failed(&err))).collect());
    }
    let mut results = Vec::with_capacity(batch.len());
    // The batch holds SQLite's write lock: only these draws change stock until
    // the commit, so each activity's prizes are read once and kept in step.
    let mut prizes = PrizeCache::default();
    let mut statements = Statements::new(conn);
    for (job, _) in batch {
        if careful && let Err(err) = exec_cached(conn, "SAVEPOINT draw") {
            results.push(Err(failed(&err)));
            continue;
        }
        let mut pass = Pass {
            careful,
            wrote: false,
        };
        let result = draw(&mut statements, job, &mut prizes, &mut pass);
        let keep = matches!(result, Ok(DrawOutcome::Done(..)));
        if !careful {
            if !keep && pass.wrote {
                let _ = conn.execute_batch("ROLLBACK");
                return None;
            }
            prizes.settle(keep);
            results.push(result);
            continue;
        }
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
    let committing = Instant::now();
    metrics
        .statements
        .observe((committing - started).as_secs_f64());
    let committed = conn.execute_batch("COMMIT");
    metrics.commit.observe(committing.elapsed().as_secs_f64());
    if let Err(err) = committed {
        let _ = conn.execute_batch("ROLLBACK");
        tracing::error!(error = %err, size = batch.len(), "draw batch commit failed");
        return Some(batch.iter().map(|_| Err(failed(&err))).collect());
    }
    Some(results)
}

/// A batch's statements, taken from the connection's cache at their first
/// use and held until the batch ends, so that a draw does not look each one
/// up again (a look-up hashes the statement's whole text).
struct Statements<'c> {
    conn: &'c Connection,
    held: Vec<(&'static str, CachedStatement<'c>)>,
}

impl<'c> Statements<'c> {
    fn new(conn: &'c Connection) -> Statements<'c> {
        Statements {
            conn,
            held: Vec::with_capacity(16),
        }
    }

    fn prepare(&mut self, sql: &'static str) -> rusqlite::Result<&mut CachedStatement<'c>> {
        let found = self
            .held
            .iter()
            .position(|(held, _)| std::ptr::eq(*held, sql) || *held == sql);
        let at = match found {
            Some(at) => at,
            None => {
                self.held.push((sql, self.conn.prepare_cached(sql)?));
                self.held.len() - 1
            }
        };
        Ok(&mut self.held[at].1)
    }
}

/// How a draw runs within its pass.
struct Pass {
    /// In a savepoint of its own: look the key up first.
    careful: bool,
    /// Whether the draw has changed anything yet.
    wrote: bool,
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

/// The statements of one draw: the decisions of `draw_statements!`, with the
/// player's counters read before anything is written, so that a refusal
/// writes nothing.
fn draw(
    st: &mut Statements<'_>,
    job: &DrawJob,
    cache: &mut PrizeCache,
    pass: &mut Pass,
) -> Result<DrawOutcome, AppError> {
    let (activity, player, now) = (&*job.activity, &job.player, job.now);
    if pass.careful {
        let seen: Option<i64> = st
            .prepare(sql::KEY_SEEN)
            .and_then(|s| {
                s.query_row(params![activity.id, player.player_id, job.key], |r| {
                    r.get(0)
                })
                .optional()
            })
            .map_err(internal)?;
        if seen.is_some() {
            return Ok(DrawOutcome::Duplicate);
        }
    }
    // The batch holds the write lock: what is read here stays true until
    // the draw's own writes, so a refusal is decided before anything is written.
    let counters: Option<(i64, i64, i64)> = st
        .prepare(sql::PLAYER_COUNTERS)
        .and_then(|s| {
            s.query_row(params![activity.id, player.player_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
        })
        .map_err(internal)?;
    let (seq_before, used_before, extra_before) = counters.unwrap_or((0, 0, 0));
    let per_day = activity.rules.chances_per_day;
    let under_total = activity
        .rules
        .chances_total
        .is_none_or(|total| used_before < total);
    // From the day's allowance: whether the day has a row, and its count after.
    let from_day: Option<(bool, i64)> = if under_total && per_day > 0 {
        let used: Option<i64> = st
            .prepare(sql::DAY_USED)
            .and_then(|s| {
                s.query_row(params![activity.id, player.player_id, job.day], |r| {
                    r.get(0)
                })
                .optional()
            })
            .map_err(internal)?;
        match used {
            None => Some((false, 1)),
            Some(used) if used < per_day => Some((true, used + 1)),
            Some(_) => None,
        }
    } else {
        None
    };
    let counted = i64::from(from_day.is_some());
    if counted == 0 && extra_before <= 0 {
        return Err(AppError::code(ErrorCode::NoChancesLeft));
    }
    pass.wrote = true;
    if let Some((day_has_row, _)) = from_day {
        let statement = if day_has_row {
            sql::NEXT_OF_DAY
        } else {
            sql::FIRST_OF_DAY
        };
        st.prepare(statement)
            .and_then(|s| s.execute(params![activity.id, player.player_id, job.day]))
            .map_err(internal)?;
    }
    // No row yet means no extra chance either: the first draw is counted.
    let advanced = match counters {
        Some(_) => st
            .prepare(sql::NEXT_DRAW)
            .and_then(|s| s.execute(params![activity.id, player.player_id, counted])),
        None => st
            .prepare(sql::FIRST_DRAW)
            .and_then(|s| s.execute(params![activity.id, player.player_id])),
    };
    advanced.map_err(internal)?;
    let seq = seq_before + 1;
    let chances_after = chances(
        activity,
        used_before + counted,
        extra_before - (1 - counted),
        from_day.map_or(per_day, |(_, used)| used),
    );

    let prizes = cache.get(st.conn, activity.id)?;
    let (roll, candidate, odds) = decide(activity, &prizes, &player.u_id, seq, job.forced);
    let on_review = if activity.rules.risk.is_some() || candidate.is_some_and(|p| p.audit) {
        review_status(st, job, pass)?
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
            outcome = take_prize(st, job, prize)?;
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
    let inserted = st.prepare(sql::INSERT_DRAW).and_then(|s| {
        s.execute(params![
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
        ])
    });
    let draw_id = match inserted {
        Ok(_) => st.conn.last_insert_rowid(),
        Err(err) if is_unique_violation(&err) => return Ok(DrawOutcome::Duplicate),
        Err(err) => return Err(internal(err)),
    };
    let mut code = None;
    if let Some(prize) = won.filter(|p| outcome == "won" && p.kind() == PrizeKind::Code) {
        code = st
            .prepare(sql::CLAIM_CODE)
            .and_then(|s| {
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
        st.prepare(sql::SET_CODE)
            .and_then(|s| s.execute(params![c, draw_id]))
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
        st.prepare(crate::outbox::ENQUEUE)
            .and_then(|s| {
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
        let cancelled = st
            .prepare(crate::outbox::CANCEL)
            .and_then(|s| s.execute(params![crate::partner::now_ms(), guard]))
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
fn review_status(
    st: &mut Statements<'_>,
    job: &DrawJob,
    pass: &mut Pass,
) -> Result<bool, AppError> {
    let activity = &job.activity;
    if let Some(rule) = activity.rules.risk {
        let recent: i64 = st
            .prepare(sql::RECENT_FROM_IP)
            .and_then(|s| {
                s.query_row(
                    params![activity.id, job.ip, job.now - rule.ip_window_secs],
                    |r| r.get(0),
                )
            })
            .map_err(internal)?;
        if recent >= rule.ip_draws_max {
            let reason = crate::risk::review_reason(&rule, &job.ip);
            pass.wrote = true;
            st.prepare(sql::FLAG_FOR_REVIEW)
                .and_then(|s| {
                    s.execute(params![activity.id, job.player.player_id, reason, job.now])
                })
                .map_err(internal)?;
        }
    }
    st.prepare(sql::ON_REVIEW)
        .and_then(|s| {
            s.query_row(params![activity.id, job.player.player_id], |r| {
                r.get::<_, i64>(0)
            })
            .optional()
        })
        .map(|row| row.is_some())
        .map_err(internal)
}

/// The cap and the stock (as `take_prize!`).
fn take_prize(
    st: &mut Statements<'_>,
    job: &DrawJob,
    prize: &Prize,
) -> Result<&'static str, AppError> {
    let floor = prize.held_back(&job.activity, job.now);
    let capped = match prize.per_user_limit {
        Some(limit) => {
            let won: i64 = st
                .prepare(sql::WINS_OF_PRIZE)
                .and_then(|s| {
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
        st.prepare(sql::TAKE_STOCK)
            .and_then(|s| s.execute(params![prize.id, floor]))
            .map_err(internal)?
            == 1
    } else {
        true
    };
    Ok(super::outcome_of(capped, in_stock, floor, prize))
}
