//! The Cloudflare checks against a local Cloudflare API (the testbed's, with the v4 shapes) reached
//! through the engine's network settings: a well-set-up zone, one with every classic mistake,
//! pagination, a token missing one permission, 429 with Retry-After, answers that are not JSON, and
//! a token the API refuses. The token never appears in what comes out.

use preflight_core::target::{Callback, CallbackKind, Endpoint};
use preflight_core::{Domain, Finding, HostOrigin, Net, Status, Target};
use preflight_providers::Provider;
use preflight_testbed::cloudflare::{api, CfZone};
use preflight_testbed::{Answer, Product, Site, Testbed};
use preflight_vault::Sensitive;
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

const D: &str = "cf.test";
const TOKEN: &str = "cf-test-token-Zq3vN8kR2mX7pL4tB9wC6yH1dF5g";

struct Bed {
    _bed: Testbed,
    net: Net,
    calls: Arc<AtomicU32>,
}

async fn start(zone: CfZone) -> Bed {
    let calls = Arc::new(AtomicU32::new(0));
    let product =
        Product::healthy(D, &["", "www", "app"]).site(Site::serving(&format!("cfapi.{D}"), Answer::App(api(zone, calls.clone()))));
    let bed = Testbed::start(product).await.expect("testbed");
    let mut cfg = bed.net_config();
    cfg.cloudflare_api = Some(url::Url::parse(&format!("https://cfapi.{D}/client/v4/")).expect("url"));
    let net = Net::new(cfg).await.expect("net");
    Bed { _bed: bed, net, calls }
}

fn target() -> Target {
    let mut t = Target::bare(Domain::parse(D).expect("valid"));
    t.add_host("www", HostOrigin::Configured, true);
    t.add_host("app", HostOrigin::Configured, true);
    t.endpoints.push(Endpoint::new("Chat", "POST", &format!("https://app.{D}/api/chat")));
    t.callbacks.push(Callback { kind: CallbackKind::Webhook, url: format!("https://app.{D}/api/stripe/webhook") });
    t
}

async fn audit(bed: &Bed) -> Vec<Finding> {
    Provider::Cloudflare.audit(&bed.net, &target(), &[], Sensitive::new(TOKEN.to_owned())).await
}

fn find<'a>(findings: &'a [Finding], id: &str) -> &'a Finding {
    findings.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no {id}: {findings:#?}"))
}

fn no_token_in(findings: &[Finding]) {
    let text = serde_json::to_string(findings).expect("json");
    assert!(!text.contains(TOKEN) && !text.contains(&TOKEN[10..30]), "the token never reaches a finding");
}

#[tokio::test]
async fn a_well_set_up_zone_passes_every_check() {
    let bed = start(CfZone::good(D, TOKEN)).await;
    let f = audit(&bed).await;
    for id in [
        "edge.cloudflare.access",
        "edge.cloudflare.ssl",
        "edge.cloudflare.https",
        "edge.cloudflare.proxied",
        "edge.cloudflare.dnssec",
        "edge.cloudflare.waf",
        "edge.cloudflare.ratelimit",
        "edge.cloudflare.bots",
        "edge.cloudflare.cache",
    ] {
        assert_eq!(find(&f, id).status, Status::Pass, "{id}: {:#?}", find(&f, id));
    }
    assert!(find(&f, "edge.cloudflare.ratelimit").title.contains("/api/chat"));
    let roles = &find(&f, "edge.cloudflare.proxied").evidence["records"];
    assert!(roles.as_array().is_some_and(|r| r.iter().any(|x| x["name"] == json!(format!("mx.{D}")) && x["role"] == "mail")), "{roles}");
    no_token_in(&f);
    let says = Provider::Cloudflare.verify(&bed.net, D, Sensitive::new(TOKEN.to_owned())).await.expect("a good token verifies");
    assert!(says.contains("active") && says.contains(D), "{says}");
}

#[tokio::test]
async fn every_classic_mistake_is_named_with_its_fix() {
    let mut z = CfZone::good(D, TOKEN);
    z.ssl = "flexible".into();
    z.always_use_https = "off".into();
    z.min_tls_version = "1.0".into();
    z.records = vec![
        (D.into(), "A".into(), "192.0.2.10".into(), true),
        (format!("app.{D}"), "A".into(), "192.0.2.11".into(), false),
        (D.into(), "MX".into(), format!("10 mail.{D}"), false),
        (format!("mail.{D}"), "A".into(), "192.0.2.25".into(), true),
    ];
    z.dnssec = ("active".into(), format!("{D}. 3600 IN DS 2371 13 2 C9A1"), 2371);
    z.managed = Vec::new();
    z.ratelimit = Vec::new();
    z.fight_mode = true;
    z.custom = vec![
        json!({ "action": "managed_challenge", "expression": "(starts_with(http.request.uri.path, \"/api\"))", "enabled": true, "description": "Challenge the API" }),
    ];
    z.cache =
        vec![json!({ "action": "set_cache_settings", "expression": "true", "enabled": true, "action_parameters": { "cache": true } })];
    let bed = start(z).await;
    let f = audit(&bed).await;
    let status = |id: &str| find(&f, id).status;
    assert_eq!(status("edge.cloudflare.ssl"), Status::Fail);
    assert!(find(&f, "edge.cloudflare.ssl").title.contains("plain http"));
    assert_eq!(status("edge.cloudflare.https"), Status::Warn);
    assert!(
        find(&f, "edge.cloudflare.https").title.contains("Always Use HTTPS is off")
            && find(&f, "edge.cloudflare.https").title.contains("1.0")
    );
    let proxied = find(&f, "edge.cloudflare.proxied");
    assert_eq!(proxied.status, Status::Fail, "a proxied mail server breaks mail: {proxied:#?}");
    assert!(
        proxied.detail.contains(&format!("app.{D} (A) is not proxied"))
            && proxied.detail.contains(&format!("mail.{D} is a mail server but proxied"))
    );
    let dnssec = find(&f, "edge.cloudflare.dnssec");
    assert_eq!(dnssec.status, Status::Warn);
    assert!(dnssec.detail.contains("IN DS 2371 13 2"), "the exact DS to add: {}", dnssec.detail);
    assert_eq!(status("edge.cloudflare.waf"), Status::Warn);
    assert_eq!(status("edge.cloudflare.ratelimit"), Status::Warn);
    let bots = find(&f, "edge.cloudflare.bots");
    assert_eq!(bots.status, Status::Fail, "a challenge on the webhook path: {bots:#?}");
    assert!(bots.title.contains("/api/stripe/webhook") && bots.title.contains("Bot Fight Mode"));
    assert_eq!(status("edge.cloudflare.cache"), Status::Warn);
    no_token_in(&f);
}

#[tokio::test]
async fn records_are_read_page_by_page() {
    let mut z = CfZone::good(D, TOKEN);
    for i in 0..230 {
        z.records.push((format!("r{i}.{D}"), "TXT".into(), "v=verify".into(), false));
    }
    let bed = start(z).await;
    let f = audit(&bed).await;
    assert_eq!(find(&f, "edge.cloudflare.proxied").status, Status::Pass);
    assert!(bed.calls.load(Ordering::SeqCst) >= 3 + 12, "three pages of 100 plus the other calls");
}

#[tokio::test]
async fn a_missing_permission_is_named_and_costs_only_its_part() {
    let mut z = CfZone::good(D, TOKEN);
    z.forbidden = vec!["bot_management".into()];
    let bed = start(z).await;
    let f = audit(&bed).await;
    let bots = find(&f, "edge.cloudflare.bots");
    assert_eq!(bots.status, Status::Error);
    assert!(bots.detail.contains("Zone → Bot Management → Read") && bots.fix.iter().any(|x| x.contains("Bot Management")), "{bots:#?}");
    assert_eq!(find(&f, "edge.cloudflare.ssl").status, Status::Pass, "the other parts are read");
}

#[tokio::test]
async fn a_429_is_waited_out_as_its_headers_say() {
    let mut z = CfZone::good(D, TOKEN);
    z.limited_first = 2;
    let bed = start(z).await;
    let started = std::time::Instant::now();
    let f = audit(&bed).await;
    assert_eq!(find(&f, "edge.cloudflare.access").status, Status::Pass, "{f:#?}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(1900), "Retry-After: 1, twice");
}

#[tokio::test]
async fn answers_that_are_not_the_api_and_refused_tokens_are_errors_in_words() {
    let mut z = CfZone::good(D, TOKEN);
    z.malformed = true;
    let bed = start(z).await;
    let f = audit(&bed).await;
    let access = find(&f, "edge.cloudflare.access");
    assert_eq!((access.status, f.len()), (Status::Error, 1), "{f:#?}");
    assert!(access.detail.contains("could not read"), "{}", access.detail);

    let bed = start(CfZone::good(D, TOKEN)).await;
    let refused = Provider::Cloudflare.verify(&bed.net, D, Sensitive::new("not-the-token".into())).await.expect_err("refused");
    assert_eq!(refused.code(), "bad_token");
    assert!(!refused.to_string().contains("not-the-token"), "{refused}");
    let other = Provider::Cloudflare.verify(&bed.net, "other.test", Sensitive::new(TOKEN.into())).await.expect_err("no such zone");
    assert!(other.to_string().contains("other.test"), "{other}");
}
