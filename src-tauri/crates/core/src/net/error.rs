//! What can go wrong on the wire, classified so that checks can tell a founder which it was.
//!
//! The classification matters more than the message: "this name does not exist" is a finding about
//! the product, "the DNS server did not answer" is a finding about the network and must read as
//! "Couldn't check". [`NetError::is_inconclusive`] draws that line once for every check.

use std::time::Duration;

/// A network operation's failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The name does not exist (NXDOMAIN).
    #[error("the name {0} does not exist in DNS")]
    NoSuchName(String),
    /// The name exists but has no record of the asked type.
    #[error("{0} has no address records")]
    NoRecords(String),
    /// The resolver could not get an answer (timeout, SERVFAIL, refused, unreachable server).
    #[error("DNS lookup of {name} failed: {reason}")]
    DnsFailed { name: String, reason: String },
    /// Nothing listens on the port (connection refused or reset at once).
    #[error("{addr} refused the connection")]
    Refused { addr: String },
    /// Could not reach the address for a reason other than a refusal.
    #[error("could not connect to {addr}: {reason}")]
    Unreachable { addr: String, reason: String },
    /// The TLS handshake failed (protocol error, or a certificate the strict client rejects).
    #[error("secure connection to {host} failed: {reason}")]
    Tls { host: String, reason: String },
    /// The server spoke something that is not HTTP, or broke HTTP's rules.
    #[error("{host} sent an answer that is not valid HTTP: {reason}")]
    Protocol { host: String, reason: String },
    /// An operation passed its deadline.
    #[error("{what} took longer than {}s", .after.as_secs_f32())]
    Timeout { what: String, after: Duration },
    /// This computer has no trusted root certificates, so no certificate can be judged.
    #[error("this computer has no trusted root certificates (install your system's CA certificates, or pass --ca-file)")]
    NoTrustStore,
    /// A URL we were told to follow could not be used. `url` is its public form only (see
    /// [`NetError::bad_url`]): this text reaches logs, events and notifications.
    #[error("cannot use the address {url}: {reason}")]
    BadUrl { url: String, reason: String },
}

impl NetError {
    /// [`NetError::BadUrl`] for `url`, named by its public form (no query, fragment or
    /// credentials: a token there must not reach the error's text).
    pub fn bad_url(url: &str, reason: impl Into<String>) -> NetError {
        NetError::BadUrl { url: crate::public::shown(url), reason: reason.into() }
    }

    /// This error's text without any address path: for addresses whose path is itself the secret
    /// (a Slack webhook, an ntfy topic), which are named by their host alone.
    pub fn without_path(&self) -> String {
        match self {
            NetError::BadUrl { url, reason } => format!("cannot use the address of {}: {reason}", crate::public::host_of(url)),
            other => other.to_string(),
        }
    }

    /// True when the failure says nothing about the product: the check must report `error`.
    pub fn is_inconclusive(&self) -> bool {
        matches!(self, NetError::DnsFailed { .. } | NetError::Timeout { .. } | NetError::NoTrustStore)
    }

    /// True when the name itself is missing from DNS (the product has no such address).
    pub fn is_missing_name(&self) -> bool {
        matches!(self, NetError::NoSuchName(_) | NetError::NoRecords(_))
    }
}

/// Runs `fut` with a deadline, turning expiry into [`NetError::Timeout`].
pub async fn within<T>(
    after: Duration,
    what: impl FnOnce() -> String,
    fut: impl std::future::Future<Output = Result<T, NetError>>,
) -> Result<T, NetError> {
    match tokio::time::timeout(after, fut).await {
        Ok(r) => r,
        Err(_) => Err(NetError::Timeout { what: what(), after }),
    }
}
