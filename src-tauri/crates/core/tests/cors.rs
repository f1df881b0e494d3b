//! CORS against the testbed: a probe from a foreign origin, preflight and simple request.

use preflight_core::target::Endpoint;
use preflight_core::{audit, AuditOptions, Domain, Finding, HostOrigin, Net, Report, Status, Target};
use preflight_testbed::{Answer, Product, Site, Testbed};

async fn run(api: Answer, endpoint_with_token: bool) -> Report {
    let product = Product::healthy("cors.test", &[""]).site(Site { https: api, ..Site::healthy("api.cors.test") });
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse("cors.test").expect("valid"));
    target.add_host("api", HostOrigin::Configured, true);
    if endpoint_with_token {
        target
            .endpoints
            .push(Endpoint { secret: Some("api-token".into()), ..Endpoint::new("chat", "POST", "https://api.cors.test/v1/chat") });
    }
    let net = Net::new(bed.net_config()).await.expect("net");
    audit(&net, &target, AuditOptions::default()).await
}

fn cors<'a>(r: &'a Report, subject_starts: &str) -> &'a Finding {
    r.findings
        .iter()
        .find(|f| f.id == "cors.origin" && f.subject.starts_with(subject_starts))
        .unwrap_or_else(|| panic!("no cors.origin for {subject_starts}: {:#?}", r.findings))
}

#[tokio::test]
async fn an_api_that_echoes_any_origin_with_credentials_is_a_problem() {
    let r = run(Answer::ReflectOrigin { credentials: true }, false).await;
    let f = cors(&r, "api.cors.test");
    assert_eq!(f.status, Status::Fail, "{f:#?}");
    assert_eq!(f.impact, preflight_core::Impact::DataExposure);
    assert!(f.title.contains("as your logged-in users"), "{}", f.title);
}

#[tokio::test]
async fn any_origin_without_credentials_is_fine_unless_the_api_takes_tokens() {
    let open = Answer::Page { status: 200, headers: vec![("access-control-allow-origin".into(), "*".into())], body: "{}".into() };
    let r = run(open.clone(), false).await;
    assert_eq!(cors(&r, "api.cors.test").status, Status::Pass, "a public API may be open");
    let r = run(open, true).await;
    assert_eq!(cors(&r, "chat (").status, Status::Warn, "an endpoint that takes a token should not be open to every site");
    let r = run(Answer::ReflectOrigin { credentials: false }, false).await;
    assert_eq!(cors(&r, "api.cors.test").status, Status::Warn, "echoing any origin and allowing Authorization needs attention");
}

#[tokio::test]
async fn an_api_without_cors_headers_keeps_other_sites_out() {
    let r = run(Answer::secure("{}"), false).await;
    let f = cors(&r, "api.cors.test");
    assert_eq!(f.status, Status::Pass);
    assert!(f.title.contains("cannot call"), "{}", f.title);
}
