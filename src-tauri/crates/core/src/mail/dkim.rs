//! DKIM public-key records (RFC 6376 §3.6.1): the key type, its size, and the flags that matter.
//!
//! Pure: the base64 key is decoded and its size read from the SubjectPublicKeyInfo inside; a record
//! that cannot be read says why instead of failing. Fuzzed by `dkim_parse`.

use base64::Engine;
use serde::Serialize;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

/// A DKIM key record, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    /// `k=`: `rsa` (the default) or `ed25519`.
    pub kind: String,
    /// The key size in bits, when it could be read.
    pub bits: Option<u32>,
    /// `p=` is empty: the key was withdrawn on purpose.
    pub revoked: bool,
    /// `t=y`: receivers treat signatures as a test.
    pub testing: bool,
    pub problems: Vec<String>,
}

/// Reads a key record's text (`v=DKIM1; k=rsa; p=MIGf…`).
pub fn parse(txt: &str) -> Key {
    let mut key = Key { kind: "rsa".into(), bits: None, revoked: false, testing: false, problems: Vec::new() };
    let mut p = None;
    for part in txt.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((tag, value)) = part.split_once('=') else {
            key.problems.push(format!("\"{part}\" is not a tag=value pair"));
            continue;
        };
        match tag.trim().to_ascii_lowercase().as_str() {
            "v" if !value.trim().eq_ignore_ascii_case("DKIM1") => key.problems.push(format!("v={} is not DKIM1", value.trim())),
            "k" => key.kind = value.trim().to_ascii_lowercase(),
            "p" => p = Some(value.chars().filter(|c| !c.is_whitespace()).collect::<String>()),
            "t" => key.testing = value.split(':').any(|f| f.trim().eq_ignore_ascii_case("y")),
            _ => {}
        }
    }
    match p.as_deref() {
        None => key.problems.push("the record has no p= (public key) tag".into()),
        Some("") => key.revoked = true,
        Some(b64) => match base64::engine::general_purpose::STANDARD.decode(b64) {
            Err(e) => key.problems.push(format!("the public key is not valid base64 ({e})")),
            Ok(der) if key.kind == "ed25519" => key.bits = (der.len() == 32).then_some(256),
            Ok(der) => match SubjectPublicKeyInfo::from_der(&der).ok().and_then(|(_, spki)| spki.parsed().ok().map(|k| k.key_size())) {
                Some(bits) if bits > 0 => key.bits = u32::try_from(bits).ok(),
                _ => key.bits = rsa_bits(&der),
            },
        },
    }
    if key.bits.is_none() && !key.revoked && key.problems.is_empty() {
        key.problems.push(format!("the {} key could not be read", key.kind));
    }
    key
}

/// Some senders publish a bare RSAPublicKey instead of a SubjectPublicKeyInfo.
fn rsa_bits(der: &[u8]) -> Option<u32> {
    match x509_parser::public_key::RSAPublicKey::from_der(der) {
        Ok((_, rsa)) => u32::try_from(PublicKey::RSA(rsa).key_size()).ok().filter(|b| *b > 0),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A 1024-bit RSA SubjectPublicKeyInfo (RFC 6376's own example key).
    const RSA1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB";

    #[test]
    fn keys_are_sized_and_flags_read() {
        let k = parse(&format!("v=DKIM1; k=rsa; t=y; p={RSA1024}"));
        assert_eq!((k.bits, k.testing, k.revoked), (Some(1024), true, false), "{:?}", k.problems);
        let revoked = parse("v=DKIM1; p=");
        assert!(revoked.revoked && revoked.problems.is_empty());
        let bad = parse("v=DKIM1; p=!!!");
        assert!(!bad.problems.is_empty());
        assert!(!parse("v=DKIM1; k=rsa").problems.is_empty(), "no p= at all");
    }

    #[test]
    fn junk_is_read_as_a_broken_key_with_a_reason_never_as_a_good_one() {
        // Each is unusable: it must come back with no key size and a problem saying why (a revoked
        // key, `p=` empty, is the one exception, and says so with its flag).
        for junk in ["", ";", "p", "p=AAAA", "k=ed25519; p=AAAA", "p=MIGf", "=;=;=", "p=\u{0}\u{ff}", "k=; p=AAAA"] {
            let k = parse(junk);
            assert_eq!(k.bits, None, "{junk:?} has no readable key: {k:?}");
            assert!(!k.problems.is_empty(), "{junk:?} says what is wrong: {k:?}");
            assert!(!k.revoked, "{junk:?} is broken, not withdrawn");
        }
        let wrong_version = parse("v=DKIM2; p=");
        assert!(wrong_version.revoked && wrong_version.problems.iter().any(|p| p.contains("DKIM2")), "{wrong_version:?}");
    }
}
