//! Reports as SARIF 2.1.0, the format code-scanning services (GitHub's, GitLab's) read: one run,
//! one rule per check id (its plain-words description, its docs/checks.md section as help, its
//! impact, stage and area as properties), one result per problem. A finding about a file carries
//! its path, line and column (from its evidence); a finding about one of the product's names
//! carries that name's address as its location; anything else (this computer) a logical location.
//! Passes and skips are left out: SARIF lists what needs looking at.

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
        None if looks_like_a_name(&f.subject) => {
            json!({ "physicalLocation": { "artifactLocation": { "uri": format!("https://{}/", f.subject) } } })
        }
        None => json!({ "logicalLocations": [{ "name": f.subject }] }),
    }
}

/// Whether a finding's subject is a host name of the product (rather than "this computer").
fn looks_like_a_name(subject: &str) -> bool {
    subject.contains('.') && subject.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

const CHECKS_MD: &str = include_str!("../../../../docs/checks.md");

/// The section of docs/checks.md about `id`: what it looks at, its thresholds and its fix.
pub fn docs_of(id: &str) -> Option<&'static str> {
    let head = format!("### `{id}`");
    let start = CHECKS_MD.find(&head)?;
    let rest = &CHECKS_MD[start..];
    let end = rest[head.len()..].find("\n##").map_or(rest.len(), |e| e + head.len());
    Some(rest[..end].trim())
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
            let def = checks::find(id);
            let what = def.map_or(*id, |d| d.what);
            let help = docs_of(id).map_or_else(
                || format!("What {id} checks, its thresholds and its fix: docs/checks.md in Preflight's repository."),
                str::to_owned,
            );
            let mut rule = json!({
                "id": id,
                "shortDescription": { "text": what },
                "help": { "text": help, "markdown": help },
            });
            if let Some(d) = def {
                rule["properties"] =
                    json!({ "impact": d.impact, "impactInWords": d.impact.label(), "stage": d.stage as u8, "area": d.area.as_str() });
            }
            rule
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
