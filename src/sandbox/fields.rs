//! Partial responses: `fields=nextPageToken,items(id,start/dateTime,conferenceData)`.
//!
//! Honouring the selection (instead of ignoring it) makes a client that forgets to ask for a
//! field it reads fail in tests, as it would against Google.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::errors::ApiError;

/// Selected keys; `None` keeps the whole value under that key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection(BTreeMap<String, Option<Selection>>);

impl Selection {
    pub fn parse(text: &str) -> Result<Selection, ApiError> {
        let bad = || {
            ApiError::new(
                400,
                "invalidParameter",
                format!("Invalid field selection {text}"),
            )
            .at("parameter", "fields")
        };
        let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (selection, used) = parse_list(&chars).ok_or_else(bad)?;
        if used != chars.len() {
            return Err(bad());
        }
        Ok(selection)
    }

    /// Keeps only the selected parts; arrays apply the selection to each element.
    pub fn apply(&self, value: &Value) -> Value {
        match value {
            Value::Array(items) => Value::Array(items.iter().map(|v| self.apply(v)).collect()),
            Value::Object(obj) => {
                if self.0.contains_key("*") {
                    return value.clone();
                }
                let kept: Map<String, Value> = self
                    .0
                    .iter()
                    .filter_map(|(key, sub)| {
                        let v = obj.get(key)?;
                        Some((
                            key.clone(),
                            sub.as_ref().map_or_else(|| v.clone(), |s| s.apply(v)),
                        ))
                    })
                    .collect();
                Value::Object(kept)
            }
            other => other.clone(),
        }
    }

    fn insert(&mut self, key: String, sub: Option<Selection>) {
        match (self.0.get_mut(&key), sub) {
            // `a,a/b` keeps all of `a`.
            (Some(None), _) => {}
            (Some(Some(existing)), Some(sub)) => {
                for (k, v) in sub.0 {
                    existing.insert(k, v);
                }
            }
            (_, sub) => {
                self.0.insert(key, sub);
            }
        }
    }
}

/// `field (',' field)*`, stopping before a `)`; returns the selection and characters used.
fn parse_list(chars: &[char]) -> Option<(Selection, usize)> {
    let mut selection = Selection::default();
    let mut i = 0;
    loop {
        let (key, sub, used) = parse_field(&chars[i..])?;
        selection.insert(key, sub);
        i += used;
        match chars.get(i) {
            Some(',') => i += 1,
            _ => return Some((selection, i)),
        }
    }
}

/// `name`, `name/field` or `name(list)`.
fn parse_field(chars: &[char]) -> Option<(String, Option<Selection>, usize)> {
    let name_len = chars
        .iter()
        .position(|c| matches!(c, ',' | '/' | '(' | ')'))
        .unwrap_or(chars.len());
    if name_len == 0 {
        return None;
    }
    let name: String = chars[..name_len].iter().collect();
    match chars.get(name_len) {
        Some('/') => {
            let (key, sub, used) = parse_field(&chars[name_len + 1..])?;
            let mut inner = Selection::default();
            inner.insert(key, sub);
            Some((name, Some(inner), name_len + 1 + used))
        }
        Some('(') => {
            let (inner, used) = parse_list(&chars[name_len + 1..])?;
            let close = name_len + 1 + used;
            (chars.get(close) == Some(&')')).then_some((name, Some(inner), close + 1))
        }
        _ => Some((name, None, name_len)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_nested_fields_in_arrays() {
        let v = json!({
            "kind": "calendar#events", "nextPageToken": "t",
            "items": [{"id": "a", "summary": "s", "start": {"dateTime": "x", "timeZone": "z"}}],
        });
        let s = Selection::parse("nextPageToken, items(id,start/dateTime)").unwrap();
        assert_eq!(
            s.apply(&v),
            json!({"nextPageToken": "t", "items": [{"id": "a", "start": {"dateTime": "x"}}]})
        );
        assert_eq!(
            Selection::parse("items(*)").unwrap().apply(&v)["items"],
            v["items"]
        );
    }

    #[test]
    fn rejects_malformed_selections() {
        for bad in ["", "items(id", "a,,b", "items)"] {
            assert_eq!(Selection::parse(bad).unwrap_err().code, 400, "{bad}");
        }
    }
}
