//! The live big-screen lottery (大屏抽奖, activity kind `live`): the host's
//! requests, the screens' state, and the events of the push channel.
//!
//! # The push channel
//!
//! `GET /api/v1/live/{activity_id}/stream` is a Server-Sent Events stream
//! (`text/event-stream`), public like the big screen; open it with
//! `new EventSource(url)`. Each message has an `event:` name and one `data:`
//! line of JSON:
//!
//! | event | data | id |
//! |---|---|---|
//! | `pool` | [`PoolEvent`]: how many have joined and the newest joiners | none |
//! | `rolling` | [`RollingEvent`]: the host pressed start; names roll for this tier | yes |
//! | `winners` | [`WinnersEvent`]: the host pressed stop; the winners the server drew | yes |
//! | `stopped` | [`StoppedEvent`]: the host stopped rolling without a draw | yes |
//!
//! `rolling`, `winners` and `stopped` are stored with an `id:` that counts up
//! per activity. A new connection first gets a `pool` and then every stored
//! event so far (the latest 500), so a screen opened late rebuilds the state
//! (the phase, every winner) by applying them in order; a reconnecting
//! client sends `Last-Event-ID` (an `EventSource` does this by itself; or
//! `?after=<id>` in the URL) and gets only what it missed. `pool` carries no
//! id: it is a snapshot, sent on connect and whenever the count changes
//! (about once a second at most). Comment lines (`:`) are keep-alives.
//! Every server instance sharing the database delivers every event.
//!
//! **On a player's phone**: a winner recognises themself by
//! [`LiveWinner::player_ref`] = [`player_ref`] of their `u_id` (the session
//! answers the `u_id`), or by a [`LiveWinner::draw_id`] among the prizes of
//! `GET /api/v1/activities/{id}/me` (the prize, its code and delivery are
//! there as for any draw). Joining the pool is opening the activity with a
//! ticket (`POST /api/v1/session` on a `live` activity joins), or
//! `POST /api/v1/live/{id}/join` with the session's bearer token.
//!
//! ```text
//! event: winners
//! id: 4
//! data: {"round":2,"tier":{"prize_id":7,"name":"一等奖 · 蓝牙耳机",...},"winners":[{"draw_id":31,"name":"小明","avatar":null,"u_id":"u0***42","player_ref":"9f8e…"}],"pool":120}
//! ```

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::PrizeKind;

/// `rules.live` of a `live` activity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LiveRules {
    /// Whether someone who already won in this activity may win again in a
    /// later round (never twice in one round). Default: no.
    #[serde(default)]
    pub allow_repeat_winners: bool,
}

/// `live/host` (open API): a host link for the activity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostRequest {
    /// Which activity (of kind `live`).
    pub activity_id: String,
}

/// What `live/host` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostInfo {
    /// The host's page, token included: open it on the PC that drives the screen.
    pub host_url: String,
    /// The public big screen (no controls).
    pub screen_url: String,
    /// The host token (`Authorization: Bearer …` on the host endpoints).
    pub token: String,
    /// When the token stops working, unix seconds (a day after the activity ends).
    pub expires_at: i64,
}

/// `POST /api/v1/live/{id}/start` (host): names start rolling.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LiveStart {
    /// The tier (a prize id of the activity) about to be drawn, shown on
    /// screen; the first with winners left when absent.
    #[serde(default)]
    pub tier: Option<i64>,
    /// How many winners will be drawn.
    #[serde(default)]
    pub count: Option<i64>,
}

/// `POST /api/v1/live/{id}/stop` (host): the server draws the winners.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LiveStop {
    /// The tier to draw (a prize id); the one given at start when absent.
    #[serde(default)]
    pub tier: Option<i64>,
    /// How many winners (1–500); the one given at start, else all the tier
    /// has left. Fewer are drawn when fewer are left or eligible.
    #[serde(default)]
    pub count: Option<i64>,
    /// Stop rolling without drawing (pushes `stopped`).
    #[serde(default)]
    pub cancel: bool,
}

/// A person on screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LivePerson {
    /// The nickname, else the masked `u_id`.
    pub name: String,
    /// Avatar URL.
    pub avatar: Option<String>,
}

/// A tier (prize) of a live activity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveTier {
    /// The prize id.
    pub prize_id: i64,
    /// Its name, e.g. "一等奖 · 蓝牙耳机".
    pub name: String,
    /// What it is.
    pub kind: PrizeKind,
    /// Image URL.
    pub image: Option<String>,
    /// How many winners the tier has in all.
    pub stock_total: Option<i64>,
    /// How many are still to be drawn.
    pub stock_left: Option<i64>,
}

/// `pool`: who has joined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolEvent {
    /// How many have joined.
    pub count: i64,
    /// The newest joiners, newest first (at most 24).
    pub newest: Vec<LivePerson>,
}

/// `rolling`: the host pressed start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RollingEvent {
    /// The round number (counts up per activity).
    pub round: i64,
    /// The tier about to be drawn, if the host named one.
    pub tier: Option<LiveTier>,
    /// How many winners, if the host said.
    pub count: Option<i64>,
    /// A random sample of the pool (at most 60) to roll on screen.
    pub names: Vec<LivePerson>,
}

/// A winner on screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveWinner {
    /// The draw recorded for this win (it appears in the winner's `me`).
    pub draw_id: i64,
    /// The nickname, else the masked `u_id`.
    pub name: String,
    /// Avatar URL.
    pub avatar: Option<String>,
    /// The `u_id` masked for a public screen, e.g. `138****5678`.
    pub u_id: String,
    /// [`player_ref`] of the winner's `u_id`: a phone knows it is the winner.
    pub player_ref: String,
}

/// `winners`: the host pressed stop and the server drew.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WinnersEvent {
    /// The round number.
    pub round: i64,
    /// The tier drawn, with what it has left after this round.
    pub tier: LiveTier,
    /// The winners, in the order drawn.
    pub winners: Vec<LiveWinner>,
    /// How many were in the pool.
    pub pool: i64,
}

/// `stopped`: the host stopped rolling without a draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoppedEvent {
    /// The round number.
    pub round: i64,
}

/// `GET /api/v1/live/{id}`: what a screen shows now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveState {
    /// The activity's public id.
    pub activity_id: String,
    /// Its title.
    pub title: String,
    /// Its theme.
    pub theme: String,
    /// `idle` or `rolling`.
    pub phase: String,
    /// The current (or last) round number; 0 before the first.
    pub round: i64,
    /// The tiers in order, with what each has left.
    pub tiers: Vec<LiveTier>,
    /// Who has joined.
    pub pool: PoolEvent,
    /// Where a viewer joins (the QR code on screen).
    pub join_url: String,
    /// Whether someone may win in more than one round.
    pub allow_repeat_winners: bool,
}

/// What the host's start and stop answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostReply {
    /// `idle` or `rolling`.
    pub phase: String,
    /// The round number.
    pub round: i64,
    /// The winners drawn by this stop (empty for start and cancel).
    #[serde(default)]
    pub winners: Vec<LiveWinner>,
    /// The id of the event this pushed.
    pub event_id: i64,
}

/// A player's public reference: the first 16 hex digits of SHA-256 of the
/// partner's `u_id` (as in the provably-fair record).
pub fn player_ref(u_id: &str) -> String {
    hex::encode(&Sha256::digest(u_id.as_bytes())[..8])
}

/// `u_id` masked for a public screen: the first three and last two
/// characters of a long id (`138****5678` style), the first of a short one.
pub fn mask_u_id(u_id: &str) -> String {
    let chars: Vec<char> = u_id.chars().collect();
    let n = chars.len();
    if n <= 2 {
        return format!(
            "{}*",
            chars.first().map(|c| c.to_string()).unwrap_or_default()
        );
    }
    let (head, tail) = if n >= 8 {
        (3, 4)
    } else if n >= 5 {
        (2, 2)
    } else {
        (1, 1)
    };
    let mut out: String = chars[..head].iter().collect();
    out.push_str("****");
    out.extend(&chars[n - tail..]);
    out
}

/// The name a screen shows: the nickname, else the masked `u_id`.
pub fn display_name(nickname: Option<&str>, u_id: &str) -> String {
    match nickname.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_owned(),
        None => mask_u_id(u_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_masked_for_the_screen() {
        assert_eq!(mask_u_id("13812345678"), "138****5678");
        assert_eq!(mask_u_id("user42"), "us****42");
        assert_eq!(mask_u_id("abcd"), "a****d");
        assert_eq!(mask_u_id("ab"), "a*");
        assert_eq!(mask_u_id(""), "*");
        assert_eq!(display_name(Some(" 小明 "), "u1"), "小明");
        assert_eq!(display_name(None, "13812345678"), "138****5678");
    }

    #[test]
    fn the_player_ref_is_a_short_hash() {
        assert_eq!(player_ref("u1").len(), 16);
        assert_ne!(player_ref("u1"), player_ref("u2"));
    }
}
