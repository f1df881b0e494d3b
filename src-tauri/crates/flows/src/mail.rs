//! Reading a fetched message the way a founder would: its subject (RFC 2047 words decoded), what
//! the receiving server said of its SPF, DKIM and DMARC (`Authentication-Results`), and the links in
//! its text (quoted-printable or base64 undone), so the reset link can be followed.

use base64::Engine as _;

/// The header fields the reset flow asks for.
pub const FIELDS: &str = "SUBJECT TO AUTHENTICATION-RESULTS CONTENT-TRANSFER-ENCODING";

/// Header fields, unfolded: (name in lower case, value).
pub fn fields(header: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(header);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split("\r\n").flat_map(|l| l.split('\n')) {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    out
}

/// The first value of `name`.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `=?charset?B|Q?…?=` words decoded (UTF-8 and ASCII; anything else is left as written).
pub fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("=?") {
        let Some(end) = rest[start + 2..].find("?=").map(|e| start + 2 + e) else { break };
        let word = &rest[start + 2..end];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        let decoded = match parts.as_slice() {
            [_, enc, data] if enc.eq_ignore_ascii_case("b") => base64::engine::general_purpose::STANDARD.decode(data).ok(),
            [_, enc, data] if enc.eq_ignore_ascii_case("q") => Some(quoted_printable(&data.replace('_', " "))),
            _ => None,
        };
        match decoded {
            Some(bytes) => {
                let before = &rest[..start];
                // Whitespace between two encoded words is not part of the text.
                if !(out.ends_with('\u{0}') && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&String::from_utf8_lossy(&bytes));
                out.push('\u{0}');
            }
            None => out.push_str(&rest[..end + 2]),
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out.replace('\u{0}', "")
}

/// Quoted-printable undone: soft line breaks joined, `=XX` bytes restored.
pub fn quoted_printable(text: &str) -> Vec<u8> {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The message's text as words: base64 or quoted-printable undone when the header says so (and
/// quoted-printable soft breaks undone anyway: a multipart's parts carry their own headers).
pub fn text(fields: &[(String, String)], raw: &[u8]) -> String {
    let cte = field(fields, "content-transfer-encoding").unwrap_or_default().to_ascii_lowercase();
    let raw_text = String::from_utf8_lossy(raw);
    if cte.contains("base64") {
        let compact: String = raw_text.chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(compact) {
            return String::from_utf8_lossy(&b).into_owned();
        }
    }
    String::from_utf8_lossy(&quoted_printable(&raw_text)).into_owned()
}

/// Every http(s) address in `text`, in order, without trailing punctuation.
pub fn links(text: &str) -> Vec<url::Url> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let candidate = &rest[i..];
        let end = candidate.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | ']')).unwrap_or(candidate.len());
        let raw = candidate[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if raw.starts_with("https://") || raw.starts_with("http://") {
            if let Ok(u) = url::Url::parse(raw) {
                if !out.contains(&u) {
                    out.push(u);
                }
            }
        }
        rest = &candidate[end.max(4)..];
    }
    out
}

/// "SPF pass, DKIM none, DMARC none" from an `Authentication-Results` value; `None` without one.
pub fn authentication(fields: &[(String, String)]) -> Option<String> {
    let value = field(fields, "authentication-results")?.to_ascii_lowercase();
    let verdict = |method: &str| {
        value
            .split(|c: char| c == ';' || c.is_whitespace())
            .find_map(|t| t.strip_prefix(&format!("{method}=")))
            .map(|v| v.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_owned())
    };
    let parts: Vec<String> = [("spf", "SPF"), ("dkim", "DKIM"), ("dmarc", "DMARC")]
        .iter()
        .filter_map(|(m, label)| verdict(m).map(|v| format!("{label} {v}")))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folded_header_and_encoded_subject_read_as_words() {
        let f = fields(b"Subject: =?UTF-8?B?UsOpaW5pdGlhbGlzZXI=?= =?UTF-8?Q?_ton_mot?=\r\nAuthentication-Results: mx.example;\r\n spf=pass smtp.mailfrom=acme.test;\r\n dkim=fail header.d=acme.test; dmarc=none\r\n");
        assert_eq!(decode_words(field(&f, "subject").unwrap_or_default()), "Réinitialiser ton mot");
        assert_eq!(authentication(&f).as_deref(), Some("SPF pass, DKIM fail, DMARC none"));
    }

    #[test]
    fn links_are_found_in_quoted_printable_text() {
        let f = fields(b"Content-Transfer-Encoding: quoted-printable\r\n");
        let body =
            text(&f, b"Choose a new one: <a href=3D\"https://app.acme.test/reset/=\r\nabc?t=3D1\">here</a>.\r\nOr https://acme.test/help.");
        let found: Vec<String> = links(&body).iter().map(|u| u.to_string()).collect();
        assert_eq!(found, ["https://app.acme.test/reset/abc?t=1", "https://acme.test/help"]);
    }
}
