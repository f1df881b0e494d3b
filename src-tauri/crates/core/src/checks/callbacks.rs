//! `edge.callbacks`: the URLs other services call (login callbacks, webhooks) reach the app.
//!
//! The callers are programs, not browsers: a payment provider posting an event or a login provider
//! sending a user back cannot solve a "checking your browser" challenge, and most do not follow a
//! redirect on a POST (or follow it as a GET, dropping the body). A CDN's bot protection switched on
//! for the whole site, or a trailing-slash or www redirect in front of the webhook route, silently
//! loses every event. Each URL from the config is asked as such a program asks: a GET for a login
//! callback, a POST with an empty JSON body for a webhook (marked with `X-Preflight-Probe: 1`; a real
//! webhook route rejects it as unsigned, which still proves it is reached). Challenge pages are
//! recognised by the headers and text each edge puts on them ([`CHALLENGES`]).

use super::{could_not_check, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::{Request, Response};
use crate::runner::PlannedCheck;
use crate::target::{Callback, CallbackKind, Target};
use serde_json::json;
use url::Url;

pub static CALLBACKS: CheckDef = CheckDef {
    id: "edge.callbacks",
    area: Area::Edge,
    stage: Stage::Edge,
    impact: Impact::Downtime,
    what: "whether login callbacks and webhooks reach the app from a non-browser client",
};

pub const FAMILY: Family = Family { name: "callbacks", checks: &[&CALLBACKS], plan };

/// How an edge's bot challenge shows itself: a header (with a value it contains, or any value)
/// or a phrase in the page. Data: one entry per edge.
pub const CHALLENGES: &[(&str, Challenge)] = &[
    ("Cloudflare", Challenge::Header("cf-mitigated", "challenge")),
    ("Cloudflare", Challenge::Text("challenge-platform")),
    ("Cloudflare", Challenge::Text("Just a moment...")),
    ("AWS WAF", Challenge::Header("x-amzn-waf-action", "")),
    ("Vercel", Challenge::Header("x-vercel-mitigated", "challenge")),
    ("Akamai", Challenge::Text("errors.edgesuite.net")),
    ("Imperva", Challenge::Text("Incapsula incident ID")),
    ("Sucuri", Challenge::Text("Sucuri WebSite Firewall")),
    ("DataDome", Challenge::Header("x-datadome", "")),
];

/// One way a challenge is recognised.
#[derive(Debug, Clone, Copy)]
pub enum Challenge {
    Header(&'static str, &'static str),
    Text(&'static str),
}

/// The edge whose challenge `resp` is, if it is one. Only refusals count (403, 429, 503): the same
/// headers on a 200 mean the edge let the request through.
pub fn challenged_by(resp: &Response) -> Option<&'static str> {
    if !matches!(resp.status, 403 | 429 | 503) {
        return None;
    }
    let body = String::from_utf8_lossy(&resp.body);
    CHALLENGES.iter().find_map(|(edge, c)| {
        let hit = match *c {
            Challenge::Header(name, contains) => resp.header(name).is_some_and(|v| v.to_ascii_lowercase().contains(contains)),
            Challenge::Text(phrase) => body.contains(phrase),
        };
        hit.then_some(*edge)
    })
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    target
        .callbacks
        .iter()
        .map(|cb| {
            let (facts, cb2) = (facts.clone(), cb.clone());
            let label = format!("Calling {} as the service that uses it would", cb.url);
            PlannedCheck::new(&CALLBACKS, &cb.url, label, async move { vec![check(&facts, &cb2).await] })
        })
        .collect()
}

async fn check(facts: &Facts, cb: &Callback) -> Finding {
    let subject = cb.url.as_str();
    let Ok(url) = Url::parse(subject) else {
        return Finding::new(&CALLBACKS, subject, Status::Error).title(format!("{subject} is not a web address."));
    };
    let req = match cb.kind {
        CallbackKind::Auth => Request::get(url.clone()),
        CallbackKind::Webhook => {
            Request::new("POST", url.clone()).header("content-type", "application/json").header("x-preflight-probe", "1").body("{}")
        }
    };
    match facts.send(&req).await {
        Ok(resp) => judge(cb, &req.method, &resp),
        Err(e) if e.is_inconclusive() => could_not_check(Finding::new(&CALLBACKS, subject, Status::Error), &format!("whether {subject} is reachable"), &e),
        Err(e) => Finding::new(&CALLBACKS, subject, Status::Fail)
            .title(format!("{subject} cannot be reached, so {} fail.", what_fails(cb.kind)))
            .why(why(cb.kind))
            .detail(format!("{} {subject}: {e}", req.method))
            .fix(["Check the URL in your provider's dashboard matches a route your app serves, and that its name resolves and opens over HTTPS (see the DNS and TLS findings)."]),
    }
}

fn what_fails(kind: CallbackKind) -> &'static str {
    match kind {
        CallbackKind::Auth => "sign-ins through it",
        CallbackKind::Webhook => "the events sent to it",
    }
}

fn why(kind: CallbackKind) -> &'static str {
    match kind {
        CallbackKind::Auth => "Users who sign in with this provider land on an error instead of your app.",
        CallbackKind::Webhook => "Payments, emails and other events your app relies on are lost without anyone noticing.",
    }
}

/// The verdict on the answer a calling service would get (pure).
pub fn judge(cb: &Callback, method: &str, resp: &Response) -> Finding {
    let subject = cb.url.as_str();
    let evidence = json!({ "kind": cb.kind, "method": method, "status": resp.status, "location": resp.header("location"), "server": resp.header("server") });
    let base = |status| Finding::new(&CALLBACKS, subject, status).evidence(evidence.clone());
    let line =
        format!("{method} {subject} → {}{}", resp.status, resp.header("location").map(|l| format!(" (Location: {l})")).unwrap_or_default());
    if !subject.starts_with("https://") {
        return base(Status::Fail)
            .title(format!("{subject} is a plain http address, so {} can be read or changed on the way.", what_fails(cb.kind)))
            .why(why(cb.kind))
            .detail(line)
            .fix(["Register the https:// address with the provider instead."]);
    }
    if let Some(edge) = challenged_by(resp) {
        return base(Status::Fail)
            .title(format!("{edge} answers {subject} with a bot challenge, so {} fail: the calling service is not a browser.", what_fails(cb.kind)))
            .why(why(cb.kind))
            .detail(format!("{line}: a {edge} challenge page."))
            .fix([
                format!("In {edge}, add a rule that skips bot protection (Bot Fight Mode, managed challenges, WAF challenge rules) for this path, e.g. Cloudflare: Security → WAF → Custom rules → URI Path equals {} → Skip.", Url::parse(subject).map(|u| u.path().to_owned()).unwrap_or_default()),
                "Keep the route protected by the provider's signature check instead (every webhook provider signs its requests).".to_owned(),
            ]);
    }
    if cb.kind == CallbackKind::Webhook && resp.is_redirect() {
        return base(Status::Fail)
            .title(format!("A POST to {subject} is redirected ({}), so webhook events are dropped: senders do not follow redirects with the event.", resp.status))
            .why(why(cb.kind))
            .detail(line)
            .fix([
                format!("Register the final address with the provider ({}), or remove the redirect for this path (a trailing slash or www rule is the usual cause).", resp.header("location").unwrap_or("the Location above")),
            ]);
    }
    if resp.status >= 500 {
        return base(Status::Warn)
            .title(format!("{subject} answers with a server error ({}), so {} may fail.", resp.status, what_fails(cb.kind)))
            .why(why(cb.kind))
            .detail(format!("{line}. An unsigned probe should get a 4xx refusal, not a crash."))
            .fix(["Look at your app's logs for this request (it carries X-Preflight-Probe: 1)."]);
    }
    base(Status::Pass)
        .title(format!(
            "{subject} reaches your app from a non-browser client, as {} need.",
            match cb.kind {
                CallbackKind::Auth => "login providers",
                CallbackKind::Webhook => "webhook senders",
            }
        ))
        .detail(format!("{line}: no challenge{}.", if cb.kind == CallbackKind::Webhook { ", no redirect" } else { "" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cb(kind: CallbackKind) -> Callback {
        Callback { kind, url: "https://app.a.test/hooks/stripe".into() }
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        let mut r = Response::canned(headers, 0);
        r.status = status;
        r.body = bytes::Bytes::from(body.to_owned());
        r
    }

    #[test]
    fn challenges_redirects_and_errors_are_told_apart() {
        let hook = cb(CallbackKind::Webhook);
        assert_eq!(judge(&hook, "POST", &answer(401, &[], "bad signature")).status, Status::Pass, "reached, refused as unsigned");
        let f = judge(&hook, "POST", &answer(403, &[("cf-mitigated", "challenge")], "<title>Just a moment...</title>"));
        assert_eq!(f.status, Status::Fail);
        assert!(f.title.starts_with("Cloudflare answers"), "{}", f.title);
        assert_eq!(judge(&hook, "POST", &answer(308, &[("location", "https://app.a.test/hooks/stripe/")], "")).status, Status::Fail);
        assert_eq!(judge(&hook, "POST", &answer(502, &[], "")).status, Status::Warn);
        assert_eq!(
            judge(&cb(CallbackKind::Auth), "GET", &answer(302, &[("location", "/login")], "")).status,
            Status::Pass,
            "a GET redirect is a callback's normal answer"
        );
        assert_eq!(
            judge(&hook, "POST", &answer(200, &[("cf-mitigated", "challenge")], "")).status,
            Status::Pass,
            "only a refusal is a challenge"
        );
        let plain = Callback { kind: CallbackKind::Auth, url: "http://app.a.test/cb".into() };
        assert_eq!(judge(&plain, "GET", &answer(200, &[], "")).status, Status::Fail);
    }
}
