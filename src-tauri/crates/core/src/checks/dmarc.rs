//! `email.dmarc`: the DMARC policy that tells receivers what to do with mail that fails SPF and DKIM.
//!
//! The record is looked up at `_dmarc.<sending domain>`, and when there is none, at the
//! organizational domain's (found with the public suffix list), whose `sp=` or `p=` then applies; the
//! finding says which. Report destinations are checked too: their domain must be able to receive
//! mail, and a destination outside the domain must say it accepts the reports
//! (`<domain>._report._dmarc.<destination>`), or they are silently dropped. Independent lookups
//! (the record, each destination's MX and authorization) run at once.

use super::{could_not_check, Family, Problems};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::mail::dmarc::{self, Record};
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::NetError;
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde::Serialize;
use serde_json::json;

pub static DMARC: CheckDef = CheckDef {
    id: "email.dmarc",
    area: Area::Email,
    stage: Stage::Edge,
    impact: Impact::Deliverability,
    what: "the DMARC policy and where its reports go",
};

pub const FAMILY: Family = Family { name: "dmarc", checks: &[&DMARC], plan };

/// The organizational domain of `domain` (`mail.acme.co.uk` → `acme.co.uk`), by the public suffix
/// list; the domain itself when the list does not know its suffix.
pub fn organizational(domain: &str) -> String {
    psl::domain_str(domain).map_or_else(|| domain.to_owned(), str::to_owned)
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, domain) = (facts.clone(), target.mail.domain.clone());
    let label = format!("Reading the DMARC policy of {domain}");
    vec![PlannedCheck::new(&DMARC, &domain.clone(), label, async move { vec![check(&facts, &domain).await] })]
}

/// Where the record that applies was found.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub at: String,
    pub inherited: bool,
    pub text: String,
    pub records: usize,
}

/// A report destination and what was learned about it.
#[derive(Debug, Clone, Serialize)]
pub struct Destination {
    pub uri: String,
    pub domain: Option<String>,
    pub external: bool,
    pub receives_mail: Option<bool>,
    pub authorized: Option<bool>,
}

async fn lookup(facts: &Facts, name: &str) -> Result<Vec<String>, NetError> {
    match facts.txt(name).await {
        Err(e) if e.is_missing_name() => Ok(Vec::new()),
        other => other.map(|t| t.into_iter().filter(|r| dmarc::is_dmarc(r)).collect()),
    }
}

async fn check(facts: &Facts, domain: &str) -> Finding {
    let org = organizational(domain);
    let own = format!("_dmarc.{domain}");
    let parent = format!("_dmarc.{org}");
    let (here, there) = tokio::join!(lookup(facts, &own), async {
        if org == domain {
            Ok(Vec::new())
        } else {
            lookup(facts, &parent).await
        }
    });
    let found = match (here, there) {
        (Err(e), _) | (Ok(_), Err(e)) => {
            return could_not_check(Finding::new(&DMARC, domain, Status::Error), &format!("the DMARC record of {domain}"), &e)
        }
        (Ok(h), _) if !h.is_empty() => Some(Found { at: own.clone(), inherited: false, text: h[0].clone(), records: h.len() }),
        (Ok(_), Ok(t)) if !t.is_empty() => Some(Found { at: parent.clone(), inherited: true, text: t[0].clone(), records: t.len() }),
        _ => None,
    };
    let Some(found) = found else { return judge(domain, None, &Record::default(), &[]) };
    let record = dmarc::parse(&found.text);
    let destinations = futures::future::join_all(record.rua.iter().chain(&record.ruf).map(|uri| destination(facts, &org, uri))).await;
    judge(domain, Some(&found), &record, &destinations)
}

async fn destination(facts: &Facts, org: &str, uri: &str) -> Destination {
    let domain = dmarc::report_domain(uri);
    let Some(d) = domain.clone() else {
        return Destination { uri: uri.to_owned(), domain, external: false, receives_mail: None, authorized: None };
    };
    let external = organizational(&d) != org;
    let auth_name = format!("{org}._report._dmarc.{d}");
    let (mx, auth) = tokio::join!(async { facts.believe(&d, facts.net().resolver().mx(&d).await).await }, async {
        if external {
            Some(lookup(facts, &auth_name).await)
        } else {
            None
        }
    });
    let receives_mail = match mx {
        Ok(list) => Some(list.iter().any(|m| m.exchange != ".")),
        Err(e) if e.is_missing_name() => Some(false),
        Err(_) => None,
    };
    let authorized = auth.and_then(|r| r.ok()).map(|r| !r.is_empty());
    Destination { uri: uri.to_owned(), domain, external, receives_mail, authorized }
}

/// The verdict (pure).
pub fn judge(domain: &str, found: Option<&Found>, record: &Record, destinations: &[Destination]) -> Finding {
    // The record to paste: a first policy when there is none, the next step up when there is one.
    let suggested = match found.map(|_| record.policy.as_deref()) {
        None => Some(format!("v=DMARC1; p=none; rua=mailto:dmarc@{domain}")),
        Some(Some("none")) | Some(None) => Some(format!("v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}")),
        _ => None,
    };
    let name = found.map_or_else(|| format!("_dmarc.{domain}"), |f| f.at.clone());
    let evidence = json!({
        "found": found, "record": record, "destinations": destinations,
        "suggested": suggested.map(|value| json!({ "type": "TXT", "name": name, "value": value })),
    });
    let Some(found) = found else {
        return Finding::new(&DMARC, domain, Status::Fail)
            .title(format!("{domain} has no DMARC policy, so anyone can send mail as you and receivers are not told to stop it."))
            .why("Gmail and Yahoo require DMARC from bulk senders, and without it spoofed mail in your name reaches your customers.")
            .detail(format!("No TXT record starting with v=DMARC1 at _dmarc.{domain} (nor at the organizational domain)."))
            .evidence(evidence)
            .fix([
                format!("Add a TXT record at _dmarc.{domain}: v=DMARC1; p=none; rua=mailto:dmarc@{domain} to start collecting reports."),
                "After two to four weeks of reports showing all your senders pass, move to p=quarantine, then p=reject.".to_owned(),
            ]);
    };
    let mut issues = Problems::default();
    if found.records > 1 {
        issues.fail.push(format!("{} DMARC records at {}: receivers ignore them all; keep one", found.records, found.at));
    }
    for p in &record.problems {
        if p.contains("p=") || p.contains("must start") {
            issues.fail.push(p.clone());
        } else {
            issues.warn.push(p.clone());
        }
    }
    let policy = if found.inherited { record.subdomain_policy.as_ref().or(record.policy.as_ref()) } else { record.policy.as_ref() };
    match policy.map(String::as_str) {
        Some("none") => issues.warn.push("p=none is monitoring only: spoofers are not stopped, receivers only report".into()),
        Some(_) if record.pct < 100 => {
            issues.warn.push(format!("pct={} applies the policy to only {}% of failing mail", record.pct, record.pct))
        }
        _ => {}
    }
    if record.rua.is_empty() {
        issues.warn.push("no rua= address: you never see who sends mail as you, so you cannot move to a strict policy safely".into());
    }
    for d in destinations {
        let name = d.domain.as_deref().unwrap_or(&d.uri);
        if d.receives_mail == Some(false) {
            issues.warn.push(format!("reports go to {}, but {name} cannot receive mail (no MX)", d.uri));
        }
        if d.external && d.authorized == Some(false) {
            issues.warn.push(format!("{name} has not agreed to receive reports for your domain (no TXT at <your domain>._report._dmarc.{name}), so they are dropped"));
        }
    }
    let inherit = if found.inherited { format!(" (no record at _dmarc.{domain}; the one at {} applies)", found.at) } else { String::new() };
    let mode = |m: &str| if m == "s" { "strict (the exact domain)" } else { "relaxed (any subdomain)" };
    let detail = format!(
        "{}: {}{inherit}\nAlignment: DKIM {}, SPF {}; the policy applies to {}% of failing mail.",
        found.at,
        found.text,
        mode(&record.adkim),
        mode(&record.aspf),
        record.pct
    );
    let status = issues.status();
    let words = match policy.map(String::as_str) {
        Some("reject") => "receivers refuse mail that fails authentication",
        Some("quarantine") => "receivers send mail that fails authentication to spam",
        Some("none") => "receivers only report mail that fails authentication",
        _ => "receivers have no usable instruction",
    };
    let base = Finding::new(&DMARC, domain, status).evidence(evidence);
    if status == Status::Pass {
        return base.title(format!("{domain}'s DMARC policy is in force: {words}, and reports reach you.")).detail(detail);
    }
    let (first, listing) = issues.headline_and_detail(&detail);
    base.title(format!("{domain}'s DMARC policy: {words}; {}.", first))
        .why("DMARC is what stops others sending as you, and what makes Gmail and Outlook trust your mail.")
        .detail(listing)
        .fix([
            format!("Edit the TXT record at {}. A good target: v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}; (then p=reject once reports show all your senders pass).", found.at),
            "If reports go to another company's address, that company must publish the authorization record (your provider's setup guide has it).".to_owned(),
            "Run this audit again to confirm.".to_owned(),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, inherited: bool) -> Found {
        Found { at: "_dmarc.acme.test".into(), inherited, text: text.into(), records: 1 }
    }

    fn dest(uri: &str, external: bool, receives: bool, authorized: Option<bool>) -> Destination {
        Destination { uri: uri.into(), domain: dmarc::report_domain(uri), external, receives_mail: Some(receives), authorized }
    }

    #[test]
    fn policies_and_destinations_are_judged() {
        let strict = "v=DMARC1; p=reject; rua=mailto:d@acme.test";
        let ok = [dest("mailto:d@acme.test", false, true, None)];
        assert_eq!(judge("acme.test", Some(&found(strict, false)), &dmarc::parse(strict), &ok).status, Status::Pass);
        let none = "v=DMARC1; p=none; rua=mailto:d@acme.test";
        let f = judge("acme.test", Some(&found(none, false)), &dmarc::parse(none), &ok);
        assert_eq!(f.status, Status::Warn);
        assert!(f.title.contains("monitoring only"), "{}", f.title);
        let ext = "v=DMARC1; p=reject; rua=mailto:x@reports.example";
        let unauthorized = [dest("mailto:x@reports.example", true, true, Some(false))];
        assert_eq!(judge("acme.test", Some(&found(ext, false)), &dmarc::parse(ext), &unauthorized).status, Status::Warn);
        assert_eq!(judge("acme.test", None, &Record::default(), &[]).status, Status::Fail);
        let inherited = "v=DMARC1; p=reject; sp=none; rua=mailto:d@acme.test";
        let f = judge("mail.acme.test", Some(&found(inherited, true)), &dmarc::parse(inherited), &ok);
        assert_eq!(f.status, Status::Warn, "a subdomain gets sp=, not p=");
    }

    #[test]
    fn the_organizational_domain_comes_from_the_public_suffix_list() {
        assert_eq!(organizational("mail.acme.co.uk"), "acme.co.uk");
        assert_eq!(organizational("acme.com"), "acme.com");
    }
}
