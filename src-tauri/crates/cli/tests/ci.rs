//! `preflight ci` on the testbed, as a pipeline runs it after a deploy: the audit, the checkout's
//! secrets scan, the env file against its example, the product's sign-in path (its keys from the
//! CI service's environment, since a runner has no keychain) and its latency target. One exit code
//! (4 while a path cannot be walked, 0 when every part passes, 1 when a key leaked into the code,
//! 2 for a checkout that is not there); the JUnit read by a JUnit parser, the SARIF valid against
//! the OASIS 2.1.0 schema with the leaked file as a location, the Markdown with a row per part.

mod common;

use common::{preflight_with, s, ConfigBed};
use preflight_testbed::apps::{sign_in, Behaviour, EMAIL, PASSWORD};
use preflight_testbed::{Answer, Product, Site, Testbed};
use serde_json::Value;
use std::path::Path;

const D: &str = "ci-gate.test";
const SCHEMA: &str = include_str!("data/sarif-schema-2.1.0.json");
const STRIPE: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dcAb12Cd34Ef56Gh78"; // preflight:allow: a fake key, planted in a throwaway checkout

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn junit(dir: &Path) -> junit_parser::TestSuites {
    let xml = read(dir, "preflight.junit.xml");
    junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes())).unwrap_or_else(|e| panic!("a JUnit reader refuses it: {e}\n{xml}"))
}

fn sarif(dir: &Path) -> Value {
    let doc: Value = serde_json::from_str(&read(dir, "preflight.sarif")).expect("SARIF is JSON");
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("the OASIS schema compiles");
    let problems: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(problems.is_empty(), "SARIF 2.1.0 schema violations: {problems:#?}");
    doc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_gate_over_every_part_with_the_reports_a_ci_service_reads() {
    let app = Site::serving(&format!("app.{D}"), Answer::App(sign_in(Behaviour::Works)));
    let bed = Testbed::start(Product::healthy(D, &["", "www"]).site(app)).await.expect("testbed");
    let files = ConfigBed::new(
        &bed,
        &format!(
            "domain = \"{D}\"\nnames = [\"www\"]\n\n[[flows]]\nname = \"Sign in\"\ntemplate = \"login\"\nlogin_url = \"https://app.{D}/login\"\nsigned_in_url = \"https://app.{D}/account\"\nusername_key = \"test-user\"\npassword_key = \"test-password\"\n\n[[endpoints]]\nname = \"home\"\nurl = \"https://{D}/\"\nlatency_target_ms = 5000\n"
        ),
    );
    let checkout = files.dir.path().join("checkout");
    std::fs::create_dir_all(&checkout).expect("checkout");
    std::fs::write(checkout.join(".gitignore"), ".env*\nnode_modules/\n").expect("ignore");
    std::fs::write(checkout.join("app.ts"), "export const key = process.env.STRIPE_SECRET_KEY;\n").expect("code");
    let out = files.dir.path().join("reports");
    let args =
        files.args(&bed, &["ci", D, "--checkout", &checkout.display().to_string(), "--out", &out.display().to_string(), "--no-discover"]);

    // No keys in the environment: the path cannot be walked, so the gate is not green.
    let (code, text, err) = preflight_with(&args, None, &files.data, &[]).await;
    assert_eq!(code, 4, "{text}{err}");
    assert!(text.contains("Env file: skipped, no env file was given"), "a part with nothing to run is said: {text}");
    assert!(text.contains("PREFLIGHT_KEY_TEST_USER is not set here"), "the missing key is named: {text}");

    // The CI service's secrets: every part passes.
    let keys = [("PREFLIGHT_KEY_TEST_USER", EMAIL), ("PREFLIGHT_KEY_TEST_PASSWORD", PASSWORD)];
    let (code, text, err) = preflight_with(&args, None, &files.data, &keys).await;
    assert_eq!(code, 0, "{text}{err}");
    assert!(!text.contains(PASSWORD) && !err.contains(PASSWORD), "the password is never printed");
    let suites = junit(&out);
    let names: Vec<String> = suites.suites.iter().map(|s| s.name.clone()).collect();
    let expected: Vec<String> =
        ["Audit", "Keys in the code", "Customer paths", "Speed targets"].iter().map(|p| format!("preflight ci {D}: {p}")).collect();
    assert_eq!(names, expected, "a suite per part that ran");
    let cases = |suite: usize| suites.suites[suite].cases.iter().collect::<Vec<_>>();
    assert!(cases(2).iter().all(|c| c.status.is_success()) && cases(2).len() == 1, "the path passed");
    assert!(cases(3).iter().all(|c| c.status.is_success()), "the target is met");
    assert!(suites.suites.iter().all(|s| s.cases.iter().all(|c| !c.status.is_failure())), "nothing failed");
    let md = read(&out, "preflight.md");
    assert!(md.starts_with(&format!("## Preflight CI gate for {D}\n\n**Ready (exit 0)**")), "{md}");
    for row in ["| Audit |", "| Keys in the code |", "| Env file | ➖ Skipped:", "| Customer paths |", "| Speed targets |"] {
        assert!(md.contains(row), "a row per part, {row}: {md}");
    }
    for file in ["preflight.junit.xml", "preflight.sarif", "preflight.md"] {
        assert!(!read(&out, file).contains(PASSWORD), "{file} holds no key");
    }
    sarif(&out);

    // A key leaked into the code, and an env file missing a variable: the gate fails.
    std::fs::write(checkout.join("billing.ts"), format!("const stripe = new Stripe(\"{STRIPE}\");\n")).expect("leak");
    std::fs::write(checkout.join(".env.example"), "STRIPE_SECRET_KEY=\nDATABASE_URL=\n").expect("example");
    std::fs::write(files.dir.path().join("production.env"), "STRIPE_SECRET_KEY=from-the-vault\n").expect("env");
    let mut with_env = args.clone();
    with_env.extend(s(&["--env", &files.dir.path().join("production.env").display().to_string()]));
    let (code, text, err) = preflight_with(&with_env, None, &files.data, &keys).await;
    assert_eq!(code, 1, "{text}{err}");
    assert!(!text.contains(STRIPE), "the key is masked: {text}");
    let doc = sarif(&out);
    let results = doc["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    let leak = results.iter().find(|r| r["ruleId"] == "secrets.source").expect("the leak is a code-scanning result");
    assert_eq!(leak["level"], "error");
    assert_eq!(leak["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "billing.ts", "{leak}");
    assert!(results.iter().any(|r| r["ruleId"] == "secrets.env"), "the env check's problem too: {results:?}");
    let suites = junit(&out);
    assert_eq!(suites.suites.len(), 5, "the env file's suite now ran");
    assert!(suites.suites[1].cases.iter().any(|c| c.status.is_failure()), "the leak is a failed testcase");
    for file in ["preflight.junit.xml", "preflight.sarif", "preflight.md"] {
        assert!(!read(&out, file).contains(STRIPE), "{file} shows the key only masked");
    }

    // A checkout that is not there is a usage error, before any traffic.
    let mut wrong = files.args(&bed, &["ci", D, "--checkout", "/nonexistent/checkout"]);
    wrong.push("--no-discover".into());
    let (code, _, err) = preflight_with(&wrong, None, &files.data, &keys).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a folder"), "{err}");
    let mut no_env = args.clone();
    no_env.extend(s(&["--env", "/nonexistent/production.env"]));
    let (code, _, err) = preflight_with(&no_env, None, &files.data, &keys).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--env /nonexistent/production.env is not a file"), "{err}");
}
