//! Find a time: from the form, ask Google who is busy (you on every selected calendar, and
//! every guest), show the free slots where everyone can meet for the form's duration, and take
//! one as the start. One free/busy query per change of guests or window, not per key.

use chrono::{DateTime, Duration, DurationRound, Utc};
use chrono_tz::Tz;

use super::{App, Overlay};
use crate::action::Effect;
use crate::calendar::error::ApiError;
use crate::calendar::freebusy::{own_calendars, BusyQuery, FreeBusy, Interval, Lane};
use crate::compose::Field;
use crate::freetime::{free_slots, Slots, STEP, WORKING_DAYS_AHEAD};
use crate::keymap::Command;

/// What the find-a-time view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FindTime {
    /// The lanes' people: "you" first, then each guest as typed in the form.
    pub guests: Vec<String>,
    pub duration: Duration,
    /// The zone the form reads its start in (slots are written into the form in it).
    pub zone: Tz,
    pub from: DateTime<Utc>,
    /// The working days searched, in `zone` (a day without a free slot is still one).
    pub days: Vec<chrono::NaiveDate>,
    pub answer: Answer,
    /// Index into the slots.
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Asking {
        req: u64,
    },
    Failed(String),
    Ready {
        lanes: Vec<(String, Lane)>,
        slots: Slots,
        split: bool,
    },
}

/// What the app remembers between openings of find a time: the query out at Google, and the
/// last answer, so that opening it again for the same people and window asks Google nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BusyMemory {
    /// Your calendars in the query out (they make one lane).
    own: Vec<String>,
    /// The query out, and the account asking it.
    asking: Option<(usize, BusyQuery)>,
    last: Option<(usize, BusyQuery, FreeBusy)>,
}

impl BusyMemory {
    /// The last answer, if `account` asked it, for the same people and zone and a window
    /// starting at most an hour before this one.
    fn answer_for(&self, account: usize, query: &BusyQuery) -> Option<FreeBusy> {
        let (a, q, busy) = self.last.as_ref()?;
        let same = *a == account && q.ids == query.ids && q.tz == query.tz;
        let fresh = q.from <= query.from && query.from < q.from + Duration::hours(1);
        (same && fresh).then(|| busy.clone())
    }
}

impl FindTime {
    pub fn slots(&self) -> &[Interval] {
        match &self.answer {
            Answer::Ready { slots, .. } => &slots.slots,
            _ => &[],
        }
    }

    pub fn selected_slot(&self) -> Option<&Interval> {
        self.slots().get(self.selected)
    }

    fn step(&mut self, cmd: Command) {
        let tz = self.zone;
        let slots = self.slots();
        if slots.is_empty() {
            return;
        }
        let day = |i: usize| slots[i].start.with_timezone(&tz).date_naive();
        let last = slots.len() - 1;
        let at = self.selected.min(last);
        self.selected = match cmd {
            Command::NextSlot => (at + 1).min(last),
            Command::PrevSlot => at.saturating_sub(1),
            Command::NextDay => (at..=last).find(|&i| day(i) > day(at)).unwrap_or(at),
            Command::PrevDay => {
                // The first slot of the day before this one.
                match (0..at).rev().find(|&i| day(i) < day(at)) {
                    Some(prev) => (0..=prev).find(|&i| day(i) == day(prev)).unwrap_or(prev),
                    None => at,
                }
            }
            _ => at,
        };
    }
}

impl App {
    /// `find_time` in the form: what the form says about guests, length and zone, and a
    /// free/busy query unless the last answer covers the same people and window.
    pub(super) fn find_time(&mut self) -> Vec<Effect> {
        let Some(form) = self.screen.form() else {
            return Vec::new();
        };
        let draft = form.draft();
        let checked = &form.checked;
        let zone = crate::timefmt::parse_zone(&draft.zone).unwrap_or(self.settings.tz);
        let duration = checked
            .event
            .as_ref()
            .map(|e| e.end.signed_duration_since(e.start))
            .filter(|d| *d > Duration::zero())
            .or_else(|| crate::timeparse::parse_duration(&draft.length).ok())
            .filter(|d| *d > Duration::zero())
            .unwrap_or(Duration::minutes(30));
        let guests = crate::compose::guest_list(&draft.guests);
        // Asked as the form's account, about that account's calendars.
        let account = form.account();
        let calendars: Vec<_> = self
            .agenda
            .as_ref()
            .map_or(&[][..], |a| &a.calendars)
            .iter()
            .filter(|c| c.account == account)
            .cloned()
            .collect();
        let own = own_calendars(&calendars);
        let from = self.now.duration_trunc(STEP).unwrap_or(self.now) + STEP;
        // From the first working hour to the last of the days searched.
        let window = self
            .settings
            .hours
            .window(from, WORKING_DAYS_AHEAD, zone)
            .unwrap_or(Interval::new(from, from + Duration::days(7)));
        let query = BusyQuery {
            from: window.start,
            to: window.end,
            tz: zone,
            ids: own.iter().chain(&guests).cloned().collect(),
        };
        let days = self
            .settings
            .hours
            .periods(from, WORKING_DAYS_AHEAD, zone)
            .iter()
            .map(|p| p.start.with_timezone(&zone).date_naive())
            .collect();
        let mut view = FindTime {
            guests,
            duration,
            zone,
            from,
            days,
            answer: Answer::Failed(String::new()),
            selected: 0,
        };
        self.free_busy.own = own.clone();
        // A meeting longer than the working day fits nowhere: no need to ask Google.
        if let Err(why) = self.settings.hours.fits(duration) {
            view.answer = Answer::Failed(why);
            self.screen.push(Overlay::FindTime(view));
            return Vec::new();
        }
        let effects = match self.free_busy.answer_for(account, &query) {
            Some(busy) => {
                view.answer = self.ready(&view, &own, busy);
                Vec::new()
            }
            None => {
                let req = self.next_request();
                view.answer = Answer::Asking { req };
                self.free_busy.asking = Some((account, query.clone()));
                vec![Effect::FreeBusy {
                    req,
                    account,
                    query,
                }]
            }
        };
        self.screen.push(Overlay::FindTime(view));
        effects
    }

    /// Lanes and slots from Google's answer, the lanes as the CLI builds them.
    fn ready(&self, view: &FindTime, own: &[String], busy: FreeBusy) -> Answer {
        let lanes = busy.lanes(own, &view.guests);
        let slots = free_slots(
            &lanes,
            view.from,
            WORKING_DAYS_AHEAD,
            view.duration,
            &self.settings.hours,
            view.zone,
            STEP,
        );
        Answer::Ready {
            lanes,
            slots,
            split: busy.split,
        }
    }

    /// Google's answer, for find a time wherever it is (help may be open over it); an answer
    /// to a superseded query is dropped.
    pub(super) fn on_free_busy(&mut self, req: u64, result: Result<FreeBusy, ApiError>) {
        let Some(view) = self.screen.find_time() else {
            return;
        };
        if view.answer != (Answer::Asking { req }) {
            return;
        }
        let own = self.free_busy.own.clone();
        let query = self.free_busy.asking.take();
        let answer = match result {
            Ok(busy) => {
                self.free_busy.last = query.map(|(a, q)| (a, q, busy.clone()));
                self.ready(view, &own, busy)
            }
            Err(e) => Answer::Failed(format!("Could not ask Google who is free: {e}")),
        };
        if let Some(view) = self.screen.find_time_mut() {
            view.answer = answer;
            view.selected = 0;
        }
    }

    /// The view's keys: move between slots and days, take one, or go back to the form.
    pub(super) fn find_time_key(&mut self, cmd: Option<Command>) -> Vec<Effect> {
        let Some(Overlay::FindTime(view)) = self.screen.top_mut() else {
            return Vec::new();
        };
        match cmd {
            Some(Command::Close) => {
                // A query still out is of no use any more.
                let asking = matches!(view.answer, Answer::Asking { .. });
                self.screen.pop();
                if asking {
                    self.free_busy.asking = None;
                    return vec![Effect::CancelFreeBusy];
                }
            }
            Some(Command::Take) => {
                let Some(slot) = view.selected_slot() else {
                    self.toast("No free slot to take".into(), true);
                    return Vec::new();
                };
                let start = slot
                    .start
                    .with_timezone(&view.zone)
                    .format("%Y-%m-%d %H:%M")
                    .to_string();
                let length = crate::timeparse::format_duration(view.duration);
                self.screen.pop();
                let ctx = context!(self);
                if let Some(form) = self.screen.form_mut() {
                    // An end time ("18:00") would stretch or cut the meeting at the new
                    // start: the slot's length goes in instead.
                    let is_length = crate::timeparse::parse_duration(&form.draft().length).is_ok();
                    if !is_length {
                        form.set_text(&Field::Length, &length, &ctx);
                    }
                    form.set_text(&Field::Start, &start, &ctx);
                    form.focus_on(&Field::Start);
                }
            }
            Some(cmd) => view.step(cmd),
            None => {}
        }
        Vec::new()
    }
}
