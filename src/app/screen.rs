//! What has the keys: the agenda or the form underneath, and the dialogs stacked over them.
//! Each layer owns its state, so a combination that cannot happen cannot be written down
//! (a picker selection without a picker, a form both shown and put away).

use super::answer::AnswerDialog;
use super::confirm::Confirm;
use super::find_time::FindTime;
use super::join_mark::JoinAsk;
use super::links::LinksList;
use super::picker::LinkPicker;
use crate::form::Form;
use crate::keymap::Mode;

/// The screen under any dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Base {
    /// The agenda; `saving` is a form put away with Esc while Google works on it (it comes
    /// back on `n`, or by itself when Google refuses).
    Agenda { saving: Option<Box<Form>> },
    /// The new-meeting form beside (or over) the agenda.
    Form(Box<Form>),
}

/// A dialog over the base screen, with its own state.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// Typing a filter; `before` is what Esc puts back.
    Filter {
        before: String,
    },
    /// The keys of the screen below, scrolled by `scroll` rows.
    Help {
        scroll: u16,
    },
    /// Google stopped accepting the sign-in (the dialog's text is the app's `sign_in`).
    SignIn,
    /// Choosing a template; `selected` is the highlighted one.
    Picker {
        selected: usize,
    },
    Confirm(Confirm),
    /// Free slots for the form's guests.
    FindTime(FindTime),
    /// Choosing the meeting whose link the form's Meet field shares.
    LinkPicker(LinkPicker),
    /// Answering an invitation.
    Answer(Box<AnswerDialog>),
    /// Marking an occurrence of a series for a scheduled join: which occurrences.
    JoinMark(JoinAsk),
    /// Every link, dial-in, meeting ID and passcode of the selected meeting.
    Links(LinksList),
}

impl Overlay {
    fn mode(&self) -> Mode {
        match self {
            Overlay::Filter { .. } => Mode::Filter,
            Overlay::Help { .. } => Mode::Help,
            Overlay::SignIn => Mode::SignIn,
            Overlay::Picker { .. } => Mode::Picker,
            Overlay::Confirm(_) => Mode::Confirm,
            Overlay::FindTime(_) => Mode::FindTime,
            Overlay::LinkPicker(_) => Mode::LinkPicker,
            Overlay::Answer(_) => Mode::Answer,
            Overlay::JoinMark(_) => Mode::JoinMark,
            Overlay::Links(_) => Mode::Links,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    pub base: Base,
    /// Dialogs, the last one on top (it has the keys).
    overlays: Vec<Overlay>,
}

impl Default for Screen {
    fn default() -> Screen {
        Screen {
            base: Base::Agenda { saving: None },
            overlays: Vec::new(),
        }
    }
}

impl Screen {
    /// Who has the keys.
    pub fn mode(&self) -> Mode {
        self.mode_below(self.overlays.len())
    }

    /// The mode of the first `layers` dialogs over the base: `mode_below(0)` is the base's.
    fn mode_below(&self, layers: usize) -> Mode {
        match self.overlays[..layers].last() {
            Some(o) => o.mode(),
            None if matches!(self.base, Base::Form(_)) => Mode::Form,
            None => Mode::Agenda,
        }
    }

    /// The mode whose keys the help overlay lists: the one under it.
    pub fn help_for(&self) -> Mode {
        let help = self
            .overlays
            .iter()
            .rposition(|o| matches!(o, Overlay::Help { .. }));
        self.mode_below(help.unwrap_or(self.overlays.len()))
    }

    /// The dialogs, bottom first: each is drawn over the ones before it.
    pub fn overlays(&self) -> impl Iterator<Item = &Overlay> {
        self.overlays.iter()
    }

    pub fn top(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    pub fn top_mut(&mut self) -> Option<&mut Overlay> {
        self.overlays.last_mut()
    }

    /// Find a time, wherever it is in the stack (help may be over it).
    pub fn find_time(&self) -> Option<&FindTime> {
        self.overlays.iter().find_map(|o| match o {
            Overlay::FindTime(v) => Some(v),
            _ => None,
        })
    }

    pub fn find_time_mut(&mut self) -> Option<&mut FindTime> {
        self.overlays.iter_mut().find_map(|o| match o {
            Overlay::FindTime(v) => Some(v),
            _ => None,
        })
    }

    pub fn push(&mut self, overlay: Overlay) {
        self.overlays.push(overlay);
    }

    /// Closes the top dialog, uncovering what was under it.
    pub fn pop(&mut self) -> Option<Overlay> {
        self.overlays.pop()
    }

    /// Whether a dialog of this kind is open anywhere in the stack.
    pub fn has(&self, mode: Mode) -> bool {
        self.overlays.iter().any(|o| o.mode() == mode)
    }

    /// Closes every dialog of this kind.
    pub fn remove(&mut self, mode: Mode) {
        self.overlays.retain(|o| o.mode() != mode);
    }

    /// The form, shown or put away while saving.
    pub fn form(&self) -> Option<&Form> {
        match &self.base {
            Base::Form(f) | Base::Agenda { saving: Some(f) } => Some(f),
            Base::Agenda { saving: None } => None,
        }
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.base {
            Base::Form(f) | Base::Agenda { saving: Some(f) } => Some(f),
            Base::Agenda { saving: None } => None,
        }
    }

    /// The form, unless it was put away while saving.
    pub fn visible_form(&self) -> Option<&Form> {
        match &self.base {
            Base::Form(f) => Some(f),
            Base::Agenda { .. } => None,
        }
    }

    /// Shows a form put away while saving (with everything over it left as it was).
    pub fn show_form(&mut self) {
        self.base = match self.take_base() {
            Base::Agenda { saving: Some(f) } => Base::Form(f),
            other => other,
        };
    }

    /// Puts the shown form away while Google saves it.
    pub fn hide_form(&mut self) {
        self.base = match self.take_base() {
            Base::Form(f) => Base::Agenda { saving: Some(f) },
            other => other,
        };
    }

    fn take_base(&mut self) -> Base {
        std::mem::replace(&mut self.base, Base::Agenda { saving: None })
    }

    pub fn open_form(&mut self, form: Form) {
        self.base = Base::Form(Box::new(form));
    }

    /// Closes the form (shown or not) and any dialog that was about it.
    pub fn close_form(&mut self) {
        self.overlays.retain(|o| match o {
            Overlay::Confirm(c) => !c.is_about_form(),
            Overlay::FindTime(_) | Overlay::LinkPicker(_) => false,
            _ => true,
        });
        self.base = Base::Agenda { saving: None };
    }
}
