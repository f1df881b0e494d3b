//! `email.mx`: the domain can receive mail (replies, bounces, DMARC reports), or says it never will.
//!
//! Each MX host must be a name (not an address), not an alias (RFC 5321 §5.1 forbids it, and some
//! senders refuse), and must resolve. A null MX (RFC 7505: one record, `0 .`) is a clear "this
//! domain receives no mail" and passes.

use super::{could_not_check, Family, Problems};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::records::Mx;
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde::Serialize;
use serde_json::json;

pub static MX: CheckDef = CheckDef {
    id: "email.mx",
    area: Area::Email,
    stage: Stage::Edge,
    impact: Impact::Deliverability,
    what: "the mail servers (MX) of the sending domain",
};

pub const FAMILY: Family = Family { name: "mx", checks: &[&MX], plan };

/// What was learned about one MX host.
#[derive(Debug, Clone, Serialize)]
pub struct Host {
    pub preference: u16,
    pub exchange: String,
    pub ip_literal: bool,
    pub alias: Option<String>,
    pub resolves: Option<bool>,
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, domain) = (facts.clone(), target.mail.domain.clone());
    let label = format!("Reading the mail servers of {domain}");
    vec![PlannedCheck::new(&MX, &domain.clone(), label, async move { vec![check(&facts, &domain).await] })]
}

async fn check(facts: &Facts, domain: &str) -> Finding {
    let records: Vec<Mx> = match facts.believe(domain, facts.net().resolver().mx(domain).await).await {
        Ok(r) => r,
        Err(e) if e.is_missing_name() => Vec::new(),
        Err(e) => return could_not_check(Finding::new(&MX, domain, Status::Error), &format!("the mail servers of {domain}"), &e),
    };
    let hosts = futures::future::join_all(records.iter().filter(|m| m.exchange != ".").map(|m| async move {
        let ip_literal = m.exchange.parse::<std::net::IpAddr>().is_ok();
        let (alias, addrs) = tokio::join!(facts.alias(&m.exchange), facts.addresses(&m.exchange));
        let resolves = match addrs {
            Ok(_) => Some(true),
            Err(e) if e.is_missing_name() => Some(false),
            Err(_) => None,
        };
        Host { preference: m.preference, exchange: m.exchange.clone(), ip_literal, alias: alias.ok().flatten(), resolves }
    }))
    .await;
    judge(domain, &records, &hosts)
}

/// The verdict (pure).
pub fn judge(domain: &str, records: &[Mx], hosts: &[Host]) -> Finding {
    let evidence = json!({ "mx": hosts, "null_mx": records.iter().any(|m| m.exchange == ".") });
    let list = records.iter().map(|m| format!("{} {}", m.preference, m.exchange)).collect::<Vec<_>>().join(", ");
    if records.len() == 1 && records[0].exchange == "." {
        return Finding::new(&MX, domain, Status::Pass)
            .title(format!("{domain} says it receives no mail (null MX), so senders do not try."))
            .detail(format!(
                "MX: {list} (RFC 7505). Replies and bounces to this domain are refused at once; DMARC reports must go elsewhere."
            ))
            .evidence(evidence);
    }
    if records.is_empty() {
        return Finding::new(&MX, domain, Status::Warn)
            .title(format!("{domain} has no mail servers (MX), so replies, bounces and DMARC reports to it are lost."))
            .why("Users who reply to your emails get an error, and some receivers distrust mail from a domain that cannot receive any.")
            .detail(format!("No MX record at {domain}."))
            .evidence(evidence)
            .fix([
                format!("Add the MX records of your mail provider at {domain} (Google Workspace: smtp.google.com, priority 1)."),
                format!("If {domain} should never receive mail, publish a null MX instead: MX 0 . (RFC 7505)."),
            ]);
    }
    let mut issues = Problems::default();
    for h in hosts {
        if h.ip_literal {
            issues.fail.push(format!("{} is an address, not a name: MX must name a host", h.exchange));
        } else if h.resolves == Some(false) {
            issues.fail.push(format!("{} does not resolve, so mail sent to it bounces", h.exchange));
        }
        if let Some(target) = &h.alias {
            issues.warn.push(format!("{} is an alias (CNAME to {target}); RFC 5321 forbids that and some senders refuse", h.exchange));
        }
    }
    if records.iter().any(|m| m.exchange == ".") {
        issues.fail.push("a null MX (.) is mixed with real mail servers: senders may give up".into());
    }
    let status = issues.status();
    let base = Finding::new(&MX, domain, status).evidence(evidence);
    if status == Status::Pass {
        return base
            .title(format!("{domain} receives mail on {} server{}.", hosts.len(), if hosts.len() == 1 { "" } else { "s" }))
            .detail(format!("MX: {list}"));
    }
    let (first, listing) = issues.headline_and_detail(&format!("MX: {list}"));
    base.title(format!("{domain}'s mail servers have a problem: {}.", first))
        .why("Mail to your domain — replies from users, bounces, DMARC reports — does not arrive.")
        .detail(listing)
        .fix([
            "Set the MX records exactly as your mail provider lists them (host names, not addresses or aliases).".to_owned(),
            "Run this audit again to confirm.".to_owned(),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mx(p: u16, e: &str) -> Mx {
        Mx { preference: p, exchange: e.into() }
    }
    fn host(e: &str, resolves: bool, alias: Option<&str>) -> Host {
        Host {
            preference: 10,
            exchange: e.into(),
            ip_literal: e.parse::<std::net::IpAddr>().is_ok(),
            alias: alias.map(Into::into),
            resolves: Some(resolves),
        }
    }

    #[test]
    fn mail_servers_are_judged() {
        assert_eq!(judge("a.test", &[mx(0, ".")], &[]).status, Status::Pass, "null MX");
        assert_eq!(judge("a.test", &[], &[]).status, Status::Warn);
        assert_eq!(judge("a.test", &[mx(10, "mx.a.test")], &[host("mx.a.test", true, None)]).status, Status::Pass);
        assert_eq!(judge("a.test", &[mx(10, "mx.a.test")], &[host("mx.a.test", false, None)]).status, Status::Fail);
        assert_eq!(judge("a.test", &[mx(10, "192.0.2.1")], &[host("192.0.2.1", true, None)]).status, Status::Fail);
        assert_eq!(judge("a.test", &[mx(10, "mx.a.test")], &[host("mx.a.test", true, Some("x.b.test"))]).status, Status::Warn);
    }
}
