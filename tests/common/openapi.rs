//! A small OpenAPI 3.0 checker for the tests of `meetty serve`: the document at
//! `GET /openapi.json` is what scripts and code generators trust, so the tests hold every
//! served answer against the schema it gives for that path, method and status.
//!
//! It understands what the meetings API document uses: `$ref` to `#/components/...`,
//! `type` (with `nullable`), `required`, `properties`, `additionalProperties` (false or a
//! schema), `enum`, `items`, `oneOf`/`anyOf`/`allOf`, `format: date-time`/`date`, the
//! length, item-count and number bounds, and required response headers. A schema keyword it
//! does not know is an error rather than silently passing.

use serde_json::{Map, Value};

/// Keywords that describe and never constrain (OpenAPI 3.0, "Schema Object").
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "example",
    "default",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
    "xml",
];

/// Response headers that carry meaning for a client, so an answer that has one must
/// document it (lower case).
const MEANINGFUL_HEADERS: &[&str] = &[
    "location",
    "etag",
    "retry-after",
    "idempotent-replayed",
    "www-authenticate",
];

/// The methods an OpenAPI "Path Item" may hold.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A parsed OpenAPI 3.0 document.
pub struct Document {
    root: Value,
}

/// What a served answer is checked with.
pub struct Served<'a> {
    pub method: &'a str,
    /// The request's path, e.g. `/meetings/abc123`.
    pub path: &'a str,
    pub status: u16,
    /// Lower-case header names present on the answer.
    pub headers: Vec<String>,
    pub body: Option<&'a Value>,
}

impl Document {
    /// Checks the document's frame: `openapi: 3.0.x`, `info`, `paths` with operations that
    /// have `responses`, and `components.schemas`.
    pub fn parse(root: Value) -> Result<Document, String> {
        let version = root["openapi"].as_str().unwrap_or_default();
        if !version.starts_with("3.0.") {
            return Err(format!("openapi is {:?}, not 3.0.x", root["openapi"]));
        }
        for key in ["title", "version"] {
            if !root["info"][key].is_string() {
                return Err(format!("info.{key} is missing"));
            }
        }
        let paths = root["paths"].as_object().ok_or("paths is not an object")?;
        if paths.is_empty() {
            return Err("paths is empty".into());
        }
        for (path, item) in paths {
            if !path.starts_with('/') {
                return Err(format!("path {path} does not start with /"));
            }
            let item = item
                .as_object()
                .ok_or(format!("paths.{path} is not an object"))?;
            for (method, op) in item {
                if !METHODS.contains(&method.as_str()) {
                    if method == "parameters" || method == "summary" || method == "description" {
                        continue;
                    }
                    return Err(format!("paths.{path}.{method} is not an HTTP method"));
                }
                let responses = op["responses"].as_object();
                if responses.is_none_or(Map::is_empty) {
                    return Err(format!(
                        "{} {path} documents no responses",
                        method.to_uppercase()
                    ));
                }
            }
        }
        if !root["components"]["schemas"].is_object() {
            return Err("components.schemas is missing".into());
        }
        let doc = Document { root };
        doc.check_refs(&doc.root, "#")?;
        Ok(doc)
    }

    /// Every `$ref` in the document points at something.
    fn check_refs(&self, value: &Value, at: &str) -> Result<(), String> {
        match value {
            Value::Object(map) => {
                if let Some(target) = map.get("$ref") {
                    let target = target
                        .as_str()
                        .ok_or(format!("{at}: $ref is not a string"))?;
                    self.resolve_ref(target).map_err(|e| format!("{at}: {e}"))?;
                }
                map.iter()
                    .try_for_each(|(k, v)| self.check_refs(v, &format!("{at}/{k}")))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| self.check_refs(v, &format!("{at}/{i}"))),
            _ => Ok(()),
        }
    }

    pub fn root(&self) -> &Value {
        &self.root
    }

    /// Every documented operation as (`GET`, `/meetings/{id}`).
    pub fn operations(&self) -> Vec<(String, String)> {
        let mut ops = Vec::new();
        for (path, item) in self.root["paths"].as_object().into_iter().flatten() {
            for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
                if METHODS.contains(&method.as_str()) {
                    ops.push((method.to_uppercase(), path.clone()));
                }
            }
        }
        ops
    }

    /// The documented path template a request path falls under: literal segments first, so
    /// `/meetings/x/rsvp` is not taken for `/meetings/{id}`.
    pub fn template_of(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut best: Option<(usize, &String)> = None;
        for template in self.root["paths"].as_object()?.keys() {
            let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
            if parts.len() != segments.len() {
                continue;
            }
            let fits = parts
                .iter()
                .zip(&segments)
                .all(|(p, s)| p == s || (p.starts_with('{') && p.ends_with('}') && !s.is_empty()));
            let literal = parts.iter().filter(|p| !p.starts_with('{')).count();
            if fits && best.is_none_or(|(n, _)| literal > n) {
                best = Some((literal, template));
            }
        }
        best.map(|(_, t)| t.clone())
    }

    /// The operation object for `method` on `path` (a request path).
    fn operation(&self, method: &str, path: &str) -> Result<&Value, String> {
        let template = self
            .template_of(path)
            .ok_or(format!("{path} matches no documented path"))?;
        let op = &self.root["paths"][&template][method.to_lowercase()];
        if op.is_null() {
            return Err(format!("{method} {template} is not documented"));
        }
        Ok(op)
    }

    /// The response object documented for `status`: the exact code, else its range (`4XX`),
    /// else `default`.
    fn response(&self, method: &str, path: &str, status: u16) -> Result<&Value, String> {
        let op = self.operation(method, path)?;
        let responses = &op["responses"];
        let range = format!("{}XX", status / 100);
        let found = [status.to_string(), range, "default".to_string()]
            .into_iter()
            .find_map(|key| responses.get(&key))
            .ok_or(format!(
                "{method} {path}: status {status} is not documented"
            ))?;
        self.deref(found)
    }

    /// Follows `$ref`s until a value that is not one.
    fn deref<'a>(&'a self, mut value: &'a Value) -> Result<&'a Value, String> {
        for _ in 0..32 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(target) => value = self.resolve_ref(target)?,
                None => return Ok(value),
            }
        }
        Err("$ref cycle".into())
    }

    fn resolve_ref(&self, target: &str) -> Result<&Value, String> {
        let pointer = target
            .strip_prefix("#/components/")
            .ok_or(format!("$ref {target} does not point into #/components/"))?;
        let pointer = format!("/components/{pointer}");
        self.root
            .pointer(&pointer)
            .ok_or(format!("$ref {target} points at nothing"))
    }

    /// Checks a served answer against the document; all the mismatches, or none.
    pub fn check(&self, served: &Served) -> Result<(), Vec<String>> {
        let what = format!("{} {} → {}", served.method, served.path, served.status);
        let response = self
            .response(served.method, served.path, served.status)
            .map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        let documented = response["headers"].as_object();
        for (name, header) in documented.into_iter().flatten() {
            let required = self.deref(header).is_ok_and(|h| h["required"] == true);
            if required && !served.headers.contains(&name.to_ascii_lowercase()) {
                errors.push(format!("{what}: required header {name} is missing"));
            }
        }
        for name in &served.headers {
            let told = documented.is_some_and(|d| d.keys().any(|k| k.eq_ignore_ascii_case(name)));
            if MEANINGFUL_HEADERS.contains(&name.as_str()) && !told {
                errors.push(format!(
                    "{what}: header {name} is served but not documented"
                ));
            }
        }
        let schema = response["content"]["application/json"].get("schema");
        match (schema, served.body) {
            (Some(schema), Some(body)) => {
                let mut mismatches = Vec::new();
                self.validate(schema, body, "$", &mut mismatches);
                errors.extend(mismatches.into_iter().map(|e| format!("{what}: {e}")));
            }
            (Some(_), None) => {
                errors.push(format!("{what}: a JSON body is documented, none served"))
            }
            (None, Some(body)) => {
                errors.push(format!("{what}: no body is documented, served {body}"))
            }
            (None, None) => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Validates `value` against `schema`, adding one message per mismatch (with the JSON
    /// path of the value at fault) to `errors`.
    pub fn validate(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = match self.deref(schema) {
            Ok(s) => s,
            Err(e) => return errors.push(format!("{at}: {e}")),
        };
        let Some(keywords) = schema.as_object() else {
            return errors.push(format!("{at}: the schema is not an object: {schema}"));
        };
        if value.is_null() && schema["nullable"] == true {
            return;
        }
        for (keyword, arg) in keywords {
            match keyword.as_str() {
                "type" => check_type(arg, value, at, errors),
                "nullable" => {}
                "enum" => {
                    if !arg
                        .as_array()
                        .is_some_and(|options| options.contains(value))
                    {
                        errors.push(format!("{at}: {value} is not one of {arg}"));
                    }
                }
                "required" => {
                    if let Some(object) = value.as_object() {
                        for name in arg
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                        {
                            if !object.contains_key(name) {
                                errors.push(format!("{at}: required property {name} is missing"));
                            }
                        }
                    }
                }
                "properties" => {
                    if let (Some(object), Some(props)) = (value.as_object(), arg.as_object()) {
                        for (name, sub) in props {
                            if let Some(v) = object.get(name) {
                                self.validate(sub, v, &format!("{at}.{name}"), errors);
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    let Some(object) = value.as_object() else {
                        continue;
                    };
                    let declared = schema["properties"].as_object();
                    for (name, v) in object {
                        if declared.is_some_and(|d| d.contains_key(name)) {
                            continue;
                        }
                        match arg {
                            Value::Bool(false) => {
                                errors.push(format!("{at}: property {name} is not in the schema"))
                            }
                            Value::Bool(true) => {}
                            sub => self.validate(sub, v, &format!("{at}.{name}"), errors),
                        }
                    }
                }
                "items" => {
                    for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                        self.validate(arg, item, &format!("{at}[{i}]"), errors);
                    }
                }
                "oneOf" | "anyOf" | "allOf" => {
                    let branches = arg.as_array().map(Vec::as_slice).unwrap_or_default();
                    let results: Vec<Vec<String>> = branches
                        .iter()
                        .map(|b| {
                            let mut errs = Vec::new();
                            self.validate(b, value, at, &mut errs);
                            errs
                        })
                        .collect();
                    let passing = results.iter().filter(|r| r.is_empty()).count();
                    let ok = match keyword.as_str() {
                        "oneOf" => passing == 1,
                        "anyOf" => passing >= 1,
                        _ => passing == branches.len(),
                    };
                    if !ok {
                        let why: Vec<String> = results.into_iter().flatten().collect();
                        errors.push(format!(
                            "{at}: {keyword} holds for {passing} of {} branches ({})",
                            branches.len(),
                            why.join("; ")
                        ));
                    }
                }
                "format" => check_format(arg.as_str().unwrap_or_default(), value, at, errors),
                "minLength" | "maxLength" => {
                    if let (Some(s), Some(bound)) = (value.as_str(), arg.as_u64()) {
                        let n = s.chars().count() as u64;
                        if (keyword == "minLength" && n < bound)
                            || (keyword == "maxLength" && n > bound)
                        {
                            errors.push(format!("{at}: length {n} breaks {keyword} {bound}"));
                        }
                    }
                }
                "minItems" | "maxItems" => {
                    if let (Some(items), Some(bound)) = (value.as_array(), arg.as_u64()) {
                        let n = items.len() as u64;
                        if (keyword == "minItems" && n < bound)
                            || (keyword == "maxItems" && n > bound)
                        {
                            errors.push(format!("{at}: {n} items break {keyword} {bound}"));
                        }
                    }
                }
                "minimum" | "maximum" => {
                    if let (Some(n), Some(bound)) = (value.as_f64(), arg.as_f64()) {
                        if (keyword == "minimum" && n < bound)
                            || (keyword == "maximum" && n > bound)
                        {
                            errors.push(format!("{at}: {n} breaks {keyword} {bound}"));
                        }
                    }
                }
                k if ANNOTATIONS.contains(&k) || k.starts_with("x-") => {}
                k => errors.push(format!(
                    "{at}: the checker does not know schema keyword {k}"
                )),
            }
        }
    }
}

fn check_type(expected: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let fits = match expected.as_str().unwrap_or_default() {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        other => return errors.push(format!("{at}: unknown type {other:?}")),
    };
    if !fits {
        errors.push(format!("{at}: {value} is not of type {expected}"));
    }
}

fn check_format(format: &str, value: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(text) = value.as_str() else { return };
    let fits = match format {
        "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        // Other formats (email, uri, …) are annotations to this checker.
        _ => true,
    };
    if !fits {
        errors.push(format!("{at}: {text:?} is not a {format}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A document shaped like the meetings API's, small enough to break on purpose.
    fn sample() -> Document {
        Document::parse(json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/meetings": {"post": {"responses": {
                    "201": {
                        "description": "made",
                        "headers": {"Location": {"required": true, "schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Meeting"}}}
                    },
                    "4XX": {"$ref": "#/components/responses/Problem"}
                }}},
                "/meetings/{id}": {
                    "get": {"responses": {"200": {"description": "one", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Meeting"}}}}}},
                    "delete": {"responses": {"204": {"description": "gone"}}}
                },
                "/meetings/{id}/rsvp": {"post": {"responses": {"200": {"description": "answered", "content": {"application/json": {"schema": {
                    "oneOf": [
                        {"type": "object", "required": ["response"], "properties": {"response": {"type": "string"}}},
                        {"type": "object", "required": ["note"], "properties": {"note": {"type": "string"}}}
                    ]
                }}}}}}}
            },
            "components": {
                "schemas": {
                    "Meeting": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["id", "start", "conference", "attendees"],
                        "properties": {
                            "id": {"type": "string", "minLength": 5},
                            "start": {"type": "string", "format": "date-time"},
                            "meet_link": {"type": "string", "nullable": true},
                            "conference": {"type": "string", "enum": ["ready", "pending", "failed", "none"]},
                            "attendees": {"type": "array", "items": {"$ref": "#/components/schemas/Attendee"}},
                            "sequence": {"type": "integer", "minimum": 0}
                        }
                    },
                    "Attendee": {
                        "type": "object",
                        "required": ["email"],
                        "properties": {"email": {"type": "string"}, "response": {"type": "string"}},
                        "additionalProperties": false
                    },
                    "Problem": {
                        "type": "object", "required": ["error"], "additionalProperties": false,
                        "properties": {"error": {"type": "object", "required": ["status", "code", "message"],
                            "properties": {"status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}}}
                    }
                },
                "responses": {"Problem": {"description": "refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}
            }
        }))
        .unwrap()
    }

    fn meeting() -> Value {
        json!({
            "id": "abcde12345", "start": "2026-11-23T10:00:00+01:00", "meet_link": null,
            "conference": "pending", "attendees": [{"email": "a@example.com", "response": "accepted"}],
            "sequence": 0
        })
    }

    fn check(
        method: &str,
        path: &str,
        status: u16,
        headers: &[&str],
        body: Option<&Value>,
    ) -> Result<(), Vec<String>> {
        sample().check(&Served {
            method,
            path,
            status,
            headers: headers.iter().map(|h| h.to_string()).collect(),
            body,
        })
    }

    /// The one error `body` (a broken meeting) gets as a 200 of `GET /meetings/{id}`.
    fn only_error(body: Value) -> String {
        let errors = check("GET", "/meetings/abcde12345", 200, &[], Some(&body)).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    fn with(change: impl FnOnce(&mut Value)) -> Value {
        let mut m = meeting();
        change(&mut m);
        m
    }

    #[test]
    fn conforming_answers_pass() {
        check("POST", "/meetings", 201, &["location"], Some(&meeting())).unwrap();
        check("GET", "/meetings/abcde12345", 200, &[], Some(&meeting())).unwrap();
        check("DELETE", "/meetings/abcde12345", 204, &[], None).unwrap();
        let problem = json!({"error": {"status": 422, "code": "invalid_field", "message": "m", "field": "start"}});
        check("POST", "/meetings", 422, &[], Some(&problem)).unwrap();
        check(
            "POST",
            "/meetings/x/rsvp",
            200,
            &[],
            Some(&json!({"response": "accepted"})),
        )
        .unwrap();
    }

    #[test]
    fn each_broken_rule_is_named_with_where_it_broke() {
        let cases: Vec<(Value, &str)> = vec![
            (
                with(|m| {
                    m.as_object_mut().unwrap().remove("conference");
                }),
                "$: required property conference is missing",
            ),
            (
                with(|m| m["extra"] = json!(1)),
                "$: property extra is not in the schema",
            ),
            (
                with(|m| m["conference"] = json!("soon")),
                "$.conference: \"soon\" is not one of",
            ),
            (
                with(|m| m["id"] = json!(12345)),
                "$.id: 12345 is not of type \"string\"",
            ),
            (
                with(|m| m["start"] = json!(null)),
                "$.start: null is not of type \"string\"",
            ),
            (
                with(|m| m["start"] = json!("2026-11-23 10:00")),
                "$.start: \"2026-11-23 10:00\" is not a date-time",
            ),
            (
                with(|m| m["attendees"][0]["rsvp"] = json!("yes")),
                "$.attendees[0]: property rsvp is not in the schema",
            ),
            (
                with(|m| m["attendees"] = json!({"email": "a@example.com"})),
                "$.attendees: {\"email\":\"a@example.com\"} is not of type \"array\"",
            ),
            (
                with(|m| m["id"] = json!("abc")),
                "$.id: length 3 breaks minLength 5",
            ),
            (
                with(|m| m["sequence"] = json!(-1)),
                "$.sequence: -1 breaks minimum 0",
            ),
            (
                with(|m| m["sequence"] = json!(1.5)),
                "$.sequence: 1.5 is not of type \"integer\"",
            ),
        ];
        for (body, expected) in cases {
            let error = only_error(body);
            assert!(
                error.contains(expected),
                "{error:?} should say {expected:?}"
            );
            assert!(
                error.starts_with("GET /meetings/abcde12345 → 200: "),
                "{error}"
            );
        }
    }

    #[test]
    fn one_of_needs_exactly_one_branch() {
        let both = json!({"response": "accepted", "note": "n"});
        let errors = check("POST", "/meetings/x/rsvp", 200, &[], Some(&both)).unwrap_err();
        assert!(
            errors[0].contains("oneOf holds for 2 of 2 branches"),
            "{errors:?}"
        );
        let neither = json!({"answer": "accepted"});
        let errors = check("POST", "/meetings/x/rsvp", 200, &[], Some(&neither)).unwrap_err();
        assert!(
            errors[0].contains("oneOf holds for 0 of 2 branches"),
            "{errors:?}"
        );
    }

    #[test]
    fn statuses_paths_bodies_and_headers_must_be_documented() {
        let m = meeting();
        let cases: Vec<(Result<(), Vec<String>>, &str)> = vec![
            (
                check("GET", "/meetings/abcde12345", 500, &[], Some(&m)),
                "status 500 is not documented",
            ),
            (
                check("PUT", "/meetings/abcde12345", 200, &[], Some(&m)),
                "PUT /meetings/{id} is not documented",
            ),
            (
                check("GET", "/calendars", 200, &[], Some(&m)),
                "/calendars matches no documented path",
            ),
            (
                check("GET", "/meetings/abcde12345", 200, &[], None),
                "a JSON body is documented, none served",
            ),
            (
                check("DELETE", "/meetings/abcde12345", 204, &[], Some(&m)),
                "no body is documented",
            ),
            (
                check("POST", "/meetings", 201, &[], Some(&m)),
                "required header Location is missing",
            ),
            (
                check("GET", "/meetings/abcde12345", 200, &["etag"], Some(&m)),
                "header etag is served but not documented",
            ),
            (
                check(
                    "POST",
                    "/meetings",
                    409,
                    &[],
                    Some(&json!({"error": {"code": "x"}})),
                ),
                "$.error: required property status is missing",
            ),
        ];
        for (result, expected) in cases {
            let errors = result.unwrap_err();
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{errors:?} should say {expected:?}"
            );
        }
    }

    #[test]
    fn literal_segments_win_over_parameters() {
        let doc = sample();
        assert_eq!(
            doc.template_of("/meetings/x/rsvp").as_deref(),
            Some("/meetings/{id}/rsvp")
        );
        assert_eq!(
            doc.template_of("/meetings/x").as_deref(),
            Some("/meetings/{id}")
        );
        assert_eq!(doc.template_of("/meetings/").as_deref(), None);
    }

    #[test]
    fn unknown_keywords_and_bad_documents_are_refused() {
        let doc = sample();
        let mut errors = Vec::new();
        doc.validate(
            &json!({"type": "string", "pattern": "^a"}),
            &json!("b"),
            "$",
            &mut errors,
        );
        assert_eq!(
            errors,
            ["$: the checker does not know schema keyword pattern"]
        );

        let mut swagger = sample().root().clone();
        swagger["openapi"] = json!("2.0");
        assert!(Document::parse(swagger)
            .err()
            .unwrap()
            .contains("not 3.0.x"));
        let mut dangling = sample().root().clone();
        dangling["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .remove("Attendee");
        let error = Document::parse(dangling).err().unwrap();
        assert!(
            error.contains("#/components/schemas/Attendee points at nothing"),
            "{error}"
        );
        let mut no_responses = sample().root().clone();
        no_responses["paths"]["/meetings"]["post"]["responses"] = json!({});
        assert!(Document::parse(no_responses)
            .err()
            .unwrap()
            .contains("POST /meetings documents no responses"));
    }
}
