//! The facts a founder and an engineer want from a certificate, read from its DER.

use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};
use x509_parser::objects::{oid2sn, oid_registry};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
use x509_parser::public_key::PublicKey;

/// A certificate, summarized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertSummary {
    pub subject: String,
    pub issuer: String,
    /// Names the certificate is valid for (DNS and IP subject alternative names).
    pub names: Vec<String>,
    /// Seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    pub serial: String,
    /// The public key's algorithm ("RSA", "EC", "Ed25519", "DSA"…).
    pub key_kind: String,
    /// The key's size in bits (0 when unknown).
    pub key_bits: u32,
    /// How the issuer signed it ("sha256WithRSAEncryption", "ecdsa-with-SHA256"…).
    pub signature: String,
}

impl CertSummary {
    /// Reads a DER certificate; `None` for bytes that are not one.
    pub fn from_der(der: &[u8]) -> Option<CertSummary> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let mut names = Vec::new();
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    GeneralName::DNSName(d) => names.push((*d).to_owned()),
                    GeneralName::IPAddress(ip) => names.push(format!("{ip:?}")),
                    _ => {}
                }
            }
        }
        let spki = cert.public_key();
        let (key_kind, key_bits) = match spki.parsed() {
            Ok(PublicKey::RSA(k)) => ("RSA".to_owned(), k.key_size()),
            Ok(PublicKey::EC(k)) => ("EC".to_owned(), k.key_size()),
            Ok(PublicKey::DSA(k)) => ("DSA".to_owned(), k.len() * 8),
            _ => (
                oid2sn(&spki.algorithm.algorithm, oid_registry()).map_or_else(|_| spki.algorithm.algorithm.to_id_string(), str::to_owned),
                0,
            ),
        };
        let key_bits = u32::try_from(key_bits).unwrap_or(0);
        let sig_oid = &cert.signature_algorithm.algorithm;
        let signature = oid2sn(sig_oid, oid_registry()).map_or_else(|_| sig_oid.to_id_string(), str::to_owned);
        Some(CertSummary {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            names,
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            serial: cert.raw_serial_as_string(),
            key_kind,
            key_bits,
            signature,
        })
    }

    /// Why browsers would refuse this certificate's cryptography: a key too small to resist being
    /// broken, a signature made with a broken hash (SHA-1, MD5). Empty when it is sound.
    pub fn weaknesses(&self) -> Vec<String> {
        let mut out = Vec::new();
        let sig = self.signature.to_ascii_lowercase();
        if sig.contains("sha1") || sig.contains("md5") || sig.contains("md2") {
            let hash = if sig.contains("sha1") { "SHA-1" } else { "MD5" };
            out.push(format!("it is signed with {hash} ({}), which browsers stopped accepting", self.signature));
        }
        match self.key_kind.as_str() {
            "RSA" if self.key_bits > 0 && self.key_bits < 2048 => {
                out.push(format!("its RSA key is {} bits; browsers require at least 2048", self.key_bits))
            }
            "EC" if self.key_bits > 0 && self.key_bits < 256 => {
                out.push(format!("its elliptic-curve key is {} bits; browsers require at least 256", self.key_bits))
            }
            "DSA" => out.push("it uses a DSA key, which browsers no longer accept".to_owned()),
            _ => {}
        }
        out
    }

    /// Whole days until expiry from `now` (negative once expired).
    pub fn days_left(&self, now: SystemTime) -> i64 {
        let now = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        (self.not_after - now).div_euclid(86_400)
    }

    /// Whole days since expiry at `now` (0 when it ran out less than a day ago, or has not yet).
    pub fn days_expired(&self, now: SystemTime) -> i64 {
        let now = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        (now - self.not_after).div_euclid(86_400).max(0)
    }

    /// The issuer's organisation or common name, for the founder ("Let's Encrypt").
    pub fn issuer_name(&self) -> String {
        short_name(&self.issuer)
    }
}

fn short_name(dn: &str) -> String {
    let field = |key: &str| dn.split(", ").find_map(|p| p.strip_prefix(key)).map(str::to_owned);
    field("O=").or_else(|| field("CN=")).unwrap_or_else(|| dn.to_owned())
}

/// Formats seconds since the epoch as a calendar date (UTC), without pulling in a date library.
pub fn date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm): exact for the proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_as_utc_calendar_days() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29", "leap day of a year divisible by 400");
        assert_eq!(date(1_795_392_000), "2026-11-23");
    }

    #[test]
    fn issuer_prefers_the_organisation() {
        assert_eq!(short_name("C=US, O=Let's Encrypt, CN=R11"), "Let's Encrypt");
        assert_eq!(short_name("CN=Preflight Test CA"), "Preflight Test CA");
    }
}
