//! `preflight audit --format sarif|junit|markdown` on the testbed: the same findings as the JSON
//! report, the SARIF valid against the OASIS 2.1.0 schema (one rule per check id, with its
//! docs/checks.md section as help and its impact as a property, the audited names as locations),
//! the JUnit read by an XML parser (a failure per fail, skipped for couldn't-check), the Markdown
//! with the problems first. The exit code is the same gate whatever the format.

mod common;

use common::{junit, preflight, ConfigBed};
use preflight_testbed::{demo, Testbed};
use serde_json::Value;

const SCHEMA: &str = include_str!("data/sarif-schema-2.1.0.json");

#[tokio::test(flavor = "multi_thread")]
async fn each_ci_format_says_the_same_audit_and_keeps_the_gate() {
    let bed = Testbed::start(demo::product()).await.expect("testbed");
    let files = ConfigBed::new(&bed, &format!("domain = \"{}\"\nnames = [\"www\", \"api\"]\n", demo::DOMAIN));
    let run = |format: &'static str| {
        let args = files.args(&bed, &["audit", "--format", format, "--no-discover", "--no-save"]);
        let data = files.data.clone();
        async move { preflight(&args, None, &data).await }
    };
    let (json_code, json, err) = run("json").await;
    let report: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {err}"));
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let count = |status: &str| findings.iter().filter(|f| f["status"] == status).count();
    assert!(count("fail") > 0, "the sample has problems: {json}");

    let (code, sarif, err) = run("sarif").await;
    assert_eq!(code, json_code, "the same gate: {err}");
    let doc: Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("the OASIS schema compiles");
    let problems: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(problems.is_empty(), "SARIF 2.1.0 schema violations: {problems:#?}");
    let results = doc["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), count("fail") + count("warn") + count("error"), "one result per problem or couldn't-check");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().cloned().unwrap_or_default();
    let tls = rules.iter().find(|r| r["id"] == "tls.cert.expiry").expect("a rule per check id");
    assert!(tls["help"]["text"].as_str().is_some_and(|h| h.starts_with("### `tls.cert.expiry`")), "docs/checks.md as help: {tls}");
    assert_eq!(tls["properties"]["impact"], "downtime");
    let located = results
        .iter()
        .any(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == format!("https://www.{}/", demo::DOMAIN));
    assert!(located, "the audited names are the locations");

    let (code, xml, err) = run("junit").await;
    assert_eq!(code, json_code, "{err}");
    let suites = junit::parse(&xml);
    let cases: Vec<&junit::Case> = suites.iter().flat_map(|s| &s.cases).collect();
    assert_eq!(cases.len(), findings.len(), "one testcase per finding");
    assert_eq!(cases.iter().filter(|c| c.failure.is_some()).count(), count("fail"));
    assert_eq!(cases.iter().filter(|c| c.skipped).count(), count("error") + count("skipped") + count("manual"));

    let (code, md, err) = run("markdown").await;
    assert_eq!(code, json_code, "{err}");
    assert!(md.starts_with(&format!("## Preflight audit of {}", demo::DOMAIN)), "{md}");
    let problems_at = md.find("### Problems").expect("a problems section");
    let passed_at = md.find("passed or not applicable").expect("the rest, folded");
    assert!(problems_at < passed_at, "problems first");
    assert!(md.contains("| | Check | Name | What | Fix |") && md.contains("<details><summary>Evidence:"), "{md}");
}
