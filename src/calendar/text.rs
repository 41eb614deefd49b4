//! Event descriptions, which Google stores as HTML or plain text, as plain terminal text.
//!
//! This is not a general HTML renderer: it covers what the Calendar web UI, Outlook and the
//! Zoom/Teams add-ins produce, and degrades to "tags dropped" for everything else. It is a
//! single linear pass; malformed markup never makes it rescan the input.

use crate::calendar::links;
use crate::sanitize;

/// Converts an event description (HTML or plain) to plain text for the terminal: tags
/// removed, `<br>`/`<p>`/`<div>`/`<li>` become line breaks (`<li>` gets a "• " bullet),
/// entities decoded, and an `<a href>` whose label differs from its URL keeps the URL as
/// "label (URL)" so links stay visible and detectable. Plain text passes through unchanged,
/// except that text with entities but no tags (the web UI stores "Q&A" as "Q&amp;A") has
/// them decoded. The result is then passed through [`sanitize::block`].
pub fn description_to_text(s: &str) -> String {
    if looks_like_html(s) {
        sanitize::block(&Converter::new(s).run())
    } else {
        sanitize::block(&decode_entities(s))
    }
}

/// Tags whose presence marks a description as HTML. Requiring a known tag keeps plain text
/// such as "a < b" or "<https://…>" (Outlook's plain-text link style) out of the converter.
const KNOWN_TAGS: &[&str] = &[
    "a",
    "b",
    "i",
    "u",
    "s",
    "p",
    "br",
    "div",
    "span",
    "ul",
    "ol",
    "li",
    "em",
    "strong",
    "font",
    "html",
    "html-blob",
    "body",
    "head",
    "table",
    "tbody",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "blockquote",
    "pre",
    "code",
    "sub",
    "sup",
    "small",
    "del",
    "strike",
    "center",
    "style",
    "script",
    "meta",
    "title",
    "o:p",
];

fn looks_like_html(s: &str) -> bool {
    s.match_indices('<').any(|(i, _)| {
        let rest = &s[i + 1..];
        rest.starts_with("!--")
            || parse_tag_head(rest)
                .is_some_and(|t| KNOWN_TAGS.iter().any(|k| k.eq_ignore_ascii_case(t.name)))
    })
}

struct TagHead<'a> {
    closing: bool,
    name: &'a str,
    /// Everything after the name: attributes, then the closing '>'.
    rest: &'a str,
}

/// Parses `[/]name` at the start of `s` (the text right after a '<'). The name must be
/// followed by whitespace, '>' or "/>", so "<https://x>" and "a <b" stay text.
fn parse_tag_head(s: &str) -> Option<TagHead<'_>> {
    let (closing, body) = match s.strip_prefix('/') {
        Some(body) => (true, body),
        None => (false, s),
    };
    if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '_')))
        .unwrap_or(body.len());
    let rest = &body[end..];
    let delimited =
        rest.starts_with(|c: char| c.is_ascii_whitespace() || c == '>') || rest.starts_with("/>");
    delimited.then_some(TagHead {
        closing,
        name: &body[..end],
        rest,
    })
}

/// Byte offset of the '>' ending a tag, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    let mut prev = b' ';
    for (i, b) in s.bytes().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'>' => return Some(i),
            // Only a quote right after '=' opens a value, as in browsers: `don't` does not.
            None if matches!(b, b'"' | b'\'') && prev == b'=' => quote = Some(b),
            None => {}
        }
        if !b.is_ascii_whitespace() {
            prev = b;
        }
    }
    None
}

/// The value of attribute `want` in a tag's attribute text, entities not yet decoded.
fn attr<'a>(attrs: &'a str, want: &str) -> Option<&'a str> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        let name_len = rest
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        rest = rest[name_len..].trim_start();
        let mut value = "";
        if let Some(after_eq) = rest.strip_prefix('=') {
            (value, rest) = split_value(after_eq.trim_start());
        } else if name.is_empty() {
            // A stray '=' or '>' : step over it so the loop always advances.
            let mut chars = rest.chars();
            chars.next()?;
            rest = chars.as_str();
        }
        if !name.is_empty() && name.eq_ignore_ascii_case(want) {
            return Some(value);
        }
    }
}

/// Splits an attribute value (quoted or bare) from the text after it.
fn split_value(s: &str) -> (&str, &str) {
    match s.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let body = &s[1..];
            match body.find(q) {
                Some(end) => (&body[..end], &body[end + 1..]),
                None => (body, ""),
            }
        }
        _ => {
            let end = s
                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                .unwrap_or(s.len());
            s.split_at(end)
        }
    }
}

/// Decodes the entity at the start of `s` (which starts with '&'): the char and the number
/// of bytes it spans. Unknown or unterminated entities stay literal, as browsers show them.
fn entity_at(s: &str) -> Option<(char, usize)> {
    let body = s.get(1..)?;
    let end = body.bytes().take(32).position(|b| b == b';')?;
    let name = &body[..end];
    let c = match name.strip_prefix('#') {
        Some(number) => numeric_entity(number)?,
        None => named_entity(name)?,
    };
    Some((c, end + 2))
}

fn numeric_entity(number: &str) -> Option<char> {
    let (digits, radix) = match number.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let value = u32::from_str_radix(digits, radix).ok()?;
    Some(
        char::from_u32(value)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{fffd}'),
    )
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        // A terminal has no use for a non-breaking space, and a plain one wraps better.
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "times" => '×',
        "deg" => '°',
        _ => return None,
    })
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (c, len) = entity_at(rest).unwrap_or(('&', 1));
        out.push(c);
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

/// Whether a link label already shows its URL (ignoring scheme, case and a trailing '/').
fn label_shows_url(label: &str, url: &str) -> bool {
    fn bare(s: &str) -> &str {
        let s = s.trim().trim_end_matches('/');
        ["https://", "http://", "mailto:"]
            .iter()
            .find_map(|scheme| {
                let head = s.get(..scheme.len())?;
                head.eq_ignore_ascii_case(scheme)
                    .then(|| &s[scheme.len()..])
            })
            .unwrap_or(s)
    }
    bare(label).eq_ignore_ascii_case(bare(url))
}

/// Nested lists indent up to this depth and no further.
const MAX_LIST_INDENT: usize = 8;

/// Elements whose content is not text (CSS, scripts, document head).
const RAW_TEXT_TAGS: &[&str] = &["style", "script", "head", "title"];

struct Converter<'a> {
    src: &'a str,
    pos: usize,
    out: String,
    /// The open `<a>`: where its label starts in `out`, and its href.
    link: Option<(usize, String)>,
    list_depth: usize,
    /// A tag just ended the line. Source newlines are kept, because descriptions written
    /// through the API often mix them with tags and dropping them would merge lines; but
    /// the one right after a `<br>` or block tag is markup formatting and would double it.
    after_break: bool,
    /// A '<' had no closing '>': later ones are taken as text too, instead of each one
    /// rescanning to the end of the input.
    no_tag_end: bool,
    /// A raw-text element had no end tag: stop searching for them (keeps the pass linear;
    /// the worst case is CSS shown as text).
    no_raw_end: bool,
}

impl<'a> Converter<'a> {
    fn new(src: &'a str) -> Self {
        Self {
            src,
            pos: 0,
            out: String::with_capacity(src.len()),
            link: None,
            list_depth: 0,
            after_break: false,
            no_tag_end: false,
            no_raw_end: false,
        }
    }

    fn run(mut self) -> String {
        while let Some(c) = self.src[self.pos..].chars().next() {
            match c {
                '<' => self.tag(),
                '&' => self.entity(),
                '\n' => {
                    self.pos += 1;
                    if !std::mem::take(&mut self.after_break) {
                        self.out.push('\n');
                    }
                }
                ' ' | '\t' | '\r' => {
                    self.pos += 1;
                    self.space();
                }
                c => {
                    self.pos += c.len_utf8();
                    self.text(c);
                }
            }
        }
        self.close_link();
        self.out
    }

    fn text(&mut self, c: char) {
        self.out.push(c);
        self.after_break = false;
    }

    /// HTML whitespace: runs collapse to one space and vanish at line starts, because
    /// indentation in HTML source is layout of the markup, not of the text.
    fn space(&mut self) {
        if !self.at_line_start() && !self.out.ends_with(' ') {
            self.out.push(' ');
        }
    }

    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    fn entity(&mut self) {
        let (c, len) = entity_at(&self.src[self.pos..]).unwrap_or(('&', 1));
        self.pos += len;
        self.text(c);
    }

    fn tag(&mut self) {
        let rest = &self.src[self.pos + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            // Outlook hides its CSS in comments; an unclosed one runs to the end, as in browsers.
            self.pos = match comment.find("-->") {
                Some(i) => self.pos + 4 + i + 3,
                None => self.src.len(),
            };
            return;
        }
        let head = if self.no_tag_end {
            None
        } else {
            parse_tag_head(rest)
        };
        let declaration = rest.starts_with(['!', '?']) && !self.no_tag_end;
        let attrs_start = match &head {
            Some(h) => self.pos + 1 + usize::from(h.closing) + h.name.len(),
            None if declaration => self.pos + 1,
            None => return self.literal_lt(),
        };
        let Some(len) = tag_end(&self.src[attrs_start..]) else {
            self.no_tag_end = true;
            return self.literal_lt();
        };
        self.pos = attrs_start + len + 1;
        if let Some(h) = head {
            self.apply(h.closing, h.name, &h.rest[..len]);
        }
    }

    fn literal_lt(&mut self) {
        self.pos += 1;
        self.text('<');
    }

    fn apply(&mut self, closing: bool, name: &str, attrs: &str) {
        let name = name.to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("br", _) => {
                self.out.push('\n');
                self.after_break = true;
            }
            ("p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "table", _) => {
                self.paragraph_break()
            }
            ("div" | "tr" | "hr" | "section" | "article" | "header" | "footer", _) => {
                self.line_break()
            }
            ("ul" | "ol", false) => {
                self.list_depth += 1;
                self.line_break();
            }
            ("ul" | "ol", true) => {
                self.list_depth = self.list_depth.saturating_sub(1);
                self.line_break();
            }
            ("li", false) => self.bullet(),
            ("li", true) => self.line_break(),
            ("td" | "th", false) => self.space(),
            ("a", false) => self.open_link(attrs),
            ("a", true) => self.close_link(),
            (raw, false) if RAW_TEXT_TAGS.contains(&raw) && !attrs.ends_with('/') => {
                self.skip_raw_text(raw)
            }
            _ => {}
        }
    }

    /// Starts a new line unless already at the start of one.
    fn line_break(&mut self) {
        if !self.at_line_start() {
            self.out.push('\n');
        }
        self.after_break = true;
    }

    /// Leaves one blank line, as between paragraphs.
    fn paragraph_break(&mut self) {
        self.line_break();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn bullet(&mut self) {
        self.line_break();
        // Capped: indenting by the full depth made 100 kB of "<ul>…<li>…" expand to 300 MB
        // of spaces (depth × items), which then hung the details pane.
        for _ in 1..self.list_depth.min(MAX_LIST_INDENT) {
            self.out.push_str("  ");
        }
        self.out.push_str("• ");
    }

    fn open_link(&mut self, attrs: &str) {
        self.close_link();
        let Some(href) = attr(attrs, "href") else {
            return;
        };
        let href = decode_entities(href.trim());
        if !href.is_empty() && !href.starts_with('#') {
            self.link = Some((self.out.len(), href));
        }
    }

    /// Makes the link target visible after its label, unless the label already shows it.
    /// Google and Outlook wrap targets in redirects; the real destination is what is shown.
    fn close_link(&mut self) {
        let Some((start, href)) = self.link.take() else {
            return;
        };
        let target = links::unwrap_redirect(&href);
        let label = self.out[start..].trim();
        if label.is_empty() {
            if !self.at_line_start() && !self.out.ends_with(' ') {
                self.out.push(' ');
            }
            self.out.push_str(&target);
        } else if !label_shows_url(label, &target) && !label_shows_url(label, &href) {
            self.out.push_str(" (");
            self.out.push_str(&target);
            self.out.push(')');
        }
        self.after_break = false;
    }

    /// Skips past the end tag of a `<style>`-like element.
    fn skip_raw_text(&mut self, name: &str) {
        if self.no_raw_end {
            return;
        }
        let end_tag = format!("</{name}");
        let rest = &self.src[self.pos..];
        let found = rest
            .as_bytes()
            .windows(end_tag.len())
            .position(|w| w.eq_ignore_ascii_case(end_tag.as_bytes()));
        match found {
            Some(i) => {
                let from = self.pos + i;
                self.pos = self.src[from..]
                    .find('>')
                    .map_or(self.src.len(), |j| from + j + 1);
            }
            None => self.no_raw_end = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_passes_through() {
        let cases = [
            "a < b and c > d",
            "Agenda:\n- budget & hiring\n- is x<y? yes\n\nThanks",
            "Join: <https://zoom.us/j/123>",
            "Email <alex@example.com> for access",
            "Unknown entities stay: &copy &foo; &#xZZ;",
            "Tags in prose: use <bold> carefully",
        ];
        for input in cases {
            assert_eq!(description_to_text(input), input);
        }
    }

    #[test]
    fn entities_without_tags_are_decoded() {
        let cases = [
            ("Q&amp;A with &quot;Sam&quot;", "Q&A with \"Sam\""),
            (
                "It&#39;s Alex&#x27;s sync\n  indented &lt;stays&gt;",
                "It's Alex's sync\n  indented <stays>",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(description_to_text(input), want, "input {input:?}");
        }
    }

    #[test]
    fn plain_text_is_still_sanitized() {
        assert_eq!(
            description_to_text("hi\x1b]52;c;aGk=\x07 there\r\n\r\n\r\n\r\n\r\nbye"),
            "hi there\n\n\nbye"
        );
    }

    #[test]
    fn google_web_ui_html() {
        let cases = [
            (
                "Line one<br>Line two<br><br><b>Bold</b> &amp; <i>italic</i>",
                "Line one\nLine two\n\nBold & italic",
            ),
            (
                "<ul><li>First</li><li>Second &lt;2&gt;</li></ul>After",
                "• First\n• Second <2>\nAfter",
            ),
            (
                "<ol><li>Top<ul><li>Nested</li></ul></li></ol>",
                "• Top\n  • Nested",
            ),
            (
                "<b>It&#39;s</b> Alex&#x27;s &quot;sync&quot;&nbsp;&mdash; ok",
                "It's Alex's \"sync\" — ok",
            ),
            (
                "<html-blob><u></u>Notes<br>a&nbsp;b</html-blob>",
                "Notes\na b",
            ),
            (
                "<p>First para</p><p>Second para</p>",
                "First para\n\nSecond para",
            ),
            ("<div>one</div><div>two</div>", "one\ntwo"),
            (
                "Unknown &foo; and &#xZZ; and &#0; and &amp",
                "Unknown &foo; and &#xZZ; and \u{fffd} and &amp",
            ),
            ("<b>a < b</b>", "a < b"),
            ("<BR/>Upper<BR />case", "Upper\ncase"),
        ];
        for (input, want) in cases {
            assert_eq!(description_to_text(input), want, "input {input:?}");
        }
    }

    #[test]
    fn links_keep_their_urls() {
        let cases = [
            (
                r#"<a href="https://example.com/doc">Agenda</a>"#,
                "Agenda (https://example.com/doc)",
            ),
            (
                r#"<a href="https://zoom.us/j/1">https://zoom.us/j/1</a>"#,
                "https://zoom.us/j/1",
            ),
            (
                r#"<a href="https://zoom.us/j/1/">zoom.us/j/1</a>"#,
                "zoom.us/j/1",
            ),
            (
                r#"<a href="mailto:alex@example.com">alex@example.com</a>"#,
                "alex@example.com",
            ),
            (
                r#"<a href='https://x.io/?a=1&amp;b=2' target=_blank>x</a>"#,
                "x (https://x.io/?a=1&b=2)",
            ),
            (
                r#"See<a href="https://x.io"><img src="logo.png"></a>"#,
                "See https://x.io",
            ),
            (r##"<a href="#top">Back</a>"##, "Back"),
            (r#"<a name="anchor">Plain</a>"#, "Plain"),
            (
                r#"<a href="https://x.io/a>b">unclosed label"#,
                "unclosed label (https://x.io/a>b)",
            ),
            (
                r#"<a href="https://www.google.com/url?q=https://meet.google.com/abc-defg-hij&amp;sa=D&amp;ust=1">https://meet.google.com/abc-defg-hij</a>"#,
                "https://meet.google.com/abc-defg-hij",
            ),
            (
                r#"<a href="https://www.google.com/url?q=https://docs.example.com/d/1&amp;sa=D">Design doc</a>"#,
                "Design doc (https://docs.example.com/d/1)",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(description_to_text(input), want, "input {input:?}");
        }
    }

    #[test]
    fn zoom_invite_body() {
        let html = "<html-blob><u></u>Alex Rivera is inviting you to a scheduled Zoom meeting.<br><br>\
            Join Zoom Meeting<br><a href=\"https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234\" \
            target=\"_blank\">https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234</a><br><br>\
            Meeting ID: 812 3456 7890<br>Passcode: 424242<br><br>---<br><br>One tap mobile<br>\
            +16469313860,,81234567890#,,,,*424242# US<br><u></u></html-blob>";
        let want = "Alex Rivera is inviting you to a scheduled Zoom meeting.\n\n\
            Join Zoom Meeting\n\
            https://us02web.zoom.us/j/81234567890?pwd=QWxleFRlc3Q1234\n\n\
            Meeting ID: 812 3456 7890\nPasscode: 424242\n\n---\n\nOne tap mobile\n\
            +16469313860,,81234567890#,,,,*424242# US";
        let text = description_to_text(html);
        assert_eq!(text, want);
        let link = links::find_all_in_text(&text).remove(0);
        assert_eq!(link.provider, links::Provider::Zoom);
    }

    #[test]
    fn teams_invite_body() {
        let join = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NDQ2YzU4%40thread.v2/0?context=%7b%22Tid%22%3a%2272f9%22%2c%22Oid%22%3a%22d1e2%22%7d";
        let html = format!(
            "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n\
             <style><!-- p {{ margin: 0 }} --></style>\n</head>\n<body>\n\
             <div>Quarterly planning, see agenda below.</div>\n\
             <div style=\"width:100%\"><span style=\"white-space:nowrap\">________________________________________________________________________________</span></div>\n\
             <div style=\"margin-bottom:24px\">\n  <span style=\"font-size:24px;font-weight:700\">Microsoft Teams meeting</span>\n</div>\n\
             <div>\n  <span>Join on your computer, mobile app or room device</span>\n</div>\n\
             <div><a href=\"{}\" target=\"_blank\" rel=\"noreferrer noopener\">Click here to join the meeting</a></div>\n\
             <div><span>Meeting ID: </span><span>123 456 789 012</span></div>\n\
             <div><span>Passcode: </span><span>aB3cD4</span></div>\n\
             <div><a href=\"https://aka.ms/JoinTeamsMeeting\">Learn More</a> | \
             <a href=\"https://teams.microsoft.com/meetingOptions/?organizerId=d1e2&amp;tenantId=72f9\">Meeting options</a></div>\n\
             </body>\n</html>",
            join.replace('&', "&amp;")
        );
        let want = format!(
            "Quarterly planning, see agenda below.\n\
             ________________________________________________________________________________\n\
             Microsoft Teams meeting\n\
             Join on your computer, mobile app or room device\n\
             Click here to join the meeting ({join})\n\
             Meeting ID: 123 456 789 012\n\
             Passcode: aB3cD4\n\
             Learn More (https://aka.ms/JoinTeamsMeeting) | Meeting options (https://teams.microsoft.com/meetingOptions/?organizerId=d1e2&tenantId=72f9)"
        );
        let text = description_to_text(&html);
        assert_eq!(text, want);
        let link = links::find_all_in_text(&text).remove(0);
        assert_eq!(
            (link.provider, link.url.as_str()),
            (links::Provider::Teams, join)
        );
    }

    #[test]
    fn hostile_markup_is_neutralised() {
        let cases = [
            ("<b>Title</b>&#27;]52;c;aGk=&#7;<br>next", "Title\nnext"),
            ("<script>alert(1)</script>visible", "visible"),
            ("<style>p{}</style><STYLE>q{}</STYLE>ok", "ok"),
            ("<!-- hidden -->shown<!-- never closed", "shown"),
            ("<!DOCTYPE html><p>doc</p>", "doc"),
            ("<br>a <b unclosed tag", "a <b unclosed tag"),
            ("<br><a href=\"x>", "<a href=\"x>"),
            // Without its end tag the "CSS" may well be the text: show it rather than lose it.
            ("<p>x</p><style>never closed", "x\n\nnever closed"),
        ];
        for (input, want) in cases {
            assert_eq!(description_to_text(input), want, "input {input:?}");
        }
    }

    #[test]
    fn pathological_inputs_are_linear_and_do_not_panic() {
        let many_open = format!("<br>{}", "<a <b ".repeat(20_000));
        assert!(description_to_text(&many_open).starts_with("<a <b"));
        let many_style = format!("<br>{}", "<style>".repeat(20_000));
        assert_eq!(description_to_text(&many_style), "");
        let many_entities = format!("<br>{}", "&#x1F600;&bogus;&".repeat(20_000));
        assert!(description_to_text(&many_entities).starts_with("\u{1f600}&bogus;&"));
        for input in [
            "<",
            "<br",
            "<br>&",
            "<br>&#",
            "<br>&#x;",
            "<a href=",
            "<a href='",
            "<br><li>",
        ] {
            description_to_text(input);
        }
    }
}
