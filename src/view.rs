//! The agenda as rows on screen: day headings and meetings, filtered and bucketed into the
//! user's days. Rebuilt when the data, filter or toggle changes, never per frame.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::calendar::model::{Agenda, Meeting, When};
use crate::timefmt::local_date;

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

pub fn build_rows(agenda: &Agenda, q: &RowQuery) -> Vec<Row> {
    let today = local_date(q.now, q.tz);
    let last = today + chrono::Days::new(u64::from(q.days.max(1)) - 1);
    let mut placed: Vec<(NaiveDate, bool, DateTime<Utc>, usize)> = Vec::new();
    for (i, m) in agenda.meetings.iter().enumerate() {
        if is_over(m, q.now, today)
            || !(q.show_all || m.video.is_some())
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

/// The timed meeting in progress (earliest started) and the next one to start, by index.
pub fn now_and_next(
    agenda: &Agenda,
    rows: &[Row],
    now: DateTime<Utc>,
) -> (Option<usize>, Option<usize>) {
    let mut current = None;
    let mut next: Option<(DateTime<Utc>, usize)> = None;
    for row in rows {
        let Row::Meeting(i) = *row else { continue };
        let When::Timed { start, end } = agenda.meetings[i].when else {
            continue;
        };
        if start <= now && now < end && current.is_none() {
            current = Some(i);
        } else if start > now && next.is_none_or(|(s, _)| start < s) {
            next = Some((start, i));
        }
    }
    (current, next.map(|(_, i)| i))
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
        let (now, next) = now_and_next(&a, &rows, "2026-11-21T10:00:00Z".parse().unwrap());
        assert_eq!(a.meetings[now.unwrap()].title, "Running");
        assert_eq!(a.meetings[next.unwrap()].title, "Soon");
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
}
