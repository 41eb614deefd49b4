//! Whole-process measurements in a pseudo-terminal: the real `meetty` binary on a pty,
//! talking to an in-process sandbox, with its output read on a thread (each read stamped
//! with its arrival time) and replayed into a small screen model, so a measurement waits
//! for what a user would see rather than for bytes.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use meetty::sandbox::{Sandbox, Seed};
use unicode_width::UnicodeWidthStr;

pub const COLS: u16 = 120;
pub const ROWS: u16 = 35;
/// How long any wait may take before the measurement fails, showing the screen.
const WAIT: Duration = Duration::from_secs(20);

/// The sandbox Calendar API with the demo week, served by its own runtime's threads (so it
/// answers while the measuring thread blocks).
pub struct Google {
    pub sandbox: Sandbox,
    _runtime: tokio::runtime::Runtime,
}

impl Google {
    pub fn demo() -> Google {
        let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
        let seed = Seed::Demo {
            now: chrono::Utc::now(),
            tz: chrono_tz::Europe::Berlin,
        };
        let sandbox = runtime
            .block_on(Sandbox::start(0, seed))
            .expect("the sandbox starts");
        Google {
            sandbox,
            _runtime: runtime,
        }
    }
}

/// When a key's effect showed, from the moment the key was written.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    /// The first output after the key (whatever it drew).
    pub first_byte: Duration,
    /// The output that completed the expected change on screen.
    pub effect: Duration,
}

/// `meetty` running on a pty of [`COLS`]×[`ROWS`].
pub struct Term {
    child: Child,
    input: File,
    output: Receiver<(Instant, Vec<u8>)>,
    pub screen: Screen,
    dir: PathBuf,
}

impl Term {
    /// Starts the TUI against `google` with `config` as its config file; config, data and
    /// cache live in a fresh temporary directory, never in the real home.
    pub fn start(name: &str, google: &Google, config: &str) -> Term {
        let dir = std::env::temp_dir().join(format!("meetty-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        std::fs::write(dir.join("config.toml"), config).expect("the config file");
        let (master, slave) = open_pty();
        let mut command = Command::new(env!("CARGO_BIN_EXE_meetty"));
        command
            .arg("--config")
            .arg(dir.join("config.toml"))
            .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
            .env("XDG_DATA_HOME", dir.join("xdg-data"))
            .env("TZ", "Europe/Berlin")
            .env("TERM", "xterm-256color")
            .env("MEETTY_API_ROOT", google.sandbox.root_url())
            .env("MEETTY_ACCESS_TOKEN", google.sandbox.access_token())
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::from(slave.try_clone().expect("dup")))
            .stdout(Stdio::from(slave.try_clone().expect("dup")))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec. The pty becomes the
        // child's controlling terminal, so /dev/tty (which crossterm opens for the size) is
        // the pty too, not the terminal the benchmark runs in.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("meetty starts");
        // The parent's copies of the slave are gone (moved into `command` and dropped with
        // it), so reading the master ends when meetty does.
        drop(command);
        let mut reader = File::from(master);
        let input = reader.try_clone().expect("dup");
        let (tx, output) = channel();
        std::thread::spawn(move || {
            let mut buf = vec![0; 1 << 16];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        });
        Term {
            child,
            input,
            output,
            screen: Screen::new(COLS, ROWS),
            dir,
        }
    }

    /// Writes `bytes` as typed input; returns the moment just before the write.
    pub fn type_bytes(&mut self, bytes: &[u8]) -> Instant {
        let at = Instant::now();
        self.input.write_all(bytes).expect("write to the pty");
        at
    }

    /// Replays everything that has arrived so far onto the screen.
    pub fn catch_up(&mut self) {
        while let Ok((_, bytes)) = self.output.try_recv() {
            self.screen.feed(&bytes);
        }
    }

    /// Waits until `done` holds for the screen (at once if it already does).
    pub fn wait(&mut self, what: &str, done: impl Fn(&Screen) -> bool) {
        self.catch_up();
        if !done(&self.screen) {
            self.wait_after(Instant::now(), what, done);
        }
    }

    /// Writes `key`, which must change the screen so that `done` holds, and times it.
    pub fn key(&mut self, key: &[u8], what: &str, done: impl Fn(&Screen) -> bool) -> Seen {
        self.catch_up();
        assert!(
            !done(&self.screen),
            "{what} is on screen before the key; screen:\n{}",
            self.screen.text()
        );
        let sent = self.type_bytes(key);
        let (first, effect) = self.wait_after(sent, what, done);
        Seen {
            first_byte: first - sent,
            effect: effect - sent,
        }
    }

    /// Reads output until `done` holds: the arrival of the first output at or after `since`,
    /// and of the output that made `done` true.
    fn wait_after(
        &mut self,
        since: Instant,
        what: &str,
        done: impl Fn(&Screen) -> bool,
    ) -> (Instant, Instant) {
        let deadline = Instant::now() + WAIT;
        let mut first = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok((at, bytes)) => {
                    self.screen.feed(&bytes);
                    if at >= since {
                        first.get_or_insert(at);
                    }
                    if done(&self.screen) {
                        return (first.unwrap_or(at), at);
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "timed out waiting for {what}; screen:\n{}",
                    self.screen.text()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "meetty exited while waiting for {what}; screen:\n{}",
                    self.screen.text()
                ),
            }
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.input.write_all(b"q");
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A pty pair of [`COLS`]×[`ROWS`]: (master, slave). The master is close-on-exec.
fn open_pty() -> (OwnedFd, OwnedFd) {
    let size = libc::winsize {
        ws_row: ROWS,
        ws_col: COLS,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two descriptors, which are owned here from then on.
    unsafe {
        let ok = libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        );
        assert_eq!(ok, 0, "openpty: {}", std::io::Error::last_os_error());
        libc::fcntl(master, libc::F_SETFD, libc::FD_CLOEXEC);
        (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave))
    }
}

/// The text a terminal would show for what meetty wrote: enough of a VT100 for ratatui's
/// crossterm output (cursor moves, clears, text; colours and modes are ignored). OSC
/// strings (OSC 52 copies) are kept in [`Screen::osc`].
pub struct Screen {
    cells: Vec<Vec<String>>,
    row: usize,
    col: usize,
    /// The start of an escape sequence or character split across two reads.
    partial: Vec<u8>,
    pub osc: Vec<String>,
}

impl Screen {
    fn new(cols: u16, rows: u16) -> Screen {
        Screen {
            cells: vec![vec![" ".to_string(); cols as usize]; rows as usize],
            row: 0,
            col: 0,
            partial: Vec::new(),
            osc: Vec::new(),
        }
    }

    /// The whole screen, a line per row, trailing blanks removed.
    pub fn text(&self) -> String {
        (0..self.cells.len())
            .map(|r| self.line(r))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn line(&self, row: usize) -> String {
        self.cells[row].concat().trim_end().to_string()
    }

    pub fn contains(&self, text: &str) -> bool {
        (0..self.cells.len()).any(|r| self.line(r).contains(text))
    }

    /// The bottom line: meetty's status bar.
    pub fn status(&self) -> String {
        self.line(self.cells.len() - 1)
    }

    fn feed(&mut self, bytes: &[u8]) {
        let mut buf = std::mem::take(&mut self.partial);
        buf.extend_from_slice(bytes);
        let mut i = 0;
        while i < buf.len() {
            match self.step(&buf[i..]) {
                Some(n) => i += n,
                None => break,
            }
        }
        self.partial = buf[i..].to_vec();
    }

    /// Applies the control, escape sequence or character at the start of `b`: its length,
    /// or None when `b` holds only the start of it.
    fn step(&mut self, b: &[u8]) -> Option<usize> {
        match b[0] {
            0x1b => match *b.get(1)? {
                b'[' => {
                    let end = 2 + b[2..].iter().position(|c| (0x40..=0x7e).contains(c))?;
                    self.csi(&b[2..end], b[end]);
                    Some(end + 1)
                }
                b']' => {
                    let (payload, len) = (2..b.len()).find_map(|j| match b[j] {
                        0x07 => Some((j, j + 1)),
                        0x1b if b.get(j + 1) == Some(&b'\\') => Some((j, j + 2)),
                        _ => None,
                    })?;
                    self.osc
                        .push(String::from_utf8_lossy(&b[2..payload]).into_owned());
                    Some(len)
                }
                _ => Some(2),
            },
            b'\r' => {
                self.col = 0;
                Some(1)
            }
            b'\n' => {
                self.row = (self.row + 1).min(self.cells.len() - 1);
                Some(1)
            }
            0x08 => {
                self.col = self.col.saturating_sub(1);
                Some(1)
            }
            c if c < 0x20 || c == 0x7f => Some(1),
            c => {
                let len = match c {
                    0xc0..=0xdf => 2,
                    0xe0..=0xef => 3,
                    0xf0..=0xf7 => 4,
                    _ => 1,
                };
                let ch = b.get(..len)?;
                self.put(&String::from_utf8_lossy(ch));
                Some(len)
            }
        }
    }

    fn put(&mut self, ch: &str) {
        let (rows, cols) = (self.cells.len(), self.cells[0].len());
        let width = ch.width();
        if width == 0 {
            if let Some(prev) = self.col.checked_sub(1) {
                self.cells[self.row.min(rows - 1)][prev.min(cols - 1)].push_str(ch);
            }
            return;
        }
        if self.row < rows && self.col < cols {
            self.cells[self.row][self.col] = ch.to_string();
            if width == 2 && self.col + 1 < cols {
                self.cells[self.row][self.col + 1] = String::new();
            }
        }
        self.col += width;
    }

    fn csi(&mut self, params: &[u8], command: u8) {
        let text = String::from_utf8_lossy(params);
        let n: Vec<usize> = text
            .trim_start_matches(['?', '>', '<', '='])
            .split(';')
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let arg = |i: usize| n.get(i).copied().unwrap_or(0);
        let (rows, cols) = (self.cells.len(), self.cells[0].len());
        match command {
            b'H' | b'f' => {
                self.row = (arg(0).max(1) - 1).min(rows - 1);
                self.col = (arg(1).max(1) - 1).min(cols - 1);
            }
            b'G' => self.col = (arg(0).max(1) - 1).min(cols - 1),
            b'd' => self.row = (arg(0).max(1) - 1).min(rows - 1),
            b'A' => self.row = self.row.saturating_sub(arg(0).max(1)),
            b'B' => self.row = (self.row + arg(0).max(1)).min(rows - 1),
            b'C' => self.col = (self.col + arg(0).max(1)).min(cols - 1),
            b'D' => self.col = self.col.saturating_sub(arg(0).max(1)),
            b'J' => {
                let from = match arg(0) {
                    0 => (self.row, self.col),
                    _ => (0, 0),
                };
                for (r, line) in self.cells.iter_mut().enumerate().skip(from.0) {
                    let start = if r == from.0 { from.1 } else { 0 };
                    for cell in line.iter_mut().skip(start) {
                        *cell = " ".to_string();
                    }
                }
            }
            b'K' if self.row < rows => {
                for cell in self.cells[self.row].iter_mut().skip(self.col) {
                    *cell = " ".to_string();
                }
            }
            // Colours, attributes, modes, cursor visibility.
            _ => {}
        }
    }
}

/// Sorted durations with the summary BENCHMARKS.md reports.
pub struct Stats(Vec<Duration>);

impl Stats {
    pub fn new(mut samples: Vec<Duration>) -> Stats {
        assert!(!samples.is_empty(), "no samples");
        samples.sort();
        Stats(samples)
    }

    /// Nearest-rank percentile, `p` in 0..=100.
    pub fn percentile(&self, p: usize) -> Duration {
        let rank = (p * self.0.len()).div_ceil(100).max(1);
        self.0[rank - 1]
    }

    pub fn median(&self) -> Duration {
        self.percentile(50)
    }

    pub fn max(&self) -> Duration {
        self.0[self.0.len() - 1]
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A tiny deterministic generator for the pauses between keys (no `rand` dependency).
pub struct Pauses(u64);

impl Pauses {
    pub fn new(seed: u64) -> Pauses {
        Pauses(seed)
    }

    /// Uniform in `[min, max)` milliseconds.
    pub fn next(&mut self, min: u64, max: u64) -> Duration {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        Duration::from_millis(min + (self.0 >> 33) % (max - min))
    }
}
