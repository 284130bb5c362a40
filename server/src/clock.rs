//! Time in an activity's zone: local days as `yyyymmdd` numbers, which the
//! database keys daily limits and check-ins on.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The zone for `name`, if it is a valid IANA name.
pub fn zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

/// The local day of `unix` in `tz`, as `yyyymmdd`.
pub fn local_day(unix: i64, tz: &TimeZone) -> i64 {
    let at = Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH);
    let date = at.to_zoned_datetime(tz.clone()).date();
    day_number(date)
}

/// `yyyymmdd` of a date.
pub fn day_number(date: Date) -> i64 {
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

/// The date of a `yyyymmdd` number, if it is one.
pub fn date_of(day: i64) -> Option<Date> {
    let (y, m, d) = (day / 10_000, day / 100 % 100, day % 100);
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// Local calendar days from the day of `from` to the day of `to` (0 when the same day).
pub fn days_between(from: i64, to: i64, tz: &TimeZone) -> Option<i64> {
    let a = date_of(local_day(from, tz))?;
    let b = date_of(local_day(to, tz))?;
    Some(i64::from(a.until(b).ok()?.get_days()))
}

/// The day before `day`.
pub fn previous_day(day: i64) -> Option<i64> {
    date_of(day)?.yesterday().ok().map(day_number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_midnight_starts_a_new_day() {
        let tz = zone("Asia/Shanghai").expect("zone");
        // 2026-11-10T15:59:59Z is 23:59:59 in Shanghai; one second later is the 11th.
        assert_eq!(local_day(1_794_326_399, &tz), 20261110);
        assert_eq!(local_day(1_794_326_400, &tz), 20261111);
    }

    #[test]
    fn days_step_back_across_months_and_years() {
        assert_eq!(previous_day(20260301), Some(20260228));
        assert_eq!(previous_day(20240301), Some(20240229));
        assert_eq!(previous_day(20260101), Some(20251231));
        assert_eq!(previous_day(20261341), None);
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(zone("Mars/Olympus").is_none());
        assert!(zone("America/New_York").is_some());
    }
}
