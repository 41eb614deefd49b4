//! Entering and leaving the TUI. Restoring is idempotent and runs on every exit path: normal
//! quit, error, panic (a chained hook) and SIGTERM/SIGHUP (handled in the runtime loop).

use std::io::{stdout, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::Terminal;

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

pub fn enter() -> std::io::Result<Tui> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let entered = execute!(
        stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )
    .and_then(|()| Terminal::new(CrosstermBackend::new(stdout())));
    // Half-way set up is still set up: undo it before reporting the failure.
    if entered.is_err() {
        restore();
    }
    entered
}

/// Puts the terminal back as the shell had it; safe to call twice or when never entered.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(
            stdout(),
            DisableBracketedPaste,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = disable_raw_mode();
    }
}

/// Restores the terminal before the default hook prints, so the panic message is readable.
/// Only a panic on the main thread ends the TUI; one in a background task is turned into an
/// error by the runtime while the UI goes on.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some("main") {
                restore();
            }
            previous(info);
        }));
    });
}
