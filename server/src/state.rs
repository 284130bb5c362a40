//! The state every handler shares: a cheap clone around an `Arc`.

use std::ops::Deref;
use std::sync::Arc;

use crate::assets::Assets;
use crate::cache::Caches;
use crate::config::Config;
use crate::db::Db;
use crate::draw::writer::DrawWriter;
use crate::metrics::Metrics;
use crate::risk::Limiters;

/// Shared state.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Inner {
    /// The database pool.
    pub db: Db,
    /// The configuration the server started with.
    pub config: Config,
    /// The bundle and public files.
    pub assets: Assets,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Draw rate limits of this instance.
    pub limiters: Limiters,
    /// The SQLite group-commit writer (none on PostgreSQL).
    pub draw_writer: Option<DrawWriter>,
    /// Hot-path caches.
    pub caches: Caches,
    /// The HTTP client for partner callbacks.
    pub http: reqwest::Client,
    /// Wakes the outbox worker when this instance enqueued something.
    pub outbox_wake: tokio::sync::Notify,
    /// The live screens' push channel of this instance.
    pub live: crate::live::hub::Hub,
}

impl AppState {
    /// Wraps the parts.
    pub fn new(
        db: Db,
        config: Config,
        assets: Assets,
        metrics: Metrics,
        draw_writer: Option<DrawWriter>,
    ) -> AppState {
        let limiters = Limiters::new(config.draw_rate_per_user, config.draw_rate_per_ip);
        AppState {
            inner: Arc::new(Inner {
                db,
                config,
                assets,
                metrics,
                limiters,
                draw_writer,
                caches: Caches::new(),
                http: reqwest::Client::builder()
                    .user_agent(concat!("huodong/", env!("CARGO_PKG_VERSION")))
                    .pool_idle_timeout(std::time::Duration::from_secs(30))
                    .build()
                    .unwrap_or_default(),
                outbox_wake: tokio::sync::Notify::new(),
                live: crate::live::hub::Hub::new(),
            }),
        }
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}
