//! The agenda as rows on screen: day headings and meetings, filtered and bucketed into the
//! user's days. Rebuilt when the data, filter or toggle changes, never per frame. Also which
//! listed meetings are on now and next, and the invitations awaiting the user's answer.
//! An event on the calendars of two accounts is one row: see [`kept_copies`].

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use serde::Deserialize;

use crate::calendar::model::{Agenda, Meeting, Rsvp, When};
use crate::timefmt::local_date;

/// How the agenda lists meetings the user declined (config `show_declined`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShowDeclined {
    /// Listed, dimmed and struck through.
    #[default]
    Dim,
    /// Not listed.
    Hide,
    /// Listed like the others (still marked declined).
    Show,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Day(NaiveDate),
    /// An index into `Agenda::meetings`.
    Meeting(usize),
}

/// What decides which rows exist.
pub struct RowQuery<'a> {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub days: u32,
    pub show_all: bool,
    /// Lower-cased `/` filter; empty matches everything.
    pub filter: &'a str,
    pub declined: ShowDeclined,
}

/// The days a meeting appears on within `[today, last]`: a meeting in progress since
/// yesterday shows under today; a multi-day all-day event shows on each of its days.
fn days_of(m: &Meeting, tz: Tz, today: NaiveDate, last: NaiveDate) -> (NaiveDate, NaiveDate) {
    match m.when {
        When::Timed { start, .. } => {
            let d = local_date(start, tz).max(today);
            (d, d)
        }
        When::AllDay { start, end } => (start.max(today), end.pred_opt().unwrap_or(end).min(last)),
    }
}

fn is_over(m: &Meeting, now: DateTime<Utc>, today: NaiveDate) -> bool {
    match m.when {
        When::Timed { start, end } => end < now || (end == now && start < now),
        When::AllDay { end, .. } => end <= today,
    }
}

/// Which meetings of a merged agenda are listed, by index (`None`: every one, as in an
/// agenda of one account). An event on the calendars of several accounts
/// ([`Meeting::same_event`]) is listed once, as the copy the user attends best: one on an
/// own calendar ([`Agenda::is_own`]) first, then by the user's answer there (accepted or
/// organized, tentative, not yet answered, declined: a meeting declined on work and accepted
/// on home is home's, so it is never dimmed, hidden or left out of now and next), then one
/// they organize, then the earliest account in the list; the other accounts' copies are not
/// listed. Copies within the chosen account (the same event on a colleague's calendar too)
/// are listed as in one account. One pass with a map over the events' keys.
pub fn kept_copies(agenda: &Agenda) -> Option<Vec<bool>> {
    if agenda.accounts.len() < 2 {
        return None;
    }
    let answer = |m: &Meeting| match m.my_rsvp() {
        Rsvp::Accepted => 0u8,
        Rsvp::Tentative => 1,
        Rsvp::NeedsAction => 2,
        Rsvp::Declined => 3,
    };
    /// Lower is better: elsewhere than an own calendar, the answer, not organized, account.
    type Rank = (bool, u8, bool, usize);
    let rank = |m: &Meeting| -> Rank { (!agenda.is_own(m), answer(m), !m.i_organize, m.account) };
    let mut best: HashMap<_, Rank> = HashMap::with_capacity(agenda.meetings.len());
    for m in &agenda.meetings {
        let r = rank(m);
        best.entry(m.event_key())
            .and_modify(|b| *b = (*b).min(r))
            .or_insert(r);
    }
    Some(
        agenda
            .meetings
            .iter()
            .map(|m| best.get(&m.event_key()).is_none_or(|b| b.3 == m.account))
            .collect(),
    )
}

pub fn build_rows(agenda: &Agenda, q: &RowQuery) -> Vec<Row> {
    let today = local_date(q.now, q.tz);
    let last = today + chrono::Days::new(u64::from(q.days.max(1)) - 1);
    let kept = kept_copies(agenda);
    let mut placed: Vec<(NaiveDate, bool, DateTime<Utc>, usize)> = Vec::new();
    for (i, m) in agenda.meetings.iter().enumerate() {
        if kept.as_ref().is_some_and(|k| !k[i]) {
            continue;
        }
        // Working locations and birthdays are not meetings; out of office and focus time
        // are not either, and show only when the user asks for every event.
        let listed = if m.event_type.listed_in_all_events_only() {
            q.show_all
        } else {
            !m.event_type.never_listed() && (q.show_all || m.video.is_some())
        };
        if !listed
            || is_over(m, q.now, today)
            || (q.declined == ShowDeclined::Hide && m.my_rsvp() == Rsvp::Declined)
            || !(q.filter.is_empty() || m.matches(q.filter))
        {
            continue;
        }
        let (first, end) = days_of(m, q.tz, today, last);
        let mut day = first;
        while day <= end && day <= last {
            placed.push((day, !m.is_all_day(), m.start(), i));
            day = day.succ_opt().unwrap_or(day);
            if day == first {
                break;
            }
        }
    }
    // Within a day: all-day events first, then by start; the sort is stable for ties.
    placed.sort_by_key(|&(day, timed, start, _)| (day, timed, start));
    let mut rows = Vec::with_capacity(placed.len() + q.days as usize);
    let mut current = None;
    for (day, _, _, i) in placed {
        if current != Some(day) {
            rows.push(Row::Day(day));
            current = Some(day);
        }
        rows.push(Row::Meeting(i));
    }
    rows
}

/// The day a row is listed under: the nearest heading at or above it.
pub fn day_of(rows: &[Row], index: usize) -> Option<NaiveDate> {
    rows.get(..=index)?.iter().rev().find_map(|row| match *row {
        Row::Day(d) => Some(d),
        Row::Meeting(_) => None,
    })
}

/// Which listed meetings are on now and which one is next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NowNext {
    /// Every timed meeting in progress (overlapping meetings are all on), by index.
    pub now: Vec<usize>,
    /// The next one to start.
    pub next: Option<usize>,
}

/// Now and next among the meetings the user attends ([`Agenda::attends`]): a declined
/// meeting, a status, a birthday or a meeting on someone else's calendar is never either.
pub fn now_and_next(agenda: &Agenda, rows: &[Row], now: DateTime<Utc>) -> NowNext {
    let mut out = NowNext::default();
    let mut next: Option<(DateTime<Utc>, usize)> = None;
    for row in rows {
        let Row::Meeting(i) = *row else { continue };
        let m = &agenda.meetings[i];
        let When::Timed { start, end } = m.when else {
            continue;
        };
        if !agenda.attends(m) {
            continue;
        }
        if start <= now && now < end {
            if !out.now.contains(&i) {
                out.now.push(i);
            }
        } else if start > now && next.is_none_or(|(s, _)| start < s) {
            next = Some((start, i));
        }
    }
    out.next = next.map(|(_, i)| i);
    out
}

/// Listed invitations awaiting the user's answer, each counted once (a multi-day event
/// has a row per day).
pub fn awaiting(agenda: &Agenda, rows: &[Row]) -> usize {
    let mut seen: Vec<usize> = rows
        .iter()
        .filter_map(|r| match *r {
            Row::Meeting(i) if agenda.meetings[i].awaits_answer() => Some(i),
            _ => None,
        })
        .collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// The row of the next invitation awaiting an answer after row `from` (or the first one),
/// wrapping around to the top; `None` when there is none.
pub fn next_awaiting(agenda: &Agenda, rows: &[Row], from: Option<usize>) -> Option<usize> {
    let start = from.map_or(0, |f| f + 1);
    let is_awaiting =
        |&k: &usize| matches!(rows[k], Row::Meeting(i) if agenda.meetings[i].awaits_answer());
    (start..rows.len())
        .chain(0..start.min(rows.len()))
        .find(is_awaiting)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::links::{Provider, VideoLink};

    fn meeting(title: &str, when: When, video: bool) -> Meeting {
        Meeting {
            id: title.to_lowercase(),
            calendar_id: "primary".into(),
            title: title.into(),
            when,
            location: String::new(),
            description: String::new(),
            organizer: None,
            attendees: Vec::new(),
            video: video.then(|| VideoLink {
                provider: Provider::Meet,
                url: "https://meet.google.com/abc-defg-hij".into(),
            }),
            dial_in: Vec::new(),
            series_id: None,
            i_organize: true,
            html_link: None,
            etag: None,
            event_type: Default::default(),
            has_conference: video,
            account: 0,
            uid: String::new(),
            other_links: Vec::new(),
            access: None,
        }
    }

    fn timed(s: &str, e: &str) -> When {
        When::Timed {
            start: s.parse().unwrap(),
            end: e.parse().unwrap(),
        }
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn agenda() -> Agenda {
        let mut a = Agenda {
            meetings: vec![
                meeting(
                    "Done",
                    timed("2026-11-21T08:00:00Z", "2026-11-21T08:30:00Z"),
                    true,
                ),
                meeting(
                    "Running",
                    timed("2026-11-21T09:40:00Z", "2026-11-21T10:20:00Z"),
                    true,
                ),
                meeting(
                    "Soon",
                    timed("2026-11-21T10:04:00Z", "2026-11-21T10:30:00Z"),
                    true,
                ),
                meeting(
                    "Lunch",
                    timed("2026-11-21T12:00:00Z", "2026-11-21T13:00:00Z"),
                    false,
                ),
                meeting(
                    "Conference",
                    When::AllDay {
                        start: date("2026-11-20"),
                        end: date("2026-11-23"),
                    },
                    true,
                ),
                meeting(
                    "Late",
                    timed("2026-11-22T23:30:00Z", "2026-11-23T00:30:00Z"),
                    true,
                ),
            ],
            ..Agenda::default()
        };
        a.sort();
        a
    }

    fn titles(a: &Agenda, rows: &[Row]) -> Vec<String> {
        rows.iter()
            .map(|r| match r {
                Row::Day(d) => format!("# {d}"),
                Row::Meeting(i) => a.meetings[*i].title.clone(),
            })
            .collect()
    }

    fn query(filter: &str, show_all: bool, tz: Tz) -> RowQuery<'_> {
        RowQuery {
            now: "2026-11-21T10:00:00Z".parse().unwrap(),
            tz,
            days: 7,
            show_all,
            filter,
            declined: ShowDeclined::Dim,
        }
    }

    #[test]
    fn days_group_all_day_first_and_hide_ended_and_linkless() {
        let a = agenda();
        let rows = build_rows(&a, &query("", false, Tz::UTC));
        assert_eq!(
            titles(&a, &rows),
            [
                "# 2026-11-21",
                "Conference",
                "Running",
                "Soon",
                "# 2026-11-22",
                "Conference",
                "Late",
            ]
        );
        let all = build_rows(&a, &query("", true, Tz::UTC));
        assert!(titles(&a, &all).contains(&"Lunch".to_string()));
        let on = now_and_next(&a, &rows, "2026-11-21T10:00:00Z".parse().unwrap());
        assert_eq!(on.now.len(), 1);
        assert_eq!(a.meetings[on.now[0]].title, "Running");
        assert_eq!(a.meetings[on.next.unwrap()].title, "Soon");
    }

    #[test]
    fn a_row_belongs_to_the_heading_above_it() {
        let a = agenda();
        let rows = build_rows(&a, &query("", false, Tz::UTC));
        let days: Vec<_> = (0..rows.len()).map(|i| day_of(&rows, i)).collect();
        let (sat, sun) = (Some(date("2026-11-21")), Some(date("2026-11-22")));
        assert_eq!(days, [sat, sat, sat, sat, sun, sun, sun]);
        assert_eq!(day_of(&rows, rows.len()), None);
        assert_eq!(day_of(&[Row::Meeting(0)], 0), None);
    }

    #[test]
    fn buckets_by_the_users_zone() {
        let a = agenda();
        // 23:30 UTC on the 22nd is 08:30 on the 23rd in Tokyo.
        let rows = build_rows(&a, &query("late", false, Tz::Asia__Tokyo));
        assert_eq!(titles(&a, &rows), ["# 2026-11-23", "Late"]);
    }

    /// `m` as an invitation the user answered with `rsvp`.
    fn invited(mut m: Meeting, rsvp: Rsvp) -> Meeting {
        use crate::calendar::model::{Attendee, Person};
        m.i_organize = false;
        m.attendees = vec![Attendee {
            person: Person {
                name: String::new(),
                email: "me@example.com".into(),
            },
            rsvp,
            organizer: false,
            is_self: true,
            optional: false,
        }];
        m
    }

    /// Answers the meeting titled `title` with `rsvp`.
    fn answer(a: &mut Agenda, title: &str, rsvp: Rsvp) {
        let i = a.meetings.iter().position(|m| m.title == title).unwrap();
        a.meetings[i] = invited(a.meetings[i].clone(), rsvp);
    }

    fn typed(mut m: Meeting, t: EventType) -> Meeting {
        m.event_type = t;
        m
    }

    use crate::calendar::model::EventType;

    #[test]
    fn declined_meetings_are_dimmed_hidden_or_shown_as_configured() {
        let mut a = agenda();
        answer(&mut a, "Soon", Rsvp::Declined);
        for (mode, listed) in [
            (ShowDeclined::Dim, true),
            (ShowDeclined::Show, true),
            (ShowDeclined::Hide, false),
        ] {
            let q = RowQuery {
                declined: mode,
                ..query("", false, Tz::UTC)
            };
            let rows = build_rows(&a, &q);
            assert_eq!(
                titles(&a, &rows).contains(&"Soon".to_string()),
                listed,
                "{mode:?}"
            );
        }
    }

    #[test]
    fn a_declined_meeting_is_never_now_or_next() {
        let mut a = agenda();
        answer(&mut a, "Running", Rsvp::Declined);
        answer(&mut a, "Soon", Rsvp::Declined);
        let rows = build_rows(&a, &query("", false, Tz::UTC));
        let on = now_and_next(&a, &rows, "2026-11-21T10:00:00Z".parse().unwrap());
        assert!(on.now.is_empty());
        assert_eq!(a.meetings[on.next.unwrap()].title, "Late");
        // Maybe and not yet answered still count: the user may well go.
        answer(&mut a, "Soon", Rsvp::Tentative);
        let on = now_and_next(&a, &rows, "2026-11-21T10:00:00Z".parse().unwrap());
        assert_eq!(a.meetings[on.next.unwrap()].title, "Soon");
    }

    #[test]
    fn a_meeting_on_a_calendar_the_user_does_not_own_is_never_now_or_next() {
        let calendar = |id: &str, primary| crate::calendar::model::CalendarInfo {
            id: id.into(),
            name: id.into(),
            color: None,
            primary,
            selected: true,
            writable: primary,
            meet_allowed: true,
            owned: primary,
            account: 0,
        };
        let mut a = agenda();
        a.calendars = vec![
            calendar("primary", true),
            calendar("kim@example.com", false),
        ];
        for m in &mut a.meetings {
            if m.title == "Running" || m.title == "Soon" {
                m.calendar_id = "kim@example.com".into();
            }
        }
        let rows = build_rows(&a, &query("", false, Tz::UTC));
        let on = now_and_next(&a, &rows, "2026-11-21T10:00:00Z".parse().unwrap());
        assert!(on.now.is_empty());
        assert_eq!(a.meetings[on.next.unwrap()].title, "Late");
    }

    #[test]
    fn every_overlapping_meeting_in_progress_is_now() {
        let a = agenda();
        let rows = build_rows(&a, &query("", false, Tz::UTC));
        // 10:10: Running (09:40–10:20) and Soon (10:04–10:30) are both on.
        let on = now_and_next(&a, &rows, "2026-11-21T10:10:00Z".parse().unwrap());
        let on_now: Vec<&str> = on
            .now
            .iter()
            .map(|&i| a.meetings[i].title.as_str())
            .collect();
        assert_eq!(on_now, ["Running", "Soon"]);
        assert_eq!(a.meetings[on.next.unwrap()].title, "Late");
    }

    #[test]
    fn statuses_show_only_among_all_events_and_birthdays_never() {
        let mut a = agenda();
        let at = |s, e| timed(s, e);
        a.meetings.extend([
            typed(
                meeting(
                    "Away",
                    at("2026-11-21T11:00:00Z", "2026-11-21T15:00:00Z"),
                    false,
                ),
                EventType::OutOfOffice,
            ),
            typed(
                meeting(
                    "Deep work",
                    at("2026-11-21T10:30:00Z", "2026-11-21T11:00:00Z"),
                    false,
                ),
                EventType::FocusTime,
            ),
            typed(
                meeting(
                    "Home",
                    When::AllDay {
                        start: date("2026-11-21"),
                        end: date("2026-11-22"),
                    },
                    false,
                ),
                EventType::WorkingLocation,
            ),
            typed(
                meeting(
                    "Priya's birthday",
                    When::AllDay {
                        start: date("2026-11-21"),
                        end: date("2026-11-22"),
                    },
                    true,
                ),
                EventType::Birthday,
            ),
            // A status with a link in its text is still not a meeting.
            typed(
                meeting(
                    "Focus with link",
                    at("2026-11-21T10:01:00Z", "2026-11-21T10:02:00Z"),
                    true,
                ),
                EventType::FocusTime,
            ),
        ]);
        a.sort();
        let has = |rows: &[Row], t: &str| titles(&a, rows).contains(&t.to_string());
        let meetings = build_rows(&a, &query("", false, Tz::UTC));
        let all = build_rows(&a, &query("", true, Tz::UTC));
        for t in [
            "Away",
            "Deep work",
            "Focus with link",
            "Home",
            "Priya's birthday",
        ] {
            assert!(!has(&meetings, t), "{t} among meetings");
        }
        for t in ["Away", "Deep work", "Focus with link"] {
            assert!(has(&all, t), "{t} missing from all events");
        }
        assert!(!has(&all, "Home") && !has(&all, "Priya's birthday"));
        // Focus time starting before Soon is never next.
        let on = now_and_next(&a, &all, "2026-11-21T10:00:00Z".parse().unwrap());
        assert_eq!(a.meetings[on.next.unwrap()].title, "Soon");
    }

    #[test]
    fn awaiting_invitations_are_counted_once_and_jumped_to_in_a_circle() {
        let mut a = agenda();
        answer(&mut a, "Running", Rsvp::NeedsAction);
        answer(&mut a, "Conference", Rsvp::NeedsAction);
        let rows = build_rows(&a, &query("", false, Tz::UTC));
        // Conference is listed on two days and counted once.
        assert_eq!(awaiting(&a, &rows), 2);
        let title = |r: Option<usize>| match rows[r.unwrap()] {
            Row::Meeting(i) => a.meetings[i].title.clone(),
            Row::Day(_) => panic!("a heading"),
        };
        let first = next_awaiting(&a, &rows, None);
        assert_eq!(title(first), "Conference");
        let second = next_awaiting(&a, &rows, first);
        assert_eq!(title(second), "Running");
        let third = next_awaiting(&a, &rows, second);
        assert_eq!(title(third), "Conference");
        assert!(third > second, "the second day's row comes next");
        assert_eq!(next_awaiting(&a, &rows, third), first, "wraps to the top");
        let none = agenda();
        let rows = build_rows(&none, &query("", false, Tz::UTC));
        assert_eq!(awaiting(&none, &rows), 0);
        assert_eq!(next_awaiting(&none, &rows, Some(1)), None);
    }
}
