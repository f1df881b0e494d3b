//! `email.starttls`: each mail server offers encryption (STARTTLS) with a certificate for its name.
//!
//! Mail to the domain crosses the internet between servers; without STARTTLS it does so in plain
//! text. Each MX host is greeted on port 25 (see `net::smtp`), all at once. Home and office networks
//! often block outbound port 25: when no MX host answers at all, that is what the finding says, as
//! "couldn't check" — never "your mail servers are down".

use super::{Family, Problems};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::smtp::{self, Probe};
use crate::net::NetError;
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;

pub static STARTTLS: CheckDef = CheckDef {
    id: "email.starttls",
    area: Area::Email,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "whether each mail server encrypts incoming mail (STARTTLS on port 25)",
};

pub const FAMILY: Family = Family { name: "starttls", checks: &[&STARTTLS], plan };

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, domain) = (facts.clone(), target.mail.domain.clone());
    let label = format!("Asking the mail servers of {domain} to encrypt");
    vec![PlannedCheck::new(&STARTTLS, &domain.clone(), label, async move { vec![check(&facts, &domain).await] })]
}

/// One MX host's outcome.
pub type Outcome = (String, Result<Probe, (smtp::Stage, NetError)>);

async fn check(facts: &Facts, domain: &str) -> Finding {
    let hosts: Vec<String> = match facts.believe(domain, facts.net().resolver().mx(domain).await).await {
        Ok(mx) => mx.into_iter().map(|m| m.exchange).filter(|e| e != ".").collect(),
        Err(e) if e.is_missing_name() => Vec::new(),
        Err(e) => {
            return super::could_not_check(Finding::new(&STARTTLS, domain, Status::Error), &format!("the mail servers of {domain}"), &e)
        }
    };
    let outcomes: Vec<Outcome> = futures::future::join_all(hosts.iter().map(|h| async move {
        let result = match facts.route(h, 25).await {
            Ok(route) => facts.net().probe_smtp(h, &route).await,
            Err(e) => Err((smtp::Stage::Connect, e)),
        };
        (h.clone(), result)
    }))
    .await;
    judge(domain, &outcomes)
}

/// Whether an error means nothing could be reached from here (rather than a broken server).
fn unreachable(stage: smtp::Stage, e: &NetError) -> bool {
    e.is_inconclusive() && matches!(stage, smtp::Stage::Connect | smtp::Stage::Greeting)
}

/// The verdict (pure).
pub fn judge(domain: &str, outcomes: &[Outcome]) -> Finding {
    let evidence = json!({
        "hosts": outcomes.iter().map(|(h, r)| match r {
            Ok(p) => json!({ "host": h, "banner": p.banner, "starttls": p.offers_starttls, "tls": p.tls, "error": p.starttls_error }),
            Err((stage, e)) => json!({ "host": h, "stage": stage, "error": e.to_string() }),
        }).collect::<Vec<_>>()
    });
    if outcomes.is_empty() {
        return Finding::new(&STARTTLS, domain, Status::Skipped)
            .title(format!("No mail server of {domain} to ask (see email.mx)."))
            .evidence(evidence);
    }
    if outcomes.iter().all(|(_, r)| matches!(r, Err((stage, e)) if unreachable(*stage, e))) {
        return Finding::new(&STARTTLS, domain, Status::Error)
            .title(format!("Preflight could not reach any mail server of {domain} on port 25; this network probably blocks it."))
            .why("Home, office and many cloud networks block outgoing port 25 to stop spam; that says nothing about your mail servers.")
            .detail(outcomes.iter().map(|(h, r)| format!("{h}: {}", r.as_ref().err().map(|(_, e)| e.to_string()).unwrap_or_default())).collect::<Vec<_>>().join("\n"))
            .evidence(evidence)
            .fix(["Run this audit from a server or a CI runner that may open port 25 (most cloud VMs can on request), or ask your mail provider for its TLS report."]);
    }
    let mut issues = Problems::default();
    let mut lines = Vec::new();
    for (host, r) in outcomes {
        match r {
            Ok(p) if !p.offers_starttls => {
                issues.fail.push(format!("{host} does not offer STARTTLS: mail to it travels unencrypted"));
                lines.push(format!("{host}: {} — no STARTTLS", p.banner));
            }
            Ok(Probe { starttls_error: Some(err), .. }) => {
                issues.fail.push(format!("{host} offers STARTTLS but the secure connection fails ({err})"));
                lines.push(format!("{host}: STARTTLS failed"));
            }
            Ok(Probe { tls: Some(tls), .. }) => {
                let cert = tls
                    .chain
                    .first()
                    .map(|c| {
                        let names = if c.names.is_empty() { format!("no names ({})", c.subject) } else { c.names.join(", ") };
                        format!("certificate for {names} from {}", c.issuer_name())
                    })
                    .unwrap_or_default();
                if let Some(problem) = &tls.problem {
                    issues.warn.push(format!(
                        "{host}'s certificate would not be accepted by a checking sender ({problem:?}): MTA-STS or DANE cannot protect it"
                    ));
                }
                lines.push(format!("{host}: STARTTLS, {}, {cert}", tls.protocol));
            }
            Ok(_) => lines.push(format!("{host}: STARTTLS")),
            Err((stage, e)) if unreachable(*stage, e) => {
                issues.warn.push(format!("{host} could not be reached on port 25 ({e}), while another MX could"));
                lines.push(format!("{host}: no answer"));
            }
            Err((_, e)) => {
                issues.fail.push(format!("{host} did not complete the SMTP greeting ({e})"));
                lines.push(format!("{host}: {e}"));
            }
        }
    }
    let status = issues.status();
    let base = Finding::new(&STARTTLS, domain, status).evidence(evidence);
    if status == Status::Pass {
        return base
            .title(format!("Every mail server of {domain} encrypts incoming mail (STARTTLS) with a valid certificate."))
            .detail(lines.join("\n"));
    }
    let (first, listing) = issues.headline_and_detail(&lines.join("\n"));
    base.title(format!("{domain}'s mail servers: {first}."))
        .why("Mail sent to you without encryption can be read and changed by anyone on the path.")
        .detail(listing)
        .fix([
            "Turn on TLS for incoming mail in your mail server or provider (every hosted provider supports it; for your own server, configure a certificate for the MX host name).".to_owned(),
            "Then publish MTA-STS so senders insist on it (see email.mta_sts).".to_owned(),
        ])
}
