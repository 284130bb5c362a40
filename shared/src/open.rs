//! Bodies of the open API (`POST /open/v1/…`, partner → runtime). Every body
//! also carries `app_id`, `timestamp`, `nonce` and `sign`, checked before these
//! types are parsed. Fields may grow, never change.

use serde::{Deserialize, Serialize};

use crate::api::{ActivityKind, ActivityStatus, PrizeKind};

/// The rules of an activity: chances, costs and modes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Draws each player gets per local day (the activity's time zone).
    #[serde(default = "one")]
    pub chances_per_day: i64,
    /// Draws each player gets over the whole activity; `None` for no cap.
    #[serde(default)]
    pub chances_total: Option<i64>,
    /// Partner points each draw costs (deducted through the partner).
    #[serde(default)]
    pub points_cost: i64,
    /// Ask the partner's condition callback before a player plays.
    #[serde(default)]
    pub condition_check: bool,
    /// Publish SHA-256 of a server seed before the start, reveal the seed after
    /// the end, and derive every draw from (seed, user, draw number).
    #[serde(default)]
    pub provably_fair: bool,
    /// Check-in calendar settings (for `checkin` activities).
    #[serde(default)]
    pub checkin: Option<CheckinRules>,
    /// Automatic anti-farming rule.
    #[serde(default)]
    pub risk: Option<RiskRules>,
    /// What a winner of an audited prize gets when the partner's audit
    /// refuses them: a prize by position in the list (if it has stock), else
    /// "thanks".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_fallback: Option<usize>,
    /// Ask the partner's decision callback which prize a player gets (it may
    /// answer "let the runtime draw"); stock and limits still hold.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partner_decides: bool,
    /// Game settings (for `quiz`, `red_envelope` and `memory_flip` activities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub game: Option<GameRules>,
    /// Live big-screen settings (for `live` activities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<crate::live::LiveRules>,
}

/// A score game or quiz: a round is a game session the server starts and
/// finishes once; a plausible score at or above `pass_score` earns a draw from
/// the prize list, a lower one spends the chance on "thanks".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GameRules {
    /// How long a round lasts, seconds (the red envelopes fall this long;
    /// memory flip and quiz must be finished within it).
    pub duration_secs: i64,
    /// A round cannot be finished sooner than this, seconds.
    #[serde(default)]
    pub min_secs: i64,
    /// The score that earns a draw.
    pub pass_score: i64,
    /// The highest score a round can reach.
    pub max_score: i64,
    /// The most points a person can score per second of play.
    pub max_rate: i64,
    /// The questions of a quiz (the score is the number answered right).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuizQuestion>,
}

/// One quiz question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuizQuestion {
    /// The question.
    pub text: String,
    /// Two to six options.
    pub options: Vec<String>,
    /// The right option's position.
    pub answer: usize,
}

/// An automatic anti-farming rule: more than `ip_draws_max` draws from one
/// address within `ip_window_secs` puts the player on the review list, and a
/// player on the review list cannot win audited prizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RiskRules {
    /// Most draws one address may make in the window before its players are flagged.
    pub ip_draws_max: i64,
    /// The window, seconds.
    pub ip_window_secs: i64,
}

/// `risk/blacklist`: add or remove a blacklist entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlacklistChange {
    /// Which activity.
    pub activity_id: String,
    /// `add` or `remove`.
    pub action: String,
    /// `u_id` or `ip`.
    pub kind: String,
    /// The user id or address.
    pub value: String,
    /// Why (for the operators).
    #[serde(default)]
    pub reason: Option<String>,
}

/// One blacklist or review-list entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskEntry {
    /// `u_id`, `ip` or `review`.
    pub kind: String,
    /// The user id or address.
    pub value: String,
    /// Why.
    pub reason: String,
    /// When, unix seconds.
    pub at: i64,
}

/// What `risk/list` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskList {
    /// Blacklisted users and addresses.
    pub blacklist: Vec<RiskEntry>,
    /// Players flagged for review by an automatic rule.
    pub review: Vec<RiskEntry>,
}

fn one() -> i64 {
    1
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            chances_per_day: 1,
            chances_total: None,
            points_cost: 0,
            condition_check: false,
            provably_fair: false,
            checkin: None,
            risk: None,
            audit_fallback: None,
            partner_decides: false,
            game: None,
            live: None,
        }
    }
}

/// Check-in calendar rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckinRules {
    /// Streak lengths that earn a reward, each with the prize (by position in
    /// the prize list) it awards.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// Points a make-up check-in (补签) costs.
    #[serde(default)]
    pub makeup_cost: i64,
    /// How many make-up check-ins a player may make over the activity.
    #[serde(default)]
    pub makeup_limit: i64,
}

/// A streak reward.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// Consecutive days, e.g. 3, 7 or 30.
    pub days: i64,
    /// Index into the activity's prize list.
    pub prize: usize,
}

/// A prize in `activity/create` and `activity/update`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PrizeInput {
    /// Name players read.
    pub name: String,
    /// What it is.
    pub kind: PrizeKind,
    /// Relative weight; use either weights for every prize or probabilities.
    #[serde(default)]
    pub weight: Option<i64>,
    /// Probability of one draw, 0 to 1 (e.g. `0.05` for 5 %); what is left
    /// to 1 is "thanks".
    #[serde(default)]
    pub probability: Option<f64>,
    /// How many exist; `None` for unlimited (not allowed for goods and codes).
    #[serde(default)]
    pub stock: Option<i64>,
    /// Value in cents, for reports.
    #[serde(default)]
    pub value: i64,
    /// The partner coupon id, for `coupon` prizes.
    #[serde(default)]
    pub coupon_id: Option<String>,
    /// Points awarded, for `points` prizes.
    #[serde(default)]
    pub points: Option<i64>,
    /// Needs the partner's winner audit before it is awarded.
    #[serde(default)]
    pub audit: bool,
    /// Most times one player can win it; `None` for no cap.
    #[serde(default)]
    pub per_user_limit: Option<i64>,
    /// Redeem codes, for `code` prizes: one is handed out per win. In an
    /// update, a `code` prize sent without codes keeps the pool of the prize
    /// of the same name it replaces.
    #[serde(default)]
    pub codes: Vec<String>,
    /// Image URL.
    #[serde(default)]
    pub image: Option<String>,
    /// Release the stock over the campaign instead of all at once.
    #[serde(default)]
    pub release: Option<Release>,
}

/// How often a release plan adds stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReleaseEvery {
    /// Each local day of the activity's zone, from the start day.
    Day,
    /// Each hour from the start.
    Hour,
}

/// A release plan: `amount` more of the stock becomes winnable each period
/// (what is not won rolls over), never more than the stock in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// The period.
    pub every: ReleaseEvery,
    /// How many each period.
    pub amount: i64,
}

/// `activity/create`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateActivity {
    /// The kind of activity.
    pub template: ActivityKind,
    /// Title, 1 to 60 characters.
    pub title: String,
    /// Start, unix seconds.
    pub starts_at: i64,
    /// End, unix seconds, after the start.
    pub ends_at: i64,
    /// IANA time zone; `Asia/Shanghai` when absent.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Chances, costs and modes.
    #[serde(default)]
    pub rules: Rules,
    /// The prizes, in display order.
    #[serde(default)]
    pub prizes: Vec<PrizeInput>,
    /// Theme name; the kind's default when absent.
    #[serde(default)]
    pub theme: Option<String>,
    /// The merchant (from `merchant/create`) the activity belongs to; absent
    /// for the partner's own.
    #[serde(default)]
    pub merchant_id: Option<String>,
}

/// `activity/update`: any field given replaces the current one. Prizes, odds,
/// rules and the time window are locked once the activity has started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateActivity {
    /// Which activity.
    pub activity_id: String,
    /// New title.
    #[serde(default)]
    pub title: Option<String>,
    /// New start.
    #[serde(default)]
    pub starts_at: Option<i64>,
    /// New end.
    #[serde(default)]
    pub ends_at: Option<i64>,
    /// New time zone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// New rules.
    #[serde(default)]
    pub rules: Option<Rules>,
    /// New prize list (replaces the old one).
    #[serde(default)]
    pub prizes: Option<Vec<PrizeInput>>,
    /// New theme.
    #[serde(default)]
    pub theme: Option<String>,
}

/// `activity/publish`, `activity/end`, `activity/get`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityRef {
    /// Which activity.
    pub activity_id: String,
}

/// A prize as the partner sees it (with stock left).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrizeInfo {
    /// Id within the runtime.
    pub prize_id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: PrizeKind,
    /// Weight, out of the activity's `weight_total`.
    pub weight: i64,
    /// Probability of one draw in parts per million (rounded for display).
    pub probability_ppm: i64,
    /// Stock at the start; `None` for unlimited.
    pub stock: Option<i64>,
    /// Stock left.
    pub stock_left: Option<i64>,
    /// Most wins per player.
    pub per_user_limit: Option<i64>,
    /// Needs winner audit.
    pub audit: bool,
    /// The release plan, if any.
    pub release: Option<Release>,
    /// Value in cents, for reports.
    #[serde(default)]
    pub value: i64,
    /// The partner coupon id, for `coupon` prizes.
    #[serde(default)]
    pub coupon_id: Option<String>,
    /// Points awarded, for `points` prizes.
    #[serde(default)]
    pub points: Option<i64>,
    /// Image URL.
    #[serde(default)]
    pub image: Option<String>,
    /// How many redeem codes the pool holds, for `code` prizes (the codes
    /// themselves are not shown; an update that sends such a prize without
    /// codes keeps them).
    #[serde(default)]
    pub codes_total: Option<i64>,
}

/// What `activity/create`, `update`, `publish`, `end` and `get` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityInfo {
    /// Public id.
    pub activity_id: String,
    /// Kind.
    pub template: ActivityKind,
    /// Title.
    pub title: String,
    /// Status.
    pub status: ActivityStatus,
    /// Start, unix seconds.
    pub starts_at: i64,
    /// End, unix seconds.
    pub ends_at: i64,
    /// Time zone.
    pub timezone: String,
    /// Theme.
    pub theme: String,
    /// Rules.
    pub rules: Rules,
    /// The sum of prize weights plus "thanks": a draw picks `[0, weight_total)`.
    pub weight_total: i64,
    /// Prizes.
    pub prizes: Vec<PrizeInfo>,
    /// SHA-256 of the server seed (provably-fair mode).
    pub fair_commitment: Option<String>,
    /// The server seed, revealed once the activity has ended.
    pub fair_seed: Option<String>,
    /// The player page (iframe src without a ticket).
    pub play_url: String,
    /// The public rules page.
    pub rules_url: String,
    /// The merchant it belongs to; `None` for the partner's own.
    #[serde(default)]
    pub merchant_id: Option<String>,
}

/// `user/ticket`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketRequest {
    /// The partner's user id.
    pub u_id: String,
    /// Nickname shown in the activity.
    #[serde(default)]
    pub nickname: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
    /// The activity the user opens.
    pub activity_id: String,
}

/// What `user/ticket` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketInfo {
    /// One-time launch ticket.
    pub ticket: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The iframe src, ticket included.
    pub play_url: String,
}

/// `task/complete`: the partner reports a finished task; the user gets extra
/// chances, once per `biz_id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskComplete {
    /// The partner's user id.
    pub u_id: String,
    /// Which activity.
    pub activity_id: String,
    /// The partner's task id.
    pub task_id: String,
    /// The partner's idempotency id: the same `biz_id` grants once.
    pub biz_id: String,
    /// Extra chances to grant (1 to 100; default 1).
    #[serde(default)]
    pub chances: Option<i64>,
}

/// What `task/complete` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskResult {
    /// Whether this call granted the chances (false: the `biz_id` was seen before).
    pub granted: bool,
    /// Chances now left.
    pub chances: crate::api::Chances,
}

/// `data/records`: one page of an activity's records, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordsQuery {
    /// Which activity.
    pub activity_id: String,
    /// `draws`, `winners`, `participants` (distinct players with their
    /// figures), `checkins`, `events` (behaviour pushes) or `deliveries`
    /// (coupon issue, points add and refunds), with their delivery state.
    #[serde(rename = "type")]
    pub kind: String,
    /// `next_cursor` of the previous page; absent for the first.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Rows per page, 1 to 500 (default 100).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// What `data/records` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Records {
    /// This page.
    pub list: Vec<serde_json::Value>,
    /// Pass it back for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}
