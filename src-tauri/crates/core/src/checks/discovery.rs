//! `dns.discovery`: the names under the domain that the founder did not list, found and audited.
//!
//! Runs as a check of its own alongside the others (see `discover`). The names it finds are added
//! to the same run as they are known, with every per-name check a listed name gets, so discovery
//! costs the audit its own critical path and no more: the known names' checks never wait for it.
//! The family plans nothing by itself; `audit` plans this check when discovery is on, because it
//! needs the run's channel for the checks it adds.

use super::Family;
use crate::check::CheckDef;
use crate::discover::{self, Discover, Discovery, Logs, Via, MAX_FOUND};
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::{HostOrigin, Target};
use serde_json::json;
use tokio::sync::mpsc::UnboundedSender;

pub static DISCOVERY: CheckDef = CheckDef {
    id: "dns.discovery",
    area: Area::Dns,
    stage: Stage::Audit,
    impact: Impact::DataExposure,
    what: "names under the domain that are live but were not listed",
};

pub const FAMILY: Family = Family { name: "discovery", checks: &[&DISCOVERY], plan: |_, _| Vec::new() };

/// The discovery check: finds names, sends their checks (of the `only` areas) on `more`, and
/// reports what it found.
pub fn planned(target: &Target, facts: &Facts, opts: Discover, only: Vec<Area>, more: UnboundedSender<Vec<PlannedCheck>>) -> PlannedCheck {
    let (target, facts, root) = (target.clone(), facts.clone(), target.domain.to_string());
    let label = format!("Looking for names under {root} you did not list");
    PlannedCheck::new(&DISCOVERY, &root.clone(), label, async move {
        let found = discover::discover(&facts, &target, &opts).await;
        let mut extra = target.clone();
        extra.hosts.retain(|h| h.origin == HostOrigin::Root);
        for f in &found.found {
            let label = f.name.strip_suffix(&format!(".{root}")).unwrap_or(&f.name);
            extra.add_host(label, HostOrigin::Discovered, false);
        }
        let names: Vec<&str> = found.found.iter().map(|f| f.name.as_str()).collect();
        let checks: Vec<PlannedCheck> =
            super::plan(&extra, &facts, &only).into_iter().filter(|c| names.contains(&c.subject.as_str())).collect();
        if !checks.is_empty() {
            // The run may already be over (cancelled): then there is nobody to add them to.
            let _ = more.send(checks);
        }
        vec![judge(&root, &found)]
    })
    // No deadline of its own: it ends within the run's per-check deadline like every other check
    // (`--timeout`), the certificate-log request's own HTTP deadline inside it.
}

/// The names a report's discovery found (read from its `dns.discovery` evidence), so front ends
/// can mark those names' findings "found".
pub fn found_names(report: &crate::model::Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.id == DISCOVERY.id)
        .filter_map(|f| f.evidence.get("found").and_then(|v| v.as_array()))
        .flatten()
        .filter_map(|n| n.get("name").and_then(|v| v.as_str()).map(str::to_owned))
        .collect()
}

/// The finding (pure).
pub fn judge(root: &str, d: &Discovery) -> Finding {
    let logs = match &d.logs {
        Logs::Off => "Certificate logs were not read (--no-ct).".to_owned(),
        Logs::Read { url, names } => format!("Certificate logs ({url}) list {names} names under {root}."),
        Logs::Failed { url, reason } => format!("Certificate logs ({url}) could not be read: {reason}. Only common names were tried."),
    };
    let guesses = if d.wildcard {
        format!("{root} answers every name (a wildcard record), so the {} common names tried cannot tell what exists.", d.tried)
    } else {
        format!("{} common names were tried.", d.tried)
    };
    let mut detail = vec![guesses, logs];
    if !d.not_audited.is_empty() {
        detail.push(format!("Found but not audited (over {MAX_FOUND}): {}.", d.not_audited.join(", ")));
    }
    if !d.unknown.is_empty() {
        detail.push(format!("Could not be looked up (no answer in time): {}.", d.unknown.join(", ")));
    }
    let evidence = json!({ "found": d.found, "not_audited": d.not_audited, "tried": d.tried, "wildcard": d.wildcard, "logs": d.logs, "unknown": d.unknown });
    // "No other names" is a verdict only when the lookups could be believed and were answered.
    let couldnt = |why: String| {
        Finding::new(&DISCOVERY, root, Status::Error)
            .title(format!("Preflight could not look for other names under {root}: {why}."))
            .why("Until it can look, it cannot tell you whether forgotten names (an old staging copy, a retired page) are still live.")
            .detail(detail.join("\n"))
            .evidence(evidence.clone())
            .fix(["Check that this computer is online and its DNS works (see the dns.resolver finding), then run the audit again."])
    };
    if let Some(reason) = &d.resolver_broken {
        return couldnt(format!("this computer's DNS cannot be believed ({reason})"));
    }
    if d.found.is_empty() && !d.unknown.is_empty() {
        let n = d.unknown.len();
        return couldnt(format!("{n} name{} it tried got no answer in time", if n == 1 { "" } else { "s" }));
    }
    if d.found.is_empty() {
        return Finding::new(&DISCOVERY, root, Status::Pass)
            .title(format!("No other live names were found under {root}: the audit covers every name in use."))
            .detail(detail.join("\n"))
            .evidence(evidence);
    }
    let list = d
        .found
        .iter()
        .map(|f| {
            let via = match f.via {
                Via::CommonName => "a common name",
                Via::CertificateLog => "certificate logs",
            };
            format!("{} (from {via}{})", f.name, if f.dangling { ", an alias to something gone" } else { "" })
        })
        .collect::<Vec<_>>();
    detail.insert(0, format!("Found:\n{}", list.join("\n")));
    let n = d.found.len();
    Finding::new(&DISCOVERY, root, Status::Manual)
        .title(format!(
            "Preflight found {n} live name{} under {root} you did not list; {} audited below, marked \"found\".",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it is" } else { "they are" }
        ))
        .why("Forgotten names — an old staging copy, a retired landing page — are where attackers look first: they are rarely updated and often still trusted.")
        .detail(detail.join("\n"))
        .evidence(evidence)
        .fix([
            "Keep the names that are part of your product (they will be audited every time) and drop the ones you do not care about: in the app, with the Keep/Drop buttons; in preflight.toml, under names = [...] or ignore = [...].".to_owned(),
            "Delete the DNS records of names nothing should answer on any more.".to_owned(),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::Found;

    fn discovery(found: Vec<Found>) -> Discovery {
        Discovery { found, not_audited: vec![], tried: 46, wildcard: false, logs: Logs::Off, unknown: vec![], resolver_broken: None }
    }

    #[test]
    fn found_names_are_the_founders_call_none_is_a_pass() {
        assert_eq!(judge("a.test", &discovery(vec![])).status, Status::Pass);
        let f = judge("a.test", &discovery(vec![Found { name: "staging.a.test".into(), via: Via::CommonName, dangling: false }]));
        assert_eq!(f.status, Status::Manual);
        assert!(f.title.contains("found 1 live name"), "{}", f.title);
        assert!(f.detail.contains("staging.a.test (from a common name)"), "{}", f.detail);
    }

    #[test]
    fn no_other_names_is_no_verdict_when_the_lookups_could_not_be_believed_or_answered() {
        let lying = Discovery { resolver_broken: Some("it says even .test does not exist".into()), ..discovery(vec![]) };
        assert_eq!(judge("a.test", &lying).status, Status::Error, "a lying resolver finds nothing: that is no pass");
        let silent = Discovery { unknown: vec!["www.a.test".into(), "api.a.test".into()], ..discovery(vec![]) };
        let f = judge("a.test", &silent);
        assert_eq!(f.status, Status::Error, "guesses that timed out prove nothing: {f:?}");
        assert!(f.title.contains("got no answer in time"), "{}", f.title);
    }
}
