//! One `async fn` per server endpoint. Every answer is the shared envelope;
//! a non-zero code becomes an [`ApiError`] whose message the player can read.

use gloo_net::http::Request;
use huodong_shared::api::{ActivitySummary, ActivityView, DrawRequest, DrawResult, MyState};
use huodong_shared::{Envelope, ErrorCode};
use serde::de::DeserializeOwned;

/// A failed call: the server's code and message, or a network failure.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// The wire code (1500 for network failures).
    pub code: i32,
    /// A message fit to show the player.
    pub msg: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.msg, self.code)
    }
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let network = |_| ApiError {
        code: ErrorCode::Internal.as_i32(),
        msg: "网络不太好，请稍后重试".to_owned(),
    };
    let response = Request::get(url).send().await.map_err(network)?;
    let envelope: Envelope<T> = response.json().await.map_err(network)?;
    envelope
        .into_result()
        .map_err(|(code, msg)| ApiError { code, msg })
}

fn network_error() -> ApiError {
    ApiError {
        code: ErrorCode::Internal.as_i32(),
        msg: "网络不太好，请稍后重试".to_owned(),
    }
}

async fn read<T: DeserializeOwned>(
    sent: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = sent.map_err(|_| network_error())?;
    let envelope: Envelope<T> = response.json().await.map_err(|_| network_error())?;
    envelope
        .into_result()
        .map_err(|(code, msg)| ApiError { code, msg })
}

/// One draw; the same `key` again answers the same draw.
pub async fn draw(id: &str, token: &str, key: String) -> Result<DrawResult, ApiError> {
    let body = DrawRequest {
        idempotency_key: key,
    };
    let request = Request::post(&format!("/api/v1/activities/{id}/draw"))
        .header("Authorization", &format!("Bearer {token}"))
        .json(&body)
        .map_err(|_| network_error())?;
    read(request.send().await).await
}

/// The player's chances, prizes and calendar.
pub async fn me(id: &str, token: &str) -> Result<MyState, ApiError> {
    read(
        Request::get(&format!("/api/v1/activities/{id}/me"))
            .header("Authorization", &format!("Bearer {token}"))
            .send()
            .await,
    )
    .await
}

/// The published activities.
pub async fn activities() -> Result<Vec<ActivitySummary>, ApiError> {
    get("/api/v1/activities").await
}

/// The activity named by the route's `:id`, fetched once per id.
pub fn use_route_activity() -> leptos::prelude::LocalResource<Result<ActivityView, ApiError>> {
    use leptos::prelude::*;
    let params = leptos_router::hooks::use_params_map();
    LocalResource::new(move || activity(params.read().get("id").unwrap_or_default()))
}

/// One activity with its prizes.
pub async fn activity(id: String) -> Result<ActivityView, ApiError> {
    get(&format!("/api/v1/activities/{id}")).await
}
