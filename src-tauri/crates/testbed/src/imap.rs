//! Debian's dovecot on loopback, serving IMAP over TLS (a certificate from the testbed CA) for the
//! password-reset flow: the mail a product sends lands in a real mailbox, which the flow then reads
//! the way a founder's test inbox is read.
//!
//! The server runs from a temporary folder with a configuration of its own (no system service is
//! touched), one Maildir per account; [`ImapServer::deliver`] puts a message where an MTA's local
//! delivery would (written in `tmp/`, then renamed into `new/`). It is killed when dropped.

use crate::pki::{CertKind, TestCa};
use base64::Engine as _;
use rustls::pki_types::PrivateKeyDer;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::process::{Child, Command};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImapError {
    #[error("could not run dovecot (install Debian's dovecot-imapd package): {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Pki(#[from] crate::pki::PkiError),
    #[error("dovecot did not start listening within 10 s: {log}")]
    NotListening { log: String },
}

/// A running dovecot; killed on drop.
#[derive(Debug)]
pub struct ImapServer {
    pub addr: SocketAddr,
    /// The name its certificate is for.
    pub host: String,
    mail: PathBuf,
    owner: Option<(u32, u32)>,
    _child: Child,
    _dir: tempfile::TempDir,
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64.as_bytes().chunks(64).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// `id FLAG` of this process (`-u`, `-g`, `-un`, `-gn`).
async fn id(flag: &str) -> Result<String, ImapError> {
    let out = Command::new("id").arg(flag).output().await?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn free_port() -> Result<u16, ImapError> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl ImapServer {
    /// Serves IMAPS for `host` (a certificate from `ca`), with `accounts` (user, password).
    pub async fn start(ca: &TestCa, host: &str, accounts: &[(&str, &str)]) -> Result<ImapServer, ImapError> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        for sub in ["run", "state", "mail", "home"] {
            std::fs::create_dir_all(root.join(sub))?;
        }
        let issued = ca.issue(host, &CertKind::Valid)?;
        let chain: String = issued.chain.iter().map(|c| pem("CERTIFICATE", c)).collect();
        let key = match &issued.key {
            PrivateKeyDer::Pkcs8(k) => pem("PRIVATE KEY", k.secret_pkcs8_der()),
            other => pem("PRIVATE KEY", other.secret_der()),
        };
        std::fs::write(root.join("cert.pem"), chain)?;
        std::fs::write(root.join("key.pem"), key)?;
        let users: String = accounts.iter().map(|(u, p)| format!("{u}:{{PLAIN}}{p}\n")).collect();
        std::fs::write(root.join("users"), users)?;
        // As root, dovecot will not read mail as root: the mailboxes belong to nobody then.
        let root_user = id("-u").await? == "0";
        let (user, group, uid, gid) = if root_user {
            ("nobody".to_owned(), id_group_of_nobody().await?, 65534u32, 65534u32)
        } else {
            (id("-un").await?, id("-gn").await?, id("-u").await?.parse().unwrap_or(1000), id("-g").await?.parse().unwrap_or(1000))
        };
        let port = free_port()?;
        let r = root.display();
        let conf = format!(
            "base_dir = {r}/run\nstate_dir = {r}/state\nlog_path = {r}/log\ninfo_log_path = {r}/log\n\
             instance_name = preflight-testbed-{port}\nprotocols = imap\nlisten = 127.0.0.1\n\
             ssl = required\nssl_cert = <{r}/cert.pem\nssl_key = <{r}/key.pem\nauth_mechanisms = plain login\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/users\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={r}/home/%u\n}}\n\
             first_valid_uid = 1\nfirst_valid_gid = 1\nmail_location = maildir:{r}/mail/%u\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = 0\n  }}\n  inet_listener imaps {{\n    port = {port}\n    ssl = yes\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n\
             default_internal_user = {user}\ndefault_internal_group = {group}\ndefault_login_user = {user}\n"
        );
        std::fs::write(root.join("dovecot.conf"), conf)?;
        let mail = root.join("mail");
        let owner = root_user.then_some((uid, gid));
        for (u, _) in accounts {
            for sub in ["cur", "new", "tmp"] {
                std::fs::create_dir_all(mail.join(u).join(sub))?;
            }
        }
        if let Some((uid, gid)) = owner {
            chown_tree(&mail, uid, gid)?;
            chown_tree(&root.join("home"), uid, gid)?;
        }
        let child = Command::new("dovecot")
            .args(["-F", "-c"])
            .arg(root.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            if tokio::time::Instant::now() > deadline {
                let log = std::fs::read_to_string(root.join("log")).unwrap_or_default();
                return Err(ImapError::NotListening { log });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(ImapServer { addr, host: host.to_owned(), mail, owner, _child: child, _dir: dir })
    }

    /// `imaps://HOST:PORT`, as a flow's `imap_url` names it.
    pub fn url(&self) -> String {
        format!("imaps://{}:{}", self.host, self.addr.port())
    }

    /// Delivers `message` (a whole RFC 5322 message) to `user`'s inbox.
    pub fn deliver(&self, user: &str, message: &[u8]) -> std::io::Result<()> {
        deliver(&self.mail, self.owner, user, message)
    }

    /// A delivery function for a mail server to hand accepted messages to.
    pub fn drop_box(&self) -> MailDrop {
        let (mail, owner) = (self.mail.clone(), self.owner);
        MailDrop(std::sync::Arc::new(move |user: &str, message: &[u8]| deliver(&mail, owner, user, message)))
    }
}

/// Delivers one message to one recipient's mailbox.
pub type Deliver = dyn Fn(&str, &[u8]) -> std::io::Result<()> + Send + Sync;

/// Where a mail server puts what it accepts: a function of the recipient and the message.
#[derive(Clone)]
pub struct MailDrop(pub std::sync::Arc<Deliver>);

impl std::fmt::Debug for MailDrop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MailDrop")
    }
}

async fn id_group_of_nobody() -> Result<String, ImapError> {
    let out = Command::new("id").args(["-gn", "nobody"]).output().await?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn chown_tree(path: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            chown_tree(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}

fn deliver(mail: &Path, owner: Option<(u32, u32)>, user: &str, message: &[u8]) -> std::io::Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let boxdir = mail.join(user);
    if !boxdir.join("new").is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, format!("no mailbox for {user}")));
    }
    let name = format!("{}.{}_{}.testbed", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed), message.len());
    let tmp = boxdir.join("tmp").join(&name);
    std::fs::write(&tmp, message)?;
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(&tmp, Some(uid), Some(gid))?;
    }
    std::fs::rename(&tmp, boxdir.join("new").join(&name))
}
