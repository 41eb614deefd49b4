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

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
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
/// The longest range one query asks about. Google's reference names no limit, but refuses
/// longer ranges with 400 `timeRangeTooLong` ("The requested time range is too long"); cal.com
/// found the limit at 90 days and splits there (calcom/cal.com#11962), as meetty does.
pub const MAX_RANGE: TimeDelta = TimeDelta::days(90);

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
        let mut ids: Vec<String> = Vec::with_capacity(q.ids.len());
        for id in &q.ids {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        let mut out: Option<FreeBusy> = None;
        let mut from = q.from;
        loop {
            // A range Google would refuse as too long is asked in consecutive parts.
            let to = q.to.min(from + MAX_RANGE);
            let part = self.free_busy_between(q, from, to, &ids).await?;
            match &mut out {
                Some(all) => all.merge(part),
                None => out = Some(part),
            }
            if to >= q.to {
                return Ok(out.unwrap_or_default());
            }
            from = to;
        }
    }

    /// Every id of `ids` over `[from, to)`, asked in batches Google answers in full: at most
    /// [`CALENDAR_EXPANSION_MAX`] ids at once, and the calendars it refused
    /// (`tooManyCalendarsRequested`, a group's members among them) again on their own.
    async fn free_busy_between(
        &self,
        q: &BusyQuery,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        ids: &[String],
    ) -> Result<FreeBusy, ApiError> {
        let mut out = FreeBusy::default();
        let mut batches: VecDeque<Vec<String>> = ids
            .chunks(CALENDAR_EXPANSION_MAX)
            .map(<[String]>::to_vec)
            .collect();
        out.split = batches.len() > 1;
        while let Some(batch) = batches.pop_front() {
            let answer = self.query(q, from, to, &batch).await?;
            let retry = out.take(&batch, answer);
            if retry.is_empty() {
                continue;
            }
            out.split = true;
            if retry != batch {
                batches.extend(retry.chunks(CALENDAR_EXPANSION_MAX).map(<[String]>::to_vec));
            } else if batch.len() > 1 {
                let (first, second) = batch.split_at(batch.len() / 2);
                batches.push_back(first.to_vec());
                batches.push_back(second.to_vec());
            }
            // One calendar alone still refused: its lane stays unknown, with Google's reason.
        }
        Ok(out)
    }

    async fn query(
        &self,
        q: &BusyQuery,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        ids: &[String],
    ) -> Result<Answer, ApiError> {
        let at = |t: DateTime<Utc>| {
            t.with_timezone(&q.tz)
                .to_rfc3339_opts(SecondsFormat::Secs, true)
        };
        let items: Vec<_> = ids.iter().map(|id| json!({ "id": id })).collect();
        let body = json!({
            "timeMin": at(from),
            "timeMax": at(to),
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
    /// A group is merged from the members Google answered for; members it did not answer
    /// for get one unknown lane after the group's ("team@x.com: 3 of 60 members unknown"),
    /// so the slots say they were chosen without them. A guest, or a group none of whose
    /// members Google answered for, is unknown.
    pub fn lanes(&self, own: &[String], guests: &[String]) -> Vec<(String, Lane)> {
        let mut lanes = vec![(YOU.to_string(), self.merged(own))];
        for guest in guests {
            let Some(members) = self.groups.get(guest) else {
                let lane = self.lanes.get(guest).cloned().unwrap_or(Lane::Unknown {
                    reason: NO_ANSWER.into(),
                });
                lanes.push((guest.clone(), lane));
                continue;
            };
            let unknown: Vec<(&String, &str)> = members
                .iter()
                .filter_map(|m| match self.lanes.get(m) {
                    Some(Lane::Busy(_)) => None,
                    Some(Lane::Unknown { reason }) => Some((m, reason.as_str())),
                    None => Some((m, NO_ANSWER)),
                })
                .collect();
            let Some(&(_, reason)) = unknown.first() else {
                lanes.push((guest.clone(), self.merged(members)));
                continue;
            };
            if unknown.len() == members.len() {
                let reason = format!("none of its members' calendars: {reason}");
                lanes.push((guest.clone(), Lane::Unknown { reason }));
                continue;
            }
            lanes.push((guest.clone(), self.merged(members)));
            const NAMED: usize = 3;
            let mut who: Vec<&str> = unknown
                .iter()
                .take(NAMED)
                .map(|(m, _)| m.as_str())
                .collect();
            let more = format!("{} more", unknown.len().saturating_sub(NAMED));
            if unknown.len() > NAMED {
                who.push(&more);
            }
            lanes.push((
                format!(
                    "{guest}: {} of {} members unknown",
                    unknown.len(),
                    members.len()
                ),
                Lane::Unknown {
                    reason: format!("{}: {reason}", who.join(", ")),
                },
            ));
        }
        lanes
    }

    /// The busy blocks of `ids` in one lane; those Google did not answer for add nothing.
    fn merged(&self, ids: &[String]) -> Lane {
        let mut all = Vec::new();
        for id in ids {
            if let Some(Lane::Busy(b)) = self.lanes.get(id) {
                all.extend(b.iter().copied());
            }
        }
        all.sort_unstable();
        Lane::Busy(all)
    }

    /// Adds the answer for a later stretch of time: busy blocks join, and a calendar unknown
    /// in either stretch is unknown.
    fn merge(&mut self, later: FreeBusy) {
        for (id, lane) in later.lanes {
            match (self.lanes.get_mut(&id), lane) {
                (Some(Lane::Busy(blocks)), Lane::Busy(more)) => blocks.extend(more),
                (Some(Lane::Unknown { .. }), _) => {}
                (_, lane) => {
                    self.lanes.insert(id, lane);
                }
            }
        }
        for (group, members) in later.groups {
            self.groups.entry(group).or_insert(members);
        }
        self.split |= later.split;
    }

    /// Records the lanes of one answer; returns the calendars to ask about again, on their
    /// own, because Google said `tooManyCalendarsRequested` for them (a group's members
    /// among them: the group was expanded, so asking for it again would not help).
    fn take(&mut self, asked: &[String], mut answer: Answer) -> Vec<String> {
        let mut retry: Vec<String> = Vec::new();
        for id in asked {
            let members = match answer.groups.remove(id) {
                Some(group) if !group.errors.is_empty() => {
                    self.lanes.insert(id.clone(), unknown(&group.errors));
                    continue;
                }
                Some(group) => {
                    // Addresses from Google are drawn later: no control characters.
                    let members = group.calendars.iter().map(|m| crate::sanitize::line(m));
                    self.groups.insert(id.clone(), members.collect());
                    group.calendars
                }
                None => vec![id.clone()],
            };
            for member in members {
                let lane = match answer.calendars.get(&member) {
                    Some(c) if !c.errors.is_empty() => {
                        if c.errors.iter().any(|e| e.reason == TOO_MANY) && !retry.contains(&member)
                        {
                            retry.push(member.clone());
                        }
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
        }
        retry
    }
}

const NO_ANSWER: &str = "Google did not answer for this guest";

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
            owned: false,
            account: 0,
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

    #[test]
    fn a_group_member_google_did_not_answer_for_is_named_not_taken_for_free() {
        use crate::freetime::{free_slots, WorkingHours};
        let refused = Lane::Unknown {
            reason: "more calendars than Google answers for at once (tooManyCalendarsRequested)"
                .into(),
        };
        let members = |n: usize| (0..n).map(|i| format!("m{i}@x.com")).collect::<Vec<_>>();
        let mut lanes = BTreeMap::from([("me@x.com".to_string(), Lane::Busy(vec![]))]);
        lanes.insert("m0@x.com".into(), Lane::Busy(vec![block(9)]));
        lanes.insert("m1@x.com".into(), Lane::Busy(vec![]));
        for m in &members(6)[2..] {
            lanes.insert(m.clone(), refused.clone());
        }
        lanes.insert("h0@x.com".into(), refused.clone());
        let busy = FreeBusy {
            lanes,
            groups: BTreeMap::from([
                ("team@x.com".to_string(), members(6)),
                ("hidden@x.com".to_string(), vec!["h0@x.com".to_string()]),
            ]),
            split: true,
        };
        let own = ["me@x.com".to_string()];
        let guests = ["team@x.com", "hidden@x.com"].map(String::from);
        let lanes = busy.lanes(&own, &guests);
        let reason = "more calendars than Google answers for at once (tooManyCalendarsRequested)";
        assert_eq!(
            lanes[1..],
            [
                ("team@x.com".into(), Lane::Busy(vec![block(9)])),
                (
                    "team@x.com: 4 of 6 members unknown".into(),
                    Lane::Unknown {
                        reason: format!("m2@x.com, m3@x.com, m4@x.com, 1 more: {reason}")
                    }
                ),
                (
                    "hidden@x.com".into(),
                    Lane::Unknown {
                        reason: format!("none of its members' calendars: {reason}")
                    }
                ),
            ]
        );
        let hours = WorkingHours::parse("09:00-11:00", &["mon"]).unwrap();
        let from = block(0).start;
        let slots = free_slots(
            &lanes,
            from,
            1,
            TimeDelta::hours(1),
            &hours,
            Tz::UTC,
            TimeDelta::hours(1),
        );
        assert_eq!(
            slots.slots,
            [block(10)],
            "the known member's block still counts"
        );
        assert_eq!(
            slots.without,
            ["team@x.com: 4 of 6 members unknown", "hidden@x.com"]
        );
    }
}
