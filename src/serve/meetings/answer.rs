//! `DELETE /meetings/{id}` (cancel, as the organizer; a repeat after a lost answer is done)
//! and `POST /meetings/{id}/rsvp` (the account's own answer to an invitation).

use serde_json::Value;

use super::errors::google;
use super::read::{current, current_of};
use super::{event_calendar, listed_conference, meeting_reply};
use crate::calendar::answer::{clean_note, Answer, Respond};
use crate::calendar::model::Rsvp;
use crate::calendar::ops::{WriteOp, Written};
use crate::calendar::write::Created;
use crate::serve::input::{self, invalid, Body};
use crate::serve::reply::{Problem, Reply};
use crate::serve::{Api, Request};

const RSVP_FIELDS: &[&str] = &["response", "comment", "notify"];

pub(super) async fn cancel(api: &Api, req: &Request, id: &str) -> Result<Reply, Problem> {
    let account = api.account(req.param("account"))?;
    let send = match req.param("send_updates") {
        Some(text) => Some(input::send_updates("send_updates", text)?),
        None => None,
    };
    let all = match req.param("all_occurrences") {
        Some(text) => input::flag("all_occurrences", text)?,
        None => false,
    };
    let calendar = event_calendar(api, account, req, id);
    let resource = google(account.client.resource(&calendar, id)).await?;
    if resource["status"] == "cancelled" && organized_by(&resource, &account.email) {
        // A cancel sent again after its answer was lost: it is done.
        return Ok(Reply::no_content());
    }
    let m = current_of(&calendar, &resource)?.meeting;
    if !m.i_organize {
        return Err(Problem::new(
            403,
            "not_organizer",
            format!(
                "only the organizer ({}) can cancel this meeting",
                m.organizer
                    .as_ref()
                    .map_or("someone else", |o| o.email.as_str())
            ),
        )
        .fix(format!("decline it instead: POST /meetings/{id}/rsvp")));
    }
    let target = match (&m.series_id, all) {
        (Some(series), true) => series.clone(),
        _ => m.id.clone(),
    };
    let op = WriteOp::Cancel {
        calendar,
        event_id: target,
        send: send.unwrap_or(m.default_notify()),
    };
    google(op.run(&account.client, &|_| {})).await?;
    api.in_flight.wrote(&account.email);
    Ok(Reply::no_content())
}

pub(super) async fn rsvp(api: &Api, req: &Request, id: &str) -> Result<Reply, Problem> {
    let body = Body::read(&req.body, RSVP_FIELDS, false)?;
    let rsvp = match body.text("response")? {
        Some("accepted") => Rsvp::Accepted,
        Some("declined") => Rsvp::Declined,
        Some("tentative") => Rsvp::Tentative,
        other => {
            return Err(invalid(
                "response",
                match other {
                    Some(text) => format!("response \u{201c}{text}\u{201d} is no answer"),
                    None => "response is required".to_string(),
                },
                "send response: accepted, declined or tentative",
            ))
        }
    };
    let note = match body.text("comment")? {
        Some(text) => {
            Some(clean_note(text).map_err(|e| invalid("comment", e.to_string(), "shorten it"))?)
        }
        None => None,
    };
    let notify = body.boolean("notify")?.unwrap_or(true);
    let account = api.account(req.param("account"))?;
    let calendar = event_calendar(api, account, req, id);
    let m = current(account, &calendar, id).await?.meeting;
    let email = m
        .attendees
        .iter()
        .find(|a| a.is_self)
        .map(|a| a.person.email.clone())
        .ok_or_else(|| {
            Problem::new(
                409,
                "not_a_guest",
                format!("{} is not on this meeting's guest list", account.email),
            )
            .fix("only a guest can answer; the organizer edits the meeting with PATCH")
        })?;
    let op = WriteOp::Respond(Box::new(Respond {
        calendar,
        event_id: id.to_string(),
        email,
        answer: Answer { rsvp, note, notify },
    }));
    let Written::Responded(meeting) = google(op.run(&account.client, &|_| {})).await? else {
        return Err(Problem::new(
            500,
            "internal",
            "an answer answered something else",
        ));
    };
    api.in_flight.wrote(&account.email);
    let conference = listed_conference(&meeting);
    let answered = Created {
        meeting: *meeting,
        conference,
    };
    Ok(meeting_reply(200, account, &answered, api.tz))
}

/// Whether `account` organizes the event `resource` (Google marks its own entry `self`).
fn organized_by(resource: &Value, account: &str) -> bool {
    let organizer = &resource["organizer"];
    organizer["self"] == true
        || organizer["email"]
            .as_str()
            .is_some_and(|e| e.eq_ignore_ascii_case(account))
}
