//! Meeting templates: defaults from assets/templates.toml, overridden by the config file.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::calendar::model::SendUpdates;
use crate::calendar::write::Reminder;
use crate::timeparse;

pub const DEFAULTS: &str = include_str!("../assets/templates.toml");

/// The template the form starts from when no other fits; always listed last.
const BLANK: &str = "Blank";
/// Placeholders filled from the meeting itself (see [`builtin`]); the form asks for the rest.
const BUILTINS: [&str; 5] = ["date", "time", "weekday", "zone", "duration"];
const DEFAULT_MINUTES: i64 = 30;
/// Google's limit for a reminder: four weeks.
const MAX_REMINDER_MINUTES: u32 = 40_320;

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub name: String,
    /// May contain `{placeholders}`.
    pub title: String,
    pub duration: Duration,
    /// The form's text: "" | "daily" | "weekdays" | "weekly" | "monthly" | an RRULE; checked at
    /// load, turned into a rule against the real start by [`timeparse::parse_recurrence`].
    pub recurrence: String,
    /// May contain `{placeholders}`.
    pub description: String,
    pub attendees: Vec<String>,
    /// `None`: the calendar's default reminders.
    pub reminders: Option<Vec<Reminder>>,
    pub meet: bool,
    /// `None`: the form's rule (everyone when there are guests).
    pub send_updates: Option<SendUpdates>,
    /// A calendar id; `None`: the primary calendar.
    pub calendar: Option<String>,
}

/// One `[[templates]]` entry as written in TOML; [`load`] checks it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTemplate {
    name: String,
    #[serde(default)]
    title: String,
    duration: Option<String>,
    #[serde(default)]
    recurrence: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    attendees: Vec<String>,
    reminders: Option<Vec<RawReminder>>,
    meet: Option<bool>,
    send_updates: Option<String>,
    calendar: Option<String>,
}

/// Its own type rather than [`Reminder`] so that a misspelt key is an error, not ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReminder {
    method: String,
    minutes: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    templates: Vec<RawTemplate>,
}

/// The defaults with the user's `[[templates]]` merged in: a user template with a default's
/// name (as [`find`] compares names) replaces it in place; others are appended in file order.
/// "Blank" is always there, and last.
pub fn load(user: &[RawTemplate]) -> Result<Vec<Template>, TemplateError> {
    let defaults: File = toml::from_str(DEFAULTS).map_err(|e| TemplateError {
        path: Vec::new(),
        message: format!("built-in templates: {e}"),
    })?;
    let mut templates = defaults
        .templates
        .iter()
        .map(|raw| raw.resolve().map_err(|m| m.at(Vec::new())))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, raw) in user.iter().enumerate() {
        let entry = vec!["templates".to_string(), i.to_string()];
        if user[..i]
            .iter()
            .any(|earlier| key(&earlier.name) == key(&raw.name))
        {
            let why = format!(
                "template \"{}\" is defined twice: keep one [[templates]] entry with that name",
                raw.name
            );
            return Err(Mistake::new(&["name"], why).at(entry));
        }
        let template = raw.resolve().map_err(|m| m.at(entry))?;
        match templates
            .iter()
            .position(|t| key(&t.name) == key(&template.name))
        {
            Some(at) => templates[at] = template,
            None => templates.push(template),
        }
    }
    if let Some(at) = templates.iter().position(|t| key(&t.name) == key(BLANK)) {
        let blank = templates.remove(at);
        templates.push(blank);
    }
    Ok(templates)
}

/// A mistake in the user's templates: what to do, and where: the key path of the value at
/// fault (`["templates", "2", "duration"]`), so the config can name its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub path: Vec<String>,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TemplateError {}

/// A mistake inside one entry: the path below the entry, and the message.
struct Mistake {
    within: Vec<String>,
    message: String,
}

impl Mistake {
    fn new(within: &[&str], message: String) -> Mistake {
        Mistake {
            within: within.iter().map(|s| s.to_string()).collect(),
            message,
        }
    }

    /// The error, for the entry at `entry`.
    fn at(self, mut entry: Vec<String>) -> TemplateError {
        entry.extend(self.within);
        TemplateError {
            path: entry,
            message: self.message,
        }
    }
}

/// The `{names}` in the title and description that the user fills in: every placeholder that
/// is not a built-in, in order of first appearance, once each.
pub fn placeholders(t: &Template) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for text in [&t.title, &t.description] {
        substitute(text, &mut |name| {
            if !BUILTINS.contains(&name) && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
            None
        });
    }
    names
}

/// Replaces each `{name}` in `text` with `value(name)`; one with no value stays as typed.
/// `{{` and `}}` are literal braces.
pub fn fill(text: &str, value: &dyn Fn(&str) -> Option<String>) -> String {
    substitute(text, &mut |name| value(name))
}

/// The built-in placeholders for a meeting at `start` lasting `duration`: date "2026-12-01",
/// time "15:00", weekday "Tuesday", zone "Europe/Berlin", duration "30 min".
pub fn builtin(name: &str, start: DateTime<Tz>, duration: Duration) -> Option<String> {
    Some(match name {
        "date" => start.format("%Y-%m-%d").to_string(),
        "time" => start.format("%H:%M").to_string(),
        "weekday" => start.format("%A").to_string(),
        "zone" => start.timezone().name().to_string(),
        "duration" => timeparse::format_duration(duration),
        _ => return None,
    })
}

/// The template called `name`, ignoring case, spaces, '-' and '_' ("quick-sync" finds
/// "Quick Sync"), so names work as CLI arguments too.
pub fn find<'a>(templates: &'a [Template], name: &str) -> Option<&'a Template> {
    let wanted = key(name);
    templates.iter().find(|t| key(&t.name) == wanted)
}

/// A sane check, not RFC 5322: one '@' with something before it and a dotted domain after,
/// and none of the characters that mean a pasted list or a `Name <address>` form.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let clean = !s
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '<' | '>'));
    let dotted = domain.contains('.') && domain.split('.').all(|label| !label.is_empty());
    clean && !local.is_empty() && !domain.contains('@') && dotted
}

/// How names compare: case, spaces, '-' and '_' do not matter.
fn key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Walks `text`, replacing `{name}` with `value(name)` when it gives one.
fn substitute(text: &str, value: &mut dyn FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let consumed = if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            2
        } else if let Some((name, len)) = placeholder(tail) {
            out.push_str(&value(name).unwrap_or_else(|| tail[..len].to_string()));
            len
        } else {
            out.push_str(&tail[..1]);
            1
        };
        rest = &tail[consumed..];
    }
    out.push_str(rest);
    out
}

/// The `{name}` that `text` starts with: the trimmed name and the placeholder's length.
fn placeholder(text: &str) -> Option<(&str, usize)> {
    let body = text.strip_prefix('{')?;
    let end = body.find(['{', '}', '\n'])?;
    let name = body[..end].trim();
    (body[end..].starts_with('}') && !name.is_empty()).then_some((name, end + 2))
}

impl RawTemplate {
    fn resolve(&self) -> Result<Template, Mistake> {
        let name = self.name.trim();
        if name.is_empty() {
            let why = "a template has no name: give each [[templates]] entry a name";
            return Err(Mistake::new(&["name"], why.into()));
        }
        let field = |field: &str, why: String| {
            Mistake::new(&[field], format!("template \"{name}\": {field}: {why}"))
        };
        let duration = match &self.duration {
            Some(text) => timeparse::parse_duration(text).map_err(|e| field("duration", e))?,
            None => Duration::minutes(DEFAULT_MINUTES),
        };
        timeparse::parse_recurrence(&self.recurrence, a_monday())
            .map_err(|e| field("recurrence", e))?;
        if let Some((i, bad)) = self
            .attendees
            .iter()
            .enumerate()
            .find(|(_, a)| !valid_email(a))
        {
            let why = format!("\"{bad}\" is not an e-mail address like ana@example.com");
            let mut mistake = field("attendees", why);
            mistake.within.push(i.to_string());
            return Err(mistake);
        }
        let reminders = self
            .reminders
            .as_ref()
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, r)| {
                        r.resolve().map_err(|(key, why)| {
                            let mut mistake = field("reminders", why);
                            mistake.within.extend([i.to_string(), key.to_string()]);
                            mistake
                        })
                    })
                    .collect()
            })
            .transpose()?;
        let send_updates = self
            .send_updates
            .as_deref()
            .map(|text| {
                SendUpdates::parse(text).ok_or_else(|| {
                    format!("\"{text}\" is not one of \"all\", \"externalOnly\", \"none\"")
                })
            })
            .transpose()
            .map_err(|e| field("send_updates", e))?;
        if self
            .calendar
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            let why = "is empty: give a calendar id, or leave it out for the primary calendar";
            return Err(field("calendar", why.into()));
        }
        Ok(Template {
            name: name.to_string(),
            title: self.title.clone(),
            duration,
            recurrence: self.recurrence.trim().to_string(),
            description: self.description.clone(),
            attendees: self.attendees.clone(),
            reminders,
            meet: self.meet.unwrap_or(true),
            send_updates,
            calendar: self.calendar.as_ref().map(|c| c.trim().to_string()),
        })
    }
}

impl RawReminder {
    /// The reminder, or the key at fault and why.
    fn resolve(&self) -> Result<Reminder, (&'static str, String)> {
        if !matches!(self.method.as_str(), "popup" | "email") {
            let why = format!("method \"{}\" is not \"popup\" or \"email\"", self.method);
            return Err(("method", why));
        }
        if self.minutes > MAX_REMINDER_MINUTES {
            let why = format!(
                "{} minutes is more than Google allows ({MAX_REMINDER_MINUTES}, four weeks)",
                self.minutes
            );
            return Err(("minutes", why));
        }
        Ok(Reminder {
            method: self.method.clone(),
            minutes: self.minutes,
        })
    }
}

/// A fixed start to check recurrences against at load; the real start is only known in the form.
fn a_monday() -> DateTime<Tz> {
    // 1970-01-01 was a Thursday.
    (DateTime::<Utc>::UNIX_EPOCH + Duration::days(4)).with_timezone(&Tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_has_a_value() {
        let start = a_monday();
        for name in BUILTINS {
            assert!(
                builtin(name, start, Duration::minutes(30)).is_some(),
                "{name}"
            );
        }
        assert_eq!(builtin("client", start, Duration::minutes(30)), None);
    }

    #[test]
    fn the_embedded_defaults_define_blank() {
        let defaults: File = toml::from_str(DEFAULTS).unwrap();
        assert!(defaults.templates.iter().any(|t| t.name == BLANK));
    }
}
