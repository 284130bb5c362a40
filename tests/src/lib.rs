//! The end-to-end test harness: a fresh database per test on the backend the
//! test run names, the real server on a loopback port, and headless Chromium
//! driven over WebDriver.
//!
//! `HUODONG_TEST_BACKEND` picks `sqlite` (default) or `postgres`;
//! `HUODONG_TEST_PG_URL` is the PostgreSQL admin URL the per-test databases are
//! made from (default `postgres://postgres@127.0.0.1:5432/test`).

pub mod browser;
pub mod console;
pub mod db;
pub mod open;
pub mod partner;
pub mod process;
pub mod sse;

use std::net::SocketAddr;
use std::path::PathBuf;

use huodong_server::config::Config;
use huodong_server::state::AppState;
use tokio::sync::oneshot;

pub use db::{Backend, TestDb};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A running server on its own fresh database.
pub struct TestApp {
    /// The HTTP client for it.
    pub api: Api,
    /// The bound address.
    pub addr: SocketAddr,
    /// The server's state, for looking into the database.
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    // Dropped last: the database outlives the server.
    _db: TestDb,
}

impl TestApp {
    /// The server with the demo seeded and `public/` loaded, without the
    /// bundle (compressing it at every start would slow every test).
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// The server with the built release bundle from `dist/`; fails clearly
    /// when it was not built.
    pub async fn spawn_with_bundle() -> TestApp {
        TestApp::spawn_with_bundle_and(|_| {}).await
    }

    /// As [`TestApp::spawn_with_bundle`], with a chance to change the
    /// configuration.
    pub async fn spawn_with_bundle_and(configure: impl FnOnce(&mut Config)) -> TestApp {
        let dist = workspace_root().join("dist");
        assert!(
            dist.join("index.html").exists(),
            "no built bundle at {}: run `trunk build --release` (scripts/test.sh does)",
            dist.display()
        );
        TestApp::spawn_with(move |config| {
            config.dist_dir = dist;
            configure(config);
        })
        .await
    }

    /// As [`TestApp::spawn`], on a given backend whatever the environment says.
    pub async fn spawn_on(backend: Backend) -> TestApp {
        TestApp::start(TestDb::create_on(backend).await, |_| {}).await
    }

    /// As [`TestApp::spawn_on`], with a chance to change the configuration.
    pub async fn spawn_on_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::start(TestDb::create_on(backend).await, configure).await
    }

    /// As [`TestApp::spawn`], with a chance to change the configuration.
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::start(TestDb::create().await, configure).await
    }

    async fn start(db: TestDb, configure: impl FnOnce(&mut Config)) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let mut config = Config::for_tests(db.url.clone());
        config.listen = addr;
        config.seed_demo = true;
        config.dist_dir = workspace_root().join("target").join("no-bundle");
        config.public_dir = workspace_root().join("public");
        configure(&mut config);
        let state = huodong_server::build_state(config)
            .await
            .expect("server state builds");
        let (tx, rx) = oneshot::channel::<()>();
        let serving = state.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            if let Err(err) = huodong_server::serve(listener, serving, shutdown).await {
                eprintln!("test server stopped with {err}");
            }
        });
        TestApp {
            api: Api::new(format!("http://{addr}")),
            addr,
            state,
            shutdown: Some(tx),
            _db: db,
        }
    }
}

/// An HTTP client for one running server (in-process or a child process).
#[derive(Clone, Debug)]
pub struct Api {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The client.
    pub client: reqwest::Client,
}

impl Api {
    /// A client for the server at `base`.
    pub fn new(base: String) -> Api {
        let client = reqwest::Client::builder()
            .no_gzip()
            .no_brotli()
            .build()
            .expect("client");
        Api { base, client }
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET answered")
    }

    /// `GET path` with extra headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("GET answered")
    }

    /// `POST path` with a raw body and JSON content type.
    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("POST answered")
    }

    /// `POST path` with a JSON body and an optional bearer token; the status
    /// and the JSON envelope.
    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("POST answered");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON envelope"))
    }

    /// `GET path` with a bearer token, as JSON.
    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("GET answered");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON envelope"))
    }

    /// `GET /api/v1/activities/{id}` as JSON.
    pub async fn get_activity(&self, id: &str) -> serde_json::Value {
        self.get(&format!("/api/v1/activities/{id}"))
            .await
            .json()
            .await
            .expect("JSON envelope")
    }
}

impl std::ops::Deref for TestApp {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
