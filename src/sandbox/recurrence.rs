//! RRULE/EXDATE expansion (the subset of RFC 5545 Google Calendar writes): FREQ
//! DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, COUNT, UNTIL, BYDAY (with ordinals for MONTHLY)
//! and BYMONTHDAY. Occurrences keep the series' wall-clock time in its zone, so a 09:30
//! standup stays at 09:30 across a DST change.

use chrono::{
    DateTime, Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use super::times::{resolve_local, LocalTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    Instant(DateTime<Utc>),
    Floating(NaiveDateTime),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    freq: Freq,
    interval: u32,
    count: Option<u32>,
    until: Option<Until>,
    /// `(ordinal, weekday)`; the ordinal (`2TU`, `-1FR`) only means something for MONTHLY.
    by_day: Vec<(Option<i8>, Weekday)>,
    by_month_day: Vec<i8>,
}

/// An unparseable recurrence line; the API answers 400 for these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(pub String);

/// Occurrence starts of a series beginning at `start`, in order, before `bound`, at most `limit`.
pub fn expand(
    recurrence: &[String],
    start: LocalTime,
    bound: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<LocalTime>, RuleError> {
    let mut rule = None;
    let mut excluded = Vec::new();
    for line in recurrence {
        let (head, value) = line
            .split_once(':')
            .ok_or_else(|| RuleError(format!("Invalid recurrence rule: {line}")))?;
        let mut params = head.split(';');
        match params
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase()
            .as_str()
        {
            "RRULE" => rule = Some(parse_rule(value, start.tz)?),
            "EXDATE" => {
                let tz = params
                    .find_map(|p| p.strip_prefix("TZID="))
                    .and_then(|name| name.parse().ok())
                    .unwrap_or(start.tz);
                for item in value.split(',') {
                    excluded.push(parse_stamp(item, tz)?);
                }
            }
            // RDATE and unknown lines are rare in Google data; ignoring beats rejecting.
            _ => {}
        }
    }
    let Some(rule) = rule else {
        return Ok(vec![start]);
    };
    let mut out = Vec::new();
    let mut emitted = 0u32;
    let first_date = start.local.date();
    // Generous guard so a rule that never matches (BYMONTHDAY=31;INTERVAL=2 in short months) ends.
    for period in 0..100_000u32 {
        let Some(dates) = period_dates(&rule, first_date, period * rule.interval) else {
            break;
        };
        for date in dates {
            let local = date.and_time(start.local.time());
            if local < start.local {
                continue;
            }
            let occurrence = LocalTime { local, ..start };
            let utc = resolve_local(local, start.tz);
            let past_until = match rule.until {
                Some(Until::Instant(u)) => utc > u,
                Some(Until::Floating(u)) => local > u,
                None => false,
            };
            if past_until || utc >= bound || rule.count.is_some_and(|c| emitted >= c) {
                return Ok(out);
            }
            emitted += 1;
            if !excluded.contains(&utc) {
                out.push(occurrence);
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        }
    }
    Ok(out)
}

/// Candidate dates of the `offset`-th period (already multiplied by INTERVAL), in order.
fn period_dates(rule: &Rule, first: NaiveDate, offset: u32) -> Option<Vec<NaiveDate>> {
    let by_weekday = |d: &NaiveDate| {
        rule.by_day.is_empty() || rule.by_day.iter().any(|(_, w)| *w == d.weekday())
    };
    Some(match rule.freq {
        Freq::Daily => {
            let d = first.checked_add_signed(TimeDelta::days(offset.into()))?;
            vec![d].into_iter().filter(by_weekday).collect()
        }
        Freq::Weekly => {
            let monday = first - TimeDelta::days(first.weekday().num_days_from_monday().into());
            let week = monday.checked_add_signed(TimeDelta::weeks(offset.into()))?;
            let mut days: Vec<u32> = if rule.by_day.is_empty() {
                vec![first.weekday().num_days_from_monday()]
            } else {
                rule.by_day
                    .iter()
                    .map(|(_, w)| w.num_days_from_monday())
                    .collect()
            };
            days.sort_unstable();
            days.dedup();
            days.into_iter()
                .map(|d| week + TimeDelta::days(d.into()))
                .collect()
        }
        Freq::Monthly => {
            let month_start = first.with_day(1)?.checked_add_months(Months::new(offset))?;
            month_dates(rule, month_start, first.day())
        }
        Freq::Yearly => {
            let year = first.year() + i32::try_from(offset).ok()?;
            if year > 9999 {
                return None;
            }
            NaiveDate::from_ymd_opt(year, first.month(), first.day())
                .into_iter()
                .collect()
        }
    })
}

fn month_dates(rule: &Rule, month_start: NaiveDate, default_day: u32) -> Vec<NaiveDate> {
    let days_in_month = (month_start + Months::new(1) - month_start).num_days();
    let all: Vec<NaiveDate> = (0..days_in_month)
        .map(|i| month_start + TimeDelta::days(i))
        .collect();
    let mut out: Vec<NaiveDate> = if !rule.by_day.is_empty() {
        rule.by_day
            .iter()
            .flat_map(|&(ordinal, weekday)| {
                let matching: Vec<NaiveDate> = all
                    .iter()
                    .copied()
                    .filter(|d| d.weekday() == weekday)
                    .collect();
                match ordinal {
                    None => matching,
                    Some(n) if n > 0 => matching.get(n as usize - 1).copied().into_iter().collect(),
                    Some(n) => matching
                        .len()
                        .checked_sub(n.unsigned_abs() as usize)
                        .map(|i| matching[i])
                        .into_iter()
                        .collect(),
                }
            })
            .collect()
    } else {
        let days = if rule.by_month_day.is_empty() {
            vec![default_day as i64]
        } else {
            rule.by_month_day.iter().map(|&d| d as i64).collect()
        };
        days.into_iter()
            .filter_map(|d| {
                let index = if d > 0 { d - 1 } else { days_in_month + d };
                all.get(usize::try_from(index).ok()?).copied()
            })
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

fn parse_rule(value: &str, tz: Tz) -> Result<Rule, RuleError> {
    let bad = || RuleError(format!("Invalid recurrence rule: RRULE:{value}"));
    let mut rule = Rule {
        freq: Freq::Daily,
        interval: 1,
        count: None,
        until: None,
        by_day: Vec::new(),
        by_month_day: Vec::new(),
    };
    let mut freq = None;
    for part in value.split(';').filter(|p| !p.is_empty()) {
        let (key, val) = part.split_once('=').ok_or_else(bad)?;
        match key.to_ascii_uppercase().as_str() {
            "FREQ" => {
                freq = Some(match val {
                    "DAILY" => Freq::Daily,
                    "WEEKLY" => Freq::Weekly,
                    "MONTHLY" => Freq::Monthly,
                    "YEARLY" => Freq::Yearly,
                    _ => return Err(bad()),
                })
            }
            "INTERVAL" => rule.interval = val.parse().ok().filter(|&i| i > 0).ok_or_else(bad)?,
            "COUNT" => rule.count = Some(val.parse().map_err(|_| bad())?),
            "UNTIL" => {
                rule.until = Some(if val.len() == 8 {
                    // A date UNTIL includes that whole day.
                    let d = NaiveDate::parse_from_str(val, "%Y%m%d").map_err(|_| bad())?;
                    Until::Floating(d.and_hms_opt(23, 59, 59).ok_or_else(bad)?)
                } else if val.ends_with('Z') {
                    Until::Instant(parse_stamp(val, tz).map_err(|_| bad())?)
                } else {
                    Until::Floating(
                        NaiveDateTime::parse_from_str(val, "%Y%m%dT%H%M%S").map_err(|_| bad())?,
                    )
                })
            }
            "BYDAY" => {
                for item in val.split(',') {
                    let split = item.len().checked_sub(2).ok_or_else(bad)?;
                    let (ordinal, day) = item.split_at(split);
                    let ordinal = match ordinal {
                        "" => None,
                        n => Some(n.trim_start_matches('+').parse().map_err(|_| bad())?),
                    };
                    rule.by_day
                        .push((ordinal, parse_weekday(day).ok_or_else(bad)?));
                }
            }
            "BYMONTHDAY" => {
                for item in val.split(',') {
                    rule.by_month_day.push(item.parse().map_err(|_| bad())?);
                }
            }
            // WKST and rarer parts do not change the rules Google's UI writes.
            _ => {}
        }
    }
    rule.freq = freq.ok_or_else(bad)?;
    Ok(rule)
}

fn parse_weekday(day: &str) -> Option<Weekday> {
    Some(match day {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// `20240502T133000Z`, `20240502T093000` (in `tz`) or `20240502` (midnight in `tz`).
fn parse_stamp(text: &str, tz: Tz) -> Result<DateTime<Utc>, RuleError> {
    let bad = || RuleError(format!("Invalid date in recurrence: {text}"));
    if let Some(utc) = text.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        return Ok(Utc.from_utc_datetime(&t));
    }
    let local = if text.len() == 8 {
        NaiveDate::parse_from_str(text, "%Y%m%d")
            .map_err(|_| bad())?
            .and_hms_opt(0, 0, 0)
            .ok_or_else(bad)?
    } else {
        NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").map_err(|_| bad())?
    };
    Ok(resolve_local(local, tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(tz: &str, text: &str) -> LocalTime {
        LocalTime {
            local: NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap(),
            tz: tz.parse().unwrap(),
            all_day: false,
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn starts(rules: &[&str], start: LocalTime, bound: &str) -> Vec<String> {
        let rules: Vec<String> = rules.iter().map(|s| s.to_string()).collect();
        expand(&rules, start, utc(bound), 1000)
            .unwrap()
            .iter()
            .map(|o| o.utc().format("%Y-%m-%dT%H:%MZ").to_string())
            .collect()
    }

    #[test]
    fn weekday_standup_keeps_wall_clock_across_new_york_dst() {
        // Friday 8 March 2024, DST starts Sunday 10 March.
        let s = starts(
            &["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"],
            at("America/New_York", "2024-03-08 09:30"),
            "2024-03-13T00:00:00Z",
        );
        assert_eq!(
            s,
            [
                "2024-03-08T14:30Z",
                "2024-03-11T13:30Z",
                "2024-03-12T13:30Z"
            ]
        );
    }

    #[test]
    fn berlin_autumn_change_and_count() {
        // DST ends Sunday 27 October 2024 in Europe/Berlin.
        let s = starts(
            &["RRULE:FREQ=DAILY;COUNT=3"],
            at("Europe/Berlin", "2024-10-26 09:00"),
            "2030-01-01T00:00:00Z",
        );
        assert_eq!(
            s,
            [
                "2024-10-26T07:00Z",
                "2024-10-27T08:00Z",
                "2024-10-28T08:00Z"
            ]
        );
    }

    #[test]
    fn berlin_spring_gap_moves_forward() {
        let s = starts(
            &["RRULE:FREQ=DAILY;COUNT=3"],
            at("Europe/Berlin", "2024-03-30 02:30"),
            "2030-01-01T00:00:00Z",
        );
        // 31 March 02:30 does not exist; it is taken with the pre-gap offset (03:30 CEST).
        assert_eq!(
            s,
            [
                "2024-03-30T01:30Z",
                "2024-03-31T01:30Z",
                "2024-04-01T00:30Z"
            ]
        );
    }

    #[test]
    fn until_exdate_interval_and_monthly_ordinals() {
        let s = starts(
            &[
                "RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20240520T000000Z",
                "EXDATE;TZID=America/New_York:20240415T100000",
            ],
            at("America/New_York", "2024-04-01 10:00"),
            "2030-01-01T00:00:00Z",
        );
        assert_eq!(
            s,
            [
                "2024-04-01T14:00Z",
                "2024-04-29T14:00Z",
                "2024-05-13T14:00Z"
            ]
        );

        let s = starts(
            &["RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"],
            at("UTC", "2024-01-26 12:00"),
            "2030-01-01T00:00:00Z",
        );
        assert_eq!(
            s,
            [
                "2024-01-26T12:00Z",
                "2024-02-23T12:00Z",
                "2024-03-29T12:00Z"
            ]
        );

        let s = starts(
            &["RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=2"],
            at("UTC", "2024-01-31 12:00"),
            "2030-01-01T00:00:00Z",
        );
        assert_eq!(s, ["2024-01-31T12:00Z", "2024-03-31T12:00Z"]);
    }

    #[test]
    fn all_day_and_bound() {
        let start = LocalTime {
            all_day: true,
            ..at("America/New_York", "2024-12-30 00:00")
        };
        let s = expand(
            &[
                "RRULE:FREQ=YEARLY".to_string(),
                "EXDATE;VALUE=DATE:20251230".to_string(),
            ],
            start,
            utc("2028-01-01T00:00:00Z"),
            10,
        )
        .unwrap();
        let years: Vec<i32> = s.iter().map(|o| o.local.year()).collect();
        assert_eq!(years, [2024, 2026, 2027]);
        assert!(expand(
            &["RRULE:FREQ=SOMETIMES".into()],
            start,
            utc("2028-01-01T00:00:00Z"),
            9
        )
        .is_err());
    }
}
