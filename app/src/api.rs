//! One `async fn` per server endpoint. Every answer is the shared envelope;
//! a non-zero code becomes an [`ApiError`] whose message the player can read.

use gloo_net::http::Request;
use huodong_shared::api::{
    ActivitySummary, ActivityView, CheckinResult, DrawRequest, DrawResult, GameFinish, GameResult,
    GameRound, MakeupRequest, MyState,
};
use huodong_shared::{Envelope, ErrorCode};
use leptos::prelude::*;
use serde::Serialize;
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

fn network_error() -> ApiError {
    ApiError {
        code: ErrorCode::Internal.as_i32(),
        msg: crate::i18n::t(
            "网络不太好，请稍后重试",
            "Network trouble, please try again",
        )
        .to_owned(),
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

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    read(Request::get(url).send().await).await
}

/// `POST /api/v1/activities/{id}/{action}` as the signed-in player.
async fn post<B: Serialize, T: DeserializeOwned>(
    id: &str,
    token: &str,
    action: &str,
    body: &B,
) -> Result<T, ApiError> {
    let request = Request::post(&format!("/api/v1/activities/{id}/{action}"))
        .header("Authorization", &format!("Bearer {token}"))
        .json(body)
        .map_err(|_| network_error())?;
    read(request.send().await).await
}

/// One draw; the same `key` again answers the same draw.
pub async fn draw(id: &str, token: &str, key: String) -> Result<DrawResult, ApiError> {
    let body = DrawRequest {
        idempotency_key: key,
    };
    post(id, token, "draw", &body).await
}

/// Today's check-in.
pub async fn checkin(id: &str, token: &str) -> Result<CheckinResult, ApiError> {
    post(id, token, "checkin", &()).await
}

/// A make-up check-in of a missed day (`yyyymmdd`), at the make-up cost.
pub async fn makeup(id: &str, token: &str, day: i64) -> Result<CheckinResult, ApiError> {
    post(id, token, "checkin/makeup", &MakeupRequest { day }).await
}

/// Starts a round of a score game or quiz.
pub async fn game_start(id: &str, token: &str) -> Result<GameRound, ApiError> {
    post(id, token, "game/start", &()).await
}

/// Finishes a round with its score (a quiz: its answers).
pub async fn game_finish(
    id: &str,
    token: &str,
    finish: &GameFinish,
) -> Result<GameResult, ApiError> {
    post(id, token, "game/finish", finish).await
}

/// Tells the server the player shared the activity (the host app shares).
pub async fn share(id: &str, token: &str) -> Result<serde::de::IgnoredAny, ApiError> {
    post(id, token, "share", &()).await
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

/// One activity with its prizes.
pub async fn activity(id: &str) -> Result<ActivityView, ApiError> {
    get(&format!("/api/v1/activities/{id}")).await
}

/// A value fetched in the background: `None` until it arrives. Lighter than
/// a resource under `<Suspense>` (one small type per value, no suspense
/// machinery in the bundle).
pub fn load<T, F>(fetch: F) -> RwSignal<Option<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = T> + 'static,
{
    let slot = RwSignal::new(None);
    leptos::task::spawn_local(async move { slot.set(Some(fetch.await)) });
    slot
}

/// Like [`load`], fetched again each time `again` changes (the last answer
/// stays shown meanwhile).
pub fn reload<T, F>(again: RwSignal<u32>, fetch: impl Fn() -> F + 'static) -> RwSignal<Option<T>>
where
    T: Send + Sync + 'static,
    F: Future<Output = T> + 'static,
{
    let slot = RwSignal::new(None);
    Effect::new(move |_| {
        again.track();
        let next = fetch();
        leptos::task::spawn_local(async move { slot.set(Some(next.await)) });
    });
    slot
}
