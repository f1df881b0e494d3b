//! Opening TCP connections the way every check must: through connect-to overrides, our own
//! resolver, and a deadline.

use super::config::NetConfig;
use super::error::{within, NetError};
use super::resolve::Resolver;
use std::io::ErrorKind;
use std::net::SocketAddr;
use tokio::net::TcpStream;

/// Connects to `host:port`, returning the stream and the address actually used.
pub async fn tcp(cfg: &NetConfig, resolver: &Resolver, host: &str, port: u16) -> Result<(TcpStream, SocketAddr), NetError> {
    let (to_host, to_port) = cfg.route(host, port);
    let ip = resolver.first_address(&to_host).await?;
    let addr = SocketAddr::new(ip, to_port);
    let stream = within(cfg.timeouts.connect, || format!("connecting to {host}:{port}"), async {
        TcpStream::connect(addr).await.map_err(|e| match e.kind() {
            ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset => NetError::Refused { addr: format!("{host}:{port}") },
            _ => NetError::Unreachable { addr: format!("{host}:{port}"), reason: e.to_string() },
        })
    })
    .await?;
    // Small requests, latency-sensitive timings: do not wait to coalesce.
    let _ = stream.set_nodelay(true);
    Ok((stream, addr))
}
