//! Series expansion for the sandbox: the stored `recurrence` lines expanded with
//! [`crate::recurrence`] (the `rrule` crate), occurrences keeping the series' wall-clock time in
//! its zone, so a 09:30 standup stays at 09:30 across a DST change.

use chrono::{DateTime, Utc};

use super::times::LocalTime;
use crate::recurrence::{self, Start};

pub use crate::recurrence::RuleError;

/// Occurrence starts of a series beginning at `start`, in order, before `bound`, at most `limit`.
pub fn expand(
    lines: &[String],
    start: LocalTime,
    bound: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<LocalTime>, RuleError> {
    let series = Start {
        local: start.local,
        tz: start.tz,
        all_day: start.all_day,
    };
    Ok(recurrence::expand(lines, series, bound, limit)?
        .into_iter()
        .map(|local| LocalTime { local, ..start })
        .collect())
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, NaiveDateTime};

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
