//! Percent-encoding for URL paths and queries, shared by the client, link detection and the
//! sandbox. Only `%XX` is special: `+` stays literal, as it is in paths and in the URLs that
//! redirect wrappers carry (they encode a real `+` as `%2B`).

/// Decodes `%XX` escapes; malformed escapes stay as written.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes everything but RFC 3986 unreserved characters, for one path segment.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_ids_round_trip_through_a_path_segment() {
        let id = "en.usa#holiday@group.v.calendar.google.com";
        assert_eq!(
            encode_segment(id),
            "en.usa%23holiday%40group.v.calendar.google.com"
        );
        assert_eq!(decode(&encode_segment(id)), id);
        assert_eq!(encode_segment("primary"), "primary");
    }

    #[test]
    fn plus_and_broken_escapes_stay_literal() {
        assert_eq!(decode("a+b%2"), "a+b%2");
        assert_eq!(decode("%zz%41"), "%zzA");
    }
}
