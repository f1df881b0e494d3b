//! `web.not_found`: an address that does not exist answers 404, not the home page with 200 (a
//! "soft 404": search engines index junk addresses, broken links look like they work, and monitors
//! cannot tell a missing page from a working one), and never a server error or a framework's debug
//! page, whose stack trace names versions, folders and sometimes settings (that one is data
//! exposure).
//!
//! One made-up address per name that lands on itself, followed like a visitor's (redirects
//! included), its answer read within the usual bound.

use super::{could_not_check, is_html, own_landing, per_host, Family};
use crate::chain::Outcome;
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static NOT_FOUND: CheckDef = CheckDef {
    id: "web.not_found",
    area: Area::Web,
    stage: Stage::Deploy,
    impact: Impact::UserExperience,
    what: "whether an address that does not exist answers 404, without a stack trace",
};

pub const FAMILY: Family = Family { name: "error pages", checks: &[&NOT_FOUND], plan };

/// The made-up address: unlikely to exist, and easy to find (and ignore) in the product's logs.
pub const MISSING_PATH: &str = "/preflight-check-this-page-does-not-exist";

/// Words only a framework's debug or crash page shows, with the framework they betray.
const DEBUG_PAGES: [(&str, &str); 10] = [
    ("Traceback (most recent call last)", "a Python stack trace"),
    ("You're seeing this error because you have DEBUG = True", "Django's debug page"),
    ("Werkzeug Debugger", "Flask's debugger"),
    ("Whoops, looks like something went wrong", "Laravel's error page"),
    ("Action Controller: Exception caught", "Rails' debug page"),
    ("Server Error in '/' Application", "ASP.NET's error page"),
    ("Exception in thread \"", "a Java stack trace"),
    ("    at Object.<anonymous>", "a Node.js stack trace"),
    ("/node_modules/", "a Node.js stack trace"),
    ("Stack trace:\n#0 ", "a PHP stack trace"),
];

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    per_host(
        target,
        facts,
        &NOT_FOUND,
        |h| format!("Asking {h} for a page that does not exist"),
        |facts, host| async move { vec![check(&facts, &host).await] },
    )
}

async fn check(facts: &Facts, host: &str) -> Finding {
    let what = format!("the error page of https://{host}");
    let (_, home) = match own_landing(facts, &NOT_FOUND, host, &what).await {
        Ok(x) => x,
        Err(f) => return f,
    };
    let Ok(missing) = Url::parse(&format!("https://{host}{MISSING_PATH}")) else {
        return Finding::new(&NOT_FOUND, host, Status::Error).title(format!("{host} cannot be turned into a web address."));
    };
    let chain = facts.chain(&missing).await;
    let (landed, status) = match &chain.outcome {
        Outcome::Landed { url, status } => (url.clone(), *status),
        Outcome::Loop => {
            return Finding::new(&NOT_FOUND, host, Status::Warn)
                .title(format!(
                    "An address that does not exist on {host} redirects in a loop, so visitors get an error from their browser."
                ))
                .detail(chain.describe())
                .fix(["Answer unknown addresses with your 404 page and the status 404."])
        }
        Outcome::Broken { error, .. } if error.is_inconclusive() => {
            return could_not_check(Finding::new(&NOT_FOUND, host, Status::Error), &what, error)
        }
        Outcome::Broken { error, .. } => {
            return Finding::new(&NOT_FOUND, host, Status::Warn)
                .title(format!("An address that does not exist on {host} breaks the connection instead of answering 404."))
                .detail(format!("{}\n{error}", chain.describe()))
                .fix(["Answer unknown addresses with your 404 page and the status 404."])
        }
    };
    let page = match facts.page(&landed).await {
        Ok(p) => p,
        Err(e) => return could_not_check(Finding::new(&NOT_FOUND, host, Status::Error), &what, &e),
    };
    let body = String::from_utf8_lossy(&page.body);
    let same_as_home = page.body == home.body && is_html(&page);
    judge(host, &landed, status, &body, same_as_home, chain.hops.len())
}

/// The verdict on what the made-up address answered (pure).
pub fn judge(host: &str, landed: &Url, status: u16, body: &str, same_as_home: bool, hops: usize) -> Finding {
    let debug = DEBUG_PAGES.iter().find(|(words, _)| body.contains(words)).map(|(_, what)| *what);
    let evidence = json!({ "asked": format!("https://{host}{MISSING_PATH}"), "landed": landed.as_str(), "status": status, "hops": hops, "debug_page": debug });
    let base = Finding::new(&NOT_FOUND, host, Status::Pass).evidence(evidence);
    let fix_404 = "Answer unknown addresses with a friendly 404 page and the status 404 (in Next.js: app/not-found.tsx; on Vercel or Netlify, a 404.html; in a single-page app, your host's rewrite rules should leave unknown paths to a 404).";
    if let Some(what) = debug {
        return base
            .status(Status::Fail)
            .impact(Impact::DataExposure)
            .title(format!(
                "An address that does not exist on {host} shows {what}, which tells anyone your frameworks, versions and folders."
            ))
            .why("A stack trace is a map for an attacker, and debug pages sometimes show settings and keys.")
            .detail(format!("https://{host}{MISSING_PATH} answered {status} with {what}."))
            .fix([
                "Turn debug mode off in production (DEBUG = False, APP_DEBUG=false, NODE_ENV=production, RAILS_ENV=production).",
                "Show a plain error page instead of the exception, and send the details to your error tracker.",
            ]);
    }
    match status {
        404 | 410 => base.title(format!("An address that does not exist on {host} answers 404, as it should.")),
        s if s >= 500 => base
            .status(Status::Warn)
            .title(format!("An address that does not exist on {host} answers with a server error ({s}) instead of 404."))
            .why("A broken link looks like an outage to visitors and to monitors, and the server does work it should not.")
            .fix([fix_404]),
        s if (200..300).contains(&s) => {
            let shown = if same_as_home { "the home page" } else { "a page" };
            base.status(Status::Warn)
                .title(format!("An address that does not exist on {host} answers {s} with {shown}, not 404 (a \"soft 404\")."))
                .why("Search engines index junk addresses as real pages, and broken links look like they work, so nobody notices them.")
                .fix([fix_404])
        }
        s => base.title(format!("An address that does not exist on {host} is refused ({s}), not served as a page.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(status: u16, body: &str) -> (Status, Impact) {
        let f = judge("a.test", &Url::parse("https://a.test/x").expect("url"), status, body, false, 1);
        (f.status, f.impact)
    }

    #[test]
    fn a_404_passes_a_soft_404_and_a_server_error_need_attention_and_a_stack_trace_is_a_problem() {
        assert_eq!(verdict(404, "<h1>Not found</h1>").0, Status::Pass);
        assert_eq!(verdict(200, "<h1>Welcome</h1>").0, Status::Warn);
        assert_eq!(verdict(500, "<h1>Oops</h1>").0, Status::Warn);
        assert_eq!(verdict(500, "Traceback (most recent call last):\n  File \"app.py\"").0, Status::Fail);
        assert_eq!(verdict(404, "Error: x\n    at Object.<anonymous> (/srv/app/index.js:3:9)").1, Impact::DataExposure);
        assert_eq!(verdict(401, "sign in").0, Status::Pass, "an API that wants a key for any path is not a soft 404");
    }
}
