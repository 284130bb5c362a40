//! Group commit for SQLite: one task owns a write connection and runs the
//! draws that arrive together in one transaction, each inside a savepoint (a
//! refused draw rolls back alone), then commits once — one fsync for the
//! batch instead of one per draw. Every caller is answered only after the
//! commit, so an answered draw is on disk.

use sqlx::{ConnectOptions, Connection, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::{DrawJob, DrawOutcome, draw_in_sqlite};
use crate::error::AppError;

/// Most draws committed together.
pub const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<DrawOutcome, AppError>>;

/// A handle to the writer task.
#[derive(Debug, Clone)]
pub struct DrawWriter {
    jobs: mpsc::Sender<(DrawJob, Reply)>,
}

impl DrawWriter {
    /// Opens the writer's own connection (same options as the pool) and starts the task.
    pub async fn start(pool: &SqlitePool) -> Result<DrawWriter, sqlx::Error> {
        let conn = pool.connect_options().connect().await?;
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(conn, rx));
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

async fn run(mut conn: SqliteConnection, mut rx: mpsc::Receiver<(DrawJob, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results = run_batch(&mut conn, &batch).await;
        for ((_, reply), result) in batch.drain(..).zip(results) {
            let _ = reply.send(result);
        }
    }
    let _ = conn.close().await;
}

async fn exec(conn: &mut SqliteConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(&mut *conn).await.map(|_| ())
}

fn failed(err: &sqlx::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("draw batch failed: {err}"))
}

async fn run_batch(
    conn: &mut SqliteConnection,
    batch: &[(DrawJob, Reply)],
) -> Vec<Result<DrawOutcome, AppError>> {
    if let Err(err) = exec(conn, "BEGIN IMMEDIATE").await {
        return batch.iter().map(|_| Err(failed(&err))).collect();
    }
    let mut results = Vec::with_capacity(batch.len());
    for (job, _) in batch {
        if let Err(err) = exec(conn, "SAVEPOINT draw").await {
            results.push(Err(failed(&err)));
            continue;
        }
        let result = draw_in_sqlite(conn, job).await;
        let keep = matches!(result, Ok(DrawOutcome::Done(..)));
        let end = if keep {
            "RELEASE draw"
        } else {
            "ROLLBACK TO draw"
        };
        let mut closed = exec(conn, end).await;
        if !keep && closed.is_ok() {
            closed = exec(conn, "RELEASE draw").await;
        }
        match closed {
            Ok(()) => results.push(result),
            Err(err) => results.push(Err(failed(&err))),
        }
    }
    if let Err(err) = exec(conn, "COMMIT").await {
        let _ = exec(conn, "ROLLBACK").await;
        tracing::error!(error = %err, size = batch.len(), "draw batch commit failed");
        return batch.iter().map(|_| Err(failed(&err))).collect();
    }
    results
}
