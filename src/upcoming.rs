//! The upcoming meetings in a file small and simple enough for a status bar to read every
//! few seconds: `meetty next` and `meetty join` answer from it alone (no network, no keyring,
//! no full cache), in a few milliseconds. Written with the cache, from the same agenda.
//!
//! Contract (issue 12; filled in by the `next` work): one JSON header line, then one JSON
//! line per meeting the user attends (declined, all-day and non-meeting events left out),
//! sorted by start.

use std::path::Path;

use crate::calendar::model::Agenda;

/// Writes the upcoming list for `agenda` atomically, readable by the user only.
pub fn write(_path: &Path, _agenda: &Agenda) -> std::io::Result<()> {
    Ok(())
}
