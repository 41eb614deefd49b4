//! Templates: the built-in set, the user's overrides and additions, placeholders and filling.

use chrono::{Duration, TimeZone};
use chrono_tz::Europe::Berlin;
use meetty::calendar::model::SendUpdates;
use meetty::calendar::write::Reminder;
use meetty::templates::{builtin, fill, find, load, placeholders, valid_email, RawTemplate};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    templates: Vec<RawTemplate>,
}

/// The user's `[[templates]]` entries, as the config file would give them.
fn user(toml_text: &str) -> Vec<RawTemplate> {
    toml::from_str::<File>(toml_text).unwrap().templates
}

fn names(toml_text: &str) -> Vec<String> {
    load(&user(toml_text))
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect()
}

#[test]
fn the_defaults() {
    let templates = load(&[]).unwrap();
    let rows = [
        ("Quick Sync", 15, ""),
        ("Standup", 30, "weekdays"),
        ("Client Demo", 60, ""),
        ("Blank", 30, ""),
    ];
    assert_eq!(templates.len(), rows.len());
    for (t, (name, minutes, recurrence)) in templates.iter().zip(rows) {
        assert_eq!(t.name, name);
        assert_eq!(t.duration, Duration::minutes(minutes), "{name}");
        assert_eq!(t.recurrence, recurrence, "{name}");
        assert!(t.meet, "{name}");
        assert_eq!(t.reminders, None, "{name}");
        assert_eq!(t.send_updates, None, "{name}");
        assert_eq!(t.calendar, None, "{name}");
    }
    assert_eq!(templates[2].title, "Demo for {client}");
    assert!(templates[2].description.contains("{client} on {date}"));
    assert_eq!(templates[3].title, "");
}

#[test]
fn user_templates_replace_by_name_or_are_appended() {
    let rows: [(&str, &[&str]); 5] = [
        // Same name in other case and spelling: replaced where it was.
        (
            "[[templates]]\nname = \"standup\"",
            &["Quick Sync", "standup", "Client Demo", "Blank"],
        ),
        (
            "[[templates]]\nname = \"quick-sync\"",
            &["quick-sync", "Standup", "Client Demo", "Blank"],
        ),
        // New names follow in file order, and Blank stays last.
        (
            "[[templates]]\nname = \"1:1\"\n[[templates]]\nname = \"Retro\"",
            &[
                "Quick Sync",
                "Standup",
                "Client Demo",
                "1:1",
                "Retro",
                "Blank",
            ],
        ),
        // Overriding Blank keeps it, still last.
        (
            "[[templates]]\nname = \"Blank\"\nduration = \"45m\"\n[[templates]]\nname = \"Retro\"",
            &["Quick Sync", "Standup", "Client Demo", "Retro", "Blank"],
        ),
        (
            "templates = []",
            &["Quick Sync", "Standup", "Client Demo", "Blank"],
        ),
    ];
    for (toml_text, want) in rows {
        assert_eq!(names(toml_text), want, "{toml_text}");
    }
}

#[test]
fn a_user_template_with_every_field() {
    let templates = load(&user(
        r#"
        [[templates]]
        name = "Standup"
        title = "Team standup"
        duration = "1h 15m"
        recurrence = "FREQ=WEEKLY;BYDAY=MO,WE"
        description = "Notes: {doc}"
        attendees = ["team@example.com", "ana@example.org"]
        reminders = [{ method = "popup", minutes = 5 }, { method = "email", minutes = 60 }]
        meet = false
        send_updates = "externalOnly"
        calendar = "team@group.calendar.google.com"
        "#,
    ))
    .unwrap();
    let t = find(&templates, "standup").unwrap();
    assert_eq!(t.title, "Team standup");
    assert_eq!(t.duration, Duration::minutes(75));
    assert_eq!(t.recurrence, "FREQ=WEEKLY;BYDAY=MO,WE");
    assert_eq!(t.attendees, ["team@example.com", "ana@example.org"]);
    let reminder = |method: &str, minutes| Reminder {
        method: method.to_string(),
        minutes,
    };
    assert_eq!(
        t.reminders,
        Some(vec![reminder("popup", 5), reminder("email", 60)])
    );
    assert!(!t.meet);
    assert_eq!(t.send_updates, Some(SendUpdates::ExternalOnly));
    assert_eq!(
        t.calendar.as_deref(),
        Some("team@group.calendar.google.com")
    );
    // A user template starts from scratch: what it leaves out takes the field's default.
    let minimal = load(&user("[[templates]]\nname = \"Retro\"")).unwrap();
    let retro = find(&minimal, "retro").unwrap();
    assert_eq!(retro.duration, Duration::minutes(30));
    assert!(retro.meet);
    assert_eq!(retro.reminders, None);
}

/// Each mistake says which template and field, and carries the key path of the value at
/// fault, so the config error can give its line.
#[test]
fn bad_templates_name_the_template_and_field() {
    let rows = [
        (
            "[[templates]]\nname = \"Standup\"\nduration = \"3o m\"",
            "template \"Standup\": duration: cannot read \"3o m\" as a duration",
            "templates.0.duration",
        ),
        (
            "[[templates]]\nname = \"Long\"\nduration = \"25h\"",
            "template \"Long\": duration: \"25h\" is longer than 24 h",
            "templates.0.duration",
        ),
        (
            "[[templates]]\nname = \"R\"\nrecurrence = \"FREQ=HOURLY\"",
            "template \"R\": recurrence: cannot read \"FREQ=HOURLY\" as a recurrence",
            "templates.0.recurrence",
        ),
        (
            "[[templates]]\nname = \"A\"\nattendees = [\"a@example.com\", \"Ana <ana@example.com>\"]",
            "template \"A\": attendees: \"Ana <ana@example.com>\" is not an e-mail address",
            "templates.0.attendees.1",
        ),
        (
            "[[templates]]\nname = \"M\"\nreminders = [{ method = \"sms\", minutes = 5 }]",
            "template \"M\": reminders: method \"sms\" is not \"popup\" or \"email\"",
            "templates.0.reminders.0.method",
        ),
        (
            "[[templates]]\nname = \"M\"\nreminders = [{ method = \"popup\", minutes = 50000 }]",
            "template \"M\": reminders: 50000 minutes is more than Google allows",
            "templates.0.reminders.0.minutes",
        ),
        (
            "[[templates]]\nname = \"S\"\nsend_updates = \"some\"",
            "template \"S\": send_updates: \"some\" is not one of",
            "templates.0.send_updates",
        ),
        (
            "[[templates]]\nname = \"C\"\ncalendar = \" \"",
            "template \"C\": calendar: is empty",
            "templates.0.calendar",
        ),
        (
            "[[templates]]\nname = \" \"",
            "a template has no name",
            "templates.0.name",
        ),
        (
            "[[templates]]\nname = \"Retro\"\n[[templates]]\nname = \"retro\"",
            "template \"retro\" is defined twice",
            "templates.1.name",
        ),
    ];
    for (toml_text, want, path) in rows {
        let e = load(&user(toml_text)).unwrap_err();
        assert!(e.to_string().contains(want), "{toml_text}\n{e}");
        assert_eq!(e.path.join("."), path, "{toml_text}");
    }
}

#[test]
fn misspelt_keys_are_rejected() {
    let rows = [
        ("[[templates]]\nname = \"X\"\ntitel = \"x\"", "titel"),
        (
            "[[templates]]\nname = \"X\"\nreminders = [{ method = \"popup\", minuts = 5 }]",
            "minuts",
        ),
    ];
    for (toml_text, want) in rows {
        let e = toml::from_str::<File>(toml_text).err().unwrap().to_string();
        assert!(e.contains(want), "{toml_text}\n{e}");
    }
}

#[test]
fn placeholders_are_the_ones_to_ask_for() {
    let templates = load(&[]).unwrap();
    let demo = find(&templates, "Client Demo").unwrap();
    assert_eq!(placeholders(demo), ["client"]);
    let custom = load(&user(
        "[[templates]]\nname = \"P\"\ntitle = \"{topic} with {who} at {time}\"\n\
         description = \"{who} on {weekday}: {{not}} {topic} { } {unclosed\"",
    ))
    .unwrap();
    assert_eq!(placeholders(find(&custom, "P").unwrap()), ["topic", "who"]);
}

#[test]
fn filling_in_built_ins_and_the_users_values() {
    let start = Berlin.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap();
    let duration = Duration::minutes(90);
    let value = |name: &str| match name {
        "client" => Some("Acme".to_string()),
        _ => builtin(name, start, duration),
    };
    let rows = [
        ("Demo for {client}", "Demo for Acme"),
        (
            "{date} {time} {weekday} {zone} {duration}",
            "2026-12-01 15:00 Tuesday Europe/Berlin 1 h 30 min",
        ),
        ("{ client }", "Acme"),
        ("{unknown} stays", "{unknown} stays"),
        ("{{client}} is literal", "{client} is literal"),
        ("{{{client}}}", "{Acme}"),
        ("lone { and } braces", "lone { and } braces"),
        ("{unclosed", "{unclosed"),
        ("{}", "{}"),
        ("", ""),
    ];
    for (text, want) in rows {
        assert_eq!(fill(text, &value), want, "{text}");
    }
}

#[test]
fn find_ignores_case_and_separators() {
    let templates = load(&[]).unwrap();
    for name in [
        "Quick Sync",
        "quick sync",
        "quick-sync",
        "quick_sync",
        "QUICKSYNC",
    ] {
        assert_eq!(
            find(&templates, name).map(|t| t.name.as_str()),
            Some("Quick Sync")
        );
    }
    assert_eq!(find(&templates, "quick"), None);
}

#[test]
fn email_addresses() {
    let rows = [
        ("ana@example.com", true),
        ("ana.b+meetings@mail.example.co.uk", true),
        ("", false),
        ("ana", false),
        ("@example.com", false),
        ("ana@", false),
        ("ana@localhost", false),
        ("ana@example.", false),
        ("ana@.com", false),
        ("ana@b@example.com", false),
        ("ana @example.com", false),
        ("ana@example.com,bo@example.com", false),
        ("Ana <ana@example.com>", false),
    ];
    for (address, valid) in rows {
        assert_eq!(valid_email(address), valid, "{address:?}");
    }
}
