//! Masking secrets that appear in free text (log lines), as a second line of defence.
//!
//! `Sensitive<T>` keeps our own secrets out of logs by construction; this catches the ones that
//! arrive inside other text: a URL with `?token=` from a config file, an `Authorization` header
//! echoed by a library, a header list printed as Rust tuples (`("x-api-key", "…")`) or as JSON,
//! and JSON quoted inside another string (`\"password\":\"…\"`).

use std::borrow::Cow;
use std::sync::OnceLock;

/// Header names that carry credentials (the engine refuses them in plain headers; here their
/// values are masked wherever they appear).
pub const CREDENTIAL_HEADERS: [&str; 8] =
    ["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "apikey", "x-auth-token", "x-access-token"];

/// Field names whose values are secrets, besides the credential headers.
const FIELDS: [&str; 8] = ["token", "access_token", "password", "passwd", "secret", "api_key", "client_secret", "key"];

/// Where a masked value ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Until {
    /// A word delimiter (`&`, a quote, a space…): `token=abc&x=1`.
    Word,
    /// The closing quote (plain or escaped): a quoted value may hold spaces (`Bearer abc`).
    Quote,
    /// The end of the line: a header line `Authorization: Bearer abc`.
    Line,
}

/// Every marker, lower case, with where its value ends. Built once.
fn markers() -> &'static [(String, Until)] {
    static MARKERS: OnceLock<Vec<(String, Until)>> = OnceLock::new();
    MARKERS.get_or_init(|| {
        let mut m: Vec<(String, Until)> = vec![("bearer ".into(), Until::Word)];
        for k in FIELDS.iter().chain(CREDENTIAL_HEADERS.iter()) {
            m.push((format!("{k}="), Until::Word));
            for q in ["\"", "\\\""] {
                // JSON objects, plain or escaped inside another string, with or without a space.
                m.push((format!("{q}{k}{q}:{q}"), Until::Quote));
                m.push((format!("{q}{k}{q}: {q}"), Until::Quote));
                // Tuples: Rust's Debug `("k", "v")` and JSON's `["k","v"]`.
                m.push((format!("({q}{k}{q}, {q}"), Until::Quote));
                m.push((format!("[{q}{k}{q},{q}"), Until::Quote));
            }
        }
        for h in CREDENTIAL_HEADERS {
            m.push((format!("{h}: "), Until::Line));
        }
        m
    })
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '&' | '"' | '\'' | ',' | ';' | ')' | ']' | '}' | '>' | '\\')
}

fn value_len(rest: &str, until: Until) -> usize {
    let end = match until {
        Until::Word => rest.find(is_delimiter),
        Until::Quote => rest.find(['"', '\\']),
        Until::Line => rest.find(['\n', '\r']),
    };
    end.unwrap_or(rest.len())
}

/// `line` with every value after a known marker replaced by `********`.
pub fn redact(line: &str) -> Cow<'_, str> {
    let lower = line.to_ascii_lowercase();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (marker, until) in markers() {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(marker.as_str()) {
            let start = from + pos + marker.len();
            // A field name inside a longer word (`monkey=`, `tokens=`) is not the field.
            let before = lower[..from + pos].chars().next_back();
            let inside_word = marker.as_bytes()[0].is_ascii_alphabetic() && before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            let len = value_len(&line[start..], *until);
            if len > 0 && !inside_word {
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

/// A log writer that masks secrets in each formatted line before it reaches its destination (the
/// app's log file, the tray's and the CLI's stderr): every front end's log goes through it.
#[derive(Clone)]
pub struct Redacting<W>(pub W);

impl<W> std::fmt::Debug for Redacting<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redacting(..)")
    }
}

impl<W: std::io::Write> std::io::Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<'a, W: tracing_subscriber::fmt::MakeWriter<'a>> tracing_subscriber::fmt::MakeWriter<'a> for Redacting<W> {
    type Writer = Redacting<W::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        Redacting(self.0.make_writer())
    }
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
        assert_eq!(redact("Authorization: Bearer sk-live-999"), "Authorization: ********");
        assert_eq!(redact("{\"password\":\"hunter2\"}"), "{\"password\":\"********\"}");
        assert_eq!(redact("nothing to see"), "nothing to see");
    }

    #[test]
    fn every_shape_a_credential_takes_in_a_log_line_is_masked() {
        let planted = "pl4nted-cred-77x";
        let shapes = [
            format!("headers: [(\"x-api-key\", \"{planted}\"), (\"accept\", \"*/*\")]"),
            format!("headers=[[\"Cookie\",\"session={planted}; theme=dark\"]]"),
            format!("body: \"{{\\\"password\\\":\\\"{planted}\\\"}}\""),
            format!("{{\"apikey\": \"{planted}\"}}"),
            format!("x-auth-token: {planted} trailing"),
            format!("spec=(\"authorization\", \"Bearer {planted}\")"),
            format!("url=https://h.test/?access_token={planted}"),
        ];
        for line in shapes {
            let out = redact(&line);
            assert!(!out.contains(planted), "{line} -> {out}");
        }
        assert_eq!(redact("monkey=banana tokens=3"), "monkey=banana tokens=3", "a field name inside a word is not the field");
    }
}
