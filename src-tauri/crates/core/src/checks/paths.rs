//! `monitoring.paths` and `edge.webhook_replay`: whether the customer's paths (sign in, chat, log out, reset
//! the password) passed after the last release, and whether the product's webhooks refuse forged
//! events. Like `monitoring.*`, they are judged from Preflight's own records (the runs of the
//! product's flows and webhook replays), never planned by an audit: a run of the paths is traffic
//! the founder starts, not part of looking at a domain.

use crate::check::CheckDef;
use crate::checks::Family;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::cert::date;
use serde_json::json;

pub const SMOKE: CheckDef = CheckDef {
    id: "monitoring.paths",
    area: Area::Monitoring,
    stage: Stage::Deploy,
    impact: Impact::Downtime,
    what: "the customer's paths (sign-in, chat, logout, password reset) run after the last release",
};
pub const WEBHOOKS: CheckDef = CheckDef {
    id: "edge.webhook_replay",
    area: Area::Edge,
    stage: Stage::Deploy,
    impact: Impact::Cost,
    what: "the webhooks take real events and refuse forged ones",
};

/// Never planned by an audit: see the module header.
pub const FAMILY: Family = Family { name: "paths", checks: &[&SMOKE, &WEBHOOKS], plan: |_, _| Vec::new() };

/// One path or webhook the settings declare, with its newest run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathState {
    pub name: String,
    /// The newest run: its status (`pass`, `fail`, `error`), when, and its one line.
    pub last: Option<(String, i64, String)>,
}

/// What Preflight knows of a product's paths.
#[derive(Debug, Clone, Default)]
pub struct PathsSetup {
    pub flows: Vec<PathState>,
    pub webhooks: Vec<PathState>,
    /// Webhook callbacks that name no provider, so they cannot be replayed.
    pub plain_webhooks: usize,
    pub last_deploy_ms: Option<i64>,
}

/// Both findings for `domain`.
pub fn judge(domain: &str, setup: &PathsSetup) -> Vec<Finding> {
    vec![smoke(domain, setup), webhooks(domain, setup)]
}

fn evidence(paths: &[PathState]) -> serde_json::Value {
    json!(paths
        .iter()
        .map(|p| json!({ "name": p.name, "status": p.last.as_ref().map(|l| l.0.clone()), "at_ms": p.last.as_ref().map(|l| l.1) }))
        .collect::<Vec<_>>())
}

/// The paths whose newest run has `status`, with what each said.
fn with<'a>(paths: &'a [PathState], status: &str) -> Vec<&'a PathState> {
    paths.iter().filter(|p| p.last.as_ref().is_some_and(|l| l.0 == status)).collect()
}

fn said(paths: &[&PathState]) -> String {
    paths.iter().filter_map(|p| p.last.as_ref().map(|l| l.2.clone())).collect::<Vec<_>>().join(" ")
}

fn smoke(domain: &str, s: &PathsSetup) -> Finding {
    let base =
        Finding::new(&SMOKE, domain, Status::Pass).evidence(json!({ "flows": evidence(&s.flows), "last_deploy_ms": s.last_deploy_ms }));
    if s.flows.is_empty() {
        return base
            .status(Status::Warn)
            .title("No customer path is tested, so a broken sign-in or password reset is found by a customer first.")
            .why("If sign-in, chat, logout and password reset pass after every release, most embarrassing launch failures cannot happen unnoticed.")
            .fix([
                "Add the paths to your settings as [[flows]] (login, chat, logout, password-reset), with a test account.",
                "Run them from Paths in Preflight, or with `preflight flow run DOMAIN` after each deploy.",
            ]);
    }
    let failed = with(&s.flows, "fail");
    if !failed.is_empty() {
        return base.status(Status::Fail).title(format!("A customer path is broken: {}", said(&failed))).fix([
            "Open Paths in Preflight: the step that broke and what the product answered are there.",
            "Fix it, then run the paths again.",
        ]);
    }
    let never: Vec<&PathState> = s.flows.iter().filter(|p| p.last.is_none()).collect();
    let unknown = with(&s.flows, "error");
    if !unknown.is_empty() {
        return base
            .status(Status::Error)
            .title(format!("Preflight could not run every path, so it cannot tell whether they work: {}", said(&unknown)))
            .fix([
                "Open Paths in Preflight and do what the path says (a missing key, a mailbox Preflight cannot reach), then run them again.",
            ]);
    }
    if !never.is_empty() {
        let names = never.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
        return base
            .status(Status::Manual)
            .title(format!("These paths are set up but have never run: {names}."))
            .fix(["Open Paths in Preflight and press Run these paths, or run `preflight flow run DOMAIN`."]);
    }
    let oldest = s.flows.iter().filter_map(|p| p.last.as_ref().map(|l| l.1)).min().unwrap_or_default();
    if let Some(deploy) = s.last_deploy_ms.filter(|d| *d > oldest) {
        return base
            .status(Status::Warn)
            .title(format!("The paths passed before the release of {}, and have not all run since.", date(deploy / 1000)))
            .why("A release is when a sign-in or a password reset breaks: the run before it says nothing about now.")
            .fix(["Run the paths again, and add `preflight flow run DOMAIN --format junit` as the last step of your deploy."]);
    }
    let names = s.flows.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
    base.title(format!("The customer's paths pass: {names}."))
}

fn webhooks(domain: &str, s: &PathsSetup) -> Finding {
    let base = Finding::new(&WEBHOOKS, domain, Status::Pass)
        .evidence(json!({ "webhooks": evidence(&s.webhooks), "unreplayable": s.plain_webhooks }));
    if s.webhooks.is_empty() && s.plain_webhooks == 0 {
        return base.status(Status::Skipped).title("No webhook is listed in the settings, so there is nothing to replay.");
    }
    if s.webhooks.is_empty() {
        return base
            .status(Status::Manual)
            .title(format!("{} webhook address(es) are listed, but none names who signs it, so Preflight cannot test that forged events are refused.", s.plain_webhooks))
            .fix(["In Settings, under the addresses other services call, choose the webhook's provider and its signing key's name, then save the key under Keys."]);
    }
    let failed = with(&s.webhooks, "fail");
    if !failed.is_empty() {
        return base.status(Status::Fail).title(format!("A webhook is not safe: {}", said(&failed))).fix([
            "Verify the provider's signature (and its time) with the provider's own library before doing anything with an event.",
            "Refuse an event that fails with 400, then replay the webhook again from Paths.",
        ]);
    }
    let unknown = with(&s.webhooks, "error");
    if !unknown.is_empty() {
        return base.status(Status::Error).title(format!("Preflight could not judge every webhook: {}", said(&unknown)));
    }
    if s.webhooks.iter().any(|p| p.last.is_none()) {
        return base
            .status(Status::Manual)
            .title("Some webhooks have never been replayed.")
            .fix(["Open Paths in Preflight and press Send the test events."]);
    }
    base.title("The webhooks take real events and refuse forged ones.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(name: &str, last: Option<(&str, i64)>) -> PathState {
        PathState { name: name.into(), last: last.map(|(s, at)| (s.into(), at, format!("{name}: {s}."))) }
    }

    #[test]
    fn a_pass_before_the_last_release_is_not_a_pass_and_a_failure_wins() {
        let mut s = PathsSetup { flows: vec![path("Sign in", Some(("pass", 100)))], ..Default::default() };
        assert_eq!(judge("a.test", &s)[0].status, Status::Pass);
        s.last_deploy_ms = Some(200);
        assert_eq!(judge("a.test", &s)[0].status, Status::Warn);
        s.flows.push(path("Chat", Some(("fail", 300))));
        let f = &judge("a.test", &s)[0];
        assert_eq!(f.status, Status::Fail);
        assert!(f.title.contains("Chat: fail."), "{}", f.title);
        s.flows = vec![path("Reset", None)];
        assert_eq!(judge("a.test", &s)[0].status, Status::Manual);
        assert_eq!(judge("a.test", &PathsSetup::default())[0].status, Status::Warn, "no path tested is a gap");
    }

    #[test]
    fn webhooks_without_a_provider_are_the_founders_call_and_none_is_skipped() {
        assert_eq!(judge("a.test", &PathsSetup::default())[1].status, Status::Skipped);
        let plain = PathsSetup { plain_webhooks: 1, ..Default::default() };
        assert_eq!(judge("a.test", &plain)[1].status, Status::Manual);
        let forged = PathsSetup { webhooks: vec![path("Payments", Some(("fail", 1)))], ..Default::default() };
        assert_eq!(judge("a.test", &forged)[1].status, Status::Fail);
    }
}
