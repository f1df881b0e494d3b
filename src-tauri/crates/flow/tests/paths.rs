//! The product's paths through the flow, on a real data folder and the testbed's DNS: a mailbox's
//! keys are bound to the first IMAP host they are used with, so a settings file edited to send them
//! elsewhere is refused until the founder saves them again; and every run is kept for the history.

use preflight_core::Domain;
use preflight_flow::flows::FlowStatus;
use preflight_flow::flows::Trigger;
use preflight_flow::Flow;
use preflight_store::WatchOp;
use preflight_testbed::{Product, Testbed};
use std::sync::Arc;

mod common;
use common::Folder;

const D: &str = "bound.test";

fn settings(imap_host: &str) -> String {
    format!(
        "domain = \"{D}\"\n\n[[flows]]\nname = \"Reset\"\ntemplate = \"password-reset\"\nreset_url = \"https://{D}/reset\"\nemail_key = \"test-user\"\nimap_url = \"imaps://{imap_host}\"\nmailbox_user_key = \"mailbox-user\"\nmailbox_password_key = \"mailbox-password\"\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailbox_key_stays_with_its_first_host_until_it_is_saved_again() {
    let bed = Testbed::start(Product::healthy(D, &[""])).await.expect("testbed");
    let dir = tempfile::tempdir().expect("temp");
    let flow = Arc::new(Flow::new(Arc::new(Folder(dir.path().to_path_buf())), Ok(bed.net_config())));
    let domain = Domain::parse(D).expect("domain");
    let file = dir.path().join("preflight.toml");
    let run = |host: &str| {
        std::fs::write(&file, settings(host)).expect("settings");
        let (flow, domain, file) = (flow.clone(), domain.clone(), file.clone());
        async move {
            let flows = flow.flows(&domain, Some(&file)).expect("flows");
            flow.run_flows(&domain, &flows, Trigger::Cli).await.expect("ran")
        }
    };

    // The first run binds the keys to imap.mail.example (the mailbox itself is not there: no verdict).
    let first = run("imap.mail.example").await;
    assert_eq!(first.results[0].status, FlowStatus::Error);
    assert!(!first.results[0].says.contains("was saved for the mailbox"), "{}", first.results[0].says);

    // The file now sends them to another host: refused, and said how to allow it.
    let moved = run("imap.elsewhere.example").await;
    let says = &moved.results[0].says;
    assert_eq!(moved.results[0].status, FlowStatus::Error);
    assert!(says.contains("was saved for the mailbox at imap.mail.example") && says.contains("save it again"), "{says}");

    // Saving the keys again (what `keys set` records) is the founder's yes to the new host.
    let store = flow.store().expect("store");
    for name in ["mailbox-user", "mailbox-password"] {
        store.watch(WatchOp::SetKey { domain: D.into(), name: name.into() }).expect("set");
    }
    let again = run("imap.elsewhere.example").await;
    assert!(!again.results[0].says.contains("was saved for the mailbox"), "{}", again.results[0].says);

    // Every run was kept.
    let history = flow.path_history(&domain, 10).expect("history");
    assert_eq!(history.flows.len(), 3);
    assert_eq!(history.flows[0].trigger, "cli");
}
