//! The meeting form's state: one editable value per [`Field`], the focus, and the live
//! validation of what is typed, for a new meeting or one being edited ([`Editing`]). Keys
//! come in through [`Form::edit`]; nothing here does I/O.

use std::cell::Cell;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::calendar::edit::{Edit, Editable};
use crate::calendar::links::Provider;
use crate::calendar::model::{SendUpdates, When};
use crate::compose::{self, Checked, Context, Draft, Field, MeetChoice};

/// A line (or, for the description, a few lines) of text with a cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub text: String,
    /// In chars, not bytes.
    pub cursor: usize,
    /// Still the template's value, shown selected: typing replaces it, arrows keep it.
    pub fresh: bool,
}

impl Input {
    pub fn new(text: &str) -> Input {
        Input {
            text: text.to_string(),
            cursor: text.chars().count(),
            fresh: !text.is_empty(),
        }
    }

    /// Typing over a fresh value replaces it, as with a selection.
    fn replace_if_fresh(&mut self) {
        if std::mem::take(&mut self.fresh) {
            self.text.clear();
            self.cursor = 0;
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(i, _)| i)
    }

    pub fn insert(&mut self, s: &str) {
        self.replace_if_fresh();
        let at = self.byte(self.cursor);
        self.text.insert_str(at, s);
        self.cursor += s.chars().count();
    }

    /// Edits with the usual line-editor keys; false when the key is not an edit.
    fn key(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if matches!(key.code, KeyCode::Backspace | KeyCode::Delete) {
            self.replace_if_fresh();
        }
        let was_fresh = std::mem::take(&mut self.fresh);
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char('u') if ctrl => {
                let at = self.byte(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => self.delete_word(),
            KeyCode::Char(c) if !ctrl => {
                self.fresh = was_fresh;
                self.insert(c.encode_utf8(&mut [0; 4]));
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => {
                self.fresh = was_fresh;
                return false;
            }
        }
        true
    }

    /// Ctrl-W: the word before the cursor, and the spaces after it.
    fn delete_word(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut from = self.cursor;
        while from > 0 && chars[from - 1].is_whitespace() {
            from -= 1;
        }
        while from > 0 && !chars[from - 1].is_whitespace() {
            from -= 1;
        }
        let (a, b) = (self.byte(from), self.byte(self.cursor));
        self.text.replace_range(a..b, "");
        self.cursor = from;
    }
}

/// What a field holds and how keys change it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(Input),
    /// One of a fixed list: `(value, label)`; Left/Right/Space cycle.
    Choice {
        options: Vec<(String, String)>,
        index: usize,
    },
    /// The calendar field: one of the writable calendars of every account, cycled like a
    /// choice; choosing one chooses its account too.
    Calendar {
        options: Vec<CalendarOption>,
        index: usize,
    },
    /// The Meet field: Right/Space cycle new link → none → same link as… → new link, Left
    /// the other way; "same link as…" is chosen in the link picker ([`Form::wants_link_picker`]).
    Meet(MeetChoice),
}

/// A calendar the form can book in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarOption {
    /// An index into [`Context::accounts`] (0 with one account).
    pub account: usize,
    pub id: String,
    /// "alex@work.example · Team Platform" with several accounts, else the calendar's name.
    pub label: String,
}

/// Where Right/Space and Left move a choice of `n` from `index`; false for other keys.
fn cycle(index: &mut usize, n: usize, key: &KeyEvent) -> bool {
    let n = n.max(1);
    match key.code {
        KeyCode::Right | KeyCode::Char(' ') => *index = (*index + 1) % n,
        KeyCode::Left => *index = (*index + n - 1) % n,
        _ => return false,
    }
    true
}

/// The Meet field's places, in the order Right and Space cycle them: new link, none, same
/// link as….
const MEET_PLACES: usize = 3;
const SAME_AS: usize = 2;

fn meet_place(m: &MeetChoice) -> usize {
    match m {
        MeetChoice::New => 0,
        MeetChoice::None => 1,
        MeetChoice::SameAs { .. } => SAME_AS,
    }
}

/// Where `key` moves the Meet field from `m`, if it is one of the field's keys.
fn meet_step(m: &MeetChoice, key: &KeyEvent) -> Option<usize> {
    let step = match key.code {
        KeyCode::Right | KeyCode::Char(' ') => 1,
        KeyCode::Left => MEET_PLACES - 1,
        _ => return None,
    };
    Some((meet_place(m) + step) % MEET_PLACES)
}

impl Value {
    /// The value as the draft takes it.
    pub fn as_str(&self) -> &str {
        match self {
            Value::Text(i) => &i.text,
            Value::Choice { options, index } => options.get(*index).map_or("", |o| &o.0),
            Value::Calendar { options, index } => options.get(*index).map_or("", |o| &o.id),
            Value::Meet(m) => match m {
                MeetChoice::New => "new",
                MeetChoice::None => "none",
                MeetChoice::SameAs { .. } => "same",
            },
        }
    }

    fn key(&mut self, key: &KeyEvent) -> bool {
        match self {
            Value::Text(input) => input.key(key),
            Value::Choice { options, index } => cycle(index, options.len(), key),
            Value::Calendar { options, index } => cycle(index, options.len(), key),
            // "same link as…" needs a meeting: the picker sets it, not the key.
            Value::Meet(m) => match meet_step(m, key) {
                Some(0) => {
                    *m = MeetChoice::New;
                    true
                }
                Some(1) => {
                    *m = MeetChoice::None;
                    true
                }
                _ => false,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    pub field: Field,
    pub label: String,
    pub value: Value,
}

/// A create request out at Google for this form.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitting {
    pub req: u64,
    /// "Saving…", "Creating Meet link…".
    pub status: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub template: String,
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// Something was typed: Esc asks before throwing it away.
    pub changed: bool,
    /// The live validation of the current values.
    pub checked: Checked,
    /// The event id every submit of this form uses, so a retry after an unclear failure
    /// finds the meeting the first attempt made instead of making a twin.
    pub event_id: String,
    pub submitting: Option<Submitting>,
    /// Google's last refusal, with what to do about it.
    pub error: Option<String>,
    /// Worth knowing about how the form was filled (a config `default_calendar` naming an
    /// account that is not signed in); shown with the warnings until the form closes.
    pub notice: Option<String>,
    /// How many rows the error notes are scrolled when they do not fit; see
    /// [`Form::scroll_error`].
    pub error_scroll: u16,
    /// The furthest the error notes can scroll, as last drawn (only the renderer knows the
    /// width they wrap to).
    pub error_max: Cell<u16>,
    reminders: Option<Vec<crate::calendar::write::Reminder>>,
    /// Set when the form edits a meeting instead of making one.
    pub editing: Option<Box<Editing>>,
}

/// What an edit form edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Editing {
    /// The meeting as read when the form opened: the fields were filled from it, changes are
    /// measured against it, and its etag guards the write.
    pub loaded: Editable,
    /// The edit last sent: a meeting changed elsewhere meanwhile gets it again on top.
    pub sent: Option<Edit>,
}

impl Editing {
    /// Whether the loaded meeting has a Google Meet link (which the Meet field's first choice
    /// keeps).
    pub fn has_meet(loaded: &Editable) -> bool {
        loaded
            .meeting
            .video
            .as_ref()
            .is_some_and(|v| v.provider == Provider::Meet)
    }

    /// The loaded meeting as the form's values; `None` for an all-day event, which has no
    /// start time to fill in.
    pub fn draft(loaded: &Editable) -> Option<Draft> {
        let m = &loaded.meeting;
        let When::Timed { start, end } = m.when else {
            return None;
        };
        let start = start.with_timezone(&loaded.zone);
        let guests: Vec<&str> = m
            .attendees
            .iter()
            .filter(|a| !a.is_self)
            .map(|a| a.person.email.as_str())
            .collect();
        let rule = loaded.series.as_ref().and_then(|s| {
            s.recurrence
                .iter()
                .find_map(|line| line.strip_prefix("RRULE:"))
        });
        Some(Draft {
            template: String::new(),
            title: m.title.clone(),
            vars: Vec::new(),
            start: start.format("%Y-%m-%d %H:%M").to_string(),
            length: compose::duration_text(end - start.with_timezone(&chrono::Utc)),
            zone: loaded.zone.name().to_string(),
            guests: guests.join(", "),
            calendar: m.calendar_id.clone(),
            account: m.account,
            notify: m.default_notify(),
            recurrence: rule.unwrap_or_default().to_string(),
            // "new link" on a meeting with a Meet link keeps it (see `check`).
            meet: MeetChoice::from_setting(Editing::has_meet(loaded)),
            description: m.description.clone(),
            reminders: None,
            shift_from: Some(start),
        })
    }
}

/// Which notify choice is which, in the order Left/Right cycle them.
pub const NOTIFY: [(SendUpdates, &str); 3] = [
    (SendUpdates::All, "all guests"),
    (SendUpdates::ExternalOnly, "external guests only"),
    (SendUpdates::None, "nobody"),
];

impl Form {
    pub fn new(draft: Draft, event_id: String, ctx: &Context) -> Form {
        let text = |field: Field, label: &str, value: &str| FormField {
            field,
            label: label.to_string(),
            value: Value::Text(Input::new(value)),
        };
        let mut fields = vec![text(Field::Title, "Title", &draft.title)];
        fields.extend(
            draft
                .vars
                .iter()
                .map(|(name, v)| text(Field::Var(name.clone()), &capitalise(name), v)),
        );
        fields.extend([
            text(Field::Start, "Start", &draft.start),
            text(Field::Length, "Duration", &draft.length),
            text(Field::Zone, "Time zone", &draft.zone),
            text(Field::Guests, "Guests", &draft.guests),
            FormField {
                field: Field::Calendar,
                label: "Calendar".into(),
                value: calendar_choice(ctx, &draft.calendar, draft.account),
            },
            FormField {
                field: Field::Notify,
                label: "Notify".into(),
                value: Value::Choice {
                    options: NOTIFY
                        .iter()
                        .map(|(s, l)| (s.as_param().to_string(), l.to_string()))
                        .collect(),
                    index: NOTIFY.iter().position(|n| n.0 == draft.notify).unwrap_or(0),
                },
            },
            text(Field::Recurrence, "Repeat", &draft.recurrence),
            FormField {
                field: Field::Meet,
                label: "Meet link".into(),
                value: Value::Meet(draft.meet.clone()),
            },
            text(Field::Description, "Description", &draft.description),
        ]);
        let checked = compose::check(&draft, ctx);
        Form {
            template: draft.template,
            fields,
            focus: 0,
            changed: false,
            checked,
            event_id,
            submitting: None,
            error: None,
            notice: None,
            error_scroll: 0,
            error_max: Cell::new(0),
            reminders: draft.reminders,
            editing: None,
        }
    }

    /// A form filled from a meeting read for editing; `None` for an all-day event. The
    /// calendar and the e-mail choice are not fields here: a meeting stays in its calendar,
    /// and who gets e-mail is asked when it is saved.
    pub fn editing(loaded: Editable, ctx: &Context) -> Option<Form> {
        let draft = Editing::draft(&loaded)?;
        let mut form = Form::new(draft, loaded.meeting.id.clone(), ctx);
        form.fields
            .retain(|f| !matches!(f.field, Field::Calendar | Field::Notify));
        form.editing = Some(Box::new(Editing { loaded, sent: None }));
        form.checked = form.check(ctx);
        Some(form)
    }

    /// Editing a meeting that has a Google Meet link: the Meet field's first choice keeps
    /// that link rather than making a new one.
    pub fn keeps_meet(&self) -> bool {
        self.editing
            .as_ref()
            .is_some_and(|e| Editing::has_meet(&e.loaded))
    }

    /// The values validated; an edit form's Meet note says what happens to the link the
    /// meeting already has.
    pub fn check(&self, ctx: &Context) -> Checked {
        // The meeting being edited never overlaps itself.
        let editing = self.editing.as_ref().map(|e| e.loaded.meeting.id.as_str());
        let ctx = Context {
            editing: editing.or(ctx.editing),
            ..*ctx
        };
        let mut checked = compose::check(&self.draft(), &ctx);
        // A meeting in progress keeps its start: only a move into the past is asked about.
        if let (Some(editing), Some(event)) = (&self.editing, &checked.event) {
            if event.start.with_timezone(&chrono::Utc) == editing.loaded.meeting.start() {
                checked.starts_in_past = false;
            }
        }
        let meet = self.draft().meet;
        if self.keeps_meet() && !matches!(meet, MeetChoice::SameAs { .. }) {
            let note = if meet == MeetChoice::New {
                "keeps its Google Meet link"
            } else {
                "the Google Meet link is removed"
            };
            for (_, n) in checked.notes.iter_mut().filter(|(f, _)| *f == Field::Meet) {
                *n = compose::Note::Hint(note.into());
            }
        }
        checked
    }

    /// The values as a draft, for validation.
    pub fn draft(&self) -> Draft {
        let get = |f: Field| {
            self.fields
                .iter()
                .find(|x| x.field == f)
                .map_or("", |x| x.value.as_str())
                .to_string()
        };
        let editing = self.editing.as_ref().map(|e| &e.loaded);
        Draft {
            template: self.template.clone(),
            title: get(Field::Title),
            vars: self
                .fields
                .iter()
                .filter_map(|x| match &x.field {
                    Field::Var(name) => Some((name.clone(), x.value.as_str().to_string())),
                    _ => None,
                })
                .collect(),
            start: get(Field::Start),
            length: get(Field::Length),
            zone: get(Field::Zone),
            guests: get(Field::Guests),
            calendar: match editing {
                Some(e) => e.meeting.calendar_id.clone(),
                None => get(Field::Calendar),
            },
            account: match editing {
                Some(e) => e.meeting.account,
                None => self.account(),
            },
            notify: SendUpdates::parse(&get(Field::Notify)).unwrap_or(SendUpdates::All),
            recurrence: get(Field::Recurrence),
            meet: self
                .fields
                .iter()
                .find_map(|f| match &f.value {
                    Value::Meet(m) => Some(m.clone()),
                    _ => None,
                })
                .unwrap_or(MeetChoice::None),
            description: get(Field::Description),
            reminders: self.reminders.clone(),
            shift_from: editing.and_then(|e| Editing::draft(e)?.shift_from),
        }
    }

    /// The account of the chosen calendar (of the meeting being edited): the write and
    /// find a time go through it.
    pub fn account(&self) -> usize {
        if let Some(e) = &self.editing {
            return e.loaded.meeting.account;
        }
        self.fields
            .iter()
            .find_map(|f| match &f.value {
                Value::Calendar { options, index } => options.get(*index).map(|o| o.account),
                _ => None,
            })
            .unwrap_or(0)
    }

    pub fn focused(&self) -> &FormField {
        &self.fields[self.focus]
    }

    pub fn is_last(&self) -> bool {
        self.focus + 1 == self.fields.len()
    }

    /// Tab / Shift-Tab, wrapping around.
    pub fn move_focus(&mut self, delta: isize) {
        let n = self.fields.len() as isize;
        self.focus = (self.focus as isize + delta).rem_euclid(n) as usize;
        self.error_scroll = 0;
    }

    pub fn focus_on(&mut self, field: &Field) {
        if let Some(i) = self.fields.iter().position(|f| &f.field == field) {
            self.focus = i;
            self.error_scroll = 0;
        }
    }

    /// Scrolls the error notes that do not fit on screen (Google's refusal under the form,
    /// the focused field's `✗` note) by `delta` rows, down when positive, no further than
    /// their end as last drawn.
    pub fn scroll_error(&mut self, delta: i32) {
        let to = i32::from(self.error_scroll).saturating_add(delta);
        self.error_scroll = to.clamp(0, i32::from(self.error_max.get())) as u16;
    }

    /// Gives the focused field the key; true when it changed the value.
    pub fn edit(&mut self, key: &KeyEvent, ctx: &Context) -> bool {
        let changed = self.fields[self.focus].value.key(key);
        if changed {
            self.after_edit(ctx);
        }
        changed
    }

    /// Pasted text goes into the focused text field; only the description keeps line breaks.
    pub fn paste(&mut self, text: &str, ctx: &Context) {
        let multiline = self.focused().field == Field::Description;
        if let Value::Text(input) = &mut self.fields[self.focus].value {
            let clean = if multiline {
                crate::sanitize::block(text)
            } else {
                crate::sanitize::line(text)
            };
            input.insert(&clean);
            self.after_edit(ctx);
        }
    }

    /// Alt-Enter in the description starts a new line.
    pub fn newline(&mut self, ctx: &Context) {
        let f = &mut self.fields[self.focus];
        if let (Field::Description, Value::Text(input)) = (&f.field, &mut f.value) {
            input.insert("\n");
            self.after_edit(ctx);
        }
    }

    /// Replaces a text field's value (find a time writes the start this way); the note under
    /// it then says what was read, as when typed.
    pub fn set_text(&mut self, field: &Field, text: &str, ctx: &Context) {
        for f in self.fields.iter_mut().filter(|f| &f.field == field) {
            if let Value::Text(input) = &mut f.value {
                *input = Input::new(text);
                input.fresh = false;
            }
        }
        self.after_edit(ctx);
    }

    pub fn set_meet(&mut self, choice: MeetChoice, ctx: &Context) {
        for f in &mut self.fields {
            if let Value::Meet(m) = &mut f.value {
                *m = choice.clone();
            }
        }
        self.after_edit(ctx);
    }

    /// Whether `key` takes the focused Meet field to "same link as…", which the link picker
    /// chooses (the form cannot: it does not know the agenda).
    pub fn wants_link_picker(&self, key: &KeyEvent) -> bool {
        matches!(&self.focused().value, Value::Meet(m) if meet_step(m, key) == Some(SAME_AS))
    }

    fn after_edit(&mut self, ctx: &Context) {
        self.changed = true;
        self.error = None;
        self.error_scroll = 0;
        self.checked = self.check(ctx);
    }
}

/// The writable calendars of every account, grouped by account in the agenda's order; with
/// several accounts each is labelled with its account's e-mail.
fn calendar_choice(ctx: &Context, current: &str, account: usize) -> Value {
    let several = ctx.accounts.len() > 1;
    let mut options: Vec<CalendarOption> = compose::writable(ctx.calendars)
        .map(|c| CalendarOption {
            account: c.account,
            id: c.id.clone(),
            label: match ctx.accounts.get(c.account).filter(|_| several) {
                // A Gmail primary calendar is named after the address: said once.
                Some(a) if c.name.is_empty() || c.name == a.email => a.email.clone(),
                Some(a) => format!("{} \u{b7} {}", a.email, c.name),
                None => c.name.clone(),
            },
        })
        .collect();
    // The merge lists each account's calendars together already; a stable sort keeps
    // their order within an account.
    options.sort_by_key(|o| o.account);
    let is_current = |o: &CalendarOption| o.id == current && o.account == account;
    // A template's calendar that is not in the list stays visible (and fails validation)
    // rather than being silently swapped for another.
    if !options.iter().any(is_current) {
        options.insert(
            0,
            CalendarOption {
                account,
                id: current.to_string(),
                label: current.to_string(),
            },
        );
    }
    let index = options.iter().position(is_current).unwrap_or(0);
    Value::Calendar { options, index }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{Note, REMOVED};

    /// Issue 15 point 7: a template's title with an escape sequence (config files can hold
    /// one) reaches the form as it is, and the field says what will not be sent.
    #[test]
    fn the_title_note_says_control_characters_are_removed() {
        let ctx = Context {
            now: "2026-12-01T09:00:00Z".parse().unwrap(),
            tz: chrono_tz::Europe::Berlin,
            calendars: &[],
            account: None,
            accounts: &[],
            meetings: &[],
            editing: None,
        };
        let template = crate::templates::load(&[]).unwrap().remove(0);
        let mut draft = Draft::from_template(&template, &ctx);
        draft.title = "Sync \x1b]0;pwned\x07with Kim".into();
        let mut form = Form::new(draft, "id".into(), &ctx);
        assert_eq!(
            form.checked.note(&Field::Title),
            Some(&Note::Hint(REMOVED.into()))
        );
        let sent = form.checked.event.as_ref().map(|e| e.title.as_str());
        assert_eq!(sent, Some("Sync with Kim"));

        form.focus_on(&Field::Title);
        form.edit(&KeyEvent::from(KeyCode::Char('u')), &ctx);
        assert_eq!(
            form.checked.note(&Field::Title),
            Some(&Note::Hint(String::new()))
        );
    }
}
