//! Asking a mail server whether it encrypts: greeting, EHLO, STARTTLS, then the inspecting TLS
//! handshake the web checks use.
//!
//! Only that: no MAIL FROM, no message, and the connection is dropped after the handshake. Lines are
//! read one at a time up to a bound, every step within its deadline, so a server that trickles or
//! never greets ends in an error, never a hang.

use super::config::NetConfig;
use super::error::{within, NetError};
use super::tls::{self, TlsInspection};
use rustls::client::WebPkiServerVerifier;
use serde::Serialize;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest SMTP reply line read.
const MAX_LINE: usize = 1024;
/// The most lines of one reply read (EHLO lists extensions, one per line).
const MAX_LINES: usize = 64;

/// What a mail server said.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    /// The greeting line (`220 mx.acme.com ESMTP …`).
    pub banner: String,
    /// Whether EHLO listed STARTTLS.
    pub offers_starttls: bool,
    /// The certificate handshake after STARTTLS, when it was offered and accepted.
    pub tls: Option<TlsInspection>,
    /// Why STARTTLS did not go through, when it was offered.
    pub starttls_error: Option<String>,
}

/// Where the conversation stopped, when it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Connect,
    Greeting,
    Ehlo,
}

/// Reads one SMTP reply (all its lines) and returns its code and lines.
async fn reply(tcp: &mut TcpStream, host: &str) -> Result<(u16, Vec<String>), NetError> {
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        loop {
            let mut byte = [0u8; 1];
            let n = tcp.read(&mut byte).await.map_err(|e| NetError::Protocol { host: host.to_owned(), reason: e.to_string() })?;
            if n == 0 {
                return Err(NetError::Protocol { host: host.to_owned(), reason: "the mail server closed the connection".into() });
            }
            if byte[0] == b'\n' {
                break;
            }
            if line.len() >= MAX_LINE {
                return Err(NetError::Protocol { host: host.to_owned(), reason: format!("a reply line over {MAX_LINE} bytes") });
            }
            line.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&line).trim_end_matches('\r').to_owned();
        let code = text
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| NetError::Protocol { host: host.to_owned(), reason: format!("not an SMTP reply: {text:?}") })?;
        let last = text.as_bytes().get(3) != Some(&b'-');
        lines.push(text);
        if last {
            return Ok((code, lines));
        }
        if lines.len() >= MAX_LINES {
            return Err(NetError::Protocol { host: host.to_owned(), reason: format!("a reply of over {MAX_LINES} lines") });
        }
    }
}

/// Greets `host` over `tcp`, asks for STARTTLS and inspects the certificate it then presents.
pub async fn probe(
    cfg: &NetConfig,
    verifier: Arc<WebPkiServerVerifier>,
    host: &str,
    mut tcp: TcpStream,
) -> Result<Probe, (Stage, NetError)> {
    let step = cfg.timeouts.tls;
    let (code, greeting) = within(step, || format!("the greeting of the mail server {host}"), reply(&mut tcp, host))
        .await
        .map_err(|e| (Stage::Greeting, e))?;
    let banner = greeting.first().cloned().unwrap_or_default();
    if code != 220 {
        return Err((
            Stage::Greeting,
            NetError::Protocol { host: host.to_owned(), reason: format!("it greeted with {banner:?} instead of 220") },
        ));
    }
    let ehlo = async {
        tcp.write_all(b"EHLO preflight.invalid\r\n")
            .await
            .map_err(|e| NetError::Protocol { host: host.to_owned(), reason: e.to_string() })?;
        reply(&mut tcp, host).await
    };
    let (code, lines) = within(step, || format!("EHLO to {host}"), ehlo).await.map_err(|e| (Stage::Ehlo, e))?;
    if code != 250 {
        return Err((
            Stage::Ehlo,
            NetError::Protocol { host: host.to_owned(), reason: format!("it answered EHLO with {}", lines.join(" / ")) },
        ));
    }
    let offers_starttls = lines.iter().any(|l| l.get(4..).is_some_and(|ext| ext.trim().eq_ignore_ascii_case("STARTTLS")));
    let mut out = Probe { banner, offers_starttls, tls: None, starttls_error: None };
    if !offers_starttls {
        return Ok(out);
    }
    let start = async {
        tcp.write_all(b"STARTTLS\r\n").await.map_err(|e| NetError::Protocol { host: host.to_owned(), reason: e.to_string() })?;
        reply(&mut tcp, host).await
    };
    match within(step, || format!("STARTTLS with {host}"), start).await {
        Ok((220, _)) => match tls::inspect(cfg, verifier, host, tcp, &[]).await {
            Ok(inspection) => out.tls = Some(inspection),
            Err(e) => out.starttls_error = Some(e.to_string()),
        },
        Ok((code, lines)) => out.starttls_error = Some(format!("it refused STARTTLS ({code}: {})", lines.join(" / "))),
        Err(e) => out.starttls_error = Some(e.to_string()),
    }
    Ok(out)
}
