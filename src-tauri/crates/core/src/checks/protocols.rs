//! `tls.protocols`: each name speaks TLS 1.2 or 1.3, and no longer accepts TLS 1.0 or 1.1.
//!
//! TLS 1.0 and 1.1 were retired in 2021 (RFC 8996): browsers refuse them, and a server that still
//! accepts them is open to downgrade attacks and fails PCI and most security questionnaires. The
//! modern protocol is the one the certificate handshake (`Facts::tls`) agreed on; the old ones are
//! asked about with a hand-built ClientHello each (`net::legacy`), since no modern TLS library will
//! offer them.

use super::{could_not_check, handshake_or, per_host, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::legacy::{Legacy, Reply};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;

pub static PROTOCOLS: CheckDef = CheckDef {
    id: "tls.protocols",
    area: Area::Tls,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "which TLS versions each name accepts",
};

pub const FAMILY: Family = Family { name: "protocols", checks: &[&PROTOCOLS], plan };

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    per_host(
        target,
        facts,
        &PROTOCOLS,
        |h| format!("Checking which TLS versions {h} accepts"),
        |facts, host| async move { vec![check(&facts, &host).await] },
    )
}

async fn check(facts: &Facts, host: &str) -> Finding {
    let modern = match handshake_or(facts, &PROTOCOLS, host, &format!("TLS versions on {host}")).await {
        Ok(tls) => tls.protocol,
        Err(f) => return f,
    };
    let route = match facts.route(host, 443).await {
        Ok(r) => r,
        Err(e) => return could_not_check(Finding::new(&PROTOCOLS, host, Status::Error), &format!("the TLS versions of {host}"), &e),
    };
    let mut old = Vec::new();
    for version in [Legacy::Tls10, Legacy::Tls11] {
        match facts.net().probe_legacy(host, &route, version).await {
            Ok(reply) => old.push((version, reply)),
            Err(e) if e.is_inconclusive() => {
                return could_not_check(
                    Finding::new(&PROTOCOLS, host, Status::Error),
                    &format!("whether {host} accepts {}", version.name()),
                    &e,
                )
            }
            Err(e) => old.push((version, Reply::Refused { how: e.to_string() })),
        }
    }
    judge(host, &modern, &old)
}

/// The verdict from the negotiated modern protocol and the replies to the old ones (pure).
pub fn judge(host: &str, modern: &str, old: &[(Legacy, Reply)]) -> Finding {
    let modern_name = match modern {
        "TLSv1_3" => "TLS 1.3",
        "TLSv1_2" => "TLS 1.2",
        other => other,
    };
    let accepted: Vec<&str> = old.iter().filter(|(_, r)| *r == Reply::Accepted).map(|(v, _)| v.name()).collect();
    let evidence = json!({ "negotiated": modern_name, "legacy": old.iter().map(|(v, r)| json!({ "version": v.name(), "reply": r })).collect::<Vec<_>>() });
    let detail = old
        .iter()
        .map(|(v, r)| {
            format!(
                "{}: {}",
                v.name(),
                match r {
                    Reply::Accepted => "accepted".to_owned(),
                    Reply::Refused { how } => format!("refused ({how})"),
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    if !accepted.is_empty() {
        return Finding::new(&PROTOCOLS, host, Status::Warn)
            .title(format!("{host} still accepts {}, retired versions of HTTPS encryption.", accepted.join(" and ")))
            .why("Old versions have known weaknesses attackers can force a connection down to, and they fail security reviews (PCI, enterprise questionnaires) that your customers may ask for.")
            .detail(format!("The secure handshake agreed on {modern_name}; asked with a ClientHello offering only the old version:\n{detail}"))
            .evidence(evidence)
            .fix([
                "In Cloudflare: SSL/TLS → Edge Certificates → Minimum TLS Version → TLS 1.2.".to_owned(),
                "On AWS CloudFront or a load balancer: choose a security policy with TLS 1.2 as the minimum (TLSv1.2_2021).".to_owned(),
                "On nginx: ssl_protocols TLSv1.2 TLSv1.3; then reload.".to_owned(),
            ]);
    }
    let note = if modern == "TLSv1_2" { " (TLS 1.3, faster to connect, is not offered yet)" } else { "" };
    Finding::new(&PROTOCOLS, host, Status::Pass)
        .title(format!("{host} speaks {modern_name} and refuses the retired TLS 1.0 and 1.1{note}."))
        .detail(format!("Negotiated {modern_name}.\n{detail}"))
        .evidence(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accepted_old_version_needs_attention() {
        let refused = |v| (v, Reply::Refused { how: "alert 70 (protocol version)".into() });
        let f = judge("a.test", "TLSv1_3", &[refused(Legacy::Tls10), refused(Legacy::Tls11)]);
        assert_eq!(f.status, Status::Pass);
        let f = judge("a.test", "TLSv1_2", &[(Legacy::Tls10, Reply::Accepted), refused(Legacy::Tls11)]);
        assert_eq!(f.status, Status::Warn);
        assert!(f.title.contains("TLS 1.0") && !f.title.contains("TLS 1.1"), "{}", f.title);
    }
}
