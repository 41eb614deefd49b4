//! Which video-meeting link (Meet, Zoom, Teams, …) a meeting has.
//!
//! Classification is by the host a browser would actually open (WHATWG parsing via `url`),
//! matched exactly or on a dot boundary, so look-alikes such as `zoom.us.evil.com` or
//! `evilzoom.us` are rejected. This runs for every event on every refresh, so a cheap scan of
//! the raw host screens out ordinary URLs before the allocating parse.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use url::Url;

pub use super::providers::{provider_of, Provider};

/// A meeting link and the service it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoLink {
    pub provider: Provider,
    pub url: String,
}

/// The first video-meeting link found in free text (location, description), SafeLinks
/// unwrapped. Links to anything else are skipped, so an agenda link before the Zoom link
/// does not win.
pub fn find_in_text(text: &str) -> Option<VideoLink> {
    Candidates { text, pos: 0 }.find_map(|raw| {
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
    })
}

/// `url` with `authuser=<email>` set, for a Google Meet link, so the browser joins as that
/// Google account; any other link unchanged.
/// CONTRACT (h2): stub.
pub fn with_authuser(url: &str, email: &str) -> String {
    let _ = email;
    url.to_string()
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
    (starts_with_ci(&inner, "http://") || starts_with_ci(&inner, "https://")).then_some(inner)
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

/// The `http(s)://` URLs in free text, in order.
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

fn find_scheme(s: &str) -> Option<usize> {
    s.bytes().enumerate().find_map(|(i, b)| {
        let candidate = (b | 0x20) == b'h'
            && (starts_with_ci(&s[i..], "https://") || starts_with_ci(&s[i..], "http://"));
        candidate.then_some(i)
    })
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
        ];
        for (input, want) in cases {
            assert_eq!(unwrap_redirect(input), want, "{input}");
        }
    }

    fn found(text: &str) -> Option<(Provider, String)> {
        find_in_text(text).map(|l| (l.provider, l.url))
    }

    #[test]
    fn find_in_text_real_world_forms() {
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
        let cases: Vec<(&str, Option<(Provider, &str)>)> = vec![
            (
                "Join Zoom Meeting\nhttps://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234#success\n\nMeeting ID: 812",
                Some((Provider::Zoom, "https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234#success")),
            ),
            ("My room: company.zoom.us/my/alex or https://company.zoom.us/my/alex.", Some((Provider::Zoom, "https://company.zoom.us/my/alex"))),
            (&outlook_body, Some((Provider::Teams, TEAMS))),
            (safelinked, Some((Provider::Teams, TEAMS))),
            (google_wrapped, Some((Provider::Zoom, zoom))),
            (
                "Webex: https://acme.webex.com/acme/j.php?MTID=m0123, password 1234",
                Some((Provider::Webex, "https://acme.webex.com/acme/j.php?MTID=m0123")),
            ),
            (
                "Let's use Meet (https://meet.google.com/abc-defg-hij).",
                Some((Provider::Meet, "https://meet.google.com/abc-defg-hij")),
            ),
            (
                "Agenda: https://example.com/agenda (read first!) then HTTPS://ZOOM.US/j/123?pwd=x!",
                Some((Provider::Zoom, "HTTPS://ZOOM.US/j/123?pwd=x")),
            ),
            (
                "[call](https://meet.google.com/abc-defg-hij) or [https://meet.jit.si/Sync]",
                Some((Provider::Meet, "https://meet.google.com/abc-defg-hij")),
            ),
            (
                "\"https://zoom.us.evil.com/j/1\" 'https://evilzoom.us/j/2' https://meet.jit.si/Sync?",
                Some((Provider::Jitsi, "https://meet.jit.si/Sync")),
            ),
            ("<br>https://app.slack.com/huddle/T01/C02<br>", Some((Provider::Slack, "https://app.slack.com/huddle/T01/C02"))),
            ("See https://en.wikipedia.org/wiki/Zoom_(software) for help", None),
            ("Room 4.12, building B", None),
            ("Docs https://docs.example.com/x and https://zoom.us/pricing.", None),
            ("", None),
            ("https://", None),
            ("http://http://https://", None),
        ];
        for (text, want) in cases {
            let want = want.map(|(p, u)| (p, u.to_string()));
            assert_eq!(found(text), want, "{text}");
        }
    }

    #[test]
    fn find_in_text_is_linear_on_large_input() {
        let noise = "see https://example.com/a(b)c, and http:/ hhhh ".repeat(5_000);
        assert_eq!(found(&noise), None);
        let text = format!("{noise} https://meet.google.com/abc-defg-hij");
        assert_eq!(found(&text).map(|f| f.0), Some(Provider::Meet));
        let one_huge = format!("https://zoom.us/j/1{}", "(".repeat(100_000));
        assert_eq!(found(&one_huge).map(|f| f.0), Some(Provider::Zoom));
    }
}
