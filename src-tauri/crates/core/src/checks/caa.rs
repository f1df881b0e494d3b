//! `dns.caa`: the CAA records allow the authority that issued the live certificate.
//!
//! A CAA record says which certificate authorities may issue for a domain. It is good hardening,
//! and a trap: move to a host or CDN whose authority is not listed, and the next automatic renewal
//! is refused, then the certificate expires. The record that applies to a name is the one on the
//! name itself or its closest parent up to the product's domain (RFC 8659 climbs the tree); the live
//! certificate's issuer is matched to CAA names through `data/cas.toml`.

use super::{could_not_check, handshake_or, per_host, Family};
use crate::cas;
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde::Serialize;
use serde_json::json;

pub static CAA: CheckDef = CheckDef {
    id: "dns.caa",
    area: Area::Dns,
    stage: Stage::Routing,
    impact: Impact::Downtime,
    what: "whether CAA records allow the authority that issued the live certificate",
};

pub const FAMILY: Family = Family { name: "caa", checks: &[&CAA], plan };

/// One CAA property that matters here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// `issue` or `issuewild`.
    pub tag: String,
    /// The authority's domain; empty means "nobody may issue".
    pub ca: String,
}

/// Reads `0 issue "letsencrypt.org; validationmethods=dns-01"` (other tags are ignored).
pub fn parse(record: &str) -> Option<Rule> {
    let mut parts = record.splitn(3, ' ');
    let (_flags, tag, value) = (parts.next()?, parts.next()?.to_ascii_lowercase(), parts.next()?);
    if tag != "issue" && tag != "issuewild" {
        return None;
    }
    let ca = value.trim().trim_matches('"').split(';').next().unwrap_or_default().trim().trim_end_matches('.').to_ascii_lowercase();
    Some(Rule { tag, ca })
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let root = target.domain.to_string();
    per_host(
        target,
        facts,
        &CAA,
        |h| format!("Checking that CAA records allow {h}'s certificate authority"),
        move |facts, host| {
            let root = root.clone();
            async move { vec![check(&facts, &host, &root).await] }
        },
    )
}

async fn check(facts: &Facts, host: &str, root: &str) -> Finding {
    // The names a CAA record could sit on, closest first; all asked at once, alongside the
    // handshake, so CAA costs one DNS round trip however deep the name is.
    let mut names = vec![host.to_owned()];
    let mut current = host;
    while current != root {
        match current.split_once('.') {
            Some((_, parent)) if parent.len() >= root.len() => {
                names.push(parent.to_owned());
                current = parent;
            }
            _ => break,
        }
    }
    let what = format!("CAA for {host}");
    let lookups = futures::future::join_all(names.iter().map(|n| facts.caa(n)));
    let (tls, answers) = tokio::join!(handshake_or(facts, &CAA, host, &what), lookups);
    let tls = match tls {
        Ok(tls) => tls,
        Err(f) => return f,
    };
    let Some(leaf) = tls.chain.first() else {
        return Finding::new(&CAA, host, Status::Skipped).title(format!("CAA for {host} was not checked: no certificate was read."));
    };
    let mut found = None;
    for (name, answer) in names.iter().zip(answers) {
        match answer {
            Ok(r) if !r.is_empty() => {
                found = Some((name.clone(), r));
                break;
            }
            Ok(_) => {}
            Err(e) if e.is_missing_name() => {}
            Err(e) => return could_not_check(Finding::new(&CAA, host, Status::Error), &format!("the CAA records of {name}"), &e),
        }
    }
    let (at, records) = found.map_or((None, Vec::new()), |(n, r)| (Some(n), r));
    judge(host, at.as_deref(), &records, &leaf.issuer, leaf.names.iter().any(|n| n.starts_with("*.")))
}

/// The verdict (pure).
pub fn judge(host: &str, at: Option<&str>, records: &[String], issuer_dn: &str, wildcard: bool) -> Finding {
    let rules: Vec<Rule> = records.iter().filter_map(|r| parse(r)).collect();
    let ca = cas::by_issuer(issuer_dn);
    let evidence = json!({ "records": records, "at": at, "issuer": issuer_dn, "authority": ca.map(|c| &c.name), "wildcard": wildcard });
    let issuer_name = ca.map_or_else(|| issuer_dn.to_owned(), |c| c.name.clone());
    // A wildcard certificate follows issuewild when there is one; otherwise issue.
    let tag = if wildcard && rules.iter().any(|r| r.tag == "issuewild") { "issuewild" } else { "issue" };
    let allowed: Vec<&str> = rules.iter().filter(|r| r.tag == tag).map(|r| r.ca.as_str()).collect();
    let Some(at) = at.filter(|_| !allowed.is_empty()) else {
        return Finding::new(&CAA, host, Status::Pass)
            .title(format!("{host} has no CAA record, so any certificate authority may issue for it (renewals cannot be blocked by one)."))
            .detail("Adding CAA records that name your authority (for example 0 issue \"letsencrypt.org\") stops other authorities from issuing certificates for your name.")
            .evidence(evidence);
    };
    let listed = allowed.iter().filter(|a| !a.is_empty()).copied().collect::<Vec<_>>().join(", ");
    let listed = if listed.is_empty() { "no authority at all".to_owned() } else { listed };
    let fix = [
        format!(
            "Where your DNS is managed, add a CAA record at {at} for your certificate's authority ({issuer_name}): {}.",
            ca.map_or_else(|| "its CAA name is in its documentation".to_owned(), |c| format!("0 {tag} \"{}\"", c.caa[0]))
        ),
        "Or, if you mean to move to an authority that is listed, check the new certificate is issued before the current one expires."
            .to_owned(),
    ];
    match ca {
        Some(c) if allowed.iter().any(|a| c.caa.iter().any(|x| x == a)) => Finding::new(&CAA, host, Status::Pass)
            .title(format!("The CAA records of {at} allow {}, which issued {host}'s certificate.", c.name))
            .detail(format!("{tag}: {listed}"))
            .evidence(evidence),
        Some(c) => Finding::new(&CAA, host, Status::Warn)
            .title(format!("The CAA records of {at} do not allow {}, which issued {host}'s certificate: the next renewal will be refused.", c.name))
            .why("When the current certificate runs out, the authority is not allowed to issue a new one, and visitors get a security warning.")
            .detail(format!("{tag} allows {listed}; the live certificate is from {issuer_dn}."))
            .evidence(evidence)
            .fix(fix),
        None => Finding::new(&CAA, host, Status::Manual)
            .title(format!("The CAA records of {at} allow {listed}; {host}'s certificate is from {issuer_dn}, which Preflight cannot match to a CAA name."))
            .why("If that authority is not the one listed, the next renewal will be refused.")
            .detail(format!("{tag}: {listed}. Check your authority's CAA name in its documentation."))
            .evidence(evidence)
            .fix(fix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LE: &str = "C=US, O=Let's Encrypt, CN=R10";

    #[test]
    fn records_are_read_as_rules() {
        assert_eq!(
            parse("0 issue \"letsencrypt.org; validationmethods=dns-01\""),
            Some(Rule { tag: "issue".into(), ca: "letsencrypt.org".into() })
        );
        assert_eq!(parse("128 issuewild \";\""), Some(Rule { tag: "issuewild".into(), ca: String::new() }));
        assert_eq!(parse("0 iodef \"mailto:sec@acme.test\""), None);
    }

    #[test]
    fn the_live_authority_must_be_listed() {
        let at = Some("acme.test");
        assert_eq!(judge("acme.test", None, &[], LE, false).status, Status::Pass, "no CAA: anyone may issue");
        assert_eq!(judge("acme.test", at, &["0 issue \"letsencrypt.org\"".into()], LE, false).status, Status::Pass);
        let f = judge("acme.test", at, &["0 issue \"digicert.com\"".into()], LE, false);
        assert_eq!(f.status, Status::Warn);
        assert!(f.title.contains("do not allow Let's Encrypt"), "{}", f.title);
        assert!(f.fix[0].contains("0 issue \"letsencrypt.org\""), "{:?}", f.fix);
        let wild = ["0 issue \"letsencrypt.org\"".to_owned(), "0 issuewild \";\"".to_owned()];
        assert_eq!(judge("acme.test", at, &wild, LE, true).status, Status::Warn, "a wildcard certificate follows issuewild");
        assert_eq!(judge("acme.test", at, &wild, LE, false).status, Status::Pass);
        assert_eq!(judge("acme.test", at, &["0 issue \"letsencrypt.org\"".into()], "CN=Home CA", false).status, Status::Manual);
    }
}
