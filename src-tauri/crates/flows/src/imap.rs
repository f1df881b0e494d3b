//! Just enough IMAP (RFC 3501) to see whether a message arrived: log in over TLS, open the inbox
//! read-only (`EXAMINE`: nothing is marked read, moved or deleted), search by UID and recipient,
//! fetch a message's few headers and the start of its text with `BODY.PEEK`, log out.
//!
//! Every command has a deadline and every answer a size bound; a literal (`{N}`) larger than the
//! bound ends the conversation with words, never an allocation of N bytes.

use preflight_core::Net;
use preflight_vault::Sensitive;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// One command and its answer end within this.
const STEP: Duration = Duration::from_secs(20);
/// The longest line read (a literal's bytes are counted apart).
const MAX_LINE: usize = 16 * 1024;
/// All the bytes of one answer, literals included.
const MAX_ANSWER: usize = 512 * 1024;
/// The most of a message's text fetched.
pub const MAX_TEXT: usize = 256 * 1024;

/// What a line of an answer holds: text, and the literals it announced, in order.
#[derive(Debug, Default)]
struct Line {
    text: String,
    literals: Vec<Vec<u8>>,
}

/// A message, as much as the flow reads of it.
#[derive(Debug, Default, Clone)]
pub struct Fetched {
    /// The header fields asked for, raw.
    pub header: Vec<u8>,
    /// The start of the text (after the header), raw.
    pub text: Vec<u8>,
}

/// An open, logged-in, read-only inbox.
pub struct Mailbox {
    io: BufReader<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>,
    _permit: tokio::sync::OwnedSemaphorePermit,
    tag: u32,
    host: String,
    /// The UID the next message will get (from EXAMINE).
    pub uid_next: u32,
}

impl std::fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailbox").field("host", &self.host).field("uid_next", &self.uid_next).finish_non_exhaustive()
    }
}

/// An IMAP quoted string, when `s` can be one (no CR, LF or NUL).
fn quoted(s: &str) -> Option<String> {
    if s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return None;
    }
    Some(format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
}

impl Mailbox {
    /// Connects to `host:port` over TLS (its certificate held to a browser's rules), logs in as
    /// `user` and examines INBOX.
    pub async fn open(net: &Net, host: &str, port: u16, user: &Sensitive<String>, password: &Sensitive<String>) -> Result<Mailbox, String> {
        let conn = net.open_tls(host, port).await.map_err(|e| format!("could not reach the mailbox at {host}: {e}"))?;
        let (stream, permit) = conn.into_parts();
        let mut m = Mailbox { io: BufReader::new(stream), _permit: permit, tag: 0, host: host.to_owned(), uid_next: 0 };
        let greeting = m.line_within().await?;
        if !greeting.text.starts_with("* OK") && !greeting.text.starts_with("* PREAUTH") {
            return Err(format!("the mailbox at {host} greeted with {:?} instead of OK", shorten(&greeting.text)));
        }
        let (Some(u), Some(p)) = (quoted(user.expose()), quoted(password.expose())) else {
            return Err("the mailbox's user or password holds a line break, which IMAP cannot send".into());
        };
        let login = Sensitive::new(format!("LOGIN {u} {p}"));
        let (ok, _, last) = m.command(login.expose()).await?;
        if !ok {
            return Err(format!("the mailbox at {host} refused the test mailbox's user and password ({})", shorten(&last)));
        }
        let (ok, lines, last) = m.command("EXAMINE INBOX").await?;
        if !ok {
            return Err(format!("the mailbox at {host} would not open INBOX ({})", shorten(&last)));
        }
        m.uid_next = lines.iter().find_map(|l| between(&l.text, "[UIDNEXT ", "]")).and_then(|n| n.trim().parse().ok()).unwrap_or(1);
        Ok(m)
    }

    /// The UIDs from `from` on of messages addressed to `to`.
    pub async fn search(&mut self, from: u32, to: &str) -> Result<Vec<u32>, String> {
        let to = quoted(to).ok_or("the test account's address holds a line break")?;
        let (ok, lines, last) = self.command(&format!("UID SEARCH UID {from}:* TO {to}")).await?;
        if !ok {
            return Err(format!("the mailbox refused to search ({})", shorten(&last)));
        }
        // `n:*` always matches the last message, even below n: keep only those from n.
        let mut uids: Vec<u32> = lines
            .iter()
            .filter_map(|l| l.text.strip_prefix("* SEARCH"))
            .flat_map(|rest| rest.split_whitespace().filter_map(|n| n.parse::<u32>().ok()).collect::<Vec<_>>())
            .filter(|u| *u >= from)
            .collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// A message's `fields` and the start of its text, leaving it unread.
    pub async fn fetch(&mut self, uid: u32, fields: &str) -> Result<Fetched, String> {
        let cmd = format!("UID FETCH {uid} (BODY.PEEK[HEADER.FIELDS ({fields})] BODY.PEEK[TEXT]<0.{MAX_TEXT}>)");
        let (ok, lines, last) = self.command(&cmd).await?;
        if !ok {
            return Err(format!("the mailbox would not give the message ({})", shorten(&last)));
        }
        let mut out = Fetched::default();
        for l in lines.iter().filter(|l| l.text.contains("FETCH")) {
            // Each literal follows the item that announced it: the header first, then the text.
            let upper = l.text.to_ascii_uppercase();
            let header_first = match (upper.find("BODY[HEADER"), upper.find("BODY[TEXT]")) {
                (Some(h), Some(t)) => h < t,
                (Some(_), None) => true,
                _ => false,
            };
            let mut lits = l.literals.iter();
            let (a, b) = (lits.next().cloned().unwrap_or_default(), lits.next().cloned().unwrap_or_default());
            (out.header, out.text) = if header_first { (a, b) } else { (b, a) };
        }
        Ok(out)
    }

    /// Asks the server to look for new mail (a mailbox opened earlier learns of new messages so).
    pub async fn noop(&mut self) -> Result<(), String> {
        let (ok, _, last) = self.command("NOOP").await?;
        if ok {
            Ok(())
        } else {
            Err(format!("the mailbox refused NOOP ({})", shorten(&last)))
        }
    }

    /// Says goodbye; errors are of no interest by then.
    pub async fn logout(mut self) {
        let _ = self.command("LOGOUT").await;
    }

    /// Sends `cmd` with the next tag; (tagged OK, the untagged lines, the tagged line).
    async fn command(&mut self, cmd: &str) -> Result<(bool, Vec<Line>, String), String> {
        self.tag += 1;
        let tag = format!("p{}", self.tag);
        let host = self.host.clone();
        let io_err = |e: std::io::Error| format!("the connection to the mailbox at {host} broke: {e}");
        let wire = Sensitive::new(format!("{tag} {cmd}\r\n"));
        tokio::time::timeout(STEP, self.io.get_mut().write_all(wire.expose().as_bytes()))
            .await
            .map_err(|_| format!("the mailbox at {} did not take a command within {} s", self.host, STEP.as_secs()))?
            .map_err(io_err)?;
        let mut lines = Vec::new();
        let mut total = 0usize;
        loop {
            let line = self.line_within().await?;
            total += line.text.len() + line.literals.iter().map(Vec::len).sum::<usize>();
            if total > MAX_ANSWER {
                return Err(format!("the mailbox at {} answered more than {} KiB to one command", self.host, MAX_ANSWER / 1024));
            }
            if let Some(rest) = line.text.strip_prefix(&format!("{tag} ")) {
                let ok = rest.get(..2).is_some_and(|s| s.eq_ignore_ascii_case("OK"));
                return Ok((ok, lines, rest.to_owned()));
            }
            lines.push(line);
        }
    }

    async fn line_within(&mut self) -> Result<Line, String> {
        let host = self.host.clone();
        tokio::time::timeout(STEP, self.line())
            .await
            .map_err(|_| format!("the mailbox at {host} did not answer within {} s", STEP.as_secs()))?
    }

    /// One line of an answer, with the literals it announces read in.
    async fn line(&mut self) -> Result<Line, String> {
        let mut out = Line::default();
        loop {
            let mut raw = Vec::new();
            let n = (&mut self.io).take(MAX_LINE as u64 + 1).read_until(b'\n', &mut raw).await.map_err(|e| e.to_string())?;
            if n == 0 {
                return Err(format!("the mailbox at {} closed the connection", self.host));
            }
            if raw.len() > MAX_LINE {
                return Err(format!("the mailbox at {} sent a line over {} KiB", self.host, MAX_LINE / 1024));
            }
            let text = String::from_utf8_lossy(&raw).trim_end_matches(['\r', '\n']).to_owned();
            out.text.push_str(&text);
            let Some(size) = literal_size(&text) else { return Ok(out) };
            if size > MAX_ANSWER {
                return Err(format!("the mailbox at {} announced {size} bytes at once", self.host));
            }
            let mut lit = vec![0u8; size];
            self.io.read_exact(&mut lit).await.map_err(|e| e.to_string())?;
            out.literals.push(lit);
        }
    }
}

/// The N of a line ending in `{N}`.
fn literal_size(text: &str) -> Option<usize> {
    let open = text.strip_suffix('}')?.rfind('{')?;
    text[open + 1..text.len() - 1].trim_end_matches('+').parse().ok()
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

fn shorten(s: &str) -> String {
    s.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_quoting_follow_the_rfc() {
        assert_eq!(literal_size("* 1 FETCH (UID 1 BODY[TEXT]<0> {46}"), Some(46));
        assert_eq!(literal_size("* 1 FETCH (FLAGS ())"), None);
        assert_eq!(quoted("pa\"ss\\word").as_deref(), Some("\"pa\\\"ss\\\\word\""));
        assert_eq!(quoted("two\r\nlines"), None);
        assert_eq!(between("* OK [UIDNEXT 7] Predicted", "[UIDNEXT ", "]"), Some("7"));
    }
}
