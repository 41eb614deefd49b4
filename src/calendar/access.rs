//! How to get into a meeting without its link: the meeting ID and passcode that services put
//! in the URL (Zoom's `pwd=`), in their invitation text ("Meeting ID: … Passcode: …") and in
//! Google's conference entry points, so the details can show them and `Y` can copy them.

use serde::{Deserialize, Serialize};

use super::links::VideoLink;
use super::wire::WireEvent;

/// A meeting's ID and passcode, as the service writes them (sanitized).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub meeting_id: Option<String>,
    pub passcode: Option<String>,
}

impl Access {
    /// What `Y` copies when there is no dial-in: "Meeting ID: 812 3456 7890\nPasscode: 4Xy9",
    /// each line only when known.
    /// CONTRACT (h2): stub.
    pub fn paste_text(&self) -> String {
        String::new()
    }
}

/// The ID and passcode of `link` (the meeting's primary link) found in its URL, the event's
/// conference entry points, its location and its description; None when there are neither.
/// CONTRACT (h2): stub.
pub fn extract(
    _link: Option<&VideoLink>,
    _ev: &WireEvent,
    _location: &str,
    _description: &str,
) -> Option<Access> {
    None
}
