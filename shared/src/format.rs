//! Formatting for players, shared by the app and the server-rendered first
//! screen: dates in UTC+8 (Asia/Shanghai), calendar days, odds as percentages.

/// `2026-11-11 00:00`-style text for a unix time, in UTC+8 (Asia/Shanghai has
/// no daylight saving, so a fixed offset is exact there).
pub fn datetime_cn(unix: i64) -> String {
    let local = unix + 8 * 3600;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A `yyyymmdd` day as (year, month, day).
pub fn ymd(day: i64) -> (i64, i64, i64) {
    (day / 10_000, day / 100 % 100, day % 100)
}

/// The `yyyymmdd` day of a unix time in UTC+8.
pub fn day_cn(unix: i64) -> i64 {
    let (y, m, d) = civil_from_days((unix + 8 * 3600).div_euclid(86_400));
    y * 10_000 + m * 100 + d
}

/// One month of a calendar, Monday first: `None` pads the first week.
pub fn month_grid(year: i64, month: i64) -> Vec<Option<i64>> {
    let first = days_from_civil(year, month, 1);
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let len = days_from_civil(ny, nm, 1) - first;
    // 1970-01-01 was a Thursday: Monday-based weekday of the 1st.
    let pad = (first + 3).rem_euclid(7);
    (0..pad)
        .map(|_| None)
        .chain((1..=len).map(|d| Some(year * 10_000 + month * 100 + d)))
        .collect()
}

/// The odds a prize list shows: a percentage, or "—" for a prize that is
/// never drawn (a check-in streak reward).
pub fn odds(ppm: i64) -> String {
    if ppm == 0 {
        "—".to_owned()
    } else {
        percent(ppm)
    }
}

/// Parts per million as a percentage with up to four decimals: `1.5%`.
pub fn percent(ppm: i64) -> String {
    let whole = ppm / 10_000;
    let frac = ppm % 10_000;
    if frac == 0 {
        format!("{whole}%")
    } else {
        let frac = format!("{frac:04}");
        format!("{whole}.{}%", frac.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shanghai_time() {
        assert_eq!(datetime_cn(0), "1970-01-01 08:00");
        assert_eq!(datetime_cn(1_762_790_400), "2025-11-11 00:00");
    }

    #[test]
    fn calendars_start_on_monday() {
        // 2026-11-01 is a Sunday: six blanks, then 30 days.
        let grid = month_grid(2026, 11);
        assert_eq!(grid.iter().take_while(|d| d.is_none()).count(), 6);
        assert_eq!(grid.iter().flatten().count(), 30);
        assert_eq!(grid.last(), Some(&Some(20_261_130)));
        // 2024-02 (leap year) starts on a Thursday.
        let feb = month_grid(2024, 2);
        assert_eq!(feb.iter().take_while(|d| d.is_none()).count(), 3);
        assert_eq!(feb.iter().flatten().count(), 29);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(day_cn(1_762_790_400), 20_251_111);
        assert_eq!(ymd(20_261_125), (2026, 11, 25));
    }

    #[test]
    fn odds_read_as_percentages() {
        assert_eq!(percent(10_000), "1%");
        assert_eq!(percent(15_000), "1.5%");
        assert_eq!(percent(640_000), "64%");
        assert_eq!(percent(1), "0.0001%");
    }
}
