//! The console API (`/api/v1/console/…`, bearer token from the SSO ticket),
//! one function per call. Answers the console only displays are read as
//! JSON values; what it sends is typed with the open API's input types.

use gloo_net::http::{Request, RequestBuilder};
use huodong_shared::Envelope;
use huodong_shared::console::ActivityChanges;
use huodong_shared::open::CreateActivity;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A failed call: the server's code and message.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// The wire code.
    pub code: i32,
    /// The message, naming the field for validation errors.
    pub msg: String,
}

fn network() -> ApiError {
    ApiError {
        code: 1500,
        msg: "网络不太好，请稍后重试".to_owned(),
    }
}

const BASE: &str = "/api/v1/console";

async fn read<T: DeserializeOwned>(
    sent: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = sent.map_err(|_| network())?;
    let envelope: Envelope<T> = response.json().await.map_err(|_| network())?;
    envelope
        .into_result()
        .map_err(|(code, msg)| ApiError { code, msg })
}

fn auth(request: RequestBuilder, token: &str) -> RequestBuilder {
    request.header("Authorization", &format!("Bearer {token}"))
}

async fn get(token: &str, path: &str) -> Result<Value, ApiError> {
    read(
        auth(Request::get(&format!("{BASE}{path}")), token)
            .send()
            .await,
    )
    .await
}

async fn post<B: Serialize>(token: &str, path: &str, body: &B) -> Result<Value, ApiError> {
    let request = auth(Request::post(&format!("{BASE}{path}")), token)
        .json(body)
        .map_err(|_| network())?;
    read(request.send().await).await
}

/// Exchanges the one-time SSO ticket for a console session.
pub async fn session(ticket: &str) -> Result<Value, ApiError> {
    let request = Request::post(&format!("{BASE}/session"))
        .json(&serde_json::json!({ "ticket": ticket }))
        .map_err(|_| network())?;
    read(request.send().await).await
}

/// The merchant's activities.
pub async fn activities(token: &str) -> Result<Value, ApiError> {
    get(token, "/activities").await
}

/// One activity, with stock left.
pub async fn activity(token: &str, id: &str) -> Result<Value, ApiError> {
    get(token, &format!("/activities/{id}")).await
}

/// Creates a draft.
pub async fn create(token: &str, input: &CreateActivity) -> Result<Value, ApiError> {
    post(token, "/activities", input).await
}

/// Changes a draft (or what may still change).
pub async fn update(token: &str, id: &str, changes: &ActivityChanges) -> Result<Value, ApiError> {
    post(token, &format!("/activities/{id}"), changes).await
}

/// Publishes or ends an activity (`action`: `publish` | `end`).
pub async fn act(token: &str, id: &str, action: &str) -> Result<Value, ApiError> {
    post(
        token,
        &format!("/activities/{id}/{action}"),
        &serde_json::json!({}),
    )
    .await
}

/// Figures: totals, stock left, by hour.
pub async fn stats(token: &str, id: &str) -> Result<Value, ApiError> {
    get(token, &format!("/activities/{id}/stats")).await
}

/// Winners, newest first, filtered by `q` (u_id, nickname or prize).
pub async fn winners(token: &str, id: &str, q: &str) -> Result<Value, ApiError> {
    let q = js_sys::encode_uri_component(q);
    get(token, &format!("/activities/{id}/winners?q={q}")).await
}

/// A one-time link to the winners' CSV (a download cannot carry the
/// bearer header): `{url, expires_in}`.
pub async fn export(token: &str, id: &str, q: &str) -> Result<Value, ApiError> {
    let q = js_sys::encode_uri_component(q);
    post(
        token,
        &format!("/activities/{id}/export?q={q}"),
        &serde_json::json!({}),
    )
    .await
}

/// The themes to pick from.
pub async fn themes() -> Result<Value, ApiError> {
    read(Request::get("/api/v1/themes").send().await).await
}
