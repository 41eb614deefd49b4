//! Every meeting link of an event, which one is the join link, and the link a given Google
//! account should open.
//!
//! An invitation often carries several links: the Meet room Google holds for the event, a
//! Zoom link pasted into the description by the organizer, a dial-in `tel:` number. All of
//! them are found here, each once, and ranked; the first is the meeting's join link
//! ([`Meeting::video`](super::model::Meeting::video)), the rest are listed beside it.
//!
//! The ranking ([`rank`]), most trusted first:
//! 1. the conference Google holds (`conferenceData`'s `video` entry point: Meet, or a
//!    conferencing add-on such as Zoom for Google Workspace), which Google keeps current;
//! 2. `hangoutLink` (Google derives it from the same conference);
//! 3. links in the `location` (what the organizer typed where the meeting happens);
//! 4. links in the description (invitation text, often with forwarded links of other
//!    meetings);
//!
//! within one field in text order. A `tel:` link is never the join link: it is listed with
//! the others (the join link is what `o` hands to a browser). Two links to the same meeting
//! are one: the same URL apart from case of the host, a trailing `/`, the fragment and the
//! `authuser`/`hs` parameters Google adds, the same Meet code, or the same Zoom meeting
//! number on any Zoom host.
//!
//! Finding links is one pass over the text (each URL is measured, unwrapped and classified
//! once; `benches/links.rs` shows it linear up to 1 MB). Which service a link belongs to is
//! the provider table's business ([`provider_of`]); this module unwraps Outlook SafeLinks and
//! Google redirects first, and unescapes `&amp;` left over from HTML.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use url::Url;

pub use super::providers::{provider_of, Provider};

/// A meeting link and the service it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoLink {
    pub provider: Provider,
    pub url: String,
}

impl VideoLink {
    /// A dial-in number (`tel:`), not a link to open in a browser.
    pub fn is_phone(&self) -> bool {
        is_tel(&self.url)
    }
}

/// Every meeting link in free text (location, description), in text order, each meeting
/// once: SafeLinks and Google redirects unwrapped, `&amp;` unescaped, `tel:` numbers
/// included. Links to anything else (agendas, documents) are skipped.
pub fn find_all_in_text(text: &str) -> Vec<VideoLink> {
    let mut seen = HashSet::new();
    links_in(text)
        .filter(|l| seen.insert(meeting_key(l)))
        .collect()
}

/// The meeting links of one event in ranking order (see the module comment): the join link,
/// and the others without the join link's duplicates. `conference` is the conference's
/// video entry point, `hangout` the `hangoutLink`; `location` and `description` are the
/// event's (sanitized) text.
pub fn rank(
    conference: Option<VideoLink>,
    hangout: Option<VideoLink>,
    location: &str,
    description: &str,
) -> (Option<VideoLink>, Vec<VideoLink>) {
    let mut seen = HashSet::new();
    let mut all: Vec<VideoLink> = conference
        .into_iter()
        .chain(hangout)
        .chain(links_in(location))
        .chain(links_in(description))
        .filter(|l| seen.insert(meeting_key(l)))
        .collect();
    let primary = all
        .iter()
        .position(|l| !l.is_phone())
        .map(|i| all.remove(i));
    (primary, all)
}

/// The meeting links in `text`, in order, duplicates included.
pub(super) fn links_in(text: &str) -> impl Iterator<Item = VideoLink> + '_ {
    Candidates { text, pos: 0 }.filter_map(classify)
}

fn classify(raw: &str) -> Option<VideoLink> {
    if is_tel(raw) {
        // "tel:+1" in prose is no number to dial.
        if raw.bytes().filter(u8::is_ascii_digit).count() < 5 {
            return None;
        }
        // The table's phone row names it; a table without one still lists the number.
        let provider = provider_of(raw).unwrap_or(Provider::Other);
        return Some(VideoLink {
            provider,
            url: raw.to_string(),
        });
    }
    // Raw HTML attributes escape '&'; the browser would unescape it.
    let url = match raw.contains("&amp;") {
        true => Cow::Owned(raw.replace("&amp;", "&")),
        false => Cow::Borrowed(raw),
    };
    let real = unwrap(&url);
    let provider = provider_of(&real)?;
    Some(VideoLink {
        provider,
        url: real.into_owned(),
    })
}

fn is_tel(url: &str) -> bool {
    starts_with_ci(url, "tel:")
}

/// What makes two links the same meeting (see the module comment).
fn meeting_key(link: &VideoLink) -> String {
    let Some(parsed) = Url::parse(&link.url).ok().filter(|_| !link.is_phone()) else {
        return link.url.to_ascii_lowercase();
    };
    let path = parsed.path().trim_end_matches('/');
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or("");
    if link.provider == Provider::Meet && !first.is_empty() && first != "lookup" {
        return format!("meet {}", first.to_ascii_lowercase());
    }
    if link.provider == Provider::Zoom && matches!(first, "j" | "w" | "s") {
        if let Some(number) = segments.next() {
            return format!("zoom {number}");
        }
    }
    let query: Vec<&str> = parsed
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            !pair.is_empty() && !matches!(key, "authuser" | "hs")
        })
        .collect();
    format!(
        "{} {}{path}?{}",
        parsed.scheme(),
        parsed.host_str().unwrap_or(""),
        query.join("&")
    )
}

/// `url` with `authuser=<email>` set, for a Google Meet link, so the browser joins as that
/// Google account rather than whichever one it signed in first; an `authuser` already there
/// is replaced, everything else (other parameters, the fragment) kept as written. Any other
/// link, or an empty e-mail, comes back unchanged.
///
/// Google documents `authuser` only by using it: its own pages and links carry
/// `?authuser=<n>` (the signed-in account's index) to pick an account, and Meet accepts the
/// account's e-mail there too (`https://meet.google.com/abc-defg-hij?authuser=me@example.com`
/// opens the room as that account; design notes, and MeetingBar's fix for its issue #456,
/// "authuser parameter missing in Google Meet links"). The e-mail is used rather than an
/// index, which depends on the order the browser signed in.
pub fn with_authuser(url: &str, email: &str) -> String {
    if email.is_empty() || provider_of(url) != Some(Provider::Meet) {
        return url.to_string();
    }
    let (rest, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut out = String::with_capacity(url.len() + email.len() + 16);
    out.push_str(base);
    out.push('?');
    for pair in query.split('&') {
        let key = pair.split('=').next().unwrap_or("");
        if !pair.is_empty() && !key.eq_ignore_ascii_case("authuser") {
            out.push_str(pair);
            out.push('&');
        }
    }
    out.push_str("authuser=");
    out.push_str(&crate::percent::encode_segment(email));
    out.push_str(fragment);
    out
}

/// Unwraps Outlook SafeLinks (`https://*.safelinks.protection.outlook.com/?url=<encoded>&…`)
/// and Google redirect links (`https://www.google.com/url?q=<encoded>&…`) to the real URL;
/// returns the input unchanged otherwise.
pub fn unwrap_redirect(url: &str) -> String {
    unwrap(url).into_owned()
}

fn unwrap(url: &str) -> Cow<'_, str> {
    let mut current = Cow::Borrowed(url);
    // Wrappers do nest (SafeLinks around a Google redirect), but never deeply.
    for _ in 0..3 {
        match unwrap_once(&current) {
            Some(inner) => current = Cow::Owned(inner),
            None => break,
        }
    }
    current
}

fn unwrap_once(url: &str) -> Option<String> {
    let raw = raw_host(url)?;
    if !ends_with_ci(raw, ".safelinks.protection.outlook.com") && !ends_with_ci(raw, "google.com") {
        return None;
    }
    let parsed = Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    let keys: &[&str] = if host.ends_with(".safelinks.protection.outlook.com") {
        &["url"]
    } else if matches!(host, "www.google.com" | "google.com") && parsed.path() == "/url" {
        &["q", "url"]
    } else {
        return None;
    };
    let value = parsed.query()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        keys.contains(&key).then_some(value)
    })?;
    let inner = crate::percent::decode(value);
    if !starts_with_ci(&inner, "http://") && !starts_with_ci(&inner, "https://") {
        return None;
    }
    // Decoding can turn `%1B` or `%E2%80%AE` into control or bidi characters that would
    // reach the details, the clipboard and the "Opening …" toast. The URL standard's
    // serialization percent-encodes them again (and drops tabs and newlines); a host with
    // such characters does not parse, and the redirect is left wrapped.
    Url::parse(&inner).ok().map(String::from)
}

pub(super) fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

pub(super) fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// The host as written, for screening only: it may disagree with a real parser on odd
/// inputs, which only costs a missed link, never a wrong one.
pub(super) fn raw_host(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#', '\\']).next()?;
    let host_port = authority.rsplit('@').next()?;
    host_port.split(':').next()
}

/// The `http(s)://` URLs and `tel:` numbers in free text, in order.
struct Candidates<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Candidates<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.text.get(self.pos..)?;
        let start = self.pos + find_scheme(rest)?;
        let len = url_len(&self.text[start..]);
        // Resume after this URL: a URL nested in another's query is not a separate link.
        self.pos = start + len;
        let url = self.text[start..start + len].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        Some(url)
    }
}

/// Where the next `http://`, `https://` or `tel:` link starts.
fn find_scheme(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    // Both letters are ASCII, so `i` is on a character boundary.
    bytes.iter().enumerate().find_map(|(i, &b)| {
        let candidate = match b | 0x20 {
            b'h' => starts_with_ci(&s[i..], "https://") || starts_with_ci(&s[i..], "http://"),
            b't' => is_tel_start(bytes, i),
            _ => false,
        };
        candidate.then_some(i)
    })
}

/// `tel:` starting a word and followed by a number ("Hotel: Marriott" is not one).
fn is_tel_start(bytes: &[u8], i: usize) -> bool {
    let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
    word_start
        && bytes
            .get(i..i + 4)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"tel:"))
        && bytes
            .get(i + 4)
            .is_some_and(|&c| c == b'+' || c.is_ascii_digit())
}

/// Where a URL embedded in prose ends: at whitespace, at delimiters that cannot appear
/// unencoded in a URL but do surround one ("<…>", quotes, brackets), or at a `)` that
/// closes a parenthesis opened before the URL.
fn url_len(s: &str) -> usize {
    let mut depth = 0u32;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return i,
            ')' => depth -= 1,
            '<' | '>' | '"' | '\'' | ']' => return i,
            c if c.is_whitespace() || c.is_control() => return i,
            _ => {}
        }
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEAMS: &str = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NDQ2YzU4ZjEtYTk3%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af%22%2c%22Oid%22%3a%22d1e2f3a4-b5c6%22%7d";

    #[test]
    fn unwrap_redirect_cases() {
        let safelinks = "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fteams.microsoft.com%2Fl%2Fmeetup-join%2F19%253ameeting_NDQ2YzU4ZjEtYTk3%2540thread.v2%2F0%3Fcontext%3D%257b%2522Tid%2522%253a%252272f988bf-86f1-41af%2522%252c%2522Oid%2522%253a%2522d1e2f3a4-b5c6%2522%257d&data=05%7C01%7Calex%40example.com%7C&sdata=abc%3D&reserved=0";
        let google = "https://www.google.com/url?q=https://us02web.zoom.us/j/81234567890?pwd%3DQWxleFRlc3Q1234&sa=D&source=calendar&ust=1700000000000000&usg=AOvVaw0abc";
        let nested = format!(
            "https://eur01.safelinks.protection.outlook.com/?url={}&data=x",
            "https%3A%2F%2Fwww.google.com%2Furl%3Fq%3Dhttps%253A%252F%252Fmeet.google.com%252Fabc-defg-hij%26sa%3DD"
        );
        let cases = [
            (safelinks, TEAMS),
            (
                google,
                "https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234",
            ),
            (&nested, "https://meet.google.com/abc-defg-hij"),
            ("https://zoom.us/j/1?pwd=a+b", "https://zoom.us/j/1?pwd=a+b"),
            (
                "https://example.com/?url=https%3A%2F%2Fzoom.us",
                "https://example.com/?url=https%3A%2F%2Fzoom.us",
            ),
            (
                "https://www.google.com/search?q=https%3A%2F%2Fzoom.us",
                "https://www.google.com/search?q=https%3A%2F%2Fzoom.us",
            ),
            // Only http(s) targets are unwrapped.
            (
                "https://www.google.com/url?q=javascript%3Aalert(1)",
                "https://www.google.com/url?q=javascript%3Aalert(1)",
            ),
            (
                "https://evil.safelinks.protection.outlook.com.evil.io/?url=https%3A%2F%2Fx.io",
                "https://evil.safelinks.protection.outlook.com.evil.io/?url=https%3A%2F%2Fx.io",
            ),
            (
                "https://nam12.safelinks.protection.outlook.com/?data=1",
                "https://nam12.safelinks.protection.outlook.com/?data=1",
            ),
            (
                "https://nam12.safelinks.protection.outlook.com/?url=%zz%E2%9C%93",
                "https://nam12.safelinks.protection.outlook.com/?url=%zz%E2%9C%93",
            ),
            ("not a url", "not a url"),
            // Decoded controls and bidi overrides are encoded again; in the host they
            // cannot be, and the link stays wrapped.
            (
                "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fzoom.us%2Fj%2F1%3Fpwd%3D%1B%5B2J%E2%80%AEx%0Ay",
                "https://zoom.us/j/1?pwd=%1B[2J%E2%80%AExy",
            ),
            (
                "https://www.google.com/url?q=https%3A%2F%2Fzoom%1B.us%2Fj%2F1",
                "https://www.google.com/url?q=https%3A%2F%2Fzoom%1B.us%2Fj%2F1",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(unwrap_redirect(input), want, "{input}");
        }
    }

    fn found(text: &str) -> Vec<(Provider, String)> {
        find_all_in_text(text)
            .into_iter()
            .map(|l| (l.provider, l.url))
            .collect()
    }

    #[test]
    fn find_all_in_text_real_world_forms() {
        let outlook_body = format!(
            "________________________________________________________________________________\r\n\
             Microsoft Teams meeting\r\n\
             Join on your computer, mobile app or room device\r\n\
             Join the meeting now<{TEAMS}>\r\n\
             Meeting ID: 123 456 789 012\r\n\
             Passcode: aB3cD4\r\n\
             Download Teams<https://www.microsoft.com/microsoft-teams/download-app> | Join on the web<https://www.microsoft.com/microsoft-teams/join-a-meeting>\r\n\
             Learn More<https://aka.ms/JoinTeamsMeeting> | Meeting options<https://teams.microsoft.com/meetingOptions/?organizerId=d1e2&tenantId=72f9>\r\n\
             ________________________________________________________________________________"
        );
        let safelinked = "Join: <https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fteams.microsoft.com%2Fl%2Fmeetup-join%2F19%253ameeting_NDQ2YzU4ZjEtYTk3%2540thread.v2%2F0%3Fcontext%3D%257b%2522Tid%2522%253a%252272f988bf-86f1-41af%2522%252c%2522Oid%2522%253a%2522d1e2f3a4-b5c6%2522%257d&data=05%7C01%7C&reserved=0>";
        let google_wrapped = r#"<a href="https://www.google.com/url?q=https://us02web.zoom.us/j/81234567890?pwd%3DQWxleFRlc3Q1234&amp;sa=D&amp;source=calendar">Join Zoom</a>"#;
        let zoom = "https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234";
        let cases: Vec<(&str, Vec<(Provider, &str)>)> = vec![
            (
                "Join Zoom Meeting\nhttps://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234#success\n\nMeeting ID: 812",
                vec![(Provider::Zoom, "https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234#success")],
            ),
            ("My room: company.zoom.us/my/alex or https://company.zoom.us/my/alex.", vec![(Provider::Zoom, "https://company.zoom.us/my/alex")]),
            (&outlook_body, vec![(Provider::Teams, TEAMS)]),
            (safelinked, vec![(Provider::Teams, TEAMS)]),
            (google_wrapped, vec![(Provider::Zoom, zoom)]),
            (
                "Webex: https://acme.webex.com/acme/j.php?MTID=m0123, password 1234",
                vec![(Provider::Webex, "https://acme.webex.com/acme/j.php?MTID=m0123")],
            ),
            (
                "Let's use Meet (https://meet.google.com/abc-defg-hij).",
                vec![(Provider::Meet, "https://meet.google.com/abc-defg-hij")],
            ),
            (
                "Agenda: https://example.com/agenda (read first!) then HTTPS://ZOOM.US/j/123?pwd=x!",
                vec![(Provider::Zoom, "HTTPS://ZOOM.US/j/123?pwd=x")],
            ),
            (
                "[call](https://meet.google.com/abc-defg-hij) or [https://meet.jit.si/Sync]",
                vec![
                    (Provider::Meet, "https://meet.google.com/abc-defg-hij"),
                    (Provider::Jitsi, "https://meet.jit.si/Sync"),
                ],
            ),
            (
                "\"https://zoom.us.evil.com/j/1\" 'https://evilzoom.us/j/2' https://meet.jit.si/Sync?",
                vec![(Provider::Jitsi, "https://meet.jit.si/Sync")],
            ),
            ("<br>https://app.slack.com/huddle/T01/C02<br>", vec![(Provider::Slack, "https://app.slack.com/huddle/T01/C02")]),
            ("See https://en.wikipedia.org/wiki/Zoom_(software) for help", vec![]),
            ("Room 4.12, building B", vec![]),
            ("Docs https://docs.example.com/x and https://zoom.us/pricing.", vec![]),
            ("", vec![]),
            ("https://", vec![]),
            ("http://http://https://", vec![]),
        ];
        for (text, want) in cases {
            let want: Vec<_> = want.into_iter().map(|(p, u)| (p, u.to_string())).collect();
            assert_eq!(found(text), want, "{text}");
        }
    }

    #[test]
    fn find_all_in_text_is_linear_on_large_input() {
        let noise = "see https://example.com/a(b)c, and http:/ hhhh ".repeat(5_000);
        assert_eq!(found(&noise), vec![]);
        let text = format!("{noise} https://meet.google.com/abc-defg-hij");
        assert_eq!(found(&text)[0].0, Provider::Meet);
        let one_huge = format!("https://zoom.us/j/1{}", "(".repeat(100_000));
        assert_eq!(found(&one_huge)[0].0, Provider::Zoom);
    }

    #[test]
    fn the_same_meeting_is_listed_once() {
        let text = "Join https://meet.google.com/abc-defg-hij\n\
            (or https://meet.google.com/ABC-DEFG-HIJ?authuser=1&hs=122#x, same room)\n\
            Zoom https://us02web.zoom.us/j/81234567890?pwd=QWxl#success then https://zoom.us/j/81234567890\n\
            Jitsi https://meet.jit.si/Sync/ and https://meet.jit.si/Sync#config.startWithAudioMuted=true\n\
            Other room https://meet.google.com/xyz-abcd-efg";
        assert_eq!(
            found(text),
            vec![
                (
                    Provider::Meet,
                    "https://meet.google.com/abc-defg-hij".to_string()
                ),
                (
                    Provider::Zoom,
                    "https://us02web.zoom.us/j/81234567890?pwd=QWxl#success".to_string()
                ),
                (Provider::Jitsi, "https://meet.jit.si/Sync/".to_string()),
                (
                    Provider::Meet,
                    "https://meet.google.com/xyz-abcd-efg".to_string()
                ),
            ]
        );
        // Different meetings on one service stay apart.
        let two = "https://zoom.us/j/111111111 https://zoom.us/j/222222222";
        assert_eq!(found(two).len(), 2);
    }

    #[test]
    fn tel_numbers_are_found_but_never_the_join_link() {
        let text = "Dial in: tel:+16469313860,,81234567890#,,,,*424242# (US)\n\
            Hotel: Marriott, motel:12345, Tel:+1 555 0100.\n\
            Join: https://us02web.zoom.us/j/81234567890";
        let urls: Vec<String> = find_all_in_text(text).into_iter().map(|l| l.url).collect();
        assert_eq!(
            urls,
            [
                "tel:+16469313860,,81234567890#,,,,*424242#",
                "https://us02web.zoom.us/j/81234567890",
            ]
        );
        let (primary, others) = rank(None, None, text, "");
        let primary = primary.unwrap();
        assert_eq!(primary.provider, Provider::Zoom);
        assert!(!primary.is_phone());
        assert!(others.iter().all(VideoLink::is_phone) && others.len() == 1);
        // A number alone is listed, and there is no link to open.
        let (primary, others) = rank(None, None, "tel:+441234567890", "");
        assert_eq!((primary, others.len()), (None, 1));
    }

    #[test]
    fn ranking_conference_then_hangout_then_location_then_description() {
        let link = |p, u: &str| VideoLink {
            provider: p,
            url: u.to_string(),
        };
        let meet = link(Provider::Meet, "https://meet.google.com/abc-defg-hij");
        let description = "Backup: https://us02web.zoom.us/j/81234567890?pwd=x\n\
            Same Meet: https://meet.google.com/abc-defg-hij?authuser=0";
        let (primary, others) = rank(
            Some(meet.clone()),
            Some(meet.clone()),
            "Room 4 / https://meet.jit.si/Sync",
            description,
        );
        assert_eq!(primary, Some(meet));
        let others: Vec<Provider> = others.iter().map(|l| l.provider).collect();
        assert_eq!(others, [Provider::Jitsi, Provider::Zoom]);
        // Without a conference, the location's link wins over the description's.
        let (primary, others) = rank(None, None, "https://meet.jit.si/Sync", description);
        assert_eq!(primary.unwrap().provider, Provider::Jitsi);
        assert_eq!(others.len(), 2);
        let (primary, _) = rank(None, None, "Room 4", description);
        assert_eq!(primary.unwrap().provider, Provider::Zoom);
    }

    #[test]
    fn authuser_picks_the_google_account_for_meet_links_only() {
        let cases = [
            (
                "https://meet.google.com/abc-defg-hij",
                "https://meet.google.com/abc-defg-hij?authuser=alex%40example.com",
            ),
            (
                "https://meet.google.com/abc-defg-hij?authuser=0&hs=122",
                "https://meet.google.com/abc-defg-hij?hs=122&authuser=alex%40example.com",
            ),
            (
                "https://meet.google.com/abc-defg-hij?AuthUser=1#intro",
                "https://meet.google.com/abc-defg-hij?authuser=alex%40example.com#intro",
            ),
            (
                "https://us02web.zoom.us/j/81234567890?pwd=x",
                "https://us02web.zoom.us/j/81234567890?pwd=x",
            ),
            ("tel:+16469313860", "tel:+16469313860"),
            (
                "https://example.com/?authuser=0",
                "https://example.com/?authuser=0",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(with_authuser(url, "alex@example.com"), want, "{url}");
        }
        // What would break the query is encoded; no e-mail, no change.
        assert_eq!(
            with_authuser("https://meet.google.com/abc-defg-hij", "a&b=c#d@x.io"),
            "https://meet.google.com/abc-defg-hij?authuser=a%26b%3Dc%23d%40x.io"
        );
        assert_eq!(
            with_authuser("https://meet.google.com/abc-defg-hij", ""),
            "https://meet.google.com/abc-defg-hij"
        );
    }
}
