//! `PATCH /meetings/{id}`: a change to a meeting, guarded by its etag, made through
//! `calendar::edit` as the CLI's `edit` makes it.

use chrono_tz::Tz;
use hyper::header::IF_MATCH;
use serde_json::{json, Value};

use super::errors::{google, problem};
use super::{event_calendar, listed_conference, meeting_json, meeting_reply, span, MEETING_FIELDS};
use crate::calendar::edit::{Changes, Edit, Edited, MeetChange, Scope};
use crate::calendar::model::Meeting;
use crate::calendar::ops::{WriteOp, Written};
use crate::calendar::write::{Conference, Created};
use crate::serve::input::{self, invalid, Body, Ending};
use crate::serve::reply::{Problem, Reply};
use crate::serve::{Account, Api, Request};
use crate::{sanitize, templates};

const PATCH_ONLY: [&str; 2] = ["scope", "etag"];

pub(super) async fn change(api: &Api, req: &Request, id: &str) -> Result<Reply, Problem> {
    let body = Body::read(
        &req.body,
        &[MEETING_FIELDS.as_slice(), &PATCH_ONLY].concat(),
        false,
    )?;
    let etag = match (req.header(IF_MATCH.as_str()), body.text("etag")?) {
        (Some(etag), _) | (None, Some(etag)) => etag.to_string(),
        (None, None) => {
            return Err(Problem::new(
                428,
                "etag_required",
                "a change needs the etag of the version it was made against",
            )
            .field("If-Match")
            .fix(
                "GET the meeting, then send its etag as If-Match (or \"etag\" in the body): \
                 without it a change made meanwhile by someone else would be overwritten",
            ))
        }
    };
    let account = api.account(req.param("account"))?;
    let calendar = event_calendar(api, account, req, id);
    let target = google(account.client.load_edit(&calendar, id)).await?;
    // `If-Match: *` (RFC 9110): whatever version is there now.
    if etag != "*" && target.meeting.etag.as_deref() != Some(etag.as_str()) {
        let now = Created::of(&calendar, &target.source).map_err(|e| problem(e, None))?;
        return Ok(stale(account, &now, Vec::new(), api.tz));
    }
    let tz = match body.text("time_zone")? {
        Some(name) => input::zone("time_zone", name)?,
        None => target.zone,
    };
    let changes = changes(&body, &target.meeting, tz)?;
    let scope = match (body.text("scope")?, &target.meeting.series_id) {
        (Some("this"), _) => Scope::This,
        (Some("following"), _) => Scope::Following,
        (Some("all"), _) => Scope::All,
        (Some(other), _) => {
            return Err(invalid(
                "scope",
                format!("scope \u{201c}{other}\u{201d} is not this, following or all"),
                "use this, following or all",
            ))
        }
        (None, None) => Scope::This,
        (None, Some(_)) => {
            return Err(invalid(
                "scope",
                "this is an occurrence of a recurring meeting: say which occurrences change",
                "send scope: this (this one), following (this and later ones) or all",
            ))
        }
    };
    let send = match body.text("send_updates")? {
        Some(text) => input::send_updates("send_updates", text)?,
        None => target.meeting.default_notify(),
    };
    if changes.is_empty() {
        let now = Created::of(&calendar, &target.source).map_err(|e| problem(e, None))?;
        return Ok(meeting_reply(200, account, &now, tz));
    }
    let adds_meet = changes.meet == Some(MeetChange::Add);
    let edit = Edit {
        calendar,
        target,
        scope,
        changes,
        send,
    };
    let client = account.client.with_conference_wait(api.meet_wait);
    let op = WriteOp::Edit(Box::new(edit));
    let Written::Edited(edited) = google(op.run(&client, &|_| {})).await? else {
        return Err(Problem::new(
            500,
            "internal",
            "an edit answered something else",
        ));
    };
    match *edited {
        Edited::Done(meeting) => {
            api.in_flight.wrote(&account.email);
            let conference = match listed_conference(&meeting) {
                Conference::NotRequested if adds_meet => Conference::StillPending,
                other => other,
            };
            let created = Created {
                meeting: *meeting,
                conference,
            };
            Ok(meeting_reply(200, account, &created, tz))
        }
        Edited::Conflict(conflict) => {
            let now = Created::of(
                &conflict.current.meeting.calendar_id,
                &conflict.current.source,
            )
            .map_err(|e| problem(e, None))?;
            let differences = conflict
                .differences
                .iter()
                .map(|d| json!({ "field": d.field, "before": d.before, "now": d.now }))
                .collect();
            Ok(stale(account, &now, differences, tz))
        }
    }
}

/// 412: the meeting changed since the etag sent; its current version (and etag) and, when
/// Google's refusal showed them, the fields that changed.
fn stale(account: &Account, now: &Created, differences: Vec<Value>, tz: Tz) -> Reply {
    let mut reply: Reply = Problem::new(
        412,
        "etag_mismatch",
        "the meeting changed since the etag sent was read",
    )
    .field("If-Match")
    .fix("apply your change to the current version below and send it with its etag")
    .into();
    if let Some(Value::Object(body)) = reply.body.as_mut() {
        body.insert("etag".into(), json!(now.meeting.etag));
        body.insert(
            "current".into(),
            meeting_json(&account.email, &now.meeting, &now.conference, tz),
        );
        body.insert("differences".into(), Value::Array(differences));
    }
    Reply {
        etag: now.meeting.etag.clone(),
        ..reply
    }
}

/// The body's changes to `m`, cleaned as the CLI's `edit` cleans them. `attendees` is the
/// new full guest list: who is not on it is removed (the organizer's own entry stays), who
/// is new is invited.
fn changes(body: &Body, m: &Meeting, tz: Tz) -> Result<Changes, Problem> {
    let mut changes = Changes::default();
    if let Some(title) = body.text("title")? {
        let title = sanitize::typed_line(title).text.trim().to_string();
        if title.is_empty() {
            return Err(invalid(
                "title",
                "a meeting needs a title",
                "send a non-empty title",
            ));
        }
        changes.title = Some(title);
    }
    if let Some(description) = body.text("description")? {
        changes.description = Some(sanitize::typed_block(description).text);
    }
    if let Some(list) = body.texts("attendees")? {
        let wanted: Vec<String> = list
            .iter()
            .map(|a| sanitize::typed_line(a).text.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        let bad: Vec<&str> = wanted
            .iter()
            .filter(|a| !templates::valid_email(a))
            .map(String::as_str)
            .collect();
        if !bad.is_empty() {
            return Err(invalid(
                "attendees",
                format!("not an e-mail address: {}", bad.join(", ")),
                "give addresses like kim@example.com",
            ));
        }
        let has = |list: &[String], email: &str| list.iter().any(|e| e.eq_ignore_ascii_case(email));
        let guests: Vec<String> = m
            .attendees
            .iter()
            .filter(|a| !a.organizer && !a.is_self)
            .map(|a| a.person.email.clone())
            .collect();
        let everyone: Vec<String> = m.attendees.iter().map(|a| a.person.email.clone()).collect();
        changes.add_guests = wanted
            .iter()
            .filter(|w| !has(&everyone, w))
            .cloned()
            .collect();
        changes.remove_guests = guests.into_iter().filter(|g| !has(&wanted, g)).collect();
    }
    if let Some(meet) = body.boolean("meet")? {
        changes.meet = match (meet, m.has_conference) {
            (true, false) => Some(MeetChange::Add),
            (false, true) => Some(MeetChange::Remove),
            _ => None,
        };
    }
    let (now_start, now_end) = span(m, tz);
    let start = match body.text("start")? {
        Some(text) => Some(input::time("start", text, tz)?),
        None => None,
    };
    let end = match input::ending(body, tz)? {
        Ending::At(end) => Some(end),
        Ending::Lasting(length) => {
            Some(start.unwrap_or_else(|| now_start.with_timezone(&tz)) + length)
        }
        // A moved meeting keeps its length.
        Ending::Unsaid => start.map(|s| s + (now_end - now_start)),
    };
    if start.is_some() || end.is_some() {
        let start = start.unwrap_or_else(|| now_start.with_timezone(&tz));
        let end = end.unwrap_or_else(|| now_end.with_timezone(&tz));
        if end <= start {
            return Err(invalid(
                if body.has("duration") {
                    "duration"
                } else {
                    "end"
                },
                "the meeting would end before it starts",
                "give an end after the start",
            ));
        }
        changes.start = Some(start);
        changes.end = Some(end);
    }
    Ok(changes)
}
