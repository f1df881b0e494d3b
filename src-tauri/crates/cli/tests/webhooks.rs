//! `preflight webhook replay` against Stripe receivers on loopback, the signing secret set with
//! `keys set` into the real keychain: nothing sent without --yes, the JSON contract, and the exit
//! codes (0 takes the real event and refuses forgeries, 1 takes a forged one, 4 cannot tell, 2 bad
//! settings).

mod common;

use common::{preflight, s, ConfigBed};
use preflight_core::target::WebhookProvider;
use preflight_testbed::hooks::{webhook, Receiver};
use preflight_testbed::{Answer, Product, Site, Testbed};
use std::sync::{Arc, Mutex};

const D: &str = "hooks-cli.test";
const SECRET: &str = "whsec_plaincliwebhooksecret";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_asks_first_then_judges_the_real_event_and_its_forgeries_with_the_exit_codes_ci_reads() {
    let taken: Arc<Mutex<Vec<String>>> = Arc::default();
    let good = Site::serving(&format!("api.{D}"), Answer::App(webhook(WebhookProvider::Stripe, SECRET, Receiver::Verifies, taken.clone())));
    let lax =
        Site::serving(&format!("lax.{D}"), Answer::App(webhook(WebhookProvider::Stripe, SECRET, Receiver::TakesAnything, Arc::default())));
    let bed = Testbed::start(Product::healthy(D, &[""]).site(good).site(lax)).await.expect("testbed");
    let files = ConfigBed::new(
        &bed,
        &format!(
            "domain = \"{D}\"\n\n[[callbacks]]\nkind = \"webhook\"\nname = \"Payments\"\nurl = \"https://api.{D}/stripe\"\nprovider = \"stripe\"\nsigning_key = \"stripe-signing\"\n\n[[callbacks]]\nkind = \"webhook\"\nname = \"Old payments\"\nurl = \"https://lax.{D}/stripe\"\nprovider = \"stripe\"\nsigning_key = \"stripe-signing\"\n"
        ),
    );
    let (data, config) = (&files.data, &files.config);
    let run = |extra: &[&str]| files.args(&bed, &[&["webhook", "replay", D], extra].concat());
    assert_eq!(preflight(&s(&["keys", "set", D, "stripe-signing"]), Some(SECRET), data).await.0, 0);

    // Without --yes: it says what it would send, sends nothing, exit 2.
    let (code, out, err) = preflight(&run(&["Payments"]), None, data).await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("nothing was sent") && err.contains("--yes") && err.contains("3 test events"), "{err}");
    assert!(taken.lock().expect("lock").is_empty(), "nothing reached the receiver");

    // A receiver that verifies: exit 0, the JSON contract.
    let (code, out, err) = preflight(&run(&["Payments", "--yes", "--format", "json"]), None, data).await;
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["schema"], 1);
    let hook = &v["webhooks"][0];
    assert_eq!(
        (hook["name"].as_str(), hook["provider"].as_str(), hook["status"].as_str()),
        (Some("Payments"), Some("stripe"), Some("pass"))
    );
    assert_eq!(hook["steps"].as_array().map(Vec::len), Some(3));
    for field in ["name", "status", "http_status", "ms", "says"] {
        assert!(hook["steps"][0].get(field).is_some(), "{field} in {}", hook["steps"][0]);
    }
    assert!(!out.contains(SECRET) && !err.contains(SECRET), "the secret is never printed");
    assert_eq!(taken.lock().expect("lock").len(), 1);

    // Both: the one that takes anything fails, exit 1, and the words say what it means.
    let (code, out, _) = preflight(&run(&["--yes"]), None, data).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Old payments: step 2") && out.contains("fake payments"), "{out}");

    // The secret gone from the keychain: cannot tell, exit 4.
    assert_eq!(preflight(&s(&["keys", "remove", D, "stripe-signing"]), None, data).await.0, 0);
    let (code, out, err) = preflight(&run(&["Payments", "--yes"]), None, data).await;
    assert_eq!(code, 4, "{out}{err}");
    assert!(out.contains("not in this computer's keychain"), "{out}");

    // A replay aimed outside the product: refused as bad settings before anything is read or sent.
    std::fs::write(
        config,
        format!("domain = \"{D}\"\n[[callbacks]]\nkind = \"webhook\"\nurl = \"https://hooks.elsewhere.example/x\"\nprovider = \"stripe\"\nsigning_key = \"k\"\n"),
    )
    .expect("config");
    let (code, _, err) = preflight(&run(&["--yes"]), None, data).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("your own https addresses"), "{err}");
}
