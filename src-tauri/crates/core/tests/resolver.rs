//! "Does not exist" is a verdict only when the resolver has proven it can be believed.

use preflight_core::checks::dns::THIS_COMPUTER;
use preflight_core::{audit, gate, AuditOptions, Domain, FailOn, Net, Report, Status, Target, Verdict};
use preflight_testbed::{Answer, DnsServer, Product, Site, Testbed, Zone};

async fn run(cfg: preflight_core::NetConfig, domain: &str) -> Report {
    let net = Net::new(cfg).await.expect("net");
    audit(&net, &Target::with_defaults(Domain::parse(domain).expect("valid")), AuditOptions::default()).await
}

fn status(r: &Report, id: &str, subject: &str) -> Option<Status> {
    r.findings.iter().find(|f| f.id == id && f.subject == subject).map(|f| f.status)
}

#[tokio::test]
async fn a_resolver_that_says_no_such_name_to_everything_is_not_believed() {
    let bed = Testbed::start(Product::healthy("real.test", &["", "www"])).await.expect("testbed");
    let liar = DnsServer::start_lying().await.expect("lying dns");
    let mut cfg = bed.net_config();
    cfg.nameservers = vec![liar.addr];
    let report = run(cfg, "real.test").await;
    assert_eq!(status(&report, "dns.resolver", THIS_COMPUTER), Some(Status::Error), "the broken resolver is said once");
    let resolver = report.findings.iter().find(|f| f.id == "dns.resolver").expect("resolver finding");
    assert!(resolver.title.contains("DNS is not working on this computer"), "{}", resolver.title);
    assert_eq!(report.summary.fail, 0, "a lying resolver must not make any name \"not exist\": {:#?}", report.findings);
    assert_eq!(status(&report, "dns.resolve", "real.test"), Some(Status::Error));
    assert_eq!(status(&report, "dns.resolve", "www.real.test"), Some(Status::Error));
    assert_eq!(status(&report, "tls.handshake", "www.real.test"), Some(Status::Error), "dependent checks could not look either");
    assert_eq!(gate::verdict(&report, FailOn::Fail), Verdict::Incomplete, "and the run is not green");
}

#[tokio::test]
async fn an_authoritative_only_server_for_the_zone_is_believed() {
    let bed = Testbed::start(Product::healthy("auth-only.test", &["", "www"])).await.expect("testbed");
    let report = run(bed.net_config(), "auth-only.test").await;
    let resolver = report.findings.iter().find(|f| f.id == "dns.resolver").expect("resolver finding");
    assert_eq!(resolver.status, Status::Pass, "{resolver:#?}");
    assert!(resolver.detail.contains("SOA of auth-only.test"), "the evidence names the zone that vouched: {}", resolver.detail);
    assert_eq!(
        status(&report, "dns.resolve", "api.auth-only.test"),
        Some(Status::Skipped),
        "a name missing from a zone whose server proved itself really is not in use"
    );
}

#[tokio::test]
async fn a_domain_that_its_parent_zone_says_does_not_exist_is_a_problem() {
    // Only the parent zone is served: "gone.test" is not in it, and the answer carries test's SOA.
    let parent = DnsServer::start(&[Zone::new("test")]).await.expect("dns");
    let cfg = preflight_core::NetConfig { nameservers: vec![parent.addr], ..Default::default() };
    let report = run(cfg, "gone.test").await;
    assert_eq!(status(&report, "dns.resolver", THIS_COMPUTER), Some(Status::Pass), "the parent's SOA vouches for the answer");
    assert_eq!(status(&report, "dns.resolve", "gone.test"), Some(Status::Fail), "an unregistered domain is a launch blocker");
}

#[tokio::test]
async fn an_alias_to_something_gone_is_a_takeover_risk_not_unused() {
    let zone = Zone::new("alias.test").cname("old", "deleted-app.alias.test").cname("docs", "alias.test");
    let product = Product { zone, ..Product::healthy("alias.test", &["", "www"]) };
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::with_defaults(Domain::parse("alias.test").expect("valid"));
    target.add_host("old", preflight_core::HostOrigin::Configured, false);
    target.add_host("docs", preflight_core::HostOrigin::Configured, false);
    let net = Net::new(bed.net_config()).await.expect("net");
    let report = audit(&net, &target, AuditOptions::default()).await;
    let dangling = report.findings.iter().find(|f| f.id == "dns.cname.dangling" && f.subject == "old.alias.test").expect("finding");
    assert_eq!(dangling.status, Status::Fail, "{dangling:#?}");
    assert_eq!(dangling.impact, preflight_core::Impact::DataExposure);
    assert!(dangling.title.contains("deleted-app.alias.test"), "the verdict names the gone target: {}", dangling.title);
    let resolve = report.findings.iter().find(|f| f.id == "dns.resolve" && f.subject == "old.alias.test").expect("finding");
    assert!(!resolve.title.contains("not in use"), "a dangling alias is not \"not in use\": {}", resolve.title);
    assert_eq!(status(&report, "dns.cname.dangling", "docs.alias.test"), Some(Status::Pass), "a live alias passes");
    assert_eq!(status(&report, "dns.cname.dangling", "www.alias.test"), None, "plain names get no alias finding");
}

#[tokio::test]
async fn one_name_server_and_day_long_ttls_need_attention() {
    let healthy = Testbed::start(Product::healthy("zone-ok.test", &["", "www"])).await.expect("testbed");
    let report = run(healthy.net_config(), "zone-ok.test").await;
    assert_eq!(status(&report, "dns.ns", "zone-ok.test"), Some(Status::Pass), "two name servers");
    assert_eq!(status(&report, "dns.ttl", "zone-ok.test"), Some(Status::Pass), "a minute's TTL");

    let zone = Zone::new("zone-bad.test").ns("", "ns1.zone-bad.test").ttl(172_800);
    let bed = Testbed::start(Product { zone, ..Product::healthy("zone-bad.test", &["", "www"]) }).await.expect("testbed");
    let report = run(bed.net_config(), "zone-bad.test").await;
    let ns = report.findings.iter().find(|f| f.id == "dns.ns").expect("ns finding");
    assert_eq!(ns.status, Status::Warn, "{ns:#?}");
    assert!(ns.title.contains("single name server"), "{}", ns.title);
    let ttl = report.findings.iter().find(|f| f.id == "dns.ttl" && f.subject == "zone-bad.test").expect("ttl finding");
    assert_eq!(ttl.status, Status::Warn);
    assert!(ttl.title.contains("2 days"), "{}", ttl.title);
}

#[tokio::test]
async fn alias_loops_and_long_chains_are_told_apart_from_gone_targets() {
    let mut zone = Zone::new("loops.test").cname("a", "b.loops.test").cname("b", "a.loops.test");
    for i in 0..10 {
        zone = zone.cname(&format!("c{i}"), &format!("c{}.loops.test", i + 1));
    }
    let zone = zone.addr("c10", "127.0.0.1".parse().expect("ip"));
    let product = Product { zone, ..Product::healthy("loops.test", &[""]) }.site(Site::healthy("c0.loops.test"));
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse("loops.test").expect("valid"));
    target.add_host("a", preflight_core::HostOrigin::Configured, false);
    target.add_host("c0", preflight_core::HostOrigin::Configured, false);
    let net = Net::new(bed.net_config()).await.expect("net");
    let report = audit(&net, &target, AuditOptions::default()).await;
    assert_eq!(status(&report, "dns.cname.chain", "a.loops.test"), Some(Status::Fail), "a circle of aliases never resolves");
    assert_eq!(status(&report, "dns.cname.dangling", "a.loops.test"), None, "a loop is not a gone target: {:#?}", report.findings);
    assert_eq!(status(&report, "dns.cname.chain", "c0.loops.test"), Some(Status::Warn), "ten aliases are too many");
    assert_eq!(status(&report, "dns.cname.dangling", "c0.loops.test"), Some(Status::Pass), "the long chain does end on an address");
    assert_eq!(status(&report, "dns.resolve", "c0.loops.test"), Some(Status::Pass), "followed by hand where the resolver gave up");
    assert_eq!(status(&report, "tls.cert.trust", "c0.loops.test"), Some(Status::Pass), "HTTPS is reached through the long chain too");
    assert_eq!(status(&report, "redirects.https", "c0.loops.test"), Some(Status::Pass), "and so is plain http");
}

#[tokio::test]
async fn an_alias_to_a_platform_showing_its_nothing_here_page_is_a_takeover_risk() {
    // `blog` still resolves (to the platform's shared servers), but the project behind it is gone.
    let zone = Zone::new("vacant.test").cname("blog", "shared.vacant.test").addr("shared", std::net::Ipv4Addr::LOCALHOST.into());
    let gone = Answer::Page { status: 404, headers: vec![], body: "<h1>404</h1><p>There isn't a GitHub Pages site here.</p>".into() };
    let product = Product { zone, ..Product::healthy("vacant.test", &[""]) }.site(Site {
        host: "blog.vacant.test".into(),
        cert: None,
        http: gone.clone(),
        https: gone,
    });
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse("vacant.test").expect("valid"));
    target.add_host("blog", preflight_core::HostOrigin::Configured, false);
    let net = Net::new(bed.net_config()).await.expect("net");
    let report = audit(&net, &target, AuditOptions::default()).await;
    let f = report.findings.iter().find(|f| f.id == "dns.cname.dangling" && f.subject == "blog.vacant.test").expect("finding");
    assert_eq!(f.status, Status::Fail, "{f:#?}");
    assert!(f.title.contains("GitHub Pages project that no longer exists"), "{}", f.title);
    assert!(f.title.contains("someone else could claim it"), "GitHub Pages is claimable: {}", f.title);
    assert!(f.detail.contains("There isn't a GitHub Pages site here."), "{}", f.detail);
}

/// Audits `domain` through `nameservers` with discovery on (common names only: no certificate
/// logs), every check given `secs` seconds as the CLI's `--timeout` does.
async fn discovering(nameservers: Vec<std::net::SocketAddr>, domain: &str, secs: u64) -> (Report, std::time::Duration) {
    let cfg = preflight_core::NetConfig { nameservers, timeouts: preflight_core::net::Timeouts::within(secs), ..Default::default() };
    let net = Net::new(cfg).await.expect("net");
    let opts = AuditOptions { discover: Some(preflight_core::discover::Discover { ct_url: None }), ..AuditOptions::default() };
    let started = std::time::Instant::now();
    let report = audit(&net, &Target::with_defaults(Domain::parse(domain).expect("valid")), opts).await;
    (report, started.elapsed())
}

#[tokio::test]
async fn with_a_lying_resolver_discovery_and_dnssec_have_no_verdict() {
    let liar = DnsServer::start_lying().await.expect("lying dns");
    let (report, _) = discovering(vec![liar.addr], "real.test", 5).await;
    let discovery = report.findings.iter().find(|f| f.id == "dns.discovery").expect("discovery ran");
    assert_eq!(discovery.status, Status::Error, "\"no other names\" from a lying resolver is no pass: {discovery:#?}");
    assert_eq!(status(&report, "dns.dnssec", "real.test"), Some(Status::Error), "nor is \"not signed\"");
    assert_eq!(
        report.summary.pass,
        0,
        "nothing passes on a resolver that cannot be believed: {:#?}",
        report.findings.iter().filter(|f| f.status == Status::Pass).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn with_a_silent_resolver_every_check_ends_at_its_deadline_and_none_passes() {
    // A resolver that takes every question and never answers.
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let addr = silent.local_addr().expect("addr");
    let (report, took) = discovering(vec![addr], "quiet.test", 5).await;
    drop(silent);

    assert_eq!(status(&report, "dns.discovery", "quiet.test"), Some(Status::Error), "{:#?}", report.findings);
    assert_eq!(status(&report, "dns.dnssec", "quiet.test"), Some(Status::Error));
    assert_eq!(report.summary.pass, 0, "{:#?}", report.findings.iter().filter(|f| f.status == Status::Pass).collect::<Vec<_>>());
    assert_eq!(gate::verdict(&report, FailOn::Fail), Verdict::Incomplete);
    // The checks run side by side, each within its 5 s; the run adds scheduling, not a second round.
    assert!(took < std::time::Duration::from_millis(6_500), "a 5 s deadline per check; the audit took {took:?}");
}
