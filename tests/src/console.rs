//! Driving the platform tier: merchants, console tickets and the console API
//! with its bearer token, as the partner's back office and the console do.

use serde_json::{Map, Value, json};

use crate::open::signed_body;
use crate::{Api, TestApp};

impl Api {
    /// `merchant/create` as the demo partner; the merchant.
    pub async fn merchant(&self, merchant_id: &str, name: &str) -> Value {
        self.open_ok(
            "merchant/create",
            json!({"merchant_id": merchant_id, "name": name}),
        )
        .await
    }

    /// Exchanges a console ticket; the status and envelope.
    pub async fn console_session(&self, ticket: &str) -> (u16, Value) {
        self.post_json("/api/v1/console/session", None, &json!({"ticket": ticket}))
            .await
    }

    /// A console token for the demo partner's merchant `merchant_id`.
    pub async fn console_login(&self, merchant_id: &str) -> String {
        let ticket = self
            .open_ok("console/ticket", json!({"merchant_id": merchant_id}))
            .await;
        token_of(
            self.console_session(ticket["ticket"].as_str().expect("ticket"))
                .await,
        )
    }

    /// `GET /api/v1/console{path}` with the token; status and envelope.
    pub async fn console_get(&self, token: &str, path: &str) -> (u16, Value) {
        self.get_json(&format!("/api/v1/console{path}"), Some(token))
            .await
    }

    /// `POST /api/v1/console{path}` with the token; status and envelope.
    pub async fn console_post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.post_json(&format!("/api/v1/console{path}"), Some(token), &body)
            .await
    }

    /// Calls the open API as another partner; the envelope.
    pub async fn open_as(&self, app_id: &str, secret: &str, endpoint: &str, body: Value) -> Value {
        let body: Map<String, Value> = signed_body(app_id, secret, body);
        self.open_raw(endpoint, &body).await.1
    }
}

/// The token of a successful session exchange.
pub fn token_of((status, reply): (u16, Value)) -> String {
    assert_eq!(status, 200, "{reply}");
    reply["result"]["token"].as_str().expect("token").to_owned()
}

impl TestApp {
    /// Adds a partner with this app id and secret.
    pub async fn add_partner(&self, app_id: &str, secret: &str) {
        huodong_server::on_db!(&self.state.db, pool => {
            sqlx::query("INSERT INTO partners (app_id, name, secret, created_at) VALUES ($1, $2, $3, 0)")
                .bind(app_id)
                .bind(app_id)
                .bind(secret)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .expect("a partner is added");
    }

    /// Runs a statement on the test's database.
    pub async fn execute(&self, sql: &str) {
        huodong_server::on_db!(&self.state.db, pool => {
            sqlx::query(sql).execute(pool).await.map(|_| ())
        })
        .expect("statement runs");
    }
}
