//! Where a setting is written in the user's config file, so that a mistake is reported with
//! its line and column: from a dotted key path to a place, and from a place (a TOML error's
//! span) back to the key path. Array items are path steps too ("templates", "2", "duration").

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A place in a text, counted from 1 as editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    pub line: usize,
    /// In characters.
    pub column: usize,
}

impl std::fmt::Display for Spot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The spot of byte `offset` of `text`.
pub fn spot(text: &str, offset: usize) -> Spot {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Spot {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// Where the value of `path` is written in `text` (`days = "seven"`: at `"seven"`), or, when
/// the path is not in the text, where its nearest enclosing table or item is.
pub fn value_of(text: &str, path: &[String]) -> Option<Spot> {
    walk(text, path).map(|(span, _)| spot(text, span.start))
}

/// The text of the value at `path` exactly, as written (`7`, `"auto"`, `["j", "Down"]`).
pub fn written<'t>(text: &'t str, path: &[String]) -> Option<&'t str> {
    walk(text, path)
        .filter(|(_, steps)| *steps == path.len())
        .map(|(span, _)| &text[span])
}

/// The span of the deepest value on `path` that `text` has, and how many steps down it is.
fn walk(text: &str, path: &[String]) -> Option<(Range<usize>, usize)> {
    let root = DeTable::parse(text).ok()?;
    let mut found = None;
    let mut at = Step::Table(root.get_ref());
    for (steps, name) in path.iter().enumerate() {
        let Some(next) = at.get(name) else { break };
        found = Some((next.span(), steps + 1));
        at = Step::of(next.get_ref());
    }
    found
}

/// The key path of the innermost setting written at `span` (its key or its value), if any.
pub fn path_at(text: &str, span: &Range<usize>) -> Option<Vec<String>> {
    let root = DeTable::parse(text).ok()?;
    let mut path = Vec::new();
    innermost(Step::Table(root.get_ref()), span, &mut path).then_some(path)
}

/// Extends `path` to the innermost entry below `at` covering `span`. Children are searched
/// whether or not their parent covers it: an array of tables spans only its first header.
fn innermost(at: Step<'_, '_>, span: &Range<usize>, path: &mut Vec<String>) -> bool {
    let covers = |s: Range<usize>| s.start <= span.start && span.end <= s.end;
    for (name, key, value) in at.entries() {
        path.push(name);
        if innermost(Step::of(value.get_ref()), span, path)
            || key.is_some_and(covers)
            || covers(value.span())
        {
            return true;
        }
        path.pop();
    }
    false
}

/// A table's or an array's entry: its name, the span of its key (tables only), its value.
type Entry<'a, 'i> = (String, Option<Range<usize>>, &'a Spanned<DeValue<'i>>);

/// Where a walk down a document stands.
enum Step<'a, 'i> {
    Table(&'a DeTable<'i>),
    Array(&'a [Spanned<DeValue<'i>>]),
    Leaf,
}

impl<'a, 'i> Step<'a, 'i> {
    fn of(value: &'a DeValue<'i>) -> Self {
        match value {
            DeValue::Table(t) => Step::Table(t),
            DeValue::Array(a) => Step::Array(a),
            _ => Step::Leaf,
        }
    }

    fn get(&self, name: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        match self {
            Step::Table(t) => t.get(name),
            Step::Array(a) => a.get(name.parse::<usize>().ok()?),
            Step::Leaf => None,
        }
    }

    /// Each entry's name, the span of its key (tables only) and its value.
    fn entries(&self) -> Vec<Entry<'a, 'i>> {
        match self {
            Step::Table(t) => t
                .iter()
                .map(|(k, v)| (k.get_ref().to_string(), Some(k.span()), v))
                .collect(),
            Step::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), None, v))
                .collect(),
            Step::Leaf => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_string).collect()
    }

    const TEXT: &str = "# mine\n\
        days = 3\n\
        timezone = \"Mars/Olympus\"\n\
        \n\
        [keys.form]\n\
        submit = [\"Ctrl-s\"]\n\
        \n\
        [[templates]]\n\
        name = \"Standup\"\n\
        \n\
        [[templates]]\n\
        name = \"Retro\"\n\
        duration = \"3o m\"\n\
        reminders = [{ method = \"popup\", minutes = 5 }, { method = \"sms\", minutes = 5 }]\n";

    #[test]
    fn paths_lead_to_their_values() {
        let at = |p: &str| value_of(TEXT, &path(p)).map(|s| s.to_string());
        assert_eq!(at("days").as_deref(), Some("2:8"));
        assert_eq!(at("timezone").as_deref(), Some("3:12"));
        assert_eq!(at("keys.form.submit").as_deref(), Some("6:10"));
        assert_eq!(at("templates.1.duration").as_deref(), Some("13:12"));
        assert_eq!(
            at("templates.1.reminders.1.method").as_deref(),
            Some("14:60")
        );
    }

    #[test]
    fn a_path_not_written_leads_to_what_encloses_it() {
        let at = |p: &str| value_of(TEXT, &path(p)).map(|s| s.line);
        assert_eq!(at("keys.form.newline"), at("keys.form"));
        assert_eq!(at("templates.0.duration"), at("templates.0"));
        assert_eq!(at("colour"), None);
    }

    #[test]
    fn places_lead_back_to_their_paths() {
        let at = |needle: &str| {
            let start = TEXT.find(needle).unwrap();
            path_at(TEXT, &(start..start + needle.len())).map(|p| p.join("."))
        };
        assert_eq!(at("3").as_deref(), Some("days"));
        assert_eq!(at("days").as_deref(), Some("days"));
        assert_eq!(at("\"3o m\"").as_deref(), Some("templates.1.duration"));
        assert_eq!(
            at("\"sms\"").as_deref(),
            Some("templates.1.reminders.1.method")
        );
        assert_eq!(at("# mine"), None);
    }

    #[test]
    fn spots_count_lines_and_characters_from_one() {
        assert_eq!(spot("ab\ncd", 0), Spot { line: 1, column: 1 });
        assert_eq!(spot("ab\ncd", 4), Spot { line: 2, column: 2 });
        assert_eq!(spot("é = 1\nx", 4), Spot { line: 1, column: 4 });
    }
}
