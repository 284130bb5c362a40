//! A reference partner: what a partner's server implements for the runtime,
//! written against the protocol in `huodong-shared` and nothing else.
//!
//! Every callback checks the signature (7100 on a bad, empty or truncated
//! `sign`, a stale `timestamp` or a replayed `nonce`), answers the
//! `{code, msg, result}` envelope, and is idempotent by `biz_id` / `event_id`.
//! Balances, issued coupons and received events live in memory ([`Ledger`]).
//! Tests and demos can make any callback fail with an HTTP status (with
//! `Retry-After`), hang past the runtime's timeout (still applying the
//! effect, the hardest case), or answer an error code ([`Mode`]).
//!
//! Routes (all `POST`, JSON): `/coupon/list`, `/coupon/issue`,
//! `/points/deduct`, `/points/add`, `/condition`, `/audit`, `/events`,
//! `/decide`; `GET /login` (the sign-in page for players without a ticket); and,
//! unsigned, for operators and tests on loopback: `GET /_control/state`,
//! `POST /_control/mode`, `POST /_control/users`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use huodong_shared::partner::{
    AuditAnswer, AuditRequest, Callback, ConditionAnswer, ConditionCheck, Coupon, CouponIssue,
    CouponIssued, CouponList, CouponListRequest, DecideAnswer, DecideRequest, EventBody,
    PointsBalance, PointsChange,
};
use huodong_shared::sign::{self, MAX_CLOCK_SKEW_SECS};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// How a callback behaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Mode {
    /// Works.
    Ok,
    /// Answers this HTTP status without acting, with `Retry-After` seconds if set.
    Fail {
        /// HTTP status, e.g. 503.
        status: u16,
        /// `Retry-After` seconds.
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// Acts, but answers only after `ms` (past the runtime's timeout).
    Hang {
        /// Delay in milliseconds.
        ms: u64,
    },
    /// Answers the envelope error `code` with `msg`, without acting.
    Error {
        /// The code, e.g. 9004.
        code: i32,
        /// The message shown to the player.
        msg: String,
    },
}

/// A coupon handed out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    /// The player.
    pub u_id: String,
    /// The coupon.
    pub coupon_id: String,
    /// Its redeem code.
    pub cd_key: String,
}

/// Everything the partner keeps, in memory.
#[derive(Debug, Default, Serialize)]
pub struct Ledger {
    /// Points per user (a user not here starts at `starting_balance`).
    pub balances: BTreeMap<String, i64>,
    /// New users' balance.
    pub starting_balance: i64,
    /// Applied deductions: biz_id → (u_id, points).
    pub deductions: BTreeMap<String, (String, i64)>,
    /// Deductions refunded (or cancelled before they arrived), by the
    /// deduction's biz_id, with the points given back.
    pub refunds: BTreeMap<String, i64>,
    /// Applied points adds (prizes): biz_id → (u_id, points).
    pub adds: BTreeMap<String, (String, i64)>,
    /// Issued coupons by biz_id.
    pub issued: BTreeMap<String, Issued>,
    /// The coupon list.
    pub coupons: Vec<Coupon>,
    /// Events by event_id.
    pub events: BTreeMap<String, EventBody>,
    /// Every event POST that passed the signature check, repeats included.
    pub event_posts: u64,
    /// Signed calls per callback.
    pub calls: BTreeMap<String, u64>,
    /// Calls refused for their signature, timestamp or nonce.
    pub bad_signatures: u64,
    /// Users the partner does not know (8000).
    pub unknown_users: HashSet<String>,
    /// Users the condition check turns away.
    pub denied_users: HashSet<String>,
    /// Users the winner audit refuses.
    pub audit_refused: HashSet<String>,
    /// What the decision callback answers per user (absent: "let the runtime draw").
    pub decisions: BTreeMap<String, DecideAnswer>,
    /// The behaviour of each callback (absent: works), with how many calls
    /// it lasts (absent: until changed).
    #[serde(skip)]
    pub modes: HashMap<Callback, (Mode, Option<u32>)>,
    #[serde(skip)]
    nonces: HashMap<String, i64>,
}

impl Ledger {
    /// Points deducted and not refunded, summed.
    pub fn deducted_net(&self) -> i64 {
        let deducted: i64 = self.deductions.values().map(|(_, p)| p).sum();
        let refunded: i64 = self.refunds.values().sum();
        deducted - refunded
    }

    fn balance(&mut self, u_id: &str) -> &mut i64 {
        let start = self.starting_balance;
        self.balances.entry(u_id.to_owned()).or_insert(start)
    }

    /// Sets how a callback behaves for the next `times` calls (or for good).
    pub fn set_mode(&mut self, callback: Callback, mode: Mode, times: Option<u32>) {
        self.modes.insert(callback, (mode, times));
    }

    fn take_mode(&mut self, callback: Callback) -> Mode {
        let Some((mode, times)) = self.modes.get_mut(&callback) else {
            return Mode::Ok;
        };
        let mode = mode.clone();
        if let Some(left) = times {
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.modes.remove(&callback);
            }
        }
        mode
    }
}

/// What the partner is started with.
#[derive(Clone, Debug)]
pub struct Options {
    /// The app id the runtime knows the partner by.
    pub app_id: String,
    /// The shared secret.
    pub secret: String,
    /// Points a new user has.
    pub starting_balance: i64,
    /// The runtime's public URL: `/login` asks it for tickets and only sends
    /// players back there.
    pub runtime_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            app_id: "demo".into(),
            secret: "demo-secret-change-me".into(),
            starting_balance: 1_000,
            runtime_url: None,
        }
    }
}

/// The partner's shared state.
#[derive(Clone, Debug)]
pub struct Partner {
    secret: Arc<String>,
    app_id: Arc<String>,
    runtime_url: Arc<Option<String>>,
    http: reqwest::Client,
    /// The ledger.
    pub ledger: Arc<Mutex<Ledger>>,
}

impl Partner {
    /// A partner with the demo coupon list.
    pub fn new(options: &Options) -> Partner {
        let ledger = Ledger {
            starting_balance: options.starting_balance,
            coupons: demo_coupons(),
            ..Ledger::default()
        };
        Partner {
            secret: Arc::new(options.secret.clone()),
            app_id: Arc::new(options.app_id.clone()),
            runtime_url: Arc::new(
                options
                    .runtime_url
                    .as_ref()
                    .map(|u| u.trim_end_matches('/').to_owned()),
            ),
            http: reqwest::Client::new(),
            ledger: Arc::new(Mutex::new(ledger)),
        }
    }

    /// The ledger, locked.
    pub fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The coupons the demo partner offers.
pub fn demo_coupons() -> Vec<Coupon> {
    let coupon = |id: &str, name: &str, num: i64, des: &str| Coupon {
        id: id.into(),
        name: name.into(),
        num: Some(num),
        kind: Some("优惠券".into()),
        des: Some(des.into()),
        valid_date: Some("2027-12-31".into()),
    };
    vec![
        coupon("110", "满 100 减 20 优惠券", 500, "全场通用，满 100 元可用"),
        coupon("111", "50 元无门槛券", 100, "无门槛，下单直接抵扣"),
        coupon("112", "免运费券", 1000, "单笔订单免运费"),
        coupon("113", "新品 8 折券", 300, "新品专区商品可用"),
    ]
}

/// The partner's router.
pub fn router(partner: Partner) -> Router {
    Router::new()
        .route("/coupon/list", post(coupon_list))
        .route("/coupon/issue", post(coupon_issue))
        .route("/points/deduct", post(points_deduct))
        .route("/points/add", post(points_add))
        .route("/condition", post(condition))
        .route("/audit", post(audit))
        .route("/events", post(events))
        .route("/decide", post(decide))
        .route("/login", get(login))
        .route("/_control/state", get(control_state))
        .route("/_control/mode", post(control_mode))
        .route("/_control/users", post(control_users))
        .with_state(partner)
}

/// A partner serving on a loopback port.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state.
    pub partner: Partner,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The callback URLs of every route, for `partner/config`.
    pub fn callbacks(&self) -> Value {
        let base = self.url();
        json!({
            "coupon_list": format!("{base}/coupon/list"),
            "coupon_issue": format!("{base}/coupon/issue"),
            "points_deduct": format!("{base}/points/deduct"),
            "points_add": format!("{base}/points/add"),
            "condition": format!("{base}/condition"),
            "audit": format!("{base}/audit"),
            "events": format!("{base}/events"),
            "decide": format!("{base}/decide"),
        })
    }

    /// Stops serving (connections are dropped: the partner is "down").
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves a partner on `addr` (port 0 for any) in the background.
pub async fn spawn(addr: SocketAddr, options: &Options) -> std::io::Result<Running> {
    spawn_with(addr, Partner::new(options)).await
}

/// Serves an existing partner state on `addr` (to bring a stopped one back).
pub async fn spawn_with(addr: SocketAddr, partner: Partner) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = router(partner.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Running {
        addr,
        partner,
        task,
    })
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn envelope(code: i32, msg: &str, result: Value) -> Response {
    Json(json!({ "code": code, "msg": msg, "result": result })).into_response()
}

fn error(code: i32, msg: &str) -> Response {
    envelope(code, msg, json!(""))
}

fn ok(result: impl Serialize) -> Response {
    envelope(0, "ok", serde_json::to_value(result).unwrap_or(Value::Null))
}

/// Checks a callback body: object, signature, timestamp, nonce; then applies
/// the callback's [`Mode`]. `Err` is the answer to send (a whole response,
/// sent once per refused call: its size does not matter).
#[allow(clippy::result_large_err)]
async fn admit<T: for<'de> Deserialize<'de>>(
    partner: &Partner,
    callback: Callback,
    body: &[u8],
) -> Result<T, Response> {
    let map: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(error(7100, "token error: body is not a JSON object")),
    };
    let refuse = |partner: &Partner, msg: &str| {
        partner.ledger().bad_signatures += 1;
        Err(error(7100, msg))
    };
    if sign::verify(&partner.secret, &map).is_err() {
        return refuse(partner, "token error");
    }
    let now = now_secs();
    let fresh = map
        .get("timestamp")
        .and_then(Value::as_i64)
        .is_some_and(|t| sign::timestamp_fresh(t, now));
    if !fresh {
        return refuse(partner, "token error: timestamp expired");
    }
    let Some(nonce) = map.get("nonce").and_then(Value::as_str).map(str::to_owned) else {
        return refuse(partner, "token error: no nonce");
    };
    let mode = {
        let mut ledger = partner.ledger();
        ledger
            .nonces
            .retain(|_, at| *at > now - 2 * MAX_CLOCK_SKEW_SECS);
        if ledger.nonces.insert(nonce, now).is_some() {
            drop(ledger);
            return refuse(partner, "token error: nonce replayed");
        }
        *ledger
            .calls
            .entry(callback.as_str().to_owned())
            .or_default() += 1;
        ledger.take_mode(callback)
    };
    match mode {
        Mode::Ok => {}
        Mode::Hang { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
        Mode::Fail {
            status,
            retry_after,
        } => {
            let mut response = (
                StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                "unavailable",
            )
                .into_response();
            if let Some(secs) = retry_after
                && let Ok(value) = HeaderValue::from_str(&secs.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Err(response);
        }
        Mode::Error { code, msg } => return Err(error(code, &msg)),
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| error(1000, &format!("bad body: {e}")))
}

async fn coupon_list(State(partner): State<Partner>, body: axum::body::Bytes) -> Response {
    let page: CouponListRequest = match admit(&partner, Callback::CouponList, &body).await {
        Ok(page) => page,
        Err(answer) => return answer,
    };
    let ledger = partner.ledger();
    let size = page.page_size.clamp(1, 100) as usize;
    let start = (page.page.max(1) as usize - 1) * size;
    let mut title = Map::new();
    title.insert("name".into(), json!("名称"));
    title.insert("num".into(), json!("数量"));
    title.insert("type".into(), json!("类型"));
    title.insert("des".into(), json!("描述"));
    title.insert("valid_date".into(), json!("有效期"));
    ok(CouponList {
        count: ledger.coupons.len() as i64,
        title,
        ignore: Some("id".into()),
        list: ledger
            .coupons
            .iter()
            .skip(start)
            .take(size)
            .cloned()
            .collect(),
    })
}

async fn coupon_issue(State(partner): State<Partner>, body: axum::body::Bytes) -> Response {
    let issue: CouponIssue = match admit(&partner, Callback::CouponIssue, &body).await {
        Ok(issue) => issue,
        Err(answer) => return answer,
    };
    let mut ledger = partner.ledger();
    if ledger.unknown_users.contains(&issue.u_id) {
        return error(8000, "no user");
    }
    if let Some(done) = ledger.issued.get(&issue.biz_id) {
        return ok(issued_answer(&ledger, done));
    }
    let Some(coupon) = ledger.coupons.iter_mut().find(|c| c.id == issue.coupon_id) else {
        return error(9004, "send coupon err");
    };
    if coupon.num.is_some_and(|n| n <= 0) {
        return error(9004, "优惠券已发完");
    }
    if let Some(n) = coupon.num.as_mut() {
        *n -= 1;
    }
    let cd_key: String = {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut rng = rand::rng();
        (0..10)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    };
    let done = Issued {
        u_id: issue.u_id,
        coupon_id: issue.coupon_id,
        cd_key,
    };
    let answer = issued_answer(&ledger, &done);
    ledger.issued.insert(issue.biz_id, done);
    ok(answer)
}

fn issued_answer(ledger: &Ledger, done: &Issued) -> CouponIssued {
    let coupon = ledger.coupons.iter().find(|c| c.id == done.coupon_id);
    CouponIssued {
        cd_key: Some(done.cd_key.clone()),
        kind: coupon.and_then(|c| c.kind.clone()),
        des: coupon.and_then(|c| c.des.clone()),
    }
}

async fn points_deduct(State(partner): State<Partner>, body: axum::body::Bytes) -> Response {
    let change: PointsChange = match admit(&partner, Callback::PointsDeduct, &body).await {
        Ok(change) => change,
        Err(answer) => return answer,
    };
    let mut ledger = partner.ledger();
    if ledger.unknown_users.contains(&change.u_id) {
        return error(8000, "no user");
    }
    if change.points <= 0 {
        return error(1001, "points must be positive");
    }
    if ledger.deductions.contains_key(&change.biz_id) {
        let balance = *ledger.balance(&change.u_id);
        return ok(PointsBalance { balance });
    }
    if ledger.refunds.contains_key(&change.biz_id) {
        // Its refund came first: the runtime gave up on this deduction.
        return error(9001, "该笔扣减已撤销");
    }
    let balance = ledger.balance(&change.u_id);
    if *balance < change.points {
        let msg = format!(
            "积分不足：需要 {} 积分，当前 {} 积分",
            change.points, *balance
        );
        return error(8001, &msg);
    }
    *balance -= change.points;
    let balance = *balance;
    ledger
        .deductions
        .insert(change.biz_id, (change.u_id, change.points));
    ok(PointsBalance { balance })
}

async fn points_add(State(partner): State<Partner>, body: axum::body::Bytes) -> Response {
    let change: PointsChange = match admit(&partner, Callback::PointsAdd, &body).await {
        Ok(change) => change,
        Err(answer) => return answer,
    };
    let mut ledger = partner.ledger();
    if ledger.unknown_users.contains(&change.u_id) {
        return error(8000, "no user");
    }
    if change.points <= 0 {
        return error(1001, "points must be positive");
    }
    if change.reason == "refund" {
        let Some(origin) = change.origin_biz_id.clone() else {
            return error(1001, "a refund names origin_biz_id");
        };
        if !ledger.refunds.contains_key(&origin) {
            // Give back only what was taken; remember the refund either way so
            // a late deduction with that biz_id is refused.
            let given = match ledger.deductions.get(&origin) {
                Some((u_id, points)) if *u_id == change.u_id => *points,
                _ => 0,
            };
            *ledger.balance(&change.u_id) += given;
            ledger.refunds.insert(origin, given);
        }
    } else if !ledger.adds.contains_key(&change.biz_id) {
        *ledger.balance(&change.u_id) += change.points;
        ledger
            .adds
            .insert(change.biz_id.clone(), (change.u_id.clone(), change.points));
    }
    let balance = *ledger.balance(&change.u_id);
    ok(PointsBalance { balance })
}

async fn condition(State(partner): State<Partner>, body: axum::body::Bytes) -> Response {
    let check: ConditionCheck = match admit(&partner, Callback::Condition, &body).await {
        Ok(check) => check,
        Err(answer) => return answer,
    };
    let ledger = partner.ledger();
    if ledger.denied_users.contains(&check.u_id) {
        ok(ConditionAnswer {
            allowed: false,
            msg: "本活动仅限会员参与，开通会员后再来吧".into(),
        })
    } else {
        ok(ConditionAnswer {
            allowed: true,
            msg: String::new(),
        })
    }
}

async fn audit(State(partner): State<Partner>, body: axum::body::Bytes) -> Response {
    let request: AuditRequest = match admit(&partner, Callback::Audit, &body).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let approved = !partner.ledger().audit_refused.contains(&request.u_id);
    ok(AuditAnswer { approved })
}

async fn decide(State(partner): State<Partner>, body: axum::body::Bytes) -> Response {
    let request: DecideRequest = match admit(&partner, Callback::Decide, &body).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let ledger = partner.ledger();
    ok(ledger
        .decisions
        .get(&request.u_id)
        .cloned()
        .unwrap_or(DecideAnswer {
            decision: "draw".into(),
            prize_id: None,
        }))
}

async fn events(State(partner): State<Partner>, body: axum::body::Bytes) -> Response {
    let event: EventBody = match admit(&partner, Callback::Events, &body).await {
        Ok(event) => event,
        Err(answer) => return answer,
    };
    let mut ledger = partner.ledger();
    ledger.event_posts += 1;
    ledger.events.entry(event.event_id.clone()).or_insert(event);
    ok(json!({}))
}

#[derive(Deserialize)]
struct LoginQuery {
    redirect_url: String,
    activity_id: String,
    /// Who signs in (a real partner has its own login; the demo takes a name).
    #[serde(default)]
    u_id: Option<String>,
}

/// The partner's login page for players who arrive without a ticket: it
/// "signs the user in" (the demo takes `u_id`, or a new guest), gets a
/// one-time ticket from the runtime's open API and sends the player to the
/// `play_url`, which signs them in there.
async fn login(
    State(partner): State<Partner>,
    axum::extract::Query(query): axum::extract::Query<LoginQuery>,
) -> Response {
    let Some(runtime) = partner.runtime_url.as_ref().clone() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no runtime URL configured").into_response();
    };
    // Only ever send players back to the runtime (no open redirect).
    if !query.redirect_url.starts_with(&format!("{runtime}/")) {
        return (StatusCode::BAD_REQUEST, "redirect_url is not the runtime").into_response();
    }
    let u_id = query
        .u_id
        .unwrap_or_else(|| format!("guest-{:06}", rand::rng().random_range(0..1_000_000)));
    let mut body = Map::new();
    body.insert("app_id".into(), json!(partner.app_id.as_str()));
    body.insert("u_id".into(), json!(u_id));
    body.insert(
        "nickname".into(),
        json!(format!("玩家{}", &u_id[u_id.len().saturating_sub(4)..])),
    );
    body.insert("activity_id".into(), json!(query.activity_id));
    body.insert("timestamp".into(), json!(now_secs()));
    body.insert(
        "nonce".into(),
        json!(format!("{:016x}", rand::rng().random::<u64>())),
    );
    sign::sign_in_place(&partner.secret, &mut body);
    let answer = partner
        .http
        .post(format!("{runtime}/open/v1/user/ticket"))
        .json(&body)
        .send()
        .await;
    let play_url = match answer {
        Ok(response) => response
            .json::<Value>()
            .await
            .ok()
            .and_then(|v| v["result"]["play_url"].as_str().map(str::to_owned)),
        Err(_) => None,
    };
    match play_url {
        Some(url) => axum::response::Redirect::to(&url).into_response(),
        None => (
            StatusCode::BAD_GATEWAY,
            "the runtime did not issue a ticket",
        )
            .into_response(),
    }
}

async fn control_state(State(partner): State<Partner>) -> Response {
    let ledger = partner.ledger();
    Json(json!({
        "ledger": &*ledger,
        "deducted_net": ledger.deducted_net(),
    }))
    .into_response()
}

#[derive(Deserialize)]
struct ModeChange {
    callback: Callback,
    #[serde(flatten)]
    mode: Mode,
    #[serde(default)]
    times: Option<u32>,
}

async fn control_mode(State(partner): State<Partner>, Json(change): Json<ModeChange>) -> Response {
    partner
        .ledger()
        .set_mode(change.callback, change.mode, change.times);
    ok(json!({}))
}

#[derive(Deserialize)]
struct UsersChange {
    #[serde(default)]
    unknown: Vec<String>,
    #[serde(default)]
    denied: Vec<String>,
    #[serde(default)]
    audit_refused: Vec<String>,
    #[serde(default)]
    balances: BTreeMap<String, i64>,
}

async fn control_users(
    State(partner): State<Partner>,
    Json(change): Json<UsersChange>,
) -> Response {
    let mut ledger = partner.ledger();
    ledger.unknown_users.extend(change.unknown);
    ledger.denied_users.extend(change.denied);
    ledger.audit_refused.extend(change.audit_refused);
    ledger.balances.extend(change.balances);
    ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_from_the_control_api() {
        let change: ModeChange = serde_json::from_str(
            r#"{"callback":"coupon_issue","mode":"fail","status":503,"retry_after":2,"times":3}"#,
        )
        .expect("parses");
        assert_eq!(change.callback, Callback::CouponIssue);
        assert_eq!(
            change.mode,
            Mode::Fail {
                status: 503,
                retry_after: Some(2)
            }
        );
        assert_eq!(change.times, Some(3));
    }

    #[test]
    fn a_mode_with_times_runs_out() {
        let mut ledger = Ledger::default();
        ledger.set_mode(
            Callback::Events,
            Mode::Error {
                code: 9004,
                msg: "x".into(),
            },
            Some(2),
        );
        assert!(matches!(
            ledger.take_mode(Callback::Events),
            Mode::Error { .. }
        ));
        assert!(matches!(
            ledger.take_mode(Callback::Events),
            Mode::Error { .. }
        ));
        assert_eq!(ledger.take_mode(Callback::Events), Mode::Ok);
    }
}
