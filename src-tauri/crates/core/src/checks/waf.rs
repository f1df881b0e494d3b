//! `edge.waf`: a web application firewall blocks an obviously hostile request.
//!
//! Headers say which edge answers (`edge.cdn`); they do not say whether it filters anything. A CDN
//! on a free plan often has its attack rules switched off, and the founder believes they are
//! protected. So the edge's behaviour is asked once per front door: one `GET` whose query string
//! carries the textbook probes every scanner sends (a script tag, a SQL tautology, a path climb) and
//! the marker `preflight-waf-probe`. Nothing in it can harm a working app: it is a search for text.
//! A verdict needs evidence either way. A block counts only when it is recognisable: a 403 or 406
//! where the benign twin (the same address without the probe) answered normally, a connection
//! cut on the probe while a twin sent right after it is answered, or an edge's own block page or
//! header. The probe served like the twin means nothing filtered it. Anything else (a 429, which
//! is rate limiting and says nothing about attack rules; a 400 or 500 from the app itself; a twin
//! that fails too) is "couldn't tell", never a pass.
//!
//! The probe is attack-shaped, so it goes only to the product's own names (the root, the listed
//! ones and the ones the founder kept), never to a name discovery found, which may be another
//! company's status page or help desk.

use super::{could_not_check, no_such_name, per_own_host, Family};
use crate::check::CheckDef;
use crate::checks::callbacks::challenged_by;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::{Request, Response};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static WAF: CheckDef = CheckDef {
    id: "edge.waf",
    area: Area::Edge,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "whether a web application firewall blocks an obviously hostile request",
};

pub const FAMILY: Family = Family { name: "waf", checks: &[&WAF], plan };

/// The probe's query: a script tag, a SQL tautology and a path climb, URL-encoded, with a marker
/// that makes the request easy to find (and ignore) in the product's logs.
pub const PROBE_QUERY: &str =
    "preflight-waf-probe=1&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&id=1%27%20OR%20%271%27%3D%271&file=..%2F..%2F..%2Fetc%2Fpasswd";

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    per_own_host(
        target,
        facts,
        &WAF,
        |h| format!("Checking whether a firewall in front of {h} blocks attacks"),
        not_ours,
        |facts, host| async move { vec![check(&facts, &host).await] },
    )
}

/// A name discovery found: not sent the probe until the founder says it is theirs.
fn not_ours(host: &str) -> Finding {
    Finding::new(&WAF, host, Status::Skipped)
        .title(format!("The firewall in front of {host} was not tested: Preflight found this name itself, and it may run on another company's service."))
        .detail("The firewall test sends text shaped like an attack. It goes only to the names you listed or kept, never to a name discovery found (a status page or help desk may be a third party's).")
        .fix([format!("If {host} is yours, choose Keep beside it in the found names, and the next audit tests it.")])
}

async fn check(facts: &Facts, host: &str) -> Finding {
    let (Ok(normal), Ok(probe)) = (Url::parse(&format!("https://{host}/")), Url::parse(&format!("https://{host}/?{PROBE_QUERY}"))) else {
        return Finding::new(&WAF, host, Status::Error).title(format!("{host} cannot be turned into a web address."));
    };
    let baseline = match facts.page(&normal).await {
        Ok(r) => r,
        Err(e) if e.is_missing_name() => return no_such_name(&WAF, host, host, &format!("The firewall in front of {host}")),
        Err(e) if e.is_inconclusive() => {
            return could_not_check(Finding::new(&WAF, host, Status::Error), &format!("the firewall in front of {host}"), &e)
        }
        Err(e) => {
            return Finding::new(&WAF, host, Status::Skipped)
                .title(format!("The firewall in front of {host} was not checked because https://{host} does not answer."))
                .detail(format!("{e}. See the tls.handshake finding for {host}."))
        }
    };
    match facts.send(&Request::get(probe)).await {
        Ok(answer) => judge(host, &baseline, &answer),
        Err(e) if e.is_inconclusive() => {
            could_not_check(Finding::new(&WAF, host, Status::Error), &format!("the firewall in front of {host}"), &e)
        }
        // A connection cut on the probe is how some firewalls block, and also how a flaky network
        // looks: it counts only when a benign twin sent right after it is answered.
        Err(e) => match facts.send(&Request::get(normal)).await {
            Ok(twin) if twin.status < 400 => Finding::new(&WAF, host, Status::Pass)
                .title(format!("A firewall in front of {host} cut off an obviously hostile request."))
                .detail(format!(
                    "GET https://{host}/?{PROBE_QUERY}: {e}; the same address without the probe, sent right after, answered {}.",
                    twin.status
                ))
                .evidence(json!({ "baseline_status": baseline.status, "probe": e.to_string(), "twin_status": twin.status })),
            _ => couldnt_tell(
                host,
                format!("the probe's connection failed ({e}), and so did the same address without the probe right after"),
            ),
        },
    }
}

/// "Couldn't tell": the answers do not show whether attack rules are on.
fn couldnt_tell(host: &str, why: String) -> Finding {
    Finding::new(&WAF, host, Status::Error)
        .title(format!("Preflight couldn't tell whether a firewall in front of {host} filters attacks."))
        .why("Until this can be told, you cannot count on a firewall being there.")
        .detail(format!("GET https://{host}/?{PROBE_QUERY}: {why}."))
        .fix(["Run the audit again later. If it says the same, look in your edge's dashboard (Cloudflare: Security → WAF) whether managed rules are on."])
}

/// The verdict from the normal answer and the probe's (pure).
pub fn judge(host: &str, baseline: &Response, probe: &Response) -> Finding {
    let edge = challenged_by(probe);
    let twin_ok = baseline.status < 400;
    let blocked = matches!(probe.status, 403 | 406) && twin_ok;
    let evidence =
        json!({ "baseline_status": baseline.status, "probe_status": probe.status, "edge": edge, "server": probe.header("server") });
    let detail = format!("GET https://{host}/ → {}; GET https://{host}/?{PROBE_QUERY} → {}.", baseline.status, probe.status);
    if edge.is_none() && probe.status == 429 {
        return couldnt_tell(host, format!("429 Too Many Requests: that is rate limiting (too many requests from this computer), which says nothing about attack rules; without the probe it answered {}", baseline.status))
            .evidence(evidence);
    }
    if !twin_ok && edge.is_none() {
        return couldnt_tell(
            host,
            format!("{}; the same address without the probe answers {} too, so a refusal proves nothing", probe.status, baseline.status),
        )
        .evidence(evidence);
    }
    if !blocked && edge.is_none() && probe.status / 100 != baseline.status / 100 {
        return couldnt_tell(
            host,
            format!(
                "{} where the same address without the probe answers {}: that is your app's own answer to an odd address, not a firewall's",
                probe.status, baseline.status
            ),
        )
        .evidence(evidence);
    }
    if blocked || edge.is_some() {
        return Finding::new(&WAF, host, Status::Pass)
            .title(format!(
                "A firewall in front of {host} blocked an obviously hostile request ({}).",
                edge.map_or_else(|| probe.status.to_string(), |e| format!("{e}, {}", probe.status))
            ))
            .detail(detail)
            .evidence(evidence);
    }
    Finding::new(&WAF, host, Status::Warn)
        .title(format!("{host} served an obviously hostile request like any other: no firewall rules filter attacks before your app."))
        .why("Automated scanners try these requests on every site within days of launch; without a firewall, your app's code is the only thing between them and your data.")
        .detail(format!("{detail} A script tag, a SQL tautology and a path climb in the query string were not blocked."))
        .evidence(evidence)
        .fix([
            "In Cloudflare: Security → WAF → Managed rules → turn on the Cloudflare Managed Ruleset (Pro plan) or, on the free plan, the Free Managed Ruleset and a custom rule for your login and API paths.",
            "On AWS: attach AWS WAF with the Core rule set (AWSManagedRulesCommonRuleSet) to the CloudFront distribution or load balancer.",
            "On Vercel: turn on the Firewall's OWASP managed rules in the project's Firewall tab.",
        ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)]) -> Response {
        let mut r = Response::canned(headers, 0);
        r.status = status;
        r
    }

    #[test]
    fn a_block_passes_the_normal_page_warns() {
        let ok = answer(200, &[]);
        assert_eq!(judge("a.test", &ok, &answer(403, &[])).status, Status::Pass);
        assert_eq!(judge("a.test", &ok, &answer(200, &[])).status, Status::Warn);
        assert_eq!(
            judge("a.test", &answer(403, &[]), &answer(403, &[])).status,
            Status::Error,
            "a page that always answers 403 proves nothing either way"
        );
        let limited = judge("a.test", &ok, &answer(429, &[]));
        assert_eq!(limited.status, Status::Error, "a 429 is rate limiting, not a firewall verdict");
        assert!(limited.detail.contains("rate limiting"), "{}", limited.detail);
        assert_eq!(judge("a.test", &ok, &answer(500, &[])).status, Status::Error, "the app's own error is not a block");
        assert_eq!(judge("a.test", &ok, &answer(501, &[])).status, Status::Error);
        let f = judge("a.test", &ok, &answer(403, &[("cf-mitigated", "challenge")]));
        assert!(f.title.contains("Cloudflare"), "{}", f.title);
    }
}
