//! A bounded-time fuzzer for the open API's body parsing: structured mutations
//! of valid, signed bodies (so they reach the deserializer and the validators)
//! and raw byte mutations, driven through the real router. No input may make
//! the server panic or answer 500. `HUODONG_FUZZ_SECS` sets the time (default 5).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use huodong_server::config::Config;
use huodong_server::seed::{DEMO_APP_ID, DEMO_SECRET};
use huodong_tests::TestDb;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{Map, Value, json};
use tower::ServiceExt;

const ENDPOINTS: &[&str] = &[
    "activity/create",
    "activity/update",
    "activity/get",
    "user/ticket",
    "risk/blacklist",
];

fn seed_body(endpoint: &str) -> Value {
    match endpoint {
        "activity/create" => json!({
            "template": "wheel", "title": "双11", "starts_at": 1_800_000_000, "ends_at": 1_800_086_400,
            "timezone": "Asia/Shanghai", "theme": "festival",
            "rules": {"chances_per_day": 3, "chances_total": 9, "risk": {"ip_draws_max": 3, "ip_window_secs": 60},
                      "checkin": {"milestones": [{"days": 3, "prize": 0}], "makeup_cost": 1, "makeup_limit": 1}},
            "prizes": [
                {"name": "一等奖", "kind": "goods", "probability": 0.01, "stock": 5, "per_user_limit": 1,
                 "release": {"every": "day", "amount": 1}},
                {"name": "码", "kind": "code", "probability": 0.1, "codes": ["A", "B"]},
                {"name": "券", "kind": "coupon", "probability": 0.1, "stock": 3, "coupon_id": "110"},
                {"name": "分", "kind": "points", "probability": 0.2, "points": 10}
            ]
        }),
        "activity/update" => {
            json!({"activity_id": "demo_wheel", "title": "新", "prizes": [], "rules": {}})
        }
        "user/ticket" => {
            json!({"u_id": "42", "nickname": "小明", "avatar": "https://a/b.png", "activity_id": "demo_wheel"})
        }
        "risk/blacklist" => {
            json!({"activity_id": "demo_wheel", "action": "add", "kind": "ip", "value": "10.0.0.1"})
        }
        _ => json!({"activity_id": "demo_wheel"}),
    }
}

fn random_scalar(rng: &mut ChaCha20Rng) -> Value {
    match rng.random_range(0..9) {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(rng.random::<i64>()),
        3 => json!(rng.random_range(-3i64..3)),
        4 => json!(rng.random::<f64>() * 2.0 - 0.5),
        5 => json!(""),
        6 => json!("长".repeat(rng.random_range(0..80))),
        7 => json!([]),
        _ => json!({"x": rng.random::<u8>()}),
    }
}

/// Replaces, removes or duplicates one node somewhere in the tree.
fn mutate(value: &mut Value, rng: &mut ChaCha20Rng, depth: u32) {
    match value {
        Value::Object(map) if !map.is_empty() && depth < 6 => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = keys[rng.random_range(0..keys.len())].clone();
            match rng.random_range(0..4) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    map.insert(key, random_scalar(rng));
                }
                2 => {
                    map.insert(format!("{key}_x"), random_scalar(rng));
                }
                _ => mutate(
                    map.get_mut(&key).unwrap_or(&mut Value::Null),
                    rng,
                    depth + 1,
                ),
            }
        }
        Value::Array(items) if !items.is_empty() && depth < 6 => {
            let i = rng.random_range(0..items.len());
            match rng.random_range(0..3) {
                0 => {
                    items.remove(i);
                }
                1 => {
                    let copy = items[i].clone();
                    items.push(copy);
                }
                _ => mutate(&mut items[i], rng, depth + 1),
            }
        }
        other => *other = random_scalar(rng),
    }
}

fn signed(value: Value, nonce: u64, rng: &mut ChaCha20Rng) -> Vec<u8> {
    let mut map: Map<String, Value> = match value {
        Value::Object(map) => map,
        other => return serde_json::to_vec(&other).unwrap_or_default(),
    };
    map.insert("app_id".into(), json!(DEMO_APP_ID));
    map.insert("nonce".into(), json!(format!("fuzz-{nonce}")));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    map.insert("timestamp".into(), json!(now));
    huodong_shared::sign::sign_in_place(DEMO_SECRET, &mut map);
    let mut bytes = serde_json::to_vec(&map).unwrap_or_default();
    // One case in five also gets its bytes damaged.
    if rng.random_range(0..5) == 0 && !bytes.is_empty() {
        match rng.random_range(0..3) {
            0 => bytes.truncate(rng.random_range(0..bytes.len())),
            1 => {
                let i = rng.random_range(0..bytes.len());
                bytes[i] = rng.random();
            }
            _ => {
                let mut junk = vec![0u8; rng.random_range(1..16)];
                rng.fill_bytes(&mut junk);
                let i = rng.random_range(0..bytes.len());
                bytes.splice(i..i, junk);
            }
        }
    }
    bytes
}

#[tokio::test]
async fn the_open_api_parser_survives_mutated_bodies() {
    let db = TestDb::create().await;
    let mut config = Config::for_tests(db.url.clone());
    config.seed_demo = true;
    config.dist_dir = "/nonexistent".into();
    let state = huodong_server::build_state(config).await.expect("state");
    let router = huodong_server::app(state);
    let secs = std::env::var("HUODONG_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut rng = ChaCha20Rng::seed_from_u64(0x0048_554f_444f_4e47);
    let mut cases = 0u64;
    let mut codes = std::collections::BTreeMap::<i64, u64>::new();
    while Instant::now() < deadline {
        let endpoint = ENDPOINTS[rng.random_range(0..ENDPOINTS.len())];
        let mut body = seed_body(endpoint);
        for _ in 0..rng.random_range(0..4) {
            mutate(&mut body, &mut rng, 0);
        }
        let bytes = signed(body, cases, &mut rng);
        let request = Request::post(format!("/open/v1/{endpoint}"))
            .header("content-type", "application/json")
            .body(Body::from(bytes.clone()))
            .expect("request");
        let response = router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        assert!(
            status.as_u16() < 500,
            "{endpoint} answered {status} to {}: {}",
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&body)
        );
        let reply: Value = serde_json::from_slice(&body).expect("every answer is an envelope");
        *codes
            .entry(reply["code"].as_i64().unwrap_or(-1))
            .or_default() += 1;
        cases += 1;
    }
    println!("fuzzed {cases} bodies in {secs} s; answers by code: {codes:?}");
    assert!(cases > 100, "the fuzzer ran");
    assert!(
        codes.contains_key(&0) && codes.contains_key(&1001) && codes.contains_key(&1000),
        "{codes:?}"
    );
}
