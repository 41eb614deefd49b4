//! Recurrence rules as Google Calendar holds them (`RRULE`, `EXRULE`, `EXDATE` and `RDATE` lines of
//! RFC 5545), read, checked and expanded by the `rrule` crate, so the form's repeat check, the
//! series split and the sandbox all agree on what a rule means.
//!
//! Occurrences keep the series' wall-clock time in its zone (a 09:30 standup stays at 09:30
//! across a DST change); a time the clocks skip is taken with the offset from before the gap
//! (02:30 becomes 03:30) and a repeated one means its first occurrence, as RFC 5545 says.
//! All-day series are expanded as dates, so no zone change can move them.
//!
//! The crate reads an `UNTIL` without `Z` in the machine's zone, and refuses a zoned start with
//! an `UNTIL` that is not UTC; Google writes date `UNTIL`s (the whole day counts) and floating
//! ones (the series' zone). Both are read here, against the series' zone, before the crate
//! sees the rule.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{RRule, RRuleError, RRuleSet, Unvalidated, ValidationError};

/// A recurrence line that cannot be read, and why, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(pub String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A series' start: a wall-clock time in a zone, or a date for all-day series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    pub local: NaiveDateTime,
    pub tz: Tz,
    pub all_day: bool,
}

impl Start {
    /// The zone the crate computes in: the series' zone, or UTC for dates.
    fn rule_zone(self) -> rrule::Tz {
        if self.all_day {
            rrule::Tz::UTC
        } else {
            self.tz.into()
        }
    }

    /// `local` as a moment in [`Start::rule_zone`].
    fn at(self, local: NaiveDateTime) -> DateTime<rrule::Tz> {
        let zone = self.rule_zone();
        match zone.from_local_datetime(&local).earliest() {
            Some(t) => t,
            // In a gap: midnight plus the time of day is the time with the offset from before
            // the gap (RFC 5545 section 3.3.5), the crate's own reading of such occurrences.
            None => {
                let midnight = local.date().and_time(NaiveTime::MIN);
                match zone.from_local_datetime(&midnight).earliest() {
                    Some(m) => m + (local - midnight),
                    None => zone.from_utc_datetime(&local),
                }
            }
        }
    }

    /// The moment a wall-clock time of this series happens.
    pub fn instant(self, local: NaiveDateTime) -> DateTime<Utc> {
        if self.all_day {
            return Start {
                all_day: false,
                ..self
            }
            .instant(local);
        }
        self.at(local).with_timezone(&Utc)
    }
}

/// The rule set of `lines` for a series starting at `start`; `None` when no line repeats it.
fn rule_set(lines: &[String], start: Start) -> Result<Option<RRuleSet>, RuleError> {
    let mut set = RRuleSet::new(start.at(start.local));
    let mut repeats = false;
    for line in lines {
        let (head, value) = line
            .split_once(':')
            .ok_or_else(|| RuleError(format!("{line} is not NAME:VALUE")))?;
        let mut params = head.split(';');
        match params
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase()
            .as_str()
        {
            "RRULE" => {
                set = set.rrule(rule(value, start)?);
                repeats = true;
            }
            name @ ("EXDATE" | "RDATE") => {
                let tz = params
                    .find_map(|p| p.strip_prefix("TZID="))
                    .map(|name| {
                        name.parse::<Tz>()
                            .map_err(|_| RuleError(format!("{name} is not a time zone")))
                    })
                    .transpose()?
                    .unwrap_or(start.tz);
                for item in value.split(',') {
                    let when = stamp(item, Start { tz, ..start })?;
                    set = if name == "EXDATE" {
                        set.exdate(when)
                    } else {
                        set.rdate(when)
                    };
                }
            }
            // Google's Events reference: "List of RRULE, EXRULE, RDATE and EXDATE lines".
            "EXRULE" => set = set.exrule(rule(value, start)?),
            other => {
                return Err(RuleError(format!(
                    "{other} is not RRULE, EXRULE, EXDATE or RDATE"
                )))
            }
        }
    }
    Ok(repeats.then_some(set))
}

/// One `RRULE` value, its `UNTIL` read in the series' zone (see the module comment).
fn rule(value: &str, start: Start) -> Result<rrule::RRule, RuleError> {
    let mut until = None;
    let mut rest = Vec::new();
    for part in value.split(';').filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some((key, v)) if key.eq_ignore_ascii_case("UNTIL") => {
                until = Some(until_of(v, start)?)
            }
            _ => rest.push(part),
        }
    }
    let mut parsed = RRule::<Unvalidated>::from_str(&rest.join(";")).map_err(explain)?;
    if let Some(until) = until {
        parsed = parsed.until(until);
    }
    parsed.validate(start.at(start.local)).map_err(explain)
}

/// The crate's reason, without its "RRule validation error" prefix.
fn explain(e: RRuleError) -> RuleError {
    RuleError(match e {
        RRuleError::ValidationError(ValidationError::UntilBeforeStart { .. }) => {
            "the repeat ends (UNTIL) before the first meeting: give a later UNTIL".to_string()
        }
        RRuleError::ValidationError(e) => e.to_string(),
        RRuleError::ParserError(e) => e.to_string(),
        RRuleError::IterError(e) => e,
    })
}

/// An `UNTIL` value as the UTC moment the crate wants: `…Z` as it is, a date as the end of
/// that day, a floating time in the series' zone.
fn until_of(value: &str, start: Start) -> Result<DateTime<rrule::Tz>, RuleError> {
    let bad = || {
        RuleError(format!(
            "UNTIL={value} is not a date like 20261231 or 20261231T170000Z"
        ))
    };
    let moment = if value.len() == 8 {
        let day = NaiveDate::parse_from_str(value, "%Y%m%d").map_err(|_| bad())?;
        let last = day.and_time(NaiveTime::MIN) + TimeDelta::days(1) - TimeDelta::seconds(1);
        start.at(last)
    } else {
        stamp(value, start)?
    };
    Ok(moment.with_timezone(&rrule::Tz::UTC))
}

/// `20240502T133000Z`, `20240502T093000` (in the series' zone) or `20240502` (that date).
fn stamp(text: &str, start: Start) -> Result<DateTime<rrule::Tz>, RuleError> {
    let bad = || {
        RuleError(format!(
            "{text} is not a date like 20261231 or 20261231T170000Z"
        ))
    };
    if let Some(utc) = text.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        return Ok(rrule::Tz::UTC
            .from_utc_datetime(&t)
            .with_timezone(&start.rule_zone()));
    }
    let local = if text.len() == 8 {
        NaiveDate::parse_from_str(text, "%Y%m%d")
            .map_err(|_| bad())?
            .and_time(NaiveTime::MIN)
    } else {
        NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").map_err(|_| bad())?
    };
    Ok(start.at(local))
}

/// The wall-clock starts of a series beginning at `start`, in order, those starting before
/// `bound`, at most `limit`. Without an `RRULE` the series is its start alone.
pub fn expand(
    lines: &[String],
    start: Start,
    bound: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<NaiveDateTime>, RuleError> {
    let Some(set) = rule_set(lines, start)? else {
        return Ok(vec![start.local]);
    };
    Ok(set
        .into_iter()
        .map(|t| t.naive_local())
        .take_while(|local| start.instant(*local) < bound)
        .take(limit)
        .collect())
}

/// Checks recurrence lines for a series starting at `start`: readable by the crate, and
/// giving at least one occurrence.
pub fn check(lines: &[String], start: Start) -> Result<(), RuleError> {
    let far = start.instant(start.local) + TimeDelta::days(366 * 400);
    if expand(lines, start, far, 1)?.is_empty() {
        return Err(RuleError(
            "the rule gives no date at all: check its days and months".to_string(),
        ));
    }
    Ok(())
}

/// A series split at the occurrence starting at `at` (wall clock; a date's midnight for
/// all-day series), as Google Calendar splits one for "this and following": the lines that
/// end the original series just before `at`, and those of the new series starting at `at`.
///
/// The original's rules end with an `UNTIL` one second before `at`, in UTC as RFC 5545 wants
/// for a zoned start (a date, the day before, for all-day series); its `COUNT` becomes that
/// `UNTIL`. The new series keeps the rest of each rule, a `COUNT` reduced by the occurrences
/// the rule made before `at` (excluded ones count: `EXDATE` removes occurrences after the
/// rule has counted them), and an `UNTIL` as it was. `EXDATE`s and `RDATE`s go to the side
/// of the split they fall on.
pub fn split(
    lines: &[String],
    start: Start,
    at: NaiveDateTime,
) -> Result<(Vec<String>, Vec<String>), RuleError> {
    rule_set(lines, start)?;
    // An exclusion rule counts from the series' first start; moved to a new series starting
    // elsewhere it would exclude other dates, so such a series is not split.
    if lines.iter().any(|l| {
        l.get(..7)
            .is_some_and(|h| h.eq_ignore_ascii_case("EXRULE:"))
    }) {
        return Err(RuleError(
            "this series has an EXRULE line, which a split would move: change this occurrence \
             or all of them, or split it in Google Calendar"
                .into(),
        ));
    }
    let cut = start.at(at);
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for line in lines {
        let (head, value) = line.split_once(':').unwrap_or((line, ""));
        if head.eq_ignore_ascii_case("RRULE") {
            let count = value.split(';').find_map(|p| {
                let (key, v) = p.split_once('=')?;
                key.eq_ignore_ascii_case("COUNT").then(|| {
                    v.parse::<usize>()
                        .map_err(|_| RuleError(format!("COUNT={v} is not a number")))
                })
            });
            let made = match count.transpose()? {
                Some(count) => {
                    let bound = cut.with_timezone(&Utc);
                    let made = expand(std::slice::from_ref(line), start, bound, count)?.len();
                    Some((count, made))
                }
                None => None,
            };
            // A rule whose count is used up before the split stays as it is, on the old side.
            if made.is_some_and(|(count, made)| made >= count) {
                before.push(line.clone());
                continue;
            }
            let parts: Vec<&str> = value
                .split(';')
                .filter(|p| {
                    let key = p.split('=').next().unwrap_or_default();
                    !p.is_empty()
                        && !key.eq_ignore_ascii_case("COUNT")
                        && !key.eq_ignore_ascii_case("UNTIL")
                })
                .collect();
            let until = if start.all_day {
                (at.date() - TimeDelta::days(1))
                    .format("%Y%m%d")
                    .to_string()
            } else {
                (cut.with_timezone(&Utc) - TimeDelta::seconds(1))
                    .format("%Y%m%dT%H%M%SZ")
                    .to_string()
            };
            before.push(format!("RRULE:{};UNTIL={until}", parts.join(";")));
            let kept = match made {
                Some((count, made)) => Some(format!("COUNT={}", count - made)),
                None => value.split(';').find_map(|p| {
                    let (key, v) = p.split_once('=')?;
                    key.eq_ignore_ascii_case("UNTIL")
                        .then(|| format!("UNTIL={v}"))
                }),
            };
            after.push(match kept {
                Some(end) => format!("RRULE:{};{end}", parts.join(";")),
                None => format!("RRULE:{}", parts.join(";")),
            });
            continue;
        }
        // EXDATE or RDATE, already read once by `rule_set`.
        let tz = head
            .split(';')
            .find_map(|p| p.strip_prefix("TZID="))
            .and_then(|name| name.parse::<Tz>().ok())
            .unwrap_or(start.tz);
        let (mut early, mut late) = (Vec::new(), Vec::new());
        for item in value.split(',') {
            if stamp(item, Start { tz, ..start })? < cut {
                early.push(item);
            } else {
                late.push(item);
            }
        }
        for (side, items) in [(&mut before, early), (&mut after, late)] {
            if !items.is_empty() {
                side.push(format!("{head}:{}", items.join(",")));
            }
        }
    }
    Ok((before, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(tz: &str, text: &str) -> Start {
        Start {
            local: NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap(),
            tz: tz.parse().unwrap(),
            all_day: false,
        }
    }

    fn lines(rules: &[&str]) -> Vec<String> {
        rules.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn date_and_floating_until_are_read_in_the_series_zone() {
        let s = start("America/New_York", "2024-04-01 10:00");
        let far = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        let days = |rule: &str| {
            expand(&lines(&[rule]), s, far, 100)
                .unwrap()
                .iter()
                .map(|t| t.format("%d").to_string())
                .collect::<Vec<_>>()
        };
        // The date counts as a whole day, the floating time as New York's.
        assert_eq!(days("RRULE:FREQ=DAILY;UNTIL=20240403"), ["01", "02", "03"]);
        assert_eq!(days("RRULE:FREQ=DAILY;UNTIL=20240403T095959"), ["01", "02"]);
        assert_eq!(
            days("RRULE:FREQ=DAILY;UNTIL=20240403T140000Z"),
            ["01", "02", "03"]
        );
    }

    #[test]
    fn check_explains_rules_that_cannot_be() {
        let s = start("Europe/Berlin", "2026-11-23 10:00");
        assert!(check(&lines(&["RRULE:FREQ=WEEKLY;BYDAY=MO"]), s).is_ok());
        let e = check(&lines(&["RRULE:FREQ=DAILY;UNTIL=20261101"]), s).unwrap_err();
        assert_eq!(
            e.0,
            "the repeat ends (UNTIL) before the first meeting: give a later UNTIL"
        );
        let e = check(&lines(&["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"]), s).unwrap_err();
        assert_eq!(
            e.0,
            "the rule gives no date at all: check its days and months"
        );
        assert!(check(&lines(&["RRULE:FREQ=SOMETIMES"]), s).is_err());
        assert!(check(&lines(&["RULE:FREQ=DAILY"]), s).is_err());
    }

    /// Google's Events reference lists EXRULE among the lines it keeps: read and applied, but
    /// a series with one is not split (its exclusions count from the first start).
    #[test]
    fn exrule_lines_exclude_and_refuse_a_split() {
        let s = start("Europe/Berlin", "2026-10-05 10:00");
        let rules = lines(&[
            "RRULE:FREQ=WEEKLY;COUNT=4",
            "EXRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=2",
        ]);
        let far = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let days: Vec<String> = expand(&rules, s, far, 100)
            .unwrap()
            .iter()
            .map(|t| t.format("%d %b").to_string())
            .collect();
        assert_eq!(days, ["12 Oct", "26 Oct"], "5 and 19 October excluded");
        let at = NaiveDateTime::parse_from_str("2026-10-26 10:00", "%Y-%m-%d %H:%M").unwrap();
        let e = split(&rules, s, at).unwrap_err();
        assert!(e.0.contains("EXRULE"), "{}", e.0);
    }

    #[test]
    fn split_counts_and_partitions_exdates() {
        let s = start("Europe/Berlin", "2026-10-05 10:00");
        let rules = lines(&[
            "RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=MO",
            "EXDATE;TZID=Europe/Berlin:20261012T100000,20261102T100000",
        ]);
        let at = NaiveDateTime::parse_from_str("2026-10-26 10:00", "%Y-%m-%d %H:%M").unwrap();
        let (before, after) = split(&rules, s, at).unwrap();
        // 26 October is after the change to winter time: 10:00 is 09:00 UTC.
        assert_eq!(
            before,
            [
                "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261026T085959Z",
                "EXDATE;TZID=Europe/Berlin:20261012T100000",
            ]
        );
        // 5, 12 (excluded, still counted) and 19 October came before.
        assert_eq!(
            after,
            [
                "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3",
                "EXDATE;TZID=Europe/Berlin:20261102T100000",
            ]
        );
        let all_day = Start {
            local: s.local.date().and_time(NaiveTime::MIN),
            all_day: true,
            ..s
        };
        let (before, after) = split(
            &lines(&["RRULE:FREQ=DAILY;UNTIL=20261231"]),
            all_day,
            at.date().and_time(NaiveTime::MIN),
        )
        .unwrap();
        assert_eq!(before, ["RRULE:FREQ=DAILY;UNTIL=20261025"]);
        assert_eq!(after, ["RRULE:FREQ=DAILY;UNTIL=20261231"]);
    }

    #[test]
    fn a_count_used_up_before_the_split_stays_with_the_old_series() {
        let s = start("Europe/Berlin", "2026-10-05 10:00");
        let rules = lines(&[
            "RRULE:FREQ=WEEKLY;COUNT=2",
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=20",
        ]);
        let at = NaiveDateTime::parse_from_str("2026-10-20 10:00", "%Y-%m-%d %H:%M").unwrap();
        let (before, after) = split(&rules, s, at).unwrap();
        assert_eq!(
            before,
            [
                "RRULE:FREQ=WEEKLY;COUNT=2",
                "RRULE:FREQ=MONTHLY;BYMONTHDAY=20;UNTIL=20261020T075959Z",
            ]
        );
        assert_eq!(after, ["RRULE:FREQ=MONTHLY;BYMONTHDAY=20"]);
    }
}
