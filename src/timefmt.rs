//! Time zones and the words the agenda uses for time: day headings, countdowns, ages.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!("unknown time zone {name:?}: use an IANA name such as \"Europe/Berlin\"")
    })
}

/// The display zone: config `timezone`, else `$TZ`, else the system's zone, else UTC.
pub fn resolve_zone(configured: Option<&str>) -> Result<Tz, String> {
    if let Some(name) = configured {
        return parse_zone(name);
    }
    // POSIX allows a leading ':' in TZ; zone-file paths are not IANA names and are skipped.
    let from_env = std::env::var("TZ")
        .ok()
        .and_then(|tz| tz.trim_start_matches(':').parse::<Tz>().ok());
    let from_system = || iana_time_zone::get_timezone().ok()?.parse::<Tz>().ok();
    Ok(from_env.or_else(from_system).unwrap_or(Tz::UTC))
}

pub fn local_date(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// Midnight starting `date` in `tz`, as UTC (the earliest instant when midnight is skipped).
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    match tz.from_local_datetime(&midnight).earliest() {
        Some(t) => t.with_timezone(&Utc),
        // A zone that skips midnight (DST at 00:00) starts the day an hour later.
        None => tz
            .from_local_datetime(&(midnight + Duration::hours(1)))
            .earliest()
            .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

/// What the agenda covers: from `now` to the end of the `days`th day.
pub fn agenda_window(now: DateTime<Utc>, tz: Tz, days: u32) -> (DateTime<Utc>, DateTime<Utc>) {
    let last = local_date(now, tz) + chrono::Days::new(u64::from(days));
    (now, start_of_day(last, tz))
}

/// "Today", "Tomorrow", else "Monday"; the date follows in [`date_label`].
pub fn day_name(date: NaiveDate, today: NaiveDate) -> String {
    match (date - today).num_days() {
        0 => "Today".to_string(),
        1 => "Tomorrow".to_string(),
        -1 => "Yesterday".to_string(),
        _ => date.format("%A").to_string(),
    }
}

/// "Sat 21 Nov", with the year only when it is not this year's.
pub fn date_label(date: NaiveDate, today: NaiveDate) -> String {
    if date.year() == today.year() {
        date.format("%a %-d %b").to_string()
    } else {
        date.format("%a %-d %b %Y").to_string()
    }
}

pub fn clock(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

/// "18:10–18:40"; an event that ends when it starts (a reminder, a deadline) is just "18:10".
/// An hour that repeats when clocks go back keeps both ends: 02:30–02:30 lasts an hour.
pub fn clock_range(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let (from, to) = (clock(start, tz), clock(end, tz));
    if from == to && end - start < Duration::minutes(1) {
        from
    } else {
        format!("{from}–{to}")
    }
}

/// "4 min", "1 h", "1 h 20 min", "2 d" — rounded up to the minute so "in 0 min" never shows
/// while a meeting is still ahead.
pub fn span(d: Duration) -> String {
    let mins = (d.num_seconds() + 59).div_euclid(60).max(0);
    match mins {
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 && m % 60 == 0 => format!("{} h", m / 60),
        m if m < 24 * 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} d", m / (24 * 60)),
    }
}

/// The countdown for a timed meeting: "in 4 min" before, "now, 12 min left" during.
pub fn countdown(now: DateTime<Utc>, start: DateTime<Utc>, end: DateTime<Utc>) -> Option<String> {
    if now < start {
        Some(format!("in {}", span(start - now)))
    } else if now < end {
        Some(format!("now, {} left", span(end - now)))
    } else {
        None
    }
}

/// "just now", "3 min ago", "2 h ago" for the age of data.
pub fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let d = now - then;
    if d < Duration::minutes(1) {
        "just now".to_string()
    } else {
        format!("{} ago", span(d - Duration::seconds(59)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn countdowns_read_like_speech() {
        let now = utc("2026-11-21T10:00:00Z");
        assert_eq!(
            countdown(
                now,
                utc("2026-11-21T10:04:00Z"),
                utc("2026-11-21T10:30:00Z")
            )
            .unwrap(),
            "in 4 min"
        );
        assert_eq!(
            countdown(
                now,
                utc("2026-11-21T09:40:00Z"),
                utc("2026-11-21T10:12:00Z")
            )
            .unwrap(),
            "now, 12 min left"
        );
        assert_eq!(
            countdown(
                now,
                utc("2026-11-21T11:20:00Z"),
                utc("2026-11-21T12:00:00Z")
            )
            .unwrap(),
            "in 1 h 20 min"
        );
        assert_eq!(
            countdown(
                now,
                utc("2026-11-21T10:00:30Z"),
                utc("2026-11-21T11:00:00Z")
            )
            .unwrap(),
            "in 1 min"
        );
        assert!(countdown(now, utc("2026-11-21T09:00:00Z"), now).is_none());
    }

    #[test]
    fn a_range_that_ends_when_it_starts_shows_one_time() {
        let berlin = Tz::Europe__Berlin;
        let at = utc("2026-11-23T17:10:00Z");
        assert_eq!(clock_range(at, at, berlin), "18:10");
        assert_eq!(
            clock_range(at, utc("2026-11-23T17:40:00Z"), berlin),
            "18:10–18:40"
        );
        // 25 October 2026, Berlin: 02:30 CEST, then an hour later 02:30 CET again.
        assert_eq!(
            clock_range(
                utc("2026-10-25T00:30:00Z"),
                utc("2026-10-25T01:30:00Z"),
                berlin
            ),
            "02:30–02:30"
        );
    }

    #[test]
    fn day_names_and_labels() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(day_name(today, today), "Today");
        assert_eq!(day_name(today.succ_opt().unwrap(), today), "Tomorrow");
        let mon = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(day_name(mon, today), "Monday");
        assert_eq!(date_label(mon, today), "Mon 23 Nov");
        let next_year = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        assert_eq!(date_label(next_year, today), "Mon 4 Jan 2027");
    }

    #[test]
    fn ages() {
        let now = utc("2026-11-21T10:00:00Z");
        assert_eq!(ago(now, utc("2026-11-21T09:59:30Z")), "just now");
        assert_eq!(ago(now, utc("2026-11-21T09:57:00Z")), "3 min ago");
        assert_eq!(ago(now, utc("2026-11-21T08:00:00Z")), "2 h ago");
    }

    #[test]
    fn zones_resolve_in_order_and_days_start_at_local_midnight() {
        assert_eq!(resolve_zone(Some("Asia/Tokyo")).unwrap(), Tz::Asia__Tokyo);
        assert!(resolve_zone(Some("Nowhere/Special")).is_err());
        let date = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        // Berlin switches to summer time on 29 March 2026; the day still starts at 00:00 CET.
        assert_eq!(
            start_of_day(date, Tz::Europe__Berlin),
            utc("2026-03-28T23:00:00Z")
        );
        // Santiago skips 00:00 on 6 Sep 2026; the day starts at 01:00 local.
        let skip = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        assert_eq!(
            start_of_day(skip, Tz::America__Santiago),
            utc("2026-09-06T04:00:00Z")
        );
    }
}
