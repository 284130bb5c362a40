//! Anti-farming (防羊毛党): per-activity blacklists by user and address,
//! per-user and per-address draw rate limits, and an automatic rule that puts
//! players on a review list — they can still play, but cannot win audited
//! prizes. Partners manage and read all of it through the open API.
//!
//! Rate limits are kept in memory per instance (GCRA, `governor`): with N
//! instances a client can reach at most N times the limit. Blacklists and
//! the review list live in the database and hold across instances.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::State;
use axum::http::HeaderMap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use huodong_shared::ErrorCode;
use huodong_shared::open::{BlacklistChange, RiskEntry, RiskList};

use crate::activities::model::Activity;
use crate::activities::validate;
use crate::db::{Db, now_secs};
use crate::error::{ApiResult, AppError, Reply};
use crate::on_db;
use crate::open::Signed;
use crate::state::AppState;

/// The in-memory draw rate limiters of this instance.
#[derive(Debug)]
pub struct Limiters {
    per_user: Option<DefaultKeyedRateLimiter<i64>>,
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

fn per_minute<K: std::hash::Hash + Eq + Clone>(n: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_minute(n)))
}

impl Limiters {
    /// Limits of `per_user` and `per_ip` draws a minute (0 turns one off).
    pub fn new(per_user: u32, per_ip: u32) -> Limiters {
        Limiters {
            per_user: per_minute(per_user),
            per_ip: per_minute(per_ip),
        }
    }

    /// Takes one draw from both budgets, or refuses with 1029.
    pub fn check(&self, player_id: i64, ip: IpAddr) -> Result<(), AppError> {
        let user_ok = self
            .per_user
            .as_ref()
            .is_none_or(|l| l.check_key(&player_id).is_ok());
        let ip_ok = self
            .per_ip
            .as_ref()
            .is_none_or(|l| l.check_key(&ip).is_ok());
        if user_ok && ip_ok {
            Ok(())
        } else {
            Err(AppError::code(ErrorCode::RateLimited))
        }
    }

    /// Forgets keys that are back to a full budget (memory stays bounded).
    pub fn shrink(&self) {
        if let Some(l) = &self.per_user {
            l.retain_recent();
        }
        if let Some(l) = &self.per_ip {
            l.retain_recent();
        }
    }
}

/// The client's address: the peer, or the first `X-Forwarded-For` entry when trusted.
pub fn client_ip(headers: &HeaderMap, peer: SocketAddr, trust_forwarded: bool) -> IpAddr {
    if trust_forwarded
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return ip;
    }
    peer.ip()
}

/// Refuses a blacklisted user or address (2008). The list is cached briefly
/// (see `cache.rs`); a change through the open API applies here at once.
pub async fn check_blacklist(
    state: &AppState,
    activity_id: i64,
    u_id: &str,
    ip: &str,
) -> Result<(), AppError> {
    let list = state.caches.blacklist(&state.db, activity_id).await?;
    let hit = list
        .iter()
        .any(|(kind, value)| (kind == "u_id" && value == u_id) || (kind == "ip" && value == ip));
    if hit {
        Err(AppError::code(ErrorCode::Blocked))
    } else {
        Ok(())
    }
}

/// The blacklist of an activity: `(kind, value)` pairs.
pub async fn load_blacklist(db: &Db, activity_id: i64) -> Result<Vec<(String, String)>, AppError> {
    Ok(on_db!(db, pool => {
        sqlx::query_as("SELECT kind, value FROM blacklist WHERE activity_id = $1")
            .bind(activity_id)
            .fetch_all(pool)
            .await
    })?)
}

/// Why a player was put on the review list.
pub fn review_reason(rule: &huodong_shared::open::RiskRules, ip: &str) -> String {
    format!(
        "{} 秒内同一地址 {} 次以上抽奖 ({ip})",
        rule.ip_window_secs, rule.ip_draws_max
    )
}

/// Inside a draw's transaction: applies the activity's automatic rule (flags
/// the player when their address made too many draws in the window) and
/// evaluates to whether the player is on the review list.
macro_rules! review_status {
    ($tx:expr, $activity:expr, $player_id:expr, $ip:expr, $now:expr) => {{
        let activity: &Activity = $activity;
        if let Some(rule) = activity.rules.risk {
            let (recent,): (i64,) = sqlx::query_as($crate::draw::sql::RECENT_FROM_IP)
                .bind(activity.id)
                .bind($ip)
                .bind($now - rule.ip_window_secs)
                .fetch_one(&mut *$tx)
                .await?;
            if recent >= rule.ip_draws_max {
                sqlx::query($crate::draw::sql::FLAG_FOR_REVIEW)
                    .bind(activity.id)
                    .bind($player_id)
                    .bind($crate::risk::review_reason(&rule, &$ip.to_string()))
                    .bind($now)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
        let listed: Option<(i64,)> = sqlx::query_as($crate::draw::sql::ON_REVIEW)
            .bind(activity.id)
            .bind($player_id)
            .fetch_optional(&mut *$tx)
            .await?;
        listed.is_some()
    }};
}
pub(crate) use review_status;

/// `risk/blacklist`: add or remove a user or address.
#[utoipa::path(post, path = "/open/v1/risk/blacklist", tag = "open", request_body = BlacklistChange, responses((status = 200, body = RiskList)))]
pub async fn blacklist(
    State(state): State<AppState>,
    signed: Signed<BlacklistChange>,
) -> ApiResult<RiskList> {
    let input = signed.body;
    let activity = Activity::owned_by(&state.db, &input.activity_id, signed.partner.id).await?;
    if input.kind != "u_id" && input.kind != "ip" {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "kind: 须为 u_id 或 ip",
        ));
    }
    let value = validate::text("value", &input.value, 1, 64)?;
    if input.kind == "ip" && value.parse::<IpAddr>().is_err() {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "value: 不是有效的 IP 地址",
        ));
    }
    let reason = validate::text("reason", input.reason.as_deref().unwrap_or(""), 0, 100)?;
    match input.action.as_str() {
        "add" => on_db!(&state.db, pool => {
            sqlx::query(
                "INSERT INTO blacklist (activity_id, kind, value, reason, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (activity_id, kind, value) DO UPDATE SET reason = excluded.reason",
            )
            .bind(activity.id)
            .bind(&input.kind)
            .bind(&value)
            .bind(&reason)
            .bind(now_secs())
            .execute(pool)
            .await
            .map(|_| ())
        })?,
        "remove" => on_db!(&state.db, pool => {
            sqlx::query("DELETE FROM blacklist WHERE activity_id = $1 AND kind = $2 AND value = $3")
                .bind(activity.id)
                .bind(&input.kind)
                .bind(&value)
                .execute(pool)
                .await
                .map(|_| ())
        })?,
        _ => {
            return Err(AppError::with_msg(
                ErrorCode::Validation,
                "action: 须为 add 或 remove",
            ));
        }
    }
    state.caches.forget_blacklist(activity.id);
    Ok(Reply(list_of(&state.db, activity.id).await?))
}

/// `risk/list`: the blacklist and the review list of an activity.
#[utoipa::path(post, path = "/open/v1/risk/list", tag = "open", request_body = huodong_shared::open::ActivityRef, responses((status = 200, body = RiskList)))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed<huodong_shared::open::ActivityRef>,
) -> ApiResult<RiskList> {
    let activity =
        Activity::owned_by(&state.db, &signed.body.activity_id, signed.partner.id).await?;
    Ok(Reply(list_of(&state.db, activity.id).await?))
}

type BlacklistRow = (String, String, String, i64);
type ReviewRow = (String, String, i64);

async fn list_of(db: &Db, activity_id: i64) -> Result<RiskList, AppError> {
    let (blacklist, review): (Vec<BlacklistRow>, Vec<ReviewRow>) = on_db!(db, pool => {
        let b = sqlx::query_as(
            "SELECT kind, value, reason, created_at FROM blacklist WHERE activity_id = $1 ORDER BY created_at, value",
        )
        .bind(activity_id)
        .fetch_all(pool)
        .await?;
        let r = sqlx::query_as(
            "SELECT p.u_id, r.reason, r.created_at FROM review_list r JOIN players p ON p.id = r.player_id \
             WHERE r.activity_id = $1 ORDER BY r.created_at, p.u_id",
        )
        .bind(activity_id)
        .fetch_all(pool)
        .await?;
        (b, r)
    });
    Ok(RiskList {
        blacklist: blacklist
            .into_iter()
            .map(|(kind, value, reason, at)| RiskEntry {
                kind,
                value,
                reason,
                at,
            })
            .collect(),
        review: review
            .into_iter()
            .map(|(value, reason, at)| RiskEntry {
                kind: "review".into(),
                value,
                reason,
                at,
            })
            .collect(),
    })
}
