//! One DNS question asked directly, with the DNSSEC bits the engine's resolver does not set.
//!
//! The resolver keeps only the records of the type asked and never asks for signatures, so the
//! DNSSEC check asks the same servers itself: DO set (send the RRSIGs), CD set (a validating
//! resolver hands over a broken chain's data instead of SERVFAIL, so the break can be named). UDP
//! first, with a 1232-byte EDNS buffer, then TCP when the answer is truncated; each try within the
//! DNS deadline, the whole question within twice the deadline for each server.

use super::error::NetError;
use super::Net;
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, Record, RecordType};
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// The EDNS buffer size every DNS flag day since 2020 recommends.
const EDNS_PAYLOAD: u16 = 1232;

/// Every record of the answer section (the records asked for and their signatures), from the first
/// server that answers.
pub async fn ask(net: &Net, name: &str, rtype: RecordType) -> Result<Vec<Record>, NetError> {
    let failed = |reason: String| NetError::DnsFailed { name: name.to_owned(), reason };
    let fqdn = Name::from_ascii(format!("{}.", name.trim_end_matches('.'))).map_err(|e| failed(e.to_string()))?;
    let servers = servers(net).map_err(failed)?;
    let deadline = net.config().timeouts.dns;
    let mut last = failed("no DNS server is configured".into());
    for server in servers {
        match tokio::time::timeout(deadline * 2, one(server, &fqdn, rtype, deadline)).await {
            Ok(Ok(m)) if matches!(m.response_code(), ResponseCode::NoError | ResponseCode::NXDomain) => {
                return Ok(m.answers().to_vec());
            }
            Ok(Ok(m)) => last = failed(format!("{server} answered {}", m.response_code())),
            Ok(Err(reason)) => last = failed(format!("{server}: {reason}")),
            Err(_) => last = NetError::Timeout { what: format!("the DNS server {server}"), after: deadline * 2 },
        }
    }
    Err(last)
}

/// The servers the engine's resolver asks: the configured ones, else the operating system's.
fn servers(net: &Net) -> Result<Vec<SocketAddr>, String> {
    let configured = &net.config().nameservers;
    if !configured.is_empty() {
        return Ok(configured.clone());
    }
    let (cfg, _) = hickory_resolver::system_conf::read_system_conf().map_err(|e| format!("this computer's DNS settings: {e}"))?;
    let mut out: Vec<SocketAddr> = cfg.name_servers().iter().map(|ns| ns.socket_addr).collect();
    out.dedup();
    Ok(out)
}

async fn one(server: SocketAddr, name: &Name, rtype: RecordType, deadline: Duration) -> Result<Message, String> {
    let id = (std::collections::hash_map::RandomState::new().build_hasher().finish() & 0xffff) as u16;
    let mut query = Message::new();
    query.set_id(id).set_message_type(MessageType::Query).set_op_code(OpCode::Query);
    query.set_recursion_desired(true).set_checking_disabled(true);
    query.add_query(Query::query(name.clone(), rtype));
    let mut edns = Edns::new();
    edns.set_max_payload(EDNS_PAYLOAD).set_dnssec_ok(true);
    query.set_edns(edns);
    let wire = query.to_vec().map_err(|e| e.to_string())?;
    let answer = udp(server, &wire, id, deadline).await?;
    if !answer.truncated() {
        return Ok(answer);
    }
    tcp(server, &wire, id, deadline).await
}

async fn udp(server: SocketAddr, wire: &[u8], id: u16, deadline: Duration) -> Result<Message, String> {
    let local: SocketAddr = if server.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
    let socket = UdpSocket::bind(local).await.map_err(|e| e.to_string())?;
    socket.connect(server).await.map_err(|e| e.to_string())?;
    socket.send(wire).await.map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; usize::from(EDNS_PAYLOAD).max(4096)];
    // Answers to other questions (a late one, a spoofed one) are dropped, not taken for ours.
    loop {
        let n = tokio::time::timeout(deadline, socket.recv(&mut buf))
            .await
            .map_err(|_| "no answer in time".to_owned())?
            .map_err(|e| e.to_string())?;
        if let Ok(m) = Message::from_vec(&buf[..n]) {
            if m.id() == id {
                return Ok(m);
            }
        }
    }
}

async fn tcp(server: SocketAddr, wire: &[u8], id: u16, deadline: Duration) -> Result<Message, String> {
    let exchange = async {
        let mut stream = TcpStream::connect(server).await.map_err(|e| e.to_string())?;
        let len = u16::try_from(wire.len()).map_err(|_| "question too long".to_owned())?;
        stream.write_all(&len.to_be_bytes()).await.map_err(|e| e.to_string())?;
        stream.write_all(wire).await.map_err(|e| e.to_string())?;
        let mut len = [0u8; 2];
        stream.read_exact(&mut len).await.map_err(|e| e.to_string())?;
        // A length prefix bounds the answer to 64 KiB.
        let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
        stream.read_exact(&mut buf).await.map_err(|e| e.to_string())?;
        Message::from_vec(&buf).map_err(|e| e.to_string())
    };
    let m = tokio::time::timeout(deadline, exchange).await.map_err(|_| "no answer over TCP in time".to_owned())??;
    if m.id() != id {
        return Err("an answer to another question".into());
    }
    Ok(m)
}
