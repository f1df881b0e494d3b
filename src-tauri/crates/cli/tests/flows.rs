//! `preflight flow run` against a real sign-in on loopback, keys set with `keys set` into the real
//! keychain: the JSON contract, the JUnit a CI reads, and the exit codes of docs/cli.md.

mod common;

use common::{junit, preflight, s, ConfigBed};
use preflight_testbed::apps::{sign_in, Behaviour, EMAIL, PASSWORD};
use preflight_testbed::{Answer, Product, Site, Testbed};

const D: &str = "flows-cli.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flow_passes_fails_or_cannot_run_with_the_exit_codes_ci_reads() {
    let site = Site::serving(&format!("app.{D}"), Answer::App(sign_in(Behaviour::Works)));
    let bed = Testbed::start(Product::healthy(D, &[""]).site(site)).await.expect("testbed");
    let files = ConfigBed::new(
        &bed,
        &format!(
            "domain = \"{D}\"\n\n[[flows]]\nname = \"Sign in\"\ntemplate = \"login\"\nlogin_url = \"https://app.{D}/login\"\nsigned_in_url = \"https://app.{D}/account\"\nusername_key = \"test-user\"\npassword_key = \"test-password\"\n\n[[flows]]\nname = \"Chat\"\ntemplate = \"chat\"\nchat_url = \"https://app.{D}/api/chat\"\nanswer = \"reply\"\n\n[[flows]]\nname = \"Log out\"\ntemplate = \"logout\"\nlogout_url = \"https://app.{D}/logout\"\n"
        ),
    );
    let (data, config) = (&files.data, &files.config);
    let run = |format: &str| files.args(&bed, &["flow", "run", D, "--format", format]);

    // No keys yet: the flow could not be run, which is not a failed product.
    let _ = preflight(&s(&["keys", "remove", D, "test-user"]), None, data).await;
    let _ = preflight(&s(&["keys", "remove", D, "test-password"]), None, data).await;
    let (code, out, err) = preflight(&run("json"), None, data).await;
    assert_eq!(code, 4, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["flows"][0]["status"], "error");
    assert!(v["flows"][0]["says"].as_str().unwrap_or_default().contains(&format!("preflight keys set {D} test-user")), "{out}");

    // The test account's keys, from standard input: the flow passes.
    assert_eq!(preflight(&s(&["keys", "set", D, "test-user"]), Some(EMAIL), data).await.0, 0);
    assert_eq!(preflight(&s(&["keys", "set", D, "test-password"]), Some(&format!("{PASSWORD}\n")), data).await.0, 0);
    let (code, out, err) = preflight(&run("json"), None, data).await;
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["schema"], 1);
    let statuses: Vec<&str> = v["flows"].as_array().expect("flows").iter().filter_map(|f| f["status"].as_str()).collect();
    assert_eq!(statuses, ["pass", "pass", "pass"], "sign in, chat and log out, one visit: {out}");
    let flow = &v["flows"][0];
    assert_eq!((flow["name"].as_str(), flow["template"].as_str(), flow["status"].as_str()), (Some("Sign in"), Some("login"), Some("pass")));
    let steps = flow["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 3);
    for step in steps {
        for field in ["name", "status", "http_status", "ms", "says"] {
            assert!(step.get(field).is_some(), "{field} in {step}");
        }
    }
    assert!(!out.contains(PASSWORD) && !err.contains(PASSWORD), "the password is never printed");

    // JUnit for CI: one testcase per step, no failure.
    let (code, xml, _) = preflight(&run("junit"), None, data).await;
    assert_eq!(code, 0);
    let suites = junit::parse(&xml);
    let names: Vec<&str> = suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Sign in", "Chat", "Log out"], "a suite per path: {xml}");
    let cases: Vec<usize> = suites.iter().map(|s| s.cases.len()).collect();
    assert_eq!(cases, [3, 2, 2], "a case per step: 3 to sign in, 2 to chat, 2 to log out");
    assert!(suites.iter().flat_map(|s| &s.cases).all(|c| c.failure.is_none() && !c.skipped), "{xml}");

    // A wrong password: the path fails (exit 1), the JUnit says which step.
    assert_eq!(preflight(&s(&["keys", "set", D, "test-password"]), Some("not-the-password"), data).await.0, 0);
    let (code, xml, _) = preflight(&run("junit"), None, data).await;
    assert_eq!(code, 1, "{xml}");
    let suites = junit::parse(&xml);
    let failed: Vec<(&str, &str)> =
        suites.iter().flat_map(|s| &s.cases).filter(|c| c.failure.is_some()).map(|c| (c.classname.as_str(), c.name.as_str())).collect();
    assert_eq!(failed, [("Sign in", "Sign in")], "the step that broke, by its path and name: {xml}");

    // Bad settings: exit 2 with the field named.
    std::fs::write(config, format!("domain = \"{D}\"\n\n[[flows]]\nname = \"Pay\"\ntemplate = \"checkout\"\n")).expect("config");
    let (code, _, err) = preflight(&run("text"), None, data).await;
    assert_eq!(code, 2);
    assert!(err.contains("template \"checkout\""), "{err}");
    let _ = preflight(&s(&["keys", "remove", D, "test-user"]), None, data).await;
    let _ = preflight(&s(&["keys", "remove", D, "test-password"]), None, data).await;
}
