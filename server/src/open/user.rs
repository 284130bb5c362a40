//! `user/ticket`: a one-time launch ticket for a partner's user.

use axum::extract::State;
use huodong_shared::open::{TicketInfo, TicketRequest};

use super::Signed;
use crate::activities::model::Activity;
use crate::activities::validate;
use crate::db::{BeginWrite, now_secs};
use crate::error::{ApiResult, Reply};
use crate::ids;
use crate::on_db;
use crate::state::AppState;

/// Seconds a launch ticket stays valid.
pub const TICKET_TTL_SECS: i64 = 300;

/// Creates (or refreshes) the player and issues a ticket for the activity.
#[utoipa::path(post, path = "/open/v1/user/ticket", tag = "open", request_body = TicketRequest, responses((status = 200, body = TicketInfo)))]
pub async fn ticket(
    State(state): State<AppState>,
    signed: Signed<TicketRequest>,
) -> ApiResult<TicketInfo> {
    let input = signed.body;
    let u_id = validate::text("u_id", &input.u_id, 1, 64)?;
    let nickname = match input
        .nickname
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) => Some(validate::text("nickname", n, 1, 32)?),
        None => None,
    };
    let avatar = validate::url("avatar", input.avatar.as_deref())?;
    let activity = Activity::owned_by(&state.db, &input.activity_id, signed.partner.id).await?;
    let ticket = ids::random_hex(24);
    let now = now_secs();
    on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let (player_id,): (i64,) = sqlx::query_as(
            "INSERT INTO players (partner_id, u_id, nickname, avatar, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (partner_id, u_id) DO UPDATE SET \
             nickname = COALESCE(excluded.nickname, players.nickname), \
             avatar = COALESCE(excluded.avatar, players.avatar) RETURNING id",
        )
        .bind(signed.partner.id)
        .bind(&u_id)
        .bind(&nickname)
        .bind(&avatar)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO tickets (ticket, player_id, activity_id, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&ticket)
            .bind(player_id)
            .bind(activity.id)
            .bind(now + TICKET_TTL_SECS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })?;
    let play_url = format!(
        "{}/a/{}?ticket={ticket}",
        state.config.public_url(),
        activity.public_id
    );
    Ok(Reply(TicketInfo {
        ticket,
        expires_in: TICKET_TTL_SECS,
        play_url,
    }))
}
