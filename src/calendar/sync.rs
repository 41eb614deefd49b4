//! Keeping the agenda current cheaply: one full listing per calendar, then listings with
//! that calendar's `syncToken`, which return only what changed since (an unchanged calendar
//! costs one small request). A 410 drops the token and lists that calendar in full again.
//!
//! A sync token carries no window (Google refuses `timeMin`/`timeMax` beside it), so changes
//! anywhere in the calendar come back; they are kept only if they touch the agenda's window.
//! The window's start follows the clock, which only drops meetings. When its end moves (the
//! day turned: the window ends at a day boundary), meetings enter it without changing, so
//! each calendar is then listed with its token (what changed anywhere) and, beside it, the
//! new days alone in full (`timeMin`/`timeMax` from the old end to the new one, no token);
//! the two are merged and the token kept. Only a window starting before the stored one
//! starts over with full listings.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::client::{resolve_primary, CalendarClient, CalendarSelection};
use super::error::ApiError;
use super::model::{Agenda, Meeting, When};
use super::wire::{EventPage, WireEvent, EVENT_PAGE_FIELDS};

/// How long the calendar list is trusted between full listings: it rarely changes, and
/// reading it on every refresh would double an unchanged refresh's cost.
const CALENDARS_FRESH_FOR: Duration = Duration::minutes(15);

/// What the last sync left: the agenda it produced and how to ask for what changed since.
#[derive(Debug, Clone)]
pub struct Synced {
    pub agenda: Arc<Agenda>,
    /// What the meetings cover: a later window starting inside it is served incrementally
    /// (its days past this end listed in full beside).
    window: (DateTime<Utc>, DateTime<Utc>),
    calendars_read: DateTime<Utc>,
    /// Per calendar, the token for its next incremental listing; a calendar without one
    /// (Google sent none) is listed in full.
    tokens: HashMap<String, String>,
}

/// What a sync leaves besides the agenda, kept in the cache so that the next start (of the
/// TUI, `meetty watch` or `meetty agenda`) asks only for what changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncState {
    pub window: (DateTime<Utc>, DateTime<Utc>),
    pub calendars_read: DateTime<Utc>,
    pub tokens: HashMap<String, String>,
}

impl Synced {
    /// What to keep on disk beside the agenda.
    pub fn state(&self) -> SyncState {
        SyncState {
            window: self.window,
            calendars_read: self.calendars_read,
            tokens: self.tokens.clone(),
        }
    }

    /// A sync read back from the cache: the next one builds on it as on one just done.
    /// `agenda` must be the one saved with `state` (or one with local changes made since:
    /// the next listing with the stored tokens brings those changes again).
    pub fn resume(agenda: Arc<Agenda>, state: SyncState) -> Synced {
        Synced {
            agenda,
            window: state.window,
            calendars_read: state.calendars_read,
            tokens: state.tokens,
        }
    }
}

impl SyncState {
    /// Whether a sync of a window ending at `to` would narrow what this state covers: its
    /// result is then not worth keeping in its place (a one-off shorter `meetty agenda
    /// --days`).
    pub fn outlasts(&self, to: DateTime<Utc>) -> bool {
        to < self.window.1
    }
}

/// What a refresh asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncRequest {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Read the calendar list even if it is fresh (after the machine slept, say).
    pub reread_calendars: bool,
}

/// One calendar's listing: its changes (or all its events) and the next sync token.
#[derive(Default)]
struct Listing {
    /// New or changed meetings (all of them, in a full listing).
    upserts: Vec<Meeting>,
    /// Cancelled or no longer readable: these ids (of events, occurrences or whole series)
    /// leave the agenda.
    gone: Vec<String>,
    token: Option<String>,
}

impl CalendarClient {
    /// The merged agenda of the selected calendars for `[from, to)`, listed in full;
    /// calendars are listed concurrently.
    pub async fn agenda(
        &self,
        selection: &CalendarSelection,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Agenda, ApiError> {
        let req = SyncRequest {
            from,
            to,
            reread_calendars: true,
        };
        let synced = self.sync(None, selection, req).await?;
        Ok(Arc::unwrap_or_clone(synced.agenda))
    }

    /// The agenda for the request's window, built on `last` where it still holds.
    pub async fn sync(
        &self,
        last: Option<&Synced>,
        selection: &CalendarSelection,
        req: SyncRequest,
    ) -> Result<Synced, ApiError> {
        let now = Utc::now();
        let last = last.filter(|l| l.window.0 <= req.from);
        // The days past what `last` covers: listed in full beside the incremental listings.
        let new_days = last
            .filter(|l| req.to > l.window.1)
            .map(|l| (l.window.1.max(req.from), req.to));
        let (calendars, calendars_read) = match last {
            Some(l) if !req.reread_calendars && now - l.calendars_read < CALENDARS_FRESH_FOR => {
                (l.agenda.calendars.clone(), l.calendars_read)
            }
            _ => (self.calendars().await?, now),
        };
        let ids: Vec<String> = match selection {
            CalendarSelection::SelectedInGoogle => calendars
                .iter()
                .filter(|c| c.selected)
                .map(|c| c.id.clone())
                .collect(),
            CalendarSelection::Ids(ids) => ids
                .iter()
                .map(|id| resolve_primary(id, &calendars))
                .collect(),
        };
        let listings = ids.iter().map(|id| {
            let token = last.and_then(|l| l.tokens.get(id));
            self.listing(id, token.map(String::as_str), req, new_days)
        });
        let listings = futures_util::future::join_all(listings).await;
        let mut meetings = Vec::new();
        let mut tokens = HashMap::new();
        for (id, listing) in ids.iter().zip(listings) {
            let (listing, incremental) = listing?;
            let kept = match last {
                Some(l) if incremental => l
                    .agenda
                    .meetings
                    .iter()
                    .filter(|m| &m.calendar_id == id)
                    .cloned()
                    .collect(),
                _ => Vec::new(),
            };
            if let Some(token) = listing.token.clone() {
                tokens.insert(id.clone(), token);
            }
            meetings.extend(apply(kept, listing, req.from, req.to));
        }
        let mut agenda = Agenda {
            calendars,
            meetings,
            fetched_at: now,
            accounts: Vec::new(),
        };
        agenda.sort();
        Ok(Synced {
            agenda: Arc::new(agenda),
            window: (req.from, req.to),
            calendars_read,
            tokens,
        })
    }

    /// Every meeting of one calendar touching `[from, to)`, by start.
    pub async fn events(
        &self,
        calendar_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Meeting>, ApiError> {
        let req = SyncRequest {
            from,
            to,
            reread_calendars: false,
        };
        let (listing, _) = self.listing(calendar_id, None, req, None).await?;
        let mut meetings = apply(Vec::new(), listing, from, to);
        meetings.sort_by_key(Meeting::start);
        Ok(meetings)
    }

    /// What changed since `token` plus every meeting of `new_days` (the days the stored
    /// window did not cover), or, without a token (or when Google says it expired), the
    /// whole window. The flag says whether the result is to be applied to what was kept.
    async fn listing(
        &self,
        calendar_id: &str,
        token: Option<&str>,
        req: SyncRequest,
        new_days: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<(Listing, bool), ApiError> {
        if let Some(token) = token {
            match self.list(calendar_id, &[("syncToken", token)]).await {
                Ok(mut listing) => {
                    if let Some((from, to)) = new_days {
                        listing.add(self.list_window(calendar_id, from, to).await?);
                    }
                    return Ok((listing, true));
                }
                Err(ApiError::Google { code: 410, .. }) => {
                    log::info!("sync token of {calendar_id} expired: listing it in full");
                }
                Err(e) => return Err(e),
            }
        }
        Ok((
            self.list_window(calendar_id, req.from, req.to).await?,
            false,
        ))
    }

    /// Every meeting of one calendar touching `[from, to)`, and a token for what changes
    /// after.
    async fn list_window(
        &self,
        calendar_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Listing, ApiError> {
        let (min, max) = (rfc3339(from), rfc3339(to));
        let window = [("timeMin", min.as_str()), ("timeMax", max.as_str())];
        self.list(calendar_id, &window).await
    }

    /// Every page of one `events.list`, occurrences of series expanded (`singleEvents`, the
    /// same in full and incremental listings, as Google requires). No `orderBy`: Google
    /// refuses it beside a sync token, and the agenda sorts anyway.
    async fn list(&self, calendar_id: &str, query: &[(&str, &str)]) -> Result<Listing, ApiError> {
        let mut listing = Listing::default();
        let mut page: Option<String> = None;
        loop {
            let mut params = vec![
                ("singleEvents", "true"),
                ("maxResults", "2500"),
                ("fields", EVENT_PAGE_FIELDS),
            ];
            params.extend_from_slice(query);
            if let Some(p) = &page {
                params.push(("pageToken", p));
            }
            let url = self.events_url(calendar_id, None, &params)?;
            let body = self.get(&url).await?;
            // Validating UTF-8 once up front is faster than serde_json doing it per string.
            let text = std::str::from_utf8(&body)
                .map_err(|e| ApiError::Unexpected(format!("events.list: {e}")))?;
            let events: EventPage = serde_json::from_str(text)
                .map_err(|e| ApiError::Unexpected(format!("events.list: {e}")))?;
            for event in &events.items {
                match Meeting::from_event(calendar_id, event) {
                    Some(meeting) => listing.upserts.push(meeting),
                    None => listing.gone.push(event_id(event)),
                }
            }
            match events.next_page_token {
                Some(p) => page = Some(p.into_owned()),
                None => {
                    listing.token = events.next_sync_token.map(|t| t.into_owned());
                    return Ok(listing);
                }
            }
        }
    }
}

impl Listing {
    /// Merges a full listing of days this one did not cover: its meetings replace the
    /// same ids here (both are current), its token is not kept (this one's covers them).
    fn add(&mut self, days: Listing) {
        let ids: HashSet<&str> = days.upserts.iter().map(|m| m.id.as_str()).collect();
        self.upserts.retain(|m| !ids.contains(m.id.as_str()));
        self.upserts.extend(days.upserts);
        self.gone.extend(days.gone);
    }
}

fn event_id(event: &WireEvent) -> String {
    event.id.as_deref().unwrap_or_default().to_string()
}

/// `kept` with a listing applied: a changed id replaces what was there, a gone id takes its
/// occurrences along (a deleted series is listed once, by the series' id), and only
/// meetings touching `[from, to)` stay.
fn apply(
    mut kept: Vec<Meeting>,
    listing: Listing,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Meeting> {
    let gone: HashSet<&str> = listing.gone.iter().map(String::as_str).collect();
    let changed: HashSet<&str> = listing.upserts.iter().map(|m| m.id.as_str()).collect();
    kept.retain(|m| {
        let id = m.id.as_str();
        !changed.contains(id)
            && !gone.contains(id)
            && !m.series_id.as_deref().is_some_and(|s| gone.contains(s))
            && touches(m, from, to)
    });
    kept.extend(listing.upserts.into_iter().filter(|m| touches(m, from, to)));
    kept
}

/// Whether `m` overlaps `[from, to)`. All-day dates are a day wider on each side: which
/// instant a date starts at depends on a time zone, and the view places them exactly.
fn touches(m: &Meeting, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    let (start, end) = match m.when {
        When::Timed { start, end } => (start, end.max(start + Duration::seconds(1))),
        When::AllDay { start, end } => (
            start.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::days(1),
            end.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::days(1),
        ),
    };
    end > from && start < to
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(id: &str, series: Option<&str>, hour: u32) -> Meeting {
        let json = serde_json::json!({
            "id": id,
            "recurringEventId": series,
            "start": {"dateTime": format!("2026-11-23T{hour:02}:00:00Z")},
            "end": {"dateTime": format!("2026-11-23T{hour:02}:30:00Z")},
        })
        .to_string();
        let event: WireEvent = serde_json::from_str(&json).unwrap();
        Meeting::from_event("primary", &event).unwrap()
    }

    fn ids(ms: &[Meeting]) -> Vec<&str> {
        ms.iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn changes_replace_remove_and_take_a_deleted_series_along() {
        let from = "2026-11-23T00:00:00Z".parse().unwrap();
        let to = "2026-11-24T00:00:00Z".parse().unwrap();
        let kept = vec![
            meeting("moved", None, 9),
            meeting("series_1", Some("series"), 10),
            meeting("series_2", Some("series"), 11),
            meeting("stays", None, 12),
            meeting("cancelled", None, 13),
        ];
        let listing = Listing {
            upserts: vec![
                meeting("moved", None, 15),
                meeting("new", None, 16),
                // Changed, but now outside the window: it leaves.
                Meeting {
                    when: When::Timed {
                        start: to + Duration::days(3),
                        end: to + Duration::days(3) + Duration::hours(1),
                    },
                    ..meeting("stays", None, 12)
                },
            ],
            gone: vec!["series".into(), "cancelled".into()],
            token: None,
        };
        let after = apply(kept, listing, from, to);
        assert_eq!(ids(&after), ["moved", "new"]);
        assert_eq!(after[0].start().format("%H").to_string(), "15");
    }
}
