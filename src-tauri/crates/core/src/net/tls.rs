//! TLS: a strict client for requests, and an inspecting handshake for audits.
//!
//! The inspecting handshake completes even when the certificate is bad, because "expired 3 days
//! ago" and "issued for staging.acme.com" are what a founder needs to hear, and a refused handshake
//! tells neither. It records the real verdict and is only ever used to read the certificate: no
//! request, and so no secret, is ever sent over it. Requests use the strict client.

use super::cert::CertSummary;
use super::config::NetConfig;
use super::error::{within, NetError};
use super::trust::provider;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// Why a certificate would make a browser show a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CertProblem {
    Expired,
    NotYetValid,
    /// The certificate does not cover the name that was asked for.
    WrongName,
    /// Not issued by an authority browsers trust (self-signed, private CA, missing intermediate).
    UntrustedIssuer,
    Revoked,
    Other {
        reason: String,
    },
}

impl CertProblem {
    fn from_rustls(e: &rustls::Error) -> CertProblem {
        match e {
            rustls::Error::InvalidCertificate(c) => match c {
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => CertProblem::Expired,
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => CertProblem::NotYetValid,
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => CertProblem::WrongName,
                CertificateError::UnknownIssuer | CertificateError::BadSignature => CertProblem::UntrustedIssuer,
                CertificateError::Revoked => CertProblem::Revoked,
                other => CertProblem::Other { reason: format!("{other:?}") },
            },
            other => CertProblem::Other { reason: other.to_string() },
        }
    }
}

/// What an inspecting handshake learned.
#[derive(Debug, Clone, Serialize)]
pub struct TlsInspection {
    /// The verdict at the current time: `None` means a browser would accept it.
    pub problem: Option<CertProblem>,
    /// The verdict ignoring dates: tells "expired but otherwise fine" from "expired and wrong".
    pub problem_ignoring_time: Option<CertProblem>,
    /// Leaf first.
    pub chain: Vec<CertSummary>,
    pub protocol: String,
    pub cipher: String,
    /// The application protocol the server chose from `h2` and `http/1.1` (ALPN); `None` when it
    /// chose none, which browsers take as HTTP/1.1.
    pub alpn: Option<String>,
    pub handshake_ms: u64,
}

fn client_config(verifier: Arc<dyn ServerCertVerifier>) -> Result<ClientConfig, NetError> {
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| NetError::Tls { host: "(setup)".into(), reason: e.to_string() })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// What an inspecting handshake with a web server offers (ALPN): HTTP/2 and HTTP/1.1.
pub const HTTP_ALPN: &[&[u8]] = &[b"h2", b"http/1.1"];

/// A connector that refuses any certificate a browser would refuse.
pub fn strict_connector(verifier: Arc<WebPkiServerVerifier>) -> Result<TlsConnector, NetError> {
    let v: Arc<dyn ServerCertVerifier> = verifier;
    Ok(TlsConnector::from(Arc::new(client_config(v)?)))
}

/// [`strict_connector`] offering `alpn` instead of HTTP/1.1 (nothing for a mail server).
pub fn strict_connector_offering(verifier: Arc<WebPkiServerVerifier>, alpn: &[&[u8]]) -> Result<TlsConnector, NetError> {
    let v: Arc<dyn ServerCertVerifier> = verifier;
    let mut config = client_config(v)?;
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Runs a TLS handshake over `tcp` with `connector`, within the config's TLS deadline.
pub async fn handshake(cfg: &NetConfig, connector: &TlsConnector, host: &str, tcp: TcpStream) -> Result<TlsStream<TcpStream>, NetError> {
    let name = ServerName::try_from(host.to_owned()).map_err(|e| NetError::BadUrl { url: host.to_owned(), reason: e.to_string() })?;
    within(cfg.timeouts.tls, || format!("the secure handshake with {host}"), async {
        connector.connect(name, tcp).await.map_err(|e| NetError::Tls { host: host.to_owned(), reason: e.to_string() })
    })
    .await
}

/// Completes a handshake for `host` over `tcp` whatever the certificate, and reports on it.
/// `alpn` is what the connection offers: `HTTP_ALPN` for a web server; nothing for a mail server
/// (exim, for one, refuses a handshake that offers HTTP protocols after STARTTLS).
pub async fn inspect(
    cfg: &NetConfig,
    verifier: Arc<WebPkiServerVerifier>,
    host: &str,
    tcp: TcpStream,
    alpn: &[&[u8]],
) -> Result<TlsInspection, NetError> {
    let recorder = Arc::new(Recording { inner: verifier, verdicts: Mutex::new(None) });
    let mut config = client_config(recorder.clone())?;
    // Offered here only: nothing is sent over this connection, so asking costs nothing and tells
    // whether the server speaks HTTP/2 (requests themselves stay on HTTP/1.1).
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let connector = TlsConnector::from(Arc::new(config));
    let started = Instant::now();
    let stream = handshake(cfg, &connector, host, tcp).await?;
    let handshake_ms = started.elapsed().as_millis() as u64;
    let (_, conn) = stream.get_ref();
    let chain = conn.peer_certificates().unwrap_or_default().iter().filter_map(|c| CertSummary::from_der(c)).collect();
    let protocol = conn.protocol_version().map(|v| format!("{v:?}")).unwrap_or_default();
    let cipher = conn.negotiated_cipher_suite().map(|c| format!("{:?}", c.suite())).unwrap_or_default();
    let alpn = conn.alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned());
    let (problem, problem_ignoring_time) = recorder
        .verdicts
        .lock()
        .map(|g| g.clone())
        .unwrap_or_default()
        .unwrap_or((Some(CertProblem::Other { reason: "the server sent no certificate".into() }), None));
    Ok(TlsInspection { problem, problem_ignoring_time, chain, protocol, cipher, alpn, handshake_ms })
}

/// Verifies like a browser, writes the verdict down, and lets the handshake finish regardless.
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    /// (verdict now, verdict at a moment inside the certificate's validity)
    verdicts: Mutex<Option<(Option<CertProblem>, Option<CertProblem>)>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = |at: UnixTime| {
            self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp, at).err().map(|e| CertProblem::from_rustls(&e))
        };
        let now_verdict = verdict(now);
        let timeless = match now_verdict {
            Some(CertProblem::Expired | CertProblem::NotYetValid) => CertSummary::from_der(end_entity).and_then(|leaf| {
                let mid = leaf.not_before + (leaf.not_after - leaf.not_before) / 2;
                u64::try_from(mid).ok().map(|s| verdict(UnixTime::since_unix_epoch(Duration::from_secs(s))))
            }),
            ref other => Some(other.clone()),
        }
        .flatten();
        if let Ok(mut slot) = self.verdicts.lock() {
            *slot = Some((now_verdict, timeless));
        }
        Ok(ServerCertVerified::assertion())
    }

    // The handshake signature is let through whatever it is, like the certificate: a 1024-bit RSA
    // key fails here, and "the key is too weak" (tls.cert.strength) is what the founder needs to
    // hear, which a refused handshake would hide. Nothing is ever sent over this connection.
    fn verify_tls12_signature(
        &self,
        _m: &[u8],
        _c: &CertificateDer<'_>,
        _d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _m: &[u8],
        _c: &CertificateDer<'_>,
        _d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
