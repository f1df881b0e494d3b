//! Posting notices to outside channels: each service's shape against a real receiver on loopback,
//! retries with backoff, and a failure that is reported instead of dropped.

use preflight_testbed::{Answer, Inbox, Product, Site, Testbed};
use preflight_watch::channels::{deliver, test_notice, ChannelKind, Origin, Target};
use std::time::Duration;
use url::Url;

#[tokio::test]
async fn each_kind_posts_its_own_shape_and_retries_until_it_lands() {
    let inbox = Inbox::new();
    let product = Product::healthy("hooks.test", &["", "alerts"])
        .site(Site { https: Answer::Inbox(inbox.clone()), ..Site::healthy("alerts.hooks.test") });
    let bed = Testbed::start(product).await.expect("testbed");
    let net = bed.net().await.expect("net");
    let target = |kind, path: &str| Target {
        id: 1,
        name: format!("{kind:?}"),
        kind,
        url: Url::parse(&format!("https://alerts.hooks.test{path}")).expect("url"),
        token: Some("tok".into()),
    };
    let notice = test_notice(1);
    let quick = [Duration::from_millis(10), Duration::from_millis(10)];
    for (kind, path) in
        [(ChannelKind::Slack, "/slack"), (ChannelKind::Discord, "/discord"), (ChannelKind::Ntfy, "/topic"), (ChannelKind::Webhook, "/hook")]
    {
        deliver(&net, &target(kind, path), &notice, Origin::App, &quick).await.expect("delivered");
    }
    let got = inbox.received();
    let body = |path: &str| got.iter().find(|r| r.path == path).map(|r| r.body.clone()).unwrap_or_default();
    let json = |path: &str| serde_json::from_str::<serde_json::Value>(&body(path)).expect("JSON");
    assert!(json("/slack")["text"].as_str().is_some_and(|t| t.starts_with("Preflight test message")));
    assert!(json("/discord")["content"].as_str().is_some());
    assert_eq!(json("/hook")["notice"]["title"], "Preflight test message");
    let ntfy = got.iter().find(|r| r.path == "/topic").expect("ntfy got it");
    assert!(ntfy.headers.iter().any(|(k, v)| k == "title" && v == "Preflight test message"));
    assert!(ntfy.headers.iter().any(|(k, v)| k == "authorization" && v == "Bearer tok"));

    inbox.fail_next(2);
    let before = inbox.received().len();
    deliver(&net, &target(ChannelKind::Slack, "/retry"), &notice, Origin::App, &quick).await.expect("the third try lands");
    assert_eq!(inbox.received().len() - before, 3, "two failures, then success");
    inbox.fail_next(3);
    let err =
        deliver(&net, &target(ChannelKind::Slack, "/down"), &notice, Origin::App, &quick).await.expect_err("three failures are reported");
    assert_eq!(err, "slack answered 500");
}

#[tokio::test]
async fn a_failed_delivery_names_the_host_never_the_secret_address() {
    let product = Product::healthy("hooks.test", &["", "alerts"]).site(Site::serving("alerts.hooks.test", Answer::ok("ok")));
    let bed = Testbed::start(product).await.expect("testbed");
    let net = bed.net().await.expect("net");
    // A token pasted with its newline makes the request unsendable: the error must still not
    // carry the topic, which is what lets anyone post to the founder's phone.
    let target = Target {
        id: 1,
        name: "phone".into(),
        kind: ChannelKind::Ntfy,
        url: Url::parse("https://alerts.hooks.test/s3cret-topic-4242?auth=s3cret-query").expect("url"),
        token: Some("tok\nen".into()),
    };
    let err = deliver(&net, &target, &test_notice(1), Origin::App, &[]).await.expect_err("unsendable");
    assert!(err.contains("alerts.hooks.test"), "the host is named: {err}");
    assert!(!err.contains("s3cret-topic-4242") && !err.contains("s3cret-query"), "the address stays secret: {err}");
}
