//! The live big-screen lottery (大屏抽奖, kind `live`): viewers join a pool by
//! opening the activity with a ticket; a host with a host token starts the
//! names rolling and stops them; the server then draws N winners of a tier
//! at once and every screen and phone hears it through a push channel.
//!
//! - **Host token**: `live/host` (open API) answers a random token, stored
//!   hashed and good for one activity until a day after its end; the host
//!   endpoints take it as `Authorization: Bearer …`.
//! - **The draw** ([`draw_round`]) is one transaction: the `rolling → idle`
//!   step of `live_state` (so one start gives one draw, on any number of
//!   instances), the eligible pool (joined, not blacklisted, not a winner
//!   before unless `rules.live.allow_repeat_winners`, under the tier's
//!   per-user cap), N picks without replacement from the thread CSPRNG, and
//!   for each winner a draw row (source `live`, roll = the index picked,
//!   weight_total = how many were left to pick from) that takes the stock
//!   with the same guarded statement as every draw, claims a code, and
//!   enqueues the partner's win event and prize delivery in the outbox; the
//!   round with its eligible list (`live_rounds`) and the `winners` event.
//! - **Push**: events are rows of `live_events`; [`hub`] fans them out,
//!   [`stream`] serves them as Server-Sent Events with resumption by id.
//! - **Screens**: [`page`] renders the big screen and the host's page.

pub mod hub;
pub mod page;
pub mod stream;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
use huodong_shared::ErrorCode;
use huodong_shared::api::{ActivityKind, PrizeKind};
use huodong_shared::live::{
    HostInfo, HostReply, HostRequest, LivePerson, LiveRules, LiveStart, LiveState, LiveStop,
    LiveTier, LiveWinner, PoolEvent, RollingEvent, StoppedEvent, WinnersEvent, display_name,
    mask_u_id, player_ref,
};
use huodong_shared::open::{PrizeInput, Rules};

use crate::activities::model::{Activity, Prize};
use crate::db::{BeginWrite, Db, now_secs};
use crate::draw::{self, claim_code, draw_messages, initial_delivery, needs_audit, take_prize};
use crate::error::{ApiJson, ApiResult, AppError, Reply};
use crate::ids;
use crate::on_db;
use crate::open::Signed;
use crate::outbox;
use crate::session::Player;
use crate::state::AppState;

use self::hub::Frame;

/// Most winners one stop draws.
pub const MAX_WINNERS: i64 = 500;
/// Stored events a new connection replays.
pub const REPLAY: i64 = 500;
/// Newest joiners a `pool` snapshot names.
const NEWEST: i64 = 24;
/// Names a `rolling` event carries for the screen to roll.
const ROLLING_NAMES: i64 = 60;

/// Routes of the live lottery: the host endpoints, the stream, the state,
/// joining, and the two screens (`live/host` is in the open API's table).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/live/{id}", get(state_of))
        .route("/api/v1/live/{id}/stream", get(stream::stream))
        .route("/api/v1/live/{id}/start", post(start))
        .route("/api/v1/live/{id}/stop", post(stop))
        .route("/api/v1/live/{id}/join", post(join))
        .route("/live/{id}", get(page::screen))
        .route("/live/{id}/host", get(page::host))
}

/// The rules a `live` activity may have: `rules.live` only on this kind, and
/// not the modes a pool draw does not have (provably-fair seeds per player
/// draw, the partner deciding a player's prize, games).
pub fn check_rules(kind: ActivityKind, rules: &Rules) -> Result<(), AppError> {
    let invalid = |field: &str, msg: &str| {
        AppError::with_msg(ErrorCode::Validation, format!("{field}: {msg}"))
    };
    if kind != ActivityKind::Live {
        if rules.live.is_some() {
            return Err(invalid("rules.live", "只有大屏抽奖活动可以设置"));
        }
        return Ok(());
    }
    if rules.provably_fair {
        return Err(invalid(
            "rules.provably_fair",
            "大屏抽奖不支持可验证公平模式（每轮的候选名单与抽取序号记录在案）",
        ));
    }
    if rules.partner_decides {
        return Err(invalid(
            "rules.partner_decides",
            "大屏抽奖的中奖者由服务器从参与者中抽取",
        ));
    }
    Ok(())
}

/// A live activity's tiers as sent: a tier's weight means nothing (winners
/// are drawn from people, not by odds), so every tier is stored with
/// probability 0. Other kinds pass through.
pub fn tier_inputs(kind: ActivityKind, prizes: &[PrizeInput]) -> Vec<PrizeInput> {
    let mut prizes = prizes.to_vec();
    if kind == ActivityKind::Live {
        for p in &mut prizes {
            p.weight = None;
            p.probability = Some(0.0);
        }
    }
    prizes
}

/// Checks a live activity's tiers: at least one, none "thanks", each with a
/// stock (how many winners it has).
pub fn check_tiers(
    kind: ActivityKind,
    prizes: &[crate::activities::validate::NewPrize],
) -> Result<(), AppError> {
    if kind != ActivityKind::Live {
        return Ok(());
    }
    let invalid = |field: String, msg: &str| {
        AppError::with_msg(ErrorCode::Validation, format!("{field}: {msg}"))
    };
    if prizes.is_empty() {
        return Err(invalid("prizes".into(), "大屏抽奖须设置至少一个奖项"));
    }
    for (i, p) in prizes.iter().enumerate() {
        if p.kind == PrizeKind::Thanks {
            return Err(invalid(
                format!("prizes[{i}].kind"),
                "大屏抽奖的奖项不能是谢谢参与",
            ));
        }
        if p.stock.is_none_or(|s| s < 1) {
            return Err(invalid(
                format!("prizes[{i}].stock"),
                "大屏抽奖的奖项须设置中奖人数（stock，至少 1）",
            ));
        }
    }
    Ok(())
}

fn live_rules(activity: &Activity) -> LiveRules {
    activity.rules.live.clone().unwrap_or_default()
}

/// A live activity by public id (404 for another kind).
pub async fn live_activity(state: &AppState, public_id: &str) -> Result<Arc<Activity>, AppError> {
    if public_id.is_empty() || public_id.len() > 64 {
        return Err(AppError::not_found("活动"));
    }
    let activity = state.caches.activity(&state.db, public_id).await?;
    if activity.kind != ActivityKind::Live {
        return Err(AppError::with_msg(
            ErrorCode::NotFound,
            "该活动不是大屏抽奖",
        ));
    }
    Ok(activity)
}

/// The activity a host token in `headers` drives: 1002 without a token or
/// with an unknown or expired one, 1003 with another activity's.
pub async fn host_of(
    state: &AppState,
    headers: &HeaderMap,
    public_id: &str,
) -> Result<Arc<Activity>, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .ok_or_else(|| AppError::with_msg(ErrorCode::Unauthorized, "需要主持人令牌"))?;
    check_host_token(state, token, public_id).await
}

/// The activity `token` is a host token of, if it is `public_id`'s.
pub async fn check_host_token(
    state: &AppState,
    token: &str,
    public_id: &str,
) -> Result<Arc<Activity>, AppError> {
    let activity = live_activity(state, public_id).await?;
    let hash = ids::sha256_hex(token.as_bytes());
    let found: Option<(i64,)> = on_db!(&state.db, pool => {
        sqlx::query_as("SELECT activity_id FROM live_hosts WHERE token_hash = $1 AND expires_at > $2")
            .bind(&hash)
            .bind(now_secs())
            .fetch_optional(pool)
            .await
    })?;
    match found {
        None => Err(AppError::with_msg(
            ErrorCode::Unauthorized,
            "主持人令牌无效或已过期",
        )),
        Some((id,)) if id != activity.id => Err(AppError::with_msg(
            ErrorCode::Forbidden,
            "该主持人令牌不属于这个活动",
        )),
        Some(_) => Ok(activity),
    }
}

/// `live/host` (open API): a new host token for a live activity, with the
/// host's and the screen's links.
#[utoipa::path(post, path = "/open/v1/live/host", tag = "open", request_body = HostRequest, responses((status = 200, body = HostInfo)))]
pub async fn host_link(
    State(state): State<AppState>,
    signed: Signed<HostRequest>,
) -> ApiResult<HostInfo> {
    let activity =
        Activity::owned_by(&state.db, &signed.body.activity_id, signed.partner.id).await?;
    if activity.kind != ActivityKind::Live {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "activity_id: 该活动不是大屏抽奖（live）",
        ));
    }
    Ok(Reply(new_host(&state, &activity).await?))
}

/// A new host token for live activity `activity`, with the host's and the
/// screen's links (the open API's `live/host`, and the demo's at start).
pub async fn new_host(state: &AppState, activity: &Activity) -> Result<HostInfo, AppError> {
    let token = ids::random_hex(24);
    let now = now_secs();
    let expires_at = activity.ends_at.max(now) + 86_400;
    on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("INSERT INTO live_hosts (token_hash, activity_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(ids::sha256_hex(token.as_bytes()))
            .bind(activity.id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO live_state (activity_id) VALUES ($1) ON CONFLICT (activity_id) DO NOTHING")
            .bind(activity.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })?;
    let base = state.config.public_url();
    Ok(HostInfo {
        host_url: format!("{base}/live/{}/host?token={token}", activity.public_id),
        screen_url: format!("{base}/live/{}", activity.public_id),
        token,
        expires_at,
    })
}

/// Where a viewer joins: the activity's player page (a visitor without a
/// ticket goes through the partner's login and comes back with one).
pub fn join_url(state: &AppState, activity: &Activity) -> String {
    format!("{}/a/{}", state.config.public_url(), activity.public_id)
}

/// Puts a player in a live activity's pool (idempotent). Called when a
/// ticket for the activity is exchanged; nothing for other kinds.
pub async fn joined(state: &AppState, public_id: &str, player_id: i64) -> Result<(), AppError> {
    let activity = state.caches.activity(&state.db, public_id).await?;
    if activity.kind != ActivityKind::Live {
        return Ok(());
    }
    let added = on_db!(&state.db, pool => {
        sqlx::query(
            "INSERT INTO live_pool (activity_id, player_id, joined_at) VALUES ($1, $2, $3) \
             ON CONFLICT (activity_id, player_id) DO NOTHING",
        )
        .bind(activity.id)
        .bind(player_id)
        .bind(now_secs())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    if added > 0 {
        state.live.pool_changed(activity.id);
    }
    Ok(())
}

/// `POST /api/v1/live/{id}/join` (player's bearer token): joins the pool
/// (opening the activity with a ticket already did); answers the pool.
async fn join(
    State(state): State<AppState>,
    player: Player,
    Path(public_id): Path<String>,
) -> ApiResult<PoolEvent> {
    let activity = draw::activity_for(&state, &player, &public_id).await?;
    if activity.kind != ActivityKind::Live {
        return Err(AppError::with_msg(
            ErrorCode::NotFound,
            "该活动不是大屏抽奖",
        ));
    }
    joined(&state, &public_id, player.player_id).await?;
    Ok(Reply(pool_snapshot(&state.db, activity.id).await?))
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    u_id: String,
    nickname: Option<String>,
    avatar: Option<String>,
}

impl PersonRow {
    fn person(self) -> LivePerson {
        LivePerson {
            name: display_name(self.nickname.as_deref(), &self.u_id),
            avatar: self.avatar,
        }
    }
}

/// How many have joined.
pub async fn pool_count(db: &Db, activity_id: i64) -> Result<i64, AppError> {
    Ok(on_db!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM live_pool WHERE activity_id = $1")
            .bind(activity_id)
            .fetch_one(pool)
            .await
    })?)
}

/// The pool: its size and the newest joiners.
pub async fn pool_snapshot(db: &Db, activity_id: i64) -> Result<PoolEvent, AppError> {
    let count = pool_count(db, activity_id).await?;
    let rows: Vec<PersonRow> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT p.u_id, p.nickname, p.avatar FROM live_pool lp JOIN players p ON p.id = lp.player_id \
             WHERE lp.activity_id = $1 ORDER BY lp.joined_at DESC, lp.player_id DESC LIMIT $2",
        )
        .bind(activity_id)
        .bind(NEWEST)
        .fetch_all(pool)
        .await
    })?;
    Ok(PoolEvent {
        count,
        newest: rows.into_iter().map(PersonRow::person).collect(),
    })
}

/// A `pool` frame.
pub fn pool_frame(pool: &PoolEvent) -> Frame {
    Frame {
        seq: None,
        kind: "pool".into(),
        data: serde_json::to_string(pool).unwrap_or_default(),
    }
}

/// The highest event id of an activity (0 before any).
pub async fn max_seq(db: &Db, activity_id: i64) -> Result<i64, AppError> {
    Ok(on_db!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(seq), 0) FROM live_events WHERE activity_id = $1")
            .bind(activity_id)
            .fetch_one(pool)
            .await
    })?)
}

/// Stored events after id `after`, in order, at most `limit`.
pub async fn events_after(
    db: &Db,
    activity_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<Frame>, AppError> {
    let rows: Vec<(i64, String, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT seq, kind, data FROM live_events WHERE activity_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(activity_id)
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(seq, kind, data)| Frame {
            seq: Some(seq),
            kind,
            data,
        })
        .collect())
}

fn tier_of(prize: &Prize) -> LiveTier {
    LiveTier {
        prize_id: prize.id,
        name: prize.name.clone(),
        kind: prize.kind(),
        image: prize.image.clone(),
        stock_total: prize.stock_total,
        stock_left: prize.stock_left,
    }
}

#[derive(sqlx::FromRow)]
struct StateRow {
    phase: String,
    round: i64,
}

/// `GET /api/v1/live/{id}`: what a screen shows now (public).
async fn state_of(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
) -> ApiResult<LiveState> {
    let activity = live_activity(&state, &public_id).await?;
    Ok(Reply(live_state(&state, &activity).await?))
}

/// The state of a live activity.
pub async fn live_state(state: &AppState, activity: &Activity) -> Result<LiveState, AppError> {
    let prizes = activity.prizes(&state.db).await?;
    let row: Option<StateRow> = on_db!(&state.db, pool => {
        sqlx::query_as("SELECT phase, round FROM live_state WHERE activity_id = $1")
            .bind(activity.id)
            .fetch_optional(pool)
            .await
    })?;
    let (phase, round) = row.map_or(("idle".to_owned(), 0), |r| (r.phase, r.round));
    Ok(LiveState {
        activity_id: activity.public_id.clone(),
        title: activity.title.clone(),
        theme: activity.theme.clone(),
        phase,
        round,
        tiers: prizes.iter().map(tier_of).collect(),
        pool: pool_snapshot(&state.db, activity.id).await?,
        join_url: join_url(state, activity),
        allow_repeat_winners: live_rules(activity).allow_repeat_winners,
    })
}

/// Appends an event inside an open transaction; evaluates to its id. Taking
/// the id locks the activity's `live_state` row until the commit, so one
/// activity's events commit in id order.
macro_rules! push_event {
    ($tx:expr, $activity_id:expr, $kind:expr, $data:expr, $now:expr) => {{
        let (seq,): (i64,) = sqlx::query_as(
            "UPDATE live_state SET event_seq = event_seq + 1 WHERE activity_id = $1 RETURNING event_seq",
        )
        .bind($activity_id)
        .fetch_one(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO live_events (activity_id, seq, kind, data, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($activity_id)
        .bind(seq)
        .bind($kind)
        .bind(serde_json::to_string($data).map_err(anyhow::Error::from)?)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
        seq
    }};
}

fn check_count(count: Option<i64>) -> Result<(), AppError> {
    match count {
        Some(n) if !(1..=MAX_WINNERS).contains(&n) => Err(AppError::with_msg(
            ErrorCode::Validation,
            format!("count: 须在 1 到 {MAX_WINNERS} 之间"),
        )),
        _ => Ok(()),
    }
}

fn no_such_tier() -> AppError {
    AppError::with_msg(ErrorCode::Validation, "tier: 没有这个奖项")
}

/// `POST /api/v1/live/{id}/start` (host token): names start rolling; pushes
/// `rolling`. Without a tier, the first with winners left. Starting again
/// while rolling changes the tier shown.
async fn start(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<LiveStart>,
) -> ApiResult<HostReply> {
    let activity = host_of(&state, &headers, &public_id).await?;
    let now = now_secs();
    activity.check_open(now)?;
    check_count(input.count)?;
    let prizes = activity.prizes(&state.db).await?;
    let tier = match input.tier {
        Some(id) => Some(
            prizes
                .iter()
                .find(|p| p.id == id)
                .ok_or_else(no_such_tier)?,
        ),
        // The first tier with winners left to draw.
        None => prizes.iter().find(|p| p.stock_left.is_none_or(|s| s > 0)),
    };
    let names: Vec<PersonRow> = on_db!(&state.db, pool => {
        sqlx::query_as(
            "SELECT p.u_id, p.nickname, p.avatar FROM live_pool lp JOIN players p ON p.id = lp.player_id \
             WHERE lp.activity_id = $1 ORDER BY RANDOM() LIMIT $2",
        )
        .bind(activity.id)
        .bind(ROLLING_NAMES)
        .fetch_all(pool)
        .await
    })?;
    let names: Vec<LivePerson> = names.into_iter().map(PersonRow::person).collect();
    let (round, event_id) = on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("INSERT INTO live_state (activity_id) VALUES ($1) ON CONFLICT (activity_id) DO NOTHING")
            .bind(activity.id)
            .execute(&mut *tx)
            .await?;
        let (round,): (i64,) = sqlx::query_as(
            "UPDATE live_state SET round = CASE WHEN phase = 'rolling' THEN round ELSE round + 1 END, \
             phase = 'rolling', tier_id = $2, tier_count = $3 WHERE activity_id = $1 RETURNING round",
        )
        .bind(activity.id)
        .bind(tier.map(|t| t.id))
        .bind(input.count)
        .fetch_one(&mut *tx)
        .await?;
        let event = RollingEvent {
            round,
            tier: tier.map(tier_of),
            count: input.count,
            names,
        };
        let seq = push_event!(tx, activity.id, "rolling", &event, now);
        tx.commit().await?;
        (round, seq)
    });
    state.live.wake();
    Ok(Reply(HostReply {
        phase: "rolling".into(),
        round,
        winners: Vec::new(),
        event_id,
    }))
}

/// `POST /api/v1/live/{id}/stop` (host token): draws the winners (pushes
/// `winners`; only while the activity is open), or with `cancel` stops
/// without a draw (pushes `stopped`; also after the end). 1009 when the
/// names are not rolling.
async fn stop(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<LiveStop>,
) -> ApiResult<HostReply> {
    let activity = host_of(&state, &headers, &public_id).await?;
    let now = now_secs();
    check_count(input.count)?;
    let reply = if input.cancel {
        cancel(&state, &activity, now).await?
    } else {
        activity.check_open(now)?;
        draw_round(&state, &activity, &input, now).await?
    };
    state.live.wake();
    state.outbox_wake.notify_one();
    Ok(Reply(reply))
}

fn not_rolling() -> AppError {
    AppError::with_msg(ErrorCode::Conflict, "当前没有在滚动，请先开始")
}

async fn cancel(state: &AppState, activity: &Activity, now: i64) -> Result<HostReply, AppError> {
    let (round, event_id) = on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let stopped: Option<(i64,)> = sqlx::query_as(
            "UPDATE live_state SET phase = 'idle' WHERE activity_id = $1 AND phase = 'rolling' RETURNING round",
        )
        .bind(activity.id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((round,)) = stopped else {
            return Err(not_rolling());
        };
        let seq = push_event!(tx, activity.id, "stopped", &StoppedEvent { round }, now);
        tx.commit().await?;
        (round, seq)
    });
    Ok(HostReply {
        phase: "idle".into(),
        round,
        winners: Vec::new(),
        event_id,
    })
}

/// Someone the round can pick.
#[derive(Clone, Debug, sqlx::FromRow)]
struct Candidate {
    player_id: i64,
    u_id: String,
    nickname: Option<String>,
    avatar: Option<String>,
}

/// The eligible pool of a round, in player id order: joined, not
/// blacklisted, not a winner before (`$2`: unless repeats are allowed),
/// under the tier's (`$3`) per-user cap (`$4`).
const ELIGIBLE: &str = "SELECT lp.player_id, p.u_id, p.nickname, p.avatar \
     FROM live_pool lp JOIN players p ON p.id = lp.player_id \
     WHERE lp.activity_id = $1 \
     AND NOT EXISTS (SELECT 1 FROM blacklist b WHERE b.activity_id = $1 AND b.kind = 'u_id' AND b.value = p.u_id) \
     AND ($2 OR NOT EXISTS (SELECT 1 FROM draws d WHERE d.activity_id = $1 AND d.player_id = lp.player_id \
          AND d.prize_id IS NOT NULL)) \
     AND (SELECT COUNT(*) FROM draws d WHERE d.activity_id = $1 AND d.player_id = lp.player_id \
          AND d.prize_id = $3) < $4 \
     ORDER BY lp.player_id";

/// Records a live win as a draw; returns its id.
const RECORD_WIN: &str = "INSERT INTO draws (activity_id, player_id, seq, idempotency_key, day, roll, \
     weight_total, candidate_id, prize_id, outcome, odds, source, created_at, delivery) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, 'live', $11, $12) RETURNING id";

/// The stop of a round: draws its winners in one transaction (see the
/// module's documentation) and pushes `winners`.
pub async fn draw_round(
    state: &AppState,
    activity: &Activity,
    input: &LiveStop,
    now: i64,
) -> Result<HostReply, AppError> {
    let day = draw::today(activity, now);
    let partner = state.caches.partner(&state.db, activity.partner_id).await?;
    let repeat = live_rules(activity).allow_repeat_winners;
    let (round, winners, event_id) = on_db!(&state.db, pool => {
        let mut tx = pool.begin_write().await?;
        let claimed: Option<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
            "UPDATE live_state SET phase = 'idle' WHERE activity_id = $1 AND phase = 'rolling' \
             RETURNING round, tier_id, tier_count",
        )
        .bind(activity.id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((round, start_tier, start_count)) = claimed else {
            return Err(not_rolling());
        };
        let tier_id = input.tier.or(start_tier).ok_or_else(|| {
            AppError::with_msg(ErrorCode::Validation, "tier: 请选择要抽取的奖项")
        })?;
        let prizes: Vec<Prize> = sqlx::query_as(draw::sql::PRIZES)
            .bind(activity.id)
            .fetch_all(&mut *tx)
            .await?;
        let tier = prizes.iter().find(|p| p.id == tier_id).ok_or_else(no_such_tier)?;
        let left = tier
            .stock_left
            .map_or(MAX_WINNERS, |s| (s - tier.held_back(activity, now)).max(0));
        if left == 0 {
            return Err(AppError::with_msg(
                ErrorCode::Conflict,
                format!("{}已全部抽出", tier.name),
            ));
        }
        let eligible: Vec<Candidate> = sqlx::query_as(ELIGIBLE)
            .bind(activity.id)
            .bind(repeat)
            .bind(tier.id)
            .bind(tier.per_user_limit.unwrap_or(i64::MAX))
            .fetch_all(&mut *tx)
            .await?;
        let wanted = input.count.or(start_count).unwrap_or(left).min(MAX_WINNERS);
        let n = wanted.min(left).min(eligible.len() as i64);
        if n == 0 {
            return Err(AppError::with_msg(
                ErrorCode::Conflict,
                "没有可以抽取的参与者（都已中奖或尚无人加入）",
            ));
        }
        let mut remaining = eligible.clone();
        let mut winners = Vec::new();
        let outcome = if needs_audit(&partner, tier) { "audit_pending" } else { "won" };
        let delivery = initial_delivery(&partner, outcome, Some(tier));
        for k in 0..n {
            let pick_from = remaining.len() as i64;
            let roll = draw::pick::random_roll(pick_from);
            let who = remaining.remove(roll as usize);
            let (seq, _, _): (i64, i64, i64) = sqlx::query_as(draw::sql::NEXT_SEQ)
                .bind(activity.id)
                .bind(who.player_id)
                .fetch_one(&mut *tx)
                .await?;
            let taken = take_prize!(tx, activity, who.player_id, tier, now);
            if taken != "won" {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "live round {round}: {taken} on pick {k} after the stock was counted"
                )));
            }
            let odds = serde_json::json!({"live_round": round, "pick": k, "eligible": eligible.len()});
            let (draw_id,): (i64,) = sqlx::query_as(RECORD_WIN)
                .bind(activity.id)
                .bind(who.player_id)
                .bind(seq)
                .bind(format!("live:{round}"))
                .bind(day)
                .bind(roll)
                .bind(pick_from)
                .bind(tier.id)
                .bind(outcome)
                .bind(odds.to_string())
                .bind(now)
                .bind(delivery)
                .fetch_one(&mut *tx)
                .await?;
            if tier.kind() == PrizeKind::Code && outcome == "won" {
                let code = claim_code!(tx, draw_id, tier.id);
                if code.is_none() {
                    return Err(AppError::with_msg(ErrorCode::Conflict, "兑换码不足，请重试"));
                }
            }
            for message in draw_messages(activity, &partner, &who.u_id, "live", draw_id, outcome, Some(tier), now) {
                outbox::enqueue!(tx, &message);
            }
            winners.push(LiveWinner {
                draw_id,
                name: display_name(who.nickname.as_deref(), &who.u_id),
                avatar: who.avatar.clone(),
                u_id: mask_u_id(&who.u_id),
                player_ref: player_ref(&who.u_id),
            });
        }
        let order: Vec<i64> = eligible.iter().map(|c| c.player_id).collect();
        sqlx::query(
            "INSERT INTO live_rounds (activity_id, round, prize_id, requested, drawn, eligible, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(activity.id)
        .bind(round)
        .bind(tier.id)
        .bind(wanted)
        .bind(n)
        .bind(serde_json::to_string(&order).map_err(anyhow::Error::from)?)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut shown = tier_of(tier);
        shown.stock_left = tier.stock_left.map(|s| s - n);
        let pool_size: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM live_pool WHERE activity_id = $1")
            .bind(activity.id)
            .fetch_one(&mut *tx)
            .await?;
        let event = WinnersEvent {
            round,
            tier: shown,
            winners: winners.clone(),
            pool: pool_size.0,
        };
        let seq = push_event!(tx, activity.id, "winners", &event, now);
        tx.commit().await?;
        (round, winners, seq)
    });
    Ok(HostReply {
        phase: "idle".into(),
        round,
        winners,
        event_id,
    })
}
