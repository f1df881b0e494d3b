//! The trust store: the operating system's roots, read once per process and never on an async thread.
//!
//! Reading the system store means opening and parsing a few hundred files: tens of milliseconds of
//! blocking I/O. It happens on the blocking pool, at most once per process (a watcher running for
//! days, or a benchmark running a hundred audits, pays it once), and [`loads`] counts it so a
//! benchmark can prove that. Each [`super::Net`] then builds its verifier once from these roots
//! plus its configured extras.

use super::config::NetConfig;
use super::error::NetError;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::OnceCell;

static SYSTEM_ROOTS: OnceCell<Arc<Vec<CertificateDer<'static>>>> = OnceCell::const_new();
static LOADS: AtomicU64 = AtomicU64::new(0);
static BUILDS: AtomicU64 = AtomicU64::new(0);

/// How many times this process has read the system trust store (for benchmarks; at most 1).
pub fn loads() -> u64 {
    LOADS.load(Ordering::Relaxed)
}

/// How many verifiers (parsed root stores) this process has built: one per `Net`.
pub fn verifier_builds() -> u64 {
    BUILDS.load(Ordering::Relaxed)
}

/// The crypto provider every connection uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

async fn system_roots() -> Arc<Vec<CertificateDer<'static>>> {
    SYSTEM_ROOTS
        .get_or_init(|| async {
            let read = tokio::task::spawn_blocking(|| {
                LOADS.fetch_add(1, Ordering::Relaxed);
                let loaded = rustls_native_certs::load_native_certs();
                for e in &loaded.errors {
                    tracing::warn!(error = %e, "could not read part of the system trust store");
                }
                loaded.certs
            })
            .await;
            Arc::new(read.unwrap_or_else(|e| {
                tracing::error!(error = %e, "reading the system trust store failed");
                Vec::new()
            }))
        })
        .await
        .clone()
}

/// A browser-like verifier for the config's trust store: system roots (unless skipped) plus extras.
pub async fn verifier(cfg: &NetConfig) -> Result<Arc<WebPkiServerVerifier>, NetError> {
    let system = if cfg.skip_system_roots { Arc::new(Vec::new()) } else { system_roots().await };
    let extras = cfg.extra_roots.clone();
    // Parsing a couple of hundred certificates is CPU work worth keeping off the async threads too.
    let built = tokio::task::spawn_blocking(move || {
        BUILDS.fetch_add(1, Ordering::Relaxed);
        let mut roots = RootCertStore::empty();
        let (ok, bad) = roots.add_parsable_certificates(system.iter().cloned());
        tracing::debug!(ok, bad, "system roots parsed");
        for der in extras {
            if let Err(e) = roots.add(CertificateDer::from(der)) {
                tracing::warn!(error = %e, "an extra root certificate was refused");
            }
        }
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider()).build()
    })
    .await
    .map_err(|e| NetError::Tls { host: "(setup)".into(), reason: e.to_string() })?;
    built.map_err(|e| NetError::Tls { host: "(setup)".into(), reason: format!("no usable trusted roots: {e}") })
}
