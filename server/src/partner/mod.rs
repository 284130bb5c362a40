//! The partner side of the integration: each partner's settings (callback
//! URLs, timeout, allowed origins, login URL), the synchronous callbacks a
//! player waits for (condition check, points deduct, coupon list), and the
//! open-API endpoints that manage them. Calls that must not be lost (events,
//! coupon issue, points add and refunds) go through [`crate::outbox`].

pub mod audit;
pub mod client;
pub mod points;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::IntoResponse;
use huodong_shared::ErrorCode;
use huodong_shared::partner::{
    Callback, ConditionAnswer, ConditionCheck, CouponList, CouponListRequest, PartnerConfig,
    PartnerConfigChange,
};

use crate::activities::model::Activity;
use crate::db::{Db, now_secs};
use crate::error::{ApiResult, AppError, Reply};
use crate::on_db;
use crate::open::Signed;
use crate::session::Player;
use crate::state::AppState;

pub use client::CallError;

/// A partner with its settings, as the runtime uses them.
#[derive(Clone)]
pub struct PartnerConf {
    /// Internal id.
    pub id: i64,
    /// Public app id.
    pub app_id: String,
    /// The shared secret: signs callbacks; never logged or answered.
    pub secret: String,
    /// Callback URLs and the rest.
    pub config: PartnerConfig,
}

impl std::fmt::Debug for PartnerConf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartnerConf")
            .field("id", &self.id)
            .field("app_id", &self.app_id)
            .field("secret", &"<redacted>")
            .field("config", &self.config)
            .finish()
    }
}

impl PartnerConf {
    /// Whether the partner implements a callback.
    pub fn has(&self, callback: Callback) -> bool {
        self.config.callbacks.get(callback).is_some()
    }

    /// Loads a partner by internal id.
    pub async fn load(db: &Db, id: i64) -> Result<PartnerConf, AppError> {
        let row: Option<(i64, String, String, String)> = on_db!(db, pool => {
            sqlx::query_as("SELECT id, app_id, secret, config FROM partners WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        let (id, app_id, secret, config) = row.ok_or_else(|| AppError::not_found("合作方"))?;
        let config = serde_json::from_str(&config).unwrap_or_else(|err| {
            tracing::error!(partner = id, error = %err, "unreadable partner config; using none");
            PartnerConfig::default()
        });
        Ok(PartnerConf {
            id,
            app_id,
            secret,
            config,
        })
    }
}

/// Checks a configuration before it is stored.
pub fn validate_config(config: &PartnerConfig) -> Result<(), AppError> {
    let bad = |msg: String| AppError::with_msg(ErrorCode::Validation, msg);
    for &callback in Callback::ALL {
        if let Some(url) = config.callbacks.get(callback) {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() <= 500
                && reqwest::Url::parse(url).is_ok();
            if !ok {
                return Err(bad(format!(
                    "callbacks.{}: 须为 http(s) 地址，最长 500 个字符",
                    callback.as_str()
                )));
            }
        }
    }
    if let Some(ms) = config.timeout_ms
        && !(100..=30_000).contains(&ms)
    {
        return Err(bad("timeout_ms: 须在 100 到 30000 之间".into()));
    }
    if config.allowed_origins.len() > 20 {
        return Err(bad("allowed_origins: 最多 20 个".into()));
    }
    for origin in &config.allowed_origins {
        let parsed = reqwest::Url::parse(origin).ok();
        let exact = parsed.as_ref().is_some_and(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some()
                && u.path() == "/"
                && u.query().is_none()
                && !origin.ends_with('/')
        });
        if !exact {
            return Err(bad(format!(
                "allowed_origins: {origin} 须为来源（如 https://shop.example.com），不带路径，不可用 *"
            )));
        }
    }
    if let Some(url) = &config.login_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(bad("login_url: 须为 http(s) 地址".into()));
    }
    Ok(())
}

/// `partner/config`: reads, or with `config` replaces, the caller's settings.
/// The answer never carries the secret.
#[utoipa::path(post, path = "/open/v1/partner/config", tag = "open", request_body = PartnerConfigChange, responses((status = 200, body = PartnerConfig)))]
pub async fn config(
    State(state): State<AppState>,
    signed: Signed<PartnerConfigChange>,
) -> ApiResult<PartnerConfig> {
    if let Some(config) = signed.body.config {
        validate_config(&config)?;
        let text = serde_json::to_string(&config).map_err(anyhow::Error::from)?;
        on_db!(&state.db, pool => {
            sqlx::query("UPDATE partners SET config = $1 WHERE id = $2")
                .bind(&text)
                .bind(signed.partner.id)
                .execute(pool)
                .await
                .map(|_| ())
        })?;
        state.caches.forget_partner(signed.partner.id);
        tracing::info!(app_id = %signed.partner.app_id, "partner config changed");
    }
    let partner = PartnerConf::load(&state.db, signed.partner.id).await?;
    Ok(Reply(partner.config))
}

/// `partner/coupons`: one page of the partner's own coupon list, through its
/// coupon list callback, for choosing coupon prizes. A partner error answers
/// 9003 with the partner's message.
#[utoipa::path(post, path = "/open/v1/partner/coupons", tag = "open", request_body = CouponListRequest, responses((status = 200, body = CouponList)))]
pub async fn coupons(
    State(state): State<AppState>,
    signed: Signed<CouponListRequest>,
) -> ApiResult<CouponList> {
    let page = signed.body;
    if page.page < 1 || !(1..=100).contains(&page.page_size) {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "page 须 ≥ 1，page_size 须在 1 到 100 之间",
        ));
    }
    let partner = state.caches.partner(&state.db, signed.partner.id).await?;
    let result = client::call(&state.http, &partner, Callback::CouponList, &page).await;
    let value = result.map_err(|err| {
        tracing::warn!(app_id = %partner.app_id, error = %err, "coupon list failed");
        AppError::with_msg(
            ErrorCode::CouponListFailed,
            err.partner_msg()
                .unwrap_or(ErrorCode::CouponListFailed.msg_zh()),
        )
    })?;
    let list: CouponList = serde_json::from_value(value).map_err(|err| {
        AppError::with_msg(
            ErrorCode::CouponListFailed,
            format!("优惠券列表格式不符合约定: {err}"),
        )
    })?;
    Ok(Reply(list))
}

/// How long a condition answer is reused for one player and activity.
pub const CONDITION_TTL: Duration = Duration::from_secs(30);

/// The partner's condition check, when the activity asks for it: `Ok` when
/// the player may play; 2009 with the partner's message when not; 2010 when
/// the partner did not answer (the player is never let in on a guess).
pub async fn check_condition(
    state: &AppState,
    activity: &Activity,
    player: &Player,
) -> Result<(), AppError> {
    if !activity.rules.condition_check {
        return Ok(());
    }
    let partner = state.caches.partner(&state.db, activity.partner_id).await?;
    if !partner.has(Callback::Condition) {
        return Ok(());
    }
    let key = (activity.id, player.player_id);
    let answer = match state.caches.condition(key) {
        Some(answer) => answer,
        None => {
            let body = ConditionCheck {
                u_id: player.u_id.clone(),
                activity_id: activity.public_id.clone(),
            };
            let value = client::call(&state.http, &partner, Callback::Condition, &body)
                .await
                .map_err(|err| {
                    tracing::warn!(app_id = %partner.app_id, error = %err, "condition check failed");
                    match err.partner_msg() {
                        Some(msg) => AppError::with_msg(ErrorCode::NotAllowed, msg),
                        None => AppError::code(ErrorCode::PartnerUnavailable),
                    }
                })?;
            let answer: ConditionAnswer = serde_json::from_value(value).map_err(|_| {
                AppError::with_msg(
                    ErrorCode::PartnerUnavailable,
                    "参与条件校验异常，请稍后再试",
                )
            })?;
            let answer = Arc::new(answer);
            state.caches.remember_condition(key, answer.clone());
            answer
        }
    };
    if answer.allowed {
        Ok(())
    } else if answer.msg.trim().is_empty() {
        Err(AppError::code(ErrorCode::NotAllowed))
    } else {
        Err(AppError::with_msg(
            ErrorCode::NotAllowed,
            answer.msg.clone(),
        ))
    }
}

/// `GET /api/v1/activities/{id}/login`: a player who arrives without a ticket
/// (a shared link) is sent to the partner's `login_url` with `redirect_url`
/// (the activity's page) and `activity_id`. The partner signs the user in,
/// asks `user/ticket` for them and sends them to the `play_url` it answers:
/// the one-time ticket there signs them in, with no second login.
pub async fn login_redirect(
    State(state): State<AppState>,
    axum::extract::Path(public_id): axum::extract::Path<String>,
) -> Result<axum::response::Response, AppError> {
    let activity = state.caches.activity(&state.db, &public_id).await?;
    let partner = state.caches.partner(&state.db, activity.partner_id).await?;
    let Some(login) = partner.config.login_url.as_deref() else {
        return Err(AppError::with_msg(
            ErrorCode::NotFound,
            "请从合作方的 App 或页面进入活动",
        ));
    };
    let mut url = reqwest::Url::parse(login)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored login_url: {e}")))?;
    let back = format!("{}/a/{}", state.config.public_url(), activity.public_id);
    url.query_pairs_mut()
        .append_pair("redirect_url", &back)
        .append_pair("activity_id", &activity.public_id);
    Ok(axum::response::Redirect::to(url.as_str()).into_response())
}

/// The `Content-Security-Policy` of a page: `frame-ancestors` lists exactly
/// the origins the activity's partner allows to embed it (never `*`).
pub async fn frame_ancestors(state: &AppState, path: &str) -> String {
    let origins = match path.strip_prefix("/a/") {
        Some(rest) => {
            let public_id = rest.split('/').next().unwrap_or_default();
            match state.caches.activity(&state.db, public_id).await {
                Ok(activity) => state
                    .caches
                    .partner(&state.db, activity.partner_id)
                    .await
                    .map(|p| p.config.allowed_origins.clone())
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    frame_policy(&origins)
}

/// `frame-ancestors 'self' <origins>`: the runtime and exactly these origins
/// (never `*`) may frame a page.
pub fn frame_policy(origins: &[String]) -> String {
    let mut policy = String::from("frame-ancestors 'self'");
    for origin in origins {
        policy.push(' ');
        policy.push_str(origin);
    }
    policy
}

/// Now in unix milliseconds (the outbox's clock).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(now_secs() * 1000)
}
