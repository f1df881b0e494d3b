//! A mailbox for the sample product, served over IMAPS from memory: what `preflight demo` gives a
//! founder's computer, which has no dovecot, so the demo's password reset has an inbox to land in.
//!
//! It speaks the read-only part of IMAP (RFC 3501) a mail reader needs to find one message:
//! LOGIN, EXAMINE/SELECT of INBOX (with UIDNEXT), UID SEARCH by UID range and recipient, UID FETCH
//! of chosen header fields and the text (BODY.PEEK), NOOP and LOGOUT; anything else is `BAD`. The
//! tests of the reset path itself run against Debian's dovecot ([`crate::imap::ImapServer`]); this
//! one is checked against the same client in its own test.

use crate::imap::MailDrop;
use crate::pki::TestCa;
use crate::web::WebError;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The most messages kept per account (the oldest go first).
const KEEP: usize = 200;
/// The longest command line read.
const MAX_LINE: u64 = 8 * 1024;

#[derive(Debug, Default)]
struct Store {
    next_uid: u32,
    /// (uid, owner, message)
    messages: Vec<(u32, String, Vec<u8>)>,
}

/// The running server; it stops when dropped.
#[derive(Debug)]
pub struct MemoryMailbox {
    pub addr: SocketAddr,
    /// The name its certificate is for.
    pub host: String,
    store: Arc<Mutex<Store>>,
    cancel: CancellationToken,
}

impl MemoryMailbox {
    /// Serves IMAPS for `host` (a certificate from `ca`) with `accounts` (user, password).
    pub async fn start(ca: &TestCa, host: &str, accounts: &[(&str, &str)]) -> Result<MemoryMailbox, WebError> {
        let acceptor = crate::smtp::acceptor(ca, &[host.to_owned()], b"imap")?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let store = Arc::new(Mutex::new(Store { next_uid: 1, messages: Vec::new() }));
        let accounts: Arc<Vec<(String, String)>> = Arc::new(accounts.iter().map(|(u, p)| ((*u).to_owned(), (*p).to_owned())).collect());
        let server =
            MemoryMailbox { addr: listener.local_addr()?, host: host.to_owned(), store: store.clone(), cancel: CancellationToken::new() };
        crate::accept::until_cancelled(listener, server.cancel.clone(), move |tcp| {
            let (acceptor, store, accounts) = (acceptor.clone(), store.clone(), accounts.clone());
            async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    session(BufReader::new(tls), &store, &accounts).await;
                }
            }
        });
        Ok(server)
    }

    /// `imaps://HOST:PORT`, as a flow's `imap_url` names it.
    pub fn url(&self) -> String {
        format!("imaps://{}:{}", self.host, self.addr.port())
    }

    /// A delivery function for a mail server: each message lands in the inbox of the account named
    /// by the recipient's address.
    pub fn drop_box(&self) -> MailDrop {
        let store = self.store.clone();
        MailDrop(Arc::new(move |user: &str, message: &[u8]| {
            let mut s = store.lock().map_err(|_| std::io::Error::other("the mailbox is broken"))?;
            let uid = s.next_uid;
            s.next_uid += 1;
            s.messages.push((uid, user.to_ascii_lowercase(), message.to_vec()));
            if s.messages.len() > KEEP {
                s.messages.remove(0);
            }
            Ok(())
        }))
    }
}

impl Drop for MemoryMailbox {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// One client's conversation, until it logs out or leaves.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(mut io: BufReader<S>, store: &Mutex<Store>, accounts: &[(String, String)]) {
    if io.get_mut().write_all(b"* OK [CAPABILITY IMAP4rev1] Preflight sample mailbox ready\r\n").await.is_err() {
        return;
    }
    let mut user: Option<String> = None;
    loop {
        let mut raw = Vec::new();
        match (&mut io).take(MAX_LINE).read_until(b'\n', &mut raw).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&raw).trim_end().to_owned();
        let (tag, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let (verb, args) = rest.split_once(' ').unwrap_or((rest, ""));
        let verb = verb.to_ascii_uppercase();
        let reply = match (verb.as_str(), &user) {
            ("LOGIN", _) => {
                let words = words(args);
                match accounts.iter().find(|(u, p)| words.first() == Some(u) && words.get(1) == Some(p)) {
                    Some((u, _)) => {
                        user = Some(u.to_ascii_lowercase());
                        format!("{tag} OK LOGIN completed\r\n").into_bytes()
                    }
                    None => format!("{tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n").into_bytes(),
                }
            }
            ("EXAMINE" | "SELECT", Some(u)) => {
                let (exists, next) = store.lock().map_or((0, 1), |s| (s.messages.iter().filter(|m| &m.1 == u).count(), s.next_uid));
                format!("* {exists} EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n* OK [UIDNEXT {next}] Predicted next UID\r\n{tag} OK [READ-ONLY] done\r\n")
                    .into_bytes()
            }
            ("UID", Some(u)) => uid_command(tag, args, u, store),
            ("NOOP" | "CAPABILITY", _) => format!("* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n").into_bytes(),
            ("LOGOUT", _) => {
                let _ = io.get_mut().write_all(format!("* BYE see you\r\n{tag} OK LOGOUT completed\r\n").as_bytes()).await;
                return;
            }
            (_, None) => format!("{tag} NO log in first\r\n").into_bytes(),
            _ => format!("{tag} BAD this mailbox does not know {verb}\r\n").into_bytes(),
        };
        if io.get_mut().write_all(&reply).await.is_err() {
            return;
        }
    }
}

/// `UID SEARCH UID a:* TO "x"` and `UID FETCH n (BODY.PEEK[HEADER.FIELDS (…)] BODY.PEEK[TEXT]…)`.
fn uid_command(tag: &str, args: &str, user: &str, store: &Mutex<Store>) -> Vec<u8> {
    let Ok(s) = store.lock() else { return format!("{tag} NO the mailbox is broken\r\n").into_bytes() };
    let mine = || s.messages.iter().filter(|m| m.1 == user);
    let upper = args.to_ascii_uppercase();
    if let Some(search) = upper.strip_prefix("SEARCH ") {
        let w = words(&args[7..]);
        let from: u32 = search.split_whitespace().nth(1).and_then(|r| r.split(':').next()).and_then(|n| n.parse().ok()).unwrap_or(1);
        let to = w.iter().position(|x| x.eq_ignore_ascii_case("TO")).and_then(|i| w.get(i + 1)).map(|t| t.to_ascii_lowercase());
        let found: Vec<String> = mine()
            .filter(|m| m.0 >= from)
            .filter(|m| to.as_ref().is_none_or(|t| header(&m.2, &["to".into()]).to_ascii_lowercase().contains(t.as_str())))
            .map(|m| m.0.to_string())
            .collect();
        let list = if found.is_empty() { String::new() } else { format!(" {}", found.join(" ")) };
        return format!("* SEARCH{list}\r\n{tag} OK SEARCH completed\r\n").into_bytes();
    }
    if let Some(fetch) = upper.strip_prefix("FETCH ") {
        let uid: u32 = fetch.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let fields: Vec<String> =
            between(fetch, "HEADER.FIELDS (", ")").map(|f| f.split_whitespace().map(str::to_ascii_lowercase).collect()).unwrap_or_default();
        let mut out = Vec::new();
        if let Some((seq, m)) = mine().enumerate().find(|(_, m)| m.0 == uid) {
            let head = header(&m.2, &fields);
            let text = body(&m.2);
            out.extend(
                format!(
                    "* {} FETCH (UID {uid} BODY[HEADER.FIELDS ({})] {{{}}}\r\n",
                    seq + 1,
                    fields.join(" ").to_ascii_uppercase(),
                    head.len()
                )
                .as_bytes(),
            );
            out.extend(head.as_bytes());
            out.extend(format!(" BODY[TEXT]<0> {{{}}}\r\n", text.len()).as_bytes());
            out.extend(text);
            out.extend(b")\r\n");
        }
        out.extend(format!("{tag} OK FETCH completed\r\n").as_bytes());
        return out;
    }
    format!("{tag} BAD only UID SEARCH and UID FETCH\r\n").into_bytes()
}

/// The words of a command's arguments, quoted strings unquoted.
fn words(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = args.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {}
            '"' => {
                let mut w = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => w.extend(chars.next()),
                        '"' => break,
                        c => w.push(c),
                    }
                }
                out.push(w);
            }
            c => {
                let mut w = String::from(c);
                while let Some(c) = chars.next_if(|c| *c != ' ') {
                    w.push(c);
                }
                out.push(w);
            }
        }
    }
    out
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

/// Where the header ends and the text begins.
fn split(message: &[u8]) -> usize {
    message.windows(4).position(|w| w == b"\r\n\r\n").map_or(message.len(), |i| i + 4)
}

/// The header fields named in `fields` (folded lines kept with their field), then an empty line.
fn header(message: &[u8], fields: &[String]) -> String {
    let head = String::from_utf8_lossy(&message[..split(message)]).into_owned();
    let mut out = String::new();
    let mut keep = false;
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        if !line.starts_with([' ', '\t']) {
            keep = line.split_once(':').is_some_and(|(name, _)| fields.contains(&name.trim().to_ascii_lowercase()));
        }
        if keep {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    out
}

fn body(message: &[u8]) -> &[u8] {
    &message[split(message)..]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &[u8] = b"From: a@x.test\r\nTo: <ada@acme-chat.test>\r\nSubject: Hello\r\n  there\r\nX-Other: 1\r\n\r\nBody line\r\n";

    #[test]
    fn header_fields_are_picked_with_their_folded_lines() {
        assert_eq!(header(MESSAGE, &["subject".into(), "to".into()]), "To: <ada@acme-chat.test>\r\nSubject: Hello\r\n  there\r\n\r\n");
        assert_eq!(body(MESSAGE), b"Body line\r\n");
        assert_eq!(words(r#""ada@acme-chat.test" "pa\"ss" TO"#), ["ada@acme-chat.test", "pa\"ss", "TO"]);
    }

    #[test]
    fn search_and_fetch_answer_by_uid_and_recipient() {
        let store = Mutex::new(Store {
            next_uid: 3,
            messages: vec![(1, "ada@acme-chat.test".into(), MESSAGE.to_vec()), (2, "bob@x.test".into(), MESSAGE.to_vec())],
        });
        let found = String::from_utf8(uid_command("a1", r#"SEARCH UID 1:* TO "ada@acme-chat.test""#, "ada@acme-chat.test", &store))
            .unwrap_or_default();
        assert_eq!(found, "* SEARCH 1\r\na1 OK SEARCH completed\r\n");
        let fetched = String::from_utf8(uid_command(
            "a2",
            "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT]<0.100>)",
            "ada@acme-chat.test",
            &store,
        ))
        .unwrap_or_default();
        assert!(fetched.starts_with("* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {27}\r\nSubject: Hello\r\n  there\r\n\r\n BODY[TEXT]<0> {11}\r\nBody line\r\n)"), "{fetched}");
    }
}
