//! Who syncs and notifies: the TUI and `meetty watch` may run at once for one account, and
//! only one of them may talk to Google on a timer and show notifications, or every
//! notification would come twice. The one holding this lock does; the other reads the cache
//! the holder writes. The lock is an advisory `flock` on a file in the runtime directory,
//! which the kernel drops when the holder exits, however it exits.

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
    _file: File,
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
            _file: file,
            path: path.to_path_buf(),
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Who holds the lock at `path`, if anyone does (a file left by a process that exited is
/// not held).
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
    Some(Holder { pid, role })
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
}
