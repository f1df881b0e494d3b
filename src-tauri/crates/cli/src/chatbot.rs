//! `preflight redteam` and `preflight evals run`: the chatbot's red team (the plan said first, sent
//! only with --yes) and the founder's own questions, through the flow crate, printed as words, the
//! JSON of docs/cli.md, SARIF (red team) or JUnit (questions, one testcase each).

use crate::args::{EvalsAction, EvalsArgs, FlowFormat, RedteamArgs, RedteamFormat};
use crate::flows::{settings, testcase, warn_unsaved, xml};
use crate::{Failure, Outcome};
use preflight_core::Domain;
use preflight_flow::flows::Trigger;
use preflight_flow::redteam::{EvalRun, Planted, RedTeamRun};
use preflight_flow::Flow;
use preflight_flows::FlowStatus;
use preflight_redteam::evals::{EvalStatus, EvalVerdict};
use preflight_redteam::{Options, Verdict};
use serde_json::json;
use std::fmt::Write;

pub async fn redteam(r: RedteamArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let domain = Domain::parse(&r.domain).map_err(|e| Failure::Usage(e.to_string()))?;
    let options = Options { generations: r.generations, max_requests: r.max_requests, ..Options::default() };
    let plan = flow.red_team_plan(&domain, r.config.as_deref(), &options).await.map_err(settings)?;
    if !r.yes {
        return Err(Failure::Usage(format!("nothing was sent. {}\nRun again with --yes to send them.", plan.says)));
    }
    let planted = Planted { canary: r.canary, system_prompt_line: r.system_prompt_line };
    let run = flow.red_team(&domain, r.config.as_deref(), &options, planted, Trigger::Cli).await.map_err(settings)?;
    warn_unsaved(&run.not_saved);
    match r.format {
        RedteamFormat::Json => {
            let mut v = serde_json::to_value(&run.report).map_err(|e| Failure::Internal(e.to_string()))?;
            v["changes"] = serde_json::to_value(&run.changes).unwrap_or_default();
            println!("{}", serde_json::to_string_pretty(&v).map_err(|e| Failure::Internal(e.to_string()))?);
        }
        RedteamFormat::Text => print!("{}", red_team_text(&run)),
        RedteamFormat::Sarif => println!("{}", red_team_sarif(&run, &plan.chat_url)),
    }
    Ok(Outcome::Exit(match run.report.verdict {
        Verdict::Kept => 0,
        Verdict::Leaked => 1,
        Verdict::Inconclusive => 4,
    }))
}

fn red_team_text(run: &RedTeamRun) -> String {
    let r = &run.report;
    let mut out = format!("{}\n", r.says);
    if let Some(c) = &run.changes {
        let _ = writeln!(out, "Since the run before: {}", c.says);
    }
    for f in &r.families {
        let mark = if f.leaks > 0 {
            "LEAK"
        } else if f.errors * 2 > f.attempts {
            "no answer"
        } else {
            "held"
        };
        let _ = writeln!(out, "\n  [{mark}] {}", f.says);
        if f.leaks > 0 {
            let _ = writeln!(out, "    What to do: {}", f.fix);
            // One example from each of the first two attacks that got through: two kinds of proof.
            for (a, e) in r.attacks.iter().filter(|a| a.family == f.family).filter_map(|a| a.examples.first().map(|e| (a, e))).take(2) {
                let _ = writeln!(
                    out,
                    "    {}: asked \"{}\"\n      answered \"{}\"\n      a leak because {}",
                    a.id, e.prompt, e.answer_excerpt, e.why
                );
            }
        }
    }
    let _ = writeln!(out, "\n{} messages in {:.0} s (attack set version {}).", r.requests, r.seconds, r.set_version);
    out
}

/// One rule per family that leaked, one result per attack that got through.
fn red_team_sarif(run: &RedTeamRun, chat_url: &str) -> String {
    let r = &run.report;
    let leaking: Vec<_> = r.families.iter().filter(|f| f.leaks > 0).collect();
    let rules: Vec<_> = leaking
        .iter()
        .map(|f| {
            json!({
                "id": format!("redteam.{}", f.family),
                "shortDescription": { "text": f.family.words() },
                "help": { "text": f.fix },
                "properties": { "impact": "data_exposure" },
            })
        })
        .collect();
    let results: Vec<_> = r
        .attacks
        .iter()
        .filter(|a| a.leaks > 0)
        .map(|a| {
            let why = a.examples.first().map(|e| format!(" Why: {}.", e.why)).unwrap_or_default();
            json!({
                "ruleId": format!("redteam.{}", a.family),
                "level": "error",
                "message": { "text": format!("Attack {} got through in {} of {} tries.{why}", a.id, a.leaks, a.attempts) },
                "locations": [{ "logicalLocations": [{ "name": chat_url }] }],
                "partialFingerprints": { "preflight/v1": a.id },
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "Preflight red team", "version": env!("CARGO_PKG_VERSION"), "rules": rules } }, "results": results }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

pub async fn evals(e: EvalsArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let EvalsAction::Run { domain, config, format, .. } = e.action;
    let domain = Domain::parse(&domain).map_err(|e| Failure::Usage(e.to_string()))?;
    let run = flow.run_evals(&domain, config.as_deref(), Trigger::Cli).await.map_err(settings)?;
    warn_unsaved(&run.not_saved);
    match format {
        FlowFormat::Json => {
            let mut v = serde_json::to_value(&run.report).map_err(|e| Failure::Internal(e.to_string()))?;
            v["changes"] = serde_json::to_value(&run.changes).unwrap_or_default();
            println!("{}", serde_json::to_string_pretty(&v).map_err(|e| Failure::Internal(e.to_string()))?);
        }
        FlowFormat::Text => print!("{}", evals_text(&run)),
        FlowFormat::Junit => print!("{}", evals_junit(&domain, &run)),
    }
    Ok(Outcome::Exit(match run.report.verdict {
        EvalVerdict::Pass => 0,
        EvalVerdict::Fail => 1,
        EvalVerdict::Inconclusive => 4,
    }))
}

fn evals_text(run: &EvalRun) -> String {
    let mut out = format!("{}\n", run.report.says);
    if let Some(c) = &run.changes {
        let _ = writeln!(out, "Since the run before: {}", c.says);
    }
    for q in &run.report.questions {
        let mark = match q.status {
            EvalStatus::Pass => "ok",
            EvalStatus::Fail => "FAIL",
            EvalStatus::Error => "no answer",
        };
        let ms = q.ms.map(|m| format!("{m} ms")).unwrap_or_default();
        let _ = writeln!(out, "  [{mark}] {:<40} {ms:>8}  {}", q.name, q.says);
        if q.status == EvalStatus::Fail {
            let _ = writeln!(out, "      answered \"{}\"", q.answer.chars().take(200).collect::<String>());
        }
    }
    out
}

/// One testcase per question: a bad answer is a `<failure>`, no answer an `<error>`.
fn evals_junit(domain: &Domain, run: &EvalRun) -> String {
    let qs = &run.report.questions;
    let count = |s: EvalStatus| qs.iter().filter(|q| q.status == s).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"preflight evals {d}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n  <testsuite name=\"{d}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        qs.len(),
        count(EvalStatus::Fail),
        count(EvalStatus::Error),
        qs.len(),
        count(EvalStatus::Fail),
        count(EvalStatus::Error),
        d = xml(domain.as_str()),
    );
    for q in qs {
        let status = match q.status {
            EvalStatus::Pass => FlowStatus::Pass,
            EvalStatus::Fail => FlowStatus::Fail,
            EvalStatus::Error => FlowStatus::Error,
        };
        testcase(&mut out, "evals", &q.name, q.ms.unwrap_or_default(), status, &q.says);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
