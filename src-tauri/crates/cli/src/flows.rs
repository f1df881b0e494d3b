//! `preflight flow run` and `preflight webhook replay`: the product's flows and webhook replays
//! through the flow crate, printed as words, the JSON of docs/cli.md, or (flows) JUnit with one
//! testcase per step for a CI gate.

use crate::args::{FlowAction, FlowArgs, FlowFailOn, FlowFormat, Format, WebhookAction, WebhookArgs};
use crate::{Failure, Outcome};
use preflight_core::Domain;
use preflight_flow::flows::Trigger;
use preflight_flow::{Flow, FlowError};
use preflight_flows::{FlowResult, FlowStatus, StepResult, WebhookResult};
use std::fmt::Write;

pub async fn flow(f: FlowArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let FlowAction::Run { domain, names, config, format, fail_on, .. } = f.action;
    let domain = Domain::parse(&domain).map_err(|e| Failure::Usage(e.to_string()))?;
    let mut flows = flow.flows(&domain, config.as_deref()).map_err(settings)?;
    if flows.is_empty() {
        return Err(Failure::Usage(format!("{domain} has no [[flows]] in its settings: add a sign-in flow (docs/cli.md, \"Flows\")")));
    }
    only(&mut flows, &names, |f| &f.name, "flow")?;
    let ran = flow.run_flows(&domain, &flows, Trigger::Cli).await.map_err(|e| Failure::Usage(e.to_string()))?;
    warn_unsaved(&ran.not_saved);
    let results = ran.results;
    match format {
        FlowFormat::Json => {
            let v = serde_json::json!({ "schema": 1, "flows": results });
            println!("{}", serde_json::to_string_pretty(&v).map_err(|e| Failure::Internal(e.to_string()))?);
        }
        FlowFormat::Text => print!("{}", text(results.iter().map(|r| (r.says.as_str(), r.status, r.steps.as_slice())))),
        FlowFormat::Junit => print!("{}", junit(&domain, &results)),
    }
    Ok(exit(results.iter().map(|r| r.status), fail_on == FlowFailOn::Fail))
}

/// Keeps the `items` named in `names` (all when none is named); a name that matches none is refused.
fn only<T>(items: &mut Vec<T>, names: &[String], name: impl Fn(&T) -> &String, what: &str) -> Result<(), Failure> {
    if names.is_empty() {
        return Ok(());
    }
    if let Some(unknown) = names.iter().find(|n| !items.iter().any(|i| name(i).eq_ignore_ascii_case(n))) {
        let known: Vec<&str> = items.iter().map(|i| name(i).as_str()).collect();
        return Err(Failure::Usage(format!("no {what} is named \"{unknown}\" (there are: {})", known.join(", "))));
    }
    items.retain(|i| names.iter().any(|n| name(i).eq_ignore_ascii_case(n)));
    Ok(())
}

/// A run the history could not keep still counts: said on stderr, never in the JSON a CI reads.
pub(crate) fn warn_unsaved(not_saved: &Option<String>) {
    if let Some(why) = not_saved {
        eprintln!("preflight: warning: {why}");
    }
}

pub(crate) fn settings(e: FlowError) -> Failure {
    match e {
        FlowError::ProductSettings(_) | FlowError::Invalid(_) => Failure::Usage(e.to_string()),
        other => Failure::Internal(other.to_string()),
    }
}

/// 1 when one failed (and failing counts), else 4 when one could not be judged, else 0.
fn exit(statuses: impl Iterator<Item = FlowStatus> + Clone, fail_counts: bool) -> Outcome {
    let failed = statuses.clone().any(|s| s == FlowStatus::Fail);
    let unknown = statuses.into_iter().any(|s| s == FlowStatus::Error);
    Outcome::Exit(match (failed && fail_counts, unknown) {
        (true, _) => 1,
        (false, true) => 4,
        (false, false) => 0,
    })
}

pub async fn webhook(w: WebhookArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let WebhookAction::Replay { domain, names, config, format, yes, .. } = w.action;
    let domain = Domain::parse(&domain).map_err(|e| Failure::Usage(e.to_string()))?;
    let mut replays = flow.webhooks(&domain, config.as_deref()).map_err(settings)?;
    if replays.is_empty() {
        return Err(Failure::Usage(format!(
            "{domain} has no webhook to replay: give a [[callbacks]] webhook its provider and signing_key (docs/cli.md, \"Webhook replay\")"
        )));
    }
    only(&mut replays, &names, |r| &r.name, "webhook")?;
    if !yes {
        let plan: Vec<String> = replays.iter().map(|r| format!("  {}: {}", r.name, preflight_flows::webhook::sends(r))).collect();
        return Err(Failure::Usage(format!("nothing was sent. A replay\n{}\nRun again with --yes to send them.", plan.join("\n"))));
    }
    let ran = flow.replay_webhooks(&domain, &replays, Trigger::Cli).await.map_err(|e| Failure::Usage(e.to_string()))?;
    warn_unsaved(&ran.not_saved);
    let results = ran.results;
    match format {
        Format::Json => {
            let v = serde_json::json!({ "schema": 1, "webhooks": results });
            println!("{}", serde_json::to_string_pretty(&v).map_err(|e| Failure::Internal(e.to_string()))?);
        }
        Format::Text => print!("{}", text(results.iter().map(|r: &WebhookResult| (r.says.as_str(), r.status, r.steps.as_slice())))),
    }
    Ok(exit(results.iter().map(|r| r.status), true))
}

fn mark(s: FlowStatus) -> &'static str {
    match s {
        FlowStatus::Pass => "ok",
        FlowStatus::Fail => "FAIL",
        FlowStatus::Error => "could not run",
    }
}

/// Each result's verdict, then its steps: (its words, its status, its steps).
fn text<'a>(results: impl Iterator<Item = (&'a str, FlowStatus, &'a [StepResult])>) -> String {
    let mut out = String::new();
    for (says, status, steps) in results {
        let _ = writeln!(out, "{says}  [{}]", mark(status));
        // One column for the step names of this path, however long its longest is.
        let width = steps.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).max(20);
        for (i, s) in steps.iter().enumerate() {
            let http = s.http_status.map(|h| h.to_string()).unwrap_or_default();
            let _ = writeln!(out, "  {}. {:<width$} {:<13} {http:>3} {:>5} ms  {}", i + 1, s.name, mark(s.status), s.ms, s.says);
        }
    }
    out
}

pub(crate) fn xml(s: &str) -> String {
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

/// One `<testcase>`: passed, a `<failure>` when it failed, an `<error>` when it could not be judged.
pub(crate) fn testcase(out: &mut String, classname: &str, name: &str, ms: u64, status: FlowStatus, says: &str) {
    let _ = write!(out, "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"", xml(classname), xml(name), ms as f64 / 1000.0);
    let element = match status {
        FlowStatus::Pass => {
            out.push_str("/>\n");
            return;
        }
        FlowStatus::Fail => "failure",
        FlowStatus::Error => "error",
    };
    let _ = writeln!(out, ">\n      <{element} message=\"{}\"/>\n    </testcase>", xml(says));
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
            testcase(&mut out, &r.name, &s.name, s.ms, s.status, &s.says);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
