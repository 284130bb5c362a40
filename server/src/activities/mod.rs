//! Activities: the stored model, validation of partner input, creating and
//! changing them (open API and console), their figures, and the public read
//! API the player app and the rules page use.

pub mod manage;
pub mod model;
pub mod slots;
pub mod stats;
pub mod validate;

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use huodong_shared::api::{ActivitySummary, ActivityView};

use crate::error::{ApiResult, Reply};
use crate::state::AppState;
use model::Activity;

/// Routes under `/api/v1/activities`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/activities", get(list))
        .route("/api/v1/activities/{id}", get(show))
}

/// `GET /api/v1/activities`: published activities, oldest first.
async fn list(State(state): State<AppState>) -> ApiResult<Vec<ActivitySummary>> {
    let list = Activity::list_published(&state.db)
        .await?
        .into_iter()
        .map(|a| ActivitySummary {
            id: a.public_id,
            kind: a.kind,
            title: a.title,
            status: a.status,
        })
        .collect();
    Ok(Reply(list))
}

/// `GET /api/v1/activities/{id}`: one activity with its prizes and rules.
async fn show(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
) -> ApiResult<ActivityView> {
    let activity = Activity::get(&state.db, &public_id).await?;
    let prizes = activity.prizes(&state.db).await?;
    let mut view = activity.view(&prizes);
    view.login = state
        .caches
        .partner(&state.db, activity.partner_id)
        .await?
        .config
        .login_url
        .is_some();
    Ok(Reply(view))
}
