//! The login template against a real sign-in on loopback: an HTML form with a CSRF token and a
//! session cookie, and a JSON API with a bearer token, each with its broken twin (a sign-in that
//! silently fails, a session that does not stick), a CAPTCHA, and a missing key.

mod common;

use common::{bed, keys, MapKeys};
use preflight_core::Domain;
use preflight_flows::config::{FlowConfig, LoginConfig, Template};
use preflight_flows::FlowStatus;
use preflight_testbed::apps::{Behaviour, PASSWORD};
use url::Url;

const D: &str = "acme.test";

fn flow(login: &str, signed_in: &str) -> FlowConfig {
    let url = |p: &str| Url::parse(&format!("https://app.{D}{p}")).expect("url");
    FlowConfig {
        name: "Sign in".into(),
        template: Template::Login(LoginConfig {
            login_url: url(login),
            signed_in_url: url(signed_in),
            username_key: "test-user".into(),
            password_key: "test-password".into(),
        }),
    }
}

fn domain() -> Domain {
    Domain::parse(D).expect("valid")
}

#[tokio::test]
async fn a_form_sign_in_with_a_csrf_token_and_a_session_cookie_passes() {
    let (_bed, net) = bed(D, Behaviour::Works).await;
    let r = preflight_flows::run(&net, &domain(), &flow("/login", "/account"), &keys(PASSWORD)).await;
    assert_eq!(r.status, FlowStatus::Pass, "{r:#?}");
    assert_eq!(r.steps.len(), 3);
    assert!(r.steps[1].says.contains("303 https://app.acme.test/session → 200 https://app.acme.test/account"), "{}", r.steps[1].says);
    let json = serde_json::to_string(&r).expect("json");
    assert!(!json.contains(PASSWORD) && !json.contains("csrf-s") && !json.contains("sid="), "no secret in the result: {json}");
}

#[tokio::test]
async fn a_wrong_password_comes_back_to_the_form_and_fails_at_the_sign_in_step() {
    let (_bed, net) = bed(D, Behaviour::Works).await;
    let r = preflight_flows::run(&net, &domain(), &flow("/login", "/account"), &keys("wrong")).await;
    assert_eq!(r.status, FlowStatus::Fail);
    assert_eq!(r.steps[1].status, FlowStatus::Fail);
    assert!(r.says.contains("step 2 (Sign in)") && r.says.contains("not accepted"), "{}", r.says);
}

#[tokio::test]
async fn a_session_that_does_not_stick_fails_at_the_signed_in_page() {
    let (_bed, net) = bed(D, Behaviour::Forgets).await;
    let r = preflight_flows::run(&net, &domain(), &flow("/login", "/account"), &keys(PASSWORD)).await;
    assert_eq!(r.status, FlowStatus::Fail, "{r:#?}");
    assert_eq!(r.steps[1].status, FlowStatus::Fail);
    assert!(r.says.contains("step 2 (Sign in) was accepted, then sent back to the sign-in page"), "{}", r.says);
    assert!(r.says.contains("does not stick"), "{}", r.says);
}

#[tokio::test]
async fn a_captcha_or_a_missing_key_is_an_error_that_says_what_to_do_never_a_failed_product() {
    let (_bed, net) = bed(D, Behaviour::Captcha).await;
    let r = preflight_flows::run(&net, &domain(), &flow("/login", "/account"), &keys(PASSWORD)).await;
    assert_eq!(r.status, FlowStatus::Error);
    assert!(r.says.contains("prove they are human"), "{}", r.says);
    let none = MapKeys(Default::default());
    let r = preflight_flows::run(&net, &domain(), &flow("/login", "/account"), &none).await;
    assert_eq!(r.status, FlowStatus::Error);
    assert!(r.says.contains("the key `test-user` is not in this computer's keychain"), "{}", r.says);
}

#[tokio::test]
async fn a_json_api_sign_in_carries_its_token_to_the_signed_in_address() {
    let (_bed, net) = bed(D, Behaviour::Works).await;
    let r = preflight_flows::run(&net, &domain(), &flow("/api/login", "/api/me"), &keys(PASSWORD)).await;
    assert_eq!(r.status, FlowStatus::Pass, "{r:#?}");
    let (_bed, net) = bed(D, Behaviour::Forgets).await;
    let r = preflight_flows::run(&net, &domain(), &flow("/api/login", "/api/me"), &keys(PASSWORD)).await;
    assert_eq!(r.steps[2].http_status, Some(401));
    assert_eq!(r.status, FlowStatus::Fail);
}
