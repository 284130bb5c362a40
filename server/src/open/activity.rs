//! `activity/create`, `update`, `publish`, `end` and `get`: the partner's
//! calls into [`crate::activities::manage`], which the console shares.

use axum::extract::State;
use huodong_shared::open::{ActivityInfo, ActivityRef, CreateActivity, UpdateActivity};

use super::Signed;
use crate::activities::manage;
use crate::activities::model::{Activity, Scope};
use crate::error::{ApiResult, Reply};
use crate::merchants::Merchant;
use crate::state::AppState;

/// `activity/create`: a draft activity with its prizes; with `merchant_id`,
/// one of the partner's merchant's (404 for a merchant it does not have).
#[utoipa::path(post, path = "/open/v1/activity/create", tag = "open", request_body = CreateActivity, responses((status = 200, body = ActivityInfo)))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed<CreateActivity>,
) -> ApiResult<ActivityInfo> {
    let partner_id = signed.partner.id;
    let merchant = match signed.body.merchant_id.as_deref().filter(|m| !m.is_empty()) {
        Some(id) => Some(Merchant::get(&state.db, partner_id, id).await?.id),
        None => None,
    };
    Ok(Reply(
        manage::create(&state, partner_id, merchant, &signed.body).await?,
    ))
}

/// `activity/update`: before the start anything may change; after it only
/// the title and the theme (the published rules cannot change).
#[utoipa::path(post, path = "/open/v1/activity/update", tag = "open", request_body = UpdateActivity, responses((status = 200, body = ActivityInfo)))]
pub async fn update(
    State(state): State<AppState>,
    signed: Signed<UpdateActivity>,
) -> ApiResult<ActivityInfo> {
    let activity = owned(&state, &signed.body.activity_id, signed.partner.id).await?;
    Ok(Reply(
        manage::update(&state, &activity, &signed.body).await?,
    ))
}

/// `activity/publish`: draft → published (idempotent).
#[utoipa::path(post, path = "/open/v1/activity/publish", tag = "open", request_body = ActivityRef, responses((status = 200, body = ActivityInfo)))]
pub async fn publish(
    State(state): State<AppState>,
    signed: Signed<ActivityRef>,
) -> ApiResult<ActivityInfo> {
    let activity = owned(&state, &signed.body.activity_id, signed.partner.id).await?;
    Ok(Reply(manage::publish(&state, &activity).await?))
}

/// `activity/end`: ends it now (idempotent) and reveals the fair seed.
#[utoipa::path(post, path = "/open/v1/activity/end", tag = "open", request_body = ActivityRef, responses((status = 200, body = ActivityInfo)))]
pub async fn end(
    State(state): State<AppState>,
    signed: Signed<ActivityRef>,
) -> ApiResult<ActivityInfo> {
    let activity = owned(&state, &signed.body.activity_id, signed.partner.id).await?;
    Ok(Reply(manage::end(&state, &activity).await?))
}

/// `activity/get`.
#[utoipa::path(post, path = "/open/v1/activity/get", tag = "open", request_body = ActivityRef, responses((status = 200, body = ActivityInfo)))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed<ActivityRef>,
) -> ApiResult<ActivityInfo> {
    let activity = owned(&state, &signed.body.activity_id, signed.partner.id).await?;
    Ok(Reply(manage::info(&state, &activity).await?))
}

/// A partner reaches its own activities and its merchants'.
async fn owned(
    state: &AppState,
    public_id: &str,
    partner_id: i64,
) -> Result<Activity, crate::error::AppError> {
    Activity::in_scope(&state.db, public_id, Scope::partner(partner_id)).await
}
