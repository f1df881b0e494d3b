//! `edge.cdn`: a CDN or web application firewall sits in front of each public name.
//!
//! An edge network absorbs floods of traffic, blocks known attacks and serves cached files near the
//! visitor; a name without one sends every request, hostile or not, straight to the founder's own
//! server. Each provider marks its answers with headers of its own (Cloudflare's `cf-ray`,
//! CloudFront's `x-amz-cf-id`…), listed in [`PROVIDERS`], one entry per provider. The answer read is
//! the one to `GET https://NAME/` (shared with the HSTS check), redirects included: the edge answers
//! those too. Matching on headers is what the edge itself shows to every client; a provider that
//! hides all of its headers is reported as "none seen", with the list of what was looked for.

use super::{could_not_check, no_such_name, per_host, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::Response;
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static CDN: CheckDef = CheckDef {
    id: "edge.cdn",
    area: Area::Edge,
    stage: Stage::Edge,
    impact: Impact::Downtime,
    what: "whether a CDN or web application firewall answers for each name",
};

pub const FAMILY: Family = Family { name: "edge", checks: &[&CDN], plan };

/// How an edge provider gives itself away in an answer's headers.
#[derive(Debug, Clone, Copy)]
pub enum Sign {
    /// This header is present.
    Header(&'static str),
    /// This header's value contains this text (compared in lower case).
    Contains(&'static str, &'static str),
}

/// One provider: its name and its signs (any one is enough).
#[derive(Debug, Clone, Copy)]
pub struct Provider {
    pub name: &'static str,
    /// Whether it filters attacks (a WAF) on its usual plans, or only caches and spreads traffic.
    pub firewall: bool,
    pub signs: &'static [Sign],
}

/// Every provider recognised, as data: adding one is one entry.
pub const PROVIDERS: &[Provider] = &[
    Provider { name: "Cloudflare", firewall: true, signs: &[Sign::Header("cf-ray"), Sign::Contains("server", "cloudflare")] },
    Provider {
        name: "Amazon CloudFront",
        firewall: true,
        signs: &[Sign::Header("x-amz-cf-id"), Sign::Contains("via", "cloudfront"), Sign::Contains("x-cache", "cloudfront")],
    },
    Provider {
        name: "Fastly",
        firewall: true,
        signs: &[Sign::Header("x-fastly-request-id"), Sign::Contains("x-served-by", "cache-"), Sign::Contains("server", "fastly")],
    },
    Provider {
        name: "Akamai",
        firewall: true,
        signs: &[
            Sign::Contains("server", "akamaighost"),
            Sign::Header("x-akamai-transformed"),
            Sign::Header("akamai-grn"),
            Sign::Header("x-akamai-request-id"),
        ],
    },
    Provider { name: "Vercel", firewall: true, signs: &[Sign::Header("x-vercel-id"), Sign::Contains("server", "vercel")] },
    Provider { name: "Netlify", firewall: true, signs: &[Sign::Header("x-nf-request-id"), Sign::Contains("server", "netlify")] },
    Provider { name: "Azure Front Door", firewall: true, signs: &[Sign::Header("x-azure-ref"), Sign::Header("x-fd-healthprobe")] },
    Provider {
        name: "Google Cloud load balancer",
        firewall: true,
        signs: &[Sign::Contains("via", "1.1 google"), Sign::Contains("server", "google frontend")],
    },
    Provider {
        name: "Imperva",
        firewall: true,
        signs: &[Sign::Header("x-iinfo"), Sign::Contains("x-cdn", "imperva"), Sign::Contains("x-cdn", "incapsula")],
    },
    Provider { name: "Sucuri", firewall: true, signs: &[Sign::Header("x-sucuri-id"), Sign::Contains("server", "sucuri")] },
    Provider { name: "Bunny CDN", firewall: false, signs: &[Sign::Contains("server", "bunnycdn"), Sign::Header("cdn-pullzone")] },
    Provider { name: "Fly.io proxy", firewall: false, signs: &[Sign::Header("fly-request-id"), Sign::Contains("server", "fly/")] },
];

/// The providers whose signs appear in `headers`, with the header that gave each away.
pub fn detect(headers: &[(String, String)]) -> Vec<(&'static Provider, String)> {
    let value = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.to_ascii_lowercase());
    PROVIDERS
        .iter()
        .filter_map(|p| {
            p.signs
                .iter()
                .find_map(|s| match *s {
                    Sign::Header(h) => value(h).map(|v| format!("{h}: {v}")),
                    Sign::Contains(h, needle) => value(h).filter(|v| v.contains(needle)).map(|v| format!("{h}: {v}")),
                })
                .map(|seen| (p, seen))
        })
        .collect()
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    per_host(
        target,
        facts,
        &CDN,
        |h| format!("Looking for a CDN or firewall in front of {h}"),
        |facts, host| async move { vec![check(&facts, &host).await] },
    )
}

async fn check(facts: &Facts, host: &str) -> Finding {
    let Ok(url) = Url::parse(&format!("https://{host}/")) else {
        return Finding::new(&CDN, host, Status::Error).title(format!("{host} cannot be turned into a web address."));
    };
    match facts.page(&url).await {
        Ok(resp) => judge(host, &resp),
        Err(e) if e.is_missing_name() => no_such_name(&CDN, host, host, &format!("The edge in front of {host}")),
        Err(e) if e.is_inconclusive() => could_not_check(Finding::new(&CDN, host, Status::Error), &format!("what answers for {host}"), &e),
        Err(e) => Finding::new(&CDN, host, Status::Skipped)
            .title(format!("The edge in front of {host} was not checked because https://{host} does not answer."))
            .detail(format!("{e}. See the tls.handshake finding for {host}.")),
    }
}

/// The verdict on one answer (pure: tested without a network).
pub fn judge(host: &str, resp: &Response) -> Finding {
    let found = detect(&resp.headers);
    let names: Vec<&str> = found.iter().map(|(p, _)| p.name).collect();
    let evidence = json!({
        "providers": names,
        "signs": found.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(),
        "server": resp.header("server"),
        "address": resp.remote.map(|a| a.ip().to_string()),
    });
    match found.first() {
        Some((p, seen)) => {
            let role = if p.firewall { "absorbs floods of traffic and can block attacks" } else { "spreads and caches traffic (it is not a firewall)" };
            Finding::new(&CDN, host, if p.firewall { Status::Pass } else { Status::Warn })
                .title(format!("{} answers for {host}: it {role} before requests reach your server.", names.join(" and ")))
                .why(if p.firewall { "" } else { "Without a firewall at the edge, attack traffic still reaches your server." })
                .detail(format!("Recognised from the answer to GET https://{host}/ by \"{seen}\"."))
                .evidence(evidence)
                .fix(if p.firewall { Vec::new() } else { vec!["Put a CDN with a firewall (Cloudflare's free plan has one) in front of this name.".to_owned()] })
        }
        None => Finding::new(&CDN, host, Status::Warn)
            .title(format!("Nothing seems to stand between {host} and your server: no CDN or firewall was recognised."))
            .why("A flood of traffic or a burst of attacks hits your server directly, and one busy day can take the product down.")
            .detail(format!(
                "The answer to GET https://{host}/ came from {} with none of the headers these edges add: {}. An edge that hides every header of its own would not be seen.",
                resp.remote.map_or("an unknown address".to_owned(), |a| a.ip().to_string()),
                PROVIDERS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
            ))
            .evidence(evidence)
            .fix([
                "Put Cloudflare (the free plan is enough to start) in front of this name: move your DNS to Cloudflare and switch the record's proxy on (the orange cloud).",
                "Or use your host's edge: Vercel and Netlify include one; on AWS put CloudFront with AWS WAF in front.",
                "Then run this audit again: the provider should be named here.",
            ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_are_recognised_by_their_headers() {
        let cases: [(&[(&str, &str)], &str); 6] = [
            (&[("cf-ray", "8a1b2c3d4e5f-AMS"), ("server", "cloudflare")], "Cloudflare"),
            (&[("x-amz-cf-id", "abc"), ("via", "1.1 x.cloudfront.net (CloudFront)")], "Amazon CloudFront"),
            (&[("x-served-by", "cache-ams21020-AMS")], "Fastly"),
            (&[("server", "AkamaiGHost")], "Akamai"),
            (&[("x-vercel-id", "fra1::abc")], "Vercel"),
            (&[("server", "Netlify")], "Netlify"),
        ];
        for (headers, want) in cases {
            let f = judge("a.test", &Response::canned(headers, 0));
            assert_eq!(f.status, Status::Pass, "{want}");
            assert!(f.title.starts_with(want), "{}", f.title);
        }
    }

    #[test]
    fn an_origin_server_alone_needs_attention() {
        let f = judge("a.test", &Response::canned(&[("server", "nginx/1.25")], 0));
        assert_eq!(f.status, Status::Warn);
        assert!(f.detail.contains("Cloudflare"), "says what was looked for");
        let f = judge("a.test", &Response::canned(&[("fly-request-id", "01H")], 0));
        assert_eq!(f.status, Status::Warn, "a proxy without a firewall is not enough");
    }
}
