//! The last agenda on disk, so the next start draws at once, and offline starts show
//! something. It holds calendar data, never credentials.

use std::path::Path;

use crate::calendar::model::Agenda;

/// The cached agenda; a missing, old-format or damaged file is simply no cache.
pub fn load(path: &Path) -> Option<Agenda> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes atomically (temp file + rename) so a crash never leaves half a cache, readable by
/// the user only: an agenda is private.
pub fn save(path: &Path, agenda: &Agenda) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    // A temp name of its own per write: two saves in flight never share one.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("json.{}.{n}.tmp", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    // Streamed: a 10,000-meeting agenda never exists twice in memory as JSON.
    let mut out = std::io::BufWriter::new(opts.open(&tmp)?);
    serde_json::to_writer(&mut out, agenda)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_tolerates_damage() {
        let dir = std::env::temp_dir().join(format!("meetty-cache-{}", std::process::id()));
        let path = dir.join("agenda.json");
        let agenda = Agenda {
            fetched_at: "2026-11-21T10:00:00Z".parse().unwrap(),
            ..Agenda::default()
        };
        save(&path, &agenda).unwrap();
        assert_eq!(load(&path), Some(agenda));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(load(&path), None);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
