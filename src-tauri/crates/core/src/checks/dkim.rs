//! `email.dkim`: the domain publishes DKIM keys receivers can verify its mail with, and they are
//! strong enough.
//!
//! DKIM keys live at `<selector>._domainkey.<domain>` and there is no way to list selectors, so
//! they are asked for, all at once: the founder's (`[mail] dkim_selectors`, `--dkim-selector`), the
//! ones the providers behind the domain's MX and SPF use (`data/mail-providers.toml`), then a common
//! list. Each key found: type, size (under 1024 bits fails, under 2048 needs attention), withdrawn
//! (empty `p=`), test mode (`t=y`). When none is found, the finding says every selector tried.

use super::{could_not_check, Family, Problems};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::mail::dkim::{self, Key};
use crate::mail::providers::{self, COMMON_SELECTORS};
use crate::mail::spf;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde::Serialize;
use serde_json::json;

pub static DKIM: CheckDef = CheckDef {
    id: "email.dkim",
    area: Area::Email,
    stage: Stage::Edge,
    impact: Impact::Deliverability,
    what: "the DKIM keys the domain publishes",
};

pub const FAMILY: Family = Family { name: "dkim", checks: &[&DKIM], plan };

/// A selector that answered with a key.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub selector: String,
    pub key: Key,
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, domain, mine) = (facts.clone(), target.mail.domain.clone(), target.mail.dkim_selectors.clone());
    let label = format!("Looking for the DKIM keys of {domain}");
    vec![PlannedCheck::new(&DKIM, &domain.clone(), label, async move { vec![check(&facts, &domain, &mine).await] })]
}

/// The selectors to ask for, in order, each once: the founder's, the providers', the common ones.
async fn selectors(facts: &Facts, domain: &str, mine: &[String]) -> (Vec<String>, Vec<String>) {
    let (mx, txt) = tokio::join!(facts.net().resolver().mx(domain), facts.txt(domain));
    let mx_hosts: Vec<String> = mx.unwrap_or_default().into_iter().map(|m| m.exchange).collect();
    let includes = spf::includes(&txt.unwrap_or_default());
    let found = providers::recognise(&mx_hosts, &includes);
    let names = found.iter().map(|p| p.name.clone()).collect();
    let mut list: Vec<String> = Vec::new();
    let candidates = mine
        .iter()
        .cloned()
        .chain(found.iter().flat_map(|p| p.selectors.iter().cloned()))
        .chain(COMMON_SELECTORS.iter().map(|s| (*s).to_owned()));
    for s in candidates {
        let s = s.trim().to_ascii_lowercase();
        if !s.is_empty() && !list.contains(&s) {
            list.push(s);
        }
    }
    (list, names)
}

async fn check(facts: &Facts, domain: &str, mine: &[String]) -> Finding {
    let (tried, senders) = selectors(facts, domain, mine).await;
    let answers = futures::future::join_all(tried.iter().map(|s| async move {
        let name = format!("{s}._domainkey.{domain}");
        (s.clone(), facts.txt(&name).await)
    }))
    .await;
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for (selector, answer) in answers {
        match answer {
            Ok(txts) => {
                if let Some(t) = txts.iter().find(|t| t.contains("p=") || t.to_ascii_lowercase().starts_with("v=dkim1")) {
                    found.push(Found { selector, key: dkim::parse(t) });
                }
            }
            Err(e) if e.is_missing_name() => {}
            Err(e) => unknown.push((selector, e)),
        }
    }
    if found.is_empty() {
        if let Some((s, e)) = unknown.first() {
            return could_not_check(Finding::new(&DKIM, domain, Status::Error), &format!("the DKIM key at {s}._domainkey.{domain}"), e);
        }
    }
    judge(domain, &tried, &senders, &found)
}

/// The verdict (pure).
pub fn judge(domain: &str, tried: &[String], senders: &[String], found: &[Found]) -> Finding {
    let evidence = json!({ "keys": found, "tried": tried, "providers": senders });
    if found.is_empty() {
        return Finding::new(&DKIM, domain, Status::Warn)
            .title(format!("No DKIM key was found for {domain}, so receivers may not be able to verify your mail's signature."))
            .why("Without DKIM, your mail passes DMARC only through SPF, which breaks when mail is forwarded: it lands in spam.")
            .detail(format!("Tried {} selectors: {}. A provider may use a selector not on this list.", tried.len(), tried.join(", ")))
            .evidence(evidence)
            .fix([
                "In your email provider's admin console, turn on DKIM signing and publish the record it gives you (Google Workspace: Apps → Gmail → Authenticate email).".to_owned(),
                "If you already did, add its selector (the part before ._domainkey) to preflight.toml under [mail] dkim_selectors, or pass --dkim-selector.".to_owned(),
            ]);
    }
    let mut issues = Problems::default();
    for f in found {
        let at = format!("{}._domainkey.{domain}", f.selector);
        for p in &f.key.problems {
            issues.fail.push(format!("{at}: {p}"));
        }
        match f.key.bits {
            Some(b) if b < 1024 => issues.fail.push(format!("{at}: a {b}-bit {} key, which receivers reject", f.key.kind)),
            Some(b) if b < 2048 && f.key.kind == "rsa" => {
                issues.warn.push(format!("{at}: a {b}-bit RSA key; 2048 bits is today's minimum"))
            }
            _ => {}
        }
        if f.key.testing {
            issues.warn.push(format!("{at}: t=y (test mode): receivers treat its signatures as a test"));
        }
    }
    let live: Vec<&Found> = found.iter().filter(|f| !f.key.revoked).collect();
    if live.is_empty() {
        issues.fail.push(format!(
            "every key found is withdrawn (empty p=): {}",
            found.iter().map(|f| f.selector.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let keys = found
        .iter()
        .map(|f| {
            format!(
                "{}: {}{}{}",
                f.selector,
                f.key.kind,
                f.key.bits.map(|b| format!(" {b} bits")).unwrap_or_default(),
                if f.key.revoked { " (withdrawn)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let status = issues.status();
    let base = Finding::new(&DKIM, domain, status).evidence(evidence);
    if status == Status::Pass {
        return base
            .title(format!(
                "{domain} publishes {} DKIM key{} receivers can verify its mail with ({keys}).",
                live.len(),
                if live.len() == 1 { "" } else { "s" }
            ))
            .detail(format!("Selectors tried: {}.", tried.join(", ")));
    }
    let (first, listing) = issues.headline_and_detail(&format!("Keys: {keys}"));
    base.title(format!("{domain}'s DKIM keys have a problem: {}.", first))
        .why("Receivers that cannot verify a signature treat the mail as unsigned: it is more likely to land in spam.")
        .detail(listing)
        .fix([
            "In your email provider's console, rotate to a new 2048-bit key and publish its record; then remove the old one.".to_owned(),
            "Run this audit again to confirm.".to_owned(),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(bits: u32, testing: bool, revoked: bool) -> Key {
        Key { kind: "rsa".into(), bits: (!revoked).then_some(bits), revoked, testing, problems: vec![] }
    }

    #[test]
    fn keys_are_judged_by_size_and_flags() {
        let f = |k: Key| judge("a.test", &["s1".into()], &[], &[Found { selector: "s1".into(), key: k }]).status;
        assert_eq!(f(key(2048, false, false)), Status::Pass);
        assert_eq!(f(key(1024, false, false)), Status::Warn);
        assert_eq!(f(key(512, false, false)), Status::Fail);
        assert_eq!(f(key(2048, true, false)), Status::Warn);
        assert_eq!(f(key(0, false, true)), Status::Fail, "only a withdrawn key");
        let none = judge("a.test", &["google".into(), "s1".into()], &[], &[]);
        assert_eq!(none.status, Status::Warn);
        assert!(none.detail.contains("google, s1"), "says what was tried: {}", none.detail);
    }
}
