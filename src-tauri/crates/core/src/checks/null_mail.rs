//! `email.null`: the product's domains that send no mail say so, and say it consistently.
//!
//! An old or parked domain of the product (the domain of a preview or an old name the settings list
//! under `previews`, and the root itself when the product's mail comes from another domain) receives
//! no mail; unless it says "nothing is sent from here", anyone can send mail in its name and it
//! reaches inboxes, because receivers have nothing to check it against. The lock-down is three
//! records: a null MX (`0 .`, RFC 7505), `v=spf1 -all` and DMARC `p=reject`. A domain that has a null
//! MX and an SPF record that authorises senders contradicts itself: mail from it cannot be answered
//! or bounced, and receivers treat it as suspect.
//!
//! A domain with real mail servers is not a parked one: the mail checks of the sending domain apply.

use super::{could_not_check, Family, Problems};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::mail::{dmarc, spf};
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;

pub static NULL: CheckDef = CheckDef {
    id: "email.null",
    area: Area::Email,
    stage: Stage::Edge,
    impact: Impact::Deliverability,
    what: "the product's domains that send no mail, locked down so nobody can send in their name",
};

pub const FAMILY: Family = Family { name: "null_mail", checks: &[&NULL], plan };

/// The domains this check looks at: the sending domain (only a null MX there is judged), the root
/// when mail comes from elsewhere, and the registrable domain of each preview or old name (a
/// platform's own address, `acme.vercel.app`, is the platform's to lock, not the founder's).
pub fn domains(target: &Target) -> Vec<(String, bool)> {
    let mail = target.mail.domain.to_ascii_lowercase();
    let mut out = vec![(mail.clone(), true)];
    let root = target.domain.to_string();
    if root != mail {
        out.push((root, false));
    }
    for p in &target.previews {
        let host =
            url::Url::parse(p).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase)).unwrap_or_else(|| p.to_ascii_lowercase());
        if crate::platforms::by_own_address(&host).is_some() {
            continue;
        }
        let Some(registrable) = psl::domain_str(&host).map(str::to_owned) else { continue };
        if !out.iter().any(|(d, _)| *d == registrable) {
            out.push((registrable, false));
        }
    }
    out
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    domains(target)
        .into_iter()
        .map(|(domain, sending)| {
            let facts = facts.clone();
            PlannedCheck::new(&NULL, &domain.clone(), format!("Checking whether {domain} says it sends no mail"), async move {
                check(&facts, &domain, sending).await.into_iter().collect()
            })
        })
        .collect()
}

/// What the domain's records say.
#[derive(Debug, Default)]
struct Records {
    null_mx: bool,
    real_mx: bool,
    spf: Option<String>,
    dmarc_policy: Option<String>,
}

async fn check(facts: &Facts, domain: &str, sending: bool) -> Option<Finding> {
    let base = Finding::new(&NULL, domain, Status::Pass);
    let what = format!("whether {domain} sends mail");
    let dmarc_name = format!("_dmarc.{domain}");
    let (mx, txt, dm) = tokio::join!(facts.net().resolver().mx(domain), facts.txt(domain), facts.txt(&dmarc_name));
    let mut r = Records::default();
    match facts.believe(domain, mx).await {
        Ok(list) => {
            r.null_mx = list.iter().any(|m| m.exchange == ".");
            r.real_mx = list.iter().any(|m| m.exchange != ".");
        }
        Err(e) if e.is_missing_name() => {}
        Err(e) => return Some(could_not_check(base, &what, &e)),
    }
    for (name, answer) in [(domain, txt), (dmarc_name.as_str(), dm)] {
        let list = match facts.believe(name, answer).await {
            Ok(l) => l,
            Err(e) if e.is_missing_name() => Vec::new(),
            Err(e) => return Some(could_not_check(base, &what, &e)),
        };
        if name == domain {
            r.spf = list.into_iter().find(|t| spf::is_spf(t));
        } else {
            r.dmarc_policy = list.into_iter().find(|t| dmarc::is_dmarc(t)).map(|t| dmarc::parse(&t).policy.unwrap_or_default());
        }
    }
    judge(base, domain, sending, &r)
}

/// Whether an SPF record lets any server send (anything but a bare `-all`).
fn authorises_senders(record: &str) -> bool {
    let parsed = spf::parse(record);
    parsed.redirect().is_some()
        || parsed.terms.iter().any(|t| {
            matches!(t, spf::Term::Directive { qualifier, mechanism, .. }
            if *mechanism != spf::Mechanism::All || *qualifier != spf::Qualifier::Fail)
        })
}

fn judge(base: Finding, domain: &str, sending: bool, r: &Records) -> Option<Finding> {
    let spf_senders = r.spf.as_deref().is_some_and(authorises_senders);
    let base = base.evidence(json!({
        "null_mx": r.null_mx, "mx": r.real_mx, "spf": r.spf, "dmarc_policy": r.dmarc_policy, "sending_domain": sending,
    }));
    if r.null_mx && spf_senders {
        let spf = r.spf.clone().unwrap_or_default();
        return Some(
            base.status(Status::Warn)
                .title(format!("{domain} contradicts itself: its null MX says it handles no mail, but its SPF record lets servers send for it."))
                .why("Mail from a domain that cannot receive can be neither answered nor bounced, and receivers treat it as suspect.")
                .detail(format!("MX: 0 . (null MX, RFC 7505). SPF: {spf}"))
                .fix(if sending {
                    vec![format!("{domain} sends mail: replace the null MX with your mail provider's MX records (or at least one mailbox that receives replies and bounces).")]
                } else {
                    vec![format!("{domain} sends no mail: replace its SPF record with exactly v=spf1 -all.")]
                }),
        );
    }
    // The sending domain and any domain that receives mail are the other mail checks' subjects.
    if (sending && !r.null_mx) || r.real_mx {
        return None;
    }
    if sending {
        return Some(
            base.title(format!("{domain} says it receives no mail (null MX), and its SPF authorises no one."))
                .detail(format!("MX: 0 . SPF: {}.", r.spf.as_deref().unwrap_or("none"))),
        );
    }
    let mut problems = Problems::default();
    let mut fixes = Vec::new();
    if r.spf.as_deref().map(str::trim) != Some("v=spf1 -all") {
        problems.warn.push(match &r.spf {
            Some(s) => format!("its SPF record ({s}) is not v=spf1 -all"),
            None => "it has no SPF record".to_owned(),
        });
        fixes.push(format!("Add (or replace with) a TXT record at {domain}: v=spf1 -all"));
    }
    if r.dmarc_policy.as_deref() != Some("reject") {
        problems.warn.push(match &r.dmarc_policy {
            Some(p) if !p.is_empty() => format!("its DMARC policy is p={p}, not p=reject"),
            _ => "it has no DMARC policy".to_owned(),
        });
        fixes.push(format!("Add a TXT record at _dmarc.{domain}: v=DMARC1; p=reject;"));
    }
    let null_advice =
        format!("Add an MX record at {domain} with priority 0 and the host \".\" (a null MX: \"this domain receives no mail\").");
    let rest = format!(
        "{domain} has no mail servers. MX: {}. SPF: {}. DMARC: {}.",
        if r.null_mx { "0 . (null MX)" } else { "none" },
        r.spf.as_deref().unwrap_or("none"),
        r.dmarc_policy.as_deref().map(|p| format!("p={p}")).unwrap_or_else(|| "none".into())
    );
    if problems.status() == Status::Pass {
        let mut f = base.title(format!("{domain} sends no mail and says so: nobody can send mail in its name."));
        if !r.null_mx {
            f = f.detail(format!("{rest} A null MX would also tell senders not to try delivering to it.")).fix([null_advice]);
        } else {
            f = f.detail(rest);
        }
        return Some(f);
    }
    if !r.null_mx {
        fixes.insert(0, null_advice);
    }
    let (headline, detail) = problems.headline_and_detail(&rest);
    Some(
        base.status(Status::Warn)
            .title(format!("Anyone can send mail that claims to come from {domain}: {headline}."))
            .why("A domain of yours that sends no mail but does not say so is a free sender address for phishing in your name, and receivers cannot tell.")
            .detail(detail)
            .fix(fixes),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(sending: bool, null_mx: bool, spf: Option<&str>, dmarc: Option<&str>) -> Option<Status> {
        let r = Records { null_mx, real_mx: false, spf: spf.map(str::to_owned), dmarc_policy: dmarc.map(str::to_owned) };
        judge(Finding::new(&NULL, "old.test", Status::Pass), "old.test", sending, &r).map(|f| f.status)
    }

    #[test]
    fn a_parked_domain_is_locked_down_by_spf_and_dmarc() {
        assert_eq!(judged(false, true, Some("v=spf1 -all"), Some("reject")), Some(Status::Pass));
        assert_eq!(judged(false, false, Some("v=spf1 -all"), Some("reject")), Some(Status::Pass), "the null MX is advice");
        assert_eq!(judged(false, false, None, None), Some(Status::Warn));
        assert_eq!(judged(false, true, Some("v=spf1 -all"), Some("none")), Some(Status::Warn));
        assert_eq!(judged(false, true, Some("v=spf1 include:_spf.google.com ~all"), Some("reject")), Some(Status::Warn), "contradiction");
    }

    #[test]
    fn the_sending_domain_is_judged_only_for_a_null_mx() {
        assert_eq!(judged(true, false, Some("v=spf1 include:_spf.google.com -all"), Some("reject")), None);
        assert_eq!(judged(true, true, Some("v=spf1 include:_spf.google.com -all"), Some("reject")), Some(Status::Warn));
        assert_eq!(judged(true, true, Some("v=spf1 -all"), None), Some(Status::Pass));
    }

    #[test]
    fn only_a_bare_fail_all_authorises_no_one() {
        assert!(!authorises_senders("v=spf1 -all"));
        assert!(authorises_senders("v=spf1 ~all"));
        assert!(authorises_senders("v=spf1 ip4:192.0.2.1 -all"));
        assert!(authorises_senders("v=spf1 redirect=_spf.example.com"));
    }
}
