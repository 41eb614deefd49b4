//! Who syncs and notifies: the TUI and `meetty watch` may run at once for one account, and
//! only one of them may talk to Google on a timer and show notifications, or every
//! notification would come twice. The one holding this lock does; the other reads the cache
//! the holder writes. The lock is an advisory `flock` on a file in the runtime directory,
//! which the kernel drops when the holder exits, however it exits.
//!
//! The file also says who holds it ("PID role"), for the follower to signal a watch. That
//! text is written just after the lock is taken and emptied just before it is let go, and
//! [`holder`] only names a process that is alive; so a follower does not signal a process
//! that no longer holds the lock. What remains: a holder that crashed leaves its PID in the
//! file until the next holder writes its own, and in the instant between that next holder
//! taking the lock and writing, a reused PID could be named; the window is a few
//! microseconds, and a TUI only signals on a refresh it was asked for.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Which kind of process holds the lock, written into the file for the other to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Tui,
    Watch,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Tui => "tui",
            Role::Watch => "watch",
        }
    }
}

/// The lock, held until dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

/// Who holds a lock: its process id and role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub role: Role,
}

impl Lock {
    /// Takes the lock at `path` if nobody holds it; `Ok(None)` when another process does.
    pub fn try_acquire(path: &Path, role: Role) -> std::io::Result<Option<Lock>> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut file = opts.open(path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(e)) => return Err(e),
        }
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        write!(file, "{} {}", std::process::id(), role.name())?;
        file.flush()?;
        Ok(Some(Lock {
            file,
            path: path.to_path_buf(),
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    /// Empties the file while still holding the lock, so nobody reads this PID once the
    /// lock is free (the lock itself goes when the file closes, after this).
    fn drop(&mut self) {
        if let Err(e) = self.file.set_len(0) {
            log::warn!("cannot empty the lock file {}: {e}", self.path.display());
        }
    }
}

/// Who holds the lock at `path`, if anyone does and is known: None when the lock is free
/// (a file left by a process that exited is not held), when the file names nobody yet (the
/// holder took the lock and has not written its PID; an empty or garbled file), or when the
/// process it names is gone.
pub fn holder(path: &Path) -> Option<Holder> {
    let mut file = File::open(path).ok()?;
    // Free: nobody holds it (the probe's own lock goes with `file`).
    if file.try_lock_shared().is_ok() {
        return None;
    }
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    let mut words = text.split_whitespace();
    let pid = words.next()?.parse().ok()?;
    let role = match words.next()? {
        "tui" => Role::Tui,
        "watch" => Role::Watch,
        _ => return None,
    };
    alive(pid).then_some(Holder { pid, role })
}

/// Whether a process with this id exists (signal 0 checks without sending anything; EPERM:
/// it exists but belongs to another user).
fn alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 sends nothing; it only checks that the process exists.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    found || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_free_once_dropped() {
        let dir = std::env::temp_dir().join(format!("meetty-lock-{}", std::process::id()));
        let path = dir.join("watch-a.lock");
        let first = Lock::try_acquire(&path, Role::Watch)
            .unwrap()
            .expect("free at first");
        assert_eq!(
            holder(&path),
            Some(Holder {
                pid: std::process::id(),
                role: Role::Watch
            })
        );
        // flock locks belong to the open file, so a second open in this process is refused
        // as another process would be.
        assert!(Lock::try_acquire(&path, Role::Tui).unwrap().is_none());
        drop(first);
        assert_eq!(holder(&path), None);
        let second = Lock::try_acquire(&path, Role::Tui)
            .unwrap()
            .expect("free again");
        assert_eq!(holder(&path).map(|h| h.role), Some(Role::Tui));
        drop(second);
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// The PID in the file never outlives the lock, and a held file naming nobody alive
    /// names nobody: a follower must not signal whoever got that PID next.
    #[test]
    fn the_file_names_only_a_live_holder() {
        let dir = std::env::temp_dir().join(format!("meetty-lock-pid-{}", std::process::id()));
        let path = dir.join("watch-a.lock");
        let lock = Lock::try_acquire(&path, Role::Watch).unwrap().unwrap();
        assert!(holder(&path).is_some());
        drop(lock);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "",
            "emptied on drop"
        );

        // Held, but the PID is not written yet (or garbled): no known holder.
        let lock = Lock::try_acquire(&path, Role::Watch).unwrap().unwrap();
        std::fs::write(&path, "").unwrap();
        assert_eq!(holder(&path), None);
        std::fs::write(&path, "watch 12").unwrap();
        assert_eq!(holder(&path), None);

        // Held, naming a process that has exited (and been reaped): no known holder.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = child.id();
        child.wait().unwrap();
        std::fs::write(&path, format!("{gone} watch")).unwrap();
        assert_eq!(holder(&path), None);
        drop(lock);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
