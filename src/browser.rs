//! Opening a URL the way the user's system does: `$BROWSER` first, then the platform opener.

use std::process::{Command, Stdio};

/// Starts the browser detached from the terminal (its output would corrupt the TUI).
/// `$BROWSER` may list several commands separated by `:`; `%s` in one is replaced by the URL.
pub fn open(url: &str) -> Result<(), String> {
    let candidates: Vec<String> = match std::env::var("BROWSER") {
        Ok(list) if !list.trim().is_empty() => list.split(':').map(str::to_string).collect(),
        _ => platform_openers().iter().map(|s| s.to_string()).collect(),
    };
    let mut last_error = String::from("no browser command found");
    for cmd in candidates {
        let mut words = cmd.split_whitespace();
        let Some(program) = words.next() else {
            continue;
        };
        let mut args: Vec<String> = words.map(|w| w.replace("%s", url)).collect();
        if !cmd.contains("%s") {
            args.push(url.to_string());
        }
        match Command::new(program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(mut child) => {
                // Reaped in the background so no zombie is left per `o`.
                std::thread::spawn(move || child.wait());
                return Ok(());
            }
            Err(e) => last_error = format!("{program}: {e}"),
        }
    }
    Err(format!(
        "{last_error}; set $BROWSER to your browser command"
    ))
}

fn platform_openers() -> &'static [&'static str] {
    if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["explorer"]
    } else {
        &["xdg-open", "sensible-browser", "x-www-browser"]
    }
}
