//! Activities and prizes as stored, and the queries every domain shares.

use huodong_shared::api::{ActivityKind, ActivityStatus, ActivityView, PrizeKind, PrizeView};
use huodong_shared::open::{ActivityInfo, PrizeInfo, Release, ReleaseEvery, Rules};

use crate::clock;

use crate::db::{Db, now_secs};
use crate::error::AppError;
use crate::on_db;

/// An activity row, decoded.
#[derive(Clone, Debug)]
pub struct Activity {
    /// Internal id.
    pub id: i64,
    /// Public id (`act_…`).
    pub public_id: String,
    /// Owner.
    pub partner_id: i64,
    /// Kind.
    pub kind: ActivityKind,
    /// Title.
    pub title: String,
    /// Status.
    pub status: ActivityStatus,
    /// Start, unix seconds.
    pub starts_at: i64,
    /// End, unix seconds.
    pub ends_at: i64,
    /// IANA zone.
    pub timezone: String,
    /// Theme.
    pub theme: String,
    /// Rules.
    pub rules: Rules,
    /// A draw picks `[0, weight_total)`.
    pub weight_total: i64,
    /// Provably-fair server seed (secret until the end).
    pub fair_seed: Option<String>,
    /// SHA-256 of the seed.
    pub fair_commitment: Option<String>,
    /// The merchant it belongs to (internal id); `None` for the partner's own.
    pub merchant_id: Option<i64>,
    /// That merchant's public id.
    pub merchant: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: i64,
    public_id: String,
    partner_id: i64,
    kind: String,
    title: String,
    status: String,
    starts_at: i64,
    ends_at: i64,
    timezone: String,
    theme: String,
    rules: String,
    weight_total: i64,
    fair_seed: Option<String>,
    fair_commitment: Option<String>,
    merchant_id: Option<i64>,
    merchant: Option<String>,
}

const ACTIVITY_COLUMNS: &str = "id, public_id, partner_id, kind, title, status, starts_at, ends_at, \
     timezone, theme, rules, weight_total, fair_seed, fair_commitment, merchant_id, \
     (SELECT m.public_id FROM merchants m WHERE m.id = activities.merchant_id) AS merchant";

impl TryFrom<ActivityRow> for Activity {
    type Error = AppError;
    fn try_from(row: ActivityRow) -> Result<Self, AppError> {
        let corrupt = |what: &str| {
            AppError::Internal(anyhow::anyhow!("activity {} has a bad {what}", row.id))
        };
        Ok(Activity {
            kind: ActivityKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?,
            status: ActivityStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
            rules: serde_json::from_str(&row.rules).map_err(|_| corrupt("rules"))?,
            id: row.id,
            public_id: row.public_id,
            partner_id: row.partner_id,
            title: row.title,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            timezone: row.timezone,
            theme: row.theme,
            weight_total: row.weight_total,
            fair_seed: row.fair_seed,
            fair_commitment: row.fair_commitment,
            merchant_id: row.merchant_id,
            merchant: row.merchant,
        })
    }
}

/// A prize row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Prize {
    /// Id.
    pub id: i64,
    /// Display order.
    pub position: i64,
    /// Name.
    pub name: String,
    /// Kind, as stored.
    pub kind: String,
    /// Weight out of the activity's `weight_total`.
    pub weight: i64,
    /// Stock at the start; `None` for unlimited.
    pub stock_total: Option<i64>,
    /// Stock left.
    pub stock_left: Option<i64>,
    /// Most wins per player.
    pub per_user_limit: Option<i64>,
    /// Needs winner audit.
    pub audit: bool,
    /// Value in cents.
    pub value_cents: i64,
    /// Partner coupon id.
    pub coupon_id: Option<String>,
    /// Points awarded.
    pub points: Option<i64>,
    /// Image URL.
    pub image: Option<String>,
    /// Release period, `day` or `hour`.
    pub release_every: Option<String>,
    /// Release amount per period.
    pub release_amount: Option<i64>,
    /// Whether its stock is split over stock slots (PostgreSQL).
    pub slotted: bool,
}

impl Prize {
    /// The release plan, if any.
    pub fn release(&self) -> Option<Release> {
        let every = match self.release_every.as_deref()? {
            "day" => ReleaseEvery::Day,
            "hour" => ReleaseEvery::Hour,
            _ => return None,
        };
        Some(Release {
            every,
            amount: self.release_amount?,
        })
    }

    /// How much of the stock must still be held back at `now`: a win takes
    /// stock only while `stock_left` is above this floor.
    pub fn held_back(&self, activity: &Activity, now: i64) -> i64 {
        let (Some(total), Some(plan)) = (self.stock_total, self.release()) else {
            return 0;
        };
        let periods = match plan.every {
            ReleaseEvery::Hour => (now - activity.starts_at).div_euclid(3600) + 1,
            ReleaseEvery::Day => {
                let tz = clock::zone(&activity.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
                // Days since the start day, counted on the local calendar.
                clock::days_between(activity.starts_at, now, &tz).unwrap_or(0) + 1
            }
        };
        let released = plan.amount.saturating_mul(periods.max(0)).min(total);
        total - released
    }

    /// The decoded kind (unknown kinds read as thanks; the schema forbids them).
    pub fn kind(&self) -> PrizeKind {
        PrizeKind::parse(&self.kind).unwrap_or(PrizeKind::Thanks)
    }
}

/// Whose activities a caller may see and change: a partner's (the open API)
/// or one merchant's of a partner (the console).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    /// The partner.
    pub partner_id: i64,
    /// The merchant; `None`: every activity of the partner.
    pub merchant_id: Option<i64>,
}

impl Scope {
    /// Everything of a partner.
    pub fn partner(partner_id: i64) -> Scope {
        Scope {
            partner_id,
            merchant_id: None,
        }
    }

    /// Whether the activity is within the scope.
    pub fn covers(&self, activity: &Activity) -> bool {
        activity.partner_id == self.partner_id
            && (self.merchant_id.is_none() || activity.merchant_id == self.merchant_id)
    }
}

/// Parts per million of `weight` out of `total`, rounded.
pub fn ppm(weight: i64, total: i64) -> i64 {
    if total <= 0 {
        return 0;
    }
    ((i128::from(weight) * 1_000_000 + i128::from(total) / 2) / i128::from(total)) as i64
}

impl Activity {
    /// Loads the activity with this public id.
    pub async fn find(db: &Db, public_id: &str) -> Result<Option<Activity>, AppError> {
        let sql = format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE public_id = $1");
        let row: Option<ActivityRow> = on_db!(db, pool => {
            sqlx::query_as(&sql).bind(public_id).fetch_optional(pool).await
        })?;
        row.map(Activity::try_from).transpose()
    }

    /// Loads the activity or answers 404.
    pub async fn get(db: &Db, public_id: &str) -> Result<Activity, AppError> {
        Activity::find(db, public_id)
            .await?
            .ok_or_else(|| AppError::not_found("活动"))
    }

    /// Loads an activity the partner owns; 404 otherwise (another partner's
    /// ids are not even confirmed to exist).
    pub async fn owned_by(db: &Db, public_id: &str, partner_id: i64) -> Result<Activity, AppError> {
        let activity = Activity::get(db, public_id).await?;
        if activity.partner_id != partner_id {
            return Err(AppError::not_found("活动"));
        }
        Ok(activity)
    }

    /// Loads an activity within `scope`; 404 otherwise (whether it exists
    /// elsewhere is not revealed).
    pub async fn in_scope(db: &Db, public_id: &str, scope: Scope) -> Result<Activity, AppError> {
        let activity = Activity::get(db, public_id).await?;
        if !scope.covers(&activity) {
            return Err(AppError::not_found("活动"));
        }
        Ok(activity)
    }

    /// A page of the activities in `scope`, newest first: those with an id
    /// below `before` (all when `None`).
    pub async fn list_in_scope(
        db: &Db,
        scope: Scope,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Activity>, AppError> {
        // A partner-wide scope lists every activity of the partner.
        let sql = format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE partner_id = $1 \
             AND ($2 IS NULL OR merchant_id = $2) AND id < $3 ORDER BY id DESC LIMIT $4"
        );
        let rows: Vec<ActivityRow> = on_db!(db, pool => {
            sqlx::query_as(&sql)
                .bind(scope.partner_id)
                .bind(scope.merchant_id)
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(pool)
                .await
        })?;
        rows.into_iter().map(Activity::try_from).collect()
    }

    /// Published activities, oldest first.
    pub async fn list_published(db: &Db) -> Result<Vec<Activity>, AppError> {
        let sql = format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE status = 'published' ORDER BY id LIMIT 100"
        );
        let rows: Vec<ActivityRow> =
            on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        rows.into_iter().map(Activity::try_from).collect()
    }

    /// The prizes, in display order.
    pub async fn prizes(&self, db: &Db) -> Result<Vec<Prize>, AppError> {
        Ok(on_db!(db, pool => {
            sqlx::query_as(crate::draw::sql::PRIZES)
            .bind(self.id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Whether players can play now; the refusal otherwise.
    pub fn check_open(&self, now: i64) -> Result<(), AppError> {
        use huodong_shared::ErrorCode;
        match self.status {
            ActivityStatus::Draft => Err(AppError::code(ErrorCode::ActivityNotPublished)),
            ActivityStatus::Ended => Err(AppError::code(ErrorCode::ActivityEnded)),
            ActivityStatus::Published if now < self.starts_at => {
                Err(AppError::code(ErrorCode::ActivityNotStarted))
            }
            ActivityStatus::Published if now >= self.ends_at => {
                Err(AppError::code(ErrorCode::ActivityEnded))
            }
            ActivityStatus::Published => Ok(()),
        }
    }

    /// Whether the published rules are locked: it has started (or ended).
    pub fn is_locked(&self, now: i64) -> bool {
        match self.status {
            ActivityStatus::Draft => false,
            ActivityStatus::Published => now >= self.starts_at,
            ActivityStatus::Ended => true,
        }
    }

    /// Whether it is over (by status or by its window).
    pub fn is_over(&self, now: i64) -> bool {
        self.status == ActivityStatus::Ended || now >= self.ends_at
    }

    /// The seed, revealed only once the activity is over.
    pub fn revealed_seed(&self, now: i64) -> Option<String> {
        if self.is_over(now) {
            self.fair_seed.clone()
        } else {
            None
        }
    }

    /// The rules as players may read them: a quiz's questions (with their
    /// answers) are left out; a round hands out the questions without answers.
    pub fn public_rules(&self) -> Rules {
        let mut rules = self.rules.clone();
        if let Some(game) = rules.game.as_mut() {
            game.questions.clear();
        }
        rules
    }

    /// The public view for players and the rules page.
    pub fn view(&self, prizes: &[Prize]) -> ActivityView {
        ActivityView {
            id: self.public_id.clone(),
            kind: self.kind,
            title: self.title.clone(),
            status: self.status,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            timezone: self.timezone.clone(),
            theme: self.theme.clone(),
            prizes: prizes
                .iter()
                .map(|p| PrizeView {
                    id: p.id,
                    name: p.name.clone(),
                    kind: p.kind(),
                    probability_ppm: ppm(p.weight, self.weight_total),
                    stock_total: p.stock_total,
                    image: p.image.clone(),
                    release: p.release(),
                })
                .collect(),
            rules: self.public_rules(),
            fair_commitment: self.fair_commitment.clone(),
            fair_seed: self.revealed_seed(now_secs()),
            login: false,
        }
    }

    /// The partner's view, with stock left and links.
    pub fn info(&self, prizes: &[Prize], public_url: &str) -> ActivityInfo {
        ActivityInfo {
            activity_id: self.public_id.clone(),
            template: self.kind,
            title: self.title.clone(),
            status: self.status,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            timezone: self.timezone.clone(),
            theme: self.theme.clone(),
            rules: self.rules.clone(),
            weight_total: self.weight_total,
            prizes: prizes
                .iter()
                .map(|p| PrizeInfo {
                    prize_id: p.id,
                    name: p.name.clone(),
                    kind: p.kind(),
                    weight: p.weight,
                    probability_ppm: ppm(p.weight, self.weight_total),
                    stock: p.stock_total,
                    stock_left: p.stock_left,
                    per_user_limit: p.per_user_limit,
                    audit: p.audit,
                    release: p.release(),
                    value: p.value_cents,
                    coupon_id: p.coupon_id.clone(),
                    points: p.points,
                    image: p.image.clone(),
                    // Counted by `manage::info`.
                    codes_total: None,
                })
                .collect(),
            fair_commitment: self.fair_commitment.clone(),
            fair_seed: self.revealed_seed(now_secs()),
            play_url: format!("{public_url}/a/{}", self.public_id),
            rules_url: format!("{public_url}/a/{}/rules", self.public_id),
            merchant_id: self.merchant.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(starts_at: i64) -> Activity {
        Activity {
            id: 1,
            public_id: "act".into(),
            partner_id: 1,
            kind: ActivityKind::Wheel,
            title: "t".into(),
            status: ActivityStatus::Published,
            starts_at,
            ends_at: starts_at + 30 * 86_400,
            timezone: "Asia/Shanghai".into(),
            theme: "double11".into(),
            rules: Rules::default(),
            weight_total: 1_000_000,
            fair_seed: None,
            fair_commitment: None,
            merchant_id: None,
            merchant: None,
        }
    }

    fn prize(every: &str, amount: i64, total: i64) -> Prize {
        Prize {
            id: 1,
            position: 0,
            name: "p".into(),
            kind: "goods".into(),
            weight: 1,
            stock_total: Some(total),
            stock_left: Some(total),
            per_user_limit: None,
            audit: false,
            value_cents: 0,
            coupon_id: None,
            points: None,
            image: None,
            release_every: Some(every.into()),
            release_amount: Some(amount),
            slotted: false,
        }
    }

    #[test]
    fn release_plans_free_stock_period_by_period() {
        // 2026-11-10 23:00 in Shanghai.
        let start = 1_794_322_800;
        let a = activity(start);
        let daily = prize("day", 2, 5);
        assert_eq!(daily.held_back(&a, start), 3);
        // An hour later it is the 11th in Shanghai: a second day's release.
        assert_eq!(daily.held_back(&a, start + 3600), 1);
        assert_eq!(
            daily.held_back(&a, start + 10 * 86_400),
            0,
            "never more than the stock"
        );
        let hourly = prize("hour", 1, 10);
        assert_eq!(hourly.held_back(&a, start + 59 * 60), 9);
        assert_eq!(hourly.held_back(&a, start + 2 * 3600), 7);
    }

    #[test]
    fn ppm_rounds_to_nearest() {
        assert_eq!(ppm(1, 3), 333_333);
        assert_eq!(ppm(2, 3), 666_667);
        assert_eq!(ppm(50_000, 1_000_000), 50_000);
        assert_eq!(ppm(5, 0), 0);
    }
}
