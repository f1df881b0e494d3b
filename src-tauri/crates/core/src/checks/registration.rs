//! `dns.registration`: the domain itself stays the founder's: it does not lapse, and it cannot
//! be moved to another registrar by whoever gets into the registrar account.
//!
//! Read from the registry over RDAP (see [`crate::rdap`]). A lapsed domain takes the site, the
//! API and every mailbox down at once, and after the redemption period anyone can buy it: that is
//! the launch blocker. An expiry within [`FAIL_DAYS`] without auto-renew fails, within
//! [`WARN_DAYS`] warns. A registry that does not answer is `error`; a TLD whose registry
//! Preflight does not know is `skipped`, with the registrar panel as the place to look.

use super::{Family, Problems};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::rdap::{self, Registration};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;

pub static REGISTRATION: CheckDef = CheckDef {
    id: "dns.registration",
    area: Area::Dns,
    stage: Stage::Audit,
    impact: Impact::Downtime,
    what: "the domain's registration: its expiry date, renewal and transfer lock",
};

pub const FAMILY: Family = Family { name: "registration", checks: &[&REGISTRATION], plan };

/// Under this many days left, a domain that does not renew on its own is a problem to fix now.
pub const FAIL_DAYS: i64 = 7;
/// Under this many days left, renewing is worth checking.
pub const WARN_DAYS: i64 = 30;

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, root) = (facts.clone(), target.domain.to_string());
    vec![PlannedCheck::new(&REGISTRATION, &root.clone(), format!("Reading {root}'s registration from its registry"), async move {
        vec![check(&facts, &root).await]
    })]
}

async fn check(facts: &Facts, root: &str) -> Finding {
    let base = Finding::new(&REGISTRATION, root, Status::Pass);
    match rdap::lookup(facts.net(), root).await {
        Ok(r) => judge(base, &r),
        Err(e) if e.is_unknown_registry() => base
            .status(Status::Skipped)
            .title(format!("Preflight could not read {root}'s registration: its registry is not one Preflight knows."))
            .detail(format!("{e}. Check the expiry date and the transfer lock in your registrar's panel instead."))
            .fix([
                "Sign in to your registrar: check that auto-renew is on and that the transfer lock is on.".to_owned(),
                "If your registry publishes an RDAP server, run the audit with --rdap-url pointing at it.".to_owned(),
            ]),
        Err(e) => base
            .status(Status::Error)
            .title(format!("Preflight could not read {root}'s registration from its registry."))
            .why("Until this can be checked, Preflight cannot tell you when the domain expires.")
            .detail(e.to_string())
            .fix(["Check that this computer is online, then run the audit again; registries sometimes ask for a pause between questions."]),
    }
}

fn judge(base: Finding, r: &Registration) -> Finding {
    let root = r.domain.as_str();
    let mut problems = Problems::default();
    let mut fixes: Vec<String> = Vec::new();
    if let Some(state) = r.lapsing() {
        problems.fail.push(format!("{root} has lapsed: its registry lists it as \"{state}\""));
        fixes.push(
            "Sign in to your registrar today and restore the domain (a restore fee applies); after this period anyone can buy it.".into(),
        );
    }
    match r.days_left {
        Some(d) if d < 0 && r.lapsing().is_none() => {
            problems.fail.push(format!("{root} expired {} day{} ago", -d, if d == -1 { "" } else { "s" }));
            fixes.push("Renew the domain at your registrar now: the site, the API and your email stop when the registrar parks it.".into());
        }
        Some(d) if d < FAIL_DAYS && !r.auto_renewing() && r.lapsing().is_none() => {
            problems.fail.push(format!("{root} expires in {d} day{}", if d == 1 { "" } else { "s" }));
            fixes.push("Renew the domain at your registrar now, and turn on auto-renew with a card that will still work.".into());
        }
        Some(d) if d < WARN_DAYS && !r.auto_renewing() && r.lapsing().is_none() => {
            problems.warn.push(format!("{root} expires in {d} days"));
            fixes.push("Check that auto-renew is on at your registrar and that the card on file is valid, or renew now.".into());
        }
        _ => {}
    }
    if !r.transfer_locked() && r.lapsing().is_none() {
        problems.warn.push("the transfer lock is off: anyone who gets into your registrar account can move the domain".into());
        fixes.push("Turn on the transfer lock (often called \"Domain lock\" or \"Registrar lock\") in your registrar's panel, and two-step sign-in on the account.".into());
    }
    let until = match (&r.expires, r.days_left) {
        (Some(date), Some(d)) if d >= 0 => format!("until {date} ({d} days)"),
        (Some(date), _) => format!("until {date}"),
        _ => "with no expiry date published".to_owned(),
    };
    let with = r.registrar.as_deref().map(|n| format!(" with {n}")).unwrap_or_default();
    let rest = format!(
        "Registry answer from {}: registered {until}{with}; status: {}.",
        r.server,
        if r.statuses.is_empty() { "none given".to_owned() } else { r.statuses.join(", ") }
    );
    let base = base.evidence(json!({
        "expires": r.expires,
        "days_left": r.days_left,
        "statuses": r.statuses,
        "registrar": r.registrar,
        "transfer_locked": r.transfer_locked(),
        "auto_renewing": r.auto_renewing(),
        "server": r.server,
    }));
    match problems.status() {
        Status::Pass => {
            let lock = if r.transfer_locked() { ", and locked against transfer" } else { "" };
            base.title(format!("{root} is registered {until}{with}{lock}.")).detail(rest)
        }
        status => {
            let (headline, detail) = problems.headline_and_detail(&rest);
            base.status(status)
                .title(format!("{headline}."))
                .why("If the domain lapses or is moved, the site, the API and every mailbox on it stop at once, and getting it back may be impossible.")
                .detail(detail)
                .fix(fixes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(days: Option<i64>, statuses: &[&str]) -> Registration {
        Registration {
            domain: "acme.test".into(),
            expires: days.map(|_| "2027-01-01".into()),
            days_left: days,
            statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
            registrar: Some("Example Registrar".into()),
            server: "https://rdap.test/".into(),
        }
    }

    fn status(days: Option<i64>, statuses: &[&str]) -> Status {
        judge(Finding::new(&REGISTRATION, "acme.test", Status::Pass), &reg(days, statuses)).status
    }

    #[test]
    fn expiry_and_locks_are_judged_by_the_thresholds() {
        let locked = ["client transfer prohibited"];
        assert_eq!(status(Some(200), &locked), Status::Pass);
        assert_eq!(status(None, &locked), Status::Pass, "no expiry published is not a problem by itself");
        assert_eq!(status(Some(20), &locked), Status::Warn);
        assert_eq!(status(Some(3), &locked), Status::Fail);
        assert_eq!(status(Some(-2), &locked), Status::Fail);
        assert_eq!(status(Some(3), &["client transfer prohibited", "auto renew period"]), Status::Pass, "auto-renew carries it");
        assert_eq!(status(Some(200), &["active"]), Status::Warn, "no transfer lock");
        assert_eq!(status(Some(200), &["client transfer prohibited", "pending delete"]), Status::Fail);
    }

    #[test]
    fn a_title_names_each_problem() {
        let f = judge(Finding::new(&REGISTRATION, "acme.test", Status::Pass), &reg(Some(20), &["active"]));
        assert!(f.title.contains("expires in 20 days") && f.title.contains("transfer lock is off"), "{}", f.title);
        assert_eq!(f.fix.len(), 2);
    }
}
