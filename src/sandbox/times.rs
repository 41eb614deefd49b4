//! Event times as Calendar v3 writes them: `{"date":"YYYY-MM-DD"}` for all-day events,
//! `{"dateTime": RFC 3339, "timeZone": IANA}` for timed ones.

use chrono::{
    DateTime, LocalResult, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde_json::{json, Value};

use super::errors::ApiError;

/// A wall-clock moment in a zone; all-day events are midnight of their date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub local: NaiveDateTime,
    pub tz: Tz,
    pub all_day: bool,
}

impl LocalTime {
    pub fn utc(self) -> DateTime<Utc> {
        resolve_local(self.local, self.tz)
    }

    /// The `start`/`end`/`originalStartTime` object for this moment.
    pub fn to_json(self) -> Value {
        if self.all_day {
            json!({ "date": self.local.date().format("%Y-%m-%d").to_string() })
        } else {
            json!({ "dateTime": rfc3339_in(self.utc(), self.tz), "timeZone": self.tz.name() })
        }
    }

    /// Shifts by an absolute duration (timed) or whole days (all-day), keeping the zone.
    pub fn plus(self, duration: TimeDelta) -> LocalTime {
        let local = if self.all_day {
            self.local + duration
        } else {
            (self.utc() + duration)
                .with_timezone(&self.tz)
                .naive_local()
        };
        LocalTime { local, ..self }
    }
}

/// Maps a wall-clock time to an instant the way RFC 5545 does: in a DST gap the time is taken
/// with the offset from before the gap (02:30 on a spring-forward day becomes 03:30), and an
/// ambiguous time means its first occurrence.
pub fn resolve_local(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => {
            let before = tz.from_local_datetime(&(local - TimeDelta::hours(3)));
            let offset = match before {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => *t.offset(),
                LocalResult::None => return Utc.from_utc_datetime(&local),
            };
            let fixed = chrono::Offset::fix(&offset);
            (local - fixed).and_utc()
        }
    }
}

pub fn rfc3339_in(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `created`/`updated` timestamps are UTC with milliseconds, like Google's.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_rfc3339(name: &str, value: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ApiError::invalid_param(name, format!("Invalid value for: {name}")))
}

pub fn parse_tz(name: &str) -> Option<Tz> {
    name.parse().ok()
}

/// Reads `event[field]`; `default_tz` (the calendar's) applies when no `timeZone` is given.
pub fn parse_event_time(event: &Value, field: &str, default_tz: Tz) -> Result<LocalTime, ApiError> {
    let obj = event.get(field).filter(|v| v.is_object()).ok_or_else(|| {
        ApiError::new(400, "required", format!("Missing {field} time.")).at("body", field)
    })?;
    let tz = match obj.get("timeZone").and_then(Value::as_str) {
        Some(name) => parse_tz(name).ok_or_else(|| {
            ApiError::invalid(format!("Invalid time zone definition for {field} time."))
        })?,
        None => default_tz,
    };
    let bad = || ApiError::invalid(format!("Invalid {field} time."));
    if let Some(date) = obj.get("date").and_then(Value::as_str) {
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?;
        return Ok(LocalTime {
            local: date.and_hms_opt(0, 0, 0).expect("midnight exists"),
            tz,
            all_day: true,
        });
    }
    let text = obj
        .get("dateTime")
        .and_then(Value::as_str)
        .ok_or_else(bad)?;
    let local = match DateTime::parse_from_rfc3339(text) {
        Ok(t) => t.with_timezone(&tz).naive_local(),
        // Without an offset the time is read in `timeZone`, which must then be explicit.
        Err(_) if obj.get("timeZone").is_some() => {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").map_err(|_| bad())?
        }
        Err(_) => return Err(bad()),
    };
    Ok(LocalTime {
        local,
        tz,
        all_day: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_times_move_forward_and_ambiguous_take_first() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let gap = NaiveDate::from_ymd_opt(2024, 3, 10)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            resolve_local(gap, ny).to_rfc3339(),
            "2024-03-10T07:30:00+00:00"
        );
        let fold = NaiveDate::from_ymd_opt(2024, 11, 3)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(
            resolve_local(fold, ny).to_rfc3339(),
            "2024-11-03T05:30:00+00:00"
        );
    }

    #[test]
    fn parses_offset_and_floating_date_times() {
        let utc: Tz = "UTC".parse().unwrap();
        let e = json!({"start": {"dateTime": "2024-05-01T09:30:00", "timeZone": "Europe/Berlin"}});
        let t = parse_event_time(&e, "start", utc).unwrap();
        assert_eq!(t.utc().to_rfc3339(), "2024-05-01T07:30:00+00:00");
        let e = json!({"start": {"dateTime": "2024-05-01T09:30:00-04:00"}});
        let t = parse_event_time(&e, "start", utc).unwrap();
        assert_eq!(t.utc().to_rfc3339(), "2024-05-01T13:30:00+00:00");
        assert!(parse_event_time(&json!({}), "end", utc).is_err());
    }
}
