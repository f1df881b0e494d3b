//! `email.mta_sts`: MTA-STS (RFC 8461) and TLS reporting (RFC 8460) for the receiving side.
//!
//! Mail between servers is encrypted only if both sides agree, and an attacker on the path can
//! strip that agreement. MTA-STS publishes a policy — over HTTPS, at
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt`, announced by a `_mta-sts` TXT record — that
//! tells senders to insist on TLS with the listed MX hosts. The policy must parse, its `mx:` patterns
//! must cover the real MX hosts (or mail bounces in enforce mode), and `_smtp._tls` should say where
//! failure reports go. Optional for a launch: having none is information, a broken one is a problem.

use super::{could_not_check, Family, Problems};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::Request;
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde::Serialize;
use serde_json::json;
use url::Url;

pub static MTA_STS: CheckDef = CheckDef {
    id: "email.mta_sts",
    area: Area::Email,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "the MTA-STS policy and TLS reporting for incoming mail",
};

pub const FAMILY: Family = Family { name: "mta-sts", checks: &[&MTA_STS], plan };

/// A parsed policy file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub version: Option<String>,
    pub mode: Option<String>,
    pub mx: Vec<String>,
    pub max_age: Option<u64>,
}

/// Parses `key: value` lines (RFC 8461 §3.2).
pub fn parse_policy(text: &str) -> Policy {
    let mut p = Policy::default();
    for line in text.lines() {
        let Some((k, v)) = line.split_once(':') else { continue };
        let v = v.trim().to_owned();
        match k.trim() {
            "version" => p.version = Some(v),
            "mode" => p.mode = Some(v),
            "mx" => p.mx.push(v.to_ascii_lowercase()),
            "max_age" => p.max_age = v.parse().ok(),
            _ => {}
        }
    }
    p
}

/// Whether an MX host matches a policy pattern (`mail.acme.com` or `*.acme.com`, one label).
pub fn matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => {
            host.strip_suffix(suffix).and_then(|rest| rest.strip_suffix('.')).is_some_and(|label| !label.is_empty() && !label.contains('.'))
        }
        None => host == pattern,
    }
}

/// Everything looked at.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Seen {
    pub txt: Option<String>,
    pub policy_url: String,
    pub policy: Option<Policy>,
    pub policy_error: Option<String>,
    pub mx: Vec<String>,
    pub tls_rpt: Option<String>,
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, domain) = (facts.clone(), target.mail.domain.clone());
    let label = format!("Reading the MTA-STS policy of {domain}");
    vec![PlannedCheck::new(&MTA_STS, &domain.clone(), label, async move { vec![check(&facts, &domain).await] })]
}

async fn check(facts: &Facts, domain: &str) -> Finding {
    let r = facts.net().resolver();
    let (sts, rpt, mx) = tokio::join!(
        async { facts.txt(&format!("_mta-sts.{domain}")).await },
        async { facts.txt(&format!("_smtp._tls.{domain}")).await },
        async { facts.believe(domain, r.mx(domain).await).await }
    );
    let missing_ok = |x: Result<Vec<String>, crate::net::NetError>| match x {
        Err(e) if e.is_missing_name() => Ok(Vec::new()),
        other => other,
    };
    let (sts, rpt) = match (missing_ok(sts), missing_ok(rpt)) {
        (Ok(s), Ok(r)) => (s, r),
        (Err(e), _) | (_, Err(e)) => {
            return could_not_check(Finding::new(&MTA_STS, domain, Status::Error), &format!("the MTA-STS records of {domain}"), &e)
        }
    };
    let mut seen = Seen {
        txt: sts.into_iter().find(|t| t.trim_start().to_ascii_lowercase().starts_with("v=stsv1")),
        policy_url: format!("https://mta-sts.{domain}/.well-known/mta-sts.txt"),
        mx: mx.unwrap_or_default().into_iter().map(|m| m.exchange).filter(|e| e != ".").collect(),
        tls_rpt: rpt.into_iter().find(|t| t.trim_start().to_ascii_lowercase().starts_with("v=tlsrptv1")),
        ..Seen::default()
    };
    if seen.txt.is_some() {
        match Url::parse(&seen.policy_url) {
            Ok(url) => match facts.send(&Request::get(url)).await {
                Ok(resp) if resp.status == 200 => seen.policy = Some(parse_policy(&String::from_utf8_lossy(&resp.body))),
                Ok(resp) => seen.policy_error = Some(format!("it answered {}", resp.status)),
                Err(e) if e.is_inconclusive() => {
                    return could_not_check(Finding::new(&MTA_STS, domain, Status::Error), &format!("the MTA-STS policy of {domain}"), &e)
                }
                Err(e) => seen.policy_error = Some(e.to_string()),
            },
            Err(e) => seen.policy_error = Some(e.to_string()),
        }
    }
    judge(domain, &seen)
}

/// The verdict (pure).
pub fn judge(domain: &str, seen: &Seen) -> Finding {
    let mut evidence = json!(seen);
    if seen.txt.is_some() && seen.tls_rpt.is_none() {
        // The record to paste: reports about failed encryption to the domain itself.
        evidence["suggested"] = json!({ "type": "TXT", "name": format!("_smtp._tls.{domain}"), "value": format!("v=TLSRPTv1; rua=mailto:tls-reports@{domain}") });
    }
    if seen.txt.is_none() {
        let rpt = if seen.tls_rpt.is_some() { " TLS reporting (_smtp._tls) is set up." } else { "" };
        return Finding::new(&MTA_STS, domain, Status::Pass)
            .title(format!("{domain} publishes no MTA-STS policy (optional): senders encrypt mail to it when they can, without insisting."))
            .detail(format!("No v=STSv1 TXT record at _mta-sts.{domain}.{rpt} MTA-STS stops an attacker on the network from forcing mail to your domain over plain text; Google Workspace and Microsoft 365 document how to publish it."))
            .evidence(evidence);
    }
    let mut issues = Problems::default();
    match (&seen.policy, &seen.policy_error) {
        (_, Some(err)) => issues.fail.push(format!(
            "the policy at {} cannot be fetched ({err}): senders that already cached one keep enforcing a stale policy",
            seen.policy_url
        )),
        (Some(p), None) => {
            if p.version.as_deref() != Some("STSv1") {
                issues.fail.push("the policy does not start with version: STSv1".into());
            }
            match p.mode.as_deref() {
                Some("enforce") => {}
                Some("testing") => {
                    issues.warn.push("mode: testing: failures are only reported, mail is still delivered without TLS".into())
                }
                Some("none") => issues.warn.push("mode: none: the policy is switched off".into()),
                other => issues.fail.push(format!("mode is {}, not enforce, testing or none", other.unwrap_or("missing"))),
            }
            if p.max_age.is_none() {
                issues.fail.push("max_age is missing".into());
            } else if p.max_age.is_some_and(|a| a < 86_400) {
                issues.warn.push("max_age is under a day: senders forget the policy between messages".into());
            }
            let uncovered: Vec<&String> = seen.mx.iter().filter(|h| !p.mx.iter().any(|pat| matches(pat, h))).collect();
            if !uncovered.is_empty() {
                let names = uncovered.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(", ");
                let what = if p.mode.as_deref() == Some("enforce") {
                    "senders refuse to deliver to them (mail bounces)"
                } else {
                    "they would fail once the policy enforces"
                };
                issues.fail.push(format!("the MX host(s) {names} match no mx: line of the policy: {what}"));
            }
        }
        (None, None) => {}
    }
    if seen.tls_rpt.is_none() {
        issues.warn.push(format!("no TLS reporting record at _smtp._tls.{domain}: you never hear when senders cannot encrypt"));
    }
    let status = issues.status();
    let base = Finding::new(&MTA_STS, domain, status).evidence(evidence);
    if status == Status::Pass {
        return base
            .title(format!("{domain} tells senders to insist on encrypted delivery (MTA-STS enforce), and reports failures."))
            .detail(format!("{}\n{}", seen.txt.as_deref().unwrap_or_default(), seen.tls_rpt.as_deref().unwrap_or_default()));
    }
    let (first, listing) =
        issues.headline_and_detail(&format!("_mta-sts.{domain}: {}\nPolicy: {}", seen.txt.as_deref().unwrap_or_default(), seen.policy_url));
    base.title(format!("{domain}'s MTA-STS set-up has a problem: {first}."))
        .why("A broken MTA-STS policy either protects nothing or makes senders refuse to deliver your mail.")
        .detail(listing)
        .fix([
            format!("Serve the policy at {} with version: STSv1, mode: enforce (after a period in testing), one mx: line per MX host (or a *. pattern), and max_age: 604800.", seen.policy_url),
            format!("Add a TXT record at _smtp._tls.{domain}: v=TLSRPTv1; rua=mailto:tls-reports@{domain}"),
            "Change the id= in the _mta-sts TXT record whenever the policy changes, then run this audit again.".to_owned(),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_one_label() {
        assert!(matches("*.acme.test", "mx1.acme.test"));
        assert!(!matches("*.acme.test", "a.b.acme.test"));
        assert!(!matches("*.acme.test", "acme.test"));
        assert!(matches("mx.acme.test", "MX.acme.test."));
    }

    #[test]
    fn a_policy_that_misses_an_mx_fails() {
        let policy = parse_policy("version: STSv1\nmode: enforce\nmx: mx1.acme.test\nmax_age: 604800\n");
        let seen = |mx: &[&str]| Seen {
            txt: Some("v=STSv1; id=1".into()),
            policy_url: "https://mta-sts.acme.test/.well-known/mta-sts.txt".into(),
            policy: Some(policy.clone()),
            mx: mx.iter().map(|s| (*s).to_owned()).collect(),
            tls_rpt: Some("v=TLSRPTv1; rua=mailto:t@acme.test".into()),
            ..Seen::default()
        };
        assert_eq!(judge("acme.test", &seen(&["mx1.acme.test"])).status, Status::Pass);
        let f = judge("acme.test", &seen(&["mx1.acme.test", "mx2.acme.test"]));
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("mx2.acme.test match no mx: line") && f.detail.contains("mail bounces"), "{}", f.detail);
        assert_eq!(judge("acme.test", &Seen::default()).status, Status::Pass, "none is optional");
    }
}
