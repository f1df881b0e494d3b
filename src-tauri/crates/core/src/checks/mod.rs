//! The check families, one file each, and the registry of every check they can emit.
//!
//! A family declares its checks' [`CheckDef`]s and a `plan` that turns a [`Target`] into planned
//! checks: one per subject, so the UI can show progress per host and a slow host delays only its
//! own row. [`FAMILIES`] is the only list of families; the registry, the `--only` filter and the
//! documentation test all read it, so adding a family is one line here.
//!
//! Checks share what they learn through [`Facts`]: `www`'s TLS check reuses the addresses `www`'s
//! DNS check looked up, and independent checks still start at once.

pub mod bundle;
pub mod caa;
pub mod caching;
pub mod callbacks;
pub mod chatbot;
pub mod cloudflare;
pub mod cors;
pub mod discovery;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod dnssec;
pub mod edge;
pub mod env_vars;
pub mod exposed;
pub mod headers;
pub mod hsts;
pub mod ipv6;
pub mod leaks;
pub mod mixed;
pub mod monitoring;
pub mod mta_sts;
pub mod mx;
pub mod not_found;
pub mod null_mail;
pub mod paths;
pub mod performance;
pub mod protocols;
pub mod ratelimit;
pub mod redirect_hygiene;
pub mod redirects;
pub mod registration;
pub mod security_txt;
pub mod senders;
pub mod seo;
pub mod signals;
pub mod spf;
pub mod starttls;
pub mod takeover;
pub mod tls;
pub mod transport;
pub mod vercel;
pub mod versions;
pub mod waf;
pub mod zone;

use crate::chain::Outcome;
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Status};
use crate::net::tls::TlsInspection;
use crate::net::{NetError, Response};
use crate::runner::PlannedCheck;
use crate::target::{HostOrigin, Target};
use url::Url;

/// A family of checks: its descriptors and how it plans them for a target.
#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    pub checks: &'static [&'static CheckDef],
    pub plan: fn(&Target, &Facts) -> Vec<PlannedCheck>,
}

/// Every family, in the order their findings are planned.
pub const FAMILIES: &[Family] = &[
    dns::FAMILY,
    registration::FAMILY,
    discovery::FAMILY,
    zone::FAMILY,
    dnssec::FAMILY,
    caa::FAMILY,
    ipv6::FAMILY,
    takeover::FAMILY,
    tls::FAMILY,
    protocols::FAMILY,
    redirects::FAMILY,
    redirect_hygiene::FAMILY,
    hsts::FAMILY,
    headers::FAMILY,
    cors::FAMILY,
    edge::FAMILY,
    cloudflare::FAMILY,
    vercel::FAMILY,
    waf::FAMILY,
    transport::FAMILY,
    caching::FAMILY,
    mixed::FAMILY,
    bundle::FAMILY,
    exposed::FAMILY,
    not_found::FAMILY,
    security_txt::FAMILY,
    seo::FAMILY,
    signals::FAMILY,
    versions::FAMILY,
    callbacks::FAMILY,
    ratelimit::FAMILY,
    mx::FAMILY,
    null_mail::FAMILY,
    spf::FAMILY,
    dkim::FAMILY,
    dmarc::FAMILY,
    mta_sts::FAMILY,
    senders::FAMILY,
    starttls::FAMILY,
    performance::FAMILY,
    monitoring::FAMILY,
    paths::FAMILY,
    chatbot::FAMILY,
    leaks::FAMILY,
    env_vars::FAMILY,
];

/// Every check the engine can emit.
pub fn registry() -> impl Iterator<Item = &'static CheckDef> {
    FAMILIES.iter().flat_map(|f| f.checks.iter().copied())
}

/// The descriptor of a check id.
pub fn find(id: &str) -> Option<&'static CheckDef> {
    registry().find(|d| d.id == id)
}

/// Every check of the given areas (all areas when `only` is empty).
pub fn plan(target: &Target, facts: &Facts, only: &[Area]) -> Vec<PlannedCheck> {
    let wanted = |a: Area| only.is_empty() || only.contains(&a);
    FAMILIES
        .iter()
        .filter(|f| f.checks.iter().any(|c| wanted(c.area)))
        .flat_map(|f| (f.plan)(target, facts))
        .filter(|c| wanted(c.def.area))
        .collect()
}

/// One planned check of `def` per name of the product: the shape most families share. `label`
/// says what is being done to a name; `check` gets this run's facts and the name.
pub(crate) fn per_host<F, Fut>(
    target: &Target,
    facts: &Facts,
    def: &'static CheckDef,
    label: fn(&str) -> String,
    check: F,
) -> Vec<PlannedCheck>
where
    F: Fn(Facts, String) -> Fut,
    Fut: std::future::Future<Output = Vec<Finding>> + Send + 'static,
{
    target.hosts.iter().map(|h| PlannedCheck::new(def, &h.name, label(&h.name), check(facts.clone(), h.name.clone()))).collect()
}

/// [`per_host`] for checks whose requests look like a scanner's (an attack-shaped probe, well-known
/// leftover paths): they go only to the product's own names, and a name discovery found (which may
/// be another company's status page or help desk) gets `not_ours` instead, until the founder keeps it.
pub(crate) fn per_own_host<F, Fut>(
    target: &Target,
    facts: &Facts,
    def: &'static CheckDef,
    label: fn(&str) -> String,
    not_ours: fn(&str) -> Finding,
    check: F,
) -> Vec<PlannedCheck>
where
    F: Fn(Facts, String) -> Fut,
    Fut: std::future::Future<Output = Vec<Finding>> + Send + 'static,
{
    let discovered: Vec<String> = target.hosts.iter().filter(|h| h.origin == HostOrigin::Discovered).map(|h| h.name.clone()).collect();
    per_host(target, facts, def, label, move |facts, host| {
        let run = (!discovered.contains(&host)).then(|| check(facts, host.clone()));
        async move {
            match run {
                Some(run) => run.await,
                None => vec![not_ours(&host)],
            }
        }
    })
}

/// Where `https://DOMAIN/` lands: the canonical host a per-product check reads. An error finding
/// when the network would not let us look; `skipped` (its title) when the root opens no page.
pub(crate) async fn root_landing(facts: &Facts, def: &'static CheckDef, domain: &str, what: &str, skipped: String) -> Result<Url, Finding> {
    let Ok(root) = Url::parse(&format!("https://{domain}/")) else {
        return Err(Finding::new(def, domain, Status::Error).title(format!("{domain} cannot be turned into a web address.")));
    };
    match &facts.chain(&root).await.outcome {
        Outcome::Landed { url, .. } => Ok(url.clone()),
        Outcome::Broken { error, .. } if error.is_inconclusive() => {
            Err(could_not_check(Finding::new(def, domain, Status::Error), what, error))
        }
        _ => Err(Finding::new(def, domain, Status::Skipped).title(skipped)),
    }
}

/// The finding for a check the network would not let us finish: never a pass, never a fail.
pub(crate) fn could_not_check(base: Finding, what: &str, err: &NetError) -> Finding {
    base.status(Status::Error)
        .title(format!("Preflight could not check {what}."))
        .why("Until this can be checked, Preflight cannot tell you whether it is ready.")
        .detail(err.to_string())
        .fix(["Check that this computer is online, then run the audit again."])
}

/// Where `https://NAME/` lands when it lands on `NAME` itself: the page the header, caching and
/// content checks read (fetched once per run, shared by all of them). Any other outcome comes back
/// as the finding `def` reports instead: skipped when the name forwards elsewhere (it is judged
/// there), loops or does not answer; an error when the network would not let us look.
pub(crate) async fn own_landing(facts: &Facts, def: &'static CheckDef, host: &str, what: &str) -> Result<(Url, Response), Finding> {
    let skipped = |title: String, detail: String| Finding::new(def, host, Status::Skipped).title(title).detail(detail);
    let Ok(start) = Url::parse(&format!("https://{host}/")) else {
        return Err(Finding::new(def, host, Status::Error).title(format!("{host} cannot be turned into a web address.")));
    };
    let chain = facts.chain(&start).await;
    let landed = match &chain.outcome {
        Outcome::Landed { url, .. } => url.clone(),
        Outcome::Loop => {
            return Err(skipped(format!("{} was not checked because https://{host} redirects in a loop.", cap(what)), chain.describe()))
        }
        Outcome::Broken { error, .. } if error.is_missing_name() => return Err(no_such_name(def, host, host, &cap(what))),
        Outcome::Broken { error, .. } if error.is_inconclusive() => {
            return Err(could_not_check(Finding::new(def, host, Status::Error), what, error))
        }
        Outcome::Broken { error, .. } => {
            return Err(skipped(
                format!("{} was not checked because https://{host} does not answer.", cap(what)),
                format!("{error}. See the tls.handshake finding for {host}."),
            ))
        }
    };
    let landed_host = landed.host_str().unwrap_or_default().to_ascii_lowercase();
    if landed_host != host {
        return Err(skipped(format!("https://{host} forwards to {landed_host}, so {what} is checked there."), chain.describe()));
    }
    match facts.page(&landed).await {
        Ok(resp) => Ok((landed, resp)),
        Err(e) => Err(could_not_check(Finding::new(def, host, Status::Error), what, &e)),
    }
}

/// The TLS inspection of `host` for a check that builds on it; any failure comes back as the
/// finding `def` reports instead (the handshake's own failure is `tls.handshake`'s to tell).
pub(crate) async fn handshake_or(facts: &Facts, def: &'static CheckDef, host: &str, what: &str) -> Result<TlsInspection, Finding> {
    match facts.tls(host).await {
        Ok(tls) => Ok(tls),
        Err(e) if e.is_missing_name() => Err(no_such_name(def, host, host, &cap(what))),
        Err(e) if e.is_inconclusive() => Err(could_not_check(Finding::new(def, host, Status::Error), what, &e)),
        Err(e) => Err(Finding::new(def, host, Status::Skipped)
            .title(format!("{} was not checked because HTTPS does not open on {host}.", cap(what)))
            .detail(format!("{e}. See the tls.handshake finding for {host}."))),
    }
}

/// How many problems a title names before it counts the rest.
pub(crate) const TITLE_PROBLEMS: usize = 3;

/// Problems found by one check, sorted into the ones that fail it and the ones that need attention:
/// the checks that list every problem at once (the email ones) share the verdict and its wording.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub fail: Vec<String>,
    pub warn: Vec<String>,
}

impl Problems {
    pub fn status(&self) -> Status {
        if !self.fail.is_empty() {
            Status::Fail
        } else if !self.warn.is_empty() {
            Status::Warn
        } else {
            Status::Pass
        }
    }
    /// Every problem, the failing ones first.
    pub fn all(&self) -> Vec<String> {
        self.fail.iter().chain(&self.warn).cloned().collect()
    }
    /// Every problem for the title (a founder reads the title, not the detail: a title that says
    /// "2 problems" names both; past [`TITLE_PROBLEMS`] the rest are counted) and the whole list
    /// for the detail, above `rest`.
    pub fn headline_and_detail(&self, rest: &str) -> (String, String) {
        let all = self.all();
        let trimmed: Vec<&str> = all.iter().map(|p| p.trim_end_matches('.')).collect();
        let mut headline = trimmed.iter().take(TITLE_PROBLEMS).copied().collect::<Vec<_>>().join("; and ");
        if all.len() > TITLE_PROBLEMS {
            headline.push_str(&format!("; and {} more (see the details)", all.len() - TITLE_PROBLEMS));
        }
        (headline, format!("Every problem found:\n- {}\n\n{rest}", all.join("\n- ")))
    }
}

/// Whether an answer is an HTML page (rather than an API's JSON or a file).
pub(crate) fn is_html(resp: &Response) -> bool {
    resp.header("content-type").is_some_and(|c| c.to_ascii_lowercase().contains("text/html"))
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The finding about `subject` when `missing` (which it depends on) has no DNS record: the DNS
/// check already reports that.
pub(crate) fn no_such_name(def: &CheckDef, subject: &str, missing: &str, what: &str) -> Finding {
    Finding::new(def, subject, Status::Skipped)
        .title(format!("{what} was not checked because {missing} has no DNS record."))
        .detail(format!("{missing} did not resolve; see the DNS finding for {missing}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_id_is_unique_and_dotted_under_its_area() {
        let mut seen = HashSet::new();
        for def in registry() {
            assert!(seen.insert(def.id), "{} is declared twice", def.id);
            assert!(def.id.starts_with(&format!("{}.", def.area.as_str())), "{} must start with its area ({})", def.id, def.area.as_str());
            assert!(!def.what.is_empty(), "{} says what it looks at", def.id);
        }
    }

    #[test]
    fn docs_checks_md_documents_exactly_the_registry() {
        let docs = include_str!("../../../../../docs/checks.md");
        let documented: HashSet<&str> = docs.lines().filter_map(|l| l.strip_prefix("### `")).filter_map(|l| l.split('`').next()).collect();
        for def in registry() {
            assert!(documented.contains(def.id), "docs/checks.md has no \"### `{}`\" section", def.id);
        }
        for id in &documented {
            assert!(find(id).is_some(), "docs/checks.md documents {id}, which no check emits");
        }
    }
}
