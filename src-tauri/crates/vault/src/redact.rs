//! Masking secrets that appear in free text (log lines), as a second line of defence.
//!
//! `Sensitive<T>` keeps our own secrets out of logs by construction; this catches the ones that
//! arrive inside other text, such as a URL with `?token=` from a config file or an `Authorization`
//! header echoed by a library.

use std::borrow::Cow;

/// Markers after which the value up to the next delimiter is a secret.
const MARKERS: &[&str] = &[
    "bearer ",
    "authorization: ",
    "token=",
    "api_key=",
    "apikey=",
    "key=",
    "secret=",
    "password=",
    "passwd=",
    "\"token\":\"",
    "\"password\":\"",
    "\"secret\":\"",
];

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '&' | '"' | '\'' | ',' | ';' | ')' | ']' | '}' | '>')
}

/// `line` with every value after a known marker replaced by `********`.
pub fn redact(line: &str) -> Cow<'_, str> {
    let lower = line.to_ascii_lowercase();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for marker in MARKERS {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(marker) {
            let start = from + pos + marker.len();
            let len = line[start..].find(is_delimiter).unwrap_or(line.len() - start);
            if len > 0 {
                spans.push((start, start + len));
            }
            from = start;
        }
    }
    if spans.is_empty() {
        return Cow::Borrowed(line);
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (s, e) in spans {
        if s < at {
            at = at.max(e);
            continue;
        }
        out.push_str(&line[at..s]);
        out.push_str("********");
        at = e;
    }
    out.push_str(&line[at..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn values_after_markers_are_masked_and_the_rest_is_kept() {
        assert_eq!(redact("GET /hook?token=abc123&x=1 ok"), "GET /hook?token=********&x=1 ok");
        assert_eq!(redact("Authorization: Bearer sk-live-999"), "Authorization: ******** ********");
        assert_eq!(redact("{\"password\":\"hunter2\"}"), "{\"password\":\"********\"}");
        assert_eq!(redact("nothing to see"), "nothing to see");
    }
}
