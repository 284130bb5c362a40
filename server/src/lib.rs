//! The activity runtime's server as a library: [`app`] builds the real router,
//! so tests drive it without a socket, and [`run`] is what the binary does.

/// mimalloc rather than the system allocator: a draw's memory is allocated
/// on one thread (the request's) and freed on another (the draw writer's), or
/// the other way round, which glibc's allocator pays for with arena locks
/// and consolidation. Declared here so the binary, the tests and the
/// benchmark that run this library all allocate the same way.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod activities;
pub mod assets;
pub mod cache;
pub mod checkin;
pub mod clock;
pub mod config;
pub mod console;
pub mod db;
pub mod draw;
pub mod error;
pub mod game;
pub mod ids;
pub mod live;
pub mod merchants;
pub mod metrics;
pub mod open;
pub mod openapi;
pub mod outbox;
pub mod partner;
pub mod preview;
pub mod risk;
pub mod routes;
pub mod seed;
pub mod session;
pub mod shell;
pub mod state;
pub mod telemetry;
pub mod themes;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use huodong_shared::ErrorCode;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::assets::Assets;
use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;
use crate::state::AppState;

/// Largest request body accepted (a 1 MB title is refused with code 1013).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/ping", get(ping))
        .route("/metrics", get(metrics::endpoint))
        .merge(activities::router())
        .merge(open::router())
        .merge(console::router())
        .merge(openapi::router())
        .merge(session::router())
        .merge(draw::router())
        .merge(checkin::router())
        .merge(themes::router())
        .merge(game::router())
        .merge(preview::router())
        .merge(live::router())
        .route(
            "/api/v1/activities/{id}/login",
            get(partner::login_redirect),
        )
        .fallback(static_or_app)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                tracing::error!("handler panicked");
                AppError::code(ErrorCode::Internal).into_response()
            },
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// `GET /healthz`: 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => {
            axum::Json(serde_json::json!({"status": "ok", "db": state.db.backend().as_str()}))
                .into_response()
        }
        Err(err) => {
            tracing::error!(error = %err, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(
                    serde_json::json!({"status": "unavailable", "db": state.db.backend().as_str()}),
                ),
            )
                .into_response()
        }
    }
}

/// `GET /api/v1/ping`: a no-op JSON answer through the whole stack, the
/// baseline the draw benchmark compares against.
async fn ping() -> error::Reply<&'static str> {
    error::Reply("pong")
}

/// Static files, and the app's `index.html` for every client-side route.
async fn static_or_app(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || path.starts_with("/open/") {
        return AppError::with_msg(ErrorCode::NotFound, format!("接口不存在: {path}"))
            .into_response();
    }
    if let Some(asset) = state.assets.get(path) {
        return asset.respond(&headers);
    }
    let last = path.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    // The merchant console is its own bundle (`dist/console/`).
    if path == "/console" || path.starts_with("/console/") {
        return match state.assets.get("/console/index.html") {
            Some(index) => {
                let mut response = index.respond(&headers);
                response.headers_mut().insert(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                );
                // Only the partner of the ticket may frame it.
                let policy = console::frame_ancestors(&state, uri.query()).await;
                if let Ok(value) = HeaderValue::from_str(&policy) {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_SECURITY_POLICY, value);
                }
                response
            }
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the console bundle is not built",
            )
                .into_response(),
        };
    }
    match state.assets.index() {
        Some(index) => {
            let mut response = match first_screen(&state, path, &uri, index).await {
                Some(html) => (
                    [
                        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                        (header::CACHE_CONTROL, "no-cache"),
                    ],
                    html,
                )
                    .into_response(),
                None => index.respond(&headers),
            };
            response.headers_mut().insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            );
            let policy = partner::frame_ancestors(&state, path).await;
            if let Ok(value) = HeaderValue::from_str(&policy) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, value);
            }
            response
        }
        None => Response::builder()
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from(
                "The player bundle is not built. Run `scripts/run.sh` (it builds it with Trunk), \
                 or point --dist-dir at a built dist/ folder.\n",
            ))
            .unwrap_or_default(),
    }
}

/// A parameter of a query string as sent (not percent-decoded: for ids,
/// tickets and names of plain ASCII); `None` when absent or empty.
pub fn query_param<'q>(query: Option<&'q str>, name: &str) -> Option<&'q str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// `index.html` with the activity's first screen for `/a/{id}` (see
/// [`shell`]); `None` for other pages or an unknown activity.
async fn first_screen(
    state: &AppState,
    path: &str,
    uri: &Uri,
    index: &assets::Asset,
) -> Option<String> {
    let id = path.strip_prefix("/a/")?.trim_end_matches('/');
    if id.is_empty() || id.contains('/') {
        return None;
    }
    let activity = state.caches.activity(&state.db, id).await.ok()?;
    let prizes = activity.prizes(&state.db).await.ok()?;
    let view = activity.view(&prizes);
    let theme = query_param(uri.query(), "theme")
        .filter(|t| themes::exists(t))
        .map_or_else(|| view.theme.clone(), str::to_owned);
    let english = query_param(uri.query(), "lang").is_some_and(|l| l.starts_with("en"));
    let index = std::str::from_utf8(index.bytes()).ok()?;
    let style = |href: &str| {
        if href == "/themes.css" {
            let found = themes::all().iter().find(|t| t.id == theme)?;
            return Some(huodong_shared::theme::css(std::slice::from_ref(found)));
        }
        let asset = state.assets.get(href)?;
        String::from_utf8(asset.bytes().to_vec()).ok()
    };
    let scripts: Vec<&str> = state
        .config
        .wechat_jssdk_url
        .iter()
        .map(String::as_str)
        .collect();
    Some(shell::inject(
        index, &view, &theme, english, &scripts, style,
    ))
}

/// Opens and migrates the database, seeds the demo if configured, loads the
/// bundle: everything [`app`] needs.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let url = config.database_url();
    let db = Db::connect(&url, config.db_max_connections).await?;
    db.migrate().await?;
    if config.seed_demo {
        seed::seed_demo(&db, config.demo_partner_url.as_deref()).await?;
    }
    let assets = Assets::load(&config.dist_dir, &config.public_dir)?;
    tracing::info!(
        backend = db.backend().as_str(),
        files = assets.paths().len(),
        "state ready"
    );
    let metrics = metrics::Metrics::new();
    let writer = match &db {
        Db::Sqlite(pool) => Some(draw::writer::DrawWriter::start(
            pool.connect_options().get_filename(),
            metrics.draw_batches.clone(),
        )?),
        Db::Postgres(_) => None,
    };
    Ok(AppState::new(db, config, assets, metrics, writer))
}

/// Serves `state` on `listener` until `shutdown` resolves, then lets requests in
/// flight finish and closes the pool.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let db = state.db.clone();
    // Live push streams never end by themselves: close them on shutdown.
    let live = state.live.clone();
    let shutdown = async move {
        shutdown.await;
        live.close();
    };
    let janitor = tokio::spawn(sweep_forever(state.clone()));
    let worker = state
        .config
        .outbox_worker
        .then(|| tokio::spawn(outbox::run_worker(state.clone())));
    let result = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    janitor.abort();
    if let Some(worker) = worker {
        worker.abort();
    }
    db.close().await;
    result
}

/// Every minute, deletes nonces, tickets and sessions past use.
async fn sweep_forever(state: AppState) {
    let db = state.db.clone();
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        state.limiters.shrink();
        if let Err(err) = console::sweep_expired(&db).await {
            tracing::warn!(error = %err, "sweeping expired console rows failed");
        }
        if let Err(err) = open::sweep_expired(&db).await {
            tracing::warn!(error = %err, "sweeping expired rows failed");
        }
    }
}

/// What the binary does: build, bind, print where to go, serve until a signal.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let state = build_state(config.clone()).await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let base = config.public_url();
    tracing::info!(addr = %listener.local_addr()?, db = state.db.backend().as_str(), "listening");
    if config.seed_demo {
        println!("\n  活动运行时已启动 / The activity runtime is up:\n");
        println!("    open  {base}/              (demo activities)");
        println!("    or    {base}/a/demo_wheel  (大转盘)");
        // A host link for the demo big screen, new at every start.
        let host = async {
            let activity = live::live_activity(&state, seed::DEMO_LIVE).await?;
            live::new_host(&state, &activity).await
        };
        match host.await {
            Ok(host) => {
                println!("    大屏  {}  (live big screen)", host.screen_url);
                println!("    主持  {}  (its host)", host.host_url);
            }
            Err(err) => tracing::warn!(error = %err, "no host link for the demo big screen"),
        }
        println!();
    }
    serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received, finishing requests in flight");
}
