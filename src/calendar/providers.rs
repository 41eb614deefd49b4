//! Which conferencing service a link belongs to: the provider table (built in from
//! `assets/providers.toml`, the user's `[[providers]]` merged in) and the matcher.
//!
//! Classification is by the host a browser would actually open (WHATWG parsing via `url`),
//! matched exactly or on a dot boundary, so look-alikes such as `zoom.us.evil.com` or
//! `evilzoom.us` are rejected. This runs for every link of every event on every refresh, so a
//! cheap scan of the raw host screens out ordinary URLs before the allocating parse.

use serde::{Deserialize, Serialize};
use url::Url;

use super::links::{ends_with_ci, raw_host, starts_with_ci};

/// A conferencing service: a handle into the provider table (`assets/providers.toml` with the
/// user's `[[providers]]` merged in). Copy, compared and hashed as the table row; written to
/// the cache as its key, so a service the table no longer has reads back as [`Provider::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Provider(u16);

/// The services code refers to by name (the first rows of `assets/providers.toml`, in this
/// order); the rest are known only to the table.
#[allow(non_upper_case_globals)]
impl Provider {
    pub const Meet: Provider = Provider(0);
    pub const Zoom: Provider = Provider(1);
    pub const Teams: Provider = Provider(2);
    pub const Webex: Provider = Provider(3);
    pub const GoToMeeting: Provider = Provider(4);
    pub const BlueJeans: Provider = Provider(5);
    pub const Whereby: Provider = Provider(6);
    pub const Jitsi: Provider = Provider(7);
    pub const Chime: Provider = Provider(8);
    pub const Slack: Provider = Provider(9);
    pub const Other: Provider = Provider(10);
}

// CONTRACT (h1): the table replaces these matches; `name`, `badge` and `key` then read the
// table row, and Serialize/Deserialize write and read `key`.
impl Provider {
    /// The product name, for details views.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Meet => "Google Meet",
            Provider::Zoom => "Zoom",
            Provider::Teams => "Microsoft Teams",
            Provider::Webex => "Webex",
            Provider::GoToMeeting => "GoTo Meeting",
            Provider::BlueJeans => "BlueJeans",
            Provider::Whereby => "Whereby",
            Provider::Jitsi => "Jitsi Meet",
            Provider::Chime => "Amazon Chime",
            Provider::Slack => "Slack huddle",
            _ => "Video",
        }
    }

    /// A short label for agenda rows (at most 7 columns).
    pub fn badge(self) -> &'static str {
        match self {
            Provider::Meet => "Meet",
            Provider::Zoom => "Zoom",
            Provider::Teams => "Teams",
            Provider::Webex => "Webex",
            Provider::GoToMeeting => "GoTo",
            Provider::BlueJeans => "BlueJ",
            Provider::Whereby => "Whereby",
            Provider::Jitsi => "Jitsi",
            Provider::Chime => "Chime",
            Provider::Slack => "Slack",
            _ => "Video",
        }
    }

    /// The table's key for this service (`meet`, `zoom`, …), as the cache stores it.
    pub fn key(self) -> &'static str {
        [
            "meet",
            "zoom",
            "teams",
            "webex",
            "goto",
            "bluejeans",
            "whereby",
            "jitsi",
            "chime",
            "slack",
            "other",
        ][usize::from(self.0)]
    }
}

impl Serialize for Provider {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Provider {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Provider, D::Error> {
        let key = String::deserialize(d)?;
        Ok((0..11u16)
            .map(Provider)
            .find(|p| p.key() == key)
            .unwrap_or(Provider::Other))
    }
}

/// A service the user adds or overrides in the config: `[[providers]] name, badge, pattern`.
/// CONTRACT (h1): the pattern syntax is h1's to define and document (README, assets/config.toml).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserProvider {
    pub name: String,
    #[serde(default)]
    pub badge: Option<String>,
    pub pattern: Patterns,
}

/// One pattern or a list of them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Patterns {
    One(String),
    Many(Vec<String>),
}

/// Whether the config's `[[providers]]` make a table: Err says which entry is wrong and how
/// to fix it (called when the config is read).
/// CONTRACT (h1): stub.
pub fn check(_user: &[UserProvider]) -> Result<(), String> {
    Ok(())
}

/// Makes the process's provider table the built-in services with the config's (already
/// checked) merged in; called once at start-up, before any link is classified. Until then,
/// and in tests, the table is the built-in one.
/// CONTRACT (h1): stub.
pub fn install(_user: &[UserProvider]) {}

/// Domains under which some provider lives; anything else is rejected without parsing.
const PROVIDER_DOMAINS: &[&str] = &[
    "google.com",
    "zoom.us",
    "zoomgov.com",
    "microsoft.com",
    "microsoft.us",
    "live.com",
    "webex.com",
    "gotomeeting.com",
    "goto.com",
    "bluejeans.com",
    "whereby.com",
    "jit.si",
    "8x8.vc",
    "chime.aws",
    "slack.com",
];

/// The provider of a meeting URL, or None when the URL is not a known video-meeting link.
/// Redirect wrappers are not looked through; see [`unwrap_redirect`].
pub fn provider_of(url: &str) -> Option<Provider> {
    let raw = raw_host(url)?;
    if !PROVIDER_DOMAINS.iter().any(|d| ends_with_ci(raw, d)) {
        return None;
    }
    let parsed = Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?;
    let host = host.strip_suffix('.').unwrap_or(host);
    let provider = provider_for_host(host)?;
    let query = parsed.query().unwrap_or("");
    is_meeting_path(provider, host, parsed.path(), query).then_some(provider)
}

fn provider_for_host(host: &str) -> Option<Provider> {
    Some(match host {
        "meet.google.com" => Provider::Meet,
        "teams.microsoft.com" | "teams.live.com" => Provider::Teams,
        "global.gotomeeting.com" | "meet.goto.com" | "app.goto.com" => Provider::GoToMeeting,
        "meet.jit.si" | "8x8.vc" => Provider::Jitsi,
        "chime.aws" | "app.chime.aws" => Provider::Chime,
        h if is_under(h, "zoom.us") || is_under(h, "zoomgov.com") => Provider::Zoom,
        // US government clouds: gov.teams.microsoft.us, dod.teams.microsoft.us.
        h if is_under(h, "teams.microsoft.us") => Provider::Teams,
        h if is_under(h, "webex.com") => Provider::Webex,
        h if is_under(h, "bluejeans.com") => Provider::BlueJeans,
        h if is_under(h, "whereby.com") => Provider::Whereby,
        h if is_under(h, "slack.com") => Provider::Slack,
        _ => return None,
    })
}

/// Whether the path is a meeting on that provider, not its home page, docs or sign-in.
fn is_meeting_path(provider: Provider, host: &str, path: &str, query: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let any_prefix = |prefixes: &[&str]| prefixes.iter().any(|p| has_prefix_and_more(path, p));
    match provider {
        Provider::Meet => is_meet_code(first) || has_prefix_and_more(path, "/lookup/"),
        Provider::Zoom => any_prefix(&["/j/", "/my/", "/w/", "/s/", "/wc/join/"]),
        Provider::Teams => any_prefix(&["/l/meetup-join/", "/meet/"]),
        Provider::Webex => {
            any_prefix(&["/meet/", "/join/", "/wbxmjs/joinservice/"]) || is_webex_jphp(path, query)
        }
        Provider::GoToMeeting => match host {
            "global.gotomeeting.com" => has_prefix_and_more(path, "/join/"),
            "app.goto.com" => has_prefix_and_more(path, "/meeting/"),
            _ => !first.is_empty(),
        },
        Provider::BlueJeans => is_digits(first),
        // Rooms are a single path segment; deeper paths are the product site.
        Provider::Whereby => !first.is_empty() && path.trim_matches('/') == first,
        Provider::Jitsi => !first.is_empty(),
        Provider::Chime if host == "chime.aws" => is_digits(first),
        Provider::Chime => has_prefix_and_more(path, "/meetings/"),
        Provider::Slack => has_prefix_and_more(path, "/huddle/"),
        _ => false,
    }
}

/// `/<site>/j.php?MTID=…`, the classic Webex join link.
fn is_webex_jphp(path: &str, query: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    let shape = segments.next().is_some_and(|s| !s.is_empty())
        && segments
            .next()
            .is_some_and(|s| s.eq_ignore_ascii_case("j.php"))
        && segments.next().is_none();
    shape && query.split('&').any(|pair| starts_with_ci(pair, "mtid="))
}

/// A Meet code: `abc-defg-hij`.
fn is_meet_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 12
        && b.iter().enumerate().all(|(i, &c)| {
            if i == 3 || i == 8 {
                c == b'-'
            } else {
                c.is_ascii_alphabetic()
            }
        })
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn has_prefix_and_more(path: &str, prefix: &str) -> bool {
    path.len() > prefix.len() && starts_with_ci(path, prefix)
}

/// `host` is `domain` or one of its subdomains (hosts are lowercase after parsing).
fn is_under(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEAMS: &str = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NDQ2YzU4ZjEtYTk3%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af%22%2c%22Oid%22%3a%22d1e2f3a4-b5c6%22%7d";

    #[test]
    fn provider_of_known_links() {
        let cases = [
            ("https://meet.google.com/abc-defg-hij", Provider::Meet),
            (
                "https://meet.google.com/abc-defg-hij?authuser=1&hs=122",
                Provider::Meet,
            ),
            ("https://MEET.Google.COM/abc-defg-hij", Provider::Meet),
            ("https://meet.google.com/lookup/abcdef12", Provider::Meet),
            (
                "https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234",
                Provider::Zoom,
            ),
            ("https://zoom.us/j/81234567890", Provider::Zoom),
            ("https://company.zoom.us/my/alex", Provider::Zoom),
            ("https://zoom.us/w/81234567890?tk=abc", Provider::Zoom),
            ("https://agency.zoomgov.com/j/1601234567", Provider::Zoom),
            (TEAMS, Provider::Teams),
            ("https://teams.live.com/meet/9345678901234", Provider::Teams),
            (
                "https://teams.microsoft.com/meet/2345678901?p=AbCdEf",
                Provider::Teams,
            ),
            (
                "https://dod.teams.microsoft.us/l/meetup-join/19%3ameeting_x",
                Provider::Teams,
            ),
            ("https://acme.webex.com/meet/alex", Provider::Webex),
            ("https://acme.webex.com/join/alex", Provider::Webex),
            (
                "https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef",
                Provider::Webex,
            ),
            (
                "https://web.webex.com/wbxmjs/joinservice/sites/acme/meeting/x",
                Provider::Webex,
            ),
            (
                "https://global.gotomeeting.com/join/123456789",
                Provider::GoToMeeting,
            ),
            ("https://meet.goto.com/123456789", Provider::GoToMeeting),
            (
                "https://app.goto.com/meeting/123456789",
                Provider::GoToMeeting,
            ),
            ("https://bluejeans.com/123456789", Provider::BlueJeans),
            ("https://whereby.com/team-standup", Provider::Whereby),
            ("https://meet.jit.si/WeeklySync", Provider::Jitsi),
            (
                "https://8x8.vc/vpaas-magic-cookie-1a2b/Room",
                Provider::Jitsi,
            ),
            ("https://chime.aws/1234567890", Provider::Chime),
            ("https://app.chime.aws/meetings/abc-123", Provider::Chime),
            (
                "https://app.slack.com/huddle/T0123ABCD/C0456EFGH",
                Provider::Slack,
            ),
            (
                "https://acme.slack.com/huddle/T0123ABCD/C0456EFGH",
                Provider::Slack,
            ),
            ("http://zoom.us/j/123", Provider::Zoom),
        ];
        for (url, want) in cases {
            assert_eq!(provider_of(url), Some(want), "{url}");
        }
    }

    #[test]
    fn provider_of_rejects_look_alikes_and_non_meeting_pages() {
        let cases = [
            "https://zoom.us.evil.com/j/123",
            "https://evilzoom.us/j/123",
            "https://meet.google.com.attacker.io/abc-defg-hij",
            "https://zoom.us@evil.com/j/123",
            "https://evil.com\\@zoom.us/j/123",
            "https://evil.com/zoom.us/j/123",
            "https://evil.com/?u=https://zoom.us/j/1",
            "https://teams.microsoft.com.evil.net/l/meetup-join/x",
            "https://notwebex.com/meet/alex",
            "https://zoom.us/",
            "https://zoom.us/pricing",
            "https://zoom.us/j/",
            "https://zoom.us/j/../../signin",
            "https://meet.google.com/",
            "https://meet.google.com/landing",
            "https://teams.microsoft.com/v2/",
            "https://acme.webex.com/acme/j.php?RCID=1",
            "https://whereby.com/information/pricing",
            "https://chime.aws/download",
            "https://www.google.com/search?q=zoom",
            "ftp://zoom.us/j/123",
            "javascript:alert(1)//zoom.us/j/1",
            "zoom.us/j/123",
            "",
            "not a url",
        ];
        for url in cases {
            assert_eq!(provider_of(url), None, "{url}");
        }
    }

    #[test]
    fn names_and_badges() {
        assert_eq!(Provider::Teams.name(), "Microsoft Teams");
        assert_eq!(Provider::Other.name(), "Video");
        assert_eq!(Provider::BlueJeans.badge(), "BlueJ");
        let all = [
            Provider::Meet,
            Provider::Zoom,
            Provider::Teams,
            Provider::Webex,
            Provider::GoToMeeting,
            Provider::BlueJeans,
            Provider::Whereby,
            Provider::Jitsi,
            Provider::Chime,
            Provider::Slack,
            Provider::Other,
        ];
        assert!(all.iter().all(|p| p.badge().len() <= 7));
    }
}
