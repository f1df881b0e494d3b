//! Peers that misbehave on purpose, below HTTP and TLS: what a broken or hostile server does to a
//! client that trusts it. Each is a raw TCP listener on loopback; tests send one name's traffic to it
//! with a connect-to override and check the audit still ends, within its deadlines, in bounded memory.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// How the server misbehaves on every connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misbehaviour {
    /// Accepts and never says a word: a TLS handshake or an HTTP answer that never comes.
    Silent,
    /// Answers with bytes that are neither TLS nor HTTP.
    Garbage,
    /// Sends a valid HTTP status line one byte a second.
    Trickle,
    /// Sends 10 MB of response headers.
    HugeHeaders,
    /// A small gzip body that would inflate to 64 MiB, labelled `Content-Encoding: gzip`.
    GzipBomb,
}

/// A running misbehaving server; stops when dropped.
#[derive(Debug)]
pub struct HostileServer {
    pub addr: SocketAddr,
    cancel: CancellationToken,
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl HostileServer {
    pub async fn start(kind: Misbehaviour) -> std::io::Result<HostileServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let cancel = CancellationToken::new();
        let bomb = if kind == Misbehaviour::GzipBomb { gzip_of_zeros(64 << 20)? } else { Vec::new() };
        let bomb = std::sync::Arc::new(bomb);
        crate::accept::until_cancelled(listener, cancel.clone(), move |tcp| {
            let bomb = bomb.clone();
            async move {
                let _ = misbehave(tcp, kind, &bomb).await;
            }
        });
        Ok(HostileServer { addr, cancel })
    }
}

fn gzip_of_zeros(len: usize) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..len / chunk.len() {
        enc.write_all(&chunk)?;
    }
    enc.finish()
}

async fn misbehave(mut tcp: TcpStream, kind: Misbehaviour, bomb: &[u8]) -> std::io::Result<()> {
    let mut sink = [0u8; 4096];
    match kind {
        Misbehaviour::Silent => loop {
            if tcp.read(&mut sink).await? == 0 {
                return Ok(());
            }
        },
        Misbehaviour::Garbage => {
            let _ = tcp.read(&mut sink).await?;
            let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80).collect();
            tcp.write_all(&noise).await?;
            loop {
                if tcp.read(&mut sink).await? == 0 {
                    return Ok(());
                }
            }
        }
        Misbehaviour::Trickle => {
            let _ = tcp.read(&mut sink).await?;
            for b in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" {
                tcp.write_all(&[*b]).await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Ok(())
        }
        Misbehaviour::HugeHeaders => {
            let _ = tcp.read(&mut sink).await?;
            tcp.write_all(b"HTTP/1.1 200 OK\r\n").await?;
            let line = format!("x-pad: {}\r\n", "a".repeat(1017));
            for _ in 0..10 * 1024 {
                tcp.write_all(line.as_bytes()).await?;
            }
            tcp.write_all(b"\r\n").await
        }
        Misbehaviour::GzipBomb => {
            let _ = tcp.read(&mut sink).await?;
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n", bomb.len());
            tcp.write_all(head.as_bytes()).await?;
            tcp.write_all(bomb).await
        }
    }
}
