//! `preflight checklist`, `preflight diff` and `preflight handover`: the launch checklist from the
//! stored history, with no network. The flow builds and writes everything; this file only chooses
//! the domain and prints.

use crate::args::{ChecklistArgs, DiffArgs, DocFormat, Format, HandoverArgs};
use crate::{Failure, Outcome};
use preflight_checklist::handover;
use preflight_checklist::{Checklist, DecidedBy, Diff, ItemState, Movement};
use preflight_core::{Domain, Status};
use preflight_flow::{Flow, FlowError};
use std::fmt::Write;

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

fn flow_err(e: FlowError) -> Failure {
    match e {
        FlowError::Storage(m) => Failure::Internal(m),
        other => Failure::Usage(other.to_string()),
    }
}

/// The domain typed, or the one audited last.
fn domain(typed: Option<&str>, flow: &Flow) -> Result<Domain, Failure> {
    if let Some(d) = typed {
        return Domain::parse(d).map_err(usage);
    }
    let last = flow.history(None, 1).map_err(flow_err)?.into_iter().next();
    let last = last.ok_or_else(|| usage("no audit is stored yet: name the domain, or run `preflight audit DOMAIN` first"))?;
    Domain::parse(&last.domain).map_err(usage)
}

fn json(value: &impl serde::Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure::Internal(e.to_string()))
}

pub fn checklist(a: ChecklistArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let d = domain(a.domain.as_deref(), flow)?;
    let note = a.note.as_deref().unwrap_or_default();
    let list = match (&a.tick, &a.untick) {
        (Some(item), _) => flow.tick(&d, item, true, note).map_err(flow_err)?,
        (None, Some(item)) => flow.tick(&d, item, false, note).map_err(flow_err)?,
        (None, None) if a.note.is_some() => return Err(usage("--note goes with --tick ITEM or --untick ITEM")),
        (None, None) => flow.checklist(&d).map_err(flow_err)?,
    };
    match a.format {
        Format::Json => println!("{}", json(&list)?),
        Format::Text => print!("{}", text(&list)),
    }
    Ok(Outcome::Exit(0))
}

fn mark(s: ItemState) -> &'static str {
    match s {
        ItemState::Done => "✓",
        ItemState::Attention => "!",
        ItemState::NotDone => "✗",
        ItemState::Contradiction => "≠",
        ItemState::CouldntCheck => "?",
        ItemState::Open => "•",
        ItemState::NotChecked => " ",
        ItemState::Skipped => "-",
    }
}

/// The checklist in a terminal: the headline, the risks, then every stage with its items, each
/// with its id, checks and the evidence that decided it.
pub fn text(c: &Checklist) -> String {
    let mut out = String::new();
    let o = &c.overall;
    let _ = writeln!(
        out,
        "{}: launch readiness {}% ({} of {} items done, {} need attention)",
        c.domain, o.percent, o.done, o.counted, o.attention
    );
    match &c.audit {
        Some(a) => {
            let _ = writeln!(
                out,
                "From the audit of {} (run {}), Preflight's own records and your ticks.",
                crate::commands::when(a.started_at_ms),
                a.run_id
            );
        }
        None => {
            let _ =
                writeln!(out, "No audit of {} is stored yet: run `preflight audit {}` to fill in the automated items.", c.domain, c.domain);
        }
    }
    if !c.risks.is_empty() {
        let _ = writeln!(out, "\nRisks, most costly first ({} launch blocker{}):", c.blockers, if c.blockers == 1 { "" } else { "s" });
        for (n, r) in c.risks.iter().enumerate() {
            let tag = if r.blocker { "blocker" } else { r.status.label() };
            let _ = writeln!(out, "  {:>2}. [{tag}] {} (risk: {})", n + 1, r.title, r.impact_label);
            if let Some(fix) = r.fix.first() {
                let _ = writeln!(out, "      Fix: {fix}");
            }
        }
    }
    for s in &c.stages {
        let _ = writeln!(out, "\nStage {}: {}: {}% ({} of {} done)", s.number, s.name, s.score.percent, s.score.done, s.score.counted);
        let _ = writeln!(out, "  Goal: {}", s.goal);
        for i in &s.items {
            let by = match i.decided_by {
                DecidedBy::Founder => ", ticked by you",
                DecidedBy::Both => ", ticked by you",
                _ => "",
            };
            let _ = writeln!(out, "  {} {} [{}{by}]  ({})", mark(i.state), i.title, i.state_label, i.id);
            if i.checks.is_empty() {
                let _ =
                    writeln!(out, "      only you can tell: tick it with `preflight checklist {} --tick {} --note \"…\"`", c.domain, i.id);
            } else {
                let _ = writeln!(out, "      checks: {}", i.checks.join(", "));
            }
            let passed = i.evidence.iter().filter(|e| e.status == Status::Pass).count();
            for e in i.evidence.iter().filter(|e| e.status != Status::Pass).take(4) {
                let _ = writeln!(out, "      {} {} {}: {}", crate::render::mark(e.status), e.check, e.subject, e.title);
            }
            if passed > 0 {
                let _ = writeln!(out, "      ✓ {passed} finding{} passed", if passed == 1 { "" } else { "s" });
            }
            if let Some(t) = i.tick.as_ref().filter(|t| !t.note.is_empty()) {
                let _ = writeln!(out, "      note ({}): {}", crate::commands::when(t.at_ms), t.note.replace('\n', " / "));
            }
        }
    }
    out
}

pub fn diff(a: DiffArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let d = a.domain.as_deref().map(Domain::parse).transpose().map_err(usage)?;
    let diff = flow.diff(d.as_ref(), a.run_a, a.run_b).map_err(flow_err)?;
    match a.format {
        Format::Json => println!("{}", json(&diff)?),
        Format::Text => print!("{}", diff_text(&diff)),
    }
    // A CI gate: something new or worse fails the step, as a finding fails `audit`.
    Ok(Outcome::Exit(if diff.appeared().next().is_some() { 1 } else { 0 }))
}

fn diff_text(d: &Diff) -> String {
    let mut out = format!(
        "{}: run {} ({}) → run {} ({})\n",
        d.domain,
        d.older.run_id,
        crate::commands::when(d.older.started_at_ms),
        d.newer.run_id,
        crate::commands::when(d.newer.started_at_ms)
    );
    let groups = [
        (Movement::New, "New problems"),
        (Movement::Regressed, "Got worse"),
        (Movement::Unknown, "Could not be checked this time (not counted as fixed)"),
        (Movement::Improved, "Got better"),
        (Movement::Fixed, "Fixed"),
    ];
    for (m, label) in groups {
        let list: Vec<_> = d.of(m).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{label} ({}):", list.len());
        for ch in list {
            let from = ch.before.map_or("not checked", Status::label);
            let to = ch.after.map_or("not checked", Status::label);
            let _ = writeln!(out, "  {} {}: {} [{from} → {to}]", ch.check, ch.subject, ch.title);
        }
    }
    if d.changes.is_empty() {
        let _ = writeln!(out, "\nNothing changed.");
    }
    let _ = writeln!(out, "\n{} problem{} unchanged.", d.unchanged_problems, if d.unchanged_problems == 1 { "" } else { "s" });
    out
}

pub fn handover(a: HandoverArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let d = domain(a.domain.as_deref(), flow)?;
    let format = match a.format {
        DocFormat::Markdown => handover::Format::Markdown,
        DocFormat::Html => handover::Format::Html,
    };
    match &a.output {
        Some(path) => {
            flow.write_handover(&d, format, path).map_err(flow_err)?;
            eprintln!("preflight: the handover of {d} is in {}", path.display());
        }
        None => print!("{}", handover::render(&flow.handover(&d).map_err(flow_err)?, format)),
    }
    Ok(Outcome::Exit(0))
}
