//! Prometheus metrics, served at `/metrics` in the text exposition format.
//! The registry lives in the app state, not in a global, so tests can build
//! many apps in one process.

use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteOnly {
    method: String,
    route: String,
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RouteLabels, Counter>,
    latency: Family<RouteOnly, Histogram>,
    /// Partner calls the outbox delivered.
    pub outbox_delivered: Counter,
    /// Partner calls the outbox will retry.
    pub outbox_retried: Counter,
    /// Partner calls the outbox gave up (failed or dead).
    pub outbox_given_up: Counter,
    /// The SQLite draw writer's batches.
    pub draw_batches: BatchMetrics,
}

/// What the SQLite draw writer reports of each batch (group commit).
#[derive(Clone, Debug)]
pub struct BatchMetrics {
    /// Draws per batch.
    pub size: Histogram,
    /// Time running a batch's statements, seconds.
    pub statements: Histogram,
    /// Time committing a batch (writing it to the WAL), seconds.
    pub commit: Histogram,
    /// Time making the WAL durable for the batches committed meanwhile, seconds.
    pub sync: Histogram,
}

impl Default for BatchMetrics {
    fn default() -> Self {
        BatchMetrics {
            size: Histogram::new(exponential_buckets(1.0, 2.0, 11)),
            statements: Histogram::new(exponential_buckets(0.00002, 2.0, 14)),
            commit: Histogram::new(exponential_buckets(0.00002, 2.0, 14)),
            sync: Histogram::new(exponential_buckets(0.00002, 2.0, 14)),
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with the HTTP metrics registered.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("huodong");
        let requests = Family::<RouteLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        let latency = Family::<RouteOnly, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 14))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer",
            latency.clone(),
        );
        let outbox_delivered = Counter::default();
        let outbox_retried = Counter::default();
        let outbox_given_up = Counter::default();
        registry.register(
            "outbox_delivered",
            "Partner calls acknowledged",
            outbox_delivered.clone(),
        );
        registry.register(
            "outbox_retried",
            "Partner call attempts to be retried",
            outbox_retried.clone(),
        );
        registry.register(
            "outbox_given_up",
            "Partner calls marked failed or dead",
            outbox_given_up.clone(),
        );
        let draw_batches = BatchMetrics::default();
        for (name, help, histogram) in [
            (
                "draw_batch_size",
                "Draws committed together by the SQLite draw writer",
                &draw_batches.size,
            ),
            (
                "draw_batch_statements_seconds",
                "Time running one batch's statements",
                &draw_batches.statements,
            ),
            (
                "draw_batch_commit_seconds",
                "Time committing one batch",
                &draw_batches.commit,
            ),
            (
                "draw_batch_sync_seconds",
                "Time making the WAL durable for the batches committed meanwhile",
                &draw_batches.sync,
            ),
        ] {
            registry.register(name, help, histogram.clone());
        }
        Metrics {
            registry: Mutex::new(registry),
            requests,
            latency,
            outbox_delivered,
            outbox_retried,
            outbox_given_up,
            draw_batches,
        }
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(registry) = self.registry.lock() {
            let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        }
        out
    }
}

/// Middleware counting requests and timing them by matched route.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "static".to_owned());
    let response = next.run(request).await;
    let metrics = &state.metrics;
    metrics
        .requests
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route: route.clone(),
            status: response.status().as_u16(),
        })
        .inc();
    metrics
        .latency
        .get_or_create(&RouteOnly { method, route })
        .observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn endpoint(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
