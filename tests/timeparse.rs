//! Reading typed times: every accepted form, the rejections and their messages, and DST in two
//! zones whose clocks change on different dates.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Europe::Berlin;
use chrono_tz::Tz;
use meetty::timeparse::{
    describe_recurrence, format_duration, parse_duration, parse_end, parse_recurrence, parse_shift,
    parse_start,
};

/// Monday 2026-11-23, 10:00:30 in Berlin and 04:00:30 in New York (the seconds test rounding).
fn now() -> DateTime<Utc> {
    utc("2026-11-23T09:00:30Z")
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn local(tz: Tz, text: &str) -> DateTime<Tz> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive).earliest().unwrap()
}

fn shown(t: DateTime<Tz>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

#[test]
fn every_start_form_in_berlin() {
    let rows = [
        // A bare time is today, even once it has passed.
        ("14:30", "2026-11-23 14:30"),
        ("9:05", "2026-11-23 09:05"),
        ("9", "2026-11-23 09:00"),
        ("09", "2026-11-23 09:00"),
        ("0930", "2026-11-23 09:30"),
        ("930", "2026-11-23 09:30"),
        ("2:30pm", "2026-11-23 14:30"),
        ("2:30 PM", "2026-11-23 14:30"),
        ("2pm", "2026-11-23 14:00"),
        ("9am", "2026-11-23 09:00"),
        ("12am", "2026-11-23 00:00"),
        ("12:30am", "2026-11-23 00:30"),
        ("12pm", "2026-11-23 12:00"),
        ("  Tomorrow   9 ", "2026-11-24 09:00"),
        ("tomorrow 9:30am", "2026-11-24 09:30"),
        ("today 17:00", "2026-11-23 17:00"),
        // Today is Monday: a Monday time still ahead is today, one passed is next week.
        ("mon 11:00", "2026-11-23 11:00"),
        ("monday 10", "2026-11-30 10:00"),
        ("MON 9:59", "2026-11-30 09:59"),
        ("tue 9", "2026-11-24 09:00"),
        ("sunday 18:00", "2026-11-29 18:00"),
        ("2026-12-01 15:00", "2026-12-01 15:00"),
        ("2026-12-01T15:00", "2026-12-01 15:00"),
        ("2026-12-01 3pm", "2026-12-01 15:00"),
        ("12-01 15:00", "2026-12-01 15:00"),
        // A month-day already past this year is next year's.
        ("11-20 9:00", "2027-11-20 09:00"),
        ("now", "2026-11-23 10:00"),
        ("+15m", "2026-11-23 10:15"),
        ("in 2h", "2026-11-23 12:00"),
        ("in 90 min", "2026-11-23 11:30"),
        ("+1h30m", "2026-11-23 11:30"),
        ("+ 45 minutes", "2026-11-23 10:45"),
    ];
    for (input, want) in rows {
        let got = parse_start(input, now(), Berlin).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(shown(got), want, "{input}");
        assert_eq!(got.timezone(), Berlin, "{input}");
    }
}

#[test]
fn relative_and_local_starts_in_new_york() {
    let rows = [
        ("now", "2026-11-23 04:00"),
        ("+15m", "2026-11-23 04:15"),
        ("14:30", "2026-11-23 14:30"),
        ("tomorrow 9", "2026-11-24 09:00"),
        // 04:00 in New York: 10:00 Monday is still ahead.
        ("mon 10:00", "2026-11-23 10:00"),
    ];
    for (input, want) in rows {
        let got = parse_start(input, now(), New_York).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(shown(got), want, "{input}");
    }
}

#[test]
fn rejected_starts_say_why() {
    let rows = [
        (
            "tomorow 9",
            "cannot read \"tomorow 9\" as a time: try 14:30, 2:30pm, tomorrow 9, mon 10:00, \
             2026-12-01 15:00, now, +15m",
        ),
        ("", "cannot read \"\" as a time: try 14:30"),
        ("13pm", "13 is not an hour on a 12-hour clock"),
        ("0am", "0 is not an hour on a 12-hour clock"),
        ("25:00", "25 is not an hour: use 0 to 23"),
        ("9:75", "75 is not a minute"),
        ("9:5", "cannot read \"9:5\" as a time: try"),
        ("2026-02-30 10:00", "2026-02-30 is not a date"),
        ("tomorrow", "\"tomorrow\" needs a time too"),
        ("fri", "\"fri\" needs a time too"),
        ("+0m", "no time at all"),
        ("+1.25m", "not a whole number of minutes"),
        (
            "in 2 fortnights",
            "cannot read \"in 2 fortnights\" as a time: try",
        ),
    ];
    for (input, want) in rows {
        let e = parse_start(input, now(), Berlin).unwrap_err();
        assert!(e.contains(want), "{input}: {e}");
    }
}

#[test]
fn a_skipped_time_names_the_change_and_what_to_pick() {
    let rows = [
        (
            Berlin,
            "2026-03-29 02:30",
            "02:30 does not exist on Sun 29 Mar 2026 in Europe/Berlin: clocks go forward; pick 03:30",
        ),
        (
            New_York,
            "2026-03-08 2:30am",
            "02:30 does not exist on Sun 8 Mar 2026 in America/New_York: clocks go forward; pick 03:30",
        ),
    ];
    for (tz, input, want) in rows {
        assert_eq!(parse_start(input, now(), tz).unwrap_err(), want);
    }
}

#[test]
fn a_repeated_time_is_the_earlier_instant() {
    let rows = [
        // 02:30 happens at +02:00 and again at +01:00.
        (Berlin, "2026-10-25 02:30", "2026-10-25T00:30:00Z"),
        // 01:30 happens at -04:00 and again at -05:00.
        (New_York, "2026-11-01 01:30", "2026-11-01T05:30:00Z"),
    ];
    for (tz, input, want) in rows {
        let got = parse_start(input, now(), tz).unwrap();
        assert_eq!(got.with_timezone(&Utc), utc(want), "{input}");
    }
}

#[test]
fn relative_starts_count_real_time_across_a_change() {
    let rows = [
        (
            Berlin,
            "2026-03-29T00:30:00Z",
            "2026-03-29T01:30:00Z",
            "03:30",
        ),
        (
            Berlin,
            "2026-10-25T00:30:00Z",
            "2026-10-25T01:30:00Z",
            "02:30",
        ),
        (
            New_York,
            "2026-03-08T06:30:00Z",
            "2026-03-08T07:30:00Z",
            "03:30",
        ),
        (
            New_York,
            "2026-11-01T05:30:00Z",
            "2026-11-01T06:30:00Z",
            "01:30",
        ),
    ];
    for (tz, before, want, wall) in rows {
        let got = parse_start("+1h", utc(before), tz).unwrap();
        assert_eq!(got.with_timezone(&Utc), utc(want), "{tz} {before}");
        assert_eq!(got.format("%H:%M").to_string(), wall, "{tz} {before}");
    }
}

#[test]
fn tomorrow_is_the_same_wall_clock_time_across_a_change() {
    let rows = [
        (Berlin, "2026-03-28T10:00:00Z", 23),
        (Berlin, "2026-10-24T10:00:00Z", 25),
        (New_York, "2026-03-07T15:00:00Z", 23),
        (New_York, "2026-10-31T15:00:00Z", 25),
    ];
    for (tz, now, hours) in rows {
        let today = parse_start("9:00", utc(now), tz).unwrap();
        let tomorrow = parse_start("tomorrow 9", utc(now), tz).unwrap();
        assert_eq!(tomorrow.format("%H:%M").to_string(), "09:00", "{tz} {now}");
        assert_eq!(tomorrow - today, Duration::hours(hours), "{tz} {now}");
    }
}

#[test]
fn durations_as_typed() {
    let rows = [
        ("30m", 30),
        ("30", 30),
        ("30 min", 30),
        ("45 MINUTES", 45),
        ("1h", 60),
        ("1h30m", 90),
        ("1 h 30 min", 90),
        ("1.5h", 90),
        ("0.25h", 15),
        ("90m", 90),
        ("2 hours", 120),
        ("24h", 24 * 60),
    ];
    for (input, minutes) in rows {
        let got = parse_duration(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(got, Duration::minutes(minutes), "{input}");
    }
}

#[test]
fn rejected_durations_say_why() {
    let rows = [
        (
            "3o m",
            "cannot read \"3o m\" as a duration: try 30m, 45, 1h, 1h30m, 1.5h, 2 hours",
        ),
        ("", "cannot read \"\" as a duration"),
        ("-5m", "cannot read \"-5m\" as a duration"),
        ("h", "cannot read \"h\" as a duration"),
        ("0", "no time at all"),
        ("1.5m", "1.5m is not a whole number of minutes"),
        ("25h", "\"25h\" is longer than 24 h"),
        ("1h 1441m", "is longer than 24 h"),
    ];
    for (input, want) in rows {
        let e = parse_duration(input).unwrap_err();
        assert!(e.contains(want), "{input}: {e}");
    }
}

#[test]
fn durations_for_display() {
    let rows = [
        (0, "0 min"),
        (15, "15 min"),
        (60, "1 h"),
        (90, "1 h 30 min"),
        (1500, "25 h"),
    ];
    for (minutes, want) in rows {
        assert_eq!(format_duration(Duration::minutes(minutes)), want);
    }
}

#[test]
fn ends_as_typed() {
    let start = local(Berlin, "2026-11-23 10:00");
    let rows = [
        ("15:00", "2026-11-23 15:00"),
        ("3pm", "2026-11-23 15:00"),
        ("17", "2026-11-23 17:00"),
        ("+45m", "2026-11-23 10:45"),
        ("+45", "2026-11-23 10:45"),
        ("45m", "2026-11-23 10:45"),
        ("1h30m", "2026-11-23 11:30"),
        ("2 hours", "2026-11-23 12:00"),
        ("tomorrow 10:00", "2026-11-24 10:00"),
        ("2026-11-25 09:00", "2026-11-25 09:00"),
    ];
    for (input, want) in rows {
        let got = parse_end(input, start, now(), Berlin).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(shown(got), want, "{input}");
    }
}

#[test]
fn an_end_duration_counts_real_time_across_a_change() {
    let start = local(Berlin, "2026-03-29 01:30");
    let end = parse_end("+1h", start, now(), Berlin).unwrap();
    assert_eq!(shown(end), "2026-03-29 03:30");
}

#[test]
fn rejected_ends_say_why() {
    let start = local(Berlin, "2026-11-23 10:00");
    let rows = [
        (
            "9:00",
            "end \"9:00\" (Mon 23 Nov 09:00) is not after the start (Mon 23 Nov 10:00)",
        ),
        ("10:00", "is not after the start"),
        (
            "yesterday",
            "cannot read \"yesterday\" as an end: try 15:00, 3pm, 45m",
        ),
        // A bare number is an hour, as in the start field.
        ("45", "45 is not an hour"),
        ("+25h", "is longer than 24 h"),
        ("+1.5m", "not a whole number of minutes"),
    ];
    for (input, want) in rows {
        let e = parse_end(input, start, now(), Berlin).unwrap_err();
        assert!(e.contains(want), "{input}: {e}");
    }
    let before_gap = local(Berlin, "2026-03-29 01:00");
    let e = parse_end("02:30", before_gap, now(), Berlin).unwrap_err();
    assert!(e.contains("clocks go forward; pick 03:30"), "{e}");
}

#[test]
fn recurrences_as_typed() {
    // A Thursday.
    let start = local(Berlin, "2026-11-26 10:00");
    let rows = [
        ("", None),
        ("none", None),
        (" NONE ", None),
        ("daily", Some("RRULE:FREQ=DAILY")),
        ("Weekdays", Some("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")),
        ("weekly", Some("RRULE:FREQ=WEEKLY;BYDAY=TH")),
        ("monthly", Some("RRULE:FREQ=MONTHLY")),
        (
            "freq=weekly;byday=mo,we",
            Some("RRULE:FREQ=WEEKLY;BYDAY=MO,WE"),
        ),
        (
            "RRULE:FREQ=DAILY;COUNT=10",
            Some("RRULE:FREQ=DAILY;COUNT=10"),
        ),
        (
            "rrule: FREQ=MONTHLY; BYDAY=-1FR",
            Some("RRULE:FREQ=MONTHLY;BYDAY=-1FR"),
        ),
        (
            "FREQ=MONTHLY;BYDAY=+2TU;",
            Some("RRULE:FREQ=MONTHLY;BYDAY=+2TU"),
        ),
        (
            "INTERVAL=2;FREQ=WEEKLY;BYDAY=TU",
            Some("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ),
        (
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15;UNTIL=20301231",
            Some("RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15;UNTIL=20301231"),
        ),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;WKST=SU",
            Some("RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;WKST=SU"),
        ),
        (
            "FREQ=WEEKLY;UNTIL=20261231T170000Z",
            Some("RRULE:FREQ=WEEKLY;UNTIL=20261231T170000Z"),
        ),
    ];
    for (input, want) in rows {
        let got = parse_recurrence(input, start).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(got.as_deref(), want, "{input}");
    }
}

#[test]
fn rejected_recurrences_say_why() {
    let start = local(Berlin, "2026-11-26 10:00");
    let rows = [
        (
            "biweekly",
            "cannot read \"biweekly\" as a recurrence: BIWEEKLY is not KEY=VALUE; try daily, \
             weekdays, weekly, monthly, or a rule like FREQ=WEEKLY;BYDAY=MO,WE",
        ),
        (
            "FREQ=HOURLY",
            "FREQ=HOURLY: must be DAILY, WEEKLY, MONTHLY or YEARLY",
        ),
        ("BYDAY=MO", "FREQ is missing"),
        ("RRULE:", "FREQ is missing"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
        (
            "FREQ=DAILY;COUNT=5;UNTIL=20261231",
            "COUNT and UNTIL cannot both be given",
        ),
        (
            "FREQ=DAILY;COUNT=0",
            "COUNT=0: must be a whole number above 0",
        ),
        (
            "FREQ=DAILY;INTERVAL=-1",
            "INTERVAL=-1: must be a whole number above 0",
        ),
        (
            "FREQ=DAILY;INTERVAL=",
            "INTERVAL=: must be a whole number above 0",
        ),
        ("FREQ=WEEKLY;BYDAY=MX", "BYDAY=MX: must be days like MO,WE"),
        ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY=0MO: must be days"),
        ("FREQ=WEEKLY;BYDAY=MO,", "BYDAY=MO,: must be days"),
        (
            "FREQ=DAILY;UNTIL=2026-12-31",
            "UNTIL=2026-12-31: must be a date like 20261231",
        ),
        (
            "FREQ=DAILY;UNTIL=20261331",
            "UNTIL=20261331: must be a date",
        ),
        (
            "FREQ=DAILY;UNTIL=20261231T170000",
            "UNTIL=20261231T170000: must be a date",
        ),
        (
            "FREQ=DAILY;UNTIL=20261231T",
            "UNTIL=20261231T: must be a date",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "BYMONTHDAY=32: must be days of the month",
        ),
        (
            "FREQ=YEARLY;BYMONTH=13",
            "BYMONTH=13: must be months 1 to 12",
        ),
        ("FREQ=MONTHLY;BYSETPOS=0", "BYSETPOS=0: must be positions"),
        ("FREQ=DAILY;WKST=XX", "WKST=XX: must be a day"),
        (
            "FREQ=DAILY;BYHOUR=9",
            "BYHOUR is not a rule part meetty knows",
        ),
    ];
    for (input, want) in rows {
        let e = parse_recurrence(input, start).unwrap_err();
        assert!(e.contains(want), "{input}: {e}");
    }
}

#[test]
fn recurrences_described() {
    let rows = [
        ("RRULE:FREQ=DAILY", "daily"),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO", "weekly on Monday"),
        (
            "rrule:freq=weekly;byday=mo,th",
            "weekly on Monday, Thursday",
        ),
        ("RRULE:FREQ=WEEKLY", "weekly"),
        ("RRULE:FREQ=MONTHLY", "monthly"),
        ("RRULE:FREQ=YEARLY", "yearly"),
        ("RRULE:FREQ=DAILY;COUNT=5", "RRULE:FREQ=DAILY;COUNT=5"),
        ("RRULE:FREQ=WEEKLY;BYDAY=1MO", "RRULE:FREQ=WEEKLY;BYDAY=1MO"),
        (
            "RRULE:FREQ=MONTHLY;BYDAY=-1FR",
            "RRULE:FREQ=MONTHLY;BYDAY=-1FR",
        ),
    ];
    for (rule, want) in rows {
        assert_eq!(describe_recurrence(rule), want, "{rule}");
    }
}

/// Issue 11 point 5: the edit form's start moves relative to the meeting's own start.
#[test]
fn shifts_count_from_the_meeting_start() {
    let current = local(Berlin, "2026-11-25 10:00");
    let rows = [
        ("+30m", "2026-11-25 10:30"),
        ("-1h", "2026-11-25 09:00"),
        ("+1h30m", "2026-11-25 11:30"),
        (" + 1.5 h ", "2026-11-25 11:30"),
        ("+15", "2026-11-25 10:15"),
        ("+1d", "2026-11-26 10:00"),
        ("-2 days", "2026-11-23 10:00"),
        ("+1w", "2026-12-02 10:00"),
        ("+1d2h", "2026-11-26 12:00"),
        ("tomorrow same time", "2026-11-26 10:00"),
        ("Same Time  Tomorrow", "2026-11-26 10:00"),
        ("next week same time", "2026-12-02 10:00"),
        ("same time next week", "2026-12-02 10:00"),
    ];
    for (input, expected) in rows {
        let got = parse_shift(input, current).map(shown);
        assert_eq!(got.as_deref(), Some(expected), "{input:?}");
    }
}

/// What is not a shift is left to the start parser: times, dates, words, and no move at all.
#[test]
fn what_is_not_a_shift() {
    let current = local(Berlin, "2026-11-25 10:00");
    for input in [
        "14:30",
        "tomorrow 9",
        "now",
        "same time",
        "+",
        "-",
        "+0m",
        "+1x",
        "+1.5d",
        "in 2h",
    ] {
        assert_eq!(parse_shift(input, current), None, "{input:?}");
    }
}

/// A day's shift keeps the wall-clock time across DST (both zones, on their own dates); an
/// hour's shift is real time.
#[test]
fn day_shifts_keep_the_clock_across_dst() {
    // Berlin falls back on Sunday 2026-10-25, New York on Sunday 2026-11-01.
    let berlin = local(Berlin, "2026-10-24 09:00");
    let got = parse_shift("tomorrow same time", berlin).unwrap();
    assert_eq!(shown(got), "2026-10-25 09:00");
    assert_eq!(got - berlin, Duration::hours(25));
    assert_eq!(
        shown(parse_shift("+24h", berlin).unwrap()),
        "2026-10-25 08:00"
    );

    let new_york = local(New_York, "2026-10-29 09:00");
    assert_eq!(
        shown(parse_shift("next week same time", new_york).unwrap()),
        "2026-11-05 09:00"
    );
    // Spring forward: 02:30 does not exist on Sunday 2026-03-08 in New York; a day on from
    // Saturday 02:30 is 24 h later, 03:30.
    let before = local(New_York, "2026-03-07 02:30");
    assert_eq!(
        shown(parse_shift("+1d", before).unwrap()),
        "2026-03-08 03:30"
    );
}
