//! Draws: one transaction that takes a chance, rolls, takes stock and records
//! the draw with the odds it was drawn from.
//!
//! Invariants held by the database, so any number of server instances keep them:
//! - a chance is taken by a guarded `UPDATE … WHERE draws_used < limit`;
//! - stock by `UPDATE prizes SET stock_left = stock_left - 1 WHERE stock_left > 0`
//!   (and a `CHECK (stock_left >= 0)`); a roll that lands on a prize with no
//!   stock left becomes "thanks": that prize's probability passes to "thanks",
//!   the others' odds do not change;
//! - one draw per idempotency key (a unique key): a retry answers the same draw.
//!
//! The player's `player_activity` row is locked first, so one player's draws
//! run one after another (per-user caps hold) while different players' run
//! side by side on PostgreSQL.

pub mod pick;
pub mod sql;
pub mod verify;
pub mod writer;

use axum::Router;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use huodong_shared::ErrorCode;
use huodong_shared::api::{Chances, DrawRequest, DrawResult, MyState, PrizeKind, WonPrize};
use huodong_shared::partner::{
    AuditRequest, Callback, CouponIssue, DecideAnswer, DecideRequest, PointsChange, PrizeOffer,
};
use serde_json::json;

use crate::activities::model::{Activity, Prize};
use crate::activities::validate::is_game;
use crate::checkin;
use crate::clock;
use crate::db::{Db, is_unique_violation, now_secs};
use crate::error::{ApiJson, ApiResult, AppError, Reply};
use crate::on_db;
use crate::outbox::{self, Message};
use crate::partner::points;
use crate::partner::{self as partners, PartnerConf};
use crate::risk::{self, review_status};
use crate::session::Player;
use crate::state::AppState;

/// Routes of draws and the player's own state.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/activities/{id}/draw", post(draw))
        .route("/api/v1/activities/{id}/me", get(me))
        .route("/api/v1/activities/{id}/share", post(share))
        .route("/api/v1/activities/{id}/verify", get(verify::verify))
        .route("/api/v1/activities/{id}/draws", get(verify::public_draws))
}

#[derive(sqlx::FromRow)]
struct Counters {
    draws_used: i64,
    extra_left: i64,
    day_used: Option<i64>,
}

/// Chances left from the counters and the rules.
fn chances(activity: &Activity, draws_used: i64, extra_left: i64, day_used: i64) -> Chances {
    let total_left = activity
        .rules
        .chances_total
        .map(|t| (t - draws_used).max(0));
    let mut today_left = (activity.rules.chances_per_day - day_used).max(0);
    if let Some(total_left) = total_left {
        today_left = today_left.min(total_left);
    }
    Chances {
        today_left,
        extra_left,
        total_left,
    }
}

/// The player's chances in an activity now.
pub async fn current_chances(
    db: &Db,
    activity: &Activity,
    player_id: i64,
    day: i64,
) -> Result<Chances, AppError> {
    let row: Option<Counters> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT pa.draws_used, pa.extra_left, pd.draws_used AS day_used FROM player_activity pa \
             LEFT JOIN player_days pd ON pd.activity_id = pa.activity_id AND pd.player_id = pa.player_id \
             AND pd.day = $3 WHERE pa.activity_id = $1 AND pa.player_id = $2",
        )
        .bind(activity.id)
        .bind(player_id)
        .bind(day)
        .fetch_optional(pool)
        .await
    })?;
    Ok(match row {
        Some(c) => chances(
            activity,
            c.draws_used,
            c.extra_left,
            c.day_used.unwrap_or(0),
        ),
        None => chances(activity, 0, 0, 0),
    })
}

/// A recorded draw with its prize.
#[derive(Debug, sqlx::FromRow)]
pub struct DrawRow {
    id: i64,
    seq: i64,
    prize_id: Option<i64>,
    name: Option<String>,
    kind: Option<String>,
    code: Option<String>,
    created_at: i64,
    delivery: Option<String>,
    delivery_note: Option<String>,
}

impl DrawRow {
    fn won(self) -> Option<WonPrize> {
        let prize_id = self.prize_id?;
        let kind = PrizeKind::parse(self.kind.as_deref()?)?;
        (kind != PrizeKind::Thanks).then(|| WonPrize {
            draw_id: self.id,
            prize_id,
            name: self.name.unwrap_or_default(),
            kind,
            code: self.code,
            won_at: self.created_at,
            delivery: self.delivery,
            note: self.delivery_note,
        })
    }
}

const DRAW_SELECT: &str = "SELECT d.id, d.seq, d.prize_id, p.name, p.kind, d.code, d.created_at, \
     d.delivery, d.delivery_note \
     FROM draws d LEFT JOIN prizes p ON p.id = d.prize_id";

async fn find_by_key(
    db: &Db,
    activity_id: i64,
    player_id: i64,
    key: &str,
) -> Result<Option<DrawRow>, AppError> {
    let sql = format!(
        "{DRAW_SELECT} WHERE d.activity_id = $1 AND d.player_id = $2 AND d.idempotency_key = $3"
    );
    Ok(on_db!(db, pool => {
        sqlx::query_as(&sql).bind(activity_id).bind(player_id).bind(key).fetch_optional(pool).await
    })?)
}

/// Prizes the player has won in an activity, newest first.
pub async fn won_prizes(
    db: &Db,
    activity_id: i64,
    player_id: i64,
) -> Result<Vec<WonPrize>, AppError> {
    let sql = format!(
        "{DRAW_SELECT} WHERE d.activity_id = $1 AND d.player_id = $2 AND d.prize_id IS NOT NULL \
         ORDER BY d.id DESC LIMIT 200"
    );
    let rows: Vec<DrawRow> = on_db!(db, pool => {
        sqlx::query_as(&sql).bind(activity_id).bind(player_id).fetch_all(pool).await
    })?;
    Ok(rows.into_iter().filter_map(DrawRow::won).collect())
}

/// Loads an activity for a player of the same partner (404 for another
/// partner's activity: a session never reaches across partners).
pub async fn activity_for(
    state: &AppState,
    player: &Player,
    public_id: &str,
) -> Result<Arc<Activity>, AppError> {
    let activity = state.caches.activity(&state.db, public_id).await?;
    if activity.partner_id != player.partner_id {
        return Err(AppError::not_found("活动"));
    }
    Ok(activity)
}

/// The local day now in the activity's zone.
pub fn today(activity: &Activity, now: i64) -> i64 {
    let tz = clock::zone(&activity.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    clock::local_day(now, &tz)
}

/// `POST /api/v1/activities/{id}/draw`.
async fn draw(
    State(state): State<AppState>,
    player: Player,
    Path(public_id): Path<String>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<DrawRequest>,
) -> ApiResult<DrawResult> {
    let ip = risk::client_ip(&headers, peer, state.config.trust_x_forwarded_for);
    let key = input.idempotency_key.trim();
    if key.is_empty() || key.len() > 64 {
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "idempotency_key: 须为 1 到 64 个字符",
        ));
    }
    let activity = activity_for(&state, &player, &public_id).await?;
    if is_game(activity.kind) {
        // A game's draw is earned by a round (`game/start`, `game/finish`).
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "该活动须完成游戏后抽奖（game/start、game/finish）",
        ));
    }
    if activity.kind == huodong_shared::api::ActivityKind::Live {
        // The host draws a live activity's winners on the big screen.
        return Err(AppError::with_msg(
            ErrorCode::Validation,
            "大屏抽奖由主持人在大屏上开奖",
        ));
    }
    perform(&state, activity, &player, key, ip, None).await
}

/// One draw for `player` under idempotency key `key`: admission (window,
/// rate limits, blacklist; a retry of a draw already made is answered from
/// the record instead), the partner's condition check, the points cost with
/// its refund when the draw does not happen, the partner's decision (unless
/// `forced` already decides: a game round that did not pass), the draw
/// itself, and the audit and delivery attempted inline. The draw endpoint
/// and a finished game round both come here.
pub(crate) async fn perform(
    state: &AppState,
    activity: Arc<Activity>,
    player: &Player,
    key: &str,
    ip: std::net::IpAddr,
    forced: Option<Forced>,
) -> ApiResult<DrawResult> {
    let now = now_secs();
    let day = today(&activity, now);
    let ip_text = ip.to_string();
    let admitted = match (
        activity.check_open(now),
        state.limiters.check(player.player_id, ip),
    ) {
        (Ok(()), Ok(())) => risk::check_blacklist(state, activity.id, &player.u_id, &ip_text).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    if let Err(refusal) = admitted {
        // A retry of a draw already made is answered from the record, whatever
        // has changed since (the activity ended, the rate budget is spent).
        return match find_by_key(&state.db, activity.id, player.player_id, key).await? {
            Some(existing) => replay(state, &activity, player, day, existing).await,
            None => Err(refusal),
        };
    }
    partners::check_condition(state, &activity, player).await?;
    let partner = state.caches.partner(&state.db, activity.partner_id).await?;
    let cost = activity.rules.points_cost;
    let charge = if cost > 0 {
        // A retry of a draw already made never pays twice.
        if let Some(existing) = find_by_key(&state.db, activity.id, player.player_id, key).await? {
            return replay(state, &activity, player, day, existing).await;
        }
        // Do not charge for a draw that cannot happen.
        if !current_chances(&state.db, &activity, player.player_id, day)
            .await?
            .any()
        {
            return Err(AppError::code(ErrorCode::NoChancesLeft));
        }
        points::deduct(state, &partner, &activity, player, cost, "draw").await?
    } else {
        None
    };
    let forced = match forced {
        Some(forced) => Some(forced),
        None => match partner_decision(state, &partner, &activity, player).await {
            Ok(forced) => forced,
            Err(err) => {
                if let Some(charge) = &charge {
                    points::refund(state, charge).await;
                }
                return Err(err);
            }
        },
    };
    let job = DrawJob {
        activity: activity.clone(),
        player: player.clone(),
        key: key.to_owned(),
        day,
        now,
        ip: ip_text,
        partner,
        charge: charge.as_ref().map(|c| c.guard_key.clone()),
        forced,
    };
    let outcome = run_draw(state, job).await;
    if let Some(charge) = &charge
        && !matches!(outcome, Ok(DrawOutcome::Done(..)))
    {
        points::refund(state, charge).await;
    }
    state.outbox_wake.notify_one();
    let outcome = match outcome {
        Ok(outcome) => outcome,
        // The same key may have drawn the last chance (a retry): answer it.
        Err(refusal @ AppError::Api { .. }) => {
            return match find_by_key(&state.db, activity.id, player.player_id, key).await? {
                Some(existing) => replay(state, &activity, player, day, existing).await,
                None => Err(refusal),
            };
        }
        Err(err) => return Err(err),
    };
    match outcome {
        DrawOutcome::Done(mut row, chances) => {
            // Audit and deliver now, so the player sees the outcome and the
            // coupon code at once; the worker retries whatever this does not finish.
            for _ in 0..2 {
                let step = match row.delivery.as_deref() {
                    Some("audit") => audit_key(&activity, row.id),
                    Some("pending") => delivery_key(&activity, row.id),
                    _ => break,
                };
                outbox::deliver_now(state, &step).await;
                let Some(fresh) =
                    find_by_key(&state.db, activity.id, player.player_id, key).await?
                else {
                    break;
                };
                let moved = fresh.delivery != row.delivery;
                row = fresh;
                if !moved {
                    break;
                }
            }
            Ok(Reply(DrawResult {
                draw_id: row.id,
                seq: row.seq,
                prize: row.won(),
                chances,
            }))
        }
        DrawOutcome::Duplicate => {
            match find_by_key(&state.db, activity.id, player.player_id, key).await? {
                Some(existing) => replay(state, &activity, player, day, existing).await,
                None => Err(AppError::code(ErrorCode::Conflict)),
            }
        }
    }
}

/// The draw made under `key`, answered again (with the chances left now), if
/// there is one.
pub(crate) async fn replay_by_key(
    state: &AppState,
    activity: &Activity,
    player: &Player,
    key: &str,
) -> Result<Option<DrawResult>, AppError> {
    let Some(row) = find_by_key(&state.db, activity.id, player.player_id, key).await? else {
        return Ok(None);
    };
    let day = today(activity, now_secs());
    Ok(Some(replay(state, activity, player, day, row).await?.0))
}

async fn replay(
    state: &AppState,
    activity: &Activity,
    player: &Player,
    day: i64,
    row: DrawRow,
) -> ApiResult<DrawResult> {
    let chances = current_chances(&state.db, activity, player.player_id, day).await?;
    Ok(Reply(DrawResult {
        draw_id: row.id,
        seq: row.seq,
        prize: row.won(),
        chances,
    }))
}

/// Inside an open transaction: checks the player's cap on `prize` and takes one
/// from its stock above the release plan's floor. Evaluates to `"won"`,
/// `"user_limit"`, `"not_released"` or `"out_of_stock"`.
macro_rules! take_prize {
    ($tx:expr, $activity:expr, $player_id:expr, $prize:expr, $now:expr) => {{
        let prize: &Prize = $prize;
        let activity: &Activity = $activity;
        let floor = prize.held_back(activity, $now);
        let capped = match prize.per_user_limit {
            Some(limit) => {
                let (won,): (i64,) = sqlx::query_as($crate::draw::sql::WINS_OF_PRIZE)
                    .bind(activity.id)
                    .bind($player_id)
                    .bind(prize.id)
                    .fetch_one(&mut *$tx)
                    .await?;
                won >= limit
            }
            None => false,
        };
        let in_stock = if capped {
            false
        } else if prize.stock_total.is_some() {
            let mut taken = false;
            if prize.slotted && floor == 0 {
                // Stock slots (PostgreSQL only): a free slot, else wait for one.
                let start = $crate::draw::pick::random_roll(1024);
                for sql in [
                    $crate::draw::sql::TAKE_SLOT,
                    $crate::draw::sql::TAKE_SLOT_WAIT,
                ] {
                    let left: Option<(i64,)> = sqlx::query_as(sql)
                        .bind(prize.id)
                        .bind(start)
                        .fetch_optional(&mut *$tx)
                        .await?;
                    if left.is_some() {
                        taken = true;
                        break;
                    }
                }
            }
            // The prize's own counter (all of it without slots; stock given
            // back after a failed delivery with them).
            taken
                || sqlx::query($crate::draw::sql::TAKE_STOCK)
                    .bind(prize.id)
                    .bind(floor)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected()
                    == 1
        } else {
            true
        };
        $crate::draw::outcome_of(capped, in_stock, floor, prize)
    }};
}
pub(crate) use take_prize;

/// What taking a prize came to: `"user_limit"`, `"won"`, `"not_released"`
/// (the release plan holds the rest back) or `"out_of_stock"`.
pub(crate) fn outcome_of(capped: bool, in_stock: bool, floor: i64, prize: &Prize) -> &'static str {
    if capped {
        "user_limit"
    } else if in_stock {
        "won"
    } else if floor > 0 && prize.stock_left.is_some_and(|left| left > 0) {
        "not_released"
    } else {
        "out_of_stock"
    }
}

/// The delivery state a draw starts with: `audit` while the partner's winner
/// audit decides, `pending` for a prize the partner delivers, else none.
pub(crate) fn initial_delivery(
    partner: &PartnerConf,
    outcome: &str,
    prize: Option<&Prize>,
) -> Option<&'static str> {
    if outcome == "audit_pending" {
        Some("audit")
    } else {
        delivery_of(partner, prize)
    }
}

/// Whether an audited prize waits for the partner's approval.
pub(crate) fn needs_audit(partner: &PartnerConf, prize: &Prize) -> bool {
    prize.audit && partner.has(Callback::Audit)
}

/// The outbox key of a draw's winner audit.
pub fn audit_key(activity: &Activity, draw_id: i64) -> String {
    format!("{}-d{draw_id}-audit", activity.public_id)
}

/// Whether the partner delivers a won prize: `pending` until it acknowledges.
pub(crate) fn delivery_of(partner: &PartnerConf, prize: Option<&Prize>) -> Option<&'static str> {
    let prize = prize?;
    let delivered = match prize.kind() {
        PrizeKind::Coupon => prize.coupon_id.is_some() && partner.has(Callback::CouponIssue),
        PrizeKind::Points => {
            prize.points.is_some_and(|p| p > 0) && partner.has(Callback::PointsAdd)
        }
        _ => false,
    };
    delivered.then_some("pending")
}

/// The outbox key (the partner's `biz_id`) that delivers a draw's prize.
pub fn delivery_key(activity: &Activity, draw_id: i64) -> String {
    format!("{}-d{draw_id}-prize", activity.public_id)
}

/// What a recorded draw (or check-in reward) sends the partner, in the same
/// transaction: the `kind` event (`participate`, `checkin`), a `win` event,
/// and the delivery of a coupon or points prize.
#[allow(clippy::too_many_arguments)]
pub(crate) fn draw_messages(
    activity: &Activity,
    partner: &PartnerConf,
    u_id: &str,
    kind: &str,
    draw_id: i64,
    outcome: &str,
    won: Option<&Prize>,
    now: i64,
) -> Vec<Message> {
    let mut messages = Vec::new();
    let won = won.filter(|p| p.kind() != PrizeKind::Thanks);
    if partner.has(Callback::Events) {
        let id = |what: &str| format!("{}-d{draw_id}-{what}", activity.public_id);
        if kind == "participate" {
            messages.push(Message::event(
                activity,
                kind,
                id(kind),
                u_id,
                now,
                json!({ "draw_id": draw_id, "outcome": outcome, "prize_id": won.map(|p| p.id) }),
            ));
        }
        if let Some(prize) = won.filter(|_| outcome != "audit_pending") {
            messages.push(Message::event(
                activity,
                "win",
                id("win"),
                u_id,
                now,
                json!({ "draw_id": draw_id, "prize_id": prize.id, "prize_name": prize.name, "prize_kind": prize.kind }),
            ));
        }
    }
    if outcome == "audit_pending" {
        if let Some(prize) = won {
            messages.push(Message::new(
                partner.id,
                Some(activity.id),
                Callback::Audit,
                audit_key(activity, draw_id),
                Some(draw_id),
                &AuditRequest {
                    u_id: u_id.to_owned(),
                    activity_id: activity.public_id.clone(),
                    prize_id: prize.id,
                    prize_name: prize.name.clone(),
                    draw_id,
                },
            ));
        }
        return messages;
    }
    if delivery_of(partner, won).is_some()
        && let Some(prize) = won
    {
        let key = delivery_key(activity, draw_id);
        let message = match prize.kind() {
            PrizeKind::Coupon => Message::new(
                partner.id,
                Some(activity.id),
                Callback::CouponIssue,
                key.clone(),
                Some(draw_id),
                &CouponIssue {
                    u_id: u_id.to_owned(),
                    coupon_id: prize.coupon_id.clone().unwrap_or_default(),
                    game_id: activity.public_id.clone(),
                    game_name: activity.title.clone(),
                    biz_id: key,
                },
            ),
            _ => Message::new(
                partner.id,
                Some(activity.id),
                Callback::PointsAdd,
                key.clone(),
                Some(draw_id),
                &PointsChange {
                    u_id: u_id.to_owned(),
                    points: prize.points.unwrap_or(0),
                    biz_id: key,
                    activity_id: activity.public_id.clone(),
                    reason: "prize".into(),
                    origin_biz_id: None,
                },
            ),
        };
        messages.push(message);
    }
    messages
}

/// Inside an open transaction: hands the first free code of a prize to a
/// draw; a lost race (PostgreSQL) moves on to the next code.
macro_rules! claim_code {
    ($tx:expr, $draw_id:expr, $prize_id:expr) => {{
        let mut code: Option<String> = None;
        for _ in 0..16 {
            let claimed: Option<(String,)> = sqlx::query_as($crate::draw::sql::CLAIM_CODE)
                .bind($draw_id)
                .bind($prize_id)
                .fetch_optional(&mut *$tx)
                .await?;
            if let Some((c,)) = claimed {
                sqlx::query($crate::draw::sql::SET_CODE)
                    .bind(&c)
                    .bind($draw_id)
                    .execute(&mut *$tx)
                    .await?;
                code = Some(c);
                break;
            }
        }
        code
    }};
}
pub(crate) use claim_code;

/// What a draw transaction came to.
#[derive(Debug)]
pub enum DrawOutcome {
    /// Recorded, with the chances left after it.
    Done(DrawRow, Chances),
    /// A concurrent request with the same key won the race.
    Duplicate,
}

#[derive(sqlx::FromRow)]
struct Locked {
    draw_seq: i64,
    draws_used: i64,
    extra_left: i64,
}

/// What a roll came to, before it is written.
struct Decision {
    roll: i64,
    candidate: Option<i64>,
    prize: Option<i64>,
    outcome: &'static str,
    odds: String,
}

/// Which prize a roll lands on, with the odds recorded as
/// `[[prize_id, weight, stock_left], …]`.
fn decide<'p>(
    activity: &Activity,
    prizes: &'p [Prize],
    u_id: &str,
    seq: i64,
    forced: Option<Forced>,
) -> (i64, Option<&'p Prize>, String) {
    let odds = serde_json::to_string(
        &prizes
            .iter()
            .map(|p| (p.id, p.weight, p.stock_left))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    // The partner chose: no roll (recorded as -1), the odds as they stood.
    match forced {
        Some(Forced::Prize(id)) => return (-1, prizes.iter().find(|p| p.id == id), odds),
        Some(Forced::Nothing) => return (-1, None, odds),
        None => {}
    }
    let roll = match (&activity.fair_seed, activity.rules.provably_fair) {
        (Some(seed), true) => pick::fair_roll(
            seed,
            &activity.public_id,
            &pick::player_ref(u_id),
            seq,
            activity.weight_total,
        ),
        _ => pick::random_roll(activity.weight_total),
    };
    let weights: Vec<i64> = prizes.iter().map(|p| p.weight).collect();
    let candidate = pick::pick(&weights, roll).map(|i| &prizes[i]);
    (roll, candidate, odds)
}

/// One draw to run: everything the transaction needs, owned, so it can be
/// handed to the SQLite writer task.
#[derive(Clone, Debug)]
pub struct DrawJob {
    /// The activity.
    pub activity: Arc<Activity>,
    /// The player.
    pub player: Player,
    /// The idempotency key.
    pub key: String,
    /// The local day.
    pub day: i64,
    /// Now, unix seconds.
    pub now: i64,
    /// The client address.
    pub ip: String,
    /// The activity's partner, with its callbacks.
    pub partner: Arc<PartnerConf>,
    /// The outbox key of the points refund guard to cancel (a paid draw).
    pub charge: Option<String>,
    /// The partner's decision, when it decided instead of the roll.
    pub forced: Option<Forced>,
}

/// A partner-decided outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forced {
    /// This prize (stock, caps and audits still apply).
    Prize(i64),
    /// Nothing this time ("thanks").
    Nothing,
}

/// Asks the partner's decision callback, when the activity lets it decide.
/// Any failure, or `draw`, leaves the draw to the runtime.
async fn partner_decision(
    state: &AppState,
    partner: &PartnerConf,
    activity: &Activity,
    player: &Player,
) -> Result<Option<Forced>, AppError> {
    if !activity.rules.partner_decides || !partner.has(Callback::Decide) {
        return Ok(None);
    }
    let prizes = activity.prizes(&state.db).await?;
    let offers: Vec<PrizeOffer> = prizes
        .iter()
        .filter(|p| p.kind() != PrizeKind::Thanks && p.stock_left.is_none_or(|s| s > 0))
        .map(|p| PrizeOffer {
            prize_id: p.id,
            name: p.name.clone(),
            kind: p.kind.clone(),
            stock_left: p.stock_left,
        })
        .collect();
    let request = DecideRequest {
        u_id: player.u_id.clone(),
        activity_id: activity.public_id.clone(),
        prizes: offers,
    };
    let answer = partners::client::call(&state.http, partner, Callback::Decide, &request)
        .await
        .map_err(|e| e.to_string())
        .and_then(|v| serde_json::from_value::<DecideAnswer>(v).map_err(|e| e.to_string()));
    Ok(match answer {
        Ok(answer) => match (answer.decision.as_str(), answer.prize_id) {
            ("prize", Some(id)) if prizes.iter().any(|p| p.id == id) => Some(Forced::Prize(id)),
            ("none", _) => Some(Forced::Nothing),
            _ => None,
        },
        Err(err) => {
            tracing::warn!(app_id = %partner.app_id, error = %err, "decision callback failed; the runtime draws");
            None
        }
    })
}

/// The statements of one draw on an open transaction `$tx` (a `&mut`
/// connection of either backend): take a chance, roll, take stock, record.
/// `?` and `return` act on the enclosing function.
macro_rules! draw_statements {
    ($tx:ident, $job:expr) => {{
        let job: &DrawJob = $job;
        let (activity, player, key, day, now, ip) = (
            &job.activity,
            &job.player,
            job.key.as_str(),
            job.day,
            job.now,
            job.ip.as_str(),
        );
        // Lock the player's row first: the same player's draws queue here.
        let locked: Locked = sqlx::query_as($crate::draw::sql::NEXT_SEQ)
            .bind(activity.id)
            .bind(player.player_id)
            .fetch_one(&mut *$tx)
            .await?;
        // Take a chance: the daily allowance (within the total cap) first, then extras.
        let per_day = activity.rules.chances_per_day;
        let under_total = activity
            .rules
            .chances_total
            .is_none_or(|t| locked.draws_used < t);
        let day_used: Option<i64> = if under_total && per_day > 0 {
            sqlx::query_scalar($crate::draw::sql::TAKE_DAY_CHANCE)
                .bind(activity.id)
                .bind(player.player_id)
                .bind(day)
                .bind(per_day)
                .fetch_optional(&mut *$tx)
                .await?
        } else {
            None
        };
        let chances_after = if let Some(used) = day_used {
            sqlx::query($crate::draw::sql::COUNT_DRAW)
                .bind(activity.id)
                .bind(player.player_id)
                .execute(&mut *$tx)
                .await?;
            chances(activity, locked.draws_used + 1, locked.extra_left, used)
        } else if locked.extra_left > 0 {
            sqlx::query($crate::draw::sql::TAKE_EXTRA)
                .bind(activity.id)
                .bind(player.player_id)
                .execute(&mut *$tx)
                .await?;
            // The daily allowance is spent (or the total cap reached).
            chances(activity, locked.draws_used, locked.extra_left - 1, per_day)
        } else {
            return Err(AppError::code(ErrorCode::NoChancesLeft));
        };

        let prizes: Vec<Prize> = sqlx::query_as($crate::draw::sql::PRIZES)
            .bind(activity.id)
            .fetch_all(&mut *$tx)
            .await?;
        let (roll, candidate, odds) =
            decide(activity, &prizes, &player.u_id, locked.draw_seq, job.forced);
        let mut decision = Decision {
            roll,
            candidate: candidate.map(|p| p.id),
            prize: None,
            outcome: "thanks",
            odds,
        };
        // The review list matters only with an automatic rule or an audited prize in reach.
        let on_review = if activity.rules.risk.is_some() || candidate.is_some_and(|p| p.audit) {
            review_status!($tx, activity, player.player_id, ip, now)
        } else {
            false
        };
        if let Some(prize) = candidate {
            if prize.kind() == PrizeKind::Thanks {
                decision.prize = Some(prize.id);
            } else if prize.audit && on_review {
                // Flagged players cannot win audited prizes; nothing is taken.
                decision.outcome = "review";
            } else {
                decision.outcome = take_prize!($tx, activity, player.player_id, prize, now);
                if decision.outcome == "won" {
                    decision.prize = Some(prize.id);
                    if needs_audit(&job.partner, prize) {
                        // Reserved until the partner approves this winner.
                        decision.outcome = "audit_pending";
                    }
                }
            }
        }
        let won_prize = decision
            .prize
            .and_then(|id| prizes.iter().find(|p| p.id == id));
        let delivery = initial_delivery(&job.partner, decision.outcome, won_prize);
        let inserted = sqlx::query_as::<_, (i64,)>($crate::draw::sql::RECORD_DRAW)
            .bind(activity.id)
            .bind(player.player_id)
            .bind(locked.draw_seq)
            .bind(key)
            .bind(day)
            .bind(decision.roll)
            .bind(activity.weight_total)
            .bind(decision.candidate)
            .bind(decision.prize)
            .bind(decision.outcome)
            .bind(&decision.odds)
            .bind(ip)
            .bind(now)
            .bind(delivery)
            .fetch_one(&mut *$tx)
            .await;
        let draw_id = match inserted {
            Ok((id,)) => id,
            Err(err) if is_unique_violation(&err) => return Ok(DrawOutcome::Duplicate),
            Err(err) => return Err(err.into()),
        };
        let mut code = None;
        if let Some(prize) =
            candidate.filter(|p| decision.outcome == "won" && p.kind() == PrizeKind::Code)
        {
            code = claim_code!($tx, draw_id, prize.id);
            if code.is_none() {
                return Err(AppError::with_msg(
                    ErrorCode::Conflict,
                    "兑换码发放繁忙，请重试",
                ));
            }
        }
        for message in draw_messages(
            activity,
            &job.partner,
            &player.u_id,
            "participate",
            draw_id,
            decision.outcome,
            won_prize,
            now,
        ) {
            $crate::outbox::enqueue!($tx, &message);
        }
        if let Some(guard) = &job.charge {
            let cancelled = sqlx::query($crate::outbox::CANCEL)
                .bind($crate::partner::now_ms())
                .bind(guard)
                .execute(&mut *$tx)
                .await?
                .rows_affected();
            if cancelled != 1 {
                // The refund already went out: this draw must not happen.
                return Err(AppError::code(ErrorCode::PartnerUnavailable));
            }
        }
        let prize = won_prize;
        Ok(DrawOutcome::Done(
            DrawRow {
                id: draw_id,
                seq: locked.draw_seq,
                prize_id: prize.map(|p| p.id),
                name: prize.map(|p| p.name.clone()),
                kind: prize.map(|p| p.kind.clone()),
                code,
                created_at: now,
                delivery: delivery.map(str::to_owned),
                delivery_note: None,
            },
            chances_after,
        ))
    }};
}

/// One draw on a PostgreSQL transaction.
async fn draw_in_pg(tx: &mut sqlx::PgConnection, job: &DrawJob) -> Result<DrawOutcome, AppError> {
    draw_statements!(tx, job)
}

/// Runs a draw: on PostgreSQL in a transaction of its own (row locks let
/// different players' draws run side by side); on SQLite through the writer
/// task, which commits many concurrent draws in one transaction (group commit).
async fn run_draw(state: &AppState, job: DrawJob) -> Result<DrawOutcome, AppError> {
    match (&state.db, &state.draw_writer) {
        (Db::Postgres(pool), _) => {
            let mut tx = pool.begin().await?;
            let outcome = draw_in_pg(&mut tx, &job).await?;
            if matches!(outcome, DrawOutcome::Done(..)) {
                tx.commit().await?;
            }
            Ok(outcome)
        }
        (Db::Sqlite(_), Some(writer)) => writer.submit(job).await,
        (Db::Sqlite(_), None) => Err(AppError::Internal(anyhow::anyhow!(
            "SQLite without a draw writer"
        ))),
    }
}

/// `POST /api/v1/activities/{id}/share`: the player shared the activity (the
/// host app does the sharing); the partner gets a `share` event.
async fn share(
    State(state): State<AppState>,
    player: Player,
    Path(public_id): Path<String>,
) -> ApiResult<serde_json::Value> {
    let activity = activity_for(&state, &player, &public_id).await?;
    let partner = state.caches.partner(&state.db, activity.partner_id).await?;
    if partner.has(Callback::Events) {
        let now = now_secs();
        let event = Message::event(
            &activity,
            "share",
            format!(
                "{}-s{}-{}",
                activity.public_id,
                player.player_id,
                crate::ids::random_hex(6)
            ),
            &player.u_id,
            now,
            serde_json::Value::Null,
        );
        outbox::enqueue_now(&state.db, &event).await?;
        state.outbox_wake.notify_one();
    }
    Ok(Reply(json!({ "shared": true })))
}

/// `GET /api/v1/activities/{id}/me`: chances, prizes and the calendar.
async fn me(
    State(state): State<AppState>,
    player: Player,
    Path(public_id): Path<String>,
) -> ApiResult<MyState> {
    let activity = activity_for(&state, &player, &public_id).await?;
    let day = today(&activity, now_secs());
    let chances = current_chances(&state.db, &activity, player.player_id, day).await?;
    let prizes = won_prizes(&state.db, activity.id, player.player_id).await?;
    let checkin = checkin::checkin_state(&state.db, &activity, player.player_id, day).await?;
    Ok(Reply(MyState {
        u_id: player.u_id,
        nickname: player.nickname,
        chances,
        prizes,
        checkin,
    }))
}
