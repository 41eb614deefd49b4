//! Copying to the clipboard two ways at once: the system clipboard (arboard: X11, Wayland,
//! macOS, Windows) and OSC 52, the terminal escape that reaches the clipboard of the machine
//! the user sits at, over SSH and through tmux. The TUI and the commands copy through the same
//! [`Clipboard::copy`]; they differ only in who keeps the system clipboard's text.

use std::io::Write;

use base64::Engine;

use crate::config::ClipboardMode;

/// Who keeps the copied text on the system clipboard: on X11 and Wayland it lives only as
/// long as the program that copied it.
enum Holder {
    /// This process, for as long as it runs (the TUI); connected on first use.
    InProcess(Option<arboard::Clipboard>),
    /// A detached copy of meetty, until another program copies something (a command that
    /// exits right after copying).
    Detached,
}

pub struct Clipboard {
    mode: ClipboardMode,
    holder: Holder,
    in_tmux: bool,
}

impl Clipboard {
    /// For the TUI, which keeps the system clipboard's text itself.
    pub fn new(mode: ClipboardMode) -> Clipboard {
        Clipboard::with_holder(mode, Holder::InProcess(None))
    }

    /// For a command that exits right after copying: a detached meetty keeps the text.
    pub fn for_command(mode: ClipboardMode) -> Clipboard {
        Clipboard::with_holder(mode, Holder::Detached)
    }

    fn with_holder(mode: ClipboardMode, holder: Holder) -> Clipboard {
        Clipboard {
            mode,
            holder,
            in_tmux: std::env::var_os("TMUX").is_some(),
        }
    }

    /// Copies `text`; `terminal` receives the OSC 52 sequence. Returns the channels that took
    /// it ("system clipboard", "OSC 52"), or why none did.
    pub fn copy(&mut self, text: &str, terminal: &mut impl Write) -> Result<String, String> {
        let mut used = Vec::new();
        let mut errors = Vec::new();
        if self.mode != ClipboardMode::Osc52 {
            match self.copy_native(text) {
                Ok(()) => used.push("system clipboard"),
                Err(e) => errors.push(format!("no system clipboard ({e})")),
            }
        }
        if self.mode != ClipboardMode::Native {
            let written = terminal
                .write_all(osc52(text, self.in_tmux).as_bytes())
                .and_then(|()| terminal.flush());
            match written {
                Ok(()) => used.push("OSC 52"),
                Err(e) => errors.push(format!("cannot write to the terminal ({e})")),
            }
        }
        if used.is_empty() {
            return Err(format!(
                "{}; check the config's clipboard setting (auto, native, osc52)",
                errors.join("; ")
            ));
        }
        Ok(used.join(" + "))
    }

    fn copy_native(&mut self, text: &str) -> Result<(), String> {
        match &mut self.holder {
            Holder::Detached => serve_detached(text),
            Holder::InProcess(native) => {
                let cb = match native {
                    Some(cb) => cb,
                    None => native.insert(arboard::Clipboard::new().map_err(|e| e.to_string())?),
                };
                cb.set_text(text.to_owned()).map_err(|e| e.to_string())
            }
        }
    }
}

/// The controlling terminal (`/dev/tty`), opened on the first write: a command's OSC 52 must
/// reach the terminal even when stdout is a pipe, and never mix into the output.
#[derive(Default)]
pub struct ControllingTerminal(Option<std::fs::File>);

impl Write for ControllingTerminal {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let tty = match &mut self.0 {
            Some(tty) => tty,
            None => {
                let opened = std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/tty")
                    .map_err(|e| {
                        std::io::Error::new(e.kind(), format!("no controlling terminal: {e}"))
                    })?;
                self.0.insert(opened)
            }
        };
        tty.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.as_mut().map_or(Ok(()), Write::flush)
    }
}

/// The hidden subcommand that [`serve_detached`] runs.
pub const SERVE_COMMAND: &str = "__clipboard-serve";

/// Puts `text` on the system clipboard from a detached copy of meetty that owns it until
/// another program copies something: on X11 and Wayland a selection dies with its owner, so
/// a command that exits right after copying needs someone to keep serving it (as xclip does).
pub fn serve_detached(text: &str) -> Result<(), String> {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg(SERVE_COMMAND)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe; it detaches the server from the terminal so
    // closing the terminal does not take the clipboard with it.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .ok_or("no pipe to the clipboard server")?
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    // The server says "ok" once it is connected to the clipboard, or why not.
    let mut answer = String::new();
    child
        .stdout
        .take()
        .ok_or("no pipe from the clipboard server")?
        .read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    match answer.trim() {
        "ok" => Ok(()),
        "" => Err("the clipboard server stopped".into()),
        why => Err(why.to_string()),
    }
}

/// The server side of [`serve_detached`]: reads the text from stdin, takes the clipboard,
/// answers on stdout, then serves until another program takes the clipboard over.
pub fn serve() -> Result<(), String> {
    #[cfg(target_os = "linux")]
    use arboard::SetExtLinux;
    use std::io::Read;

    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    let mut out = std::io::stdout();
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(out, "{e}");
            return Err(e.to_string());
        }
    };
    #[cfg(target_os = "linux")]
    let set = clipboard.set().wait();
    #[cfg(not(target_os = "linux"))]
    let set = clipboard.set();
    // The answer must reach the waiting command before `wait` blocks; pointing stdout at
    // /dev/null ends its read (and keeps descriptor 1 from being reused for anything else).
    let _ = writeln!(out, "ok").and_then(|()| out.flush());
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        use std::os::fd::AsRawFd;
        // SAFETY: dup2 onto our own stdout; nothing writes to it after this.
        unsafe {
            libc::dup2(null.as_raw_fd(), 1);
        }
    }
    set.text(text).map_err(|e| e.to_string())
}

/// The OSC 52 "set clipboard" sequence. Inside tmux it is sent twice: plain (tmux takes it
/// when `set-clipboard on`) and wrapped for passthrough (when `allow-passthrough on`).
pub fn osc52(text: &str, in_tmux: bool) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    let plain = format!("\x1b]52;c;{b64}\x07");
    if in_tmux {
        format!("{plain}\x1bPtmux;\x1b{plain}\x1b\\")
    } else {
        plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_encodes_base64_and_wraps_for_tmux() {
        assert_eq!(osc52("hi", false), "\x1b]52;c;aGk=\x07");
        assert_eq!(
            osc52("hi", true),
            "\x1b]52;c;aGk=\x07\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
    }

    #[test]
    fn osc52_mode_writes_only_the_escape() {
        let mut cb = Clipboard::new(ClipboardMode::Osc52);
        cb.in_tmux = false;
        let mut out = Vec::new();
        let via = cb
            .copy("https://meet.google.com/abc-defg-hij", &mut out)
            .unwrap();
        assert_eq!(via, "OSC 52");
        let expected = osc52("https://meet.google.com/abc-defg-hij", false);
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
