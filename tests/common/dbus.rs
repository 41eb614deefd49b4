//! A real D-Bus session bus of the test process's own, with a notification server on it that
//! records what it is asked to show and clicks buttons on request, and a `$BROWSER` that
//! records the URLs it is asked to open: what the notification and `meetty watch` tests need
//! to see what a user would see, without the desktop's own bus or notification daemon.
//!
//! The bus (`dbus-daemon` with a minimal configuration: no service activation, so no real
//! notification daemon can be started on it) and the server are started once per test process,
//! on a thread of their own that lives as long as the process; `DBUS_SESSION_BUS_ADDRESS` and
//! `BROWSER` are set once, before any test uses them, so the processes a test starts (`meetty
//! watch`) inherit both. Tests take the server with [`server`], which serializes them and
//! clears what the previous one left (notifications, capabilities, opened URLs).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use zbus::object_server::SignalEmitter;
use zbus::OwnedVariant;

const SERVICE: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

/// What the server advertises unless a test says otherwise (dunst's and GNOME Shell's set
/// include these).
pub const DEFAULT_CAPABILITIES: &[&str] = &["actions", "body", "body-markup"];

/// One `Notify` call, as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notified {
    /// The id the server answered with.
    pub id: u32,
    pub app_name: String,
    pub replaces_id: u32,
    pub app_icon: String,
    pub summary: String,
    pub body: String,
    /// Key, label, key, label, as sent.
    pub actions: Vec<String>,
    /// The `urgency` hint (0 low, 1 normal, 2 critical), if sent.
    pub urgency: Option<u8>,
    /// The names of all hints sent.
    pub hints: Vec<String>,
    pub expire_timeout: i32,
}

#[derive(Default)]
struct State {
    notified: Vec<Notified>,
    capabilities: Vec<String>,
    last_id: u32,
}

struct Notifications {
    state: Arc<Mutex<State>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedVariant>,
        expire_timeout: i32,
    ) -> u32 {
        let mut state = self.state.lock().unwrap();
        state.last_id += 1;
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            state.last_id
        };
        let mut names: Vec<String> = hints.keys().cloned().collect();
        names.sort();
        state.notified.push(Notified {
            id,
            app_name,
            replaces_id,
            app_icon,
            summary,
            body,
            actions,
            urgency: hints.get("urgency").and_then(|v| u8::try_from(&**v).ok()),
            hints: names,
            expire_timeout,
        });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        self.state.lock().unwrap().capabilities.clone()
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "meetty-test".into(),
            "meetty".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    async fn close_notification(
        &self,
        id: u32,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<()> {
        // 3: closed by a call to CloseNotification.
        emitter
            .emit(SERVICE, "NotificationClosed", &(id, 3u32))
            .await
            .map_err(zbus::fdo::Error::from)
    }
}

/// A `dbus-daemon` of our own. It gets SIGTERM when the thread that started it ends
/// (`PR_SET_PDEATHSIG`), so none outlives a test run, even a killed one.
pub struct Bus {
    pub address: String,
    child: Child,
}

impl Bus {
    /// Starts a private bus with no services on it.
    pub fn start() -> Bus {
        use std::os::unix::process::CommandExt;
        let config = std::env::temp_dir().join(format!(
            "meetty-test-bus-{}-{}.conf",
            std::process::id(),
            unique()
        ));
        std::fs::write(&config, BUS_CONFIG).unwrap();
        let mut cmd = Command::new("dbus-daemon");
        cmd.arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // SAFETY: prctl is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let mut child = cmd
            .spawn()
            .expect("dbus-daemon must be installed for the D-Bus tests (package dbus-daemon)");
        let mut address = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let _ = std::fs::remove_file(&config);
        assert!(
            !address.trim().is_empty(),
            "dbus-daemon printed no address (run `dbus-daemon --session --nofork --print-address` to see why)"
        );
        Bus {
            address: address.trim().to_string(),
            child,
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Listens on an abstract socket (no file left behind), anyone may own any name, and no
/// `<servicedir>`: nothing is activated on demand.
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

struct Shared {
    address: String,
    state: Arc<Mutex<State>>,
    conn: zbus::Connection,
    runtime: tokio::runtime::Handle,
    browser: Browser,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, rx) = std::sync::mpsc::channel();
        let served = state.clone();
        // The bus and the server live on this thread for as long as the process does: the
        // tests' own runtimes end with each test.
        std::thread::spawn(move || {
            let bus = Bus::start();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let conn = zbus::connection::Builder::address(bus.address.as_str())
                    .name(SERVICE)
                    .serve_at(PATH, Notifications { state: served })
                    .build()
                    .await
                    .expect("the test notification server cannot start");
                tx.send((bus.address.clone(), conn, tokio::runtime::Handle::current()))
                    .unwrap();
                std::future::pending::<()>().await
            });
        });
        let (address, conn, runtime) = rx.recv().expect("the test D-Bus thread failed");
        let browser = Browser::install();
        // Set once, before any test of this process talks to D-Bus or opens a link.
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
        std::env::set_var("BROWSER", &browser.script);
        Shared {
            address,
            state,
            conn,
            runtime,
            browser,
        }
    })
}

/// A `$BROWSER` that appends each URL it is given to a file.
struct Browser {
    script: PathBuf,
    log: PathBuf,
}

impl Browser {
    fn install() -> Browser {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("meetty-test-browser-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("browser");
        let log = dir.join("opened");
        std::fs::write(
            &script,
            format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        Browser { script, log }
    }
}

/// The test notification server, held by one test at a time.
pub struct Server {
    _turn: tokio::sync::MutexGuard<'static, ()>,
    shared: &'static Shared,
}

/// Waits for the server to be free, then hands it over with nothing recorded, the default
/// capabilities, and no URL opened.
pub async fn server() -> Server {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let turn = TURN.lock().await;
    let shared = shared();
    {
        let mut state = shared.state.lock().unwrap();
        state.notified.clear();
        state.capabilities = DEFAULT_CAPABILITIES.iter().map(|c| c.to_string()).collect();
    }
    let _ = std::fs::remove_file(&shared.browser.log);
    Server {
        _turn: turn,
        shared,
    }
}

impl Server {
    /// The session bus's address (also in `DBUS_SESSION_BUS_ADDRESS`), for processes the test
    /// starts.
    pub fn bus_address(&self) -> &str {
        &self.shared.address
    }

    /// The `$BROWSER` command (also in `BROWSER`), for processes the test starts.
    pub fn browser(&self) -> &Path {
        &self.shared.browser.script
    }

    /// What `GetCapabilities` answers from now on.
    pub fn set_capabilities(&self, capabilities: &[&str]) {
        self.shared.state.lock().unwrap().capabilities =
            capabilities.iter().map(|c| c.to_string()).collect();
    }

    /// Every notification received so far, oldest first.
    pub fn recorded(&self) -> Vec<Notified> {
        self.shared.state.lock().unwrap().notified.clone()
    }

    /// The notifications once there are at least `n`; panics with what arrived if they do not
    /// within `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Notified> {
        let recorded = poll(timeout, || {
            let all = self.recorded();
            (all.len() >= n).then_some(all)
        })
        .await;
        recorded.unwrap_or_else(|| {
            panic!(
                "expected {n} notification(s) within {timeout:?}, got {:#?}",
                self.recorded()
            )
        })
    }

    /// Presses button `key` of notification `id`, as a user would: the server sends
    /// `ActionInvoked`, then `NotificationClosed` (reason 2: dismissed by the user).
    pub async fn invoke_action(&self, id: u32, key: &str) {
        let conn = self.shared.conn.clone();
        let key = key.to_string();
        self.shared
            .runtime
            .spawn(async move {
                conn.emit_signal(None::<&str>, PATH, SERVICE, "ActionInvoked", &(id, key))
                    .await?;
                conn.emit_signal(
                    None::<&str>,
                    PATH,
                    SERVICE,
                    "NotificationClosed",
                    &(id, 2u32),
                )
                .await
            })
            .await
            .unwrap()
            .expect("the test notification server cannot send signals");
    }

    /// The URLs `$BROWSER` was asked to open, oldest first.
    pub fn opened(&self) -> Vec<String> {
        std::fs::read_to_string(&self.shared.browser.log)
            .map(|s| s.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// The opened URLs once there are at least `n`; panics with what was opened if they are
    /// not within `timeout`.
    pub async fn wait_for_opened(&self, n: usize, timeout: Duration) -> Vec<String> {
        poll(timeout, || {
            let opened = self.opened();
            (opened.len() >= n).then_some(opened)
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "expected {n} URL(s) opened within {timeout:?}, got {:?}",
                self.opened()
            )
        })
    }
}

/// `check` every 20 ms until it gives something or `timeout` passes.
pub async fn poll<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(found) = check() {
            return Some(found);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
