//! `monitoring.*`: whether the product is watched, whether alerts reach someone away from this
//! computer, and whether releases are recorded.
//!
//! These checks look at Preflight's own state (the product's monitors, alert channels and deploy
//! log), not at the network, so an audit never plans them: the launch checklist judges them
//! locally, from the history database, every time it is built, and they work with the network off.
//! What "watched" means is [`crate::monitor::default_set`]: the monitors the app offers in one click
//! are the ones this check asks for, so the advice and the verdict cannot disagree.

use crate::check::CheckDef;
use crate::checks::Family;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::monitor::{default_set, MonitorSpec, ProbeSpec};
use crate::target::Target;
use serde_json::json;

pub const UPTIME: CheckDef = CheckDef {
    id: "monitoring.uptime",
    area: Area::Monitoring,
    stage: Stage::Monitoring,
    impact: Impact::Downtime,
    what: "the uptime monitors on the home page, login, API and certificate",
};
pub const ALERTS: CheckDef = CheckDef {
    id: "monitoring.alerts",
    area: Area::Monitoring,
    stage: Stage::Monitoring,
    impact: Impact::Downtime,
    what: "where alerts go besides this computer",
};
pub const DEPLOYS: CheckDef = CheckDef {
    id: "monitoring.deploys",
    area: Area::Monitoring,
    stage: Stage::Monitoring,
    impact: Impact::Downtime,
    what: "the record of releases",
};

/// Never planned by an audit: see the module header.
pub const FAMILY: Family = Family { name: "monitoring", checks: &[&UPTIME, &ALERTS, &DEPLOYS], plan: |_, _| Vec::new() };

/// What Preflight itself knows about how a product is watched.
#[derive(Debug, Clone, Default)]
pub struct WatchSetup {
    /// The product's monitors, each with whether it is turned on.
    pub monitors: Vec<(MonitorSpec, bool)>,
    /// The alert channels: (name, kind). Never their addresses.
    pub channels: Vec<(String, String)>,
    /// When the last release was noticed or marked, and its version if known.
    pub last_deploy: Option<(i64, Option<String>)>,
}

/// All three findings for `target`, whose `live` names answered in the last audit.
pub fn judge(target: &Target, live: &[String], setup: &WatchSetup) -> Vec<Finding> {
    let domain = target.domain.as_str();
    let enabled: Vec<&MonitorSpec> = setup.monitors.iter().filter(|(_, on)| *on).map(|(m, _)| m).collect();
    vec![uptime(target, live, &enabled), alerts(domain, &enabled, &setup.channels), deploys(domain, &enabled, &setup.last_deploy)]
}

/// Whether `have` watches what `want` would: the same kind of probe on the same host.
fn covers(have: &MonitorSpec, want: &MonitorSpec) -> bool {
    have.probe.kind() == want.probe.kind() && have.probe.host().is_some() && have.probe.host() == want.probe.host()
}

fn uptime(target: &Target, live: &[String], enabled: &[&MonitorSpec]) -> Finding {
    let domain = target.domain.as_str();
    let wanted: Vec<MonitorSpec> = default_set(target, live).into_iter().filter(|w| !matches!(w.probe, ProbeSpec::Audit { .. })).collect();
    let missing: Vec<&MonitorSpec> = wanted.iter().filter(|w| !enabled.iter().any(|h| covers(h, w))).collect();
    let evidence = json!({
        "watching": enabled.iter().map(|m| json!({ "name": m.name, "kind": m.probe.kind(), "host": m.probe.host() })).collect::<Vec<_>>(),
        "missing": missing.iter().map(|m| json!({ "name": m.name, "kind": m.probe.kind(), "host": m.probe.host() })).collect::<Vec<_>>(),
    });
    let base = Finding::new(&UPTIME, domain, Status::Pass).evidence(evidence);
    let names = |ms: &[&MonitorSpec]| ms.iter().map(|m| m.name.to_lowercase()).collect::<Vec<_>>().join(", ");
    if enabled.is_empty() {
        return base
            .status(Status::Fail)
            .title(format!("Nothing watches {domain} yet, so an outage would be found by your customers."))
            .why("Every minute of downtime nobody notices is lost sign-ups and support tickets.")
            .fix(["Open Monitors in Preflight and press Add the usual monitors.", "Leave Preflight running in the tray."]);
    }
    if !missing.is_empty() {
        let gaps = names(&missing);
        return base
            .status(Status::Warn)
            .title(format!("{domain} is watched, but not its {gaps}."))
            .why("An outage of an unwatched part, such as the login, looks to customers like the whole product is down.")
            .detail(format!("Enabled monitors: {}. Missing: {gaps}.", names(enabled)))
            .fix(["Open Monitors in Preflight and press Add the usual monitors: only the missing ones are added."]);
    }
    let watched: Vec<&MonitorSpec> = enabled.to_vec();
    base.title(format!("Preflight watches {domain}: {}.", names(&watched)))
}

fn alerts(domain: &str, enabled: &[&MonitorSpec], channels: &[(String, String)]) -> Finding {
    let base = Finding::new(&ALERTS, domain, Status::Pass)
        .evidence(json!({ "channels": channels.iter().map(|(n, k)| json!({ "name": n, "kind": k })).collect::<Vec<_>>() }));
    if enabled.is_empty() {
        return base.status(Status::Skipped).title(format!("No alerts are needed until something watches {domain}."));
    }
    if channels.is_empty() {
        return base
            .status(Status::Warn)
            .title("Alerts only reach this computer, so an outage at night or on a trip goes unnoticed.")
            .why("An alert on a closed laptop is an alert nobody reads.")
            .fix(["Open Monitors → Alert channels and add Slack, Discord, ntfy (for your phone) or a webhook.", "Press Send a test."]);
    }
    let list = channels.iter().map(|(n, k)| format!("{n} ({k})")).collect::<Vec<_>>().join(", ");
    base.title(format!("Alerts about {domain} also go to {list}."))
}

fn deploys(domain: &str, enabled: &[&MonitorSpec], last: &Option<(i64, Option<String>)>) -> Finding {
    let base = Finding::new(&DEPLOYS, domain, Status::Pass);
    match last {
        Some((at_ms, version)) => base
            .title(format!("Releases of {domain} are recorded, so errors can be tied to them."))
            .evidence(json!({ "last_deploy_ms": at_ms, "version": version })),
        None if enabled.is_empty() => base.status(Status::Skipped).title(format!("Releases are noticed once something watches {domain}.")),
        None => base
            .status(Status::Manual)
            .title(format!("No release of {domain} has been recorded yet."))
            .why("When errors rise after a release, knowing which release it was tells you what to roll back.")
            .fix([
                "Nothing to do if you have not released since monitoring started: Preflight notices releases by itself.",
                "Or add `preflight deploy mark DOMAIN --version VERSION` as the last step of your deploy.",
            ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Domain;

    fn target() -> Target {
        Target::with_defaults(Domain::parse("acme.test").expect("valid"))
    }

    #[test]
    fn the_usual_monitors_are_exactly_what_passes() {
        let live = vec!["acme.test".to_owned(), "api.acme.test".to_owned()];
        let t = target();
        let all: Vec<(MonitorSpec, bool)> = default_set(&t, &live).into_iter().map(|m| (m, true)).collect();
        let f = judge(&t, &live, &WatchSetup { monitors: all.clone(), ..Default::default() });
        assert_eq!(f[0].status, Status::Pass, "{}", f[0].title);
        let mut off = all;
        off[1].1 = false;
        let f = judge(&t, &live, &WatchSetup { monitors: off, ..Default::default() });
        assert_eq!(f[0].status, Status::Warn, "a turned-off API monitor leaves the API unwatched");
        assert!(f[0].title.contains("api"), "{}", f[0].title);
    }

    #[test]
    fn nothing_watched_is_not_done_and_alerts_wait_for_monitors() {
        let f = judge(&target(), &[], &WatchSetup::default());
        assert_eq!([f[0].status, f[1].status, f[2].status], [Status::Fail, Status::Skipped, Status::Skipped]);
    }

    #[test]
    fn channels_are_named_by_name_and_kind_only() {
        let t = target();
        let m = (default_set(&t, &[]).remove(0), true);
        let setup = WatchSetup { monitors: vec![m], channels: vec![("Team".into(), "slack".into())], last_deploy: None };
        let f = judge(&t, &[], &setup);
        assert_eq!(f[1].status, Status::Pass);
        assert_eq!(f[2].status, Status::Manual, "no release yet is the founder's call, not a problem");
    }
}
