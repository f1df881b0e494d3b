//! The sample product's five paths, as `preflight demo --serve` writes its settings: every path
//! passes (the reset mail goes through SMTP into the sample's own mailbox, read over IMAPS), the
//! Stripe webhook takes the real event and refuses its forged twins; then a release ships whose
//! chat answers 500, and the chat path fails at sending a message while the rest still pass.

mod common;

use common::MapKeys;
use preflight_core::config::ProductConfig;
use preflight_core::net::Net;
use preflight_core::Domain;
use preflight_flows::FlowStatus;
use preflight_testbed::demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_products_paths_pass_until_a_release_breaks_its_chat() {
    let sample = demo::start().await.expect("the sample product starts");
    let net = Net::new(sample.bed.net_config()).await.expect("net");
    let domain = Domain::parse(demo::DOMAIN).expect("domain");
    let cfg = ProductConfig::parse("preflight.toml", &demo::settings(&sample.mailbox.url())).expect("the sample's settings parse");
    let flows = preflight_flows::config::parse(&domain, &cfg.flows).expect("its flows are valid");
    let keys = MapKeys(demo::keys().iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect());

    let results = preflight_flows::run_all(&net, &domain, &flows, &keys).await;
    let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Sign in", "Chat", "Log out", "Password reset"]);
    for r in &results {
        assert_eq!(r.status, FlowStatus::Pass, "{r:#?}");
    }

    let replays = cfg.replays("preflight.toml").expect("replays");
    let hooks = preflight_flows::webhook::run_all(&net, &domain, &replays, &keys).await;
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].status, FlowStatus::Pass, "{:#?}", hooks[0]);

    sample.release.ship();
    let after = preflight_flows::run_all(&net, &domain, &flows, &keys).await;
    let chat = after.iter().find(|r| r.name == "Chat").expect("chat ran");
    assert_eq!(chat.status, FlowStatus::Fail, "{chat:#?}");
    let broke = chat.steps.iter().find(|s| s.status == FlowStatus::Fail).expect("a failing step");
    assert_eq!(broke.http_status, Some(500), "{broke:#?}");
    assert_eq!(chat.steps.iter().position(|s| s.status == FlowStatus::Fail), Some(1), "the chat starts, the next message fails: {chat:#?}");
    assert!(after.iter().filter(|r| r.name != "Chat").all(|r| r.status == FlowStatus::Pass), "{after:#?}");
}
