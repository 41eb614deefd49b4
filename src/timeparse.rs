//! Reading the times people type into the form and the CLI.
//!
//! Every function takes the zone and "now" as arguments: nothing here reads the clock, so tests
//! pin both. Input is case-insensitive and extra spaces are ignored.

use chrono::{
    DateTime, Datelike, Duration, DurationRound, LocalResult, NaiveDate, NaiveDateTime, NaiveTime,
    Offset, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

const START_EXAMPLES: &str =
    "try 14:30, 2:30pm, tomorrow 9, mon 10:00, 2026-12-01 15:00, now, +15m";
const END_EXAMPLES: &str = "try 15:00, 3pm, 45m, +1h30m, tomorrow 10:00";
const DURATION_EXAMPLES: &str = "try 30m, 45, 1h, 1h30m, 1.5h, 2 hours";
const RECURRENCE_EXAMPLES: &str =
    "try daily, weekdays, weekly, monthly, or a rule like FREQ=WEEKLY;BYDAY=MO,WE";

/// A duration is for one meeting; anything longer is given as an explicit end.
const MAX_DURATION_MINUTES: u64 = 24 * 60;

/// RFC 5545 day codes with their names, Monday first like [`Weekday::num_days_from_monday`].
const DAYS: [(&str, &str); 7] = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
];
const WORKWEEK: &str = "MO,TU,WE,TH,FR";

/// Why a text was not read: it has no known shape at all, or the shape with a bad value (the
/// reason says which).
enum Fail {
    Shape,
    Value(String),
}

/// What a start text names: an exact instant ("now", "+15m") or a wall-clock time in the zone.
enum When {
    Instant(DateTime<Utc>),
    Local(NaiveDateTime),
}

/// A start time as typed: "14:30", "2:30pm", "9am", "0930", "tomorrow 9", "today 17:00",
/// "mon 10:00", "monday 10", "2026-12-01 15:00", "2026-12-01T15:00", "12-01 15:00", "now",
/// "+15m", "in 2h", "in 90 min", "+1h30m"; interpreted in `tz` relative to `now`.
///
/// - A bare time is today at that time, even if it has passed (the form asks before creating a
///   meeting in the past), so what is typed never silently moves to another day.
/// - A weekday is the coming one: today if today is that day and the time is still ahead,
///   else within the next seven days.
/// - "12-01" (month-day) is this year's, or next year's once that date has passed.
/// - "now" is rounded down to the minute; "+15m" and "in 2h" count from that, in real time.
/// - A wall-clock time that the clocks skip (spring forward) is an error that names the time to
///   pick instead; one that happens twice (fall back) is the earlier of the two instants.
pub fn parse_start(input: &str, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Tz>, String> {
    let when = when(&normalize(input), now, tz)
        .map_err(|f| explain(input, "a time", START_EXAMPLES, f))?;
    resolve(when, tz)
}

/// A start moved relative to the meeting's `current` one, as the edit form and `meetty edit
/// --start` take it: "+30m", "-1h", "+1h30m", "+1d", "-2w", "tomorrow same time", "same time
/// tomorrow", "next week same time", "same time next week". `None` when the text is not a shift
/// (then it is read as a start of its own, see [`parse_start`]).
///
/// - Minutes and hours move the meeting in real time (a bare number is minutes, as in "+15").
/// - Days and weeks keep the wall-clock time in `current`'s zone across a DST change, as a
///   calendar does; a time the clocks skip on the new day is the same instant 24 h per day
///   later, and one that happens twice is the earlier.
pub fn parse_shift(input: &str, current: DateTime<Tz>) -> Option<DateTime<Tz>> {
    let text = normalize(input);
    let (days, minutes) = match text.as_str() {
        "tomorrow same time" | "same time tomorrow" => (1, 0),
        "next week same time" | "same time next week" => (7, 0),
        _ => {
            let (sign, span) = match (text.strip_prefix('+'), text.strip_prefix('-')) {
                (Some(span), _) => (1, span),
                (_, Some(span)) => (-1, span),
                _ => return None,
            };
            let (days, minutes) = shift_span(&span.replace(' ', ""))?;
            (sign * days, sign * minutes)
        }
    };
    let tz = current.timezone();
    let local = current.naive_local() + Duration::days(days);
    let moved = match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t,
        LocalResult::None => current + Duration::days(days),
    };
    Some(moved + Duration::minutes(minutes))
}

/// "30m", "1h30m", "1.5h", "2d", "1w2d", "90" (minutes) as whole days and minutes; `None`
/// for anything else, or for no shift at all.
fn shift_span(text: &str) -> Option<(i64, i64)> {
    if let Ok(minutes) = span_minutes(text) {
        return Some((0, minutes as i64));
    }
    let (mut days, mut minutes) = (0i64, 0i64);
    let mut rest = text;
    while !rest.is_empty() {
        let unit_at = rest.find(|c: char| c.is_alphabetic())?;
        let unit_end = rest[unit_at..]
            .find(|c: char| !c.is_alphabetic())
            .map_or(rest.len(), |i| unit_at + i);
        let (amount, unit) = (&rest[..unit_at], &rest[unit_at..unit_end]);
        match unit {
            "d" | "day" | "days" => days += i64::from(number(amount, 1, 4)?),
            "w" | "wk" | "week" | "weeks" => days += 7 * i64::from(number(amount, 1, 3)?),
            _ => minutes += scaled(amount, unit_minutes(unit)?, text).ok()? as i64,
        }
        rest = &rest[unit_end..];
    }
    (days != 0 || minutes != 0).then_some((days, minutes))
}

/// "30m", "30", "30 min", "1h", "1h30m", "1.5h", "90m", "2 hours". A bare number is minutes.
/// Whole minutes, more than 0 and at most 24 h.
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let minutes = span_minutes(&normalize(input))
        .map_err(|f| explain(input, "a duration", DURATION_EXAMPLES, f))?;
    meeting_length(input, minutes)
}

/// An end as typed:
/// - a time of day ("15:00", "3pm", "17") on the start's local date;
/// - a duration after the start: "+45m", "45m", "1h30m" (a bare number is an hour here, as in
///   the start field, so "+45" or "45m" for minutes);
/// - a date and time as for [`parse_start`] ("tomorrow 10:00", "2026-12-01 16:00"), which may
///   be more than 24 h after the start.
///
/// The end must be after the start.
pub fn parse_end(
    input: &str,
    start: DateTime<Tz>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<DateTime<Tz>, String> {
    let end = end_of(input, start, now, tz)?;
    if end <= start {
        return Err(format!(
            "end \"{}\" ({}) is not after the start ({}): give a later time, a duration like \
             45m, or a date and time",
            input.trim(),
            end.format("%a %-d %b %H:%M"),
            start.format("%a %-d %b %H:%M"),
        ));
    }
    Ok(end)
}

/// A duration for display: "15 min", "1 h", "1 h 30 min".
pub fn format_duration(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The form's recurrence field: "" or "none" is a single meeting; "daily", "weekdays",
/// "weekly" (on the start's weekday) and "monthly" are shorthands; anything else is an RRULE,
/// with or without its "RRULE:" prefix, checked and returned upper case with the prefix and
/// FREQ first.
pub fn parse_recurrence(input: &str, start: DateTime<Tz>) -> Result<Option<String>, String> {
    let text = input.trim();
    let rule = match text.to_ascii_lowercase().as_str() {
        "" | "none" => return Ok(None),
        "daily" => "FREQ=DAILY".to_string(),
        "weekdays" => format!("FREQ=WEEKLY;BYDAY={WORKWEEK}"),
        "weekly" => format!("FREQ=WEEKLY;BYDAY={}", day_code(start.weekday())),
        "monthly" => "FREQ=MONTHLY".to_string(),
        _ => normalize_rule(text)
            .map_err(|why| explain(input, "a recurrence", RECURRENCE_EXAMPLES, Fail::Value(why)))?,
    };
    Ok(Some(format!("RRULE:{rule}")))
}

/// A short description of a recurrence rule: "daily", "every weekday", "weekly on Monday",
/// "monthly"; any rule with more to it than that is shown as it is.
pub fn describe_recurrence(rule: &str) -> String {
    let upper = rule.trim().to_ascii_uppercase();
    let body = upper.strip_prefix("RRULE:").unwrap_or(&upper);
    let parts: Vec<&str> = body.split(';').collect();
    let described = match parts.as_slice() {
        ["FREQ=DAILY"] => Some("daily".to_string()),
        ["FREQ=WEEKLY"] => Some("weekly".to_string()),
        ["FREQ=MONTHLY"] => Some("monthly".to_string()),
        ["FREQ=YEARLY"] => Some("yearly".to_string()),
        ["FREQ=WEEKLY", by_day] => weekly_on(by_day),
        _ => None,
    };
    described.unwrap_or_else(|| rule.trim().to_string())
}

/// "every weekday" or "weekly on Monday, Thursday" for a plain `BYDAY=` list.
fn weekly_on(by_day: &str) -> Option<String> {
    let codes = by_day.strip_prefix("BYDAY=")?;
    if codes == WORKWEEK {
        return Some("every weekday".to_string());
    }
    let names = codes
        .split(',')
        .map(|code| DAYS.iter().find(|(c, _)| *c == code).map(|(_, name)| *name))
        .collect::<Option<Vec<_>>>()?;
    Some(format!("weekly on {}", names.join(", ")))
}

/// Lower case with single spaces, so the parsers only see one spelling of each form.
fn normalize(input: &str) -> String {
    input
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn explain(input: &str, what: &str, examples: &str, fail: Fail) -> String {
    let input = input.trim();
    match fail {
        Fail::Shape => format!("cannot read \"{input}\" as {what}: {examples}"),
        Fail::Value(why) => format!("cannot read \"{input}\" as {what}: {why}; {examples}"),
    }
}

/// Turns a shape mismatch into `None` so the caller can try the next form, keeping real errors.
fn recognized<T>(result: Result<T, Fail>) -> Result<Option<T>, Fail> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(Fail::Shape) => Ok(None),
        Err(f) => Err(f),
    }
}

fn when(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<When, Fail> {
    let now = now.duration_trunc(Duration::minutes(1)).unwrap_or(now);
    if text == "now" {
        return Ok(When::Instant(now));
    }
    if let Some(offset) = text.strip_prefix('+').or_else(|| text.strip_prefix("in ")) {
        let minutes = span_minutes(offset)?;
        return Ok(When::Instant(now + Duration::minutes(minutes as i64)));
    }
    let local_now = now.with_timezone(&tz).naive_local();
    let (day, clock_text) = split_day(text, local_now.date())?;
    let time = clock(&clock_text)?;
    let date = match day {
        None => local_now.date(),
        Some(Day::Date(date)) => date,
        Some(Day::Weekday(w)) => coming(w, time, local_now),
    };
    Ok(When::Local(date.and_time(time)))
}

fn resolve(when: When, tz: Tz) -> Result<DateTime<Tz>, String> {
    match when {
        When::Instant(t) => Ok(t.with_timezone(&tz)),
        When::Local(local) => localize(local, tz),
    }
}

fn end_of(
    input: &str,
    start: DateTime<Tz>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<DateTime<Tz>, String> {
    let fail = |f| explain(input, "an end", END_EXAMPLES, f);
    let text = normalize(input);
    let compact = text.replace(' ', "");
    let after_start = |minutes| meeting_length(input, minutes).map(|d| start + d);
    if let Some(offset) = compact.strip_prefix('+') {
        return after_start(span_minutes(offset).map_err(fail)?);
    }
    if let Some(time) = recognized(clock(&compact)).map_err(fail)? {
        return localize(start.with_timezone(&tz).date_naive().and_time(time), tz);
    }
    if let Some(minutes) = recognized(span_minutes(&compact)).map_err(fail)? {
        return after_start(minutes);
    }
    resolve(when(&text, now, tz).map_err(fail)?, tz)
}

fn meeting_length(input: &str, minutes: u64) -> Result<Duration, String> {
    if minutes > MAX_DURATION_MINUTES {
        return Err(format!(
            "\"{}\" is longer than 24 h, the most a duration can be: for a longer event give \
             its end as a date and time",
            input.trim()
        ));
    }
    Ok(Duration::minutes(minutes as i64))
}

/// A wall-clock time in `tz`; see [`parse_start`] for skipped and repeated times.
fn localize(local: NaiveDateTime, tz: Tz) -> Result<DateTime<Tz>, String> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t),
        // The first time the clock reads it, before it is turned back.
        LocalResult::Ambiguous(earlier, _) => Ok(earlier),
        LocalResult::None => Err(skipped(local, tz)),
    }
}

/// Names a time the clocks skip and the time it would be with the clocks already moved on.
fn skipped(local: NaiveDateTime, tz: Tz) -> String {
    // A day earlier is safely before the change; its offset read with `local` gives the instant
    // the clocks would have shown `local` at, which after the change reads later.
    let before = tz
        .offset_from_utc_datetime(&(local - Duration::days(1)))
        .fix();
    let instant = local - Duration::seconds(before.local_minus_utc().into());
    let pick = tz.from_utc_datetime(&instant);
    format!(
        "{} does not exist on {} in {}: clocks go forward; pick {}",
        local.format("%H:%M"),
        local.format("%a %-d %b %Y"),
        tz.name(),
        pick.format("%H:%M"),
    )
}

enum Day {
    Date(NaiveDate),
    Weekday(Weekday),
}

/// Splits off a leading day ("tomorrow", "mon", "2026-12-01", "2026-12-01t15:00"), leaving the
/// clock text with its spaces removed ("2:30 pm" → "2:30pm").
fn split_day(text: &str, today: NaiveDate) -> Result<(Option<Day>, String), Fail> {
    if let Some((date_text, time)) = text.split_once('t') {
        if let Some(date) = date(date_text, today)? {
            return Ok((Some(Day::Date(date)), time.replace(' ', "")));
        }
    }
    let (first, rest) = text.split_once(' ').unwrap_or((text, ""));
    let Some(day) = day(first, today)? else {
        return Ok((None, text.replace(' ', "")));
    };
    if rest.is_empty() {
        return Err(Fail::Value(format!(
            "\"{first}\" needs a time too, like \"{first} 9:00\""
        )));
    }
    Ok((Some(day), rest.replace(' ', "")))
}

fn day(word: &str, today: NaiveDate) -> Result<Option<Day>, Fail> {
    Ok(match word {
        "today" => Some(Day::Date(today)),
        "tomorrow" => today.succ_opt().map(Day::Date),
        _ => match word.parse::<Weekday>() {
            Ok(w) => Some(Day::Weekday(w)),
            Err(_) => date(word, today)?.map(Day::Date),
        },
    })
}

/// "2026-12-01", or "12-01" for the next such date from `today` on.
fn date(text: &str, today: NaiveDate) -> Result<Option<NaiveDate>, Fail> {
    let parts: Vec<&str> = text.split('-').collect();
    let (year, month, day) = match parts.as_slice() {
        [y, m, d] => (number(y, 4, 4), number(m, 1, 2), number(d, 1, 2)),
        [m, d] => (Some(today.year() as u32), number(m, 1, 2), number(d, 1, 2)),
        _ => return Ok(None),
    };
    let (Some(year), Some(month), Some(day)) = (year, month, day) else {
        return Ok(None);
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)
        .ok_or_else(|| Fail::Value(format!("{text} is not a date")))?;
    if parts.len() == 2 && date < today {
        let next = date.with_year(today.year() + 1);
        return next
            .map(Some)
            .ok_or_else(|| Fail::Value(format!("{text} is not a date next year")));
    }
    Ok(Some(date))
}

/// The coming `weekday` at `time`: today while that time is still ahead, else next week's.
fn coming(weekday: Weekday, time: NaiveTime, now: NaiveDateTime) -> NaiveDate {
    let today = now.date();
    let ahead = (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    let days = if ahead == 0 && today.and_time(time) <= now {
        7
    } else {
        ahead
    };
    today + Duration::days(days.into())
}

/// "14:30", "9", "0930", "2:30pm", "2pm", "12am" (with spaces already removed).
fn clock(text: &str) -> Result<NaiveTime, Fail> {
    let (body, pm) = match (text.strip_suffix("am"), text.strip_suffix("pm")) {
        (Some(body), _) => (body, Some(false)),
        (_, Some(body)) => (body, Some(true)),
        _ => (text, None),
    };
    let (hour, minute) = match body.split_once(':') {
        Some((h, m)) => (number(h, 1, 2), number(m, 2, 2)),
        None if body.len() <= 2 => (number(body, 1, 2), Some(0)),
        None => (
            number(body.get(..body.len() - 2).unwrap_or(""), 1, 2),
            number(body.get(body.len() - 2..).unwrap_or(""), 2, 2),
        ),
    };
    let (Some(hour), Some(minute)) = (hour, minute) else {
        return Err(Fail::Shape);
    };
    let hour = match pm {
        Some(_) if hour == 0 || hour > 12 => {
            return Err(Fail::Value(format!(
                "{hour} is not an hour on a 12-hour clock: use 1 to 12 with am/pm, or 0 to 23 \
                 without"
            )))
        }
        Some(pm) => hour % 12 + if pm { 12 } else { 0 },
        None => hour,
    };
    if hour > 23 {
        return Err(Fail::Value(format!("{hour} is not an hour: use 0 to 23")));
    }
    NaiveTime::from_hms_opt(hour, minute, 0)
        .ok_or_else(|| Fail::Value(format!("{minute} is not a minute: use 00 to 59")))
}

/// A length in minutes: "90", "30m", "1h30m", "1.5h", "2hours" (spaces are ignored). A bare
/// number is minutes. Decimals must come to whole minutes.
fn span_minutes(text: &str) -> Result<u64, Fail> {
    let text = text.replace(' ', "");
    if let Some(minutes) = number(&text, 1, 6) {
        return positive(&text, minutes.into());
    }
    let mut total = 0;
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let unit_at = rest.find(|c: char| c.is_alphabetic()).ok_or(Fail::Shape)?;
        let unit_end = rest[unit_at..]
            .find(|c: char| !c.is_alphabetic())
            .map_or(rest.len(), |i| unit_at + i);
        let factor = unit_minutes(&rest[unit_at..unit_end]).ok_or(Fail::Shape)?;
        total += scaled(&rest[..unit_at], factor, &text)?;
        rest = &rest[unit_end..];
    }
    positive(&text, total)
}

fn positive(text: &str, minutes: u64) -> Result<u64, Fail> {
    match minutes {
        0 => Err(Fail::Value(format!("{text} is no time at all"))),
        m => Ok(m),
    }
}

fn unit_minutes(unit: &str) -> Option<u64> {
    match unit {
        "m" | "min" | "mins" | "minute" | "minutes" => Some(1),
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(60),
        _ => None,
    }
}

/// `amount` ("1", "1.5") times `factor` minutes; `text` is the whole duration, for the error.
fn scaled(amount: &str, factor: u64, text: &str) -> Result<u64, Fail> {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    let whole = u64::from(number(whole, 1, 6).ok_or(Fail::Shape)?);
    let fraction_value = match fraction {
        "" => 0,
        f => u64::from(number(f, 1, 3).ok_or(Fail::Shape)?),
    };
    let scale = 10u64.pow(fraction.len() as u32);
    let scaled = (whole * scale + fraction_value) * factor;
    if !scaled.is_multiple_of(scale) {
        return Err(Fail::Value(format!(
            "{text} is not a whole number of minutes"
        )));
    }
    Ok(scaled / scale)
}

/// `text` as an unsigned number of `min..=max` ASCII digits.
fn number(text: &str, min: usize, max: usize) -> Option<u32> {
    let fits = (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    fits.then(|| text.parse().ok()).flatten()
}

fn day_code(weekday: Weekday) -> &'static str {
    DAYS[weekday.num_days_from_monday() as usize].0
}

/// Checks an RRULE body and returns it upper case, without spaces, FREQ first.
fn normalize_rule(text: &str) -> Result<String, String> {
    let upper: String = text.to_ascii_uppercase().split_whitespace().collect();
    let body = upper.strip_prefix("RRULE:").unwrap_or(&upper);
    let mut parts: Vec<(&str, &str)> = Vec::new();
    for part in body.split(';').filter(|p| !p.is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("{part} is not KEY=VALUE"))?;
        let (valid, help) = rule_part(key).ok_or_else(|| {
            format!(
                "{key} is not a rule part meetty knows: use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, \
                 BYMONTHDAY, BYMONTH, BYSETPOS or WKST"
            )
        })?;
        if !valid(value) {
            return Err(format!("{key}={value}: {help}"));
        }
        if parts.iter().any(|(k, _)| *k == key) {
            return Err(format!("{key} is given twice"));
        }
        parts.push((key, value));
    }
    let has = |key| parts.iter().any(|(k, _)| *k == key);
    if !has("FREQ") {
        return Err("FREQ is missing".to_string());
    }
    if has("COUNT") && has("UNTIL") {
        return Err("COUNT and UNTIL cannot both be given: keep one".to_string());
    }
    // Stable, so the other parts keep the order they were typed in.
    parts.sort_by_key(|(k, _)| *k != "FREQ");
    let parts: Vec<String> = parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Ok(parts.join(";"))
}

type Check = fn(&str) -> bool;

/// The check for one RRULE part and what to say when it fails.
fn rule_part(key: &str) -> Option<(Check, &'static str)> {
    Some(match key {
        "FREQ" => (
            |v| matches!(v, "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY"),
            "must be DAILY, WEEKLY, MONTHLY or YEARLY",
        ),
        "INTERVAL" | "COUNT" => (
            |v| number(v, 1, 4).is_some_and(|n| n > 0),
            "must be a whole number above 0",
        ),
        "UNTIL" => (until, "must be a date like 20261231 or 20261231T170000Z"),
        "BYDAY" => (
            |v| list(v, by_day),
            "must be days like MO,WE or, for monthly rules, 1MO or -1FR",
        ),
        "BYMONTHDAY" => (
            |v| list(v, |d| signed(d, 31)),
            "must be days of the month like 1,15 or -1 (the last)",
        ),
        "BYMONTH" => (
            |v| {
                list(v, |m| {
                    number(m, 1, 2).is_some_and(|m| (1..=12).contains(&m))
                })
            },
            "must be months 1 to 12 like 1,7",
        ),
        "BYSETPOS" => (
            |v| list(v, |p| signed(p, 366)),
            "must be positions like 1 or -1 (the last)",
        ),
        "WKST" => (is_day_code, "must be a day like MO or SU"),
        _ => return None,
    })
}

fn list(value: &str, item: fn(&str) -> bool) -> bool {
    value.split(',').all(item)
}

fn is_day_code(code: &str) -> bool {
    DAYS.iter().any(|(c, _)| *c == code)
}

/// "MO", "1MO", "+2TU", "-1FR".
fn by_day(value: &str) -> bool {
    let split = value.len().saturating_sub(2);
    match (value.get(..split), value.get(split..)) {
        (Some(nth), Some(code)) => is_day_code(code) && (nth.is_empty() || signed(nth, 53)),
        _ => false,
    }
}

/// A non-zero number within ±`max`, with an optional sign.
fn signed(value: &str, max: u32) -> bool {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    number(digits, 1, 3).is_some_and(|n| (1..=max).contains(&n))
}

/// "20261231" or "20261231T170000Z" (UTC, as RFC 5545 wants with a zoned start).
fn until(value: &str) -> bool {
    let date_ok = |text: &str| {
        matches!(fields(text, &[4, 2, 2]).as_deref(),
            Some(&[y, m, d]) if NaiveDate::from_ymd_opt(y as i32, m, d).is_some())
    };
    match value.split_once('T') {
        None => date_ok(value),
        Some((date, time)) => {
            let hms = time.strip_suffix('Z').and_then(|t| fields(t, &[2, 2, 2]));
            date_ok(date)
                && matches!(hms.as_deref(),
                    Some(&[h, m, s]) if NaiveTime::from_hms_opt(h, m, s).is_some())
        }
    }
}

/// `text` cut into numbers of exactly these digit counts, with nothing left over.
fn fields(text: &str, widths: &[usize]) -> Option<Vec<u32>> {
    let mut rest = text;
    let mut numbers = Vec::with_capacity(widths.len());
    for &width in widths {
        numbers.push(number(rest.get(..width)?, width, width)?);
        rest = rest.get(width..)?;
    }
    rest.is_empty().then_some(numbers)
}
