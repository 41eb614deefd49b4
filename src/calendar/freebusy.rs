//! Find a time, the Google side: `freebusy.query` for the user's calendars and their guests,
//! through the client's one request path (token, timeout, retry policy).
//!
//! One change in the form is one query. Google answers for at most 50 calendars at once
//! (`calendarExpansionMax`) and expands a group of at most 100 members
//! (`groupExpansionMax`); beyond that the answer marks calendars `tooManyCalendarsRequested`
//! or a group `groupTooBig`. meetty then splits the query, merges the answers and says so
//! ([`FreeBusy::split`]); what still cannot be answered becomes an unknown lane with the
//! reason, like a calendar Google will not show (`notFound`).

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use hyper::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::CalendarClient;
use super::error::ApiError;
use super::model::CalendarInfo;
pub use crate::freetime::{Interval, Lane};

/// Google's maxima for one query: calendars answered, and members of one group expanded.
pub const CALENDAR_EXPANSION_MAX: usize = 50;
pub const GROUP_EXPANSION_MAX: usize = 100;

/// What to ask Google.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusyQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Sent as `timeZone`, and the offset the time bounds are written with.
    pub tz: Tz,
    /// Calendar ids (`primary`, the user's other calendars), guests' addresses and group
    /// addresses, in the order the lanes should be shown; repeats are asked once.
    pub ids: Vec<String>,
}

/// Google's answer, per id asked about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FreeBusy {
    /// A lane per calendar or guest, keyed as asked; a group's members get lanes of their
    /// own, and a group Google would not expand gets an unknown lane under its address.
    pub lanes: BTreeMap<String, Lane>,
    /// Each group address asked about and the members Google expanded it to.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Google's limits made meetty ask in several queries; the UI says so.
    pub split: bool,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    calendars: HashMap<String, CalendarAnswer>,
    #[serde(default)]
    groups: HashMap<String, GroupAnswer>,
}

#[derive(Deserialize)]
struct CalendarAnswer {
    #[serde(default)]
    busy: Vec<Period>,
    #[serde(default)]
    errors: Vec<Reason>,
}

#[derive(Deserialize)]
struct GroupAnswer {
    #[serde(default)]
    calendars: Vec<String>,
    #[serde(default)]
    errors: Vec<Reason>,
}

#[derive(Deserialize)]
struct Period {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Deserialize)]
struct Reason {
    #[serde(default)]
    reason: String,
}

const TOO_MANY: &str = "tooManyCalendarsRequested";

/// The name of the lane that merges the user's own calendars.
pub const YOU: &str = "you";

/// The calendars that make the user's own lane: those shown in Google Calendar (the calendar
/// list's `selected`), or `primary` when none is known to be.
pub fn own_calendars(calendars: &[CalendarInfo]) -> Vec<String> {
    let selected: Vec<String> = calendars
        .iter()
        .filter(|c| c.selected)
        .map(|c| c.id.clone())
        .collect();
    if selected.is_empty() {
        vec!["primary".to_string()]
    } else {
        selected
    }
}

impl CalendarClient {
    /// Busy blocks for every id of `q`: one `freebusy.query`, or several when Google's
    /// limits require it (see the module's comment).
    pub async fn free_busy(&self, q: &BusyQuery) -> Result<FreeBusy, ApiError> {
        let mut ids: Vec<&str> = Vec::with_capacity(q.ids.len());
        for id in &q.ids {
            if !ids.contains(&id.as_str()) {
                ids.push(id);
            }
        }
        let mut out = FreeBusy::default();
        let mut batches: VecDeque<Vec<&str>> = ids
            .chunks(CALENDAR_EXPANSION_MAX)
            .map(<[&str]>::to_vec)
            .collect();
        out.split = batches.len() > 1;
        while let Some(batch) = batches.pop_front() {
            let answer = self.query(q, &batch).await?;
            let retry = out.take(&batch, answer);
            if retry.is_empty() {
                continue;
            }
            out.split = true;
            if retry.len() < batch.len() {
                batches.push_back(retry);
            } else if batch.len() > 1 {
                let (first, second) = batch.split_at(batch.len() / 2);
                batches.push_back(first.to_vec());
                batches.push_back(second.to_vec());
            }
            // One item alone still over the limit (a group of more than 50): its lanes stay
            // unknown, with Google's reason.
        }
        Ok(out)
    }

    async fn query(&self, q: &BusyQuery, ids: &[&str]) -> Result<Answer, ApiError> {
        let at = |t: DateTime<Utc>| {
            t.with_timezone(&q.tz)
                .to_rfc3339_opts(SecondsFormat::Secs, true)
        };
        let items: Vec<_> = ids.iter().map(|id| json!({ "id": id })).collect();
        let body = json!({
            "timeMin": at(q.from),
            "timeMax": at(q.to),
            "timeZone": q.tz.name(),
            "groupExpansionMax": GROUP_EXPANSION_MAX,
            "calendarExpansionMax": CALENDAR_EXPANSION_MAX,
            "items": items,
        });
        let url = self.url("freeBusy", &[])?;
        let bytes = self
            .request(Method::POST, &url, Some(&body.to_string()), &[])
            .await
            .map_err(not_allowed)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::Unexpected(format!("freebusy.query: {e}")))
    }
}

impl FreeBusy {
    /// The lanes find a time shows, the TUI and the CLI alike: first [`YOU`], every calendar
    /// of `own` merged (one Google would not show adds nothing), then one per guest as typed.
    /// A group is merged from the members Google expanded it to; a guest Google did not
    /// answer for is unknown.
    pub fn lanes(&self, own: &[String], guests: &[String]) -> Vec<(String, Lane)> {
        let merged = |ids: &[String]| {
            let mut all = Vec::new();
            for id in ids {
                if let Some(Lane::Busy(b)) = self.lanes.get(id) {
                    all.extend(b.iter().cloned());
                }
            }
            Lane::Busy(all)
        };
        let mut lanes = vec![(YOU.to_string(), merged(own))];
        for guest in guests {
            let lane = match self.groups.get(guest) {
                Some(members) => merged(members),
                None => self.lanes.get(guest).cloned().unwrap_or(Lane::Unknown {
                    reason: "Google did not answer for this guest".into(),
                }),
            };
            lanes.push((guest.clone(), lane));
        }
        lanes
    }

    /// Records the lanes of one answer; returns the ids to ask about again because Google
    /// said `tooManyCalendarsRequested` for them (or for a member of theirs).
    fn take<'a>(&mut self, asked: &[&'a str], mut answer: Answer) -> Vec<&'a str> {
        let mut retry = Vec::new();
        for &id in asked {
            let members = match answer.groups.remove(id) {
                Some(group) if !group.errors.is_empty() => {
                    self.lanes.insert(id.to_string(), unknown(&group.errors));
                    continue;
                }
                Some(group) => {
                    // Addresses from Google are drawn later: no control characters.
                    let members = group.calendars.iter().map(|m| crate::sanitize::line(m));
                    self.groups.insert(id.to_string(), members.collect());
                    group.calendars
                }
                None => vec![id.to_string()],
            };
            let mut over_limit = false;
            for member in members {
                let lane = match answer.calendars.get(&member) {
                    Some(c) if !c.errors.is_empty() => {
                        over_limit |= c.errors.iter().any(|e| e.reason == TOO_MANY);
                        unknown(&c.errors)
                    }
                    Some(c) => {
                        let mut blocks: Vec<Interval> = c
                            .busy
                            .iter()
                            .filter(|p| p.start < p.end)
                            .map(|p| Interval::new(p.start, p.end))
                            .collect();
                        blocks.sort_unstable();
                        Lane::Busy(blocks)
                    }
                    None => Lane::Unknown {
                        reason: "Google's answer left this calendar out; try again".into(),
                    },
                };
                self.lanes.insert(crate::sanitize::line(&member), lane);
            }
            if over_limit {
                retry.push(id);
            }
        }
        retry
    }
}

/// Google's per-calendar (or per-group) errors, worded for the user; the code stays at the
/// end so it can be looked up.
fn unknown(errors: &[Reason]) -> Lane {
    let reason = errors.first().map_or("", |e| e.reason.as_str());
    let words = match reason {
        "notFound" => "not shared with you, or outside your organisation",
        "groupTooBig" => "a group of more than 100, more than Google expands",
        TOO_MANY => "more calendars than Google answers for at once",
        "internalError" => "Google could not read it just now; try again",
        _ => "Google could not read it",
    };
    Lane::Unknown {
        reason: format!("{words} ({})", crate::sanitize::line(reason)),
    }
}

/// A sign-in from before find a time lacks the availability scope: Google answers 403
/// `insufficientPermissions` (or, in its newer error format, `ACCESS_TOKEN_SCOPE_INSUFFICIENT`),
/// which only signing in again fixes.
fn not_allowed(error: ApiError) -> ApiError {
    let scope = |reason: &str| {
        reason == "insufficientPermissions" || reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    };
    match error {
        ApiError::Google {
            code: 403, reason, ..
        } if scope(&reason) => ApiError::SignIn(
            "this sign-in does not let meetty see availability (it predates find a time); \
             sign in again (`meetty login`) and allow it"
                .into(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(hour: u32) -> Interval {
        let at = |h: u32| {
            format!("2026-11-23T{h:02}:00:00Z")
                .parse::<DateTime<Utc>>()
                .unwrap()
        };
        Interval::new(at(hour), at(hour + 1))
    }

    fn calendar(id: &str, selected: bool) -> CalendarInfo {
        CalendarInfo {
            id: id.into(),
            name: id.into(),
            color: None,
            primary: false,
            selected,
            writable: true,
            meet_allowed: true,
        }
    }

    #[test]
    fn own_lane_is_the_selected_calendars_else_primary() {
        let list = [calendar("me@x.com", true), calendar("holidays", false)];
        assert_eq!(own_calendars(&list), ["me@x.com"]);
        assert_eq!(own_calendars(&[calendar("holidays", false)]), ["primary"]);
        assert_eq!(own_calendars(&[]), ["primary"]);
    }

    #[test]
    fn lanes_merge_your_calendars_and_a_group_and_name_who_is_unknown() {
        let unknown = Lane::Unknown {
            reason: "not shared with you, or outside your organisation (notFound)".into(),
        };
        let busy = FreeBusy {
            lanes: BTreeMap::from([
                ("me@x.com".to_string(), Lane::Busy(vec![block(8)])),
                ("team-cal".to_string(), Lane::Busy(vec![block(10)])),
                ("hidden-cal".to_string(), unknown.clone()),
                ("a@x.com".to_string(), Lane::Busy(vec![block(12)])),
                ("b@x.com".to_string(), Lane::Busy(vec![block(13)])),
                ("c@x.com".to_string(), Lane::Busy(vec![block(14)])),
                ("out@y.com".to_string(), unknown.clone()),
            ]),
            groups: BTreeMap::from([(
                "team@x.com".to_string(),
                vec!["a@x.com".to_string(), "b@x.com".to_string()],
            )]),
            split: false,
        };
        let own = ["me@x.com", "team-cal", "hidden-cal"].map(String::from);
        let guests = ["team@x.com", "c@x.com", "out@y.com", "late@x.com"].map(String::from);
        let lanes = busy.lanes(&own, &guests);
        assert_eq!(
            lanes,
            [
                (YOU.into(), Lane::Busy(vec![block(8), block(10)])),
                ("team@x.com".into(), Lane::Busy(vec![block(12), block(13)])),
                ("c@x.com".into(), Lane::Busy(vec![block(14)])),
                ("out@y.com".into(), unknown),
                (
                    "late@x.com".into(),
                    Lane::Unknown {
                        reason: "Google did not answer for this guest".into()
                    }
                ),
            ]
        );
    }
}
