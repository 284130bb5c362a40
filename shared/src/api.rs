//! Request and response bodies of the player API (`/api/v1/…`).

use serde::{Deserialize, Serialize};

/// The kind (template) of an activity: which game the app renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// 大转盘, wheel of fortune.
    Wheel,
    /// 九宫格, nine-grid.
    NineGrid,
    /// 刮刮乐, scratch card.
    Scratch,
    /// 砸金蛋, smash the golden egg.
    GoldenEgg,
    /// 老虎机, slot machine.
    Slot,
    /// 盲盒, blind box.
    BlindBox,
    /// 接红包, catch the red envelopes.
    RedEnvelope,
    /// 翻牌, memory flip.
    MemoryFlip,
    /// 答题, quiz.
    Quiz,
    /// 签到日历, check-in calendar.
    Checkin,
    /// 大屏抽奖, live big-screen lottery.
    Live,
}

impl ActivityKind {
    /// Every kind, in the order the gallery shows them.
    pub const ALL: &'static [ActivityKind] = &[
        ActivityKind::Wheel,
        ActivityKind::NineGrid,
        ActivityKind::Scratch,
        ActivityKind::GoldenEgg,
        ActivityKind::Slot,
        ActivityKind::BlindBox,
        ActivityKind::RedEnvelope,
        ActivityKind::MemoryFlip,
        ActivityKind::Quiz,
        ActivityKind::Checkin,
        ActivityKind::Live,
    ];

    /// The snake_case name used in URLs, configs and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Wheel => "wheel",
            ActivityKind::NineGrid => "nine_grid",
            ActivityKind::Scratch => "scratch",
            ActivityKind::GoldenEgg => "golden_egg",
            ActivityKind::Slot => "slot",
            ActivityKind::BlindBox => "blind_box",
            ActivityKind::RedEnvelope => "red_envelope",
            ActivityKind::MemoryFlip => "memory_flip",
            ActivityKind::Quiz => "quiz",
            ActivityKind::Checkin => "checkin",
            ActivityKind::Live => "live",
        }
    }

    /// The kind with this name.
    pub fn parse(s: &str) -> Option<Self> {
        ActivityKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// The English name (`?lang=en`).
    pub fn name_en(self) -> &'static str {
        match self {
            ActivityKind::Wheel => "Wheel of fortune",
            ActivityKind::NineGrid => "Nine-grid",
            ActivityKind::Scratch => "Scratch card",
            ActivityKind::GoldenEgg => "Golden eggs",
            ActivityKind::Slot => "Slot machine",
            ActivityKind::BlindBox => "Blind box",
            ActivityKind::RedEnvelope => "Red envelopes",
            ActivityKind::MemoryFlip => "Memory flip",
            ActivityKind::Quiz => "Quiz",
            ActivityKind::Checkin => "Check-in calendar",
            ActivityKind::Live => "Live draw",
        }
    }

    /// The Chinese name players see.
    pub fn name_zh(self) -> &'static str {
        match self {
            ActivityKind::Wheel => "大转盘",
            ActivityKind::NineGrid => "九宫格",
            ActivityKind::Scratch => "刮刮乐",
            ActivityKind::GoldenEgg => "砸金蛋",
            ActivityKind::Slot => "老虎机",
            ActivityKind::BlindBox => "盲盒",
            ActivityKind::RedEnvelope => "接红包",
            ActivityKind::MemoryFlip => "翻牌",
            ActivityKind::Quiz => "答题",
            ActivityKind::Checkin => "签到日历",
            ActivityKind::Live => "大屏抽奖",
        }
    }
}

/// Where an activity is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    /// Being edited; not playable.
    Draft,
    /// Published; playable inside its time window. Prizes and odds are locked
    /// once it starts.
    Published,
    /// Ended by the partner or by its time window.
    Ended,
}

impl ActivityStatus {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Draft => "draft",
            ActivityStatus::Published => "published",
            ActivityStatus::Ended => "ended",
        }
    }

    /// The status with this name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(ActivityStatus::Draft),
            "published" => Some(ActivityStatus::Published),
            "ended" => Some(ActivityStatus::Ended),
            _ => None,
        }
    }
}

/// What a prize is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PrizeKind {
    /// 谢谢参与: no prize.
    Thanks,
    /// Partner points, added through the points-add callback.
    Points,
    /// A partner coupon, issued through the coupon-issue callback.
    Coupon,
    /// A physical good, shipped by the merchant.
    Goods,
    /// A redeem code from the prize's pre-loaded code pool.
    Code,
}

impl PrizeKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PrizeKind::Thanks => "thanks",
            PrizeKind::Points => "points",
            PrizeKind::Coupon => "coupon",
            PrizeKind::Goods => "goods",
            PrizeKind::Code => "code",
        }
    }

    /// The kind with this name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "thanks" => Some(PrizeKind::Thanks),
            "points" => Some(PrizeKind::Points),
            "coupon" => Some(PrizeKind::Coupon),
            "goods" => Some(PrizeKind::Goods),
            "code" => Some(PrizeKind::Code),
            _ => None,
        }
    }
}

/// A prize as the public rules page and the player app show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrizeView {
    /// Stable id within the activity.
    pub id: i64,
    /// The prize's name as players read it, e.g. "一等奖 · 蓝牙耳机".
    pub name: String,
    /// What it is.
    pub kind: PrizeKind,
    /// The chance of drawing it, in parts per million of one draw.
    pub probability_ppm: i64,
    /// How many exist in all; `None` means unlimited.
    pub stock_total: Option<i64>,
    /// An image URL, if the merchant set one.
    pub image: Option<String>,
    /// The release plan, if the stock is released over the campaign.
    pub release: Option<crate::open::Release>,
}

/// An activity as the player app and the rules page show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityView {
    /// Public id, e.g. `act_…`.
    pub id: String,
    /// Which game.
    pub kind: ActivityKind,
    /// Title shown at the top.
    pub title: String,
    /// Draft, published or ended.
    pub status: ActivityStatus,
    /// Start, unix seconds.
    pub starts_at: i64,
    /// End, unix seconds.
    pub ends_at: i64,
    /// IANA time zone the calendar and daily limits follow, e.g. `Asia/Shanghai`.
    pub timezone: String,
    /// Theme name from `themes/`.
    pub theme: String,
    /// The prizes, in display order.
    pub prizes: Vec<PrizeView>,
    /// Chances, costs and modes, as the rules page states them.
    pub rules: crate::open::Rules,
    /// SHA-256 of the server seed, in provably-fair mode.
    pub fair_commitment: Option<String>,
    /// The server seed, once a provably-fair activity has ended.
    pub fair_seed: Option<String>,
    /// Whether a player without a ticket can sign in through the partner
    /// (`/api/v1/activities/{id}/login`).
    #[serde(default)]
    pub login: bool,
}

/// `POST /api/v1/session`: exchange a launch ticket for a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionRequest {
    /// The one-time ticket from the play URL.
    pub ticket: String,
}

/// A session: send `token` as `Authorization: Bearer …` (no cookie, so it
/// works in iframes whose third-party cookies are blocked).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// The bearer token.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The activity the ticket was for.
    pub activity_id: String,
    /// The partner's user id.
    pub u_id: String,
    /// Nickname.
    pub nickname: Option<String>,
    /// Avatar URL.
    pub avatar: Option<String>,
}

/// `POST /api/v1/activities/{id}/draw`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrawRequest {
    /// A key the app makes per press of the button: a retry with the same key
    /// returns the same draw and never draws twice.
    pub idempotency_key: String,
}

/// How many draws a player has left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Chances {
    /// Left today from the daily allowance.
    pub today_left: i64,
    /// Extra chances (tasks, shares) left.
    pub extra_left: i64,
    /// Left over the whole activity from the allowance; `None` when uncapped.
    pub total_left: Option<i64>,
}

impl Chances {
    /// Whether the player can draw now.
    pub fn any(&self) -> bool {
        (self.today_left > 0 && self.total_left != Some(0)) || self.extra_left > 0
    }
}

/// A prize a player won.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WonPrize {
    /// The draw that won it.
    pub draw_id: i64,
    /// The prize.
    pub prize_id: i64,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: PrizeKind,
    /// The redeem code: a `code` prize's, or a partner coupon's `cd_key`.
    pub code: Option<String>,
    /// When, unix seconds.
    pub won_at: i64,
    /// For prizes the partner delivers (coupons, points): `pending`, `issued`
    /// or `failed`; `None` when there is nothing to deliver.
    #[serde(default)]
    pub delivery: Option<String>,
    /// The partner's description of the coupon, or its message when the
    /// delivery failed or is being retried (shown to the player).
    #[serde(default)]
    pub note: Option<String>,
}

/// The result of one draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrawResult {
    /// The draw's id.
    pub draw_id: i64,
    /// The player's draw number in this activity (1, 2, …).
    pub seq: i64,
    /// The prize won, or `None` for "thanks".
    pub prize: Option<WonPrize>,
    /// Chances left after this draw.
    pub chances: Chances,
}

/// `GET /api/v1/activities/{id}/me`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyState {
    /// The partner's user id.
    pub u_id: String,
    /// Nickname.
    pub nickname: Option<String>,
    /// Chances left.
    pub chances: Chances,
    /// Prizes won, newest first.
    pub prizes: Vec<WonPrize>,
    /// The check-in calendar.
    pub checkin: CheckinState,
}

/// A player's check-in calendar.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckinState {
    /// Today in the activity's zone, as `yyyymmdd`.
    pub today: i64,
    /// Whether today is checked in.
    pub checked_in_today: bool,
    /// Consecutive days up to today (or yesterday, if today is not yet).
    pub streak: i64,
    /// Every checked-in day, `yyyymmdd`, ascending.
    pub days: Vec<i64>,
    /// Make-up check-ins still allowed.
    pub makeups_left: i64,
}

/// `POST /api/v1/activities/{id}/checkin/makeup`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MakeupRequest {
    /// The missed day, `yyyymmdd`, before today and within the activity.
    pub day: i64,
}

/// The result of a check-in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckinResult {
    /// The day checked in, `yyyymmdd`.
    pub day: i64,
    /// The streak after it.
    pub streak: i64,
    /// Milestone rewards this check-in reached.
    pub rewards: Vec<WonPrize>,
}

/// `POST /api/v1/activities/{id}/game/start`: a round of a score game or quiz.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GameRound {
    /// The round's id, sent back with the score.
    pub round_id: String,
    /// How long the round lasts, seconds.
    pub duration_secs: i64,
    /// The score that earns a draw.
    pub pass_score: i64,
    /// The highest score a round can reach.
    pub max_score: i64,
    /// A seed for the board (memory flip's card order, the envelopes' lanes),
    /// so a round is laid out the same way if the page reloads.
    pub seed: u32,
    /// The quiz questions, without their answers.
    #[serde(default)]
    pub questions: Vec<QuizQuestionView>,
}

/// A quiz question as the player sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuizQuestionView {
    /// The question.
    pub text: String,
    /// The options.
    pub options: Vec<String>,
}

/// `POST /api/v1/activities/{id}/game/finish`: the end of a round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GameFinish {
    /// The round, from [`GameRound`].
    pub round_id: String,
    /// The score the game counted (ignored for a quiz: the server scores
    /// `answers`).
    #[serde(default)]
    pub score: i64,
    /// A quiz's answers, one option position per question.
    #[serde(default)]
    pub answers: Vec<usize>,
}

/// What a finished round came to. Finishing the same round again answers
/// the same result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GameResult {
    /// The score that counted.
    pub score: i64,
    /// Whether it reached the pass score (and so drew from the prizes).
    pub passed: bool,
    /// The draw the round spent its chance on.
    pub draw: DrawResult,
}

/// `GET /api/v1/activities` lists the activities a demo install shows on its
/// start page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivitySummary {
    /// Public id.
    pub id: String,
    /// Which game.
    pub kind: ActivityKind,
    /// Title.
    pub title: String,
    /// Draft, published or ended.
    pub status: ActivityStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip_and_match_serde() {
        for &kind in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).expect("serialize");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }
}
