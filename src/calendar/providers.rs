//! Which conferencing service a link belongs to: the provider table (built in from
//! `assets/providers.toml`, the user's `[[providers]]` merged in) and the matcher.
//!
//! Services are data, not code, so that adding one (or a company's own video host) is a row
//! and its tests, and users can do it in their config. Classification is by the host a browser
//! would actually open (WHATWG parsing via `url`), matched exactly or on a dot boundary, so
//! look-alikes such as `zoom.us.evil.com` or `evilzoom.us` are rejected. This runs for every
//! link of every event on every refresh, so it is one linear pass per URL: a screen of the raw
//! host that does not allocate, then one parse, then a hash lookup of the host and of each of
//! its parent domains, then the path rules found there.
//!
//! The pattern syntax (shared by the built-in table and the config) is documented in the
//! README's "Conferencing services" and at the top of `assets/providers.toml`.

use std::collections::HashMap;
use std::iter::successors;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
use url::Url;

use super::links::{raw_host, starts_with_ci};

/// The built-in services; parsed once per process.
const BUILT_IN: &str = include_str!("../../assets/providers.toml");

/// How wide a badge may be on an agenda row.
const BADGE_COLUMNS: usize = 7;

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

impl Provider {
    /// The product name, for details views.
    pub fn name(self) -> &'static str {
        &table().row(self).name
    }

    /// A short label for agenda rows (at most 7 columns).
    pub fn badge(self) -> &'static str {
        &table().row(self).badge
    }

    /// The table's key for this service (`meet`, `zoom`, …), as the cache stores it.
    pub fn key(self) -> &'static str {
        &table().row(self).key
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
        Ok(table().by_key(&key).unwrap_or(Provider::Other))
    }
}

/// A service the user adds or overrides in the config: `[[providers]] name, badge, pattern`.
/// An entry whose `name` is a built-in service's name or key (any case) replaces that
/// service's patterns (and badge, when given); any other adds a service.
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

impl Patterns {
    fn as_slice(&self) -> &[String] {
        match self {
            Patterns::One(p) => std::slice::from_ref(p),
            Patterns::Many(ps) => ps,
        }
    }
}

/// Whether the config's `[[providers]]` make a table: Err says which entry is wrong and how
/// to fix it (called when the config is read).
pub fn check(user: &[UserProvider]) -> Result<(), String> {
    Table::build(user).map(drop)
}

/// The process's table: the built-in one until [`install`] sets it.
static TABLE: OnceLock<Table> = OnceLock::new();

fn table() -> &'static Table {
    TABLE.get_or_init(Table::built_in)
}

/// Makes the process's provider table the built-in services with the config's (already
/// checked) merged in; called once at start-up, before any link is classified. Until then,
/// and in tests, the table is the built-in one.
pub fn install(user: &[UserProvider]) {
    let built = Table::build(user).unwrap_or_else(|e| {
        log::warn!("the config's [[providers]] are left out: {e}");
        Table::built_in()
    });
    if TABLE.set(built).is_err() && !user.is_empty() {
        log::warn!("the config's [[providers]] apply from the next start (links were already read)");
    }
}

/// The provider of a meeting URL, or None when the URL is not a known video-meeting link
/// (or a `tel:` link with a number). Redirect wrappers are not looked through; see
/// [`super::links::unwrap_redirect`].
pub fn provider_of(url: &str) -> Option<Provider> {
    table().provider_of(url)
}

/// The services, and for each host the rules of the services that live there.
struct Table {
    rows: Vec<Row>,
    /// Rules for a host exactly (`meet.google.com`).
    exact: HashMap<Box<str>, Vec<Rule>>,
    /// Rules for a domain and every host under it (`*.zoom.us` under `zoom.us`).
    under: HashMap<Box<str>, Vec<Rule>>,
    /// The row `tel:` links belong to.
    phone: Option<Provider>,
}

struct Row {
    key: String,
    name: String,
    badge: String,
}

/// A path rule at some host: a link it matches belongs to `provider`, or, with None, is the
/// product's own page and no meeting at all.
struct Rule {
    provider: Option<Provider>,
    path: PathRule,
}

/// `assets/providers.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    service: Vec<Service>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Service {
    key: String,
    name: String,
    badge: String,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    not: Vec<String>,
}

impl Table {
    fn built_in() -> Table {
        Table::build(&[]).expect("assets/providers.toml is valid (its unit tests parse it)")
    }

    /// The built-in services with the user's merged in.
    fn build(user: &[UserProvider]) -> Result<Table, String> {
        let file: File =
            toml::from_str(BUILT_IN).map_err(|e| format!("assets/providers.toml: {e}"))?;
        let mut rows = Vec::with_capacity(file.service.len() + user.len());
        let mut patterns = Vec::with_capacity(rows.capacity());
        let mut nots = Vec::new();
        for service in file.service {
            let at = |e: String| format!("assets/providers.toml, service {}: {e}", service.key);
            check_label("badge", &service.badge).map_err(at)?;
            let parsed: Result<Vec<_>, _> = service.patterns.iter().map(|p| parse(p)).collect();
            patterns.push(parsed.map_err(at)?);
            for not in &service.not {
                match parse(not).map_err(at)? {
                    Pattern::Web(host, path) => nots.push((host, path)),
                    Pattern::Phone => return Err(at("tel: cannot be a product page".into())),
                }
            }
            rows.push(Row {
                key: service.key,
                name: service.name,
                badge: service.badge,
            });
        }
        let built_in = rows.len();
        // Rows the user added or overrode: their rules are tried first on a shared host.
        let mut users_first = vec![false; built_in];
        for (i, entry) in user.iter().enumerate() {
            let at = |e: String| format!("[[providers]] entry {} ({:?}): {e}", i + 1, entry.name);
            let name = entry.name.trim();
            if name.is_empty() {
                return Err(at("the name is empty: name the service, as in name = \"Acme Video\"".into()));
            }
            check_label("name", name).map_err(at)?;
            let badge = entry.badge.as_deref().map(str::trim);
            if let Some(badge) = badge {
                check_label("badge", badge).map_err(at)?;
            }
            let list = entry.pattern.as_slice();
            if list.is_empty() {
                return Err(at("the pattern list is empty: give at least one, as in pattern = \"video.example.com/room/\"".into()));
            }
            let parsed: Result<Vec<_>, _> = list.iter().map(|p| parse(p)).collect();
            let parsed = parsed.map_err(at)?;
            let key = slug(name);
            let same = |r: &Row| {
                r.name.eq_ignore_ascii_case(name) || r.key.eq_ignore_ascii_case(name) || r.key == key
            };
            match rows.iter().position(same) {
                Some(r) if r >= built_in || users_first[r] => {
                    return Err(at(format!(
                        "{:?} is already given by an earlier entry: merge the two into one \
                         entry with a list of patterns",
                        rows[r].name
                    )));
                }
                Some(r) => {
                    patterns[r] = parsed;
                    if let Some(badge) = badge {
                        rows[r].badge = badge.to_string();
                    }
                    users_first[r] = true;
                }
                None => {
                    let key = match key.is_empty() {
                        true => format!("user-{}", i + 1),
                        false => key,
                    };
                    let badge = badge.map_or_else(|| first_columns(name), str::to_string);
                    rows.push(Row {
                        key,
                        name: name.to_string(),
                        badge,
                    });
                    patterns.push(parsed);
                    users_first.push(true);
                }
            }
        }
        if rows.len() > usize::from(u16::MAX) {
            return Err("too many [[providers]] entries: keep it under 65,000".into());
        }
        let mut table = Table {
            rows,
            exact: HashMap::new(),
            under: HashMap::new(),
            phone: None,
        };
        for (host, path) in nots {
            table.add(host, None, path);
        }
        let order = (0..patterns.len())
            .filter(|&r| users_first[r])
            .chain((0..patterns.len()).filter(|&r| !users_first[r]));
        let order: Vec<usize> = order.collect();
        let mut patterns: Vec<Option<Vec<Pattern>>> = patterns.into_iter().map(Some).collect();
        for r in order {
            let provider = Provider(r as u16);
            for pattern in patterns[r].take().unwrap_or_default() {
                match pattern {
                    Pattern::Phone => table.phone = Some(provider),
                    Pattern::Web(host, path) => table.add(host, Some(provider), path),
                }
            }
        }
        Ok(table)
    }

    fn add(&mut self, host: Host, provider: Option<Provider>, path: PathRule) {
        let (map, name) = match host {
            Host::Exact(h) => (&mut self.exact, h),
            Host::Under(d) => (&mut self.under, d),
        };
        map.entry(name.into_boxed_str())
            .or_default()
            .push(Rule { provider, path });
    }

    fn row(&self, p: Provider) -> &Row {
        let other = &self.rows[usize::from(Provider::Other.0)];
        self.rows.get(usize::from(p.0)).unwrap_or(other)
    }

    fn by_key(&self, key: &str) -> Option<Provider> {
        let i = self.rows.iter().position(|r| r.key == key)?;
        Some(Provider(i as u16))
    }

    fn provider_of(&self, url: &str) -> Option<Provider> {
        if starts_with_ci(url, "tel:") {
            return self.phone.filter(|_| is_phone_number(&url[4..]));
        }
        if !self.may_know(raw_host(url)?) {
            return None;
        }
        let parsed = Url::parse(url).ok()?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return None;
        }
        let host = parsed.host_str()?;
        let host = host.strip_suffix('.').unwrap_or(host);
        let (path, query) = (parsed.path(), parsed.query().unwrap_or(""));
        let at_host = self.exact.get(host).into_iter();
        let under = domains(host).filter_map(|d| self.under.get(d));
        let rule = at_host
            .chain(under)
            .flatten()
            .find(|rule| rule.path.matches(path, query));
        rule.and_then(|rule| rule.provider)
    }

    /// A screen before the parse: whether the host as written, or a parent domain of it,
    /// is in the table. Lowercases into a stack buffer; a host the parser would read
    /// differently (escapes, IDNA) only costs a missed link, never a wrong one.
    fn may_know(&self, raw: &str) -> bool {
        let raw = raw.strip_suffix('.').unwrap_or(raw);
        let mut buf = [0u8; 256];
        let Some(lower) = buf.get_mut(..raw.len()) else {
            return false;
        };
        lower.copy_from_slice(raw.as_bytes());
        lower.make_ascii_lowercase();
        let Ok(lower) = std::str::from_utf8(lower) else {
            return false;
        };
        let known = domains(lower).any(|d| self.exact.contains_key(d) || self.under.contains_key(d));
        known
    }
}

/// `a.b.c`, `b.c`, `c`.
fn domains(host: &str) -> impl Iterator<Item = &str> {
    successors(Some(host), |h| h.split_once('.').map(|(_, parent)| parent))
}

/// `tel:` then a number of at least 3 digits with RFC 3966's visual separators, then
/// parameters (`;ext=12`) or dialling pauses (`,,123#`).
fn is_phone_number(rest: &str) -> bool {
    let (number, extra) = rest.split_at(rest.find([';', ',']).unwrap_or(rest.len()));
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    digits >= 3
        && number
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.()".contains(&b))
        && !extra.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A parsed pattern.
enum Pattern {
    Phone,
    Web(Host, PathRule),
}

enum Host {
    Exact(String),
    Under(String),
}

/// What the path (and query) of a link must look like.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PathRule {
    segments: Vec<Segment>,
    tail: Tail,
    /// A query parameter that must be present (`MTID` of `?MTID=`).
    query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `*`: any non-empty segment.
    Any,
    /// `{digits}`.
    Digits,
    /// `{id}`: letters, digits, `-` and `_`, with at least one digit.
    Id,
    /// `{meet-code}`: `abc-defg-hij`.
    MeetCode,
}

/// What may follow the segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// Anything, or nothing.
    Any,
    /// At least one more non-empty segment (the pattern ended in `/`).
    More,
    /// Nothing but a trailing slash (the pattern ended in `$`).
    End,
}

impl PathRule {
    fn matches(&self, path: &str, query: &str) -> bool {
        let mut parts = path.strip_prefix('/').unwrap_or(path).split('/');
        let head = self
            .segments
            .iter()
            .all(|s| parts.next().is_some_and(|p| s.matches(p)));
        let tail = match self.tail {
            Tail::Any => true,
            Tail::More => parts.any(|p| !p.is_empty()),
            Tail::End => parts.all(str::is_empty),
        };
        let query_ok = self.query.as_deref().is_none_or(|name| {
            query
                .split('&')
                .any(|pair| pair.split_once('=').is_some_and(|(k, _)| k.eq_ignore_ascii_case(name)))
        });
        head && tail && query_ok
    }
}

impl Segment {
    fn matches(&self, s: &str) -> bool {
        match self {
            Segment::Literal(l) => s.eq_ignore_ascii_case(l),
            Segment::Any => !s.is_empty(),
            Segment::Digits => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
            Segment::Id => {
                s.bytes().any(|b| b.is_ascii_digit())
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
            Segment::MeetCode => is_meet_code(s),
        }
    }
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

const EXAMPLE: &str = "such as video.example.com/room/";

/// Parses `[http(s)://]host[/path][?name=]` or `tel:`; Err says what to change.
fn parse(pattern: &str) -> Result<Pattern, String> {
    let p = pattern.trim();
    if p.is_empty() {
        return Err(format!(
            "a pattern is empty: write the meeting links' host and path, {EXAMPLE}"
        ));
    }
    if p.eq_ignore_ascii_case("tel:") {
        return Ok(Pattern::Phone);
    }
    let why = |what: String| format!("the pattern {p:?} {what}");
    let rest = match p.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            rest
        }
        Some((scheme, _)) => {
            return Err(why(format!(
                "is for {scheme}: links, which meetty does not open: write an http(s) address \
                 (the scheme may be left out), {EXAMPLE}, or \"tel:\" for phone numbers"
            )))
        }
        None => p,
    };
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(why("has spaces: a link has none; remove them".into()));
    }
    if let Some(c) = rest.chars().find(|c| matches!(c, '@' | '\\' | '#')) {
        return Err(why(format!(
            "has {c:?}: write only the host and path, {EXAMPLE}"
        )));
    }
    let (before_query, query) = match rest.split_once('?') {
        Some((before, q)) => (before, Some(parse_query(q).ok_or_else(|| {
            why("has a query meetty cannot use: write ?name= for a parameter the links must carry, as in ?MTID=".into())
        })?)),
        None => (rest, None),
    };
    let (host, path) = before_query.split_at(before_query.find('/').unwrap_or(before_query.len()));
    let host = parse_host(host).map_err(why)?;
    let path = parse_path(path, query).map_err(why)?;
    Ok(Pattern::Web(host, path))
}

fn parse_query(q: &str) -> Option<String> {
    let name = q.strip_suffix('=')?;
    let fine = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    fine.then(|| name.to_string())
}

fn parse_host(host: &str) -> Result<Host, String> {
    if host.is_empty() {
        return Err(format!("has no host: start it with one, {EXAMPLE}"));
    }
    if host.contains(':') {
        return Err("has a port: leave it out (links on any port match)".into());
    }
    if !host.is_ascii() {
        return Err("has a host that is not ASCII: write its punycode form (xn--…)".into());
    }
    let host = host.to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    let (name, under) = match host.strip_prefix("*.") {
        Some(domain) => (domain, true),
        None => (host, false),
    };
    if name.contains('*') {
        return Err("has a * inside the host: a * may only open it, as in *.example.com".into());
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !name.split('.').all(label_ok) {
        return Err(format!(
            "has a host that is not a host name (letters, digits, - and dots): {name:?}"
        ));
    }
    if !name.contains('.') {
        return Err(match under {
            true => format!(
                "would match every site under .{name}: name the service's own domain, as in \
                 *.example.com"
            ),
            false => format!("has no domain: write the full host name, as in {name}.example.com"),
        });
    }
    Ok(match under {
        true => Host::Under(name.to_string()),
        false => Host::Exact(name.to_string()),
    })
}

fn parse_path(path: &str, query: Option<String>) -> Result<PathRule, String> {
    let (path, end) = match path.strip_suffix('$') {
        Some(p) => (p, true),
        None => (path, false),
    };
    let (path, more) = match path.strip_suffix('/') {
        Some(p) => (p, true),
        None => (path, false),
    };
    let tail = match (end, more) {
        (true, _) => Tail::End,
        (false, true) => Tail::More,
        (false, false) => Tail::Any,
    };
    let segments = match path.strip_prefix('/') {
        None => Vec::new(),
        Some(p) => p.split('/').map(parse_segment).collect::<Result<_, _>>()?,
    };
    Ok(PathRule {
        segments,
        tail,
        query,
    })
}

fn parse_segment(s: &str) -> Result<Segment, String> {
    Ok(match s {
        "" => return Err("has an empty path segment (//): remove one slash".into()),
        "*" => Segment::Any,
        "{digits}" => Segment::Digits,
        "{id}" => Segment::Id,
        "{meet-code}" => Segment::MeetCode,
        s if s.contains(['{', '}', '*', '$']) => {
            return Err(format!(
                "has {s:?} in its path: a segment is literal text, *, {{digits}}, {{id}} or \
                 {{meet-code}}, and $ may only end the path"
            ))
        }
        s => Segment::Literal(s.to_string()),
    })
}

/// A name or badge: no control characters; a badge fits its column.
fn check_label(what: &str, text: &str) -> Result<(), String> {
    if text.chars().any(char::is_control) {
        return Err(format!("the {what} has control characters: remove them"));
    }
    let width = text.width();
    if what == "badge" && (width == 0 || width > BADGE_COLUMNS) {
        return Err(format!(
            "the badge {text:?} is {width} columns wide: agenda rows show 1 to \
             {BADGE_COLUMNS}; shorten it"
        ));
    }
    Ok(())
}

/// The badge of an added service without one: its name, cut to the badge's width.
fn first_columns(name: &str) -> String {
    let mut width = 0;
    name.chars()
        .take_while(|c| {
            width += c.width().unwrap_or(0);
            width <= BADGE_COLUMNS
        })
        .collect()
}

/// The key an added service is cached under: its name in lowercase ASCII words joined by `-`.
fn slug(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let words = lower.split(|c: char| !c.is_ascii_alphanumeric());
    words.filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-")
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
