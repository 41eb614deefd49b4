//! Meeting notifications as a desktop shows them: `notify::show` over a real D-Bus session
//! bus to the tests' own notification server (tests/common/dbus.rs), its buttons pressed the
//! way a server reports a click, the browser a real process, the clipboard the real X one.
#![cfg(target_os = "linux")]

mod common;

use std::process::Command;
use std::time::Duration;

use chrono_tz::Tz;
use common::dbus::{self, Notified};
use meetty::alerts::{Alert, AlertMeeting, Kind};
use meetty::config::ClipboardMode;
use meetty::notify;

const LINK: &str = "https://meet.google.com/abc-defg-hij";
const WAIT: Duration = Duration::from_secs(10);

/// A meeting far enough ahead that its buttons are still listened for (10:00–10:30 in
/// Berlin).
fn alert(kind: Kind, title: &str) -> Alert {
    Alert {
        key: format!("ev1@2036-11-24T09:00:00+00:00#{kind:?}"),
        at: "2036-11-24T08:57:00Z".parse().unwrap(),
        kind,
        meeting: AlertMeeting {
            id: "ev1".into(),
            series_id: None,
            calendar_id: "alex@example.com".into(),
            title: title.into(),
            start: "2036-11-24T09:00:00Z".parse().unwrap(),
            end: "2036-11-24T09:30:00Z".parse().unwrap(),
            link: LINK.into(),
            provider: "Google Meet".into(),
        },
    }
}

async fn shown(server: &dbus::Server, alert: &Alert) -> Notified {
    let before = server.recorded().len();
    notify::show(alert, Tz::Europe__Berlin, ClipboardMode::Auto)
        .await
        .unwrap();
    server.wait_for(before + 1, WAIT).await.pop().unwrap()
}

#[tokio::test]
async fn a_notification_before_says_what_when_and_where_with_join_and_copy_buttons() {
    let server = dbus::server().await;
    let n = shown(&server, &alert(Kind::Before(3), "Design review")).await;
    assert_eq!(n.app_name, "meetty");
    assert_eq!(n.replaces_id, 0);
    assert_eq!(n.summary, "Design review");
    assert_eq!(n.body, "in 3 min · 10:00–10:30\nGoogle Meet");
    assert_eq!(n.actions, ["join", "Join", "copy", "Copy link"]);
    assert_eq!(n.urgency, Some(1), "a heads-up is normal urgency");
    assert_eq!(n.expire_timeout, 60_000);
    assert_eq!(server.recorded().len(), 1, "exactly one notification");
}

#[tokio::test]
async fn the_start_is_critical_and_stays_until_dismissed() {
    let server = dbus::server().await;
    let n = shown(&server, &alert(Kind::Start, "Design review")).await;
    assert_eq!(n.body, "starting now · 10:00–10:30\nGoogle Meet");
    assert_eq!(n.urgency, Some(2));
    assert_eq!(n.expire_timeout, 0);
}

#[tokio::test]
async fn a_server_without_buttons_gets_the_link_in_the_body() {
    let server = dbus::server().await;
    server.set_capabilities(&["body"]);
    let n = shown(&server, &alert(Kind::Before(3), "Design review")).await;
    assert!(n.actions.is_empty(), "{:?}", n.actions);
    assert_eq!(
        n.body,
        format!("in 3 min · 10:00–10:30\nGoogle Meet\n{LINK}")
    );
}

#[tokio::test]
async fn join_opens_the_link_in_the_browser() {
    let server = dbus::server().await;
    let n = shown(&server, &alert(Kind::Before(3), "Design review")).await;
    server.invoke_action(n.id, notify::JOIN).await;
    assert_eq!(server.wait_for_opened(1, WAIT).await, [LINK]);
}

#[tokio::test]
async fn a_button_acts_on_its_own_notification_only() {
    let server = dbus::server().await;
    let standup = shown(&server, &alert(Kind::Before(3), "Standup")).await;
    let mut review = alert(Kind::Before(3), "Review");
    review.meeting.link = "https://meet.google.com/rev-iewx-yzz".into();
    let review = shown(&server, &review).await;
    // Copy link on the review must not be taken by the standup's notification (which would
    // then have nothing left to listen for); Join on the standup opens the standup.
    server.invoke_action(review.id, notify::COPY).await;
    server.invoke_action(standup.id, notify::JOIN).await;
    assert_eq!(server.wait_for_opened(1, WAIT).await, [LINK]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_link_puts_the_link_on_the_x_clipboard() {
    if std::env::var_os("DISPLAY").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the tests under Xvfb"
        );
        return;
    }
    let server = dbus::server().await;
    let _clipboard = common::x_clipboard_turn();
    let n = shown(&server, &alert(Kind::Before(3), "Design review")).await;
    server.invoke_action(n.id, notify::COPY).await;
    let clip = dbus::poll(WAIT, || {
        let out = Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .output()
            .ok()?;
        let clip = String::from_utf8_lossy(&out.stdout).into_owned();
        (clip == LINK).then_some(clip)
    })
    .await;
    assert_eq!(
        clip.as_deref(),
        Some(LINK),
        "the X clipboard holds the link"
    );
    assert!(server.opened().is_empty(), "Copy link opens nothing");
}

#[tokio::test]
async fn a_hostile_title_and_provider_arrive_clean() {
    let server = dbus::server().await;
    let mut a = alert(
        Kind::Before(3),
        "\x1b]52;c;aGk=\x07Pay\x1b[31mroll <b>now</b>\u{202e}gnp.exe\n",
    );
    a.meeting.provider = "Zoom <i>&</i>\x1b[2J".into();
    let n = shown(&server, &a).await;
    // The summary is plain text: markup shows as typed, escapes and bidi controls are gone.
    assert_eq!(n.summary, "Payroll <b>now</b>gnp.exe");
    // The body is markup on this server: entities keep the provider's text as it was.
    assert_eq!(
        n.body,
        "in 3 min · 10:00–10:30\nZoom &lt;i&gt;&amp;&lt;/i&gt;"
    );
}

/// Without a notification service, `show` fails with what to do, in a process of its own
/// (the bus address is process-wide): no bus at all, and a bus with no notification daemon.
#[test]
fn no_notification_service_is_a_clear_error() {
    let no_daemon = dbus::Bus::start();
    for (address, why, fix) in [
        (
            "unix:path=/nonexistent/meetty-test-bus",
            "error: cannot reach the D-Bus session bus (",
            "): notifications need the desktop session's bus; run meetty from it \
             (DBUS_SESSION_BUS_ADDRESS), or as a systemd user service, which has it",
        ),
        (
            no_daemon.address.as_str(),
            "error: no notification service on the D-Bus session bus (",
            "): is a notification daemon (dunst, mako, GNOME Shell) running?",
        ),
    ] {
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "show_without_a_service", "--nocapture"])
            .env("MEETTY_TEST_SHOW_WITHOUT_A_SERVICE", "1")
            .env("DBUS_SESSION_BUS_ADDRESS", address)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{address}: {stdout}");
        assert!(
            stdout.contains(why) && stdout.contains(fix),
            "{address}: {stdout}"
        );
    }
}

/// The child side of [`no_notification_service_is_a_clear_error`]; without its variable it
/// is that test's helper and checks nothing.
#[tokio::test]
async fn show_without_a_service() {
    if std::env::var_os("MEETTY_TEST_SHOW_WITHOUT_A_SERVICE").is_none() {
        return;
    }
    let result = notify::show(
        &alert(Kind::Before(3), "Design review"),
        Tz::UTC,
        ClipboardMode::Auto,
    )
    .await;
    println!("error: {}", result.unwrap_err());
}
