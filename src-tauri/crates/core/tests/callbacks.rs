//! Login callbacks and webhooks against the testbed, called as the services that use them would.

use preflight_core::target::{Callback, CallbackKind};
use preflight_core::{audit, AuditOptions, Domain, Finding, HostOrigin, Net, Report, Status, Target};
use preflight_testbed::{Answer, Product, Site, Testbed};

const D: &str = "hooks.test";

async fn run() -> Report {
    let challenge = Answer::Page {
        status: 403,
        headers: vec![("cf-mitigated".into(), "challenge".into()), ("server".into(), "cloudflare".into())],
        body: "<title>Just a moment...</title>".into(),
    };
    let app = Answer::secure("<h1>app</h1>")
        .with_path("/hooks/stripe", Answer::Page { status: 401, headers: vec![], body: "missing signature".into() })
        .with_path("/hooks/resend", challenge)
        .with_path("/hooks/openai", Answer::Redirect { status: 308, to: format!("https://www.{D}") })
        .with_path("/auth/callback", Answer::RedirectHome { status: 302, to: "/login".into() });
    let product = Product::healthy(D, &[""]).site(Site { https: app, ..Site::healthy(&format!("app.{D}")) });
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(D).expect("valid"));
    target.add_host("app", HostOrigin::Configured, true);
    for (kind, path) in [
        (CallbackKind::Webhook, "/hooks/stripe"),
        (CallbackKind::Webhook, "/hooks/resend"),
        (CallbackKind::Webhook, "/hooks/openai"),
        (CallbackKind::Auth, "/auth/callback"),
    ] {
        target.callbacks.push(Callback { kind, url: format!("https://app.{D}{path}") });
    }
    let net = Net::new(bed.net_config()).await.expect("net");
    audit(&net, &target, AuditOptions { only: vec![preflight_core::Area::Edge], ..AuditOptions::default() }).await
}

fn find<'a>(r: &'a Report, path: &str) -> &'a Finding {
    let subject = format!("https://app.{D}{path}");
    r.findings
        .iter()
        .find(|f| f.id == "edge.callbacks" && f.subject == subject)
        .unwrap_or_else(|| panic!("no edge.callbacks for {subject}: {:#?}", r.findings))
}

#[tokio::test]
async fn each_callback_is_judged_as_its_caller_would_see_it() {
    let r = run().await;
    assert_eq!(find(&r, "/hooks/stripe").status, Status::Pass, "a 401 to an unsigned probe means the route is reached");
    let challenged = find(&r, "/hooks/resend");
    assert_eq!(challenged.status, Status::Fail, "{challenged:#?}");
    assert!(challenged.title.contains("bot challenge"), "{}", challenged.title);
    let moved = find(&r, "/hooks/openai");
    assert_eq!(moved.status, Status::Fail, "{moved:#?}");
    assert!(moved.title.contains("is redirected (308)"), "{}", moved.title);
    assert_eq!(find(&r, "/auth/callback").status, Status::Pass, "a login callback may redirect a bare GET");
}
