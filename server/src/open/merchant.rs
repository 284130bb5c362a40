//! The platform tier: `merchant/create`, `merchant/list` and
//! `console/ticket` (a one-time sign-in to the merchant console, for the
//! partner's back office to embed).

use axum::extract::State;
use huodong_shared::console::{
    ConsoleTicket, ConsoleTicketRequest, Merchant as MerchantInfo, MerchantCreate, MerchantList,
    PageQuery,
};

use super::Signed;
use crate::activities::validate;
use crate::console;
use crate::error::{ApiResult, Reply};
use crate::merchants::{Merchant, id_cursor, next_cursor, page_limit};
use crate::state::AppState;

/// `merchant/create`: creates a merchant, or renames the one with this id.
#[utoipa::path(post, path = "/open/v1/merchant/create", tag = "open", request_body = MerchantCreate, responses((status = 200, body = MerchantInfo)))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed<MerchantCreate>,
) -> ApiResult<MerchantInfo> {
    let name = validate::text("name", &signed.body.name, 1, 60)?;
    let merchant = Merchant::upsert(
        &state.db,
        signed.partner.id,
        signed.body.merchant_id.as_deref(),
        &name,
    )
    .await?;
    tracing::info!(app_id = %signed.partner.app_id, merchant = %merchant.public_id, "merchant saved");
    Ok(Reply(merchant.wire()))
}

/// `merchant/list`: the partner's merchants, oldest first.
#[utoipa::path(post, path = "/open/v1/merchant/list", tag = "open", request_body = PageQuery, responses((status = 200, body = MerchantList)))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed<PageQuery>,
) -> ApiResult<MerchantList> {
    let limit = page_limit(signed.body.limit)?;
    let after = id_cursor(signed.body.cursor.as_deref())?.unwrap_or(0);
    let rows = Merchant::list(&state.db, signed.partner.id, after, limit).await?;
    Ok(Reply(MerchantList {
        next_cursor: next_cursor(rows.iter().map(|m| m.id), limit),
        list: rows.iter().map(Merchant::wire).collect(),
    }))
}

/// `console/ticket`: a one-time console URL for one of the partner's merchants.
#[utoipa::path(post, path = "/open/v1/console/ticket", tag = "open", request_body = ConsoleTicketRequest, responses((status = 200, body = ConsoleTicket)))]
pub async fn console_ticket(
    State(state): State<AppState>,
    signed: Signed<ConsoleTicketRequest>,
) -> ApiResult<ConsoleTicket> {
    let merchant = Merchant::get(&state.db, signed.partner.id, &signed.body.merchant_id).await?;
    let ticket =
        console::issue_ticket(&state.db, &merchant, console::TicketKind::Sso, None).await?;
    Ok(Reply(ConsoleTicket {
        console_url: format!("{}/console/?ticket={ticket}", state.config.public_url()),
        ticket,
        expires_in: console::TICKET_TTL_SECS,
    }))
}
