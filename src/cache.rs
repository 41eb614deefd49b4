//! The last agenda on disk, so the next start draws at once, and offline starts show
//! something; with it, how to ask Google for only what changed since (the sync state), so a
//! start after a restart costs one small request per calendar. Beside it, the short list of
//! upcoming meetings that `meetty next` reads ([`crate::upcoming`]). It holds calendar data,
//! never credentials. (Google's sync guide asks clients to persist `nextSyncToken` and to list
//! in full when a stored one answers 410: developers.google.com/calendar/api/guides/sync.)

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::calendar::client::{CalendarClient, CalendarSelection};
use crate::calendar::error::ApiError;
use crate::calendar::model::Agenda;
use crate::calendar::sync::{SyncRequest, SyncState, Synced};
use crate::config::Paths;

/// What the cache holds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cached {
    pub agenda: Agenda,
    /// None: written without one (a write before the first sync finished).
    #[serde(default)]
    pub sync: Option<SyncState>,
}

impl Cached {
    /// The sync this cache was written after, for the next one to ask Google only for what
    /// changed since; None when it was written without one (an old-format cache is no cache
    /// at all, see [`load`]).
    pub fn resume(self) -> Option<Synced> {
        let state = self.sync?;
        Some(Synced::resume(Arc::new(self.agenda), state))
    }
}

/// The same, borrowed, to write without copying the agenda.
#[derive(Serialize)]
struct CachedRef<'a> {
    agenda: &'a Agenda,
    sync: Option<&'a SyncState>,
}

/// One owner's cache files (an account's e-mail, "demo" or "sandbox").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheFiles {
    pub agenda: PathBuf,
    pub upcoming: PathBuf,
}

impl CacheFiles {
    pub fn of(paths: &Paths, owner: &str) -> CacheFiles {
        CacheFiles {
            agenda: paths.agenda_cache(owner),
            upcoming: paths.upcoming_file(owner),
        }
    }
}

/// The cached agenda; a missing, old-format (a bare agenda, before the sync state was kept)
/// or damaged file is simply no cache.
pub fn load(path: &Path) -> Option<Cached> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The agenda for `[from, to)`, asking Google only for what changed since `owner`'s cache
/// was written (one small request per calendar), then written back, so the next start,
/// `meetty next` and `meetty serve` see it; `meetty agenda` and `meetty serve` share it.
/// Beside the agenda: why the cache could not be written, if it could not (the next start
/// then lists everything again).
///
/// A window that ends sooner than the cached one (a one-off `--days 1`) is still served from
/// the cached sync, but its result is not saved over it: that would narrow the stored window,
/// and the TUI's next start would list everything again. The cache keeps its older tokens
/// then, which is safe: listing with them brings the same changes again.
pub async fn synced_agenda(
    client: &CalendarClient,
    paths: &Paths,
    selection: &CalendarSelection,
    owner: Option<&str>,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Result<(Agenda, Option<std::io::Error>), ApiError> {
    let files = owner.map(|owner| CacheFiles::of(paths, owner));
    let last = files
        .as_ref()
        .and_then(|f| load(&f.agenda))
        .and_then(Cached::resume);
    let narrower = last.as_ref().is_some_and(|l| l.state().outlasts(to));
    let req = SyncRequest {
        from,
        to,
        reread_calendars: false,
    };
    let synced = client.sync(last.as_ref(), selection, req).await?;
    let unsaved = match files.filter(|_| !narrower) {
        Some(files) => save(&files, &synced.agenda, Some(&synced.state())).err(),
        None => None,
    };
    Ok((Arc::unwrap_or_clone(synced.agenda), unsaved))
}

/// Writes the agenda (with its sync state) and the upcoming list.
pub fn save(files: &CacheFiles, agenda: &Agenda, sync: Option<&SyncState>) -> std::io::Result<()> {
    write_agenda(&files.agenda, &CachedRef { agenda, sync })?;
    crate::upcoming::write(&files.upcoming, agenda)
}

/// Writes the agenda file.
fn write_agenda(path: &Path, cached: &CachedRef) -> std::io::Result<()> {
    // Streamed: a 10,000-meeting agenda never exists twice in memory as JSON.
    write_private(path, |out| Ok(serde_json::to_writer(out, cached)?))
}

/// Writes `path` atomically (temp file + rename) so a crash never leaves half a file and a
/// reader never sees one, readable by the user only: an agenda is private. `fill` writes
/// the content.
pub(crate) fn write_private(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    // A temp name of its own per write: two saves in flight never share one.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut out = std::io::BufWriter::new(opts.open(&tmp)?);
    fill(&mut out)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agenda_fetched() -> chrono::DateTime<chrono::Utc> {
        "2026-11-21T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn round_trips_with_the_sync_state_and_tolerates_damage() {
        let dir = std::env::temp_dir().join(format!("meetty-cache-{}", std::process::id()));
        let files = CacheFiles {
            agenda: dir.join("agenda.json"),
            upcoming: dir.join("upcoming.jsonl"),
        };
        let path = files.agenda.clone();
        let agenda = Agenda {
            fetched_at: agenda_fetched(),
            accounts: Vec::new(),
            ..Agenda::default()
        };
        save(&files, &agenda, None).unwrap();
        let expected = Cached { agenda, sync: None };
        assert_eq!(load(&path), Some(expected));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let state = SyncState {
            window: (
                agenda_fetched(),
                agenda_fetched() + chrono::Duration::days(7),
            ),
            calendars_read: agenda_fetched(),
            tokens: [("primary".to_string(), "token-1".to_string())].into(),
        };
        save(&files, &load(&path).unwrap().agenda, Some(&state)).unwrap();
        let synced = load(&path)
            .and_then(Cached::resume)
            .expect("a sync to resume");
        assert_eq!(synced.state(), state);
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(load(&path), None);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
