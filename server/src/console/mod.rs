//! The merchant console's API (`/api/v1/console/…`).
//!
//! A partner's back office embeds `<public_url>/console/?ticket=…` from
//! `console/ticket`; the page exchanges the one-time ticket at
//! `POST /api/v1/console/session` for a bearer token scoped to the partner
//! and the merchant. No cookie: the console runs in the partner's iframe.
//! Tickets and tokens are stored hashed. Every handler resolves activities
//! through [`ConsoleUser::scope`], so another merchant's activity, players
//! and figures answer "not found" (1004) and are never confirmed to exist.

pub mod activities;
pub mod winners;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use huodong_shared::ErrorCode;
use huodong_shared::console::{ConsoleMe, ConsoleSession, ConsoleSessionRequest};

use crate::activities::model::Scope;
use crate::db::{Db, now_secs};
use crate::error::{ApiJson, ApiResult, AppError, Reply};
use crate::merchants::Merchant;
use crate::routes::Route;
use crate::state::AppState;
use crate::{ids, on_db};

/// Seconds a console ticket stays valid.
pub const TICKET_TTL_SECS: i64 = 120;
/// Seconds a console session lasts.
pub const SESSION_TTL_SECS: i64 = 4 * 3600;
/// Seconds an export link stays valid.
pub const EXPORT_TTL_SECS: i64 = 60;

/// The console's endpoints: the router is built from this table and the
/// OpenAPI document is checked against it.
pub fn routes() -> Vec<Route> {
    const A: &str = "/api/v1/console/activities";
    vec![
        Route::post("/api/v1/console/session", session),
        Route::get("/api/v1/console/me", me),
        Route::get(A, activities::list),
        Route::post(A, activities::create),
        Route::get(format!("{A}/{{id}}"), activities::get),
        Route::post(format!("{A}/{{id}}"), activities::update),
        Route::post(format!("{A}/{{id}}/publish"), activities::publish),
        Route::post(format!("{A}/{{id}}/end"), activities::end),
        Route::get(format!("{A}/{{id}}/stats"), activities::stats),
        Route::get(format!("{A}/{{id}}/records"), activities::records),
        Route::get(format!("{A}/{{id}}/winners"), winners::list),
        Route::post(format!("{A}/{{id}}/export"), winners::export),
        Route::get(format!("{A}/{{id}}/winners.csv"), winners::csv),
    ]
}

/// Routes under `/api/v1/console`.
pub fn router() -> Router<AppState> {
    crate::routes::router(routes())
}

/// A query string extractor whose rejection is the project's envelope (1000).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::with_msg(
            ErrorCode::BadRequest,
            format!(
                "{}: {}",
                ErrorCode::BadRequest.msg_zh(),
                rejection.body_text()
            ),
        )
    }
}

/// What a console ticket opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketKind {
    /// The console (`console/ticket`).
    Sso,
    /// One download of an activity's winners.
    Export,
}

impl TicketKind {
    fn as_str(self) -> &'static str {
        match self {
            TicketKind::Sso => "sso",
            TicketKind::Export => "export",
        }
    }

    fn ttl(self) -> i64 {
        match self {
            TicketKind::Sso => TICKET_TTL_SECS,
            TicketKind::Export => EXPORT_TTL_SECS,
        }
    }
}

/// Issues a one-time ticket for `merchant` (and, for an export, the activity).
pub async fn issue_ticket(
    db: &Db,
    merchant: &Merchant,
    kind: TicketKind,
    activity_id: Option<i64>,
) -> Result<String, AppError> {
    let ticket = ids::random_hex(24);
    on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO console_tickets (ticket_hash, kind, partner_id, merchant_id, activity_id, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(ids::sha256_hex(ticket.as_bytes()))
        .bind(kind.as_str())
        .bind(merchant.partner_id)
        .bind(merchant.id)
        .bind(activity_id)
        .bind(now_secs() + kind.ttl())
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(ticket)
}

/// What a redeemed ticket was for.
#[derive(Debug, sqlx::FromRow)]
pub struct Redeemed {
    /// The partner.
    pub partner_id: i64,
    /// The merchant.
    pub merchant_id: i64,
    /// The activity of an export ticket.
    pub activity_id: Option<i64>,
}

/// Uses a ticket of `kind` up: 2005 when unknown or expired, 2006 when used.
pub async fn redeem(db: &Db, ticket: &str, kind: TicketKind) -> Result<Redeemed, AppError> {
    let ticket = ticket.trim();
    let invalid = || AppError::with_msg(ErrorCode::TicketInvalid, "控制台凭证无效或已过期");
    if ticket.is_empty() || ticket.len() > 128 {
        return Err(invalid());
    }
    let hash = ids::sha256_hex(ticket.as_bytes());
    let now = now_secs();
    let redeemed: Option<Redeemed> = on_db!(db, pool => {
        sqlx::query_as(
            "UPDATE console_tickets SET used_at = $1 \
             WHERE ticket_hash = $2 AND kind = $3 AND used_at IS NULL AND expires_at > $1 \
             RETURNING partner_id, merchant_id, activity_id",
        )
        .bind(now)
        .bind(&hash)
        .bind(kind.as_str())
        .fetch_optional(pool)
        .await
    })?;
    if let Some(redeemed) = redeemed {
        return Ok(redeemed);
    }
    let used: Option<(Option<i64>,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT used_at FROM console_tickets WHERE ticket_hash = $1 AND kind = $2")
            .bind(&hash)
            .bind(kind.as_str())
            .fetch_optional(pool)
            .await
    })?;
    Err(match used {
        Some((Some(_),)) => AppError::with_msg(ErrorCode::TicketUsed, "控制台凭证已使用"),
        _ => invalid(),
    })
}

/// The signed-in merchant of a console request.
#[derive(Clone, Debug)]
pub struct ConsoleUser {
    /// The partner's app id.
    pub app_id: String,
    /// The merchant (its `partner_id` is the partner's).
    pub merchant: Merchant,
    /// When the session ends, unix seconds.
    pub expires_at: i64,
}

impl ConsoleUser {
    /// What this user may see and change: the merchant's activities only.
    pub fn scope(&self) -> Scope {
        Scope {
            partner_id: self.merchant.partner_id,
            merchant_id: Some(self.merchant.id),
        }
    }

    /// The user of `Authorization: Bearer <token>`; 1002 without a live session.
    pub async fn from_headers(state: &AppState, headers: &HeaderMap) -> Result<Self, AppError> {
        let expired = || {
            AppError::with_msg(
                ErrorCode::Unauthorized,
                "控制台登录已失效，请从后台重新进入",
            )
        };
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 128)
            .ok_or_else(expired)?;
        let found: Option<(i64, String, i64)> = on_db!(&state.db, pool => {
            sqlx::query_as(
                "SELECT s.merchant_id, p.app_id, s.expires_at FROM console_sessions s \
                 JOIN partners p ON p.id = s.partner_id WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(ids::sha256_hex(token.as_bytes()))
            .bind(now_secs())
            .fetch_optional(pool)
            .await
        })?;
        let (merchant_id, app_id, expires_at) = found.ok_or_else(expired)?;
        Ok(ConsoleUser {
            app_id,
            merchant: Merchant::by_id(&state.db, merchant_id).await?,
            expires_at,
        })
    }
}

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        ConsoleUser::from_headers(state, &parts.headers).await
    }
}

/// `POST /api/v1/console/session`: the ticket works once (2006 after, 2005
/// when unknown or expired).
#[utoipa::path(post, path = "/api/v1/console/session", tag = "console",
    request_body = ConsoleSessionRequest,
    responses((status = 200, body = ConsoleSession)))]
pub async fn session(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ConsoleSessionRequest>,
) -> ApiResult<ConsoleSession> {
    // Spending the ticket is one guarded update: it works once, whatever
    // the concurrency.
    let redeemed = redeem(&state.db, &input.ticket, TicketKind::Sso).await?;
    let token = ids::random_hex(32);
    let app_id: (String,) = on_db!(&state.db, pool => {
        sqlx::query(
            "INSERT INTO console_sessions (token_hash, partner_id, merchant_id, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(ids::sha256_hex(token.as_bytes()))
        .bind(redeemed.partner_id)
        .bind(redeemed.merchant_id)
        .bind(now_secs() + SESSION_TTL_SECS)
        .execute(pool)
        .await?;
        sqlx::query_as("SELECT app_id FROM partners WHERE id = $1")
            .bind(redeemed.partner_id)
            .fetch_one(pool)
            .await
    })?;
    let app_id = app_id.0;
    let merchant = Merchant::by_id(&state.db, redeemed.merchant_id).await?;
    tracing::info!(%app_id, merchant = %merchant.public_id, "console session opened");
    Ok(Reply(ConsoleSession {
        token,
        expires_in: SESSION_TTL_SECS,
        app_id,
        merchant: merchant.wire(),
    }))
}

/// `GET /api/v1/console/me`: the merchant of the token.
#[utoipa::path(get, path = "/api/v1/console/me", tag = "console",
    security(("console_token" = [])),
    responses((status = 200, body = ConsoleMe)))]
pub async fn me(user: ConsoleUser) -> ApiResult<ConsoleMe> {
    Ok(Reply(ConsoleMe {
        app_id: user.app_id.clone(),
        merchant: user.merchant.wire(),
        expires_at: user.expires_at,
    }))
}

/// The `frame-ancestors` policy of `/console/?ticket=…`: the partner of the
/// ticket may frame it (its `allowed_origins`), besides the runtime itself.
pub async fn frame_ancestors(state: &AppState, query: Option<&str>) -> String {
    let Some(ticket) = crate::query_param(query, "ticket").filter(|t| t.len() <= 128) else {
        return crate::partner::frame_policy(&[]);
    };
    let partner: Result<Option<(i64,)>, sqlx::Error> = on_db!(&state.db, pool => {
        sqlx::query_as("SELECT partner_id FROM console_tickets WHERE ticket_hash = $1 AND kind = 'sso'")
            .bind(ids::sha256_hex(ticket.as_bytes()))
            .fetch_optional(pool)
            .await
    });
    let origins = match partner {
        Ok(Some((partner_id,))) => state
            .caches
            .partner(&state.db, partner_id)
            .await
            .map(|p| p.config.allowed_origins.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    crate::partner::frame_policy(&origins)
}

/// Deletes console tickets and sessions past use.
pub async fn sweep_expired(db: &Db) -> Result<(), sqlx::Error> {
    let now = now_secs();
    on_db!(db, pool => {
        sqlx::query("DELETE FROM console_sessions WHERE expires_at < $1").bind(now).execute(pool).await?;
        sqlx::query("DELETE FROM console_tickets WHERE expires_at < $1").bind(now - 86_400).execute(pool).await?;
        Ok(())
    })
}
