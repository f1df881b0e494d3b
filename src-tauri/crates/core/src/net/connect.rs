//! Opening TCP connections the way a browser does: every address of a name, Happy Eyeballs style.
//!
//! RFC 8305: addresses are tried IPv6 and IPv4 interleaved, a new attempt starts every 250 ms (or at
//! once when the previous one fails) and the first to connect wins; the others are dropped. So an
//! IPv6-only host, or one whose first address is dead, is judged on what a visitor's browser would
//! reach rather than on whichever address DNS listed first. Each attempt has the connect deadline.

use super::error::NetError;
use futures::stream::{FuturesUnordered, StreamExt};
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::TcpStream;

/// RFC 8305's recommended "Connection Attempt Delay".
pub const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// Where a connection goes: the addresses to try, in the order DNS gave them, and the port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub addrs: Vec<IpAddr>,
    pub port: u16,
}

/// RFC 8305 §4: alternate the families, starting with the family of the first address.
pub fn interleave(addrs: &[IpAddr]) -> Vec<IpAddr> {
    let Some(first) = addrs.first() else { return Vec::new() };
    let (mut same, mut other): (Vec<_>, Vec<_>) = addrs.iter().copied().partition(|a| a.is_ipv6() == first.is_ipv6());
    same.reverse();
    other.reverse();
    let mut out = Vec::with_capacity(addrs.len());
    while let Some(a) = same.pop() {
        out.push(a);
        if let Some(b) = other.pop() {
            out.push(b);
        }
    }
    out.extend(other.into_iter().rev());
    out
}

async fn attempt(addr: SocketAddr, deadline: Duration) -> Result<(TcpStream, SocketAddr), (SocketAddr, Option<std::io::Error>)> {
    match tokio::time::timeout(deadline, TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => Ok((stream, addr)),
        Ok(Err(e)) => Err((addr, Some(e))),
        Err(_) => Err((addr, None)),
    }
}

/// Connects to `host` (named in errors) at the route's addresses; returns the stream and the
/// address that answered first.
pub async fn happy_eyeballs(host: &str, route: &Route, deadline: Duration) -> Result<(TcpStream, SocketAddr), NetError> {
    let order = interleave(&route.addrs);
    let mut queue = order.iter().map(|ip| SocketAddr::new(*ip, route.port));
    let mut running = FuturesUnordered::new();
    let mut failures: Vec<(SocketAddr, Option<std::io::Error>)> = Vec::new();
    match queue.next() {
        Some(first) => running.push(attempt(first, deadline)),
        None => return Err(NetError::NoRecords(host.to_owned())),
    }
    loop {
        let stagger = tokio::time::sleep(ATTEMPT_DELAY);
        tokio::pin!(stagger);
        tokio::select! {
            done = running.next() => match done {
                Some(Ok((stream, addr))) => {
                    // Small requests, latency-sensitive timings: do not wait to coalesce.
                    let _ = stream.set_nodelay(true);
                    return Ok((stream, addr));
                }
                Some(Err(failure)) => {
                    failures.push(failure);
                    if let Some(next) = queue.next() {
                        running.push(attempt(next, deadline));
                    } else if running.is_empty() {
                        return Err(summarize(host, route.port, failures, deadline));
                    }
                }
                None => return Err(summarize(host, route.port, failures, deadline)),
            },
            () = &mut stagger => {
                if let Some(next) = queue.next() {
                    running.push(attempt(next, deadline));
                }
            }
        }
    }
}

/// One error for all failed attempts: a refusal says most (something answered), then a timeout
/// (nothing answered in time: inconclusive), then whatever else happened.
fn summarize(host: &str, port: u16, failures: Vec<(SocketAddr, Option<std::io::Error>)>, deadline: Duration) -> NetError {
    let tried = failures.iter().map(|(a, _)| a.to_string()).collect::<Vec<_>>().join(", ");
    let addr = format!("{host}:{port}");
    let refused = failures
        .iter()
        .any(|(_, e)| e.as_ref().is_some_and(|e| matches!(e.kind(), ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset)));
    if refused {
        return NetError::Refused { addr };
    }
    if failures.iter().all(|(_, e)| e.is_none()) {
        return NetError::Timeout { what: format!("connecting to {addr} (tried {tried})"), after: deadline };
    }
    let reason = failures.iter().find_map(|(_, e)| e.as_ref().map(ToString::to_string)).unwrap_or_default();
    NetError::Unreachable { addr, reason: format!("{reason} (tried {tried})") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn families_alternate_starting_with_the_first() {
        let v4 = |n| IpAddr::V4(Ipv4Addr::new(127, 0, 0, n));
        let v6 = |n| IpAddr::V6(Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, n));
        assert_eq!(interleave(&[v6(1), v6(2), v4(1), v4(2), v4(3)]), vec![v6(1), v4(1), v6(2), v4(2), v4(3)]);
        assert_eq!(interleave(&[v4(1), v4(2)]), vec![v4(1), v4(2)]);
    }

    #[tokio::test]
    async fn a_dead_first_address_does_not_hide_a_live_second_one() {
        let live = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = live.local_addr().expect("addr").port();
        // 127.0.0.2 has nothing listening on that port: refused at once, then the live one answers.
        let route = Route { addrs: vec!["127.0.0.2".parse().expect("ip"), "127.0.0.1".parse().expect("ip")], port };
        let (_, used) = happy_eyeballs("two.test", &route, Duration::from_secs(2)).await.expect("the live address answers");
        assert_eq!(used.ip(), "127.0.0.1".parse::<IpAddr>().expect("ip"), "judged on the address that works");
    }

    #[tokio::test]
    async fn when_every_address_refuses_the_error_says_refused() {
        let spare = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = spare.local_addr().expect("addr").port();
        drop(spare);
        let route = Route { addrs: vec!["127.0.0.1".parse().expect("ip")], port };
        let err = happy_eyeballs("dead.test", &route, Duration::from_secs(2)).await.expect_err("nothing listens");
        assert!(matches!(err, NetError::Refused { .. }), "got {err:?}");
    }
}
