//! The platform tier and the merchant console.
//!
//! - Open API (signed, partner → runtime): `merchant/create`, `merchant/list`,
//!   `console/ticket`, and `data/stats` (the figures the console shows).
//! - Console API (`/api/v1/console/…`, `Authorization: Bearer <token>` from
//!   `POST /api/v1/console/session`): everything is scoped to the partner and
//!   the merchant of the token; another merchant's activity is "not found".

use serde::{Deserialize, Serialize};

use crate::api::{ActivityKind, ActivityStatus, PrizeKind};
use crate::open::{PrizeInput, Rules, UpdateActivity};

/// `merchant/create`: a merchant (sub-account) under the calling partner.
/// With the id of a merchant that exists, renames it (a retry is harmless).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MerchantCreate {
    /// The partner's own id for the merchant (1 to 64 of `A-Z a-z 0-9 _ -`);
    /// absent: the runtime makes one (`mch_…`).
    #[serde(default)]
    pub merchant_id: Option<String>,
    /// Name, 1 to 60 characters.
    pub name: String,
}

/// A merchant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Merchant {
    /// Its id within the partner.
    pub merchant_id: String,
    /// Name.
    pub name: String,
    /// When it was created, unix seconds.
    pub created_at: i64,
}

/// A page request: `cursor` from the previous page's `next_cursor`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageQuery {
    /// `next_cursor` of the previous page; absent for the first.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Rows per page, 1 to 500 (default 100).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// What `merchant/list` answers: the partner's merchants, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MerchantList {
    /// This page.
    pub list: Vec<Merchant>,
    /// Pass it back for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// `console/ticket`: a one-time sign-in to the console for one merchant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsoleTicketRequest {
    /// The merchant the console opens for.
    pub merchant_id: String,
}

/// What `console/ticket` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsoleTicket {
    /// The iframe src for the partner's back office: `<public_url>/console/?ticket=…`.
    pub console_url: String,
    /// The one-time ticket in it.
    pub ticket: String,
    /// Seconds until the ticket expires.
    pub expires_in: i64,
}

/// `data/stats`: an activity's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsQuery {
    /// Which activity.
    pub activity_id: String,
    /// Start of the hourly range, unix seconds (rounded down to the local
    /// hour); default: 24 hours before `to`.
    #[serde(default)]
    pub from: Option<i64>,
    /// End of the hourly range, unix seconds (exclusive, rounded up to the
    /// local hour); default: now, within the activity's window. At most 744
    /// hours (31 days) after `from`.
    #[serde(default)]
    pub to: Option<i64>,
}

/// The figures of an activity, of an hour or of a day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Activity pages opened (launch tickets exchanged for a session).
    pub views: i64,
    /// Distinct players who drew, played a round or checked in.
    pub participants: i64,
    /// Draws (plays that spent a chance; streak rewards are not draws).
    pub draws: i64,
    /// Prizes won (draws and streak rewards that awarded a prize).
    pub wins: i64,
    /// Distinct players who won a prize.
    pub winners: i64,
    /// Check-ins (make-ups included).
    pub checkins: i64,
}

/// The figures of one local hour or day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bucket {
    /// Its start, unix seconds.
    pub at: i64,
    /// Its start on the activity's local clock: `2026-11-11 20:00` (hours),
    /// `2026-11-11` (days).
    pub label: String,
    /// The figures in it (on the wire beside `at` and `label`).
    #[serde(flatten)]
    pub figures: Figures,
}

/// A prize's stock in the figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrizeStock {
    /// Id within the runtime.
    pub prize_id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: PrizeKind,
    /// Stock at the start; `None` for unlimited.
    pub stock: Option<i64>,
    /// Stock left; `None` for unlimited.
    pub stock_left: Option<i64>,
    /// How many were won.
    pub won: i64,
}

/// What `data/stats` and the console's stats answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    /// Which activity.
    pub activity_id: String,
    /// The zone hours and days are counted in (the activity's).
    pub timezone: String,
    /// Over the whole activity.
    pub totals: Figures,
    /// Every prize, in display order.
    pub prizes: Vec<PrizeStock>,
    /// The hourly range actually covered: `[from, to)`, unix seconds.
    pub from: i64,
    /// End of the hourly range (exclusive).
    pub to: i64,
    /// Every local hour of the range, oldest first (empty hours included).
    pub by_hour: Vec<Bucket>,
    /// Every local day of the activity's window, oldest first.
    pub by_day: Vec<Bucket>,
}

/// `POST /api/v1/console/session`: exchanges the ticket of a `console_url`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsoleSessionRequest {
    /// The `ticket` of the console URL.
    pub ticket: String,
}

/// A console session: send `token` as `Authorization: Bearer …`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsoleSession {
    /// The bearer token (no cookie: the console runs in the partner's iframe).
    pub token: String,
    /// Seconds it lasts.
    pub expires_in: i64,
    /// The partner's app id.
    pub app_id: String,
    /// The merchant it is scoped to.
    pub merchant: Merchant,
}

/// `GET /api/v1/console/me`: who the token is for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsoleMe {
    /// The partner's app id.
    pub app_id: String,
    /// The merchant.
    pub merchant: Merchant,
    /// When the session ends, unix seconds.
    pub expires_at: i64,
}

/// One of the merchant's activities in the console's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityItem {
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
    /// The player page.
    pub play_url: String,
}

/// `GET /api/v1/console/activities`: newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityList {
    /// This page.
    pub list: Vec<ActivityItem>,
    /// Pass it back as `cursor` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// `POST /api/v1/console/activities/{id}`: any field given replaces the
/// current one, as in `activity/update` (prizes, odds, rules and the window
/// are locked once it has started). Other fields (an `activity_id`) are
/// ignored: the path names the activity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityChanges {
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

impl ActivityChanges {
    /// The same changes as an `activity/update` of `activity_id`.
    pub fn into_update(self, activity_id: String) -> UpdateActivity {
        UpdateActivity {
            activity_id,
            title: self.title,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            timezone: self.timezone,
            rules: self.rules,
            prizes: self.prizes,
            theme: self.theme,
        }
    }
}

/// `GET /api/v1/console/activities/{id}/stats`: the hourly range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct StatsRange {
    /// As `data/stats`' `from`.
    #[serde(default)]
    pub from: Option<i64>,
    /// As `data/stats`' `to`.
    #[serde(default)]
    pub to: Option<i64>,
}

/// `GET /api/v1/console/activities/{id}/records`: as `data/records`, for
/// `draws`, `winners`, `participants` and `checkins`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RecordsPage {
    /// `draws`, `winners`, `participants` or `checkins`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Rows per page, 1 to 500 (default 100).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// `GET /api/v1/console/activities/{id}/winners`: winners newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct WinnersQuery {
    /// Part of a `u_id`, a nickname or a prize name.
    #[serde(default)]
    pub q: Option<String>,
    /// Only this prize.
    #[serde(default)]
    pub prize_id: Option<i64>,
    /// `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Rows per page, 1 to 500 (default 100).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// A won prize, for the console.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Winner {
    /// The draw (or streak reward) that won it.
    pub draw_id: i64,
    /// When, unix seconds.
    pub at: i64,
    /// The partner's user id.
    pub u_id: String,
    /// Nickname, as the partner gave it.
    pub nickname: Option<String>,
    /// The prize.
    pub prize_id: i64,
    /// Its name.
    pub prize_name: String,
    /// Its kind.
    pub prize_kind: PrizeKind,
    /// The redeem code or the partner's `cd_key`.
    pub code: Option<String>,
    /// `audit`, `pending`, `issued` or `failed` for prizes the partner delivers.
    pub delivery: Option<String>,
    /// The partner's note on the delivery.
    pub delivery_note: Option<String>,
    /// `draw`, or `milestone` for a streak reward.
    pub source: String,
}

/// What the winners list answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WinnerList {
    /// This page.
    pub list: Vec<Winner>,
    /// Pass it back as `cursor` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// `POST /api/v1/console/activities/{id}/export?q=…`: a one-time download
/// link of the winners' CSV (a link cannot carry the bearer header).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ExportRequest {
    /// The same filter as the winners list.
    #[serde(default)]
    pub q: Option<String>,
}

/// A one-time download link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportLink {
    /// `/api/v1/console/activities/{id}/winners.csv?ticket=…` (relative to the runtime).
    pub url: String,
    /// Seconds until it expires; it works once.
    pub expires_in: i64,
}

/// `GET /api/v1/console/activities/{id}/winners.csv`: with the bearer header,
/// or with the `ticket` of an [`ExportLink`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct CsvQuery {
    /// Part of a `u_id`, a nickname or a prize name.
    #[serde(default)]
    pub q: Option<String>,
    /// The one-time ticket of an export link (instead of the bearer header).
    #[serde(default)]
    pub ticket: Option<String>,
}
