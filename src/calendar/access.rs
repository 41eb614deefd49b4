//! How to get into a meeting without its link: the meeting ID and passcode, so the details
//! can show them and `Y` can copy them for a phone, a room system or a client that asks.
//!
//! Where each service puts them, and what is read here, in this order (the first found wins):
//! 1. Google's conference entry points. The Events reference gives an entry point
//!    `meetingCode`, `accessCode`, `passcode`, `password` and `pin`, "only the subset … that
//!    match the terminology that the conference provider uses" (developers.google.com/
//!    calendar/api/v3/reference/events, `conferenceData.entryPoints[]`). Meet fills the phone
//!    entries' `pin`; add-ons such as Zoom's fill the video entry's `meetingCode` and
//!    `passcode`. The video entry's `meetingCode` (else `accessCode`, which Webex and GoTo
//!    call their meeting number) is the ID; its `passcode`/`password`/`pin`, else a phone
//!    entry's `pin`, the passcode.
//! 2. The join link: a Zoom link's path carries the meeting number (`/j/81234567890`), shown
//!    grouped as Zoom shows it ("812 3456 7890"); a Meet link's path is the meeting code. A
//!    Zoom link's `pwd=` is not the passcode: it is the passcode encrypted by Zoom's backend,
//!    which only Zoom's clients read (Zoom's developer forum, "Invite URL password hash" and
//!    "Decoding the web url pwd for the web sdk"), and the link with it already joins without
//!    typing anything. So it is never shown as something to type.
//! 3. The invitation text in the location and description, when it is about the join link
//!    (its first meeting link is on the join link's service, or it has none): a line that
//!    starts with a known label and a colon — Zoom's "Meeting ID:" and "Passcode:" (and their
//!    translations: "Meeting-ID"/"Kenncode", "ID de réunion"/"Code secret", "ID de
//!    reunión"/"Código de acceso", …), Teams' "Meeting ID:" and "Passcode:", Webex's "Meeting
//!    number (access code):" and "Meeting password:", GoTo's "Access code:", Meet's "PIN:".
//!    Labels that name something else ("Phone conference ID:", Teams' dial-in ID) are not
//!    taken. The value is taken from that line only: its first word, or a run of digit groups
//!    ("812 3456 7890", "123 456 789#"), at most [`MAX_VALUE`] characters (longer is no ID).
//!
//! Every value is sanitized (`sanitize::line`) whatever its source; the pass over the text is
//! one scan, line by line, and stops at the first ID and passcode.

use serde::{Deserialize, Serialize};

use super::links::{self, Provider, VideoLink};
use super::wire::{WireConference, WireEvent};
use crate::sanitize;

/// The longest ID or passcode taken; Google caps its fields at 128, real ones are far
/// shorter, and anything longer in text is prose, not a code.
pub const MAX_VALUE: usize = 64;

/// A meeting's ID and passcode, as the service writes them (sanitized).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub meeting_id: Option<String>,
    pub passcode: Option<String>,
}

impl Access {
    /// What `Y` copies when there is no dial-in: "Meeting ID: 812 3456 7890\nPasscode: 4Xy9",
    /// each line only when known.
    pub fn paste_text(&self) -> String {
        let lines = [
            ("Meeting ID", &self.meeting_id),
            ("Passcode", &self.passcode),
        ];
        lines
            .iter()
            .filter_map(|(label, value)| Some(format!("{label}: {}", value.as_deref()?)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn is_complete(&self) -> bool {
        self.meeting_id.is_some() && self.passcode.is_some()
    }

    fn set(&mut self, field: Field, value: Option<String>) {
        let slot = match field {
            Field::Id => &mut self.meeting_id,
            Field::Passcode => &mut self.passcode,
        };
        if slot.is_none() {
            *slot = value;
        }
    }
}

/// The ID and passcode of `link` (the meeting's primary link) found in its URL, the event's
/// conference entry points, its location and its description; None when there are neither.
/// `location` and `description` are the meeting's sanitized text.
pub fn extract(
    link: Option<&VideoLink>,
    ev: &WireEvent,
    location: &str,
    description: &str,
) -> Option<Access> {
    let mut access = Access::default();
    if let Some(conference) = &ev.conference_data {
        from_entry_points(conference, &mut access);
    }
    if let Some(link) = link {
        from_link(link, &mut access);
    }
    for text in [location, description] {
        if !access.is_complete() && is_about(text, link) {
            from_text(text, &mut access);
        }
    }
    if link.is_some_and(|l| l.provider == Provider::Zoom) {
        access.meeting_id = access.meeting_id.map(|id| zoom_grouped(&id));
    }
    (access.meeting_id.is_some() || access.passcode.is_some()).then_some(access)
}

#[derive(Clone, Copy)]
enum Field {
    Id,
    Passcode,
}

fn from_entry_points(conference: &WireConference, access: &mut Access) {
    let entries = &conference.entry_points;
    let of_type = |kind: &'static str| {
        entries
            .iter()
            .filter(move |ep| ep.entry_point_type.as_deref() == Some(kind))
    };
    if let Some(video) = of_type("video").next() {
        let id = video
            .meeting_code
            .as_deref()
            .or(video.access_code.as_deref());
        access.set(Field::Id, id.and_then(clean));
        let passcode = [&video.passcode, &video.password, &video.pin]
            .into_iter()
            .find_map(|v| v.as_deref());
        access.set(Field::Passcode, passcode.and_then(clean));
    }
    let pin = of_type("phone").find_map(|ep| ep.pin.as_deref());
    access.set(Field::Passcode, pin.and_then(clean));
}

fn from_link(link: &VideoLink, access: &mut Access) {
    let Ok(url) = url::Url::parse(&link.url) else {
        return;
    };
    let mut segments = url.path_segments().into_iter().flatten();
    let first = segments.next().unwrap_or("");
    let id = match link.provider {
        Provider::Meet if first != "lookup" => Some(first),
        Provider::Zoom if matches!(first, "j" | "w" | "s") => segments.next(),
        Provider::Zoom if first == "wc" => segments.next().and(segments.next()),
        _ => None,
    };
    let id = id.filter(|id| match link.provider {
        Provider::Zoom => id.len() >= 9 && id.bytes().all(|b| b.is_ascii_digit()),
        _ => !id.is_empty(),
    });
    access.set(Field::Id, id.and_then(clean));
}

/// Whether the invitation text in `text` is about `link`: its first meeting link is on the
/// same service, or it has none (so a Zoom invitation pasted into a Meet event does not
/// lend the Meet room its passcode).
fn is_about(text: &str, link: Option<&VideoLink>) -> bool {
    let Some(link) = link else {
        return true;
    };
    links::links_in(text)
        .find(|l| !l.is_phone())
        .is_none_or(|first| first.provider == link.provider)
}

/// Labels (lower case, as written before the colon) and what they name.
const LABELS: &[(&str, Field)] = &[
    ("meeting id", Field::Id),
    ("meeting-id", Field::Id),
    ("meeting number", Field::Id),
    ("meeting number (access code)", Field::Id),
    ("access code", Field::Id),
    ("webinar id", Field::Id),
    ("meeting code", Field::Id),
    ("besprechungs-id", Field::Id),
    ("id de réunion", Field::Id),
    ("id de la réunion", Field::Id),
    ("id de reunión", Field::Id),
    ("id de la reunión", Field::Id),
    ("id da reunião", Field::Id),
    ("id riunione", Field::Id),
    ("id della riunione", Field::Id),
    ("vergader-id", Field::Id),
    ("passcode", Field::Passcode),
    ("meeting passcode", Field::Passcode),
    ("password", Field::Passcode),
    ("meeting password", Field::Passcode),
    ("pin", Field::Passcode),
    ("kenncode", Field::Passcode),
    ("passwort", Field::Passcode),
    ("kennwort", Field::Passcode),
    ("code secret", Field::Passcode),
    ("mot de passe", Field::Passcode),
    ("código de acceso", Field::Passcode),
    ("contraseña", Field::Passcode),
    ("senha", Field::Passcode),
    ("código de acesso", Field::Passcode),
    ("toegangscode", Field::Passcode),
    ("wachtwoord", Field::Passcode),
];

/// The longest label in [`LABELS`], in characters, with room for a bullet before it.
const MAX_LABEL: usize = 40;

fn from_text(text: &str, access: &mut Access) {
    for line in text.lines() {
        if let Some((field, value)) = labelled(line) {
            access.set(field, value_of(value));
            if access.is_complete() {
                return;
            }
        }
    }
}

/// A line that is "<label>: <value>" with a known label, as (what it names, the value).
fn labelled(line: &str) -> Option<(Field, &str)> {
    let line = line.trim_start_matches(|c: char| c.is_whitespace() || "•·-*>".contains(c));
    let (colon, width) = line
        .char_indices()
        .take(MAX_LABEL)
        .find(|&(_, c)| c == ':' || c == '\u{ff1a}')
        .map(|(i, c)| (i, c.len_utf8()))?;
    let label = line[..colon].trim().to_lowercase();
    let field = LABELS.iter().find(|(l, _)| *l == label)?.1;
    Some((field, &line[colon + width..]))
}

/// The code at the start of `rest`: its first word, or a run of digit groups ("812 3456
/// 7890", "123 456 789#"), without a trailing `#`; None when empty or too long.
fn value_of(rest: &str) -> Option<String> {
    let digits = |w: &str| {
        let w = w.strip_suffix('#').unwrap_or(w);
        !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())
    };
    let mut words = rest.split_whitespace();
    let first = words.next()?;
    let mut value = first.to_string();
    if digits(first) && !first.ends_with('#') {
        for word in words.take_while(|w| digits(w)) {
            if value.len() > MAX_VALUE {
                return None;
            }
            value.push(' ');
            value.push_str(word);
            if word.ends_with('#') {
                break;
            }
        }
    }
    let value = value.strip_suffix('#').unwrap_or(&value);
    clean(value)
}

/// Sanitized and within [`MAX_VALUE`], or None.
fn clean(raw: &str) -> Option<String> {
    let value = sanitize::line(raw);
    (!value.is_empty() && value.chars().count() <= MAX_VALUE).then_some(value)
}

/// A Zoom meeting number grouped as Zoom's invitations show it: 9 digits 3-3-3, 10 digits
/// 3-3-4, 11 digits 3-4-4; any other ID as given.
fn zoom_grouped(id: &str) -> String {
    let digits: String = id.chars().filter(|c| *c != ' ').collect();
    let groups: &[usize] = match digits.len() {
        9 => &[3, 3, 3],
        10 => &[3, 3, 4],
        11 => &[3, 4, 4],
        _ => return id.to_string(),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return id.to_string();
    }
    let mut out = String::with_capacity(digits.len() + 2);
    let mut at = 0;
    for &n in groups {
        if at > 0 {
            out.push(' ');
        }
        out.push_str(&digits[at..at + n]);
        at += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::text::description_to_text;

    /// `extract` on an event given as Google's JSON, with its join link as the meeting
    /// would rank it.
    fn access_of(event: serde_json::Value) -> Option<Access> {
        let text = event.to_string();
        let ev: WireEvent = serde_json::from_str(&text).unwrap();
        let location = sanitize::line(ev.location.as_deref().unwrap_or(""));
        let description = description_to_text(ev.description.as_deref().unwrap_or(""));
        let conference = crate::calendar::model::conference_video(&ev);
        let (link, _) = links::rank(conference, None, &location, &description);
        extract(link.as_ref(), &ev, &location, &description)
    }

    fn described(description: &str) -> Option<Access> {
        access_of(serde_json::json!({ "description": description }))
    }

    fn both(id: &str, passcode: &str) -> Option<Access> {
        Some(Access {
            meeting_id: Some(id.into()),
            passcode: Some(passcode.into()),
        })
    }

    #[test]
    fn zoom_id_from_the_link_and_passcode_from_the_invitation_never_pwd() {
        let html = "<html-blob>Alex Rivera is inviting you to a scheduled Zoom meeting.<br><br>\
            Join Zoom Meeting<br><a href=\"https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234\">\
            https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234</a><br><br>\
            Meeting ID: 812 3456 7890<br>Passcode: 424242<br><br>---<br><br>One tap mobile<br>\
            +16469313860,,81234567890#,,,,*424242# US<br></html-blob>";
        assert_eq!(described(html), both("812 3456 7890", "424242"));
        // The link alone: its number, grouped as Zoom shows it; `pwd=` is no passcode.
        let link_only = "Join: https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234";
        let want = Some(Access {
            meeting_id: Some("812 3456 7890".into()),
            passcode: None,
        });
        assert_eq!(described(link_only), want);
        let ten = described("https://zoom.us/j/1234567890").unwrap();
        assert_eq!(ten.meeting_id.as_deref(), Some("123 456 7890"));
        // Zoom's German and French invitations.
        let de = "https://zoom.us/j/81234567890\nMeeting-ID: 812 3456 7890\nKenncode: 7Yx2Qb";
        assert_eq!(described(de), both("812 3456 7890", "7Yx2Qb"));
        let fr = "Participer à la réunion Zoom\nhttps://zoom.us/j/81234567890\n\n\
            ID de réunion : 812 3456 7890\nCode secret : 424242";
        assert_eq!(described(fr), both("812 3456 7890", "424242"));
    }

    #[test]
    fn zoom_add_on_conference_entry_points() {
        let event = serde_json::json!({
            "conferenceData": {
                "conferenceSolution": {"key": {"type": "addOn"}, "name": "Zoom Meeting"},
                "entryPoints": [
                    {"entryPointType": "video", "uri": "https://us02web.zoom.us/j/85012345678?pwd=abc",
                     "meetingCode": "85012345678", "passcode": "981234"},
                    {"entryPointType": "phone", "uri": "tel:+16465588656,,85012345678#", "pin": "981234"}
                ]
            },
            "description": "Meeting ID: 111 1111 1111\nPasscode: wrong"
        });
        assert_eq!(access_of(event), both("850 1234 5678", "981234"));
    }

    #[test]
    fn teams_meeting_id_and_passcode_not_the_phone_conference_id() {
        let body = "________________________________________________________________________________\n\
            Microsoft Teams meeting\n\
            Join on your computer, mobile app or room device\n\
            Click here to join the meeting (https://teams.microsoft.com/l/meetup-join/19%3ameeting_NDQ2%40thread.v2/0?context=%7b%7d)\n\
            Meeting ID: 123 456 789 012\n\
            Passcode: aB3cD4\n\
            Download Teams (https://www.microsoft.com/microsoft-teams/download-app)\n\
            Or call in (audio only)\n\
            +1 323-849-4874,,987654321#   United States, Los Angeles\n\
            Phone Conference ID: 987 654 321#";
        assert_eq!(described(body), both("123 456 789 012", "aB3cD4"));
        let dial_in_only = "Or call in (audio only)\nPhone Conference ID: 987 654 321#";
        assert_eq!(described(dial_in_only), None);
    }

    #[test]
    fn webex_meeting_number_and_password() {
        let body = "When it's time, join the Webex meeting here.\n\n\
            Meeting number (access code): 2634 123 4567\n\
            Meeting password: pQ7mX3bR4 (77763972 from phones and video systems)\n\n\
            Join meeting (https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef)\n\n\
            Tap to join from a mobile device (attendees only)\n\
            +1-415-655-0001,,26341234567## US Toll";
        assert_eq!(described(body), both("2634 123 4567", "pQ7mX3bR4"));
        let goto = "https://meet.goto.com/123456789\nAccess Code: 123-456-789";
        let want = Some(Access {
            meeting_id: Some("123-456-789".into()),
            passcode: None,
        });
        assert_eq!(described(goto), want);
    }

    #[test]
    fn meet_code_and_pin_from_the_conference_or_the_text() {
        let event = serde_json::json!({
            "conferenceData": {
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
                "entryPoints": [
                    {"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij", "label": "meet.google.com/abc-defg-hij"},
                    {"entryPointType": "phone", "uri": "tel:+1-302-555-0143", "label": "+1 302-555-0143", "pin": "123456789"}
                ]
            }
        });
        assert_eq!(access_of(event), both("abc-defg-hij", "123456789"));
        let text = "Join with Google Meet\nhttps://meet.google.com/abc-defg-hij\n\
            Join by phone\n(US) +1 302-555-0143 PIN: 123 456 789#";
        // "PIN:" mid-line is not a label at the line's start: only the code is known.
        assert_eq!(
            described(text).and_then(|a| a.passcode),
            None,
            "a label is only read at the start of its line"
        );
        let text = "Join with Google Meet\nhttps://meet.google.com/abc-defg-hij\nPIN: 123 456 789#";
        assert_eq!(described(text), both("abc-defg-hij", "123 456 789"));
    }

    #[test]
    fn another_services_invitation_lends_the_join_link_nothing() {
        let event = serde_json::json!({
            "conferenceData": {
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
                "entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij"}]
            },
            "description": "Backup: https://zoom.us/j/81234567890\nMeeting ID: 812 3456 7890\nPasscode: 424242"
        });
        let want = Some(Access {
            meeting_id: Some("abc-defg-hij".into()),
            passcode: None,
        });
        assert_eq!(access_of(event), want);
        // With no link at all, the text is the meeting's own.
        let phone_only = "Dial +1 555 0100\nMeeting ID: 555 0100 777\nPasscode: 9911";
        assert_eq!(described(phone_only), both("555 0100 777", "9911"));
    }

    #[test]
    fn values_come_from_their_line_only_and_are_capped() {
        let same_line = "Meeting ID: 812 3456 7890 Passcode: 424242";
        assert_eq!(
            described(same_line).unwrap().meeting_id.as_deref(),
            Some("812 3456 7890")
        );
        let prose = "Passcode: 424242 (the usual one, ask Maria if it fails)";
        assert_eq!(
            described(prose).unwrap().passcode.as_deref(),
            Some("424242")
        );
        let empty = "Meeting ID:\n424242 is not it\nPasscode:   ";
        assert_eq!(described(empty), None);
        let long = format!("Passcode: {}", "x".repeat(MAX_VALUE + 1));
        assert_eq!(described(&long), None);
        let many_groups = format!("Meeting ID:{}", " 12".repeat(100));
        assert_eq!(described(&many_groups), None);
        // Deep in a huge text, still found, in one pass.
        let huge = format!(
            "{}Passcode: 1234",
            "Meeting notes, item: value\n".repeat(40_000)
        );
        assert_eq!(described(&huge).unwrap().passcode.as_deref(), Some("1234"));
    }

    #[test]
    fn hostile_values_never_carry_controls_or_bidi_overrides() {
        let event = serde_json::json!({
            "conferenceData": {
                "entryPoints": [
                    {"entryPointType": "video", "uri": "https://zoom.us/j/81234567890",
                     "meetingCode": "812\u{202e}34567890", "passcode": "\u{1b}]52;c;aGk=\u{7}42\u{200f}42"}
                ]
            }
        });
        let access = access_of(event).unwrap();
        let shown = access.paste_text();
        assert_eq!(shown, "Meeting ID: 812 3456 7890\nPasscode: 4242");
        // Straight from raw text too (extract sanitizes what it is given).
        let ev = WireEvent::default();
        let raw = "Meeting ID: 81\u{202e}2\u{1b}[2J\nPasscode: \u{2066}ab\u{7}cd\u{2069}";
        let access = extract(None, &ev, "", raw).unwrap();
        for value in [&access.meeting_id, &access.passcode] {
            let value = value.as_deref().unwrap();
            assert!(
                value.chars().all(|c| !c.is_control()
                    && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
                "{value:?}"
            );
        }
    }

    #[test]
    fn paste_text_has_the_lines_that_are_known() {
        assert_eq!(
            both("812 3456 7890", "424242").unwrap().paste_text(),
            "Meeting ID: 812 3456 7890\nPasscode: 424242"
        );
        let id_only = Access {
            meeting_id: Some("abc-defg-hij".into()),
            passcode: None,
        };
        assert_eq!(id_only.paste_text(), "Meeting ID: abc-defg-hij");
        let code_only = Access {
            meeting_id: None,
            passcode: Some("9911".into()),
        };
        assert_eq!(code_only.paste_text(), "Passcode: 9911");
    }
}
