//! Reports as SARIF 2.1.0, the format code-scanning services (GitHub's, GitLab's) read: one run,
//! one rule per check id (with its plain-words description), one result per problem. A finding
//! about a file carries its path, line and column (from its evidence); others carry their subject
//! as a logical location. Passes and skips are left out: SARIF lists what needs looking at.

use preflight_core::checks;
use preflight_core::{Finding, Report, Status};
use serde_json::{json, Value};

fn level(s: Status) -> &'static str {
    match s {
        Status::Fail => "error",
        Status::Warn => "warning",
        _ => "note",
    }
}

fn location(f: &Finding) -> Value {
    let e = &f.evidence;
    match e.get("path").and_then(Value::as_str) {
        Some(path) => {
            let mut region = json!({});
            if let Some(line) = e.get("line").and_then(Value::as_u64) {
                region["startLine"] = json!(line);
            }
            if let Some(col) = e.get("column").and_then(Value::as_u64) {
                region["startColumn"] = json!(col);
            }
            json!({ "physicalLocation": { "artifactLocation": { "uri": path }, "region": region } })
        }
        None => json!({ "logicalLocations": [{ "name": f.subject }] }),
    }
}

/// The report as a SARIF document.
pub fn render(report: &Report) -> String {
    let shown: Vec<&Finding> = report.findings.iter().filter(|f| matches!(f.status, Status::Fail | Status::Warn | Status::Error)).collect();
    let mut ids: Vec<&str> = shown.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let rules: Vec<Value> = ids
        .iter()
        .map(|id| {
            let what = checks::find(id).map_or(*id, |d| d.what);
            json!({
                "id": id,
                "shortDescription": { "text": what },
                "help": { "text": format!("What {id} checks, its thresholds and its fix: docs/checks.md in Preflight's repository.") },
            })
        })
        .collect();
    let results: Vec<Value> = shown
        .iter()
        .map(|f| {
            let mut text = f.title.clone();
            if !f.fix.is_empty() {
                text.push_str(&format!(" Fix: {}", f.fix.join(" ")));
            }
            let mut r = json!({
                "ruleId": f.id,
                "level": level(f.status),
                "message": { "text": text },
                "locations": [location(f)],
            });
            if let Some(fp) = f.evidence.get("fingerprint").and_then(Value::as_str) {
                r["partialFingerprints"] = json!({ "preflight/v1": fp });
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "Preflight", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
