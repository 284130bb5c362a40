//! Formatting for players: dates in the activity's zone, odds as percentages.

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
    fn odds_read_as_percentages() {
        assert_eq!(percent(10_000), "1%");
        assert_eq!(percent(15_000), "1.5%");
        assert_eq!(percent(640_000), "64%");
        assert_eq!(percent(1), "0.0001%");
    }
}
