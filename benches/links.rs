//! Finding every meeting link, and the meeting ID and passcode, in an event's description
//! (issue 13, points 6 to 8): it runs for every event on every refresh, and descriptions
//! come from other people, so a long one (a forwarded thread, a pasted document) must cost
//! time in proportion to its size. 10 kB, 100 kB and 1 MB descriptions dense with URLs
//! (a dozen per 600 bytes: documents, SafeLinks-wrapped Teams links, Google redirects,
//! Zoom and Meet links, repeated, and `tel:` numbers), measured as `links::find_all_in_text`
//! and as the whole `Meeting::from_event` (text conversion, links, ranking, ID and passcode).
//! Figures in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use meetty::calendar::links;
use meetty::calendar::model::Meeting;

/// About 600 bytes of invitation text; `n` makes each block's meeting links distinct.
fn block(n: usize) -> String {
    format!(
        "Agenda for part {n}: see https://docs.example.com/d/{n}/edit and the notes at \
         https://wiki.example.com/x/{n}?page=2#top (read first).\n\
         Join: https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fteams.microsoft.com%2Fl%2Fmeetup-join%2F19%253ameeting_{n}%2540thread.v2%2F0&data=05%7C01&reserved=0\n\
         Backup https://us02web.zoom.us/j/8{n:010}?pwd=QWxleFRlc3Q1234 or \
         https://www.google.com/url?q=https://meet.google.com/abc-defg-hij&amp;sa=D, same as https://meet.google.com/abc-defg-hij?authuser=0.\n\
         Dial in: tel:+16469313860,,8{n:010}# (US), Hotel: see https://maps.example.com/?q={n}\n\
         Meeting notes: nothing yet, ask (maria@example.com).\n"
    )
}

fn description(size: usize) -> String {
    let mut text = String::with_capacity(size + 1024);
    let mut n = 0;
    while text.len() < size {
        text.push_str(&block(n));
        n += 1;
    }
    text.push_str("Meeting ID: 812 3456 7890\nPasscode: 424242\n");
    text
}

fn bench_links(c: &mut Criterion) {
    let mut group = c.benchmark_group("links in a description");
    for (name, size) in [("10 kB", 10_000), ("100 kB", 100_000), ("1 MB", 1_000_000)] {
        let text = description(size);
        let found = links::find_all_in_text(&text);
        // Every block's Teams and Zoom link, its number, and the one Meet room.
        let blocks = text.matches("Agenda for part").count();
        assert_eq!(found.len(), 3 * blocks + 1, "{name}");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("find_all_in_text", name), &text, |b, t| {
            b.iter(|| std::hint::black_box(links::find_all_in_text(t)))
        });
        let event = serde_json::json!({
            "id": "ev1", "summary": "Planning",
            "start": {"dateTime": "2026-11-21T10:00:00Z"},
            "end": {"dateTime": "2026-11-21T11:00:00Z"},
            "location": "Room 4",
            "description": text,
        })
        .to_string();
        let meeting = || {
            let ev = serde_json::from_str(&event).unwrap();
            Meeting::from_event("primary", &ev).unwrap()
        };
        let m = meeting();
        // The first Teams link joins; its invitation's passcode is at the very end.
        assert_eq!(m.other_links.len(), 3 * blocks, "{name}");
        assert_eq!(m.access.and_then(|a| a.passcode).as_deref(), Some("424242"));
        group.bench_with_input(
            BenchmarkId::new("Meeting::from_event", name),
            &(),
            |b, _| b.iter(|| std::hint::black_box(meeting())),
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_links
}
criterion_main!(benches);
