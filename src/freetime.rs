//! Find a time: the slots where everyone whose calendar Google showed is free, inside the
//! user's working hours. Pure and cheap (no I/O, no clock), so the form can recompute it on
//! every keystroke and the CLI and the TUI agree on what "free" means.
//!
//! Intervals are half-open, `[start, end)`: a meeting that ends at 11:00 leaves 11:00 free.
//! Working hours are wall-clock times in the user's zone, so 09:00 stays 09:00 across a DST
//! change; slot starts sit on `step` boundaries of the local clock (…, 09:00, 09:15, …).

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveTime, Offset, TimeDelta, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::Serialize;

/// Slots start on these boundaries of the local clock, in the TUI and the CLI.
pub const STEP: TimeDelta = TimeDelta::minutes(15);

/// Working days find a time searches: the TUI's grid, and `meetty free` without `--days`.
pub const WORKING_DAYS_AHEAD: u32 = 5;

/// A stretch of time, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Interval {
        Interval { start, end }
    }
}

/// What is known about one person's (or calendar's) time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lane {
    /// Google's busy blocks; everything else in the window is free.
    Busy(Vec<Interval>),
    /// Google would not say (the calendar is not shared, or outside the organisation); the
    /// reason is worded for the user and ends with Google's code when it gave one, e.g.
    /// `(notFound)`.
    Unknown { reason: String },
}

/// When the user is willing to meet: the same hours on each working day, in their zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub days: Vec<Weekday>,
}

/// What [`free_slots`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Slots {
    /// Every start on a step boundary where the meeting fits, in time order; each is
    /// `duration` long.
    pub slots: Vec<Interval>,
    /// The lanes that were [`Lane::Unknown`]: the slots were chosen without them.
    pub without: Vec<String>,
}

const DAY_NAMES: &str = "mon, tue, wed, thu, fri, sat or sun";

impl WorkingHours {
    /// Reads config's `working_hours = "09:00-17:30"` and `working_days = ["mon", …]`.
    pub fn parse(hours: &str, days: &[impl AsRef<str>]) -> Result<WorkingHours, String> {
        let (start, end) = Self::parse_hours(hours)?;
        Ok(WorkingHours {
            start,
            end,
            days: Self::parse_days(days)?,
        })
    }

    /// `"09:00-17:30"`: two 24-hour times, the first before the second.
    pub fn parse_hours(text: &str) -> Result<(NaiveTime, NaiveTime), String> {
        let shape = || {
            format!(
                "working hours {text:?} must be a start and an end on the 24-hour clock, \
                 like \"09:00-17:30\""
            )
        };
        let (start, end) = text.split_once('-').ok_or_else(shape)?;
        let time = |part: &str| -> Result<NaiveTime, String> {
            let part = part.trim();
            let (h, m) = part.split_once(':').ok_or_else(shape)?;
            let digits = |s: &str, widths: &[usize]| {
                (widths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse::<u32>().ok())
                    .flatten()
            };
            let (Some(h), Some(m)) = (digits(h, &[1, 2]), digits(m, &[2])) else {
                return Err(shape());
            };
            NaiveTime::from_hms_opt(h, m, 0).ok_or_else(|| {
                format!("{part:?} in working hours is not a time of day: use 00:00 to 23:59")
            })
        };
        let (start, end) = (time(start)?, time(end)?);
        if end <= start {
            return Err(format!(
                "working hours {text:?} end before they start: give the part of one day, \
                 like \"09:00-17:30\" (hours past midnight are not supported)"
            ));
        }
        Ok((start, end))
    }

    /// `["mon", "tue", …]` (full names and any case work too); at least one day.
    pub fn parse_days(names: &[impl AsRef<str>]) -> Result<Vec<Weekday>, String> {
        let mut days = Vec::new();
        for name in names {
            let name = name.as_ref();
            let day: Weekday = name
                .trim()
                .parse()
                .map_err(|_| format!("{name:?} in working days is not a day: use {DAY_NAMES}"))?;
            if !days.contains(&day) {
                days.push(day);
            }
        }
        if days.is_empty() {
            return Err(format!(
                "working days is empty: name the days you meet on ({DAY_NAMES}), \
                 like [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]"
            ));
        }
        days.sort_by_key(Weekday::num_days_from_monday);
        Ok(days)
    }

    /// The working hours of the next `days` working days, as instants: from the day of
    /// `from` on, skipping days whose hours are over by `from` (the first one starts no
    /// earlier than `from`).
    pub fn periods(&self, from: DateTime<Utc>, days: u32, tz: Tz) -> Vec<Interval> {
        let mut periods = Vec::new();
        let mut date = from.with_timezone(&tz).date_naive();
        // Parsing guarantees a working day every week; the bound only guards hand-made values.
        let last = date
            .checked_add_days(chrono::Days::new(7 * u64::from(days) + 7))
            .unwrap_or(NaiveDate::MAX);
        while periods.len() < days as usize && date <= last {
            if self.days.contains(&date.weekday()) {
                let start = instant(date, self.start, tz).max(from);
                let end = instant(date, self.end, tz);
                if start < end {
                    periods.push(Interval::new(start, end));
                }
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        periods
    }

    /// Whether a meeting of `duration` fits in one working day; if not, why, worded for the
    /// user, so the TUI and the CLI refuse it before asking Google who is free.
    pub fn fits(&self, duration: TimeDelta) -> Result<(), String> {
        if duration <= self.end - self.start {
            return Ok(());
        }
        Err(format!(
            "a {} meeting is longer than your working hours {}–{} (config working_hours)",
            crate::timeparse::format_duration(duration),
            self.start.format("%H:%M"),
            self.end.format("%H:%M"),
        ))
    }

    /// What to ask Google about for [`free_slots`] with the same arguments: from the start
    /// of the first working period to the end of the last; `None` when there is none.
    pub fn window(&self, from: DateTime<Utc>, days: u32, tz: Tz) -> Option<Interval> {
        let periods = self.periods(from, days, tz);
        Some(Interval::new(periods.first()?.start, periods.last()?.end))
    }
}

/// A slot as the TUI and the CLI show it, in `tz`: "Tue 1 Dec 16:30–17:15".
pub fn slot_text(start: DateTime<Utc>, duration: TimeDelta, tz: Tz) -> String {
    format!(
        "{} {}",
        start.with_timezone(&tz).format("%a %-d %b"),
        crate::timefmt::clock_range(start, start + duration, tz)
    )
}

/// A wall-clock time on `date` in `tz`. The earlier of two when the clock goes back; inside
/// a skipped hour, read with the offset in force before it (RFC 5545, as Google does: 02:30
/// on a spring-forward night is 03:30).
fn instant(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let local = date.and_time(time);
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| {
            let before = tz.offset_from_utc_datetime(&(local - TimeDelta::hours(12)));
            (local - before.fix()).and_utc()
        })
}

/// The first instant at or after `t` that sits on a `step` boundary of `tz`'s clock.
fn align(t: DateTime<Utc>, step: TimeDelta, tz: Tz) -> DateTime<Utc> {
    let local = t.with_timezone(&tz).time();
    let since_midnight = TimeDelta::seconds(i64::from(local.num_seconds_from_midnight()))
        + TimeDelta::nanoseconds(i64::from(local.nanosecond()));
    let step_ns = step.num_nanoseconds().unwrap_or(i64::MAX).max(1);
    let into = since_midnight.num_nanoseconds().unwrap_or(0) % step_ns;
    if into == 0 {
        t
    } else {
        t + TimeDelta::nanoseconds(step_ns - into)
    }
}

/// Every start, on `step` boundaries of `tz`'s clock, inside working hours on the next
/// `days` working days (see [`WorkingHours::periods`]), where a meeting of `duration`
/// overlaps no busy block of any lane Google answered for. [`Lane::Unknown`] lanes are
/// left out and named in [`Slots::without`]. A non-positive `step`, or a negative
/// `duration`, finds nothing.
pub fn free_slots(
    lanes: &[(String, Lane)],
    from: DateTime<Utc>,
    days: u32,
    duration: TimeDelta,
    hours: &WorkingHours,
    tz: Tz,
    step: TimeDelta,
) -> Slots {
    let without = lanes
        .iter()
        .filter(|(_, lane)| matches!(lane, Lane::Unknown { .. }))
        .map(|(name, _)| name.clone())
        .collect();
    if step <= TimeDelta::zero() || duration < TimeDelta::zero() {
        return Slots {
            slots: Vec::new(),
            without,
        };
    }
    let busy = merged(lanes);
    let mut slots = Vec::new();
    let mut next_busy = 0;
    for period in hours.periods(from, days, tz) {
        let mut t = align(period.start, step, tz);
        while t
            .checked_add_signed(duration)
            .is_some_and(|end| end <= period.end)
        {
            while busy.get(next_busy).is_some_and(|b| b.end <= t) {
                next_busy += 1;
            }
            match busy.get(next_busy) {
                // A zero-length meeting is blocked by a block that starts right then.
                Some(b) if b.start < t + duration || b.start <= t => t = align(b.end, step, tz),
                _ => {
                    slots.push(Interval::new(t, t + duration));
                    t = align(t + step, step, tz);
                }
            }
        }
    }
    Slots { slots, without }
}

/// Every known busy block, sorted and merged where they overlap or touch.
fn merged(lanes: &[(String, Lane)]) -> Vec<Interval> {
    let mut blocks: Vec<Interval> = lanes
        .iter()
        .filter_map(|(_, lane)| match lane {
            Lane::Busy(blocks) => Some(blocks),
            Lane::Unknown { .. } => None,
        })
        .flatten()
        .filter(|b| b.start < b.end)
        .copied()
        .collect();
    blocks.sort_unstable();
    let mut out: Vec<Interval> = Vec::with_capacity(blocks.len());
    for b in blocks {
        match out.last_mut() {
            Some(last) if b.start <= last.end => last.end = last.end.max(b.end),
            _ => out.push(b),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(tz: Tz, date: &str, time: &str) -> DateTime<Utc> {
        let local =
            chrono::NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%F %H:%M").unwrap();
        tz.from_local_datetime(&local)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn hours(text: &str, days: &[&str]) -> WorkingHours {
        WorkingHours::parse(text, days).unwrap()
    }

    fn busy(blocks: &[(DateTime<Utc>, DateTime<Utc>)]) -> Lane {
        Lane::Busy(blocks.iter().map(|&(s, e)| Interval::new(s, e)).collect())
    }

    /// Slot starts as local `date time` strings.
    fn starts(slots: &Slots, tz: Tz) -> Vec<String> {
        slots
            .slots
            .iter()
            .map(|s| s.start.with_timezone(&tz).format("%a %H:%M").to_string())
            .collect()
    }

    struct Case {
        name: &'static str,
        tz: Tz,
        hours: WorkingHours,
        from: DateTime<Utc>,
        days: u32,
        minutes: i64,
        step: i64,
        lanes: Vec<(String, Lane)>,
        expect: &'static [&'static str],
        without: &'static [&'static str],
    }

    #[test]
    fn free_slots_table() {
        let berlin = Tz::Europe__Berlin;
        let ny = Tz::America__New_York;
        let b = |d: &str, t: &str| at(berlin, d, t);
        let n = |d: &str, t: &str| at(ny, d, t);
        let lane = |name: &str, l: Lane| (name.to_string(), l);
        let cases = [
            Case {
                // Berlin springs forward on Sunday 29 March 2026: 09:00 is 08:00Z on
                // Friday and 07:00Z on Monday, and the slots stay at 09:00.
                name: "Berlin across spring forward",
                tz: berlin,
                hours: hours("09:00-10:00", &["mon", "fri"]),
                from: b("2026-03-27", "00:00"),
                days: 2,
                minutes: 30,
                step: 30,
                lanes: vec![],
                expect: &["Fri 09:00", "Fri 09:30", "Mon 09:00", "Mon 09:30"],
                without: &[],
            },
            Case {
                // New York falls back on Sunday 1 November 2026.
                name: "New York across fall back, a busy block in UTC terms",
                tz: ny,
                hours: hours("09:00-10:30", &["mon", "fri"]),
                from: n("2026-10-30", "08:00"),
                days: 2,
                minutes: 30,
                step: 30,
                lanes: vec![lane(
                    "a@example.com",
                    busy(&[(n("2026-11-02", "09:30"), n("2026-11-02", "10:00"))]),
                )],
                expect: &[
                    "Fri 09:00",
                    "Fri 09:30",
                    "Fri 10:00",
                    "Mon 09:00",
                    "Mon 10:00",
                ],
                without: &[],
            },
            Case {
                // New York springs forward on Sunday 8 March 2026: 01:00-04:00 holds two
                // real hours, and 02:00 does not exist.
                name: "working hours that contain the skipped hour",
                tz: ny,
                hours: hours("01:00-04:00", &["sun"]),
                from: n("2026-03-07", "12:00"),
                days: 1,
                minutes: 60,
                step: 60,
                lanes: vec![],
                expect: &["Sun 01:00", "Sun 03:00"],
                without: &[],
            },
            Case {
                name: "a meeting that straddles midnight",
                tz: berlin,
                hours: hours("09:00-12:00", &["mon", "tue"]),
                from: b("2026-11-23", "00:00"),
                days: 2,
                minutes: 60,
                step: 30,
                lanes: vec![lane(
                    "a@example.com",
                    busy(&[(b("2026-11-23", "22:00"), b("2026-11-24", "09:30"))]),
                )],
                expect: &[
                    "Mon 09:00",
                    "Mon 09:30",
                    "Mon 10:00",
                    "Mon 10:30",
                    "Mon 11:00",
                    "Tue 09:30",
                    "Tue 10:00",
                    "Tue 10:30",
                    "Tue 11:00",
                ],
                without: &[],
            },
            Case {
                name: "an all-day busy block takes the whole day",
                tz: berlin,
                hours: hours("09:00-10:00", &["mon", "tue", "wed"]),
                from: b("2026-11-23", "00:00"),
                days: 3,
                minutes: 60,
                step: 15,
                lanes: vec![lane(
                    "a@example.com",
                    busy(&[(b("2026-11-24", "00:00"), b("2026-11-25", "00:00"))]),
                )],
                expect: &["Mon 09:00", "Wed 09:00"],
                without: &[],
            },
            Case {
                name: "a guest in an unknown state is left out and named",
                tz: berlin,
                hours: hours("09:00-10:00", &["mon"]),
                from: b("2026-11-23", "00:00"),
                days: 1,
                minutes: 30,
                step: 30,
                lanes: vec![
                    lane(
                        "you",
                        busy(&[(b("2026-11-23", "09:00"), b("2026-11-23", "09:30"))]),
                    ),
                    lane(
                        "x@outside.example",
                        Lane::Unknown {
                            reason: "not shared (notFound)".into(),
                        },
                    ),
                ],
                expect: &["Mon 09:30"],
                without: &["x@outside.example"],
            },
            Case {
                // Back-to-back meetings of two people leave no gap; the hour after them
                // is free from its first minute.
                name: "a 0-minute gap between meetings",
                tz: berlin,
                hours: hours("09:00-13:00", &["mon"]),
                from: b("2026-11-23", "00:00"),
                days: 1,
                minutes: 30,
                step: 30,
                lanes: vec![
                    lane(
                        "a@example.com",
                        busy(&[(b("2026-11-23", "10:00"), b("2026-11-23", "11:00"))]),
                    ),
                    lane(
                        "b@example.com",
                        busy(&[(b("2026-11-23", "11:00"), b("2026-11-23", "12:00"))]),
                    ),
                ],
                expect: &["Mon 09:00", "Mon 09:30", "Mon 12:00", "Mon 12:30"],
                without: &[],
            },
            Case {
                name: "a gap exactly as long as the meeting fits; a shorter one does not",
                tz: berlin,
                hours: hours("09:00-12:00", &["mon"]),
                from: b("2026-11-23", "00:00"),
                days: 1,
                minutes: 45,
                step: 15,
                lanes: vec![lane(
                    "a@example.com",
                    busy(&[
                        (b("2026-11-23", "09:00"), b("2026-11-23", "09:30")),
                        (b("2026-11-23", "10:15"), b("2026-11-23", "10:45")),
                        (b("2026-11-23", "11:15"), b("2026-11-23", "12:00")),
                    ]),
                )],
                expect: &["Mon 09:30"],
                without: &[],
            },
            Case {
                name: "the search starts at `from`, on the next step boundary",
                tz: berlin,
                hours: hours("09:00-11:00", &["mon", "tue"]),
                from: b("2026-11-23", "10:07"),
                days: 1,
                minutes: 30,
                step: 15,
                lanes: vec![],
                expect: &["Mon 10:15", "Mon 10:30"],
                without: &[],
            },
            Case {
                name: "a day whose hours are over does not count; weekends are skipped",
                tz: berlin,
                hours: hours("09:00-10:00", &["mon", "tue", "wed", "thu", "fri"]),
                from: b("2026-11-27", "18:00"),
                days: 1,
                minutes: 60,
                step: 15,
                lanes: vec![],
                expect: &["Mon 09:00"],
                without: &[],
            },
        ];
        for case in cases {
            let found = free_slots(
                &case.lanes,
                case.from,
                case.days,
                TimeDelta::minutes(case.minutes),
                &case.hours,
                case.tz,
                TimeDelta::minutes(case.step),
            );
            assert_eq!(starts(&found, case.tz), case.expect, "{}", case.name);
            assert_eq!(found.without, case.without, "{}", case.name);
            for slot in &found.slots {
                assert_eq!(slot.end - slot.start, TimeDelta::minutes(case.minutes));
            }
        }
    }

    #[test]
    fn a_zero_length_meeting_is_blocked_only_inside_a_busy_block() {
        let tz = Tz::Europe__Berlin;
        let lanes = [(
            "a".to_string(),
            busy(&[(at(tz, "2026-11-23", "09:00"), at(tz, "2026-11-23", "09:30"))]),
        )];
        let found = free_slots(
            &lanes,
            at(tz, "2026-11-23", "00:00"),
            1,
            TimeDelta::zero(),
            &hours("09:00-10:00", &["mon"]),
            tz,
            TimeDelta::minutes(15),
        );
        assert_eq!(starts(&found, tz), ["Mon 09:30", "Mon 09:45", "Mon 10:00"]);
        let none = free_slots(
            &lanes,
            at(tz, "2026-11-23", "00:00"),
            1,
            TimeDelta::minutes(30),
            &hours("09:00-10:00", &["mon"]),
            tz,
            TimeDelta::zero(),
        );
        assert!(none.slots.is_empty());
    }

    #[test]
    fn a_meeting_longer_than_the_working_day_is_refused_with_the_config_to_change() {
        let h = hours("09:00-17:30", &["mon"]);
        assert_eq!(h.fits(TimeDelta::minutes(8 * 60 + 30)), Ok(()));
        assert_eq!(
            h.fits(TimeDelta::hours(9)),
            Err(
                "a 9 h meeting is longer than your working hours 09:00–17:30 \
                 (config working_hours)"
                    .into()
            )
        );
    }

    #[test]
    fn slot_text_is_day_and_clock_range_in_the_zone() {
        let tz = Tz::Europe__Berlin;
        let start = at(tz, "2026-12-01", "16:30");
        assert_eq!(
            slot_text(start, TimeDelta::minutes(45), tz),
            "Tue 1 Dec 16:30–17:15"
        );
    }

    #[test]
    fn window_covers_the_working_periods_searched() {
        let tz = Tz::Europe__Berlin;
        let h = hours("09:00-17:30", &["mon", "tue", "wed", "thu", "fri"]);
        let from = at(tz, "2026-11-27", "12:00"); // a Friday
        let w = h.window(from, 2, tz).unwrap();
        assert_eq!((w.start, w.end), (from, at(tz, "2026-11-30", "17:30")));
        assert_eq!(h.window(from, 0, tz), None);
    }

    #[test]
    fn working_hours_parse_and_refuse_with_the_fix() {
        let h = WorkingHours::parse("9:00 - 17:30", &["Fri", "mon", "monday", "TUE"]).unwrap();
        assert_eq!(h.start, NaiveTime::from_hms_opt(9, 0, 0).unwrap());
        assert_eq!(h.end, NaiveTime::from_hms_opt(17, 30, 0).unwrap());
        assert_eq!(h.days, [Weekday::Mon, Weekday::Tue, Weekday::Fri]);

        for (bad, says) in [
            ("9-5", "like \"09:00-17:30\""),
            ("09:00", "like \"09:00-17:30\""),
            ("09:0-17:30", "like \"09:00-17:30\""),
            (
                "25:00-26:00",
                "\"25:00\" in working hours is not a time of day: use 00:00 to 23:59",
            ),
            ("17:00-09:00", "end before they start"),
            ("09:00-09:00", "end before they start"),
        ] {
            let err = WorkingHours::parse_hours(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
        let err = WorkingHours::parse_days(&["mon", "mo"]).unwrap_err();
        assert_eq!(
            err,
            "\"mo\" in working days is not a day: use mon, tue, wed, thu, fri, sat or sun"
        );
        let none: [&str; 0] = [];
        assert!(WorkingHours::parse_days(&none)
            .unwrap_err()
            .starts_with("working days is empty"));
    }
}
