//! A customer's whole visit in one session (sign in, chat, log out) against the loopback app, and
//! the broken twins of the chat and the logout: a bot that answers nothing, a logout that leaves the
//! session alive, a chat that cannot run because the sign-in before it failed.

mod common;

use common::{bed, keys};
use preflight_core::net::Net;
use preflight_core::Domain;
use preflight_flows::config::{ChatAnswer, ChatConfig, FlowConfig, LoginConfig, LogoutConfig, Template, DEFAULT_MESSAGE};
use preflight_flows::FlowStatus;
use preflight_testbed::apps::{Behaviour, PASSWORD};
use preflight_testbed::{Answer, Product, Site, Testbed};
use url::Url;

const D: &str = "visit.test";

fn url(p: &str) -> Url {
    Url::parse(&format!("https://app.{D}{p}")).expect("url")
}

fn login() -> FlowConfig {
    let l = LoginConfig {
        login_url: url("/login"),
        signed_in_url: url("/account"),
        username_key: "test-user".into(),
        password_key: "test-password".into(),
    };
    FlowConfig { name: "Sign in".into(), template: Template::Login(l) }
}

fn chat(path: &str, answer: ChatAnswer, key: Option<&str>) -> FlowConfig {
    let c = ChatConfig {
        chat_url: url(path),
        method: "POST".into(),
        body: "{\"message\": \"{{message}}\"}".into(),
        answer,
        key: key.map(str::to_owned),
        message: DEFAULT_MESSAGE.into(),
    };
    FlowConfig { name: "Chat".into(), template: Template::Chat(c) }
}

fn logout() -> FlowConfig {
    FlowConfig {
        name: "Log out".into(),
        template: Template::Logout(LogoutConfig { logout_url: url("/logout"), method: "POST".into(), signed_in_url: None }),
    }
}

fn domain() -> Domain {
    Domain::parse(D).expect("valid")
}

#[tokio::test]
async fn sign_in_chat_and_log_out_pass_as_one_visit_in_the_roadmaps_order() {
    let (_bed, net) = bed(D, Behaviour::Works).await;
    // Declared out of order: the visit still signs in first.
    let flows = [logout(), chat("/api/chat", ChatAnswer::Json("reply".into()), None), login()];
    let results = preflight_flows::run_all(&net, &domain(), &flows, &keys(PASSWORD)).await;
    let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Sign in", "Chat", "Log out"]);
    for r in &results {
        assert_eq!(r.status, FlowStatus::Pass, "{r:#?}");
    }
    assert!(results[1].steps[1].says.contains("Hello Ada"), "the second message is answered in the conversation: {:?}", results[1].steps);
    assert_eq!(results[2].steps.len(), 2);
}

#[tokio::test]
async fn a_bot_that_answers_nothing_and_a_logout_that_keeps_the_session_fail() {
    let (_bed, net) = bed(D, Behaviour::SilentBot).await;
    let results =
        preflight_flows::run_all(&net, &domain(), &[login(), chat("/api/chat", ChatAnswer::Json("reply".into()), None)], &keys(PASSWORD))
            .await;
    assert_eq!(results[1].status, FlowStatus::Fail);
    assert!(results[1].says.contains("no reply at reply"), "{}", results[1].says);

    let (_bed, net) = bed(D, Behaviour::LogoutKeeps).await;
    let results = preflight_flows::run_all(&net, &domain(), &[login(), logout()], &keys(PASSWORD)).await;
    assert_eq!(results[1].status, FlowStatus::Fail, "{:#?}", results[1]);
    assert!(results[1].says.contains("still answers as signed in after logging out"), "{}", results[1].says);
}

#[tokio::test]
async fn a_chat_after_a_failed_sign_in_is_not_run_and_a_token_chat_streams_on_its_own() {
    let (_bed, net) = bed(D, Behaviour::Works).await;
    let results =
        preflight_flows::run_all(&net, &domain(), &[login(), chat("/api/chat", ChatAnswer::Json("reply".into()), None)], &keys("wrong"))
            .await;
    assert_eq!(results[0].status, FlowStatus::Fail);
    assert_eq!(results[1].status, FlowStatus::Error, "not a second failure: it could not run");
    assert!(results[1].says.contains("the sign-in before it failed"));

    let streamed =
        preflight_flows::run(&net, &domain(), &chat("/api/stream", ChatAnswer::Stream, Some("chat-token")), &keys(PASSWORD)).await;
    assert_eq!(streamed.status, FlowStatus::Pass, "{streamed:#?}");
    assert!(streamed.steps[0].says.contains("started answering in"), "{}", streamed.steps[0].says);
}

/// A streamed answer is judged by its first token: a reply that starts at once and takes 2 s to
/// finish passes, one whose first token comes after 1.7 s (the streaming target is 1.5 s) fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_is_judged_by_its_first_token_not_its_last() {
    let events = |n: usize| (0..n).map(|i| format!("{{\"token\":\"word{i} \"}}")).collect::<Vec<_>>();
    let quick = Answer::Stream { first_ms: 20, gap_ms: 400, events: events(5) };
    let late = Answer::Stream { first_ms: 1700, gap_ms: 10, events: events(2) };
    let app = Answer::ok("app").with_path("/api/quick", quick).with_path("/api/late", late);
    let bed = Testbed::start(Product::healthy(D, &[""]).site(Site::serving(&format!("app.{D}"), app))).await.expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");

    let quick = preflight_flows::run(&net, &domain(), &chat("/api/quick", ChatAnswer::Stream, None), &keys(PASSWORD)).await;
    assert_eq!(quick.status, FlowStatus::Pass, "{quick:#?}");
    assert!(quick.steps[0].ms >= 1500, "the whole reply took its time: {quick:#?}");
    assert!(quick.steps[0].says.starts_with("started answering in"), "{}", quick.steps[0].says);

    let late = preflight_flows::run(&net, &domain(), &chat("/api/late", ChatAnswer::Stream, None), &keys(PASSWORD)).await;
    assert_eq!(late.status, FlowStatus::Fail, "{late:#?}");
    assert!(late.steps[0].says.contains("to its first token, slower than the 1500 ms"), "{}", late.steps[0].says);
}

/// A stream that never finishes starts at once, but is cut at the body bound: a broken chat, never a pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_never_ends_fails() {
    let app = Answer::ok("app").with_path("/api/endless", Answer::Endless);
    let bed = Testbed::start(Product::healthy(D, &[""]).site(Site::serving(&format!("app.{D}"), app))).await.expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");
    let r = preflight_flows::run(&net, &domain(), &chat("/api/endless", ChatAnswer::Stream, None), &keys(PASSWORD)).await;
    assert_eq!(r.status, FlowStatus::Fail, "{r:#?}");
    assert!(r.steps[0].says.contains("never finishes"), "{}", r.steps[0].says);
}
