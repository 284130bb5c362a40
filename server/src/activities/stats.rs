//! An activity's figures — views, participants, draws, wins, winners,
//! check-ins, stock per prize — in total, by local hour and by local day.
//! `data/stats` and the console's stats both answer [`stats`].
//!
//! Hours and days are the activity's local ones. The database groups rows by
//! `(created_at + offset) / width`, where the offset is the zone's UTC offset
//! at that instant: a `CASE` over the zone's transitions within the range
//! (none in zones without daylight saving), so the grouping is exact on both
//! backends without any date functions, and distinct players are counted
//! per hour and per day by the database, never summed.

use std::collections::HashMap;

use huodong_shared::ErrorCode;
use huodong_shared::console::{Bucket, Figures, PrizeStock, Stats};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::model::Activity;
use crate::clock;
use crate::db::{Db, now_secs};
use crate::error::AppError;
use crate::on_db;

/// The longest hourly range: 31 days.
pub const MAX_HOURS: i64 = 31 * 24;

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// One grouping: bucket width and the zone's offsets over a range.
struct Grid<'a> {
    tz: &'a TimeZone,
    width: i64,
    /// `(until, offset)`: the offset in force before `until`, in order; the
    /// last one has no end.
    offsets: Vec<(Option<i64>, i64)>,
}

fn timestamp(unix: i64) -> Timestamp {
    Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn offset_at(tz: &TimeZone, unix: i64) -> i64 {
    i64::from(tz.to_offset(timestamp(unix)).seconds())
}

impl<'a> Grid<'a> {
    fn new(tz: &'a TimeZone, width: i64, from: i64, to: i64) -> Grid<'a> {
        let mut offsets = Vec::new();
        let mut current = offset_at(tz, from);
        for transition in tz.following(timestamp(from)) {
            let at = transition.timestamp().as_second();
            if at >= to {
                break;
            }
            offsets.push((Some(at), current));
            current = i64::from(transition.offset().seconds());
        }
        offsets.push((None, current));
        Grid { tz, width, offsets }
    }

    /// The bucket of `column` as SQL. Only integers the server computed go
    /// into it.
    fn sql(&self, column: &str) -> String {
        let offset = match self.offsets.as_slice() {
            [(None, only)] => only.to_string(),
            list => {
                let mut case = String::from("CASE");
                for (until, offset) in list {
                    match until {
                        Some(until) => {
                            case.push_str(&format!(" WHEN {column} < {until} THEN {offset}"))
                        }
                        None => case.push_str(&format!(" ELSE {offset} END")),
                    }
                }
                case
            }
        };
        format!("(({column} + {offset}) / {})", self.width)
    }

    /// The bucket of an instant.
    fn index(&self, unix: i64) -> i64 {
        (unix + offset_at(self.tz, unix)).div_euclid(self.width)
    }

    /// When bucket `k` starts (the earlier instant when the local time
    /// occurs twice; the later when it is skipped).
    fn start(&self, k: i64) -> i64 {
        let civil = timestamp(k * self.width)
            .to_zoned_datetime(TimeZone::UTC)
            .datetime();
        civil
            .to_zoned_datetime(self.tz.clone())
            .map(|z| z.timestamp().as_second())
            .unwrap_or(k * self.width)
    }

    fn label(&self, k: i64) -> String {
        let format = if self.width == DAY {
            "%Y-%m-%d"
        } else {
            "%Y-%m-%d %H:%M"
        };
        timestamp(k * self.width)
            .to_zoned_datetime(TimeZone::UTC)
            .strftime(format)
            .to_string()
    }
}

type Counts = HashMap<i64, Figures>;

/// The figures per bucket of rows created in `[lo, hi)`; `bucket` makes the
/// bucket SQL of a column.
async fn figures(
    db: &Db,
    activity_id: i64,
    bucket: &(dyn Fn(&str) -> String + Sync),
    lo: i64,
    hi: i64,
) -> Result<Counts, AppError> {
    let views_sql = format!(
        "SELECT {} AS k, COUNT(*) FROM activity_views WHERE activity_id = $1 \
         AND created_at >= $2 AND created_at < $3 GROUP BY 1",
        bucket("created_at")
    );
    // A win is a draw (or streak reward) that awarded a prize other than "thanks".
    let draws_sql = format!(
        "SELECT {} AS k, CAST(SUM(CASE WHEN d.source = 'draw' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN p.kind <> 'thanks' THEN 1 ELSE 0 END) AS BIGINT), \
         COUNT(DISTINCT CASE WHEN p.kind <> 'thanks' THEN d.player_id END) \
         FROM draws d LEFT JOIN prizes p ON p.id = d.prize_id \
         WHERE d.activity_id = $1 AND d.created_at >= $2 AND d.created_at < $3 GROUP BY 1",
        bucket("d.created_at")
    );
    let checkins_sql = format!(
        "SELECT {} AS k, COUNT(*) FROM checkins WHERE activity_id = $1 \
         AND created_at >= $2 AND created_at < $3 GROUP BY 1",
        bucket("created_at")
    );
    let participants_sql = format!(
        "SELECT k, COUNT(DISTINCT player_id) FROM ( \
         SELECT {} AS k, player_id FROM draws WHERE activity_id = $1 AND created_at >= $2 AND created_at < $3 \
         UNION ALL \
         SELECT {} AS k, player_id FROM checkins WHERE activity_id = $1 AND created_at >= $2 AND created_at < $3 \
         ) x GROUP BY k",
        bucket("created_at"),
        bucket("created_at")
    );
    type Pair = (i64, i64);
    type Quad = (i64, i64, i64, i64);
    let (views, draws, checkins, participants): (Vec<Pair>, Vec<Quad>, Vec<Pair>, Vec<Pair>) = on_db!(db, pool => {
        let views = sqlx::query_as(&views_sql).bind(activity_id).bind(lo).bind(hi).fetch_all(pool).await?;
        let draws = sqlx::query_as(&draws_sql).bind(activity_id).bind(lo).bind(hi).fetch_all(pool).await?;
        let checkins = sqlx::query_as(&checkins_sql).bind(activity_id).bind(lo).bind(hi).fetch_all(pool).await?;
        let participants = sqlx::query_as(&participants_sql).bind(activity_id).bind(lo).bind(hi).fetch_all(pool).await?;
        (views, draws, checkins, participants)
    });
    let mut counts = Counts::new();
    for (k, n) in views {
        counts.entry(k).or_default().views = n;
    }
    for (k, draws, wins, winners) in draws {
        let f = counts.entry(k).or_default();
        f.draws = draws;
        f.wins = wins;
        f.winners = winners;
    }
    for (k, n) in checkins {
        counts.entry(k).or_default().checkins = n;
    }
    for (k, n) in participants {
        counts.entry(k).or_default().participants = n;
    }
    Ok(counts)
}

/// Every bucket from `first` to `last` (inclusive), empty ones as zeros.
async fn series(
    db: &Db,
    activity_id: i64,
    grid: &Grid<'_>,
    first: i64,
    last: i64,
) -> Result<Vec<Bucket>, AppError> {
    let counts = figures(
        db,
        activity_id,
        &|column| grid.sql(column),
        grid.start(first),
        grid.start(last + 1),
    )
    .await?;
    Ok((first..=last)
        .map(|k| Bucket {
            at: grid.start(k),
            label: grid.label(k),
            figures: counts.get(&k).copied().unwrap_or_default(),
        })
        .collect())
}

/// The figures of `activity`: totals, stock per prize, every local hour of
/// `[from, to)` (default: the 24 local hours up to the one going on now, or
/// up to the end) and every local day of its window.
pub async fn stats(
    db: &Db,
    activity: &Activity,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Stats, AppError> {
    let invalid = |msg: &str| AppError::with_msg(ErrorCode::Validation, msg.to_owned());
    let tz = clock::zone(&activity.timezone).unwrap_or(TimeZone::UTC);
    // By default: the local hour going on now (or the activity's last one)
    // and the 23 before it.
    let to = to.unwrap_or_else(|| {
        let end = now_secs().min(activity.ends_at - 1);
        let grid = Grid::new(&tz, HOUR, end - DAY, end + DAY);
        grid.start(grid.index(end) + 1)
    });
    let from = from.unwrap_or_else(|| {
        let grid = Grid::new(&tz, HOUR, to - 2 * DAY, to + DAY);
        grid.start(grid.index(to - 1) - 23)
    });
    if !(0..=4_102_444_800).contains(&from) || !(0..=4_102_444_800).contains(&to) {
        return Err(invalid("from, to: 须为 unix 秒"));
    }
    if to <= from {
        return Err(invalid("to: 须晚于 from"));
    }
    if to - from > MAX_HOURS * HOUR {
        return Err(invalid("to: 按小时统计最多 744 小时（31 天）"));
    }

    let totals = figures(
        db,
        activity.id,
        &|_| "CAST(0 AS BIGINT)".to_owned(),
        i64::MIN,
        i64::MAX,
    )
    .await?
    .remove(&0)
    .unwrap_or_default();

    let hours = Grid::new(&tz, HOUR, from - DAY, to + DAY);
    let (first, last) = (hours.index(from), hours.index(to - 1));
    let by_hour = series(db, activity.id, &hours, first, last).await?;

    let days = Grid::new(&tz, DAY, activity.starts_at - DAY, activity.ends_at + DAY);
    let (first_day, last_day) = (
        days.index(activity.starts_at),
        days.index(activity.ends_at - 1),
    );
    let by_day = series(db, activity.id, &days, first_day, last_day).await?;

    let won: Vec<(i64, i64)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT prize_id, COUNT(*) FROM draws WHERE activity_id = $1 AND prize_id IS NOT NULL GROUP BY prize_id",
        )
        .bind(activity.id)
        .fetch_all(pool)
        .await
    })?;
    let won: HashMap<i64, i64> = won.into_iter().collect();
    let prizes = activity
        .prizes(db)
        .await?
        .into_iter()
        .map(|p| PrizeStock {
            prize_id: p.id,
            kind: p.kind(),
            won: won.get(&p.id).copied().unwrap_or(0),
            name: p.name,
            stock: p.stock_total,
            stock_left: p.stock_left,
        })
        .collect();

    Ok(Stats {
        activity_id: activity.public_id.clone(),
        timezone: activity.timezone.clone(),
        totals,
        prizes,
        from: hours.start(first),
        to: hours.start(last + 1),
        by_hour,
        by_day,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_without_daylight_saving_is_one_offset() {
        let tz = clock::zone("Asia/Shanghai").expect("zone");
        let grid = Grid::new(&tz, HOUR, 1_794_322_800, 1_794_322_800 + 30 * DAY);
        assert_eq!(grid.sql("created_at"), "((created_at + 28800) / 3600)");
        // 2026-11-10 23:00 in Shanghai.
        let k = grid.index(1_794_322_800);
        assert_eq!(grid.label(k), "2026-11-10 23:00");
        assert_eq!(grid.start(k), 1_794_322_800);
        assert_eq!(grid.index(1_794_322_800 + 3599), k);
        assert_eq!(grid.index(1_794_322_800 + 3600), k + 1);
    }

    #[test]
    fn half_hour_zones_have_half_hour_boundaries() {
        let tz = clock::zone("Asia/Kolkata").expect("zone");
        let grid = Grid::new(&tz, HOUR, 1_794_322_800, 1_794_322_800 + DAY);
        // 15:00 UTC is 20:30 in Kolkata: its hour began at 14:30 UTC.
        let k = grid.index(1_794_322_800);
        assert_eq!(grid.label(k), "2026-11-10 20:00");
        assert_eq!(grid.start(k), 1_794_322_800 - 1800);
    }

    #[test]
    fn daylight_saving_changes_the_offset_within_a_range() {
        let tz = clock::zone("America/New_York").expect("zone");
        // 2026-11-01 05:59:59Z is 01:59:59 EDT; 06:00Z is 01:00 EST.
        let change = 1_793_512_800;
        let grid = Grid::new(&tz, DAY, change - 10 * DAY, change + 10 * DAY);
        assert_eq!(
            grid.sql("c"),
            format!("((c + CASE WHEN c < {change} THEN -14400 ELSE -18000 END) / 86400)")
        );
        assert_eq!(grid.index(change - 1), grid.index(change));
        let day = grid.index(change);
        assert_eq!(grid.label(day), "2026-11-01");
        // Local midnight of that day was still EDT (04:00Z); it lasts 25 hours.
        assert_eq!(grid.start(day), change - 2 * HOUR);
        assert_eq!(grid.start(day + 1), change - 2 * HOUR + 25 * HOUR);
    }
}
