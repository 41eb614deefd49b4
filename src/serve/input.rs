//! Request bodies of `/meetings` read into meetty's own types (H4), every problem naming its
//! field and the fix.
