//! The config's `[[providers]]` through the real binary: a service the user adds is what
//! the agenda names for a link in the demo, and a mistake in an entry stops start-up with the
//! line and the fix.

mod common;

use std::process::{Command, Output};

fn meetty(dir: &std::path::Path, config: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meetty"));
    common::in_home(&mut command, dir)
        .env_remove("MEETTY_API_ROOT")
        .env_remove("MEETTY_ACCESS_TOKEN");
    if let Some(text) = config {
        let file = dir.join("providers.toml");
        std::fs::write(&file, text).unwrap();
        command.arg("--config").arg(file);
    }
    command.args(args).output().unwrap()
}

/// The provider `agenda --json` names for the demo's "Security training" (a Webex link in
/// its description).
fn training_provider(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let agenda: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = agenda.as_array().expect("a list of meetings");
    let training = rows
        .iter()
        .find(|m| m["title"] == "Security training")
        .unwrap_or_else(|| panic!("no Security training in {agenda:#}"));
    training["provider"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_service_added_in_the_config_names_the_demos_link() {
    let dir = std::env::temp_dir().join(format!("meetty-providers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let args = ["--demo", "agenda", "--json"];
    assert_eq!(training_provider(&meetty(&dir, None, &args)), "Webex");
    // The exact host is looked up before *.webex.com, so the company's entry wins.
    let config = "[[providers]]\nname = \"Example Academy\"\nbadge = \"Academy\"\n\
                  pattern = \"example.webex.com/example/j.php$?MTID=\"\n";
    assert_eq!(
        training_provider(&meetty(&dir, Some(config), &args)),
        "Example Academy"
    );
    let bad = "days = 7\n[[providers]]\nname = \"Acme\"\nbadge = \"Acme Video\"\npattern = \"video.acme.corp/\"\n";
    let out = meetty(&dir, Some(bad), &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("providers.toml:2:")
            && stderr.contains("is 10 columns wide")
            && stderr.contains("shorten it"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
