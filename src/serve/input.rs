//! What a `/meetings` request says, read strictly: the JSON body (unknown fields refused, each
//! field's type checked), times (RFC 3339 with an offset, or a wall-clock time in a named
//! zone), `send_updates`, the `Idempotency-Key` header, and the event id and request
//! fingerprint derived from it. Every problem names its field (the JSON name) and the fix,
//! and is found before anything is sent to Google.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use hyper::body::Bytes;
use ring::digest::{digest, SHA256};
use serde_json::{Map, Value};

use super::reply::Problem;
use crate::calendar::model::SendUpdates;

/// A request body: a JSON object whose every field is one the endpoint knows.
pub struct Body(Map<String, Value>);

/// A field that is there but wrong: 422 `invalid_field`.
pub fn invalid(field: &str, message: impl Into<String>, fix: impl Into<String>) -> Problem {
    Problem::new(422, "invalid_field", message)
        .field(field)
        .fix(fix)
}

impl Body {
    /// Reads `bytes` as a JSON object with no fields besides `known`; an empty body is `{}`
    /// when `empty_ok`.
    pub fn read(bytes: &Bytes, known: &[&str], empty_ok: bool) -> Result<Body, Problem> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            if empty_ok {
                return Ok(Body(Map::new()));
            }
            return Err(Problem::new(400, "invalid_json", "the request has no body")
                .fix("send a JSON object (Content-Type: application/json)"));
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            Problem::new(
                400,
                "invalid_json",
                format!(
                    "the body is not valid JSON: {} at line {}, column {}",
                    json_problem(&e),
                    e.line(),
                    e.column()
                ),
            )
            .fix("send one JSON object, UTF-8 encoded")
        })?;
        let Value::Object(fields) = value else {
            return Err(
                Problem::new(400, "invalid_json", "the body is JSON but not an object")
                    .fix("send a JSON object like {\"title\": \"…\"}"),
            );
        };
        let unknown: Vec<&str> = fields
            .keys()
            .map(String::as_str)
            .filter(|k| !known.contains(k))
            .collect();
        if !unknown.is_empty() {
            let names = unknown.join(", ");
            return Err(invalid(
                &names,
                format!("unknown field(s): {names}"),
                format!("the fields are: {}", known.join(", ")),
            ));
        }
        Ok(Body(fields))
    }

    /// The body as sent, in one canonical form (keys sorted at every level, no spaces):
    /// the same request always gives the same text, however its keys were ordered.
    pub fn canonical(&self) -> String {
        canonical(&Value::Object(self.0.clone()))
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A text field; `null` or absent is `None`.
    pub fn text(&self, name: &str) -> Result<Option<&str>, Problem> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(invalid(
                name,
                format!("{name} must be a string"),
                format!("send {name} as a JSON string"),
            )),
        }
    }

    pub fn boolean(&self, name: &str) -> Result<Option<bool>, Problem> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(invalid(
                name,
                format!("{name} must be true or false"),
                format!("send {name} as a JSON boolean"),
            )),
        }
    }

    /// A list of texts (`attendees`).
    pub fn texts(&self, name: &str) -> Result<Option<Vec<String>>, Problem> {
        let wrong = || {
            invalid(
                name,
                format!("{name} must be an array of strings"),
                format!("send {name} like [\"kim@example.com\", \"lee@example.com\"]"),
            )
        };
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or_else(wrong))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(wrong()),
        }
    }

    /// An object of texts (`vars`), in key order.
    pub fn text_map(&self, name: &str) -> Result<Vec<(String, String)>, Problem> {
        let wrong = || {
            invalid(
                name,
                format!("{name} must be an object of strings"),
                format!("send {name} like {{\"client\": \"Acme\"}}"),
            )
        };
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Object(items)) => items
                .iter()
                .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or_else(wrong)?.to_string())))
                .collect(),
            Some(_) => Err(wrong()),
        }
    }
}

/// serde_json's description of a syntax error, without its position (said apart).
fn json_problem(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

fn canonical(v: &Value) -> String {
    match v {
        Value::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&fields[k])))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

/// An IANA zone name.
pub fn zone(field: &str, name: &str) -> Result<Tz, Problem> {
    name.trim().parse::<Tz>().map_err(|_| {
        invalid(
            field,
            format!("unknown time zone \u{201c}{}\u{201d}", name.trim()),
            "use an IANA name like Europe/Berlin or America/New_York",
        )
    })
}

/// A time: RFC 3339 with an offset ("2026-12-01T15:00:00+01:00", "…Z"), or a wall-clock
/// time `YYYY-MM-DDTHH:MM[:SS]` in `tz`. A wall-clock time the clocks skip is refused; one
/// that happens twice is the earlier.
pub fn time(field: &str, text: &str, tz: Tz) -> Result<DateTime<Tz>, Problem> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&tz));
    }
    let local = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .ok_or_else(|| {
            invalid(
                field,
                format!("cannot read \u{201c}{text}\u{201d} as a time"),
                "use RFC 3339 with an offset (2026-12-01T15:00:00+01:00) or a local time \
                 2026-12-01T15:00 read in time_zone",
            )
        })?;
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t),
        LocalResult::None => Err(invalid(
            field,
            format!("{text} does not exist in {}: the clocks skip it", tz.name()),
            "pick a time an hour later, or give it with an offset",
        )),
    }
}

/// A bound of a listing: RFC 3339, or a date (its midnight in `tz`).
pub fn bound(field: &str, text: &str, tz: Tz) -> Result<DateTime<Utc>, Problem> {
    if let Ok(date) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        return Ok(crate::timefmt::start_of_day(date, tz));
    }
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            invalid(
                field,
                format!(
                    "cannot read \u{201c}{}\u{201d} as a time or date",
                    text.trim()
                ),
                "use RFC 3339 (2026-12-01T00:00:00Z) or a date (2026-12-01)",
            )
        })
}

/// The longest `from`–`to` window a listing reads: longer ones would page through years of
/// events at Google.
pub const LONGEST_WINDOW_DAYS: i64 = 366;

/// A listing's window, `to` after `from` and at most [`LONGEST_WINDOW_DAYS`] long.
pub fn window(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), Problem> {
    if to <= from {
        return Err(invalid(
            "to",
            "to is not after from",
            "give a to later than from",
        ));
    }
    if to - from > chrono::Duration::days(LONGEST_WINDOW_DAYS) {
        return Err(invalid(
            "to",
            format!("the window from from to to is longer than {LONGEST_WINDOW_DAYS} days"),
            "ask for a year or less at a time",
        ));
    }
    Ok(())
}

/// How a body says when a meeting ends.
pub enum Ending {
    /// `end`: a time.
    At(DateTime<Tz>),
    /// `duration`: a length from the start.
    Lasting(chrono::Duration),
    /// Neither.
    Unsaid,
}

/// The body's `end` or `duration` (never both), times read in `tz`.
pub fn ending(body: &Body, tz: Tz) -> Result<Ending, Problem> {
    if body.has("end") && body.has("duration") {
        return Err(invalid(
            "end",
            "give end or duration, not both",
            "drop one of end and duration",
        ));
    }
    if let Some(text) = body.text("end")? {
        return Ok(Ending::At(time("end", text, tz)?));
    }
    match body.text("duration")? {
        Some(text) => crate::timeparse::parse_duration(text)
            .map(Ending::Lasting)
            .map_err(|e| {
                invalid(
                    "duration",
                    e,
                    "give a length like 30m, 1h or 1h30m, or an end",
                )
            }),
        None => Ok(Ending::Unsaid),
    }
}

/// `send_updates`: exactly Google's `sendUpdates` values.
pub fn send_updates(field: &str, text: &str) -> Result<SendUpdates, Problem> {
    match text {
        "all" => Ok(SendUpdates::All),
        "externalOnly" => Ok(SendUpdates::ExternalOnly),
        "none" => Ok(SendUpdates::None),
        _ => Err(invalid(
            field,
            format!("{field} \u{201c}{text}\u{201d} is not all, externalOnly or none"),
            "use all (every guest gets e-mail), externalOnly (guests outside your \
             organisation) or none",
        )),
    }
}

/// A yes/no query parameter.
pub fn flag(field: &str, text: &str) -> Result<bool, Problem> {
    match text {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(invalid(
            field,
            format!("{field} \u{201c}{text}\u{201d} is not true or false"),
            format!("use {field}=true or {field}=false"),
        )),
    }
}

/// The `Idempotency-Key` header, if sent: 1–255 visible ASCII characters.
pub fn idempotency_key(
    header: Option<&hyper::header::HeaderValue>,
) -> Result<Option<&str>, Problem> {
    let Some(value) = header else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    let visible = bytes.iter().all(|b| (0x21..=0x7e).contains(b));
    if bytes.is_empty() || bytes.len() > 255 || !visible {
        return Err(Problem::new(
            400,
            "invalid_idempotency_key",
            "the Idempotency-Key header must be 1 to 255 visible ASCII characters",
        )
        .field("Idempotency-Key")
        .fix("send a UUID, or another unique token per booking, without spaces"));
    }
    Ok(value.to_str().ok())
}

/// The event id an idempotency key books under, for one account and calendar: base32hex
/// (`[0-9a-v]`, as Google's client-chosen ids must be, 5–1024 characters) of SHA-256 over the
/// account, the calendar and the key, 52 characters. Event ids are unique per calendar
/// (Google's Event reference), so the calendar is part of it: the same key gives the same id
/// on the same calendar, and Google itself refuses a second event (409 `duplicate`),
/// whichever meetty process sends it.
pub fn keyed_event_id(account: &str, calendar: &str, key: &str) -> String {
    // "primary" names the account's own calendar, whose id is the account's address (Google's
    // CalendarList reference): a retry must get the same id whichever way it was named.
    let account = account.to_lowercase();
    let calendar = match calendar.to_lowercase() {
        primary if primary == "primary" => account.clone(),
        other => other,
    };
    let hash = digest(&SHA256, format!("{account}\n{calendar}\n{key}").as_bytes());
    base32hex(hash.as_ref())
}

/// SHA-256 of the canonical body, in hex: kept on the event, so a key sent again with another
/// body is told apart from a retry.
pub fn fingerprint(body: &Body) -> String {
    let hash = digest(&SHA256, body.canonical().as_bytes());
    hash.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn base32hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in bytes {
        acc = (acc << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(DIGITS[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(DIGITS[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Result<Body, Problem> {
        Body::read(&Bytes::from(text.to_string()), &["title", "start"], false)
    }

    #[test]
    fn unknown_fields_are_named_and_bad_json_says_where() {
        let unknown = body(r#"{"title":"x","colour":"red","when":1}"#)
            .err()
            .unwrap();
        assert_eq!((unknown.status, unknown.code), (422, "invalid_field"));
        assert_eq!(unknown.field.as_deref(), Some("colour, when"));
        let broken = body("{\"title\":\n \"x\",}").err().unwrap();
        assert_eq!((broken.status, broken.code), (400, "invalid_json"));
        assert!(broken.message.contains("line 2"), "{}", broken.message);
    }

    #[test]
    fn the_fingerprint_ignores_key_order_but_not_values() {
        let a = body(r#"{"title":"x","start":"2026-12-01T10:00"}"#)
            .ok()
            .unwrap();
        let b = body(r#"{ "start":"2026-12-01T10:00", "title":"x" }"#)
            .ok()
            .unwrap();
        let c = body(r#"{"title":"y","start":"2026-12-01T10:00"}"#)
            .ok()
            .unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }

    #[test]
    fn keyed_ids_are_base32hex_per_account_and_calendar() {
        let id = keyed_event_id("alex@example.com", "primary", "booking-1");
        assert_eq!(id.len(), 52);
        assert!(
            id.chars().all(|c| matches!(c, '0'..='9' | 'a'..='v')),
            "{id}"
        );
        assert_eq!(
            id,
            keyed_event_id("alex@example.com", "primary", "booking-1")
        );
        assert_ne!(
            id,
            keyed_event_id("kim@example.com", "primary", "booking-1")
        );
        assert_ne!(id, keyed_event_id("alex@example.com", "team", "booking-1"));
        assert_eq!(
            id,
            keyed_event_id("Alex@example.com", "alex@example.com", "booking-1")
        );
    }

    #[test]
    fn local_times_are_read_in_the_zone_and_skipped_ones_refused() {
        let berlin = Tz::Europe__Berlin;
        let t = time("start", "2026-12-01T15:00", berlin).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-01T15:00:00+01:00");
        let offset = time("start", "2026-12-01T14:00:00Z", berlin).unwrap();
        assert_eq!(offset, t);
        let skipped = time("start", "2026-03-29T02:30", berlin).err().unwrap();
        assert_eq!(skipped.field.as_deref(), Some("start"));
    }

    #[test]
    fn idempotency_keys_must_be_visible_ascii() {
        let ok = hyper::header::HeaderValue::from_static("order-42");
        assert_eq!(idempotency_key(Some(&ok)).unwrap(), Some("order-42"));
        let spaced = hyper::header::HeaderValue::from_static("order 42");
        assert_eq!(idempotency_key(Some(&spaced)).err().unwrap().status, 400);
        let long = hyper::header::HeaderValue::from_str(&"k".repeat(256)).unwrap();
        assert_eq!(idempotency_key(Some(&long)).err().unwrap().status, 400);
    }
}
