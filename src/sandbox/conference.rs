//! Google Meet conferences: created asynchronously from a `createRequest`, first `pending`,
//! then `success` (or `failure`), as Calendar v3 documents.

use std::time::Duration;

use serde_json::{json, Value};

use super::errors::ApiError;
use super::ids::digest;

/// How a requested conference resolves. A conference settles when `delay` has passed since
/// the request or on the `after_reads`-th read of the event, whichever comes first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferencePolicy {
    /// `Duration::ZERO` makes the insert/patch response itself carry the finished conference.
    pub delay: Duration,
    pub after_reads: Option<u32>,
    pub outcome: ConferenceOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConferenceOutcome {
    Success,
    /// Google could not create it. The demo's conferences never fail; tests choose this
    /// through the test controls.
    #[cfg(feature = "test-controls")]
    Failure,
}

impl Default for ConferencePolicy {
    fn default() -> Self {
        ConferencePolicy {
            delay: Duration::from_millis(300),
            after_reads: None,
            outcome: ConferenceOutcome::Success,
        }
    }
}

const MEET_ICON: &str =
    "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png";

/// Checks a `createRequest` against the calendar's allowed solution types.
pub fn validate_create_request(request: &Value, allowed: &[String]) -> Result<(), ApiError> {
    let kind = request
        .pointer("/conferenceSolutionKey/type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !allowed.iter().any(|a| a == kind) {
        return Err(ApiError::invalid("Invalid conference type value."));
    }
    match request.get("requestId").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => Ok(()),
        _ => Err(ApiError::invalid("Invalid conference create request.")),
    }
}

pub fn request_id(conference_data: &Value) -> Option<&str> {
    conference_data
        .pointer("/createRequest/requestId")
        .and_then(Value::as_str)
}

/// What the event carries while the conference is being created: no entry points yet.
pub fn pending(request: &Value) -> Value {
    json!({ "createRequest": with_status(request, "pending") })
}

/// The finished conference; the same event and `requestId` always give the same meeting code.
pub fn settled(request: &Value, event_id: &str, outcome: ConferenceOutcome) -> Value {
    match outcome {
        #[cfg(feature = "test-controls")]
        ConferenceOutcome::Failure => json!({ "createRequest": with_status(request, "failure") }),
        ConferenceOutcome::Success => {
            let request_id = request
                .get("requestId")
                .and_then(Value::as_str)
                .unwrap_or("");
            let mut data = meet(&meeting_code(event_id, request_id));
            data["createRequest"] = with_status(request, "success");
            data
        }
    }
}

/// A complete Google Meet `conferenceData` for the meeting code `abc-defg-hij`.
pub fn meet(code: &str) -> Value {
    let h = digest(&[code]);
    let pin = format!("{:09}", h % 1_000_000_000);
    let more_pin = format!("{:013}", (h >> 8) % 10_000_000_000_000);
    json!({
        "entryPoints": [
            {
                "entryPointType": "video",
                "uri": format!("https://meet.google.com/{code}"),
                "label": format!("meet.google.com/{code}"),
            },
            {
                "entryPointType": "phone",
                "uri": "tel:+1-302-555-0143",
                "label": "+1 302-555-0143",
                "pin": pin,
                "regionCode": "US",
            },
            {
                "entryPointType": "more",
                "uri": format!("https://tel.meet/{code}?pin={more_pin}"),
                "pin": more_pin,
            },
        ],
        "conferenceSolution": {
            "key": { "type": "hangoutsMeet" },
            "name": "Google Meet",
            "iconUri": MEET_ICON,
        },
        "conferenceId": code,
    })
}

/// `hangoutLink` is derived from a Meet conference's video entry point.
pub fn hangout_link(conference_data: &Value) -> Option<String> {
    if conference_data.pointer("/conferenceSolution/key/type")? != "hangoutsMeet" {
        return None;
    }
    conference_data
        .get("entryPoints")?
        .as_array()?
        .iter()
        .find(|e| e["entryPointType"] == "video")
        .and_then(|e| e["uri"].as_str())
        .map(str::to_string)
}

/// Meet's `xxx-xxxx-xxx` code, derived from the event and request so retries are idempotent.
pub fn meeting_code(event_id: &str, request_id: &str) -> String {
    let mut h = digest(&[event_id, request_id]);
    let letters: String = (0..10)
        .map(|_| {
            let c = (b'a' + (h % 26) as u8) as char;
            h /= 26;
            c
        })
        .collect();
    format!("{}-{}-{}", &letters[..3], &letters[3..7], &letters[7..])
}

fn with_status(request: &Value, status: &str) -> Value {
    let mut request = request.clone();
    request["status"] = json!({ "statusCode": status });
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meet_codes_are_stable_per_request_and_well_formed() {
        let a = meeting_code("ev1", "req-1");
        assert_eq!(a, meeting_code("ev1", "req-1"));
        assert_ne!(a, meeting_code("ev1", "req-2"));
        assert_eq!(a.len(), 12);
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_lowercase()));
    }

    #[test]
    fn settled_success_has_video_phone_and_hangout_link() {
        let req = json!({"requestId": "r", "conferenceSolutionKey": {"type": "hangoutsMeet"}});
        let data = settled(&req, "ev", ConferenceOutcome::Success);
        assert_eq!(data["createRequest"]["status"]["statusCode"], "success");
        let link = hangout_link(&data).unwrap();
        assert!(link.starts_with("https://meet.google.com/"));
        assert_eq!(data["entryPoints"][1]["pin"].as_str().unwrap().len(), 9);
        let failed = settled(&req, "ev", ConferenceOutcome::Failure);
        assert!(failed.get("entryPoints").is_none());
        assert_eq!(hangout_link(&failed), None);
    }

    #[test]
    fn unsupported_type_is_rejected() {
        let req = json!({"requestId": "r", "conferenceSolutionKey": {"type": "addOn"}});
        let err = validate_create_request(&req, &["hangoutsMeet".into()]).unwrap_err();
        assert_eq!(err.message, "Invalid conference type value.");
    }
}
