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

/// Whether `word` looks like a key or token: long, made of the characters keys use, mixing letters
/// and digits, and not a plain hexadecimal id (commit hashes and fingerprints stay readable).
fn looks_like_token(word: &str) -> bool {
    let keyish = word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let hex = word.chars().all(|c| c.is_ascii_hexdigit());
    word.len() >= 20 && keyish && !hex && word.chars().any(|c| c.is_ascii_digit()) && word.chars().any(|c| c.is_ascii_alphabetic())
}

/// `text` with every token-like word (an API key pasted into a note, say) cut down to its first 4
/// and last 2 characters, and every value after a known marker masked as [`redact`] does. For text
/// a person wrote that ends up in a document: a second line of defence, not a secret scanner.
pub fn scrub(text: &str) -> String {
    let marked = redact(text);
    let mut out = String::with_capacity(marked.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if looks_like_token(word) {
            let head: String = word.chars().take(4).collect();
            let tail: String = word.chars().skip(word.chars().count() - 2).collect();
            out.push_str(&format!("{head}…{tail}"));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in marked.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::{redact, scrub};

    #[test]
    fn token_like_words_are_cut_down_and_ordinary_text_is_not() {
        let key = "sk-proj-4fG7hJ9kL2mN5pQ8rS1tU3vW";
        assert_eq!(scrub(&format!("The key was {key}, now rotated.")), "The key was sk-p…vW, now rotated.");
        let plain = "Roll back in Vercel → Deployments, commit 3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c, build index-Qq81kLmz.js";
        assert_eq!(scrub(plain), plain, "hex ids and short build names stay readable");
        assert_eq!(scrub("see https://h.test/x?token=abc"), "see https://h.test/x?token=********");
    }

    #[test]
    fn values_after_markers_are_masked_and_the_rest_is_kept() {
        assert_eq!(redact("GET /hook?token=abc123&x=1 ok"), "GET /hook?token=********&x=1 ok");
        assert_eq!(redact("Authorization: Bearer sk-live-999"), "Authorization: ******** ********");
        assert_eq!(redact("{\"password\":\"hunter2\"}"), "{\"password\":\"********\"}");
        assert_eq!(redact("nothing to see"), "nothing to see");
    }
}
