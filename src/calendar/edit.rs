//! Changing a meeting the user organizes: read it for editing ([`Editable`]), send only what
//! changed ([`Changes`]) guarded by its etag, report a meeting changed elsewhere meanwhile as a
//! [`Conflict`] to ask about, and apply a change to one occurrence, this and the following
//! ones (a series split, as Google Calendar does it) or every occurrence ([`Scope`]).
//!
//! Every write is an `events.patch` with only the changed fields and `If-Match` with the etag
//! read (Google answers 412 when the event changed since; then it is read again and the
//! differences are returned, nothing more is sent). PATCH replaces arrays, so a guest change
//! sends the attendee list as read, everyone's answers included, plus and minus the change:
//! the etag guard makes that safe.
//!
//! Scopes: [`Scope::This`] patches the occurrence's own id (Google keeps it as an exception),
//! [`Scope::All`] patches the series, moved by as much as the chosen occurrence moved.
//! [`Scope::Following`] splits the series the way Google Calendar does: two writes, in this
//! order so that nothing is lost or doubled when one of them fails:
//! 1. the original series is truncated (`UNTIL` just before the chosen occurrence, see
//!    [`crate::recurrence::split`]) with `If-Match`: the conflict check happens before anything
//!    is created, and a 412 here leaves everything as it was;
//! 2. the new series is inserted, starting at the chosen occurrence with the changes, the rest
//!    of the rule, the same guests and the same conference, copied (not a new Meet request),
//!    under an id meetty chose, so a retried insert cannot make a twin (a 409 reads it back);
//! 3. if the insert fails for good, the original recurrence is put back (guarded by the etag
//!    the truncation returned), so the occurrences from the split on are not lost.
//!
//! This is the two-request split of Google's guide "Recurring events", section "Modifying all
//! following instances" (developers.google.com/workspace/calendar/api/guides/recurringevents).
//!
//! [`Editable::source`] is the event as Google returned it: the attendee entries (answers,
//! comments, flags) and the conference a write must carry over unchanged.

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeDelta, Utc};
use chrono_tz::Tz;
use hyper::Method;
use serde_json::{json, Map, Value};

use super::client::CalendarClient;
use super::error::ApiError;
use super::model::{Meeting, SendUpdates, When};
use super::plan::Planned;
use super::write::{self, create_request, OnProgress, Progress, Snapshot};
use crate::recurrence::{self, Start};
use crate::sanitize;

/// Which occurrences of a recurring meeting a change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The chosen occurrence (or the only one of a single meeting).
    This,
    /// The chosen occurrence and every later one: the series is split there.
    Following,
    /// Every occurrence: the series itself changes.
    All,
}

/// What becomes of the meeting's video conference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetChange {
    /// A new Google Meet link.
    Add,
    /// No conference any more.
    Remove,
    /// The same conference (room) as another event, copied from it.
    CopyFrom {
        calendar_id: String,
        event_id: String,
    },
}

/// What an edit changes; `None` and empty fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    pub title: Option<String>,
    /// The new start and end of the chosen occurrence. For [`Scope::All`] the series moves
    /// by the same amount.
    pub start: Option<DateTime<Tz>>,
    pub end: Option<DateTime<Tz>>,
    pub add_guests: Vec<String>,
    pub remove_guests: Vec<String>,
    pub description: Option<String>,
    pub meet: Option<MeetChange>,
    /// New `RRULE`/`EXDATE` lines (empty: no longer repeats). Not for [`Scope::This`].
    pub recurrence: Option<Vec<String>>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }
}

/// A recurring meeting's series, as read for editing.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub id: String,
    pub etag: Option<String>,
    /// `RRULE`/`EXDATE`/`RDATE` lines as Google holds them.
    pub recurrence: Vec<String>,
    /// The series' first start, in its zone.
    pub start: DateTime<Tz>,
    /// The series as Google returned it: what "all occurrences" and a split carry over
    /// (the series' own guest list and answers, not one occurrence's).
    pub source: Value,
}

/// A meeting read fresh for editing: what the edit form fills from and what guards the write.
#[derive(Debug, Clone, PartialEq)]
pub struct Editable {
    /// Carries the etag the write is guarded with.
    pub meeting: Meeting,
    /// The zone the event is written in (`start.timeZone`, else the calendar's).
    pub zone: Tz,
    /// For an occurrence of a recurring meeting (or the series itself, when that was read).
    pub series: Option<Series>,
    /// The event as Google returned it: what a write carries over (attendee entries with
    /// their answers, the conference, the fields a split copies to the new series).
    pub source: Value,
}

/// An edit to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub calendar: String,
    pub target: Editable,
    pub scope: Scope,
    pub changes: Changes,
    pub send: SendUpdates,
}

/// One field that differs between the version the user edited and the one Google has now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// "title", "time", "guests", "description", "video link", "repeat".
    pub field: &'static str,
    pub before: String,
    pub now: String,
}

/// The meeting changed elsewhere since it was read (Google answered 412).
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The meeting as it is now; an [`Edit`] with this target applies the changes on top.
    pub current: Editable,
    pub differences: Vec<Difference>,
}

/// How an edit ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Edited {
    /// Saved; the meeting as Google returned it (for a split, the new series' occurrence).
    Done(Box<Meeting>),
    /// Not saved: ask the user, then send again with [`Conflict::current`] as the target.
    Conflict(Box<Conflict>),
}

/// The fields a split copies from the occurrence to the new series, besides those it builds
/// (times, recurrence, conference) and the guests (the series' own list and answers).
const SPLIT_COPIES: &[&str] = &[
    "summary",
    "description",
    "location",
    "colorId",
    "transparency",
    "visibility",
    "reminders",
    "guestsCanModify",
    "guestsCanInviteOthers",
    "guestsCanSeeOtherGuests",
    "anyoneCanAddSelf",
    "extendedProperties",
    "attachments",
];

/// The longest description shown in a [`Difference`].
const SHORT_TEXT: usize = 60;

impl CalendarClient {
    /// Reads an event (and its series, for an occurrence) for editing. The zone is the
    /// event's `start.timeZone`, else the series', else the calendar's as Google has it
    /// (never this machine's).
    pub async fn load_edit(&self, calendar_id: &str, event_id: &str) -> Result<Editable, ApiError> {
        let body = self.read(calendar_id, event_id).await?;
        let meeting = Snapshot::parse(calendar_id, &body)?.meeting;
        let source = parse_json(&body)?;
        let master = match source["recurringEventId"].as_str() {
            Some(id) => Some(parse_json(&self.read(calendar_id, id).await?)?),
            None if source.get("recurrence").is_some() => Some(source.clone()),
            None => None,
        };
        let zone = match zone_of(&source).or_else(|| master.as_ref().and_then(zone_of)) {
            Some(zone) => zone,
            None => self.calendar_zone(calendar_id).await?,
        };
        let series = master.map(|m| series_of(&m, zone)).transpose()?;
        Ok(Editable {
            meeting,
            zone,
            series,
            source,
        })
    }

    /// The calendar's zone, from its calendar list entry: the `calendar.calendarlist.readonly`
    /// scope meetty asks for covers `calendarList.get`, not `calendars.get`.
    async fn calendar_zone(&self, calendar_id: &str) -> Result<Tz, ApiError> {
        let path = format!(
            "users/me/calendarList/{}",
            crate::percent::encode_segment(calendar_id)
        );
        let entry = parse_json(
            &self
                .get(&self.url(&path, &[("fields", "timeZone")])?)
                .await?,
        )?;
        let name = entry["timeZone"].as_str().unwrap_or_default();
        name.parse().map_err(|_| {
            ApiError::Unexpected(format!(
                "Google did not give a time zone meetty knows for calendar {calendar_id} \
                 (\u{201c}{}\u{201d}): set the calendar's time zone in Google Calendar's settings",
                sanitize::line(name)
            ))
        })
    }

    /// The write requests `edit` makes, in order, without sending them (a split reads
    /// nothing more: the occurrences after it, whose cancellations the new series keeps as
    /// `EXDATE`s and whose own changes stop the split, are read only when sending). A conference copied from another event is read only when sending; here
    /// its place holds a note saying which event it comes from.
    pub fn plan_edit(&self, edit: &Edit) -> Result<Vec<Planned>, ApiError> {
        let conference = edit.changes.meet.as_ref().map(|meet| match meet {
            MeetChange::CopyFrom {
                calendar_id,
                event_id,
            } => json!(format!(
                "(the conference of event {event_id} on {calendar_id}, read when sending)"
            )),
            MeetChange::Add => json!({ "createRequest": create_request() }),
            MeetChange::Remove => Value::Null,
        });
        self.plan(edit, conference, &write::event_id(), &[])
    }

    /// Sends an edit: see the module comment for the order of a split and what a failure
    /// leaves behind.
    pub async fn edit(&self, edit: &Edit, progress: OnProgress<'_>) -> Result<Edited, ApiError> {
        progress(Progress::Saving);
        let conference = match &edit.changes.meet {
            Some(MeetChange::CopyFrom {
                calendar_id,
                event_id,
            }) => Some(self.conference_to_copy(calendar_id, event_id).await?),
            Some(MeetChange::Add) => Some(json!({ "createRequest": create_request() })),
            Some(MeetChange::Remove) => Some(Value::Null),
            None => None,
        };
        let after_split = match split_point(edit) {
            Some((series, at)) => self.instances_from(&edit.calendar, &series.id, at).await?,
            None => Vec::new(),
        };
        let plan = self.plan(edit, conference, &write::event_id(), &after_split)?;
        let Some(first) = plan.first() else {
            return Ok(Edited::Done(Box::new(edit.target.meeting.clone())));
        };
        let written = match self.send(first).await {
            Err(ApiError::Google { code: 412, .. }) => return self.conflict(edit).await,
            other => other?,
        };
        let stored = match plan.get(1) {
            Some(insert) => self.insert_split(edit, first, &written, insert).await?,
            None => written,
        };
        let snapshot = Snapshot::parse(&edit.calendar, &stored)?;
        let meeting = match edit.changes.meet {
            Some(MeetChange::Add) => {
                self.await_link(&edit.calendar, snapshot, progress)
                    .await
                    .meeting
            }
            _ => snapshot.meeting,
        };
        let meeting = match plan.get(1) {
            Some(insert) => self.first_occurrence(&edit.calendar, insert, meeting).await,
            None => meeting,
        };
        Ok(Edited::Done(Box::new(meeting)))
    }

    /// The new series' first occurrence, as the agenda lists it; the series itself when it
    /// cannot be read (it is saved either way).
    async fn first_occurrence(
        &self,
        calendar_id: &str,
        insert: &Planned,
        series: Meeting,
    ) -> Meeting {
        let start = insert.body.as_ref().map(|b| &b["start"]);
        let stamp = match start.and_then(|s| s["dateTime"].as_str()) {
            Some(t) => DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string())
                .ok(),
            None => start
                .and_then(|s| s["date"].as_str())
                .map(|d| d.replace('-', "")),
        };
        let Some(stamp) = stamp else {
            return series;
        };
        match self
            .event(calendar_id, &format!("{}_{stamp}", series.id))
            .await
        {
            Ok(occurrence) => occurrence,
            Err(e) => {
                log::warn!("reading the new series' first occurrence failed: {e}");
                series
            }
        }
    }

    /// The second write of a split; when it fails for good, the first is undone.
    async fn insert_split(
        &self,
        edit: &Edit,
        truncate: &Planned,
        truncated: &[u8],
        insert: &Planned,
    ) -> Result<hyper::body::Bytes, ApiError> {
        let id = insert
            .body
            .as_ref()
            .and_then(|b| b["id"].as_str())
            .unwrap_or_default();
        let error = match self.insert(&edit.calendar, id, insert).await {
            Ok(stored) => return Ok(stored),
            Err(e) => e,
        };
        // The insert may have been stored with its answer lost (every retry too): undoing
        // the truncation then would double every occurrence from the split on.
        if let Ok(stored) = self.read(&edit.calendar, id).await {
            log::info!("the split's new series {id} was stored though its answer was lost");
            return Ok(stored);
        }
        let original = edit.target.series.as_ref().map(|s| s.recurrence.clone());
        let restore = Planned {
            body: Some(json!({ "recurrence": original })),
            if_match: parse_json(truncated)?["etag"].as_str().map(str::to_string),
            ..truncate.clone()
        };
        match self.send(&restore).await {
            Ok(_) => {
                log::warn!("the split's new series failed ({error}); the series is as before");
                Err(error)
            }
            Err(undo) => Err(ApiError::Unexpected(format!(
                "the series now ends before this occurrence, but the new series from it could \
                 not be created ({error}) and the ending could not be undone ({undo}): make \
                 the series repeat again in Google Calendar"
            ))),
        }
    }

    /// Reads the meeting again after a 412 and says what changed meanwhile.
    async fn conflict(&self, edit: &Edit) -> Result<Edited, ApiError> {
        let current = self
            .load_edit(&edit.calendar, &edit.target.meeting.id)
            .await?;
        let differences = differences(&edit.target, &current);
        Ok(Edited::Conflict(Box::new(Conflict {
            current,
            differences,
        })))
    }

    /// The series' instances (cancelled ones included) ending after `from`, every page.
    async fn instances_from(
        &self,
        calendar_id: &str,
        series_id: &str,
        from: DateTime<Tz>,
    ) -> Result<Vec<Value>, ApiError> {
        let path = format!(
            "calendars/{}/events/{}/instances",
            crate::percent::encode_segment(calendar_id),
            crate::percent::encode_segment(series_id)
        );
        let min = from
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut params = vec![
                ("showDeleted", "true"),
                ("timeMin", min.as_str()),
                ("maxResults", "2500"),
            ];
            if let Some(t) = &token {
                params.push(("pageToken", t));
            }
            let page = parse_json(&self.get(&self.url(&path, &params)?).await?)?;
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["nextPageToken"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => return Ok(items),
            }
        }
    }

    /// The requests of `edit`, with `conference` the resolved `conferenceData` (`None`: no
    /// change), `new_id` the id a split's new series gets and `after_split` the series'
    /// instances from the split on (see [`CalendarClient::instances_from`]).
    fn plan(
        &self,
        edit: &Edit,
        conference: Option<Value>,
        new_id: &str,
        after_split: &[Value],
    ) -> Result<Vec<Planned>, ApiError> {
        let target = &edit.target;
        let changes = &edit.changes;
        let occurrence_of = target.series.as_ref().filter(|s| s.id != target.meeting.id);
        // Guests answer each occurrence on its own: a change to more than this one starts
        // from the series' guest list, never from one week's answers.
        let guests_of = match (occurrence_of, edit.scope) {
            (Some(series), Scope::Following | Scope::All) => &series.source,
            _ => &target.source,
        };
        let mut fields = changed_fields(target, guests_of, changes, conference);
        let (now_start, now_end) = current_times(&target.meeting, target.zone);
        let new_start = changes
            .start
            .map_or(now_start, |t| t.with_timezone(&target.zone));
        let new_end = changes
            .end
            .map_or(now_end, |t| t.with_timezone(&target.zone));
        let all_day = target.meeting.is_all_day();
        let at = |t: DateTime<Tz>| time_value(t, target.zone, all_day);
        let in_zone = |local| {
            let zone = target.zone;
            let start = Start {
                local,
                tz: zone,
                all_day: false,
            };
            start.instant(local).with_timezone(&zone)
        };
        let Some(series) = occurrence_of else {
            // A single meeting, or the series itself: its own times, its own rule.
            if new_start != now_start {
                fields.insert("start".into(), at(new_start));
            }
            if new_end != now_end {
                fields.insert("end".into(), at(new_end));
            }
            if let Some(lines) = &changes.recurrence {
                let current = target.series.as_ref().map(|s| s.recurrence.as_slice());
                if current.unwrap_or_default() != lines.as_slice() {
                    check_rule(lines, new_start, all_day)?;
                    fields.insert("recurrence".into(), json!(lines));
                }
            }
            let patch = self.planned_patch(edit, &target.meeting.id, &target.meeting.etag, fields);
            return Ok(patch?.into_iter().collect());
        };
        let original = original_start(target);
        match edit.scope {
            Scope::This => {
                if changes.recurrence.is_some() {
                    return Err(ApiError::Refused(
                        "one occurrence cannot repeat on its own: change the repeat for this \
                         and the following occurrences, or for all of them"
                            .into(),
                    ));
                }
                if new_start != now_start {
                    fields.insert("start".into(), at(new_start));
                }
                if new_end != now_end {
                    fields.insert("end".into(), at(new_end));
                }
                let patch =
                    self.planned_patch(edit, &target.meeting.id, &target.meeting.etag, fields);
                Ok(patch?.into_iter().collect())
            }
            Scope::Following if original > series.start => {
                let split = Split {
                    series,
                    at: original,
                    start: changes
                        .start
                        .map_or(original, |t| t.with_timezone(&target.zone)),
                    length: new_end - new_start,
                };
                self.split(edit, split, fields, new_id, after_split)
            }
            // From the first occurrence on, "this and following" is every occurrence.
            Scope::All | Scope::Following => {
                if (new_start, new_end) != (now_start, now_end) {
                    // The series moves by the occurrence's move in wall-clock time (in days
                    // for all-day meetings): across a DST change an hour is not an hour.
                    let wall = |t: DateTime<Tz>| t.naive_local();
                    let start = in_zone(wall(series.start) + (wall(new_start) - wall(now_start)));
                    let end = match all_day {
                        true => in_zone(wall(start) + (wall(new_end) - wall(new_start))),
                        false => start + (new_end - new_start),
                    };
                    fields.insert("start".into(), at(start));
                    fields.insert("end".into(), at(end));
                }
                if let Some(lines) = changes.recurrence.as_ref() {
                    if *lines != series.recurrence {
                        check_rule(lines, series.start, all_day)?;
                        fields.insert("recurrence".into(), json!(lines));
                    }
                }
                let patch = self.planned_patch(edit, &series.id, &series.etag, fields);
                Ok(patch?.into_iter().collect())
            }
        }
    }

    /// A PATCH of `fields` on `event_id`, guarded by `etag`; none when nothing changes.
    fn planned_patch(
        &self,
        edit: &Edit,
        event_id: &str,
        etag: &Option<String>,
        fields: Map<String, Value>,
    ) -> Result<Option<Planned>, ApiError> {
        if fields.is_empty() {
            return Ok(None);
        }
        let mut params = vec![("sendUpdates", edit.send.as_param())];
        if fields.contains_key("conferenceData") {
            // Without it Google ignores conference changes and answers 200.
            params.push(("conferenceDataVersion", "1"));
        }
        Ok(Some(Planned {
            method: Method::PATCH,
            url: self.events_url(&edit.calendar, Some(event_id), &params)?,
            if_match: etag.clone(),
            body: Some(Value::Object(fields)),
        }))
    }

    /// "This and following": truncate the series, then insert the new one (see the module
    /// comment).
    fn split(
        &self,
        edit: &Edit,
        split: Split,
        fields: Map<String, Value>,
        new_id: &str,
        after_split: &[Value],
    ) -> Result<Vec<Planned>, ApiError> {
        let target = &edit.target;
        let all_day = target.meeting.is_all_day();
        let zone = target.zone;
        let local = |t: DateTime<Tz>| match all_day {
            true => t.date_naive().and_time(NaiveTime::MIN),
            false => t.naive_local(),
        };
        let series_start = Start {
            local: local(split.series.start),
            tz: zone,
            all_day,
        };
        let (before, after) =
            recurrence::split(&split.series.recurrence, series_start, local(split.at))
                .map_err(|e| ApiError::Refused(format!("cannot split this series: {e}")))?;
        let after = match &edit.changes.recurrence {
            // The rule as it was (a form sends it back unchanged) keeps the rest of the count.
            Some(lines) if *lines != split.series.recurrence => {
                check_rule(lines, split.start, all_day)?;
                lines.clone()
            }
            _ => after,
        };
        let after = [after, cancelled_after(&split, target, after_split)?].concat();
        let mut truncate = Map::new();
        truncate.insert("recurrence".into(), json!(before));
        let truncate = self.planned_patch(edit, &split.series.id, &split.series.etag, truncate)?;

        let mut body = Map::new();
        for key in SPLIT_COPIES {
            if let Some(value) = target.source.get(*key) {
                body.insert((*key).into(), value.clone());
            }
        }
        if let Some(attendees) = split.series.source.get("attendees") {
            body.insert("attendees".into(), attendees.clone());
        }
        // The room goes with the new series; a conference Google has not finished making
        // cannot be copied (the new series then has none, as the old one has none yet).
        if let Ok(conference) = write::usable_copy(&target.source) {
            body.insert("conferenceData".into(), conference);
        }
        for (key, value) in fields {
            match value {
                // Removing the conference: the new series simply has none.
                Value::Null => body.remove(&key),
                value => body.insert(key, value),
            };
        }
        body.insert("id".into(), json!(new_id));
        body.insert("start".into(), time_value(split.start, zone, all_day));
        let end = split.start + split.length;
        body.insert("end".into(), time_value(end, zone, all_day));
        body.insert("recurrence".into(), json!(after));
        let mut params = vec![
            ("conferenceDataVersion", "1"),
            ("sendUpdates", edit.send.as_param()),
        ];
        // Events reference, `attachments`: "In order to modify attachments the
        // supportsAttachments request parameter should be set to true"; without it the new
        // series would lose the files the meeting carries.
        if body.contains_key("attachments") {
            params.push(("supportsAttachments", "true"));
        }
        let url = self.events_url(&edit.calendar, None, &params)?;
        let insert = Planned {
            method: Method::POST,
            url,
            if_match: None,
            body: Some(Value::Object(body)),
        };
        Ok(truncate.into_iter().chain([insert]).collect())
    }
}

/// Where a series splits and how the new one begins.
struct Split<'a> {
    series: &'a Series,
    /// The chosen occurrence's original start: the old series ends just before it.
    at: DateTime<Tz>,
    /// The new series' first start (the chosen occurrence's, or its new one).
    start: DateTime<Tz>,
    length: TimeDelta,
}

/// The chosen occurrence's original start (its start, for a single meeting or a series).
fn original_start(target: &Editable) -> DateTime<Tz> {
    target
        .source
        .get("originalStartTime")
        .and_then(|t| event_time(t, target.zone))
        .unwrap_or_else(|| current_times(&target.meeting, target.zone).0)
}

/// For a "this and following" edit after a series' first occurrence: the series and where it
/// splits (otherwise no split: every occurrence changes, or only one).
fn split_point(edit: &Edit) -> Option<(&Series, DateTime<Tz>)> {
    let target = &edit.target;
    let series = target
        .series
        .as_ref()
        .filter(|s| s.id != target.meeting.id)?;
    let at = original_start(target);
    (edit.scope == Scope::Following && at > series.start).then_some((series, at))
}

/// `EXDATE` lines for the new series of a split: Google keeps a deleted occurrence as a
/// cancelled instance, not an `EXDATE` (Events reference, `status`: "cancelled" for deleted
/// instances of a recurring event), so the new series would bring it back. They are moved as
/// the new series' time moved. An occurrence changed on its own after the split point cannot
/// be carried over to the new series' instances: the split is refused before anything is
/// written, saying what to do.
fn cancelled_after(
    split: &Split,
    target: &Editable,
    instances: &[Value],
) -> Result<Vec<String>, ApiError> {
    let zone = target.zone;
    let all_day = target.meeting.is_all_day();
    let shift = split.start.naive_local() - split.at.naive_local();
    let mut dates = Vec::new();
    for instance in instances {
        let Some(original) = event_time(&instance["originalStartTime"], zone) else {
            continue;
        };
        if original < split.at || instance["id"] == json!(target.meeting.id) {
            continue;
        }
        if instance["status"] == "cancelled" {
            let local = original.naive_local() + shift;
            dates.push(match all_day {
                true => local.format("%Y%m%d").to_string(),
                false => local.format("%Y%m%dT%H%M%S").to_string(),
            });
        } else if changed_on_its_own(instance, &split.series.source, zone) {
            return Err(ApiError::Refused(format!(
                "the occurrence of {} was changed on its own, and a new series cannot carry \
                 that change over: change only this occurrence or all of them, or first undo \
                 the change to that occurrence (or delete it) in Google Calendar",
                original.format("%a %-d %b %Y")
            )));
        }
    }
    if dates.is_empty() {
        return Ok(Vec::new());
    }
    let head = match all_day {
        true => "EXDATE;VALUE=DATE".to_string(),
        false => format!("EXDATE;TZID={}", zone.name()),
    };
    Ok(vec![format!("{head}:{}", dates.join(","))])
}

/// Whether an instance differs from its series: moved, or with its own title, guest list,
/// conference or other field a split copies. A guest's answer to that one occurrence is not a
/// change of the meeting (guests answer occurrences all the time): only who is invited counts.
fn changed_on_its_own(instance: &Value, series: &Value, zone: Tz) -> bool {
    let time = |v: &Value, key: &str| event_time(&v[key], zone);
    let length = |v: &Value| Some(time(v, "end")? - time(v, "start")?);
    let guests = |v: &Value| -> std::collections::BTreeSet<String> {
        v["attendees"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["email"].as_str())
            .map(str::to_lowercase)
            .collect()
    };
    time(instance, "start") != time(instance, "originalStartTime")
        || length(instance) != length(series)
        || guests(instance) != guests(series)
        || SPLIT_COPIES
            .iter()
            .chain(&["conferenceData"])
            .any(|key| instance.get(*key) != series.get(*key))
}

/// Title, description, guests (the list of `guests_of` changed) and conference, where they
/// differ from the meeting as read.
fn changed_fields(
    target: &Editable,
    guests_of: &Value,
    changes: &Changes,
    conference: Option<Value>,
) -> Map<String, Value> {
    let mut fields = Map::new();
    let typed = |text: &str| sanitize::typed_line(text).text;
    if let Some(title) = changes.title.as_deref().map(typed) {
        if title != target.meeting.title {
            fields.insert("summary".into(), json!(title));
        }
    }
    // Sent as typed (tabs and blank lines kept); the same as either the text shown or what
    // Google holds (perhaps HTML) is no change, so Google's HTML is not replaced by text.
    if let Some(text) = changes.description.as_deref() {
        let text = sanitize::typed_block(text).text;
        let held = target.source["description"].as_str().unwrap_or_default();
        if text != target.meeting.description && text != held {
            fields.insert("description".into(), json!(text));
        }
    }
    if let Some(attendees) = guests(guests_of, changes) {
        fields.insert("attendees".into(), attendees);
    }
    if let Some(conference) = conference {
        fields.insert("conferenceData".into(), conference);
    }
    fields
}

/// The attendee list as read (everyone's answers and flags kept) with the changes applied;
/// `None` when they change nothing.
fn guests(source: &Value, changes: &Changes) -> Option<Value> {
    let listed = source["attendees"].as_array().cloned().unwrap_or_default();
    let is = |a: &Value, email: &str| {
        a["email"]
            .as_str()
            .is_some_and(|e| e.eq_ignore_ascii_case(email.trim()))
    };
    let removed = |a: &Value| changes.remove_guests.iter().any(|r| is(a, r));
    let mut attendees: Vec<Value> = listed.iter().filter(|a| !removed(a)).cloned().collect();
    let mut changed = attendees.len() != listed.len();
    for email in &changes.add_guests {
        let email = sanitize::line(email);
        if !email.is_empty() && !attendees.iter().any(|a| is(a, &email)) {
            attendees.push(json!({ "email": email }));
            changed = true;
        }
    }
    changed.then_some(Value::Array(attendees))
}

/// A repeat rule the user gave, checked before anything is sent.
fn check_rule(lines: &[String], start: DateTime<Tz>, all_day: bool) -> Result<(), ApiError> {
    let start = Start {
        local: match all_day {
            true => start.date_naive().and_time(NaiveTime::MIN),
            false => start.naive_local(),
        },
        tz: start.timezone(),
        all_day,
    };
    recurrence::check(lines, start)
        .map_err(|e| ApiError::Refused(format!("the repeat rule cannot be used: {e}")))
}

/// What differs between the meeting as the user edited it and as it is now.
pub fn differences(before: &Editable, now: &Editable) -> Vec<Difference> {
    let facts = |e: &Editable| -> [(&'static str, String); 6] {
        [
            ("title", e.meeting.title.clone()),
            ("time", when_text(&e.meeting, e.zone)),
            ("guests", guests_text(&e.meeting)),
            ("description", e.meeting.description.clone()),
            (
                "video link",
                e.meeting
                    .video
                    .as_ref()
                    .map_or_else(|| "none".to_string(), |v| v.url.clone()),
            ),
            (
                "repeat",
                e.series
                    .as_ref()
                    .map_or_else(|| "does not repeat".to_string(), |s| s.recurrence.join(" ")),
            ),
        ]
    };
    facts(before)
        .into_iter()
        .zip(facts(now))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, a), (_, b))| Difference {
            field,
            before: short(&a),
            now: short(&b),
        })
        .collect()
}

/// "Mon 23 Nov 2026 10:00–11:00" in the meeting's zone; all-day meetings by their dates.
fn when_text(m: &Meeting, zone: Tz) -> String {
    match m.when {
        When::Timed { start, end } => {
            let (start, end) = (start.with_timezone(&zone), end.with_timezone(&zone));
            let last = match start.date_naive() == end.date_naive() {
                true => end.format("%H:%M"),
                false => end.format("%a %-d %b %Y %H:%M"),
            };
            format!("{}\u{2013}{last}", start.format("%a %-d %b %Y %H:%M"))
        }
        When::AllDay { start, end } if end - start <= TimeDelta::days(1) => {
            format!("{}, all day", start.format("%a %-d %b %Y"))
        }
        When::AllDay { start, end } => format!(
            "{}\u{2013}{}, all day",
            start.format("%a %-d %b %Y"),
            (end - TimeDelta::days(1)).format("%a %-d %b %Y")
        ),
    }
}

fn guests_text(m: &Meeting) -> String {
    let mut emails: Vec<&str> = m
        .attendees
        .iter()
        .map(|a| a.person.email.as_str())
        .collect();
    emails.sort_unstable();
    match emails.is_empty() {
        true => "none".into(),
        false => emails.join(", "),
    }
}

/// One line of at most [`SHORT_TEXT`] characters; "none" for nothing.
fn short(text: &str) -> String {
    let line = sanitize::line(text);
    match line.chars().count() {
        0 => "none".into(),
        n if n <= SHORT_TEXT => line,
        _ => format!(
            "{}\u{2026}",
            line.chars().take(SHORT_TEXT - 1).collect::<String>()
        ),
    }
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::Unexpected(format!("event: {e}")))
}

fn zone_of(event: &Value) -> Option<Tz> {
    event.pointer("/start/timeZone")?.as_str()?.parse().ok()
}

fn series_of(master: &Value, zone: Tz) -> Result<Series, ApiError> {
    let start = event_time(&master["start"], zone)
        .ok_or_else(|| ApiError::Unexpected("the series has no start time".into()))?;
    Ok(Series {
        id: master["id"].as_str().unwrap_or_default().to_string(),
        etag: master["etag"].as_str().map(str::to_string),
        recurrence: master["recurrence"]
            .as_array()
            .map(|lines| {
                lines
                    .iter()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        start,
        source: master.clone(),
    })
}

/// A `start`/`end`/`originalStartTime` object in `zone`; a date is its midnight there.
fn event_time(time: &Value, zone: Tz) -> Option<DateTime<Tz>> {
    if let Some(text) = time["dateTime"].as_str() {
        return Some(
            DateTime::parse_from_rfc3339(text)
                .ok()?
                .with_timezone(&zone),
        );
    }
    let date = NaiveDate::parse_from_str(time["date"].as_str()?, "%Y-%m-%d").ok()?;
    Some(crate::timefmt::start_of_day(date, zone).with_timezone(&zone))
}

fn current_times(m: &Meeting, zone: Tz) -> (DateTime<Tz>, DateTime<Tz>) {
    let (start, end): (DateTime<Utc>, DateTime<Utc>) = match m.when {
        When::Timed { start, end } => (start, end),
        When::AllDay { start, end } => (
            crate::timefmt::start_of_day(start, zone),
            crate::timefmt::start_of_day(end, zone),
        ),
    };
    (start.with_timezone(&zone), end.with_timezone(&zone))
}

/// `start`/`end` as Calendar v3 takes them: a date for all-day meetings, else the time with
/// the zone's IANA name, so a series keeps its wall-clock time across DST changes.
fn time_value(t: DateTime<Tz>, zone: Tz, all_day: bool) -> Value {
    let t = t.with_timezone(&zone);
    if all_day {
        return json!({ "date": t.date_naive().format("%Y-%m-%d").to_string() });
    }
    json!({
        "dateTime": t.to_rfc3339_opts(SecondsFormat::Secs, false),
        "timeZone": zone.name(),
    })
}
