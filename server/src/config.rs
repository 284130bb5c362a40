//! Configuration: command-line flags, each with an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object a line, for log collectors.
    Json,
}

/// Everything the server reads at start.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "huodong-server",
    version,
    about = "The embeddable marketing-activity runtime"
)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "HUODONG_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database URL: `postgres://…` for PostgreSQL, `sqlite://…` for SQLite.
    /// Without it the server uses `<data-dir>/huodong.sqlite3`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Folder for the embedded SQLite database and other local state.
    #[arg(long, env = "HUODONG_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// The URL players and partners reach this server at (used in play and
    /// rules links). Defaults to `http://<listen>`.
    #[arg(long, env = "HUODONG_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Folder of the built player bundle (Trunk's `dist/`).
    #[arg(long, env = "HUODONG_DIST_DIR", default_value = "dist")]
    pub dist_dir: PathBuf,

    /// Folder of static files served as they are (the embed script, icons).
    #[arg(long, env = "HUODONG_PUBLIC_DIR", default_value = "public")]
    pub public_dir: PathBuf,

    /// Seed the demo partner and demo activities (idempotent).
    #[arg(long, env = "HUODONG_SEED_DEMO")]
    pub seed_demo: bool,

    /// With `--seed-demo`: the reference partner's base URL; the demo partner's
    /// callbacks and login page are pointed at it.
    #[arg(long, env = "HUODONG_DEMO_PARTNER_URL")]
    pub demo_partner_url: Option<String>,

    /// The WeChat JS-SDK to load on activity pages (e.g.
    /// `https://res.wx.qq.com/open/js/jweixin-1.6.0.js`), so an activity in a
    /// mini-program web-view can post to the mini-program
    /// (`wx.miniProgram`). Off when unset.
    #[arg(long, env = "HUODONG_WECHAT_JSSDK_URL")]
    pub wechat_jssdk_url: Option<String>,

    /// Maximum database connections in the pool.
    #[arg(long, env = "HUODONG_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,

    /// Draws one player may make per minute on this instance (0: no limit).
    #[arg(long, env = "HUODONG_DRAW_RATE_PER_USER", default_value_t = 60)]
    pub draw_rate_per_user: u32,

    /// Draws one address may make per minute on this instance (0: no limit).
    #[arg(long, env = "HUODONG_DRAW_RATE_PER_IP", default_value_t = 600)]
    pub draw_rate_per_ip: u32,

    /// Take the client address from the first `X-Forwarded-For` entry (only
    /// behind a proxy that sets it).
    #[arg(long, env = "HUODONG_TRUST_X_FORWARDED_FOR")]
    pub trust_x_forwarded_for: bool,

    /// Log format.
    #[arg(long, env = "HUODONG_LOG_FORMAT", value_enum, default_value = "pretty")]
    pub log_format: LogFormat,

    /// First retry delay of an undelivered partner call, milliseconds; each
    /// retry doubles it (with jitter) up to 30 minutes.
    #[arg(long, env = "HUODONG_OUTBOX_RETRY_BASE_MS", default_value_t = 2_000)]
    pub outbox_retry_base_ms: u64,

    /// How long an undelivered partner call is retried before it is marked
    /// dead, seconds (at least a day in production).
    #[arg(long, env = "HUODONG_OUTBOX_HORIZON_SECS", default_value_t = 86_400)]
    pub outbox_horizon_secs: i64,

    /// How long the points of a paid draw stay deducted when the server stops
    /// between the deduction and the draw, seconds, before they are refunded.
    #[arg(long, env = "HUODONG_POINTS_GUARD_SECS", default_value_t = 600)]
    pub points_guard_secs: i64,

    /// How long a worker holds an outbox row it is delivering, milliseconds
    /// (longer than any partner timeout): a worker that dies mid-delivery
    /// leaves the row to another one this much later.
    #[arg(long, env = "HUODONG_OUTBOX_LEASE_MS", default_value_t = 35_000)]
    pub outbox_lease_ms: u64,

    /// PostgreSQL: split a big prize's stock over this many rows when its
    /// activity is published, so its draws do not queue on one row (0 or 1: off).
    #[arg(long, env = "HUODONG_STOCK_SLOTS", default_value_t = 16)]
    pub stock_slots: i64,

    /// Run the outbox delivery worker in this instance.
    #[arg(long, env = "HUODONG_OUTBOX_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub outbox_worker: bool,
}

impl Config {
    /// The database URL in force: the configured one, or the SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}",
                self.data_dir.join("huodong.sqlite3").display()
            ),
        }
    }

    /// The public base URL, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) if !url.is_empty() => url.trim_end_matches('/').to_owned(),
            _ => format!("http://{}", self.listen),
        }
    }

    /// A configuration for tests and benchmarks: port 0, the given database,
    /// no bundle unless `dist_dir` is set afterwards.
    pub fn for_tests(database_url: String) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: Some(database_url),
            data_dir: PathBuf::from("data"),
            public_url: None,
            dist_dir: PathBuf::from("dist"),
            public_dir: PathBuf::from("public"),
            seed_demo: false,
            demo_partner_url: None,
            wechat_jssdk_url: None,
            db_max_connections: 8,
            draw_rate_per_user: 0,
            draw_rate_per_ip: 0,
            trust_x_forwarded_for: false,
            log_format: LogFormat::Pretty,
            outbox_retry_base_ms: 200,
            outbox_horizon_secs: 86_400,
            points_guard_secs: 600,
            outbox_lease_ms: 35_000,
            stock_slots: 16,
            outbox_worker: true,
        }
    }
}
