//! Webhook replay against receivers on loopback that verify each provider's signature as its own
//! library does, and their broken twins: a receiver that takes anything ("anyone can send your app
//! fake payments"), one that never checks the signed time, one behind the sign-in, and a secret
//! saved wrong (no verdict on the product: it could not tell).

mod common;

use common::MapKeys;
use preflight_core::config::Replay;
use preflight_core::net::Net;
use preflight_core::target::WebhookProvider;
use preflight_core::Domain;
use preflight_flows::webhook::run;
use preflight_flows::FlowStatus;
use preflight_testbed::hooks::{webhook, Receiver};
use preflight_testbed::{Answer, Product, Site, Testbed};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const D: &str = "hooks.test";
const STRIPE_SECRET: &str = "whsec_plainteststripesecret";
const GITHUB_SECRET: &str = "a plain github test secret";
// base64 of "preflight standard webhook test key".
const STANDARD_SECRET: &str = "whsec_cHJlZmxpZ2h0IHN0YW5kYXJkIHdlYmhvb2sgdGVzdCBrZXk="; // preflight:allow (a test's own)

fn secret(p: WebhookProvider) -> &'static str {
    match p {
        WebhookProvider::Stripe => STRIPE_SECRET,
        WebhookProvider::Github => GITHUB_SECRET,
        WebhookProvider::Standard => STANDARD_SECRET,
    }
}

type Taken = Arc<Mutex<Vec<String>>>;

/// `hook.D` serving a `behaviour` receiver for `provider`; what it took; a network pointed at it.
async fn bed(provider: WebhookProvider, behaviour: Receiver) -> (Testbed, Net, Taken) {
    let taken: Taken = Arc::default();
    let app = webhook(provider, secret(provider), behaviour, taken.clone());
    let bed =
        Testbed::start(Product::healthy(D, &[""]).site(Site::serving(&format!("hook.{D}"), Answer::App(app)))).await.expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");
    (bed, net, taken)
}

fn replay(provider: WebhookProvider) -> Replay {
    Replay {
        name: format!("{} events", provider.as_str()),
        url: url::Url::parse(&format!("https://hook.{D}/webhooks/{}", provider.as_str())).expect("url"),
        provider,
        signing_key: "signing".into(),
        event: None,
    }
}

fn keys(value: &str) -> MapKeys {
    MapKeys(HashMap::from([("signing".to_owned(), value.to_owned())]))
}

fn domain() -> Domain {
    Domain::parse(D).expect("domain")
}

#[tokio::test]
async fn a_receiver_that_verifies_takes_the_real_event_and_refuses_both_forgeries_for_every_provider() {
    for provider in WebhookProvider::ALL {
        let (_bed, net, taken) = bed(provider, Receiver::Verifies).await;
        let r = run(&net, &domain(), &replay(provider), &keys(secret(provider))).await;
        assert_eq!(r.status, FlowStatus::Pass, "{provider:?}: {r:#?}");
        let expected_steps = if provider == WebhookProvider::Github { 2 } else { 3 };
        assert_eq!(r.steps.len(), expected_steps, "{provider:?}: GitHub signs no time, so it has no stale twin");
        assert!(r.steps.iter().all(|s| s.http_status.is_some()), "{r:#?}");
        assert_eq!(r.steps[1].http_status, Some(400));
        let taken = taken.lock().expect("lock").clone();
        assert_eq!(taken.len(), 1, "{provider:?}: only the real event is taken");
        assert!(taken[0].contains("Preflight"), "the sample says whose it is: {}", taken[0]);
        if provider == WebhookProvider::Stripe {
            let v: serde_json::Value = serde_json::from_str(&taken[0]).expect("json");
            assert_eq!(v["livemode"], false);
        }
        assert!(!format!("{r:?}").contains(secret(provider)), "the secret is in no result");
    }
}

#[tokio::test]
async fn a_receiver_that_takes_anything_fails_at_the_forged_event_in_words_a_founder_reads() {
    let (_bed, net, _) = bed(WebhookProvider::Stripe, Receiver::TakesAnything).await;
    let r = run(&net, &domain(), &replay(WebhookProvider::Stripe), &keys(STRIPE_SECRET)).await;
    assert_eq!(r.status, FlowStatus::Fail, "{r:#?}");
    assert_eq!(r.steps[1].status, FlowStatus::Fail);
    assert!(r.says.contains("step 2") && r.says.contains("fake payments"), "{}", r.says);
}

#[tokio::test]
async fn a_receiver_that_never_checks_the_time_fails_at_the_old_event() {
    for provider in [WebhookProvider::Stripe, WebhookProvider::Standard] {
        let (_bed, net, _) = bed(provider, Receiver::IgnoresTime).await;
        let r = run(&net, &domain(), &replay(provider), &keys(secret(provider))).await;
        assert_eq!(r.status, FlowStatus::Fail, "{provider:?}: {r:#?}");
        assert_eq!((r.steps[0].status, r.steps[1].status, r.steps[2].status), (FlowStatus::Pass, FlowStatus::Pass, FlowStatus::Fail));
        assert!(r.says.contains("again later"), "{}", r.says);
    }
}

#[tokio::test]
async fn a_webhook_behind_the_sign_in_fails_at_the_real_event() {
    let (_bed, net, _) = bed(WebhookProvider::Github, Receiver::BehindLogin).await;
    let r = run(&net, &domain(), &replay(WebhookProvider::Github), &keys(GITHUB_SECRET)).await;
    assert_eq!(r.steps[0].status, FlowStatus::Fail, "{r:#?}");
    assert!(r.steps[0].says.contains("does not follow redirects"), "{}", r.steps[0].says);
}

#[tokio::test]
async fn a_secret_saved_wrong_or_missing_and_a_silent_address_are_no_verdict() {
    let (_bed, net, taken) = bed(WebhookProvider::Stripe, Receiver::Verifies).await;
    let r = run(&net, &domain(), &replay(WebhookProvider::Stripe), &keys("whsec_some_other_secret")).await;
    assert_eq!(r.status, FlowStatus::Error, "the real event refused: the secret may be wrong, which says nothing of the app: {r:#?}");
    assert!(r.steps[0].says.contains("`signing`"), "it names the key to check: {}", r.steps[0].says);
    assert!(r.steps[1..].iter().all(|s| s.status == FlowStatus::Error), "a refusal proves nothing then: {r:#?}");
    assert!(taken.lock().expect("lock").is_empty());

    let none = run(&net, &domain(), &replay(WebhookProvider::Stripe), &MapKeys(HashMap::new())).await;
    assert_eq!(none.status, FlowStatus::Error);
    assert!(none.says.contains("not in this computer's keychain"), "{}", none.says);

    let mut elsewhere = replay(WebhookProvider::Stripe);
    elsewhere.url = url::Url::parse(&format!("https://nothing.{D}/hook")).expect("url");
    let silent = run(&net, &domain(), &elsewhere, &keys(STRIPE_SECRET)).await;
    assert_eq!(silent.status, FlowStatus::Error, "{silent:#?}");
}
