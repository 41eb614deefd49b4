//! Desktop notifications for meetings, so that a meeting is not missed while the terminal is
//! hidden: "Design review", then "in 3 min · 10:00–10:30" and "Google Meet", with **Join**
//! (opens the link, as `o` does) and **Copy link** (puts it on the system clipboard, as `y`
//! does) buttons.
//!
//! On Linux and the BSDs this is the freedesktop Notifications service on the D-Bus session
//! bus (dunst, mako, GNOME Shell, KDE Plasma), spoken with zbus on the tokio runtime meetty
//! already runs. One connection asks what the server can do, subscribes to its signals, sends
//! the notification and then, in a background task, waits for the button: subscribing before
//! sending means no click can come before meetty listens, and using the connection that sent
//! the notification matters because some servers send the signals only to their sender. A
//! server without actions gets no buttons and the link in the body instead. On macOS the
//! native notification centre shows the same text through `notify-rust`, with the link in the
//! body.
//!
//! Titles and provider names come from whoever sent the invite: control characters and escape
//! sequences are removed (the summary is plain text), and in a body the server renders as
//! markup, `<`, `>` and `&` are escaped.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::alerts::{Alert, Kind};
use crate::config::ClipboardMode;

/// The application name servers show (and let users filter by).
pub const APP_NAME: &str = "meetty";
/// The action key of the Join button.
pub const JOIN: &str = "join";
/// The action key of the Copy link button.
pub const COPY: &str = "copy";

/// Shows the notification for `alert` (a `Kind::Before` or `Kind::Start`) and, in the
/// background, acts on the button the user presses: Join opens the link (as `o` does),
/// Copy link copies it (as `y` does). Returns once the notification is shown.
pub async fn show(alert: &Alert, tz: Tz, clipboard: ClipboardMode) -> Result<(), String> {
    #[cfg(all(unix, not(target_os = "macos")))]
    return freedesktop::show(alert, tz, clipboard).await;
    #[cfg(target_os = "macos")]
    return native::show(alert, tz, clipboard).await;
}

/// The buttons a notification offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buttons {
    pub join: bool,
    pub copy: bool,
}

impl Buttons {
    /// Join and Copy link when the server can show buttons and there is a link. Copy link
    /// needs the system clipboard: with `clipboard = "osc52"` the user has said it is not
    /// theirs (a remote machine), and a notification has no terminal to send OSC 52 to.
    pub fn offered(link: &str, server_has_actions: bool, clipboard: ClipboardMode) -> Buttons {
        let join = server_has_actions && !link.is_empty();
        Buttons {
            join,
            copy: join && clipboard != ClipboardMode::Osc52,
        }
    }

    /// The `actions` argument of `Notify`: key, label, key, label.
    pub fn actions(self) -> Vec<&'static str> {
        let mut actions = Vec::new();
        if self.join {
            actions.extend([JOIN, "Join"]);
        }
        if self.copy {
            actions.extend([COPY, "Copy link"]);
        }
        actions
    }
}

/// What the notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The meeting's title, cleaned (plain text: servers do not render markup there).
    pub summary: String,
    /// When, the provider and, without a Copy link button, the link itself.
    pub body: String,
}

/// The text for `alert` in `tz` shown at `now`: "in 3 min · 10:00–10:30" (or "starting now ·
/// …"), the provider on the next line, and the link on a third when there is no Copy link
/// button (so the user still has it). `markup`: the server renders the body as markup (it has
/// the "body-markup" capability), so `<`, `>` and `&` are escaped; without it they would show
/// as typed, escapes included, so they are left alone.
pub fn text(alert: &Alert, tz: Tz, now: DateTime<Utc>, buttons: Buttons, markup: bool) -> Text {
    let m = &alert.meeting;
    let when = when(alert.kind, m.start, now);
    let clock = |t: DateTime<Utc>| t.with_timezone(&tz).format("%H:%M");
    let mut lines = vec![format!("{when} · {}–{}", clock(m.start), clock(m.end))];
    lines.extend(
        [crate::sanitize::line(&m.provider)]
            .into_iter()
            .filter(|p| !p.is_empty()),
    );
    if !buttons.copy && !m.link.is_empty() {
        lines.push(crate::sanitize::line(&m.link));
    }
    let body = lines.join("\n");
    Text {
        summary: crate::sanitize::line(&m.title),
        body: if markup { escape_markup(&body) } else { body },
    }
}

/// "in 3 min" for a `Before(3)` alert, "starting now" for the start; but a late alert (the
/// machine was asleep, meetty started late) says what is really left, or how long ago the
/// meeting started.
fn when(kind: Kind, start: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = (start - now).num_seconds();
    let planned = match kind {
        Kind::Before(minutes) => i64::from(minutes),
        Kind::Start | Kind::Join => 0,
    };
    let ago = -left / 60;
    match planned.min((left + 59).div_euclid(60)) {
        minutes if minutes > 0 => format!("in {minutes} min"),
        _ if ago >= 1 => format!("started {ago} min ago"),
        _ => "starting now".to_string(),
    }
}

/// `<`, `>` and `&` as the entities the notification markup (a subset of XML) needs.
fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Urgency (freedesktop levels: 0 low, 1 normal, 2 critical) and expiry in milliseconds
/// (0: until dismissed). A heads-up before the meeting is normal and leaves after a minute:
/// there is another at the start. The start is critical and stays until dismissed or acted
/// on: it is the last call, which is what critical is for (servers keep critical
/// notifications on screen until dismissed; GNOME Shell shows them in do-not-disturb too).
pub fn urgency(kind: Kind) -> (u8, i32) {
    match kind {
        Kind::Before(minutes) if minutes > 0 => (1, 60_000),
        Kind::Before(_) | Kind::Start | Kind::Join => (2, 0),
    }
}

/// Why nothing could be shown when there is no session bus, and what to do about it.
pub fn no_bus(error: impl std::fmt::Display) -> String {
    format!(
        "cannot reach the D-Bus session bus ({error}): notifications need the desktop \
         session's bus; run meetty from it (DBUS_SESSION_BUS_ADDRESS), or as a systemd user \
         service, which has it"
    )
}

/// Why nothing could be shown when nobody serves notifications, and what to do about it.
pub fn unavailable(error: impl std::fmt::Display) -> String {
    format!(
        "no notification service on the D-Bus session bus ({error}): is a notification \
         daemon (dunst, mako, GNOME Shell) running?"
    )
}

#[cfg(all(unix, not(target_os = "macos")))]
mod freedesktop {
    use std::collections::HashMap;

    use chrono::Utc;
    use chrono_tz::Tz;
    use futures_util::StreamExt;
    use zbus::message::Type;
    use zbus::{Connection, MatchRule, MessageStream, Variant};

    use super::{Buttons, APP_NAME};
    use crate::alerts::Alert;
    use crate::config::ClipboardMode;

    const SERVICE: &str = "org.freedesktop.Notifications";
    const PATH: &str = "/org/freedesktop/Notifications";

    pub async fn show(alert: &Alert, tz: Tz, clipboard: ClipboardMode) -> Result<(), String> {
        let conn = Connection::session().await.map_err(super::no_bus)?;
        let caps: Vec<String> = call(&conn, "GetCapabilities", &())
            .await
            .map_err(super::unavailable)?;
        let has = |cap: &str| caps.iter().any(|c| c == cap);
        let buttons = Buttons::offered(&alert.meeting.link, has("actions"), clipboard);
        let text = super::text(alert, tz, Utc::now(), buttons, has("body-markup"));
        let signals = if buttons.join {
            let rule = MatchRule::builder()
                .msg_type(Type::Signal)
                .interface(SERVICE)
                .path(PATH)
                .build()
                .map_err(super::unavailable)?;
            let stream = MessageStream::for_match_rule(rule, &conn, None)
                .await
                .map_err(super::unavailable)?;
            Some(stream)
        } else {
            None
        };
        let (urgency, expire_ms) = super::urgency(alert.kind);
        let hints = HashMap::from([("urgency", Variant::U8(urgency))]);
        let id: u32 = call(
            &conn,
            "Notify",
            &(
                APP_NAME,
                0u32,
                "",
                &text.summary,
                &text.body,
                buttons.actions(),
                hints,
                expire_ms,
            ),
        )
        .await
        .map_err(|e| format!("the notification service refused the notification: {e}"))?;
        if let Some(signals) = signals {
            // Past the meeting's end a button has nothing left to do.
            let listen = (alert.meeting.end - Utc::now())
                .to_std()
                .unwrap_or_default();
            let link = alert.meeting.link.clone();
            tokio::spawn(async move {
                let pressed = tokio::time::timeout(listen, pressed(signals, id)).await;
                if let Ok(Some(key)) = pressed {
                    act(&key, link).await;
                }
                drop(conn);
            });
        }
        Ok(())
    }

    /// What a pressed button does. Runs the blocking part (starting a browser, talking to the
    /// clipboard) off the async workers.
    async fn act(key: &str, link: String) {
        let result = match key {
            super::JOIN => crate::browser::open(&link),
            super::COPY => tokio::task::spawn_blocking(move || copy(&link))
                .await
                .unwrap_or_else(|e| Err(e.to_string())),
            _ => Ok(()),
        };
        if let Err(e) = result {
            log::warn!("notification button {key}: {e}");
        }
    }

    /// Copies to the system clipboard, held by this process: meetty watch or the TUI run for as
    /// long as the link is useful, and on X11 and Wayland the text lives only as long as its
    /// owner.
    fn copy(link: &str) -> Result<(), String> {
        use std::sync::{LazyLock, Mutex};
        static CLIPBOARD: LazyLock<Mutex<crate::clipboard::Clipboard>> =
            LazyLock::new(|| Mutex::new(crate::clipboard::Clipboard::new(ClipboardMode::Native)));
        let mut clipboard = CLIPBOARD.lock().unwrap_or_else(|e| e.into_inner());
        clipboard.copy(link, &mut std::io::sink()).map(drop)
    }

    async fn call<B, R>(conn: &Connection, method: &str, body: &B) -> zbus::Result<R>
    where
        B: serde::Serialize + zbus::DynamicType,
        R: for<'d> serde::Deserialize<'d> + zbus::Type,
    {
        conn.call_method(Some(SERVICE), PATH, Some(SERVICE), method, body)
            .await?
            .body()
            .deserialize()
    }

    /// The key of the button pressed on notification `id`, or `None` once it closed without
    /// one (or the bus went away).
    async fn pressed(mut signals: MessageStream, id: u32) -> Option<String> {
        while let Some(Ok(msg)) = signals.next().await {
            let header = msg.header();
            match header.member().map(|m| m.as_str()) {
                Some("ActionInvoked") => match msg.body().deserialize::<(u32, String)>() {
                    Ok((n, key)) if n == id => return Some(key),
                    _ => {}
                },
                Some("NotificationClosed") => match msg.body().deserialize::<(u32, u32)>() {
                    Ok((n, _reason)) if n == id => return None,
                    _ => {}
                },
                _ => {}
            }
        }
        None
    }
}

#[cfg(target_os = "macos")]
mod native {
    use chrono_tz::Tz;

    use super::Buttons;
    use crate::alerts::Alert;
    use crate::config::ClipboardMode;

    /// The native centre, without buttons: the link is in the body.
    pub async fn show(alert: &Alert, tz: Tz, clipboard: ClipboardMode) -> Result<(), String> {
        let buttons = Buttons::offered("", false, clipboard);
        let text = super::text(alert, tz, chrono::Utc::now(), buttons, false);
        tokio::task::spawn_blocking(move || {
            notify_rust::Notification::new()
                .summary(&text.summary)
                .body(&text.body)
                .show()
                .map(drop)
                .map_err(|e| format!("cannot show the notification: {e}"))
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::AlertMeeting;

    fn alert(kind: Kind, title: &str) -> Alert {
        Alert {
            key: "ev1@2026-11-23T09:00:00+00:00#3".into(),
            at: "2026-11-23T08:57:00Z".parse().unwrap(),
            kind,
            meeting: AlertMeeting {
                id: "ev1".into(),
                series_id: None,
                calendar_id: "alex@example.com".into(),
                title: title.into(),
                start: "2026-11-23T09:00:00Z".parse().unwrap(),
                end: "2026-11-23T09:30:00Z".parse().unwrap(),
                link: "https://meet.google.com/abc-defg-hij".into(),
                provider: "Google Meet".into(),
            },
        }
    }

    /// The alert's time: three minutes before the meeting.
    const NOW: &str = "2026-11-23T08:57:00Z";

    const BOTH: Buttons = Buttons {
        join: true,
        copy: true,
    };

    #[test]
    fn a_late_alert_says_what_is_really_left() {
        let at = |now: &str| now.parse().unwrap();
        let start = at("2026-11-23T09:00:00Z");
        assert_eq!(when(Kind::Before(3), start, at(NOW)), "in 3 min");
        assert_eq!(
            when(Kind::Before(3), start, at("2026-11-23T08:50:00Z")),
            "in 3 min"
        );
        assert_eq!(
            when(Kind::Before(3), start, at("2026-11-23T08:58:30Z")),
            "in 2 min"
        );
        assert_eq!(
            when(Kind::Before(3), start, at("2026-11-23T08:59:59Z")),
            "in 1 min"
        );
        assert_eq!(when(Kind::Before(3), start, start), "starting now");
        assert_eq!(when(Kind::Start, start, start), "starting now");
        assert_eq!(
            when(Kind::Start, start, at("2026-11-23T09:00:59Z")),
            "starting now"
        );
        assert_eq!(
            when(Kind::Start, start, at("2026-11-23T09:05:10Z")),
            "started 5 min ago"
        );
    }

    #[test]
    fn without_copy_link_the_link_is_in_the_body() {
        let a = alert(Kind::Before(3), "Design review");
        let none = Buttons::offered(&a.meeting.link, false, ClipboardMode::Auto);
        assert_eq!(
            none,
            Buttons {
                join: false,
                copy: false
            }
        );
        let t = text(&a, Tz::UTC, NOW.parse().unwrap(), none, false);
        assert_eq!(
            t.body,
            "in 3 min · 09:00–09:30\nGoogle Meet\nhttps://meet.google.com/abc-defg-hij"
        );
        let osc52 = Buttons::offered(&a.meeting.link, true, ClipboardMode::Osc52);
        assert_eq!(osc52.actions(), vec![JOIN, "Join"]);
        assert!(text(&a, Tz::UTC, NOW.parse().unwrap(), osc52, false)
            .body
            .ends_with("\nhttps://meet.google.com/abc-defg-hij"));
    }

    #[test]
    fn no_link_no_buttons() {
        let mut a = alert(Kind::Before(3), "Lunch");
        a.meeting.link.clear();
        a.meeting.provider.clear();
        let b = Buttons::offered(&a.meeting.link, true, ClipboardMode::Auto);
        assert!(b.actions().is_empty());
        assert_eq!(
            text(&a, Tz::UTC, NOW.parse().unwrap(), b, false).body,
            "in 3 min · 09:00–09:30"
        );
    }

    #[test]
    fn markup_is_escaped_only_for_servers_that_render_it() {
        let mut a = alert(Kind::Before(3), "<b>R&D</b>");
        a.meeting.provider = "Zoom <i>&</i>".into();
        let t = text(&a, Tz::UTC, NOW.parse().unwrap(), BOTH, true);
        assert_eq!(t.summary, "<b>R&D</b>", "the summary is plain text");
        assert_eq!(
            t.body,
            "in 3 min · 09:00–09:30\nZoom &lt;i&gt;&amp;&lt;/i&gt;"
        );
        let t = text(&a, Tz::UTC, NOW.parse().unwrap(), BOTH, false);
        assert_eq!(t.body, "in 3 min · 09:00–09:30\nZoom <i>&</i>");
    }
}
