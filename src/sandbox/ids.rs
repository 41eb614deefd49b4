//! Identifiers in Google's formats: base32hex event ids, recurring-instance ids, etags, links.

use std::hash::{DefaultHasher, Hash, Hasher};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};

use super::times::LocalTime;

const BASE32HEX: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";

/// Stable 64-bit digest, for ids that must be reproducible (the same `requestId` on the same
/// event yields the same conference).
pub fn digest(parts: &[&str]) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

/// A 26-character base32hex id, unique per `(seed, n)`.
pub fn event_id(seed: &str, n: u64) -> String {
    let mut bits = (u128::from(digest(&[seed, &n.to_string()])) << 64) | u128::from(n);
    (0..26)
        .map(|_| {
            let c = BASE32HEX[(bits & 31) as usize] as char;
            bits >>= 5;
            c
        })
        .collect()
}

/// Google accepts client-chosen ids of 5–1024 characters from base32hex (`[a-v0-9]`).
pub fn is_valid_event_id(id: &str) -> bool {
    (5..=1024).contains(&id.len()) && id.bytes().all(|b| BASE32HEX.contains(&b))
}

/// `{seriesId}_{YYYYMMDDTHHMMSSZ}` for timed instances, `{seriesId}_{YYYYMMDD}` for all-day.
pub fn instance_id(series_id: &str, original_start: &LocalTime) -> String {
    if original_start.all_day {
        format!("{series_id}_{}", original_start.local.format("%Y%m%d"))
    } else {
        format!(
            "{series_id}_{}",
            original_start.utc().format("%Y%m%dT%H%M%SZ")
        )
    }
}

/// Splits an instance id into its series id and the suffix naming the original start.
pub fn split_instance_id(id: &str) -> Option<(&str, &str)> {
    let (series, stamp) = id.rsplit_once('_')?;
    let timed = stamp.len() == 16 && stamp.as_bytes()[8] == b'T' && stamp.ends_with('Z');
    (timed || (stamp.len() == 8 && stamp.bytes().all(|b| b.is_ascii_digit())))
        .then_some((series, stamp))
}

pub fn etag(updated: DateTime<Utc>, change: u64) -> String {
    format!("\"{}{:03}\"", updated.timestamp_millis(), change % 1000)
}

/// Google's `htmlLink`: `eid` is base64url of "eventId calendarId".
pub fn html_link(event_id: &str, calendar_id: &str) -> String {
    let eid = URL_SAFE_NO_PAD.encode(format!("{event_id} {calendar_id}"));
    format!("https://www.google.com/calendar/event?eid={eid}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_valid_and_distinct() {
        let a = event_id("x", 1);
        assert!(is_valid_event_id(&a));
        assert_ne!(a, event_id("x", 2));
        assert!(!is_valid_event_id("abc"));
        assert!(!is_valid_event_id("meeting-1"));
        assert!(!is_valid_event_id("ABCDEF"));
    }

    #[test]
    fn instance_ids_round_trip() {
        assert_eq!(
            split_instance_id("abc123_20240311T133000Z"),
            Some(("abc123", "20240311T133000Z"))
        );
        assert_eq!(
            split_instance_id("abc123_20240311"),
            Some(("abc123", "20240311"))
        );
        assert_eq!(split_instance_id("abc123"), None);
    }
}
