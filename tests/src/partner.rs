//! The reference partner in tests: a real HTTP server on loopback that checks
//! every signature, wired to the demo partner through `partner/config`.

use std::future::Future;
use std::time::{Duration, Instant};

use huodong_partner::{Options, Running};
use serde_json::{Value, json};

use crate::Api;

/// Starts a reference partner with the demo secret and points the runtime's
/// demo partner at it, with `timeout_ms` per call.
pub async fn connect(api: &Api, timeout_ms: u64) -> Running {
    let partner = huodong_partner::spawn(([127, 0, 0, 1], 0).into(), &Options::default())
        .await
        .expect("the reference partner starts");
    configure(api, &partner, timeout_ms).await;
    partner
}

/// Points the runtime's demo partner at `partner`.
pub async fn configure(api: &Api, partner: &Running, timeout_ms: u64) {
    let config = json!({
        "callbacks": partner.callbacks(),
        "timeout_ms": timeout_ms,
        "allowed_origins": ["https://shop.example.com"],
    });
    api.open_ok("partner/config", json!({ "config": config }))
        .await;
}

/// Polls `check` until it holds, failing after `secs` with `what`.
pub async fn eventually<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(secs),
            "not within {secs} s: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Api {
    /// Every page of `data/records` of one type.
    pub async fn records(&self, activity_id: &str, kind: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut cursor = Value::Null;
        loop {
            let page = self
                .open_ok(
                    "data/records",
                    json!({"activity_id": activity_id, "type": kind, "cursor": cursor, "limit": 50}),
                )
                .await;
            all.extend(page["list"].as_array().cloned().unwrap_or_default());
            if page["next_cursor"].is_null() {
                return all;
            }
            cursor = page["next_cursor"].clone();
        }
    }
}
