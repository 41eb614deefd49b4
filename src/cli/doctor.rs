//! `meetty doctor`: checks each link of the chain from config to Google and prints the fix
//! for whatever is broken.

use std::io::Write;

use chrono::{DateTime, Utc};

use crate::auth::pkce::random_token;
use crate::auth::service_account::explain_calendar_error;
use crate::calendar::client::CalendarClient;
use crate::calendar::error::ApiError;
use crate::config::{Config, Paths};
use crate::session::{blocking, Signed, Via};

/// Clock skew beyond this breaks token expiry handling and confuses "in 4 min".
const MAX_SKEW_SECONDS: i64 = 120;

struct Report<'a> {
    out: &'a mut (dyn Write + Send),
    failures: usize,
}

impl Report<'_> {
    fn check(&mut self, name: &str, result: Result<String, String>) -> bool {
        match result {
            Ok(detail) => {
                let _ = writeln!(self.out, "ok    {name}: {detail}");
                true
            }
            Err(fix) => {
                self.failures += 1;
                let _ = writeln!(self.out, "FAIL  {name}: {fix}");
                false
            }
        }
    }
}

/// Returns Ok when every check passed; the report is written to `out` either way.
pub async fn run(
    paths: &Paths,
    account: Option<&str>,
    api_root: &str,
    out: &mut (dyn Write + Send),
) -> Result<(), String> {
    let mut r = Report { out, failures: 0 };
    r.check(
        "config",
        Config::load(&paths.config_file).map(|_| paths.config_file.display().to_string()),
    );
    let signed = Signed::load(paths, account);
    let signed_ok = r.check(
        "account",
        signed
            .as_ref()
            .map(|s| match &s.via {
                Via::Browser(client) => format!("{} (client {})", s.email, client.client_id),
                Via::ServiceAccount(_) => s.describe(),
            })
            .map_err(Clone::clone),
    );
    if let Ok(s) = &signed {
        let probe = s.clone();
        r.check("token store", blocking(move || probe_store(&probe)).await);
        let sec = s.clone();
        match &s.via {
            Via::Browser(_) => r.check(
                "client secret",
                blocking(move || sec.secret().map(|_| "stored".to_string())).await,
            ),
            Via::ServiceAccount(_) => r.check(
                "service-account key",
                blocking(move || {
                    sec.key()
                        .map(|k| format!("stored (client ID {})", k.client_id()))
                })
                .await,
            ),
        };
    }
    // Where a disabled Calendar API must be enabled: the service account's own project.
    let project = match &signed {
        Ok(
            s @ Signed {
                via: Via::ServiceAccount(_),
                ..
            },
        ) => {
            let s = s.clone();
            Some(
                blocking(move || {
                    s.key()
                        .ok()
                        .and_then(|k| k.project_id().map(str::to_string))
                })
                .await,
            )
        }
        _ => None,
    };
    let session = match signed {
        Ok(s) if signed_ok => Some(s.session().await),
        _ => None,
    };
    let clock = crate::http::server_date(api_root).await;
    r.check("clock", clock.and_then(|server| skew(server, Utc::now())));
    if let Some(session) = session {
        match session {
            Err(e) => {
                r.check("token refresh", Err(e));
            }
            Ok(session) => {
                let refreshed = session
                    .refresh_now()
                    .await
                    .map(|_| "a fresh access token was issued".to_string());
                if r.check(
                    "token refresh",
                    refreshed.map_err(|e| explain(&e, api_root)),
                ) {
                    let client = CalendarClient::new(api_root, session);
                    let calendars = client.calendars().await;
                    r.check(
                        "Calendar API",
                        calendars
                            .map(|c| format!("{} calendars readable", c.len()))
                            .map_err(|e| match &project {
                                Some(p) => explain_calendar_error(&e, p.as_deref())
                                    .unwrap_or_else(|| explain(&e, api_root)),
                                None => explain(&e, api_root),
                            }),
                    );
                }
            }
        }
    }
    if r.failures == 0 {
        let _ = writeln!(r.out, "All checks passed.");
        Ok(())
    } else {
        Err(format!(
            "{} check(s) failed; the fixes are above",
            r.failures
        ))
    }
}

fn probe_store(s: &Signed) -> Result<String, String> {
    let key = "doctor-probe";
    let value = random_token();
    s.store.set(key, &value).map_err(|e| e.to_string())?;
    let back = s.store.get(key).map_err(|e| e.to_string())?;
    s.store.delete(key).map_err(|e| e.to_string())?;
    match back {
        Some(v) if v == value => Ok(format!("{} (write, read back, delete)", s.store.describe())),
        _ => Err(
            "the store accepted a write but returned something else: use --token-store file".into(),
        ),
    }
}

fn skew(server: DateTime<Utc>, local: DateTime<Utc>) -> Result<String, String> {
    let secs = (local - server).num_seconds();
    if secs.abs() > MAX_SKEW_SECONDS {
        Err(format!(
            "this machine's clock is {} s {} Google's: turn on time sync (e.g. timedatectl set-ntp true)",
            secs.abs(),
            if secs > 0 { "ahead of" } else { "behind" }
        ))
    } else {
        Ok(format!("within {} s of Google's", secs.abs()))
    }
}

/// The fixes for the errors people actually hit.
pub fn explain(e: &ApiError, api_root: &str) -> String {
    match e {
        ApiError::Google { code: 403, reason, .. } if reason == "accessNotConfigured" || reason == "SERVICE_DISABLED" => {
            "the Google Calendar API is not enabled for your Cloud project: enable it at \
             https://console.cloud.google.com/apis/library/calendar-json.googleapis.com and retry in a minute"
                .into()
        }
        ApiError::Google { code: 403, reason, .. }
            if reason == "insufficientPermissions" || reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT" =>
        {
            "the sign-in lacks calendar permission: run meetty login again and allow both \
             calendar permissions on the consent screen"
                .into()
        }
        ApiError::Google { code: 401, .. } => "Google refused the access token: run meetty login again".into(),
        ApiError::Network(m) => format!("cannot reach {api_root} ({m}): check the network or proxy"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_skew_is_reported_with_the_fix() {
        let server: DateTime<Utc> = "2026-11-21T10:00:00Z".parse().unwrap();
        assert!(skew(server, server + chrono::Duration::seconds(30)).is_ok());
        let e = skew(server, server + chrono::Duration::minutes(10)).unwrap_err();
        assert!(e.contains("600 s ahead") && e.contains("time sync"), "{e}");
    }

    #[test]
    fn common_google_errors_get_their_fixes() {
        let not_enabled = ApiError::Google {
            code: 403,
            reason: "accessNotConfigured".into(),
            message: String::new(),
        };
        assert!(explain(&not_enabled, "x").contains("calendar-json.googleapis.com"));
        let scope = ApiError::Google {
            code: 403,
            reason: "insufficientPermissions".into(),
            message: String::new(),
        };
        assert!(explain(&scope, "x").contains("meetty login"));
    }
}
