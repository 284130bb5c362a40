//! The open API (`POST /open/v1/…`): partners call it with signed JSON bodies.
//!
//! [`Signed`] checks, in this order: the body is a JSON object (1000), `app_id`
//! names a partner (7103), `timestamp` is within 300 s (7101), `sign` matches
//! (7100, compared in constant time), and the nonce was not used within the
//! window (7102). Only then is the body parsed into the endpoint's type.

pub mod activity;
pub mod data;
pub mod merchant;
pub mod task;
pub mod user;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::handler::Handler;
use huodong_shared::ErrorCode;
use huodong_shared::sign::{self, MAX_CLOCK_SKEW_SECS};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::db::now_secs;
use crate::error::AppError;
use crate::on_db;
use crate::routes::Route;
use crate::state::AppState;

/// The open API's endpoints, `POST /open/v1/<name>`: the router is built
/// from this table and the OpenAPI document is checked against it.
pub fn endpoints() -> Vec<Route> {
    fn open<H: Handler<T, AppState>, T: 'static>(name: &str, handler: H) -> Route {
        Route::post(format!("/open/v1/{name}"), handler)
    }
    vec![
        open("activity/create", activity::create),
        open("activity/update", activity::update),
        open("activity/publish", activity::publish),
        open("activity/end", activity::end),
        open("activity/get", activity::get),
        open("user/ticket", user::ticket),
        open("live/host", crate::live::host_link),
        open("task/complete", task::complete),
        open("risk/blacklist", crate::risk::blacklist),
        open("risk/list", crate::risk::list),
        open("partner/config", crate::partner::config),
        open("partner/coupons", crate::partner::coupons),
        open("data/records", data::records),
        open("data/stats", data::stats),
        open("merchant/create", merchant::create),
        open("merchant/list", merchant::list),
        open("console/ticket", merchant::console_ticket),
    ]
}

/// Routes under `/open/v1`.
pub fn router() -> Router<AppState> {
    crate::routes::router(endpoints())
}

/// The partner a signed request came from.
#[derive(Clone, sqlx::FromRow)]
pub struct Partner {
    /// Internal id.
    pub id: i64,
    /// Public app id.
    pub app_id: String,
    /// The shared secret (never logged or answered).
    pub secret: String,
}

impl std::fmt::Debug for Partner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partner")
            .field("id", &self.id)
            .field("app_id", &self.app_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A verified open-API request: who sent it and what it says.
#[derive(Debug)]
pub struct Signed<T> {
    /// The calling partner.
    pub partner: Partner,
    /// The parsed body.
    pub body: T,
}

fn field_str<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

impl<T: DeserializeOwned> FromRequest<AppState> for Signed<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::code(ErrorCode::PayloadTooLarge)
            } else {
                AppError::with_msg(ErrorCode::BadRequest, rejection.body_text())
            }
        })?;
        let body = parse_object(&bytes)?;
        let app_id = field_str(&body, "app_id")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AppError::with_msg(ErrorCode::BadRequest, "缺少 app_id"))?;
        let timestamp = body
            .get("timestamp")
            .and_then(Value::as_i64)
            .ok_or_else(|| {
                AppError::with_msg(ErrorCode::BadRequest, "缺少 timestamp（unix 秒，整数）")
            })?;
        let nonce = field_str(&body, "nonce")
            .filter(|n| (1..=64).contains(&n.len()))
            .ok_or_else(|| {
                AppError::with_msg(ErrorCode::BadRequest, "缺少 nonce（1 到 64 个字符）")
            })?;

        let partner: Option<Partner> = on_db!(&state.db, pool => {
            sqlx::query_as("SELECT id, app_id, secret FROM partners WHERE app_id = $1")
                .bind(app_id)
                .fetch_optional(pool)
                .await
        })?;
        let partner = partner.ok_or_else(|| AppError::code(ErrorCode::UnknownApp))?;
        let now = now_secs();
        if !sign::timestamp_fresh(timestamp, now) {
            return Err(AppError::code(ErrorCode::TimestampExpired));
        }
        sign::verify(&partner.secret, &body).map_err(|e| {
            AppError::with_msg(ErrorCode::SignInvalid, format!("sign 校验错误: {e}"))
        })?;
        // A nonce may come back once its earlier use has left the window.
        let fresh = on_db!(&state.db, pool => {
            sqlx::query(
                "INSERT INTO nonces (app_id, nonce, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (app_id, nonce) DO UPDATE SET expires_at = excluded.expires_at \
                 WHERE nonces.expires_at < $4",
            )
            .bind(&partner.app_id)
            .bind(nonce)
            .bind(now + 2 * MAX_CLOCK_SKEW_SECS)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        if fresh == 0 {
            return Err(AppError::code(ErrorCode::NonceReplayed));
        }
        // The path names the field at fault: "prizes[0].kind: unknown variant …".
        let body = serde_path_to_error::deserialize(Value::Object(body)).map_err(|e| {
            AppError::with_msg(
                ErrorCode::BadRequest,
                format!("请求格式错误: {}: {}", e.path(), e.inner()),
            )
        })?;
        Ok(Signed { partner, body })
    }
}

/// Parses a body that must be one JSON object.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::with_msg(
            ErrorCode::BadRequest,
            "请求体须为 JSON 对象",
        )),
        Err(e) => Err(AppError::with_msg(
            ErrorCode::BadRequest,
            format!("请求体不是合法的 JSON: {e}"),
        )),
    }
}

/// Deletes nonces, tickets and sessions that can no longer be used.
pub async fn sweep_expired(db: &crate::db::Db) -> Result<(), sqlx::Error> {
    let now = now_secs();
    on_db!(db, pool => {
        sqlx::query("DELETE FROM nonces WHERE expires_at < $1").bind(now).execute(pool).await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(pool).await?;
        sqlx::query("DELETE FROM tickets WHERE expires_at < $1").bind(now - 86_400).execute(pool).await?;
        sqlx::query("DELETE FROM live_hosts WHERE expires_at < $1").bind(now).execute(pool).await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_body_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_object(&bytes);
        }

        #[test]
        fn any_json_object_parses_back(keys in proptest::collection::btree_map("[a-z_]{1,8}", "[^\u{0}]{0,12}", 0..8)) {
            let value = serde_json::to_vec(&keys).expect("serialize");
            let map = parse_object(&value).expect("object parses");
            prop_assert_eq!(map.len(), keys.len());
        }
    }
}
