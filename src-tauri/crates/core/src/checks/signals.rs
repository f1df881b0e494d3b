//! `web.error_tracking`, `web.status_page` and `web.http3`: what the site shows the outside world
//! that is worth telling the founder, never a problem by itself.
//!
//! Error tracking in the page or its entry scripts (a Sentry DSN, a Bugsnag or Rollbar key, PostHog)
//! is the roadmap's "log errors with request IDs" seen from outside: its absence is a question for
//! the monitoring stage, since tracking may live on the server. A status page linked from the home
//! page tells customers where to look during an outage. `Alt-Svc: h3` means browsers may use HTTP/3,
//! which helps on lossy mobile networks. Each is information: found is a pass; no error tracking or
//! no status page is the founder's call (`manual`: the checklist asks them), no HTTP/3 still a pass.
//!
//! The scripts are read through the run's page cache ([`Facts::page`], 1 MiB each), at most
//! [`MAX_SCRIPTS`] same-origin entry scripts per name: the SDK is initialised at start-up, in the
//! entry, and the deeper chunks are `secrets.bundle`'s to read.

use super::{is_html, own_landing, per_host, root_landing, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::html;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static ERROR_TRACKING: CheckDef = CheckDef {
    id: "web.error_tracking",
    area: Area::Web,
    stage: Stage::Monitoring,
    impact: Impact::UserExperience,
    what: "whether the site reports its visitors' errors to an error-tracking service (information)",
};
pub static STATUS_PAGE: CheckDef = CheckDef {
    id: "web.status_page",
    area: Area::Web,
    stage: Stage::Monitoring,
    impact: Impact::UserExperience,
    what: "whether the home page links to a public status page (information)",
};
pub static HTTP3: CheckDef = CheckDef {
    id: "web.http3",
    area: Area::Web,
    stage: Stage::Performance,
    impact: Impact::UserExperience,
    what: "whether the site offers HTTP/3 (information)",
};

pub const FAMILY: Family = Family { name: "signals", checks: &[&ERROR_TRACKING, &STATUS_PAGE, &HTTP3], plan };

/// Entry scripts read per name.
pub const MAX_SCRIPTS: usize = 10;

/// Error-tracking services and the words only their code or their endpoints contain.
pub const TRACKERS: &[(&str, &[&str])] = &[
    (
        "Sentry",
        &["ingest.sentry.io", "ingest.us.sentry.io", "ingest.de.sentry.io", "browser.sentry-cdn.com", "js.sentry-cdn.com", "__SENTRY__"],
    ),
    ("Bugsnag", &["notify.bugsnag.com", "sessions.bugsnag.com", "Bugsnag.start("]),
    ("Rollbar", &["api.rollbar.com", "cdn.rollbar.com", "_rollbarConfig"]),
    ("PostHog", &["i.posthog.com", "app.posthog.com", "posthog.init("]),
    ("Datadog RUM", &["browser-intake-datadoghq.com", "browser-intake-datadoghq.eu", "DD_RUM.init("]),
    ("LogRocket", &["cdn.logr-in.com", "LogRocket.init("]),
    ("Honeybadger", &["api.honeybadger.io", "Honeybadger.configure("]),
    ("New Relic", &["js-agent.newrelic.com", "bam.nr-data.net"]),
];

/// Hosts of status-page services (a link to any of them is a status page).
pub const STATUS_HOSTS: &[&str] =
    &["statuspage.io", "status.io", "instatus.com", "betteruptime.com", "betterstack.com", "statuspal.io", "status.page", "openstatus.dev"];

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let mut out = per_host(
        target,
        facts,
        &ERROR_TRACKING,
        |h| format!("Looking for error tracking in the scripts of https://{h}"),
        |facts, host| async move { vec![error_tracking(&facts, &host).await] },
    );
    let (facts, domain) = (facts.clone(), target.domain.to_string());
    out.push(PlannedCheck::new(
        &STATUS_PAGE,
        &domain.clone(),
        format!("Reading what the home page of {domain} tells visitors"),
        async move { home(&facts, &domain).await },
    ));
    out
}

/// The services whose words appear in `text`.
pub fn trackers_in(text: &str) -> Vec<&'static str> {
    TRACKERS.iter().filter(|(_, marks)| marks.iter().any(|m| text.contains(m))).map(|(name, _)| *name).collect()
}

async fn error_tracking(facts: &Facts, host: &str) -> Finding {
    let (url, page) = match own_landing(facts, &ERROR_TRACKING, host, &format!("error tracking on https://{host}")).await {
        Ok((u, p)) if is_html(&p) => (u, p),
        Ok(_) => {
            return Finding::new(&ERROR_TRACKING, host, Status::Skipped)
                .title(format!("{host} answers with data, not a web page: error tracking is looked for on the pages."))
        }
        Err(f) => return f,
    };
    let body = String::from_utf8_lossy(&page.body).into_owned();
    let mut found: Vec<&str> = trackers_in(&body);
    let mut read = 0;
    let scripts: Vec<Url> = html::resources(&html::tags(&body))
        .into_iter()
        .filter(|r| r.tag == "script")
        .filter_map(|r| url.join(&r.url).ok())
        .filter(|u| u.host_str() == url.host_str())
        .take(MAX_SCRIPTS)
        .collect();
    for script in &scripts {
        if let Ok(resp) = facts.page(script).await {
            if resp.status == 200 {
                read += 1;
                found.extend(trackers_in(&String::from_utf8_lossy(&resp.body)));
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    let base = Finding::new(&ERROR_TRACKING, host, Status::Pass).evidence(json!({ "services": found, "scripts_read": read }));
    if found.is_empty() {
        return base
            .status(Status::Manual)
            .title(format!("No error tracking shows in https://{host}'s page and scripts: you may not hear about errors your visitors hit."))
            .detail(format!("Looked for {} in the page and {read} of its scripts. Tracking may live on your server instead, which this cannot see.", TRACKERS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")))
            .fix(["If nothing records your app's errors, add an error tracker (Sentry, Bugsnag, Rollbar or PostHog all have a free tier) to the front end and the server, and tag each error with its request ID."]);
    }
    base.title(format!("https://{host} reports visitors' errors to {}.", found.join(" and ")))
        .detail("Its key in the page is meant to be public; keep alerts on for new errors after each deploy.".to_owned())
}

async fn home(facts: &Facts, domain: &str) -> Vec<Finding> {
    let (status, h3) = tokio::join!(landing(facts, &STATUS_PAGE, domain), landing(facts, &HTTP3, domain));
    vec![
        match status {
            Ok((url, page)) => status_page(domain, &url, &String::from_utf8_lossy(&page.body)),
            Err(f) => f,
        },
        match h3 {
            Ok((_, page)) => http3(domain, page.header("alt-svc")),
            Err(f) => f,
        },
    ]
}

/// The page the root domain lands on (the chain and the page are fetched once per run, whichever
/// check asks first); any other outcome is `def`'s finding instead.
async fn landing(facts: &Facts, def: &'static CheckDef, domain: &str) -> Result<(Url, crate::net::Response), Finding> {
    let what = format!("the home page of {domain}");
    let skipped = format!("The home page of {domain} was not read because https://{domain} does not open a page.");
    let url = root_landing(facts, def, domain, &what, skipped).await?;
    match facts.page(&url).await {
        Ok(page) => Ok((url, page)),
        Err(e) => Err(super::could_not_check(Finding::new(def, domain, Status::Error), &what, &e)),
    }
}

/// A link to a status page: a status-page service, or a `status.` name (of the product or not).
pub fn status_link(html_text: &str, at: &Url) -> Option<String> {
    let tags = html::tags(html_text);
    tags.iter().filter(|t| t.name == "a").filter_map(|t| t.attr("href")).filter_map(|h| at.join(h).ok()).find_map(|u| {
        let host = u.host_str()?.to_ascii_lowercase();
        let service = STATUS_HOSTS.iter().any(|s| host == *s || host.ends_with(&format!(".{s}")));
        (service || host.starts_with("status.")).then(|| u.to_string())
    })
}

fn status_page(domain: &str, landed: &Url, body: &str) -> Finding {
    let base = Finding::new(&STATUS_PAGE, domain, Status::Pass);
    match status_link(body, landed) {
        Some(link) => base
            .title(format!("The home page of {domain} links to a status page ({link}), so customers know where to look during an outage."))
            .evidence(json!({ "status_page": link })),
        None => base
            .status(Status::Manual)
            .title(format!("The home page of {domain} links to no status page (optional)."))
            .detail(format!("No link on {landed} goes to a status. name or a status-page service."))
            .evidence(json!({ "status_page": null }))
            .fix(["Once you have customers, publish a status page (Better Stack, Instatus or Atlassian Statuspage have free tiers) fed by your uptime monitors, and link it in the footer."]),
    }
}

/// HTTP/3 from an `Alt-Svc` header (`h3=":443"; ma=86400`).
fn http3(domain: &str, alt_svc: Option<&str>) -> Finding {
    let offered = alt_svc.is_some_and(|v| v.split(',').any(|p| p.trim().starts_with("h3=") || p.trim().starts_with("h3-")));
    let base = Finding::new(&HTTP3, domain, Status::Pass).evidence(json!({ "alt_svc": alt_svc, "http3": offered }));
    if offered {
        return base.title(format!("{domain} offers HTTP/3, which loads faster on patchy mobile networks."));
    }
    base.title(format!("{domain} does not offer HTTP/3 (optional)."))
        .detail(format!("The home page sends no Alt-Svc header naming h3{}.", alt_svc.map(|v| format!(" (it sends: {v})")).unwrap_or_default()))
        .fix(["Most CDNs turn HTTP/3 on with one switch (Cloudflare: Speed → Optimization → Protocol Optimization → HTTP/3); Vercel and Netlify serve it already."])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trackers_are_told_by_their_endpoints_and_init_calls() {
        assert_eq!(trackers_in(r#"Sentry.init({dsn:"https://0123456789abcdef0123456789abcdef@o42.ingest.us.sentry.io/7"})"#), ["Sentry"]);
        assert_eq!(trackers_in("posthog.init('phc_x',{api_host:'https://us.i.posthog.com'})"), ["PostHog"]);
        assert!(trackers_in("console.log('sentry is a word')").is_empty());
    }

    #[test]
    fn status_links_are_status_names_or_services() {
        let at = Url::parse("https://acme.test/").expect("url");
        assert!(status_link(r#"<a href="https://status.acme.test">Status</a>"#, &at).is_some());
        assert!(status_link(r#"<a href="https://acme.instatus.com/">Uptime</a>"#, &at).is_some());
        assert!(status_link(r#"<a href="/pricing">Pricing</a><a href="https://statusquo.example/">x</a>"#, &at).is_none());
    }

    #[test]
    fn http3_is_read_from_alt_svc() {
        assert_eq!(http3("a.test", Some(r#"h3=":443"; ma=86400, h2=":443""#)).evidence["http3"], true);
        assert_eq!(http3("a.test", Some(r#"h2=":443""#)).evidence["http3"], false);
        assert_eq!(http3("a.test", None).evidence["http3"], false);
    }
}
