//! The merchant's activities: list, create, read, change, publish, end,
//! figures and records — the open API's logic ([`manage`], [`stats`],
//! [`data::page`]) within the merchant's scope.

use axum::extract::{Path, State};
use huodong_shared::console::{
    ActivityChanges, ActivityItem, ActivityList, PageQuery, RecordsPage, Stats, StatsRange,
};
use huodong_shared::open::{ActivityInfo, CreateActivity, Records};

use super::{ApiQuery, ConsoleUser};
use crate::activities::model::Activity;
use crate::activities::{manage, stats as figures};
use crate::error::{ApiJson, ApiResult, AppError, Reply};
use crate::merchants::{id_cursor, next_cursor, page_limit};
use crate::open::data;
use crate::state::AppState;

/// The record types the console reads (partner deliveries and events stay
/// with the partner).
pub const RECORD_TYPES: &[&str] = &["draws", "winners", "participants", "checkins"];

/// The merchant's activity `id`, or 1004.
pub async fn scoped(state: &AppState, user: &ConsoleUser, id: &str) -> Result<Activity, AppError> {
    Activity::in_scope(&state.db, id, user.scope()).await
}

/// `GET /api/v1/console/activities`: the merchant's activities, newest first.
#[utoipa::path(get, path = "/api/v1/console/activities", tag = "console",
    security(("console_token" = [])), params(PageQuery),
    responses((status = 200, body = ActivityList)))]
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<ActivityList> {
    let limit = page_limit(page.limit)?;
    let before = id_cursor(page.cursor.as_deref())?;
    let rows = Activity::list_in_scope(&state.db, user.scope(), before, limit).await?;
    let base = state.config.public_url();
    Ok(Reply(ActivityList {
        next_cursor: next_cursor(rows.iter().map(|a| a.id), limit),
        list: rows
            .into_iter()
            .map(|a| ActivityItem {
                play_url: format!("{base}/a/{}", a.public_id),
                activity_id: a.public_id,
                template: a.kind,
                title: a.title,
                status: a.status,
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                timezone: a.timezone,
                theme: a.theme,
            })
            .collect(),
    }))
}

/// `POST /api/v1/console/activities`: a draft of the merchant's, validated
/// as `activity/create` (a `merchant_id` other than the merchant's is 1004).
#[utoipa::path(post, path = "/api/v1/console/activities", tag = "console",
    security(("console_token" = [])), request_body = CreateActivity,
    responses((status = 200, body = ActivityInfo)))]
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ApiJson(input): ApiJson<CreateActivity>,
) -> ApiResult<ActivityInfo> {
    if let Some(other) = input.merchant_id.as_deref().filter(|m| !m.is_empty())
        && other != user.merchant.public_id
    {
        return Err(AppError::not_found("商户"));
    }
    let info = manage::create(
        &state,
        user.merchant.partner_id,
        Some(user.merchant.id),
        &input,
    )
    .await?;
    Ok(Reply(info))
}

/// `GET /api/v1/console/activities/{id}`: the whole activity, with stock left.
#[utoipa::path(get, path = "/api/v1/console/activities/{id}", tag = "console",
    security(("console_token" = [])), params(("id" = String, Path, description = "activity id")),
    responses((status = 200, body = ActivityInfo)))]
pub async fn get(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
) -> ApiResult<ActivityInfo> {
    let activity = scoped(&state, &user, &id).await?;
    Ok(Reply(manage::info(&state, &activity).await?))
}

/// `POST /api/v1/console/activities/{id}`: changes it as `activity/update`.
#[utoipa::path(post, path = "/api/v1/console/activities/{id}", tag = "console",
    security(("console_token" = [])), params(("id" = String, Path, description = "activity id")),
    request_body = ActivityChanges,
    responses((status = 200, body = ActivityInfo)))]
pub async fn update(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    ApiJson(changes): ApiJson<ActivityChanges>,
) -> ApiResult<ActivityInfo> {
    let activity = scoped(&state, &user, &id).await?;
    let update = changes.into_update(activity.public_id.clone());
    Ok(Reply(manage::update(&state, &activity, &update).await?))
}

/// `POST /api/v1/console/activities/{id}/publish`: as `activity/publish`.
#[utoipa::path(post, path = "/api/v1/console/activities/{id}/publish", tag = "console",
    security(("console_token" = [])), params(("id" = String, Path, description = "activity id")),
    responses((status = 200, body = ActivityInfo)))]
pub async fn publish(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
) -> ApiResult<ActivityInfo> {
    let activity = scoped(&state, &user, &id).await?;
    Ok(Reply(manage::publish(&state, &activity).await?))
}

/// `POST /api/v1/console/activities/{id}/end`: as `activity/end`.
#[utoipa::path(post, path = "/api/v1/console/activities/{id}/end", tag = "console",
    security(("console_token" = [])), params(("id" = String, Path, description = "activity id")),
    responses((status = 200, body = ActivityInfo)))]
pub async fn end(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
) -> ApiResult<ActivityInfo> {
    let activity = scoped(&state, &user, &id).await?;
    Ok(Reply(manage::end(&state, &activity).await?))
}

/// `GET /api/v1/console/activities/{id}/stats`: as `data/stats`.
#[utoipa::path(get, path = "/api/v1/console/activities/{id}/stats", tag = "console",
    security(("console_token" = [])),
    params(("id" = String, Path, description = "activity id"), StatsRange),
    responses((status = 200, body = Stats)))]
pub async fn stats(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    ApiQuery(range): ApiQuery<StatsRange>,
) -> ApiResult<Stats> {
    let activity = scoped(&state, &user, &id).await?;
    Ok(Reply(
        figures::stats(&state.db, &activity, range.from, range.to).await?,
    ))
}

/// `GET /api/v1/console/activities/{id}/records`: as `data/records`, for
/// draws, winners, participants and check-ins.
#[utoipa::path(get, path = "/api/v1/console/activities/{id}/records", tag = "console",
    security(("console_token" = [])),
    params(("id" = String, Path, description = "activity id"), RecordsPage),
    responses((status = 200, body = Records)))]
pub async fn records(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    ApiQuery(page): ApiQuery<RecordsPage>,
) -> ApiResult<Records> {
    let activity = scoped(&state, &user, &id).await?;
    let records = data::page(
        &state,
        &activity,
        &page.kind,
        page.cursor.as_deref(),
        page.limit,
        RECORD_TYPES,
    )
    .await?;
    Ok(Reply(records))
}
