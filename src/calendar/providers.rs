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
    // The built-in table alone is checked by the tests, not at every start-up.
    if user.is_empty() {
        return Ok(());
    }
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
        log::warn!(
            "the config's [[providers]] apply from the next start (links were already read)"
        );
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
            check_badge(&service.badge).map_err(at)?;
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
                return Err(at(
                    "the name is empty: name the service, as in name = \"Acme Video\"".into(),
                ));
            }
            check_text("name", name).map_err(at)?;
            let badge = entry.badge.as_deref().map(str::trim);
            if let Some(badge) = badge {
                check_badge(badge).map_err(at)?;
            }
            let list = entry.pattern.as_slice();
            if list.is_empty() {
                return Err(at(
                    "the pattern list is empty: give at least one, as in pattern = \
                     [\"video.example.com/room/\"]"
                        .into(),
                ));
            }
            let parsed: Result<Vec<_>, _> = list.iter().map(|p| parse(p)).collect();
            let parsed = parsed.map_err(at)?;
            let key = slug(name);
            let same = |r: &Row| {
                r.name.eq_ignore_ascii_case(name)
                    || r.key.eq_ignore_ascii_case(name)
                    || r.key == key
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
        // On a shared host the user's rules are tried first, then the pages the table knows
        // are no meetings, then the built-in services in table order.
        let (mine, built_in): (Vec<usize>, Vec<usize>) =
            (0..patterns.len()).partition(|&r| users_first[r]);
        table.add_rows(&mine, &mut patterns);
        for (host, path) in nots {
            table.add(host, None, path);
        }
        table.add_rows(&built_in, &mut patterns);
        Ok(table)
    }

    fn add_rows(&mut self, rows: &[usize], patterns: &mut [Vec<Pattern>]) {
        for &r in rows {
            let provider = Provider(r as u16);
            for pattern in std::mem::take(&mut patterns[r]) {
                match pattern {
                    Pattern::Phone => self.phone = Some(provider),
                    Pattern::Web(host, path) => self.add(host, Some(provider), path),
                }
            }
        }
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
        let known =
            domains(lower).any(|d| self.exact.contains_key(d) || self.under.contains_key(d));
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
            query.split('&').any(|pair| {
                pair.split_once('=')
                    .is_some_and(|(k, _)| k.eq_ignore_ascii_case(name))
            })
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
    let label_ok =
        |l: &str| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
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
    if PUBLIC_SUFFIXES.contains(&name) {
        return Err(format!(
            "names {name}, a public suffix: anyone can have a site under it, so name the \
             service's own host, as in video.example.{name} (meetty knows a short list of \
             common suffixes such as co.uk, com.au and github.io, not all of them)"
        ));
    }
    Ok(match under {
        true => Host::Under(name.to_string()),
        false => Host::Exact(name.to_string()),
    })
}

/// Common public suffixes of more than one label (from the Public Suffix List,
/// publicsuffix.org): a pattern on one of these would match every site registered under it.
/// A short list of the ones people write by mistake, not the whole list.
const PUBLIC_SUFFIXES: &[&str] = &[
    "ac.uk",
    "co.uk",
    "gov.uk",
    "org.uk",
    "me.uk",
    "ltd.uk",
    "plc.uk",
    "com.au",
    "net.au",
    "org.au",
    "edu.au",
    "co.nz",
    "org.nz",
    "co.jp",
    "ne.jp",
    "or.jp",
    "co.in",
    "co.kr",
    "co.za",
    "co.il",
    "com.br",
    "com.cn",
    "com.hk",
    "com.mx",
    "com.sg",
    "com.tr",
    "com.tw",
    "com.ar",
    "com.my",
    "github.io",
    "gitlab.io",
    "herokuapp.com",
    "vercel.app",
    "netlify.app",
    "pages.dev",
    "workers.dev",
    "web.app",
    "firebaseapp.com",
    "appspot.com",
    "blogspot.com",
    "azurewebsites.net",
    "cloudfront.net",
    "s3.amazonaws.com",
];

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

/// A name or badge is shown as written, so it must be what the sanitizer would leave.
fn check_text(what: &str, text: &str) -> Result<(), String> {
    match crate::sanitize::line(text) == text {
        true => Ok(()),
        false => Err(format!(
            "the {what} has control, bidi or invisible characters a terminal would act on: \
             remove them"
        )),
    }
}

/// A badge fits its column on agenda rows.
fn check_badge(badge: &str) -> Result<(), String> {
    check_text("badge", badge)?;
    let width = badge.width();
    if width == 0 || width > BADGE_COLUMNS {
        return Err(format!(
            "the badge {badge:?} is {width} columns wide: agenda rows show 1 to \
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
    words
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::links::find_all_in_text;

    const TEAMS: &str = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NDQ2YzU4ZjEtYTk3%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af%22%2c%22Oid%22%3a%22d1e2f3a4-b5c6%22%7d";

    /// Real-world link forms of every service, by key: from invitations and the services'
    /// documentation.
    const MEETINGS: &[(&str, &[&str])] = &[
        ("meet", &[
            "https://meet.google.com/abc-defg-hij",
            "https://meet.google.com/abc-defg-hij?authuser=1&hs=122",
            "https://MEET.Google.COM/abc-defg-hij",
            "https://meet.google.com/lookup/abcdef12",
        ]),
        ("zoom", &[
            "https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234",
            "https://zoom.us/j/81234567890",
            "https://company.zoom.us/my/alex",
            "https://zoom.us/w/81234567890?tk=abc",
            "https://us06web.zoom.us/s/81234567890",
            "https://zoom.us/wc/join/81234567890",
            "https://agency.zoomgov.com/j/1601234567",
            "http://zoom.us/j/123",
        ]),
        ("teams", &[
            TEAMS,
            "https://teams.live.com/meet/9345678901234",
            "https://teams.microsoft.com/meet/2345678901?p=AbCdEf",
            "https://dod.teams.microsoft.us/l/meetup-join/19%3ameeting_x",
            "https://gov.teams.microsoft.us/meet/2345678901?p=AbCdEf",
        ]),
        ("webex", &[
            "https://acme.webex.com/meet/alex",
            "https://acme.webex.com/join/alex",
            "https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef",
            "https://web.webex.com/wbxmjs/joinservice/sites/acme/meeting/x",
        ]),
        ("goto", &[
            "https://global.gotomeeting.com/join/123456789",
            "https://meet.goto.com/123456789",
            "https://app.goto.com/meeting/123456789",
            "https://gotomeet.me/alexsmith",
        ]),
        ("bluejeans", &[
            "https://bluejeans.com/123456789",
            "https://bluejeans.com/123456789/2468?src=calendarLink",
        ]),
        ("whereby", &["https://whereby.com/team-standup", "https://acme.whereby.com/sales-room/"]),
        ("jitsi", &["https://meet.jit.si/WeeklySync", "https://8x8.vc/vpaas-magic-cookie-1a2b/Room"]),
        ("chime", &["https://chime.aws/1234567890", "https://app.chime.aws/meetings/abc-123"]),
        ("slack", &[
            "https://app.slack.com/huddle/T0123ABCD/C0456EFGH",
            "https://acme.slack.com/huddle/T0123ABCD/C0456EFGH",
        ]),
        ("phone", &[
            "tel:+1-555-0100",
            "TEL:+44.20.7946.0000;ext=12",
            "tel:+1-402-555-0123,,123456789#",
            "tel:(555)0100",
        ]),
        ("discord", &[
            "https://discord.gg/AbCdEf12",
            "https://discord.com/invite/AbCdEf12",
            "https://discord.com/channels/123456789012345678/987654321098765432",
            "https://canary.discord.com/channels/1/2",
            "https://discordapp.com/invite/AbCdEf12",
        ]),
        ("skype", &["https://join.skype.com/AbCdEfGhIjKl", "https://join.skype.com/invite/AbCdEfGhIjKl"]),
        ("skype-business", &[
            "https://meet.lync.com/contoso/alex/ABCD1234",
            "https://meet.lync.com/contoso-com/alex.smith/8F2KQ3PZ",
        ]),
        ("ringcentral", &[
            "https://v.ringcentral.com/join/123456789",
            "https://v.ringcentral.com/join/123456789?pw=0123456789abcdef0123456789abcdef",
            "https://meetings.ringcentral.com/j/1481234567",
        ]),
        ("ringcentral-events", &[
            "https://events.ringcentral.com/events/product-launch-2024",
            "https://hopin.com/events/devcon-2023",
            "https://app.hopin.com/events/devcon-2023/reception",
        ]),
        ("lifesize", &["https://call.lifesizecloud.com/1234567", "https://call.lifesizecloud.com/1234567/"]),
        ("zoho-meeting", &[
            "https://meeting.zoho.com/join?key=1234567890",
            "https://meeting.zoho.eu/meeting/register?sessionId=1234567890",
            "https://meeting.zoho.in/join?key=1234567890",
        ]),
        ("zoho-cliq", &["https://cliq.zoho.com/meetings/AbCd123", "https://cliq.zoho.eu/meetings/AbCd123"]),
        ("dialpad", &["https://meetings.dialpad.com/alexsmith", "https://meetings.dialpad.com/room/acme-standup"]),
        ("livestorm", &[
            "https://app.livestorm.co/p/0a1b2c3d-4e5f-6789-abcd-ef0123456789/live",
            "https://app.livestorm.co/p/0a1b2c3d-4e5f-6789-abcd-ef0123456789/live?s=abc",
        ]),
        ("gather", &[
            "https://app.gather.town/app/AbCdEf123/acme-office",
            "https://app.v2.gather.town/app/AbCdEf123/acme-office?spawnToken=xyz",
        ]),
        ("tuple", &["https://tuple.app/c/AbCdEf", "https://tuple.app/c/alex/AbCdEf"]),
        ("daily", &["https://acme.daily.co/standup", "https://acme.daily.co/standup?t=eyJhbGciOi"]),
        ("gotowebinar", &[
            "https://global.gotowebinar.com/join/1234567890123456789/123456789",
            "https://attendee.gotowebinar.com/register/1234567890123456789",
            "https://register.gotowebinar.com/register/1234567890123456789",
        ]),
        ("vimeo", &[
            "https://vimeo.com/event/1234567",
            "https://vimeo.com/event/1234567/embed",
            "https://www.vimeo.com/event/1234567",
        ]),
        ("youtube", &[
            "https://www.youtube.com/live/AbCdEfGhIjK",
            "https://youtube.com/live/AbCdEfGhIjK?feature=share",
            "https://m.youtube.com/live/AbCdEfGhIjK",
            "https://www.youtube.com/@acme/live",
        ]),
        ("workplace", &[
            "https://acme.workplace.com/groupcall/LINK:abc123def456/",
            "https://www.workplace.com/groupcall/ROOM:1234567890/",
        ]),
        ("streamyard", &[
            "https://streamyard.com/a1b2c3d4e5",
            "https://www.streamyard.com/a1b2c3d4e5/",
            "https://streamyard.com/watch/AbCd1234",
        ]),
        ("pexip", &[
            "https://pexip.me/teams/meet.example.org/1223269644",
            "https://pexip.me/teams/acme.onpexip.com/1234567890",
            "https://gmeet.pexip.me/webapp/#/?conference=8000abc",
        ]),
        ("bigbluebutton", &[
            "https://demo.bigbluebutton.org/rooms/abc-def-ghi-jkl/join",
            "https://demo.bigbluebutton.org/b/ale-x2k-9qz",
        ]),
        ("element", &[
            "https://call.element.io/room/#/standup?roomId=!abc:matrix.org",
            "https://call.element.io/standup",
        ]),
        ("voov", &["https://voovmeeting.com/dm/AbCdEf12", "https://www.voovmeeting.com/p/1234567890"]),
        ("tencent-meeting", &["https://meeting.tencent.com/dm/AbCdEf12", "https://meeting.tencent.com/p/1234567890"]),
        ("lark", &["https://vc.larksuite.com/j/123456789", "https://vc.larksuite.com/j/123456789?from=calendar"]),
        ("feishu", &["https://vc.feishu.cn/j/123456789", "https://vc.feishu.cn/j/123456789?from=calendar"]),
        ("dingtalk", &["https://meeting.dingtalk.com/j/AbCdEf123", "https://meeting.dingtalk.com/j/AbCdEf123?from=share"]),
        ("telemost", &[
            "https://telemost.yandex.ru/j/12345678901234",
            "https://telemost.yandex.com/j/12345678901234",
            "https://telemost.360.yandex.ru/j/12345678901234",
        ]),
        ("kumospace", &["https://www.kumospace.com/acme", "https://www.kumospace.com/acme-offsite/"]),
        ("hangouts", &[
            "https://hangouts.google.com/hangouts/_/acme.com/standup",
            "https://hangouts.google.com/call/AbCdEf123",
        ]),
        ("zoom-events", &["https://events.zoom.us/ev/AbCdEf123~xyz", "https://events.zoom.us/ev/AbCdEf123/lobby"]),
        ("jam", &["https://jam.systems/acme-standup", "https://jam.systems/AbC123?ref=x"]),
        ("demio", &["https://event.demio.com/ref/AbCdEf123", "https://my.demio.com/ref/AbCdEf123"]),
        ("riverside", &["https://riverside.fm/studio/acme-podcast", "https://www.riverside.fm/studio/acme-podcast?t=abc123"]),
        ("pop", &["https://pop.com/j/123-456-789", "https://pop.com/j/123456789"]),
        ("zhumu", &["https://welink.zhumu.com/j/1234567890?pwd=AbCd", "https://zhumu.com/j/1234567890"]),
        ("bbcollab", &[
            "https://us.bbcollab.com/guest/0123456789abcdef",
            "https://eu.bbcollab.com/collab/ui/session/guest/0123456789abcdef",
            "https://ca.bbcollab.com/invite/0123456789abcdef",
        ]),
        ("chorus", &["https://go.chorus.ai/AbCdEf123", "https://go.chorus.ai/alex-smith"]),
        ("gong", &["https://acme.join.gong.io/alex-smith/sales-call", "https://join.gong.io/my/alex"]),
        ("calcom", &["https://app.cal.com/video/AbCdEf123", "https://app.cal.com/video/9f8e7d6c-5b4a"]),
        ("facetime", &[
            "https://facetime.apple.com/join#v=1&p=AbCdEf123&k=xyz",
            "https://facetime.apple.com/join/#v=1&p=AbCd",
        ]),
        ("whatsapp", &["https://call.whatsapp.com/video/AbCdEf123", "https://call.whatsapp.com/voice/AbCdEf123"]),
        ("starleaf", &["https://meet.starleaf.com/1234567890", "https://meet.starleaf.com/4561234567/app"]),
        ("livekit", &["https://meet.livekit.io/rooms/acme-standup", "https://meet.livekit.io/rooms/abc-123#e2ee"]),
        ("pumble", &["https://meet.pumble.com/abc-defg-hij", "https://meet.pumble.com/acme-standup"]),
        ("airmeet", &["https://www.airmeet.com/e/0a1b2c3d-4e5f-6789", "https://airmeet.com/e/0a1b2c3d-4e5f-6789"]),
        ("on24", &[
            "https://event.on24.com/wcc/r/1234567/ABCDEF0123456789",
            "https://event.on24.com/eventRegistration/EventLobbyServlet?target=reg20.jsp&eventid=1234567",
        ]),
        ("crowdcast", &["https://www.crowdcast.io/e/acme-launch", "https://crowdcast.io/e/acme-launch/register"]),
        ("vidyo", &["https://acme.vidyocloud.com/join/AbCdEf123", "https://vidyocloud.com/join/AbCdEf123"]),
        ("adobe-connect", &["https://meet12345678.adobeconnect.com/r1abc2def3/", "https://acme.adobeconnect.com/standup"]),
        ("kmeet", &["https://kmeet.infomaniak.com/abcdef-123456", "https://kmeet.infomaniak.com/acme-standup"]),
        ("teamviewer", &["https://go.teamviewer.com/m12345678", "https://go.teamviewer.com/m87654321?pw=x"]),
        ("around", &["https://meet.around.co/r/acme-standup", "https://meet.around.co/r/AbCdEf"]),
        ("vonage", &["https://meetings.vonage.com/123456789", "https://meetings.vonage.com/123456789?pin=1234"]),
        ("teemyco", &["https://app.teemyco.com/room/AbCdEf123", "https://app.teemyco.com/room/acme/standup"]),
    ];

    /// Pages on the services' own hosts that are not meetings: home pages, product pages,
    /// sign-in, half a link.
    const NOT_MEETINGS: &[(&str, &[&str])] = &[
        (
            "meet",
            &[
                "https://meet.google.com/",
                "https://meet.google.com/landing",
                "https://meet.google.com/abc-defg-hijk",
            ],
        ),
        (
            "zoom",
            &[
                "https://zoom.us/",
                "https://zoom.us/pricing",
                "https://zoom.us/j/",
                "https://zoom.us/j/../../signin",
                "https://explore.zoom.us/en/products/meetings/",
            ],
        ),
        (
            "teams",
            &[
                "https://teams.microsoft.com/v2/",
                "https://teams.live.com/",
                "https://teams.microsoft.com/meetingOptions/?organizerId=d1e2",
            ],
        ),
        (
            "webex",
            &[
                "https://acme.webex.com/acme/j.php?RCID=1",
                "https://acme.webex.com/acme/deep/j.php?MTID=m01",
                "https://www.webex.com/pricing/index.html",
            ],
        ),
        (
            "goto",
            &[
                "https://www.goto.com/meeting",
                "https://global.gotomeeting.com/join/",
                "https://app.goto.com/home",
            ],
        ),
        (
            "bluejeans",
            &[
                "https://www.bluejeans.com/pricing",
                "https://bluejeans.com/",
            ],
        ),
        (
            "whereby",
            &[
                "https://whereby.com/information/pricing",
                "https://whereby.com/",
            ],
        ),
        (
            "jitsi",
            &["https://meet.jit.si/", "https://jitsi.org/jitsi-meet/"],
        ),
        (
            "chime",
            &["https://chime.aws/download", "https://app.chime.aws/"],
        ),
        (
            "slack",
            &[
                "https://slack.com/features/huddles",
                "https://acme.slack.com/archives/C0456EFGH",
            ],
        ),
        (
            "phone",
            &[
                "tel:12",
                "tel:",
                "tel:+1 555 0100",
                "tel:call-me",
                "tel:+1-555-0100;ext=1 2",
            ],
        ),
        (
            "discord",
            &["https://discord.com/", "https://discord.com/download"],
        ),
        ("skype", &["https://join.skype.com/"]),
        (
            "ringcentral",
            &[
                "https://www.ringcentral.com/video.html",
                "https://v.ringcentral.com/",
            ],
        ),
        ("lifesize", &["https://call.lifesizecloud.com/login"]),
        (
            "zoho-meeting",
            &["https://www.zoho.com/meeting/", "https://meeting.zoho.com/"],
        ),
        (
            "daily",
            &[
                "https://www.daily.co/pricing",
                "https://docs.daily.co/reference",
                "https://daily.co/blog",
            ],
        ),
        (
            "gotowebinar",
            &[
                "https://www.goto.com/webinar",
                "https://global.gotowebinar.com/",
            ],
        ),
        (
            "vimeo",
            &[
                "https://vimeo.com/123456789",
                "https://vimeo.com/features/livestreaming",
            ],
        ),
        (
            "youtube",
            &[
                "https://www.youtube.com/watch?v=AbCdEfGhIjK",
                "https://www.youtube.com/@acme/videos",
            ],
        ),
        (
            "streamyard",
            &[
                "https://streamyard.com/pricing",
                "https://streamyard.com/resources/",
            ],
        ),
        ("pexip", &["https://pexip.me/test/firewall"]),
        (
            "kumospace",
            &[
                "https://www.kumospace.com/pricing",
                "https://www.kumospace.com/help/managing-your-space",
                "https://www.kumospace.com/home",
            ],
        ),
        ("hangouts", &["https://hangouts.google.com/"]),
        ("zoom-events", &["https://events.zoom.us/"]),
        (
            "adobe-connect",
            &[
                "https://www.adobeconnect.com/products",
                "https://acme.adobeconnect.com/",
            ],
        ),
        (
            "facetime",
            &[
                "https://facetime.apple.com/",
                "https://facetime.apple.com/join/x",
            ],
        ),
        ("vonage", &["https://meetings.vonage.com/pricing"]),
        ("bbcollab", &["https://us.bbcollab.com/"]),
        ("airmeet", &["https://www.airmeet.com/hub/pricing"]),
        ("skype-business", &["https://meet.lync.com/"]),
        (
            "ringcentral-events",
            &[
                "https://hopin.com/pricing",
                "https://events.ringcentral.com/",
            ],
        ),
        (
            "zoho-cliq",
            &["https://cliq.zoho.com/", "https://cliq.zoho.eu/meetings/"],
        ),
        ("dialpad", &["https://meetings.dialpad.com/"]),
        (
            "livestorm",
            &[
                "https://app.livestorm.co/",
                "https://app.livestorm.co/acme/settings",
            ],
        ),
        (
            "gather",
            &["https://app.gather.town/", "https://app.gather.town/signin"],
        ),
        (
            "tuple",
            &["https://tuple.app/", "https://tuple.app/pricing"],
        ),
        ("workplace", &["https://www.workplace.com/features"]),
        (
            "bigbluebutton",
            &[
                "https://demo.bigbluebutton.org/",
                "https://demo.bigbluebutton.org/signin",
            ],
        ),
        ("element", &["https://call.element.io/"]),
        (
            "voov",
            &[
                "https://voovmeeting.com/download-center.html",
                "https://www.voovmeeting.com/",
            ],
        ),
        (
            "tencent-meeting",
            &["https://meeting.tencent.com/download/"],
        ),
        (
            "lark",
            &["https://vc.larksuite.com/", "https://vc.larksuite.com/j/"],
        ),
        ("feishu", &["https://vc.feishu.cn/"]),
        ("dingtalk", &["https://meeting.dingtalk.com/"]),
        ("telemost", &["https://telemost.yandex.ru/"]),
        ("jam", &["https://jam.systems/"]),
        (
            "demio",
            &["https://event.demio.com/", "https://my.demio.com/login"],
        ),
        (
            "riverside",
            &[
                "https://riverside.fm/pricing",
                "https://riverside.fm/studio/",
            ],
        ),
        ("pop", &["https://pop.com/", "https://pop.com/download"]),
        ("zhumu", &["https://welink.zhumu.com/download"]),
        ("chorus", &["https://go.chorus.ai/"]),
        ("gong", &["https://join.gong.io/"]),
        (
            "calcom",
            &[
                "https://app.cal.com/bookings/upcoming",
                "https://app.cal.com/video/",
            ],
        ),
        (
            "whatsapp",
            &[
                "https://call.whatsapp.com/",
                "https://call.whatsapp.com/video/",
            ],
        ),
        ("starleaf", &["https://meet.starleaf.com/"]),
        (
            "livekit",
            &["https://meet.livekit.io/", "https://meet.livekit.io/custom"],
        ),
        ("pumble", &["https://meet.pumble.com/"]),
        ("on24", &["https://event.on24.com/"]),
        ("crowdcast", &["https://www.crowdcast.io/pricing"]),
        ("vidyo", &["https://acme.vidyocloud.com/"]),
        ("kmeet", &["https://kmeet.infomaniak.com/"]),
        ("teamviewer", &["https://go.teamviewer.com/"]),
        ("around", &["https://meet.around.co/"]),
        ("teemyco", &["https://app.teemyco.com/login"]),
    ];

    fn key_of(url: &str) -> Option<&'static str> {
        provider_of(url).map(Provider::key)
    }

    #[test]
    fn every_service_recognises_its_links() {
        let mut wrong = Vec::new();
        for (key, urls) in MEETINGS {
            for url in *urls {
                if key_of(url) != Some(key) {
                    wrong.push(format!("{key}: {url} → {:?}", key_of(url)));
                }
            }
        }
        assert!(wrong.is_empty(), "misread links:\n{}", wrong.join("\n"));
    }

    #[test]
    fn every_service_has_two_tested_link_forms_and_a_page_that_is_no_meeting() {
        let table = Table::built_in();
        let untested: Vec<&str> = table
            .rows
            .iter()
            .map(|r| r.key.as_str())
            .filter(|&k| k != "other")
            .filter(|k| {
                MEETINGS
                    .iter()
                    .find(|(m, _)| m == k)
                    .is_none_or(|(_, u)| u.len() < 2)
            })
            .collect();
        assert!(
            untested.is_empty(),
            "services without two tested links: {untested:?}"
        );
        for (key, _) in MEETINGS.iter().chain(NOT_MEETINGS) {
            assert!(table.by_key(key).is_some(), "{key} is not in the table");
        }
        let no_negative: Vec<&str> = MEETINGS
            .iter()
            .map(|(key, _)| *key)
            .filter(|key| !NOT_MEETINGS.iter().any(|(k, _)| k == key))
            .collect();
        assert!(
            no_negative.is_empty(),
            "services without a page that is no meeting: {no_negative:?}"
        );
    }

    #[test]
    fn product_pages_are_not_meetings() {
        let mut wrong = Vec::new();
        for (key, urls) in NOT_MEETINGS {
            for url in *urls {
                if let Some(got) = key_of(url) {
                    wrong.push(format!("{key}: {url} → {got}"));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "pages read as meetings:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn look_alike_hosts_and_tricks_are_rejected() {
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
            "https://discord.gg.evil.com/AbC",
            "https://evildiscord.gg/AbC",
            "https://meet.jit.si.evil.io/Room",
            "https://join.skype.com@evil.com/x",
            "https://evil.com\\@join.skype.com/x",
            "https://vc.larksuite.com.evil.cn/j/1",
            "https://app.cal.com.evil.io/video/abc",
            "https://notdaily.co/room",
            "https://acme.daily.co.evil.io/room",
            "https://telemost.yandex.ru.evil.ru/j/1",
            "https://x.meet.google.com/abc-defg-hij",
            "https://www.google.com/search?q=zoom",
            "ftp://zoom.us/j/123",
            "javascript:alert(1)//zoom.us/j/1",
            "zoom.us/j/123",
            "",
            "not a url",
            "telephone:+15550100",
        ];
        for url in cases {
            assert_eq!(provider_of(url), None, "{url}");
        }
    }

    /// SafeLinks (Outlook) and Google redirects around other services' links are looked
    /// through by `find_all_in_text`, and their host is still matched exactly.
    #[test]
    fn wrapped_links_are_found_for_every_kind_of_service() {
        let encode = |u: &str| {
            u.replace('%', "%25")
                .replace(':', "%3A")
                .replace('/', "%2F")
                .replace('?', "%3F")
                .replace('=', "%3D")
                .replace('&', "%26")
        };
        let cases = [
            ("discord", "https://discord.gg/AbCdEf12"),
            ("lark", "https://vc.larksuite.com/j/123456789"),
            (
                "zoho-meeting",
                "https://meeting.zoho.com/join?key=1234567890",
            ),
            (
                "webex",
                "https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef",
            ),
            ("dingtalk", "https://meeting.dingtalk.com/j/AbCdEf123"),
            ("teams", TEAMS),
        ];
        for (key, url) in cases {
            let safelinks = format!(
                "Join: <https://nam12.safelinks.protection.outlook.com/?url={}&data=05%7C01&reserved=0>",
                encode(url)
            );
            let google = format!(
                "https://www.google.com/url?q={}&sa=D&source=calendar",
                encode(url)
            );
            for text in [safelinks, google] {
                let found: Vec<_> = find_all_in_text(&text)
                    .into_iter()
                    .map(|l| (l.provider.key(), l.url))
                    .collect();
                assert_eq!(found, [(key, url.to_string())], "{text}");
            }
        }
        let wrapped_look_alike = format!(
            "https://nam12.safelinks.protection.outlook.com/?url={}&data=x",
            encode("https://discord.gg.evil.com/AbC")
        );
        assert_eq!(find_all_in_text(&wrapped_look_alike), []);
    }

    #[test]
    fn the_table_has_fifty_services_with_unique_keys_names_and_short_badges() {
        let table = Table::built_in();
        assert!(table.rows.len() >= 50, "{} services", table.rows.len());
        let consts = [
            (Provider::Meet, "meet"),
            (Provider::Zoom, "zoom"),
            (Provider::Teams, "teams"),
            (Provider::Webex, "webex"),
            (Provider::GoToMeeting, "goto"),
            (Provider::BlueJeans, "bluejeans"),
            (Provider::Whereby, "whereby"),
            (Provider::Jitsi, "jitsi"),
            (Provider::Chime, "chime"),
            (Provider::Slack, "slack"),
            (Provider::Other, "other"),
        ];
        for (p, key) in consts {
            assert_eq!(p.key(), key);
        }
        let mut keys = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for row in &table.rows {
            assert!(keys.insert(row.key.as_str()), "key {} twice", row.key);
            assert!(
                names.insert(row.name.to_lowercase()),
                "name {} twice",
                row.name
            );
            let width = row.badge.width();
            assert!(
                (1..=BADGE_COLUMNS).contains(&width),
                "badge {:?}",
                row.badge
            );
        }
        assert_eq!(Provider::Teams.name(), "Microsoft Teams");
        assert_eq!(Provider::Other.name(), "Video");
        assert_eq!(Provider::BlueJeans.badge(), "BlueJ");
    }

    #[test]
    fn providers_are_cached_by_key_and_unknown_keys_read_back_as_other() {
        let discord = provider_of("https://discord.gg/AbCdEf12").unwrap();
        for p in [Provider::Zoom, Provider::Other, discord] {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.key()));
            assert_eq!(serde_json::from_str::<Provider>(&json).unwrap(), p);
        }
        let gone: Provider = serde_json::from_str("\"a-service-since-removed\"").unwrap();
        assert_eq!(gone, Provider::Other);
    }

    fn entry(name: &str, badge: Option<&str>, patterns: &[&str]) -> UserProvider {
        UserProvider {
            name: name.into(),
            badge: badge.map(Into::into),
            pattern: match patterns {
                [one] => Patterns::One(one.to_string()),
                many => Patterns::Many(many.iter().map(|p| p.to_string()).collect()),
            },
        }
    }

    fn named(table: &Table, url: &str) -> Option<(String, String, String)> {
        let row = table.row(table.provider_of(url)?);
        Some((row.key.clone(), row.name.clone(), row.badge.clone()))
    }

    #[test]
    fn user_entries_add_services_and_override_built_in_ones() {
        let table = Table::build(&[
            entry(
                "Acme Video",
                Some("Acme"),
                &[
                    "video.acme.corp/room/",
                    "https://*.meet.acme.corp/j/{digits}$",
                ],
            ),
            entry("zoom", None, &["ZOOM.acme.corp/"]),
            entry("Google Meet", Some("GMeet"), &["meet.google.com/lookup/"]),
            entry(
                "Internal Video Bridge",
                None,
                &["bridge.acme.corp/join?conf="],
            ),
            entry("Zoom rooms", Some("ZRoom"), &["*.zoom.us/j/"]),
        ])
        .unwrap();
        let acme = Some(("acme-video".into(), "Acme Video".into(), "Acme".into()));
        assert_eq!(named(&table, "https://video.acme.corp/room/42"), acme);
        assert_eq!(named(&table, "https://eu.meet.acme.corp/j/1234"), acme);
        assert_eq!(named(&table, "https://meet.acme.corp/j/1234/"), acme);
        for not in [
            "https://video.acme.corp/",
            "https://video.acme.corp/room/",
            "https://eu.meet.acme.corp/j/12a",
            "https://eu.meet.acme.corp/j/12/x",
            "https://video.acme.corp.evil.io/room/42",
        ] {
            assert_eq!(table.provider_of(not), None, "{not}");
        }
        // Overridden by key: the new rules replace Zoom's, name and badge stay.
        let zoom = Some(("zoom".into(), "Zoom".into(), "Zoom".into()));
        assert_eq!(named(&table, "https://zoom.acme.corp/x"), zoom);
        // Overridden by name: Meet keeps only the user's rule, with the user's badge.
        assert_eq!(
            table.provider_of("https://meet.google.com/lookup/abc"),
            Some(Provider::Meet)
        );
        assert_eq!(
            table.provider_of("https://meet.google.com/abc-defg-hij"),
            None
        );
        assert_eq!(table.row(Provider::Meet).badge, "GMeet");
        // No badge: the name cut to 7 columns.
        let bridge = named(&table, "https://bridge.acme.corp/join?conf=77&x=1").unwrap();
        assert_eq!(
            (bridge.0.as_str(), bridge.2.as_str()),
            ("internal-video-bridge", "Interna")
        );
        assert_eq!(table.provider_of("https://bridge.acme.corp/join?x=1"), None);
        // On a host the built-in table also has, the user's rules are tried first.
        assert_eq!(
            named(&table, "https://us02web.zoom.us/j/1").unwrap().1,
            "Zoom rooms"
        );
        // A page the table knows as a product site is still the user's to claim.
        let daily = Table::build(&[entry("Daily", None, &["www.daily.co/rooms/"])]).unwrap();
        assert_eq!(
            daily
                .provider_of("https://www.daily.co/rooms/x")
                .map(|p| daily.row(p).key.as_str()),
            Some("daily")
        );
        assert_eq!(daily.provider_of("https://www.daily.co/pricing"), None);
        // The rest of the table is untouched.
        assert_eq!(
            table
                .provider_of("https://discord.gg/AbCdEf12")
                .map(|p| table.row(p).key.as_str()),
            Some("discord")
        );
    }

    #[test]
    fn the_phone_row_can_be_overridden() {
        let table = Table::build(&[entry("Phone", Some("Dial"), &["tel:"])]).unwrap();
        let phone = table.provider_of("tel:+1-555-0100").unwrap();
        assert_eq!(table.row(phone).badge, "Dial");
        let none = Table::build(&[entry("phone", None, &["dialin.acme.corp/"])]).unwrap();
        assert_eq!(none.provider_of("tel:+1-555-0100"), None);
    }

    #[test]
    fn bad_entries_are_explained_with_the_fix() {
        let cases: Vec<(Vec<UserProvider>, &str)> = vec![
            (vec![entry("Acme", None, &[""])], "a pattern is empty"),
            (vec![entry("Acme", None, &[])], "the pattern list is empty"),
            (
                vec![entry("Acme", None, &["ftp://files.acme.corp/x"])],
                "is for ftp: links",
            ),
            (
                vec![entry("Acme", Some("Acme Video Bridge"), &["v.acme.corp/"])],
                "is 17 columns wide",
            ),
            (
                vec![entry("Acme", Some(""), &["v.acme.corp/"])],
                "is 0 columns wide",
            ),
            (
                vec![entry("Acme", None, &["*.com"])],
                "would match every site under .com",
            ),
            (
                vec![entry("Acme", None, &["*.com/room/"])],
                "would match every site under .com",
            ),
            (
                vec![entry("Acme", None, &["*.co.uk/room/"])],
                "names co.uk, a public suffix",
            ),
            (
                vec![entry("Acme", None, &["*.github.io"])],
                "names github.io, a public suffix",
            ),
            (
                vec![entry("Acme", None, &["com.au/"])],
                "names com.au, a public suffix",
            ),
            (vec![entry("Acme", None, &["video/room/"])], "has no domain"),
            (
                vec![entry("Acme", None, &["video.acme.corp:8443/room/"])],
                "has a port",
            ),
            (
                vec![entry("Acme", None, &["alex@video.acme.corp/room/"])],
                "has '@'",
            ),
            (
                vec![entry("Acme", None, &["video.acme.corp/{room}/"])],
                "in its path",
            ),
            (
                vec![entry("Acme", None, &["video.acme.corp//x"])],
                "empty path segment",
            ),
            (
                vec![entry("Acme", None, &["video.*.acme.corp/x"])],
                "a * may only open it",
            ),
            (
                vec![entry("Acme", None, &["video.acme.corp/x?room"])],
                "write ?name=",
            ),
            (
                vec![entry("Acme", None, &["vidéo.acme.corp/x"])],
                "punycode",
            ),
            (
                vec![entry("Acme", None, &["video.acme.corp/a room"])],
                "has spaces",
            ),
            (
                vec![entry(" ", None, &["video.acme.corp/"])],
                "the name is empty",
            ),
            (
                vec![entry("Acme\u{1b}[31m", None, &["video.acme.corp/"])],
                "invisible characters",
            ),
            (
                vec![entry("Acme", Some("\u{202e}emcA"), &["video.acme.corp/"])],
                "invisible characters",
            ),
            (
                vec![
                    entry("Acme", None, &["a.acme.corp/"]),
                    entry("ACME", None, &["b.acme.corp/"]),
                ],
                "already given by an earlier entry",
            ),
            (
                vec![
                    entry("Zoom", None, &["a.acme.corp/"]),
                    entry("zoom", None, &["b.acme.corp/"]),
                ],
                "already given by an earlier entry",
            ),
        ];
        for (entries, want) in cases {
            let err = check(&entries).expect_err(want);
            assert!(err.contains(want), "{err:?} should say {want:?}");
            let last = entries.len();
            assert!(
                err.starts_with(&format!("[[providers]] entry {last} (")),
                "{err}"
            );
        }
        assert_eq!(check(&[]), Ok(()));
        // Badges are measured in columns: three wide letters fit, four do not.
        assert_eq!(
            check(&[entry("Acme", Some("Ａｃｍ"), &["https://video.acme.corp/"])]),
            Ok(())
        );
        let wide = check(&[entry(
            "Acme",
            Some("Ａｃｍｅ"),
            &["https://video.acme.corp/"],
        )]);
        assert!(wide.unwrap_err().contains("is 8 columns wide"));
    }

    #[test]
    fn the_config_reports_a_bad_entry_at_its_place() {
        let text =
            "days = 3\n\n[[providers]]\nname = \"Acme\"\npattern = \"ftp://files.acme.corp/\"\n";
        let err = crate::config::Config::parse(Some(text)).expect_err("refused");
        assert!(err.contains("is for ftp: links"), "{err}");
        let ok = "[[providers]]\nname = \"Acme Video\"\nbadge = \"Acme\"\npattern = [\"video.acme.corp/room/\", \"*.meet.acme.corp/\"]\n";
        let config = crate::config::Config::parse(Some(ok)).expect("accepted");
        assert_eq!(config.providers.len(), 1);
    }
}
