//! Who syncs and notifies when the TUI and `meetty watch` run at once for one account: the
//! one holding the lock ([`crate::lock`]). Leading, the TUI syncs with Google as always and
//! runs the alert loop ([`crate::watch::alert_loop`]) on every agenda it gets. Following (a
//! watch holds the lock), the TUI never calls Google for the agenda: an automatic refresh
//! takes the agenda the watch last wrote to the cache file (the watch syncs on its own
//! timer), and one the user asked for (or after the TUI's own change) asks the watch to
//! sync now (SIGUSR1) and takes its next write; so Google is asked once, not twice, and
//! every notification comes once. The follower tries the lock again at each refresh and
//! takes over when the watch has gone. A demo never follows (its sandbox is its own): with
//! the lock taken it syncs alone and leaves the notifications to the holder.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono_tz::Tz;
use tokio::sync::watch;

use crate::alerts::{Engine, Files, Rules};
use crate::calendar::error::ApiError;
use crate::calendar::model::Agenda;
use crate::config::ClipboardMode;
use crate::lock::{self, Lock, Role};

/// How often a follower looks at the cache file for the watch's write.
pub const FOLLOW_POLL: Duration = Duration::from_secs(2);

/// How long a follower waits for the watch to write the cache before it says so.
pub const FOLLOW_TIMEOUT: Duration = Duration::from_secs(60);

/// What the alert loop needs when this TUI leads.
#[derive(Debug, Clone)]
pub struct AlertSetup {
    pub rules: Rules,
    pub files: Files,
    pub tz: Tz,
    pub clipboard: ClipboardMode,
}

enum State {
    /// This TUI syncs and notifies: it holds the lock (None: the lock file could not be
    /// made, so nobody can coordinate and this TUI does its own work as before).
    Leading {
        _lock: Option<Lock>,
        alerts: watch::Sender<Arc<Agenda>>,
    },
    /// Another process holds the lock.
    Following,
    /// Another process holds the lock, but its results are not this TUI's (the demo: each
    /// process has a sandbox of its own): this TUI syncs by itself and leaves the
    /// notifications to the holder.
    Alone,
}

/// Leader or follower, for one owner's lock file.
pub struct Lead {
    path: PathBuf,
    setup: AlertSetup,
    state: State,
}

impl Lead {
    /// Takes the lock at `path` if it is free (and starts the alert loop on `agenda`), else
    /// follows whoever holds it, or with `follow` false syncs alone. Needs a tokio runtime.
    pub fn start(path: PathBuf, setup: AlertSetup, agenda: Arc<Agenda>, follow: bool) -> Lead {
        let mut lead = Lead {
            path,
            setup,
            state: if follow {
                State::Following
            } else {
                State::Alone
            },
        };
        lead.try_lead(agenda);
        lead
    }

    /// Whether another process (a watch) syncs for this TUI.
    pub fn following(&self) -> bool {
        matches!(self.state, State::Following)
    }

    /// Unless leading, tries the lock again; true when this TUI took over just now (the
    /// alert loop runs from here on; it plans once the next agenda arrives).
    pub fn try_take_over(&mut self) -> bool {
        !matches!(self.state, State::Leading { .. }) && self.try_lead(Arc::default())
    }

    fn try_lead(&mut self, agenda: Arc<Agenda>) -> bool {
        let lock = match Lock::try_acquire(&self.path, Role::Tui) {
            Ok(Some(lock)) => Some(lock),
            Ok(None) => return false,
            Err(e) => {
                log::warn!(
                    "cannot use the lock {}: {e}; syncing and notifying here, which a running \
                     meetty watch may do too",
                    self.path.display()
                );
                None
            }
        };
        let (alerts, rx) = watch::channel(agenda);
        let s = self.setup.clone();
        let engine = Engine::new(s.rules, s.files);
        tokio::spawn(crate::watch::alert_loop(engine, rx, s.tz, s.clipboard));
        log::info!(
            "this TUI syncs and notifies (it holds {})",
            self.path.display()
        );
        self.state = State::Leading {
            _lock: lock,
            alerts,
        };
        true
    }

    /// The agenda changed (a sync, a change sent to Google): a leader's alert loop plans
    /// from it, so a declined meeting loses its notifications at once.
    pub fn agenda_changed(&self, agenda: &Arc<Agenda>) {
        if let State::Leading { alerts, .. } = &self.state {
            alerts.send_replace(Arc::clone(agenda));
        }
    }

    /// Asks the holder to sync now when it is a watch (SIGUSR1); true when one was asked.
    /// Another TUI is never signalled: it does not handle the signal, which would end it.
    pub fn nudge(&self) -> bool {
        let Some(holder) = lock::holder(&self.path) else {
            return false;
        };
        if holder.role != Role::Watch {
            return false;
        }
        let Ok(pid) = i32::try_from(holder.pid) else {
            return false;
        };
        // SAFETY: kill only sends a signal; the pid holds the lock, so it is that watch.
        let sent = unsafe { libc::kill(pid, libc::SIGUSR1) } == 0;
        if !sent {
            log::warn!(
                "cannot ask meetty watch (pid {pid}) to sync: {}",
                std::io::Error::last_os_error()
            );
        }
        sent
    }
}

/// Account `account`'s part of the merged `agenda` ([`Agenda::part`]) as its alerts plan
/// from it: without the events whose kept copy is another account's (`kept`: what
/// [`crate::view::kept_copies`] says of `agenda`), so an event on the calendars of two
/// accounts is notified and joined once, by the account whose row shows it.
pub fn alert_part(agenda: &Agenda, kept: Option<&[bool]>, account: usize) -> Agenda {
    let mut part = agenda.part(account);
    if let Some(kept) = kept {
        // `part` keeps the merged agenda's order of the account's meetings.
        let mut own = agenda
            .meetings
            .iter()
            .zip(kept)
            .filter(|(m, _)| m.account == account)
            .map(|(_, &k)| k);
        part.meetings.retain(|_| own.next().unwrap_or(true));
    }
    part
}

/// When `path` was last written (None: it does not exist); a watch's write replaces the
/// file, so a new value means a new agenda.
pub fn written_at(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The agenda a follower shows for a refresh: the one in the cache file at `path` once it
/// was written after `since`, or at once when `wait` is false (what the watch last wrote).
/// A watch that does not write within [`FOLLOW_TIMEOUT`] is reported.
pub async fn next_write(
    path: PathBuf,
    mut since: Option<SystemTime>,
    wait: bool,
) -> Result<Arc<Agenda>, ApiError> {
    let start = tokio::time::Instant::now();
    loop {
        let written = written_at(&path);
        if !wait || written != since {
            let file = path.clone();
            let cached = tokio::task::spawn_blocking(move || crate::cache::load(&file))
                .await
                .ok()
                .flatten();
            if let Some(cached) = cached {
                return Ok(Arc::new(cached.agenda));
            }
            if !wait {
                return Err(ApiError::Local(format!(
                    "another meetty syncs this account and has cached no agenda yet in {}; \
                     wait for it, or quit it and refresh here",
                    path.display()
                )));
            }
            // Unreadable: wait for the next write.
            since = written;
        }
        if start.elapsed() >= FOLLOW_TIMEOUT {
            return Err(ApiError::Local(format!(
                "meetty watch has not updated {} in {} s; its output says why (offline?), \
                 or stop it and this TUI syncs by itself",
                path.display(),
                FOLLOW_TIMEOUT.as_secs()
            )));
        }
        tokio::time::sleep(FOLLOW_POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::CacheFiles;
    use crate::config::{AutoJoin, Paths};

    fn setup(paths: &Paths) -> AlertSetup {
        AlertSetup {
            rules: Rules {
                notify_before: vec![3],
                auto_join: AutoJoin::Off,
                authuser: None,
            },
            files: Files {
                fired: paths.fired_file("a@example.com"),
                marks: paths.marks_file("a@example.com"),
            },
            tz: chrono_tz::UTC,
            clipboard: ClipboardMode::Osc52,
        }
    }

    /// Another TUI holds the lock: it is never signalled (SIGUSR1 would end it), and a
    /// refresh shows what it cached, at once.
    #[tokio::test]
    async fn behind_another_tui_nothing_is_signalled_and_its_cache_is_taken_at_once() {
        let dir = std::env::temp_dir().join(format!("meetty-lead-{}", std::process::id()));
        let paths = Paths::under(&dir);
        let lock_path = paths.lock_file("a@example.com");
        let other = Lock::try_acquire(&lock_path, Role::Tui).unwrap().unwrap();
        let mut lead = Lead::start(lock_path, setup(&paths), Arc::default(), true);
        assert!(lead.following());
        assert!(!lead.nudge(), "a TUI holder is not signalled");
        let alone = Lead::start(
            paths.lock_file("a@example.com"),
            setup(&paths),
            Arc::default(),
            false,
        );
        assert!(!alone.following(), "the demo syncs its own sandbox");
        assert!(!lead.try_take_over(), "the lock is still held");

        let files = CacheFiles::of(&paths, "a@example.com");
        let none = next_write(files.agenda.clone(), None, false).await;
        assert!(
            matches!(&none, Err(ApiError::Local(m)) if m.contains("cached no agenda yet")),
            "{none:?}"
        );
        let agenda = Agenda {
            fetched_at: "2026-11-23T09:00:00Z".parse().unwrap(),
            accounts: Vec::new(),
            ..Agenda::default()
        };
        crate::cache::save(&files, &agenda, None).unwrap();
        let since = written_at(&files.agenda);
        let got = next_write(files.agenda.clone(), since, false)
            .await
            .unwrap();
        assert_eq!(*got, agenda);

        drop(other);
        assert!(lead.try_take_over(), "free again: this TUI leads");
        assert!(!lead.following());
        assert_eq!(
            lock::holder(&paths.lock_file("a@example.com")).map(|h| h.role),
            Some(Role::Tui)
        );
        drop(lead);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
