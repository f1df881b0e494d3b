//! Asking a server whether it still speaks TLS 1.0 or 1.1, with a hand-built ClientHello.
//!
//! rustls cannot speak either version (rightly), so the question is put by hand: one ClientHello
//! record offering only the old version and the cipher suites that version used, then the first
//! record of the answer is read. A ServerHello that agrees to the old version means the server
//! accepts it; an alert, a closed connection or a newer version means it does not. Nothing past the
//! ServerHello is read or answered: the connection is dropped, so no key exchange happens. The read
//! is bounded to one record and the whole exchange by the TLS deadline.

use super::config::NetConfig;
use super::error::{within, NetError};
use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An old protocol version to ask about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Legacy {
    #[serde(rename = "TLS 1.0")]
    Tls10,
    #[serde(rename = "TLS 1.1")]
    Tls11,
}

impl Legacy {
    pub fn wire(self) -> u16 {
        match self {
            Legacy::Tls10 => 0x0301,
            Legacy::Tls11 => 0x0302,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Legacy::Tls10 => "TLS 1.0",
            Legacy::Tls11 => "TLS 1.1",
        }
    }
}

/// What the server said to the old version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Reply {
    /// A ServerHello for exactly that version.
    Accepted,
    /// An alert, a hang-up, or a ServerHello for another version.
    Refused { how: String },
}

/// The cipher suites TLS 1.0/1.1 clients offered (ECDHE and plain RSA with AES-CBC, 3DES), and the
/// renegotiation signalling value servers expect from a modern client.
const SUITES: [u16; 9] = [0xc009, 0xc00a, 0xc013, 0xc014, 0x002f, 0x0035, 0x000a, 0x0005, 0x00ff];

/// The ClientHello record offering only `version` to `host` (no SNI for an IP address).
pub fn client_hello(version: Legacy, host: &str) -> Vec<u8> {
    let mut ext = Vec::new();
    if host.parse::<std::net::IpAddr>().is_err() && !host.is_empty() && host.len() < 256 {
        let name = host.as_bytes();
        put16(&mut ext, 0x0000);
        put16(&mut ext, name.len() as u16 + 5);
        put16(&mut ext, name.len() as u16 + 3);
        ext.push(0);
        put16(&mut ext, name.len() as u16);
        ext.extend_from_slice(name);
    }
    // Supported groups: secp256r1, secp384r1, x25519; point formats: uncompressed.
    ext.extend_from_slice(&[0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x17, 0x00, 0x18, 0x00, 0x1d]);
    ext.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);

    let mut body = Vec::new();
    put16(&mut body, version.wire());
    body.extend_from_slice(&random());
    body.push(0); // no session id
    put16(&mut body, (SUITES.len() * 2) as u16);
    for s in SUITES {
        put16(&mut body, s);
    }
    body.extend_from_slice(&[1, 0]); // compression: null only
    put16(&mut body, ext.len() as u16);
    body.extend_from_slice(&ext);

    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&body);
    let mut record = vec![0x16];
    put16(&mut record, 0x0301);
    put16(&mut record, handshake.len() as u16);
    record.extend_from_slice(&handshake);
    record
}

fn put16(buf: &mut Vec<u8>, v: u16) {
    buf.extend_from_slice(&v.to_be_bytes());
}

/// 32 bytes that differ per probe. Not secret: no key is ever derived from this handshake.
fn random() -> [u8; 32] {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = (nanos >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
    }
    out
}

/// Reads what the first record of an answer says about `version` (pure).
pub fn read_reply(version: Legacy, header: [u8; 5], fragment: &[u8]) -> Reply {
    match header[0] {
        0x15 => {
            let desc = fragment.get(1).copied().unwrap_or(0);
            Reply::Refused { how: format!("alert {desc} ({})", alert_name(desc)) }
        }
        0x16 if fragment.first() == Some(&0x02) => match fragment.get(4..6) {
            Some([hi, lo]) if u16::from_be_bytes([*hi, *lo]) == version.wire() => Reply::Accepted,
            Some([hi, lo]) => Reply::Refused { how: format!("answered with version {:#06x} instead", u16::from_be_bytes([*hi, *lo])) },
            _ => Reply::Refused { how: "a ServerHello too short to read".into() },
        },
        t => Reply::Refused { how: format!("an unexpected record (type {t})") },
    }
}

fn alert_name(desc: u8) -> &'static str {
    match desc {
        40 => "handshake failure",
        47 => "illegal parameter",
        70 => "protocol version",
        71 => "insufficient security",
        80 => "internal error",
        112 => "unrecognized name",
        _ => "other",
    }
}

/// Offers `version` to `host` over `tcp` and reports the answer, within the TLS deadline.
pub async fn probe(cfg: &NetConfig, mut tcp: TcpStream, host: &str, version: Legacy) -> Result<Reply, NetError> {
    let io = |e: std::io::Error| NetError::Tls { host: host.to_owned(), reason: e.to_string() };
    within(cfg.timeouts.tls, || format!("asking {host} about {}", version.name()), async {
        tcp.write_all(&client_hello(version, host)).await.map_err(io)?;
        let mut header = [0u8; 5];
        if let Err(e) = tcp.read_exact(&mut header).await {
            return Ok(Reply::Refused { how: format!("the server closed the connection ({e})") });
        }
        // One record at most (2^14 bytes plus expansion), and only what we need of it.
        let len = usize::from(u16::from_be_bytes([header[3], header[4]])).min(16 * 1024 + 2048);
        let mut fragment = vec![0u8; len.min(64)];
        if tcp.read_exact(&mut fragment).await.is_err() && header[0] != 0x15 {
            return Ok(Reply::Refused { how: "the server closed the connection mid-answer".into() });
        }
        Ok(read_reply(version, header, &fragment))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hello_is_well_formed() {
        let hello = client_hello(Legacy::Tls10, "old.test");
        assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        assert_eq!(usize::from(u16::from_be_bytes([hello[3], hello[4]])), hello.len() - 5, "record length");
        assert_eq!(hello[5], 0x01, "ClientHello");
        assert_eq!(hello[6..9], ((hello.len() - 9) as u32).to_be_bytes()[1..], "handshake length");
        assert_eq!(&hello[9..11], &[0x03, 0x01], "offers TLS 1.0");
        assert!(hello.windows(8).any(|w| w == b"old.test"), "carries the server name");
        let by_ip = client_hello(Legacy::Tls11, "127.0.0.1");
        assert!(!by_ip.windows(9).any(|w| w == b"127.0.0.1"), "no SNI for an address");
        assert_eq!(&by_ip[9..11], &[0x03, 0x02]);
    }

    #[test]
    fn answers_are_read() {
        let hello = |v: [u8; 2]| [0x02, 0, 0, 70, v[0], v[1]];
        assert_eq!(read_reply(Legacy::Tls10, [0x16, 3, 1, 0, 6], &hello([3, 1])), Reply::Accepted);
        assert!(matches!(read_reply(Legacy::Tls10, [0x16, 3, 3, 0, 6], &hello([3, 3])), Reply::Refused { .. }));
        let alert = read_reply(Legacy::Tls11, [0x15, 3, 2, 0, 2], &[2, 70]);
        assert_eq!(alert, Reply::Refused { how: "alert 70 (protocol version)".into() });
        assert!(matches!(read_reply(Legacy::Tls10, [0x17, 3, 1, 0, 1], &[0]), Reply::Refused { .. }));
        assert!(matches!(read_reply(Legacy::Tls10, [0x16, 3, 1, 0, 2], &[2, 0]), Reply::Refused { .. }));
    }
}
