//! `GET /meetings` (a window of meetings, from the cache while it is current) and
//! `GET /meetings/{id}` (one meeting as Google holds it now).

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use super::errors::{google, problem};
use super::{
    cached_agenda, event_calendar, listed_conference, meeting_json, meeting_reply, rfc3339, span,
};
use crate::cache;
use crate::calendar::write::Created;
use crate::serve::input;
use crate::serve::reply::{Problem, Reply};
use crate::serve::{Account, Api, Request};
use crate::timefmt;

pub(super) async fn list(api: &Api, req: &Request) -> Result<Reply, Problem> {
    let account = api.account(req.param("account"))?;
    let tz = api.tz;
    let now = Utc::now();
    let from = match req.param("from") {
        Some(text) => input::bound("from", text, tz)?,
        None => now,
    };
    let to = match req.param("to") {
        Some(text) => input::bound("to", text, tz)?,
        None => timefmt::agenda_window(from, tz, api.config.days).1,
    };
    input::window(from, to)?;
    let fresh = match req.param("fresh") {
        Some(text) => input::flag("fresh", text)?,
        None => false,
    };
    // The API's own writes since the last sync are not in the cache: sync first.
    let written = api.in_flight.take_written(&account.email);
    let oldest = now - cache_lifetime(&api.config);
    // Read only when it may answer: a sync reads it again to resume from it.
    let cached = (!fresh && !written)
        .then(|| cached_agenda(api, account))
        .flatten()
        .filter(|c| {
            c.agenda.fetched_at >= oldest
                && c.sync
                    .as_ref()
                    .is_some_and(|s| s.window.0 <= from && to <= s.window.1)
        });
    let (agenda, source) = match cached {
        Some(cached) => (cached.agenda, "cache"),
        None => {
            let sync = cache::synced_agenda(
                &account.client,
                &api.paths,
                &api.config.calendars,
                Some(&account.cache_owner),
                from,
                to,
            );
            let (agenda, unsaved) = google(sync).await.inspect_err(|_| {
                if written {
                    api.in_flight.wrote(&account.email);
                }
            })?;
            if let Some(e) = unsaved {
                log::warn!(
                    "cannot write the cache in {}: {e}",
                    api.paths.data_dir.display()
                );
            }
            (agenda, "google")
        }
    };
    api.in_flight
        .keep_calendars(&account.email, &agenda.calendars);
    let meetings: Vec<Value> = agenda
        .meetings
        .iter()
        .filter(|m| {
            let (start, end) = span(m, tz);
            start < to && from < end
        })
        .map(|m| meeting_json(&account.email, m, &listed_conference(m), tz))
        .collect();
    Ok(Reply::json(
        200,
        json!({
            "account": account.email,
            "from": rfc3339(from, tz),
            "to": rfc3339(to, tz),
            "source": source,
            "fetched_at": rfc3339(agenda.fetched_at, tz),
            "meetings": meetings,
        }),
    ))
}

/// How old a cached agenda a listing answers from may be: three background refreshes of
/// the TUI (`refresh_seconds`), or [`UNREFRESHED_CACHE_LIFETIME`] when those are off.
fn cache_lifetime(config: &crate::config::Config) -> Duration {
    let every = config
        .refresh_every
        .unwrap_or(UNREFRESHED_CACHE_LIFETIME / 3);
    Duration::from_std(every * 3).unwrap_or(Duration::MAX)
}

/// [`cache_lifetime`] when the TUI refreshes only on start-up.
const UNREFRESHED_CACHE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(15 * 60);

pub(super) async fn read(api: &Api, req: &Request, id: &str) -> Result<Reply, Problem> {
    let account = api.account(req.param("account"))?;
    let calendar = event_calendar(api, account, req, id);
    let created = current(account, &calendar, id).await?;
    Ok(meeting_reply(200, account, &created, api.tz))
}

/// The meeting as Google holds it now; a cancelled one is gone (404).
pub(super) async fn current(
    account: &Account,
    calendar: &str,
    id: &str,
) -> Result<Created, Problem> {
    current_of(
        calendar,
        &google(account.client.resource(calendar, id)).await?,
    )
}

/// [`current`] of a resource read already.
pub(super) fn current_of(calendar: &str, resource: &Value) -> Result<Created, Problem> {
    if resource["status"] == "cancelled" {
        return Err(Problem::new(404, "not_found", "the meeting was cancelled")
            .fix("GET /meetings lists the meetings there are"));
    }
    Created::of(calendar, resource).map_err(|e| problem(e, None))
}
