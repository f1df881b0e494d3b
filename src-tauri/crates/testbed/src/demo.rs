//! The sample product of `preflight demo`: a chatbot with the flaws demo-stage products have.
//!
//! Chosen so that a first-time user sees every status at work: a root that serves plain http
//! (problem), a `www` whose certificate runs out in 10 days (needs attention), an `api` whose
//! certificate was issued for another name (problem), a healthy `app`, and no `auth` (not in use).
//! The `www` redirect and the API send no HSTS (needs attention: not the canonical host). Nothing
//! stands in front of the servers (no CDN), and a forgotten `staging` copy is there for discovery
//! to find (it lists nothing in certificate logs: the demo reads none). Mail is half set up: SPF is
//! in place, DMARC only monitors, and no DKIM key is published (needs attention, not a problem).

use crate::pki::CertKind;
use crate::web::{Answer, Site};
use crate::{Product, Serving, Zone};

/// The demo's domain; `.test` is reserved and never reaches the internet.
pub const DOMAIN: &str = "acme-chat.test";

pub fn product() -> Product {
    let d = DOMAIN;
    Product {
        domain: d.to_owned(),
        // Mail half set up, as at most launches: SPF in place, DMARC only monitoring, no DKIM key.
        zone: Zone::new(d)
            .mx("", 10, &format!("mx.{d}"))
            .addr("mx", std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
            .txt("", &["v=spf1 mx ~all"])
            .txt("_dmarc", &[&format!("v=DMARC1; p=none; rua=mailto:dmarc@{d}")]),
        sites: vec![
            Site {
                host: d.to_owned(),
                cert: Some(CertKind::Valid),
                http: Answer::ok("<h1>Acme Chat</h1>"),
                https: Answer::secure("<h1>Acme Chat</h1>"),
            },
            Site {
                host: format!("www.{d}"),
                cert: Some(CertKind::ExpiresIn(10)),
                http: Answer::redirect(&format!("https://www.{d}")),
                https: Answer::redirect(&format!("https://{d}")),
            },
            Site::healthy(&format!("app.{d}")),
            // A staging copy nobody listed, still serving last month's build: discovery finds it.
            Site {
                host: format!("staging.{d}"),
                cert: Some(CertKind::Valid),
                http: Answer::redirect(&format!("https://staging.{d}")),
                https: Answer::secure("<h1>Acme Chat</h1><script src=\"/assets/index-Qq81kLmz.js\"></script>"),
            },
            Site {
                host: format!("api.{d}"),
                cert: Some(CertKind::WrongName(vec![format!("staging.{d}")])),
                http: Answer::redirect(&format!("https://api.{d}")),
                https: Answer::ok("{\"ok\":true}"),
            },
        ],
        // Served straight from a server, with no edge in front: the demo's other warning.
        serving: Serving { http2: true, edge: Vec::new(), ca: None, waf: false, starttls: true },
    }
}
