//! `cors.origin`: which other websites may call the product's API from a visitor's browser.
//!
//! CORS (which other websites may call your API from a browser) is read the way an attacker's page
//! would test it: a preflight (`OPTIONS` with a foreign `Origin`, asking for `POST` with
//! `Authorization`) and a simple `GET` with that `Origin`. An API that echoes any origin back *and*
//! allows credentials lets every website act as the logged-in visitor: a problem (customer data
//! exposure). `*` on an API that takes tokens needs attention; no CORS header at all passes (browsers
//! then refuse other sites). Subjects: the API names (`api`, `api-…`) and every configured endpoint.

use super::{could_not_check, no_such_name, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::{Request, Response};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static ORIGIN: CheckDef = CheckDef {
    id: "cors.origin",
    area: Area::Cors,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "which other websites may call the API from a visitor's browser",
};

pub const FAMILY: Family = Family { name: "cors", checks: &[&ORIGIN], plan };

/// The foreign origin the probe pretends to come from (`.example` never resolves anywhere).
pub const PROBE_ORIGIN: &str = "https://preflight-cors-probe.example";

/// One API address to probe, and whether it is known to take credentials.
#[derive(Debug, Clone)]
struct Subject {
    name: String,
    url: Url,
    takes_tokens: bool,
}

fn subjects(target: &Target) -> Vec<Subject> {
    let hosts = target.hosts.iter().filter(|h| h.label == "api" || h.label.starts_with("api-")).filter_map(|h| {
        Url::parse(&format!("https://{}/", h.name)).ok().map(|url| Subject { name: h.name.clone(), url, takes_tokens: false })
    });
    let endpoints = target.endpoints.iter().filter_map(|e| {
        Url::parse(&e.url).ok().map(|url| Subject { name: format!("{} ({})", e.name, e.url), url, takes_tokens: e.secret.is_some() })
    });
    // An endpoint at an API name's root is probed once, as the endpoint (it knows about tokens).
    let all: Vec<Subject> = endpoints.chain(hosts).collect();
    let mut seen = std::collections::HashSet::new();
    all.into_iter().filter(|s| seen.insert(s.url.clone())).collect()
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    subjects(target)
        .into_iter()
        .map(|s| {
            let facts = facts.clone();
            let label = format!("Checking which websites may call {} from a browser", s.url);
            PlannedCheck::new(&ORIGIN, &s.name.clone(), label, async move { vec![check(&facts, &s).await] })
        })
        .collect()
}

fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.header(name).map(str::trim)
}

async fn check(facts: &Facts, s: &Subject) -> Finding {
    let preflight = Request::new("OPTIONS", s.url.clone())
        .header("origin", PROBE_ORIGIN)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type");
    let simple = Request::get(s.url.clone()).header("origin", PROBE_ORIGIN);
    let (pre, get) = tokio::join!(facts.send(&preflight), facts.send(&simple));
    let host = s.url.host_str().unwrap_or_default().to_owned();
    match (pre, get) {
        (Err(e), _) | (_, Err(e)) if e.is_missing_name() => no_such_name(&ORIGIN, &s.name, &host, &format!("CORS on {}", s.url)),
        (Err(e), _) | (_, Err(e)) if e.is_inconclusive() => {
            could_not_check(Finding::new(&ORIGIN, &s.name, Status::Error), &format!("CORS on {}", s.url), &e)
        }
        (Err(e), Err(_)) => Finding::new(&ORIGIN, &s.name, Status::Skipped)
            .title(format!("CORS on {} was not checked because it does not answer.", s.url))
            .detail(e.to_string()),
        (pre, get) => judge(s, pre.ok().as_ref(), get.ok().as_ref()),
    }
}

/// The verdict from the answers to the preflight and the simple request (either may be missing).
fn judge(s: &Subject, pre: Option<&Response>, get: Option<&Response>) -> Finding {
    let answers: Vec<&Response> = pre.into_iter().chain(get).collect();
    let allow_origin = answers.iter().find_map(|r| header(r, "access-control-allow-origin"));
    let credentials = answers.iter().any(|r| header(r, "access-control-allow-credentials").is_some_and(|v| v.eq_ignore_ascii_case("true")));
    let allows_auth = answers
        .iter()
        .filter_map(|r| header(r, "access-control-allow-headers"))
        .any(|v| v.split(',').map(str::trim).any(|h| h == "*" || h.eq_ignore_ascii_case("authorization")));
    let evidence = json!({
        "probe_origin": PROBE_ORIGIN,
        "preflight": pre.map(|r| json!({ "status": r.status, "headers": cors_headers(r) })),
        "simple": get.map(|r| json!({ "status": r.status, "headers": cors_headers(r) })),
    });
    let url = &s.url;
    let base = |status| Finding::new(&ORIGIN, &s.name, status).evidence(evidence.clone());
    let fix = |what: &str| {
        [
            format!("In your API's CORS settings, {what}: list your own web app's address (for example https://app.yourdomain.com), never echo whatever Origin arrives."),
            "Run this audit again to confirm.".to_owned(),
        ]
    };
    match allow_origin {
        Some(o) if (o == PROBE_ORIGIN || o == "null") && credentials => base(Status::Fail)
            .title(format!("Any website can call {url} as your logged-in users: it accepts every origin with credentials."))
            .why("A page on any other site can read your users' data and act for them while they are signed in to your product.")
            .detail(format!("Access-Control-Allow-Origin echoed the probe's origin ({o}) with Access-Control-Allow-Credentials: true."))
            .fix(fix("replace the reflected origin with an allow-list")),
        Some(o) if o == "*" || o == PROBE_ORIGIN || o == "null" => {
            if s.takes_tokens || allows_auth {
                base(Status::Warn)
                    .title(format!("{url} lets any website call it, including with an Authorization header."))
                    .why("Any site a signed-in user visits can send requests with a token it got hold of; an allow-list keeps your API to your own app.")
                    .detail(format!("Access-Control-Allow-Origin: {o}; the API takes tokens (Authorization allowed or a credential configured)."))
                    .fix(fix("set an allow-list"))
            } else {
                base(Status::Pass)
                    .title(format!("{url} is open to every website but takes no credentials from them, as a public API may."))
                    .detail(format!("Access-Control-Allow-Origin: {o}, without credentials."))
            }
        }
        Some(o) => base(Status::Pass)
            .title(format!("{url} only lets its own allowed websites call it from a browser."))
            .detail(format!("The probe's origin was not echoed; Access-Control-Allow-Origin: {o}.")),
        None => base(Status::Pass)
            .title(format!("Other websites cannot call {url} from a browser: it sends no CORS permission to a foreign origin."))
            .detail("Neither the preflight nor the simple request got an Access-Control-Allow-Origin header for the probe's origin."),
    }
}

fn cors_headers(r: &Response) -> Vec<(&str, &str)> {
    r.headers.iter().filter(|(k, _)| k.starts_with("access-control-")).map(|(k, v)| (k.as_str(), v.as_str())).collect()
}
