//! `preflight flow run`: the product's flows through the flow crate, printed as words, the JSON of
//! docs/cli.md, or JUnit (one testcase per step) for a CI gate.

use crate::args::{FlowAction, FlowArgs, FlowFailOn, FlowFormat};
use crate::{Failure, Outcome};
use preflight_core::Domain;
use preflight_flow::{Flow, FlowError};
use preflight_flows::{FlowResult, FlowStatus};
use std::fmt::Write;

pub async fn flow(f: FlowArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let FlowAction::Run { domain, names, config, format, fail_on, .. } = f.action;
    let domain = Domain::parse(&domain).map_err(|e| Failure::Usage(e.to_string()))?;
    let settings = |e: FlowError| match e {
        FlowError::ProductSettings(_) | FlowError::Invalid(_) => Failure::Usage(e.to_string()),
        other => Failure::Internal(other.to_string()),
    };
    let mut flows = flow.flows(&domain, config.as_deref()).map_err(settings)?;
    if flows.is_empty() {
        return Err(Failure::Usage(format!("{domain} has no [[flows]] in its settings: add a sign-in flow (docs/cli.md, \"Flows\")")));
    }
    if !names.is_empty() {
        if let Some(unknown) = names.iter().find(|n| !flows.iter().any(|f| f.name.eq_ignore_ascii_case(n))) {
            let known: Vec<&str> = flows.iter().map(|f| f.name.as_str()).collect();
            return Err(Failure::Usage(format!("no flow is named \"{unknown}\" (there are: {})", known.join(", "))));
        }
        flows.retain(|f| names.iter().any(|n| f.name.eq_ignore_ascii_case(n)));
    }
    let results = flow.run_flows(&domain, &flows).await.map_err(|e| Failure::Usage(e.to_string()))?;
    match format {
        FlowFormat::Json => {
            let v = serde_json::json!({ "schema": 1, "flows": results });
            println!("{}", serde_json::to_string_pretty(&v).map_err(|e| Failure::Internal(e.to_string()))?);
        }
        FlowFormat::Text => print!("{}", text(&results)),
        FlowFormat::Junit => print!("{}", junit(&domain, &results)),
    }
    let failed = results.iter().any(|r| r.status == FlowStatus::Fail);
    let unknown = results.iter().any(|r| r.status == FlowStatus::Error);
    Ok(Outcome::Exit(match (failed && fail_on == FlowFailOn::Fail, unknown) {
        (true, _) => 1,
        (false, true) => 4,
        (false, false) => 0,
    }))
}

fn mark(s: FlowStatus) -> &'static str {
    match s {
        FlowStatus::Pass => "ok",
        FlowStatus::Fail => "FAIL",
        FlowStatus::Error => "could not run",
    }
}

fn text(results: &[FlowResult]) -> String {
    let mut out = String::new();
    for r in results {
        let _ = writeln!(out, "{}  [{}]", r.says, mark(r.status));
        for (i, s) in r.steps.iter().enumerate() {
            let http = s.http_status.map(|h| format!(" {h}")).unwrap_or_default();
            let _ = writeln!(out, "  {}. {:<28} {:<13}{http} {} ms  {}", i + 1, s.name, mark(s.status), s.ms, s.says);
        }
    }
    out
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&apos;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// JUnit XML: a testsuite per flow, a testcase per step; a failed step is a `<failure>`, one that
/// could not run an `<error>`.
fn junit(domain: &Domain, results: &[FlowResult]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let count = |s: FlowStatus| results.iter().flat_map(|r| &r.steps).filter(|x| x.status == s).count();
    let total: usize = results.iter().map(|r| r.steps.len()).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"preflight flows {}\" tests=\"{total}\" failures=\"{}\" errors=\"{}\">",
        xml(domain.as_str()),
        count(FlowStatus::Fail),
        count(FlowStatus::Error)
    );
    for r in results {
        let secs: f64 = r.steps.iter().map(|s| s.ms as f64 / 1000.0).sum();
        let fails = r.steps.iter().filter(|s| s.status == FlowStatus::Fail).count();
        let errors = r.steps.iter().filter(|s| s.status == FlowStatus::Error).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\" errors=\"{errors}\" time=\"{secs:.3}\">",
            xml(&r.name),
            r.steps.len()
        );
        for s in &r.steps {
            let _ =
                write!(out, "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"", xml(&r.name), xml(&s.name), s.ms as f64 / 1000.0);
            match s.status {
                FlowStatus::Pass => out.push_str("/>\n"),
                FlowStatus::Fail => {
                    let _ = writeln!(out, ">\n      <failure message=\"{}\"/>\n    </testcase>", xml(&s.says));
                }
                FlowStatus::Error => {
                    let _ = writeln!(out, ">\n      <error message=\"{}\"/>\n    </testcase>", xml(&s.says));
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
