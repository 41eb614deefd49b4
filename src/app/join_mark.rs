//! Scheduled joins from the agenda: the join-mark key marks the selected meeting to be
//! joined by itself one minute before it starts (an occurrence of a series asks: this one or
//! every one), and unmarks it. The marks are the app's; the runtime writes them to the file
//! the alerts engine reads ([`Effect::SaveMarks`]).

use super::{App, Overlay};
use crate::action::Effect;
use crate::alerts::{self, Mark};
use crate::calendar::model::{Meeting, When};
use crate::config::AutoJoin;
use crate::keymap::Command;

/// The question for an occurrence of a series: mark this occurrence or every one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinAsk {
    /// The occurrence's event id.
    pub id: String,
    pub series_id: String,
    pub title: String,
}

/// Why a meeting is joined by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joins {
    /// Marked: this occurrence (or the single event).
    Occurrence,
    /// Marked: every occurrence of its series.
    Series,
    /// Not marked, but `auto_join = "all"` joins every meeting with a link.
    All,
}

impl App {
    /// Whether (and why) meeting `m` is to be joined by itself: only a meeting the alerts
    /// engine may join ([`alerts::may_join`]: attended, timed, with a link); marks count
    /// whatever `auto_join` says (the row shows what was marked), "all" adds every such
    /// meeting.
    pub fn joins(&self, m: &Meeting) -> Option<Joins> {
        if !self.agenda.as_ref().is_some_and(|a| alerts::may_join(a, m)) {
            return None;
        }
        if m.series_id
            .as_ref()
            .is_some_and(|s| self.marks.series.contains(s))
        {
            Some(Joins::Series)
        } else if self.marks.occurrences.contains(&m.id) {
            Some(Joins::Occurrence)
        } else if self.settings.auto_join == AutoJoin::All {
            Some(Joins::All)
        } else {
            None
        }
    }

    /// The join-mark key on the agenda: unmarks a marked meeting, marks an unmarked one (for
    /// an occurrence of a series, after asking which occurrences).
    pub(super) fn join_mark(&mut self) -> Vec<Effect> {
        let Some(m) = self.selected_meeting() else {
            return self.nothing_selected();
        };
        let title = m.title.clone();
        if m.video.is_none() {
            self.toast(
                format!("\u{201c}{title}\u{201d} has no video link to join"),
                true,
            );
            return Vec::new();
        }
        if !matches!(m.when, When::Timed { .. }) {
            self.toast(
                format!("\u{201c}{title}\u{201d} lasts all day: it has no start to join at"),
                true,
            );
            return Vec::new();
        }
        if !self.agenda.as_ref().is_some_and(|a| alerts::may_join(a, m)) {
            self.toast(
                format!(
                    "\u{201c}{title}\u{201d} is declined, not a meeting or not on a calendar \
                     of yours: it is never joined by itself"
                ),
                true,
            );
            return Vec::new();
        }
        let (id, series_id) = (m.id.clone(), m.series_id.clone());
        match (self.joins(m), series_id) {
            (Some(Joins::Series), Some(series_id)) => {
                // The occurrence is one of the series: unmarking it unmarks them all.
                self.marks.set(Mark::Series(series_id), false);
                self.marks.set(Mark::Occurrence(id), false);
                self.toast(
                    format!(
                        "Unmarked every occurrence of \u{201c}{title}\u{201d} (the whole \
                         series was marked)"
                    ),
                    false,
                );
                self.save_marks()
            }
            (Some(Joins::Occurrence), _) => {
                self.marks.set(Mark::Occurrence(id), false);
                self.toast(format!("Unmarked \u{201c}{title}\u{201d}"), false);
                self.save_marks()
            }
            (_, Some(series_id)) => {
                self.screen.push(Overlay::JoinMark(JoinAsk {
                    id,
                    series_id,
                    title,
                }));
                Vec::new()
            }
            (_, None) => self.mark(Mark::Occurrence(id), &title, ""),
        }
    }

    /// The join-mark dialog's keys: which occurrences, or back with nothing marked.
    pub(super) fn join_mark_key(&mut self, cmd: Option<Command>) -> Vec<Effect> {
        if !matches!(
            cmd,
            Some(Command::MarkThis | Command::MarkEvery | Command::Close)
        ) {
            return Vec::new();
        }
        let Some(Overlay::JoinMark(ask)) = self.screen.pop() else {
            return Vec::new();
        };
        match cmd {
            Some(Command::MarkThis) => self.mark(Mark::Occurrence(ask.id), &ask.title, ""),
            Some(Command::MarkEvery) => self.mark(
                Mark::Series(ask.series_id),
                &ask.title,
                " (every occurrence)",
            ),
            _ => Vec::new(),
        }
    }

    /// Sets `mark` and says what it will do with the config's `auto_join`.
    fn mark(&mut self, mark: Mark, title: &str, which: &str) -> Vec<Effect> {
        self.marks.set(mark, true);
        let file = &self.settings.config_file;
        let text = match self.settings.auto_join {
            AutoJoin::Marked => {
                format!("\u{201c}{title}\u{201d}{which} will be joined by itself 1 min before")
            }
            AutoJoin::Off => format!(
                "Marked \u{201c}{title}\u{201d}{which}; marks act only with \
                 auto_join = \"marked\" in {file}"
            ),
            AutoJoin::All => format!(
                "Marked \u{201c}{title}\u{201d}{which}; auto_join = \"all\" in {file} joins \
                 every meeting with a link anyway"
            ),
        };
        self.toast(text, false);
        self.save_marks()
    }

    /// The marks to save; a new one goes to the account of the selected meeting (the one
    /// just marked), whose alerts engine joins it.
    fn save_marks(&self) -> Vec<Effect> {
        let account = self.selected_meeting().map_or(0, |m| m.account);
        vec![Effect::SaveMarks {
            marks: self.marks.clone(),
            account,
        }]
    }
}
