//! Player sessions: a launch ticket is exchanged once for a bearer token. No
//! cookie: iframes on another site (Safari, and Chrome's third-party cookie
//! rules) would not send it.

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::post;
use huodong_shared::ErrorCode;
use huodong_shared::api::{SessionInfo, SessionRequest};
use huodong_shared::partner::{Callback, EventBody};

use crate::db::{BeginWrite, now_secs};
use crate::error::{ApiJson, ApiResult, AppError, Reply};
use crate::ids;
use crate::on_db;
use crate::outbox::{self, Message};
use crate::state::AppState;

/// How long a session lasts, in seconds.
pub const SESSION_TTL_SECS: i64 = 4 * 3600;

/// Routes of the session.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/session", post(exchange))
}

/// The signed-in player of a request.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Player {
    /// Internal player id.
    pub player_id: i64,
    /// The partner the player belongs to.
    pub partner_id: i64,
    /// The partner's user id.
    pub u_id: String,
    /// Nickname.
    pub nickname: Option<String>,
    /// Avatar URL.
    pub avatar: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    expires_at: i64,
    #[sqlx(flatten)]
    player: Player,
}

#[derive(sqlx::FromRow)]
struct Redeemed {
    player_id: i64,
    activity_id: i64,
}

/// `POST /api/v1/session`: the ticket works once; a second use is 2006, an
/// unknown or expired one 2005.
async fn exchange(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<SessionRequest>,
) -> ApiResult<SessionInfo> {
    let ticket = input.ticket.trim();
    if ticket.is_empty() || ticket.len() > 128 {
        return Err(AppError::code(ErrorCode::TicketInvalid));
    }
    let token = ids::random_hex(32);
    let now = now_secs();
    // `?` and `return` inside act on this handler; a refusal drops (rolls back) the transaction.
    let (player, activity_id) = on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let redeemed: Option<Redeemed> = sqlx::query_as(
            "UPDATE tickets SET used_at = $1 WHERE ticket = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING player_id, activity_id",
        )
        .bind(now)
        .bind(ticket)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(redeemed) = redeemed else {
            let used: Option<(Option<i64>,)> = sqlx::query_as("SELECT used_at FROM tickets WHERE ticket = $1")
                .bind(ticket)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match used {
                Some((Some(_),)) => AppError::code(ErrorCode::TicketUsed),
                _ => AppError::code(ErrorCode::TicketInvalid),
            });
        };
        sqlx::query("INSERT INTO sessions (token_hash, player_id, activity_id, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(ids::sha256_hex(token.as_bytes()))
            .bind(redeemed.player_id)
            .bind(redeemed.activity_id)
            .bind(now + SESSION_TTL_SECS)
            .execute(&mut *tx)
            .await?;
        // An opened activity page, for the figures (data/stats).
        sqlx::query("INSERT INTO activity_views (activity_id, player_id, created_at) VALUES ($1, $2, $3)")
            .bind(redeemed.activity_id)
            .bind(redeemed.player_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let player: Player = sqlx::query_as(
            "SELECT id AS player_id, partner_id, u_id, nickname, avatar FROM players WHERE id = $1",
        )
        .bind(redeemed.player_id)
        .fetch_one(&mut *tx)
        .await?;
        let (activity,): (String,) = sqlx::query_as("SELECT public_id FROM activities WHERE id = $1")
            .bind(redeemed.activity_id)
            .fetch_one(&mut *tx)
            .await?;
        let partner = state.caches.partner(&state.db, player.partner_id).await?;
        if partner.has(Callback::Events) {
            let event_id = format!("{activity}-v{}", &ids::sha256_hex(ticket.as_bytes())[..16]);
            let body = EventBody {
                event_id: event_id.clone(),
                kind: "view".into(),
                u_id: player.u_id.clone(),
                activity_id: activity.clone(),
                at: now,
                data: serde_json::Value::Null,
            };
            let message = Message::new(
                partner.id,
                Some(redeemed.activity_id),
                Callback::Events,
                event_id,
                None,
                &body,
            );
            outbox::enqueue!(tx, &message);
        }
        tx.commit().await?;
        (player, activity)
    });
    state.outbox_wake.notify_one();
    crate::live::joined(&state, &activity_id, player.player_id).await?;
    Ok(Reply(SessionInfo {
        token,
        expires_in: SESSION_TTL_SECS,
        activity_id,
        u_id: player.u_id,
        nickname: player.nickname,
        avatar: player.avatar,
    }))
}

impl FromRequestParts<AppState> for Player {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 128)
            .ok_or_else(|| AppError::code(ErrorCode::Unauthorized))?;
        let hash = ids::sha256_hex(token.as_bytes());
        let now = now_secs();
        if let Some(player) = state.caches.session(&hash, now) {
            return Ok(player);
        }
        let found: Option<(i64, Player)> = on_db!(&state.db, pool => {
            sqlx::query_as::<_, SessionRow>(
                "SELECT s.expires_at, p.id AS player_id, p.partner_id, p.u_id, p.nickname, p.avatar \
                 FROM sessions s JOIN players p ON p.id = s.player_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(&hash)
            .bind(now)
            .fetch_optional(pool)
            .await
            .map(|row| row.map(|r| (r.expires_at, r.player)))
        })?;
        let (expires_at, player) = found.ok_or_else(|| AppError::code(ErrorCode::Unauthorized))?;
        state
            .caches
            .remember_session(hash, player.clone(), expires_at);
        Ok(player)
    }
}
