//! The database: SQLite by default, PostgreSQL when `DATABASE_URL` names one.
//!
//! Domain code is written once and compiled for both pools by [`on_db!`]; the SQL
//! stays portable (`$1` placeholders work on both). Each backend has its own
//! migrations folder, applied at start; on PostgreSQL sqlx takes an advisory
//! lock, so several instances starting at once migrate only once.

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// Which database engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default.
    Sqlite,
    /// One PostgreSQL shared by any number of server instances.
    Postgres,
}

impl Backend {
    /// The name used in logs, metrics and `/healthz`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A connection pool on either backend. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite in WAL mode with full fsync on commit.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// Runs the same code against whichever pool `db` holds: `$pool` is bound to
/// `&SqlitePool` or `&PgPool`, and the body is compiled once for each.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

impl Db {
    /// Opens a pool for `url` (creating the SQLite file and its folder if needed).
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            let options = SqliteConnectOptions::from_str(url)?;
            if let Some(dir) = options.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)?;
            }
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before the draw is answered.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        }
    }

    /// Applies this backend's migrations. On SQLite they run with foreign
    /// keys off, so a table others refer to can be rebuilt (SQLite's ALTER
    /// TABLE guide), and every reference is checked once they are done.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(pool) => {
                // Out of the pool: closed when done, so no connection with
                // foreign keys off ever goes back to it.
                let mut conn = pool.acquire().await?.detach();
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut conn)
                    .await?;
                sqlx::migrate!("./migrations/sqlite").run(&mut conn).await?;
                let dangling = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_all(&mut conn)
                    .await?
                    .len();
                if dangling > 0 {
                    anyhow::bail!(
                        "after the migrations, {dangling} rows refer to rows that do not exist"
                    );
                }
                Ok(())
            }
            Db::Postgres(pool) => Ok(sqlx::migrate!("./migrations/postgres").run(pool).await?),
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// A round trip to the database, for `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    /// Closes every connection (waits for the ones in use).
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

/// Now, in unix seconds.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Starting a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`), so two writers never deadlock upgrading a read
/// lock; on PostgreSQL it is a plain `BEGIN` and row locks do the work.
pub trait BeginWrite {
    /// The database of the pool.
    type Database: sqlx::Database;
    /// Begins the transaction.
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

/// Whether an error is a unique-key violation (a lost race or a retry).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}
