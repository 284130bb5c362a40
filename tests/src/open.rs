//! Driving the open API as a partner does: signed bodies, launch tickets,
//! sessions, draws.

use huodong_server::seed::{DEMO_APP_ID, DEMO_SECRET};
use huodong_shared::sign;
use serde_json::{Map, Value, json};

use crate::{Api, TestApp};

/// Adds `app_id`, a fresh `timestamp` and `nonce`, and signs with `secret`.
pub fn signed_body(app_id: &str, secret: &str, body: Value) -> Map<String, Value> {
    let mut map = match body {
        Value::Object(map) => map,
        _ => panic!("open API bodies are objects"),
    };
    map.insert("app_id".into(), json!(app_id));
    map.entry("timestamp").or_insert_with(|| json!(now()));
    map.entry("nonce")
        .or_insert_with(|| json!(uuid::Uuid::new_v4().simple().to_string()));
    sign::sign_in_place(secret, &mut map);
    map
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A lottery with one prize of `stock` and the given rules, as a create body.
pub fn lottery(title: &str, prizes: Value, rules: Value) -> Value {
    json!({
        "template": "wheel",
        "title": title,
        "starts_at": now() - 60,
        "ends_at": now() + 86_400,
        "rules": rules,
        "prizes": prizes,
    })
}

impl Api {
    /// Sends a body already signed (or tampered with) to `/open/v1/{endpoint}`.
    pub async fn open_raw(&self, endpoint: &str, body: &Map<String, Value>) -> (u16, Value) {
        self.post_json(
            &format!("/open/v1/{endpoint}"),
            None,
            &Value::Object(body.clone()),
        )
        .await
    }

    /// Calls the open API as the demo partner; the envelope.
    pub async fn open(&self, endpoint: &str, body: Value) -> Value {
        self.open_raw(endpoint, &signed_body(DEMO_APP_ID, DEMO_SECRET, body))
            .await
            .1
    }

    /// Calls the open API and expects success; the result.
    pub async fn open_ok(&self, endpoint: &str, body: Value) -> Value {
        let reply = self.open(endpoint, body).await;
        assert_eq!(reply["code"], 0, "{endpoint}: {reply}");
        reply["result"].clone()
    }

    /// Creates and publishes an activity; its id.
    pub async fn published(&self, body: Value) -> String {
        let created = self.open_ok("activity/create", body).await;
        let id = created["activity_id"]
            .as_str()
            .expect("activity_id")
            .to_owned();
        self.open_ok("activity/publish", json!({"activity_id": id}))
            .await;
        id
    }

    /// A ticket for `u_id`, exchanged for a session token.
    pub async fn login(&self, activity_id: &str, u_id: &str) -> String {
        let ticket = self
            .open_ok(
                "user/ticket",
                json!({"u_id": u_id, "nickname": "玩家", "activity_id": activity_id}),
            )
            .await;
        let (status, session) = self
            .post_json(
                "/api/v1/session",
                None,
                &json!({"ticket": ticket["ticket"]}),
            )
            .await;
        assert_eq!(status, 200, "{session}");
        session["result"]["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// One draw; the status and envelope.
    pub async fn draw(&self, token: &str, activity_id: &str, key: &str) -> (u16, Value) {
        self.post_json(
            &format!("/api/v1/activities/{activity_id}/draw"),
            Some(token),
            &json!({"idempotency_key": key}),
        )
        .await
    }

    /// The player's state.
    pub async fn me(&self, token: &str, activity_id: &str) -> Value {
        let (status, body) = self
            .get_json(&format!("/api/v1/activities/{activity_id}/me"), Some(token))
            .await;
        assert_eq!(status, 200, "{body}");
        body["result"].clone()
    }
}

impl TestApp {
    /// Runs a scalar query on the test's database.
    pub async fn scalar(&self, sql: &str) -> i64 {
        huodong_server::on_db!(&self.state.db, pool => {
            sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await
        })
        .expect("scalar query")
    }
}
