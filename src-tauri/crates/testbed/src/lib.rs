//! Real servers on loopback, for tests and for `preflight demo`.
//!
//! A [`Testbed`] is a small fake internet for one product: an authoritative DNS server for its
//! zone, one HTTP and one HTTPS listener serving its sites with certificates from a CA minted for the
//! occasion. [`Testbed::net_config`] hands the engine a `NetConfig` that points at them (nameserver,
//! extra root, connect-to for ports 80 and 443), so tests run the production code paths unchanged.
//! Everything binds to 127.0.0.1 and stops when the testbed is dropped.

mod accept;
pub mod apps;
pub mod bot;
pub mod cloudflare;
pub mod demo;
pub mod dns;
pub mod dnssec;
pub mod handler;
pub mod hooks;
pub mod hostile;
pub mod imap;
pub mod mailbox;
pub mod ntfy;
pub mod openssl;
pub mod pki;
pub mod rdap;
pub mod reset;
pub mod smtp;
pub mod vercel;
pub mod web;

pub use dns::{DnsServer, Zone};
pub use handler::{App, Reply};
pub use hostile::{HostileServer, Misbehaviour};
pub use pki::{CertKind, TestCa};
pub use web::{Answer, Inbox, Received, Serving, Site, Switch, WebServer, VERCEL_EDGE};

use preflight_core::net::{ConnectTo, Net, NetConfig, NetError, Timeouts};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// Why a testbed could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestbedError {
    /// The DNS server failed to start.
    #[error(transparent)]
    Dns(#[from] dns::DnsError),
    /// The web servers failed to start.
    #[error(transparent)]
    Web(#[from] web::WebError),
    /// The CA could not be minted.
    #[error(transparent)]
    Pki(#[from] pki::PkiError),
}

/// A product to simulate: its zone and its sites.
#[derive(Debug, Clone)]
pub struct Product {
    pub domain: String,
    /// Extra records; every site's host gets an A record to 127.0.0.1 automatically.
    pub zone: Zone,
    pub sites: Vec<Site>,
    /// What the hosting platform adds: HTTP/2, an edge's headers.
    pub serving: Serving,
    /// The product's other domains (an old name, a parked domain), answered by the same DNS server.
    pub other_zones: Vec<Zone>,
}

impl Product {
    /// A product whose names all behave, to start from in tests: each name serves its own page,
    /// except `www`, which redirects to the root (one address for the product, as it should be),
    /// hosted the way a healthy product is: behind an edge (Vercel's) with its firewall rules on,
    /// with HTTP/2, and mail set up (see [`Zone::mail_ready`]).
    pub fn healthy(domain: &str, labels: &[&str]) -> Product {
        let sites = labels
            .iter()
            .map(|l| match *l {
                "" => Site::healthy(domain),
                "www" => Site::redirecting(&format!("www.{domain}"), domain),
                l => Site::healthy(&format!("{l}.{domain}")),
            })
            .collect();
        Product {
            domain: domain.to_owned(),
            zone: Zone::new(domain).mail_ready(),
            sites,
            serving: Serving { http2: true, edge: VERCEL_EDGE.to_vec(), ca: None, waf: true, starttls: true },
            other_zones: Vec::new(),
        }
        .site(rdap::serving(domain, &rdap::Registration::healthy()))
    }

    /// Replaces (or adds) the site for `host`.
    pub fn site(mut self, site: Site) -> Product {
        self.sites.retain(|s| s.host != site.host);
        self.sites.push(site);
        self
    }
}

/// The running servers of one product.
#[derive(Debug)]
pub struct Testbed {
    pub ca: TestCa,
    pub dns: DnsServer,
    pub web: WebServer,
    /// The mail server of the zone's MX hosts, when it has any.
    pub smtp: Option<smtp::SmtpServer>,
    pub domain: String,
    /// The registry's RDAP address, when the product has one (`rdap.DOMAIN`).
    pub rdap: Option<String>,
}

impl Testbed {
    pub async fn start(product: Product) -> Result<Testbed, TestbedError> {
        Testbed::start_with_dns_delay(product, Duration::ZERO).await
    }

    /// Like [`Testbed::start`], with every DNS answer held for `delay` (for benchmarks).
    pub async fn start_with_dns_delay(product: Product, delay: Duration) -> Result<Testbed, TestbedError> {
        let ca = TestCa::named(product.serving.ca.unwrap_or(pki::DEFAULT_NAME))?;
        Testbed::start_signed(product, ca, delay).await
    }

    /// Like [`Testbed::start`], with certificates from `ca` (minted beforehand, for servers started
    /// beside the testbed that must share its trust: the sample product's mailbox).
    pub async fn start_signed(product: Product, ca: TestCa, delay: Duration) -> Result<Testbed, TestbedError> {
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let mut zone = product.zone.clone();
        if !zone.has_apex_ns() {
            // A real zone always has name servers; two, as a healthy one should.
            zone = zone.ns("", &format!("ns1.{}", product.domain)).ns("", &format!("ns2.{}", product.domain));
        }
        for site in &product.sites {
            let label = site.host.strip_suffix(&product.domain).map(|l| l.trim_end_matches('.')).unwrap_or(&site.host);
            // A site behind an alias is reached through it (a CNAME excludes other records).
            if !zone.is_alias(label) {
                zone = zone.addr(label, loopback);
            }
        }
        let mail_hosts = zone.mx_hosts();
        let zones: Vec<Zone> = std::iter::once(zone).chain(product.other_zones.iter().cloned()).collect();
        let dns = DnsServer::start_delayed(&zones, delay).await?;
        let web = WebServer::start(&ca, &product.sites, &product.serving).await?;
        let smtp =
            if mail_hosts.is_empty() { None } else { Some(smtp::SmtpServer::start(&ca, &mail_hosts, product.serving.starttls).await?) };
        let rdap_host = format!("{}.{}", rdap::LABEL, product.domain);
        let rdap = product.sites.iter().any(|s| s.host == rdap_host).then(|| format!("https://{rdap_host}/"));
        Ok(Testbed { ca, dns, web, smtp, domain: product.domain, rdap })
    }

    /// The engine's settings for this testbed: its DNS, its CA only, and its ports.
    pub fn net_config(&self) -> NetConfig {
        NetConfig {
            nameservers: vec![self.dns.addr],
            extra_roots: vec![self.ca.der()],
            skip_system_roots: true,
            connect_to: self.connect_to(),
            timeouts: Timeouts { check: Duration::from_secs(10), ..Timeouts::default() },
            rdap: self.rdap.as_deref().and_then(|u| url::Url::parse(u).ok()),
            ..NetConfig::default()
        }
    }

    /// A network handle pointed at this testbed.
    pub async fn net(&self) -> Result<Net, NetError> {
        Net::new(self.net_config()).await
    }

    /// `--connect-to` values that send ports 80 and 443 to the testbed's listeners.
    pub fn connect_to(&self) -> Vec<ConnectTo> {
        let mut out = vec![
            ConnectTo { host: None, port: Some(80), to_host: None, to_port: Some(self.web.http_addr.port()) },
            ConnectTo { host: None, port: Some(443), to_host: None, to_port: Some(self.web.https_addr.port()) },
        ];
        if let Some(smtp) = &self.smtp {
            out.push(ConnectTo { host: None, port: Some(25), to_host: None, to_port: Some(smtp.addr.port()) });
        }
        out
    }

    /// The same settings as command-line flags, for the CLI and the desktop app's environment.
    pub fn cli_args(&self) -> Vec<String> {
        vec![
            "--nameserver".into(),
            self.dns.addr.to_string(),
            "--connect-to".into(),
            format!(":80::{}", self.web.http_addr.port()),
            "--connect-to".into(),
            format!(":443::{}", self.web.https_addr.port()),
        ]
        .into_iter()
        .chain(self.smtp.iter().flat_map(|s| ["--connect-to".to_owned(), format!(":25::{}", s.addr.port())]))
        .chain(self.rdap.iter().flat_map(|u| ["--rdap-url".to_owned(), u.clone()]))
        .collect()
    }
}
