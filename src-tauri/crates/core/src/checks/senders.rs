//! `email.senders`: who sends mail for the domain, and whether each one's mail will pass DMARC.
//!
//! The founder's question is not "is my SPF valid" but "will my password resets arrive". The
//! services behind the MX and the SPF includes are recognised (`data/mail-providers.toml`); for each,
//! DMARC passes when its DKIM key is published under the domain (DKIM aligned) or when it sends with
//! the domain as the envelope sender and is in the SPF record (SPF aligned). Reads the same records
//! the other email checks read (`Facts::txt`), so it costs almost no extra lookup.

use super::{could_not_check, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::mail::providers::{self, Provider};
use crate::mail::spf;
use crate::mail::{dkim, dmarc};
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde::Serialize;
use serde_json::json;

pub static SENDERS: CheckDef = CheckDef {
    id: "email.senders",
    area: Area::Email,
    stage: Stage::Edge,
    impact: Impact::Deliverability,
    what: "which services send for the domain, and whether their mail passes DMARC",
};

pub const FAMILY: Family = Family { name: "senders", checks: &[&SENDERS], plan };

/// One sending service and how its mail fares.
#[derive(Debug, Clone, Serialize)]
pub struct Sender {
    pub name: String,
    pub in_spf: bool,
    pub spf_aligned: bool,
    /// The selector whose key was found, if any.
    pub dkim: Option<String>,
    pub passes: bool,
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, domain) = (facts.clone(), target.mail.domain.clone());
    let label = format!("Working out who sends mail for {domain}");
    vec![PlannedCheck::new(&SENDERS, &domain.clone(), label, async move { vec![check(&facts, &domain).await] })]
}

async fn check(facts: &Facts, domain: &str) -> Finding {
    let dmarc_at = format!("_dmarc.{domain}");
    let (mx, txt, policy) = tokio::join!(facts.net().resolver().mx(domain), facts.txt(domain), facts.txt(&dmarc_at));
    let txt = match txt {
        Ok(t) => t,
        Err(e) if e.is_missing_name() => Vec::new(),
        Err(e) => return could_not_check(Finding::new(&SENDERS, domain, Status::Error), &format!("who sends mail for {domain}"), &e),
    };
    let includes = spf::includes(&txt);
    let hosts: Vec<String> = mx.unwrap_or_default().into_iter().map(|m| m.exchange).collect();
    let found = providers::recognise(&hosts, &includes);
    let senders = futures::future::join_all(found.iter().map(|p| sender(facts, domain, p, &includes))).await;
    let policy = policy.ok().and_then(|t| t.into_iter().find(|r| dmarc::is_dmarc(r))).and_then(|r| dmarc::parse(&r).policy);
    judge(domain, &senders, policy.as_deref())
}

async fn sender(facts: &Facts, domain: &str, p: &Provider, includes: &[String]) -> Sender {
    let in_spf = includes.iter().any(|i| p.spf.iter().any(|s| i == s || i.ends_with(&format!(".{s}"))));
    let keys = futures::future::join_all(
        p.selectors.iter().map(|s| async move { (s.clone(), facts.txt(&format!("{s}._domainkey.{domain}")).await) }),
    )
    .await;
    let dkim = keys
        .into_iter()
        .find_map(|(s, r)| r.ok().and_then(|t| t.into_iter().find(|x| x.contains("p="))).filter(|t| !dkim::parse(t).revoked).map(|_| s));
    let spf_aligned = in_spf && p.own_envelope;
    Sender { name: p.name.clone(), in_spf, spf_aligned, passes: spf_aligned || dkim.is_some(), dkim }
}

/// The verdict (pure).
pub fn judge(domain: &str, senders: &[Sender], policy: Option<&str>) -> Finding {
    let evidence = json!({ "senders": senders, "dmarc_policy": policy });
    if senders.is_empty() {
        return Finding::new(&SENDERS, domain, Status::Manual)
            .title(format!("Preflight could not tell which services send mail for {domain}."))
            .detail("None of the MX hosts or SPF includes belongs to a provider Preflight knows (data/mail-providers.toml). Check with each service that sends as you (your app's mail API, newsletters, support desk) that it signs with DKIM under your domain.")
            .evidence(evidence);
    }
    let lines: Vec<String> = senders
        .iter()
        .map(|s| {
            let how = match (&s.dkim, s.spf_aligned) {
                (Some(sel), _) => format!("passes DMARC: it signs with DKIM under your domain (selector {sel})"),
                (None, true) => "passes DMARC through SPF (it sends with your domain as the envelope), but has no DKIM key: forwarded mail will fail".to_owned(),
                (None, false) if s.in_spf => "will fail DMARC: it is in your SPF record, but sends with its own envelope domain, and no DKIM key of it was found under your domain".to_owned(),
                (None, false) => "will fail DMARC: no DKIM key of it was found under your domain and it is not in your SPF record".to_owned(),
            };
            format!("{}: {how}", s.name)
        })
        .collect();
    let failing: Vec<&Sender> = senders.iter().filter(|s| !s.passes).collect();
    let enforced = matches!(policy, Some("quarantine" | "reject"));
    let status = match (failing.is_empty(), enforced) {
        (true, _) if senders.iter().any(|s| s.dkim.is_none()) => Status::Warn,
        (true, _) => Status::Pass,
        (false, true) => Status::Fail,
        (false, false) => Status::Warn,
    };
    let names = |v: &[&Sender]| v.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ");
    let base = Finding::new(&SENDERS, domain, status).detail(lines.join("\n")).evidence(evidence);
    match status {
        Status::Pass => base.title(format!("Every service that sends for {domain} passes DMARC: {}.", names(&senders.iter().collect::<Vec<_>>()))),
        _ if failing.is_empty() => base
            .title(format!("Every service that sends for {domain} passes DMARC today, but some only through SPF, which breaks when mail is forwarded."))
            .why("Forwarded mail (mailing lists, a user's forwarding rule) keeps DKIM but loses SPF.")
            .fix(["Turn on DKIM signing in each of these services and publish its key under your domain."]),
        _ => base
            .title(format!(
                "Mail sent for {domain} by {} will fail DMARC{}.",
                names(&failing),
                if enforced { " and be sent to spam or refused" } else { " (today it is only reported, because the policy is p=none)" }
            ))
            .why("Receivers check DMARC on every message: mail that fails it is filtered as a forgery, however genuine.")
            .fix([
                "In each of these services, set up domain authentication (it gives you DKIM records, sometimes a custom return-path) and publish the records where your DNS is managed.".to_owned(),
                "Run this audit again: each should then say it passes DMARC.".to_owned(),
            ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str, in_spf: bool, own: bool, dkim: Option<&str>) -> Sender {
        Sender {
            name: name.into(),
            in_spf,
            spf_aligned: in_spf && own,
            dkim: dkim.map(Into::into),
            passes: (in_spf && own) || dkim.is_some(),
        }
    }

    #[test]
    fn each_sender_is_judged_on_alignment() {
        assert_eq!(judge("a.test", &[s("Google Workspace", true, true, Some("google"))], Some("reject")).status, Status::Pass);
        assert_eq!(
            judge("a.test", &[s("Google Workspace", true, true, None)], Some("reject")).status,
            Status::Warn,
            "SPF-only passes, forwarding breaks it"
        );
        let f = judge("a.test", &[s("SendGrid", true, false, None)], Some("reject"));
        assert_eq!(f.status, Status::Fail);
        assert!(f.title.contains("SendGrid will fail DMARC"), "{}", f.title);
        assert_eq!(judge("a.test", &[s("SendGrid", true, false, None)], Some("none")).status, Status::Warn);
        assert_eq!(judge("a.test", &[], None).status, Status::Manual);
    }
}
