//! A small mail server on loopback that speaks just enough SMTP for the STARTTLS check: a greeting,
//! EHLO (listing STARTTLS when it is on), STARTTLS with a certificate from the testbed CA, QUIT.
//!
//! Started with [`SmtpServer::receiving`], it also takes mail (MAIL, RCPT, DATA, up to 1 MiB) and
//! hands each message to a [`MailDrop`] per recipient, a `Received:` and an honest
//! `Authentication-Results:` (it checks nothing: `none`) on top, as a receiving server adds them.
//! Otherwise anything else gets `502`. The probe was also run once by hand against
//! Debian's exim4 4.96: that found exim refusing a TLS handshake offering HTTP protocols (ALPN), which
//! this server now refuses too, so the tests would catch it.

use crate::imap::MailDrop;
use crate::pki::{CertKind, TestCa};
use crate::web::WebError;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// The running server; it stops when dropped.
#[derive(Debug)]
pub struct SmtpServer {
    pub addr: SocketAddr,
    cancel: CancellationToken,
}

#[derive(Debug)]
struct ByName(HashMap<String, Arc<CertifiedKey>>);

impl ResolvesServerCert for ByName {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.get(&hello.server_name()?.to_ascii_lowercase()).cloned()
    }
}

impl SmtpServer {
    /// Serves the mail hosts `names`; with `starttls` off, EHLO does not offer it (plain-text mail).
    pub async fn start(ca: &TestCa, names: &[String], starttls: bool) -> Result<SmtpServer, WebError> {
        SmtpServer::serve(ca, names, starttls, None).await
    }

    /// A receiving server for `names` (STARTTLS offered) that hands each accepted message to `drop`.
    pub async fn receiving(ca: &TestCa, names: &[String], drop: MailDrop) -> Result<SmtpServer, WebError> {
        SmtpServer::serve(ca, names, true, Some(drop)).await
    }

    async fn serve(ca: &TestCa, names: &[String], starttls: bool, drop: Option<MailDrop>) -> Result<SmtpServer, WebError> {
        // Like exim: a client that offers only HTTP protocols (ALPN) after STARTTLS is refused.
        let acceptor = acceptor(ca, names, b"smtp")?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let server = SmtpServer { addr: listener.local_addr()?, cancel: CancellationToken::new() };
        crate::accept::until_cancelled(listener, server.cancel.clone(), move |tcp| session(tcp, acceptor.clone(), starttls, drop.clone()));
        Ok(server)
    }
}

/// A TLS acceptor presenting a certificate from `ca` for each of `names` (by SNI), which refuses a
/// client whose ALPN list lacks `alpn`.
pub(crate) fn acceptor(ca: &TestCa, names: &[String], alpn: &[u8]) -> Result<TlsAcceptor, WebError> {
    let provider = rustls::crypto::ring::default_provider();
    let mut keys = HashMap::new();
    for name in names {
        let issued = ca.issue(name, &CertKind::Valid)?;
        let signer = provider.key_provider.load_private_key(issued.key)?;
        keys.insert(name.to_ascii_lowercase(), Arc::new(CertifiedKey::new(issued.chain, signer)));
    }
    let mut tls = ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(ByName(keys)));
    tls.alpn_protocols = vec![alpn.to_vec()];
    Ok(TlsAcceptor::from(Arc::new(tls)))
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// One plain-text conversation, upgraded to TLS on STARTTLS.
async fn session(tcp: tokio::net::TcpStream, acceptor: TlsAcceptor, starttls: bool, drop: Option<MailDrop>) {
    let mut io = BufReader::new(tcp);
    if io.get_mut().write_all(b"220 mx.testbed ESMTP Preflight testbed\r\n").await.is_err() {
        return;
    }
    if converse(&mut io, starttls, drop.as_ref()).await {
        // Nothing may be buffered past the STARTTLS line: the client waits for our 220.
        if let Ok(tls) = acceptor.accept(io.into_inner()).await {
            converse(&mut BufReader::new(tls), false, drop.as_ref()).await;
        }
    }
}

/// The largest message taken.
const MAX_MESSAGE: usize = 1 << 20;

/// Answers EHLO (offering STARTTLS when asked to), QUIT, and with a drop MAIL, RCPT and DATA,
/// until the client leaves (false) or asks for STARTTLS after it was offered (true, once the 220
/// is sent).
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(io: &mut BufReader<S>, offer_starttls: bool, drop: Option<&MailDrop>) -> bool {
    let mut line = String::new();
    let mut rcpts: Vec<String> = Vec::new();
    loop {
        line.clear();
        match io.read_line(&mut line).await {
            Ok(0) | Err(_) => return false,
            Ok(_) => {}
        }
        let cmd = line.trim().to_ascii_uppercase();
        let reply: Vec<u8> = if cmd.starts_with("EHLO") && offer_starttls {
            b"250-mx.testbed\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n".to_vec()
        } else if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            b"250-mx.testbed\r\n250-PIPELINING\r\n250 8BITMIME\r\n".to_vec()
        } else if cmd == "STARTTLS" && offer_starttls {
            return io.get_mut().write_all(b"220 2.0.0 Ready to start TLS\r\n").await.is_ok();
        } else if cmd == "QUIT" {
            let _ = io.get_mut().write_all(b"221 2.0.0 Bye\r\n").await;
            return false;
        } else if drop.is_some() && cmd.starts_with("MAIL FROM:") {
            rcpts.clear();
            b"250 2.1.0 Ok\r\n".to_vec()
        } else if drop.is_some() && cmd.starts_with("RCPT TO:") {
            let to = line.trim()[8..].trim().trim_start_matches('<').split('>').next().unwrap_or_default().to_owned();
            rcpts.push(to);
            b"250 2.1.5 Ok\r\n".to_vec()
        } else if let (Some(drop), "DATA") = (drop, cmd.as_str()) {
            if io.get_mut().write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await.is_err() {
                return false;
            }
            let Some(message) = data(io).await else { return false };
            let stamped = stamp(&message);
            let delivered = rcpts.iter().all(|r| (drop.0)(r, &stamped).is_ok());
            rcpts.clear();
            if delivered {
                b"250 2.0.0 Ok: queued\r\n".to_vec()
            } else {
                b"550 5.1.1 No such mailbox\r\n".to_vec()
            }
        } else {
            b"502 5.5.2 Not implemented\r\n".to_vec()
        };
        if io.get_mut().write_all(&reply).await.is_err() {
            return false;
        }
    }
}

/// The message after DATA, dot-stuffing undone; `None` when the client left or sent too much.
async fn data<S: AsyncRead + AsyncWrite + Unpin>(io: &mut BufReader<S>) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if io.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(message);
        }
        let body = if line.starts_with(b"..") { &line[1..] } else { &line[..] };
        message.extend_from_slice(body);
        if message.len() > MAX_MESSAGE {
            return None;
        }
    }
}

/// What a receiving server adds on top: where it came in, and that nothing was verified.
fn stamp(message: &[u8]) -> Vec<u8> {
    let mut out =
        b"Received: from client by mx.testbed with ESMTP\r\nAuthentication-Results: mx.testbed; spf=none; dkim=none; dmarc=none\r\n"
            .to_vec();
    out.extend_from_slice(message);
    out
}
