//! The opt-in rate-limit probe against the testbed: a login behind a limiter and a chat route
//! without one, each burst bounded and stopped at the first 429.

use preflight_core::checks::ratelimit::Burst;
use preflight_core::target::Endpoint;
use preflight_core::{audit, AuditOptions, Domain, Finding, HostOrigin, Net, Report, Status, Target};
use preflight_testbed::{Answer, Product, Site, Testbed};

const D: &str = "burst.test";

fn endpoint(name: &str, path: &str) -> Endpoint {
    Endpoint {
        headers: vec![("content-type".into(), "application/json".into())],
        body: Some("{}".into()),
        ..Endpoint::new(name, "POST", &format!("https://api.{D}{path}"))
    }
}

async fn run(rate_limit: Option<Burst>) -> (Report, Testbed) {
    let ok = Answer::page(&[("content-type", "application/json")], "{\"ok\":true}");
    let api = ok.clone().with_path("/login", Answer::Limited { after: 10, then: Box::new(ok) });
    let product = Product::healthy(D, &[""]).site(Site { https: api, ..Site::healthy(&format!("api.{D}")) });
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(D).expect("valid"));
    target.add_host("api", HostOrigin::Configured, true);
    target.endpoints = vec![endpoint("login", "/login"), endpoint("chat", "/v1/chat")];
    let net = Net::new(bed.net_config()).await.expect("net");
    let opts = AuditOptions { only: vec![preflight_core::Area::Edge], rate_limit, ..AuditOptions::default() };
    (audit(&net, &target, opts).await, bed)
}

fn find<'a>(r: &'a Report, name: &str) -> Option<&'a Finding> {
    r.findings.iter().find(|f| f.id == "edge.ratelimit" && f.subject.starts_with(name))
}

#[tokio::test]
async fn a_limited_login_passes_an_open_chat_route_warns() {
    let (r, _bed) = run(Some(Burst::default())).await;
    let login = find(&r, "login").expect("login probed");
    assert_eq!(login.status, Status::Pass, "{login:#?}");
    assert!(login.title.contains("request 11"), "{}", login.title);
    assert!(login.evidence["sent"].as_u64().is_some_and(|n| n <= 15), "the burst stops at the first 429 wave: {}", login.evidence);
    let chat = find(&r, "chat").expect("chat probed");
    assert_eq!(chat.status, Status::Warn, "{chat:#?}");
    assert_eq!(chat.evidence["sent"].as_u64(), Some(30), "bounded at 30 requests");
}

#[tokio::test]
async fn nothing_is_sent_unless_asked() {
    let (r, _bed) = run(None).await;
    assert!(find(&r, "login").is_none() && find(&r, "chat").is_none(), "the probe is opt-in");
}
