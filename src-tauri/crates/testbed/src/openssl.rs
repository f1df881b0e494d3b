//! Debian's `openssl s_server` on loopback, for what rustls will not serve: a server that still
//! accepts TLS 1.0 and 1.1, and one whose certificate has a 1024-bit RSA key signed with SHA-1.
//!
//! The key and certificate are minted by the `openssl` command itself into a temporary folder, the
//! server is started on a free port (it prints `ACCEPT 127.0.0.1:PORT` once listening, which is
//! the condition waited on), and it is killed when the handle is dropped.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// What the server is set up to get wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legacy {
    /// A sound certificate (P-256), but TLS 1.0 and 1.1 still accepted.
    OldProtocols,
    /// A 1024-bit RSA key in a self-signed certificate signed with SHA-1 (TLS 1.2).
    WeakCertificate,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpensslError {
    #[error("could not run openssl (install Debian's openssl package): {0}")]
    Spawn(#[from] std::io::Error),
    #[error("openssl {step} failed: {stderr}")]
    Step { step: &'static str, stderr: String },
    #[error("openssl s_server did not start listening within 10 s")]
    NotListening,
}

/// A running `openssl s_server`; killed on drop.
#[derive(Debug)]
pub struct OpensslServer {
    pub addr: SocketAddr,
    _child: Child,
    _dir: tempfile::TempDir,
}

impl OpensslServer {
    /// Mints a certificate for `name` and serves it as `legacy` says.
    pub async fn start(name: &str, legacy: Legacy) -> Result<OpensslServer, OpensslError> {
        let dir = tempfile::tempdir()?;
        let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
        let subject = format!("/CN={name}");
        let san = format!("subjectAltName=DNS:{name}");
        let (k, c) = (path(&key), path(&cert));
        match legacy {
            Legacy::OldProtocols => {
                run("ecparam", &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", &k]).await?;
                run("req", &["req", "-x509", "-key", &k, "-out", &c, "-subj", &subject, "-addext", &san, "-days", "30"]).await?;
            }
            Legacy::WeakCertificate => {
                let args = [
                    "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", &k, "-out", &c, "-subj", &subject, "-addext", &san,
                    "-sha1", "-days", "30",
                ];
                run("req", &args).await?;
            }
        }
        let mut args = vec!["s_server", "-accept", "127.0.0.1:0", "-cert", &c, "-key", &k, "-cipher", "ALL:@SECLEVEL=0", "-www"];
        if legacy == Legacy::OldProtocols {
            args.extend(["-min_protocol", "TLSv1"]);
        }
        let mut child = Command::new("openssl")
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().ok_or(OpensslError::NotListening)?;
        // Keep reading after the address: s_server logs each connection, and a closed pipe would
        // kill it with SIGPIPE mid-test.
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let mut tx = Some(tx);
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(addr) = line.strip_prefix("ACCEPT ").and_then(|a| a.trim().parse::<SocketAddr>().ok()) {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(addr);
                    }
                }
            }
        });
        let addr = tokio::time::timeout(Duration::from_secs(10), rx).await.ok().and_then(Result::ok).ok_or(OpensslError::NotListening)?;
        Ok(OpensslServer { addr, _child: child, _dir: dir })
    }
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

async fn run(step: &'static str, args: &[&str]) -> Result<(), OpensslError> {
    let out = Command::new("openssl").args(args).stdin(Stdio::null()).output().await?;
    if out.status.success() {
        return Ok(());
    }
    Err(OpensslError::Step { step, stderr: String::from_utf8_lossy(&out.stderr).into_owned() })
}
