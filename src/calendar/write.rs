//! Writing to Google Calendar: create, add/remove Meet links, cancel, decline, instant links.
