//! `preflight ci`: the one gate a pipeline runs after a deploy. It runs the parts a launch needs
//! (the audit, the secrets scan of the checkout, the env file against its example, the product's
//! paths, its latency targets), each through the same flow as its own command, and decides one exit
//! code: 1 when any part has a finding at or above `--fail-on`, else 4 when a part could not look,
//! else 0. A part with nothing to run (no env file given, no `[[flows]]`) is skipped and said, and
//! never turns the gate red or green by itself. The reports are in `report.rs`.

mod report;

use crate::args::{CiArgs, FailOnArg};
use crate::commands::{flow_failure, target_of};
use crate::{Failure, Outcome};
use preflight_core::checks::ratelimit::Burst;
use preflight_core::discover::Discover;
use preflight_core::{gate, Domain, FailOn, Finding, Report, Status, Target, Verdict};
use preflight_flow::flows::Trigger;
use preflight_flow::secrets::SecretScan;
use preflight_flow::{AuditRequest, Flow, Source};
use preflight_latency::Plan;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One part of the gate: its report, or why it did not run.
pub struct Part {
    pub name: &'static str,
    pub ran: Result<Report, String>,
}

impl Part {
    fn verdict(&self, fail_on: FailOn) -> Verdict {
        match &self.ran {
            Ok(r) => gate::verdict(r, fail_on),
            Err(_) => Verdict::Clean,
        }
    }
}

/// The gate over every part: the worst of their verdicts.
pub fn verdict(parts: &[Part], fail_on: FailOn) -> Verdict {
    let all: Vec<Verdict> = parts.iter().map(|p| p.verdict(fail_on)).collect();
    if all.contains(&Verdict::Gated) {
        Verdict::Gated
    } else if all.contains(&Verdict::Incomplete) {
        Verdict::Incomplete
    } else {
        Verdict::Clean
    }
}

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

/// The settings file the parts read: --config, else the checkout's preflight.toml, else the
/// settings the app saved for the domain.
fn settings_file(a: &CiArgs, flow: &Flow) -> Result<Option<PathBuf>, Failure> {
    if let Some(f) = &a.config {
        return Ok(Some(f.clone()));
    }
    let in_checkout = a.checkout.join("preflight.toml");
    if in_checkout.is_file() {
        return Ok(Some(in_checkout));
    }
    let saved = match a.domain.as_deref() {
        Some(d) => flow.settings_file(&Domain::parse(d).map_err(usage)?).filter(|f| f.is_file()),
        None => None,
    };
    Ok(saved)
}

pub async fn ci(a: CiArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let started = preflight_flow::now_ms();
    let config = settings_file(&a, flow)?;
    let target = target_of(config.as_deref(), a.domain.as_deref())?;
    if !a.checkout.is_dir() {
        return Err(usage(format!(
            "--checkout {} is not a folder: run preflight ci from the repository's root, or name it",
            a.checkout.display()
        )));
    }
    if let Some(env) = a.env.as_ref().filter(|e| !e.is_file()) {
        return Err(usage(format!("--env {} is not a file: name the deployed environment's env file, or leave --env out", env.display())));
    }
    let example = a.example.clone().unwrap_or_else(|| a.checkout.join(".env.example"));
    if a.env.is_some() && !example.is_file() {
        return Err(usage(format!("the env check needs the example file {}: add it, or name it with --example", example.display())));
    }
    let fail_on = match a.fail_on {
        FailOnArg::Warn => FailOn::Warn,
        FailOnArg::Fail => FailOn::Fail,
        FailOnArg::Never => FailOn::Never,
    };
    eprintln!("preflight: checking {} after a deploy", target.domain);
    let parts = vec![
        audit(&a, flow, target.clone(), fail_on).await?,
        secrets(&a.checkout, flow),
        env(&a, &example, flow),
        paths(&target.domain, config.as_deref(), flow).await,
        latency(&target, config.is_some(), flow).await,
    ];
    let verdict = verdict(&parts, fail_on);
    let elapsed = (preflight_flow::now_ms() - started).max(0) as u64;
    let reports = report::Reports::of(&target.domain, started, elapsed, &parts, verdict);
    print!("{}", reports.text);
    if let Some(dir) = &a.out {
        reports.write(dir).map_err(usage)?;
        eprintln!("preflight: reports in {}: {}", dir.display(), report::FILES.join(", "));
    }
    Ok(Outcome::Exit(verdict.exit_code()))
}

async fn audit(a: &CiArgs, flow: &Flow, target: Target, fail_on: FailOn) -> Result<Part, Failure> {
    let discover = (!a.no_discover).then(|| Discover { ct_url: (!a.no_ct).then(|| a.ct_url.clone()) });
    let req = AuditRequest { target, source: Source::Cli, only: Vec::new(), save: true, fail_on, discover, rate_limit: None::<Burst> };
    let out = flow.audit(req).await.map_err(flow_failure)?;
    if let Some(e) = &out.save_error {
        eprintln!("preflight: this audit was not saved to the history: {e}");
    }
    Ok(Part { name: "Audit", ran: Ok(out.report) })
}

fn secrets(checkout: &Path, flow: &Flow) -> Part {
    let baseline = Some(checkout.join(".preflight-baseline.json")).filter(|b| b.is_file());
    let history = checkout.join(".git").exists();
    let scan = SecretScan { folder: checkout.to_path_buf(), history, baseline };
    let ran =
        flow.scan_secrets(&scan).unwrap_or_else(|e| could_not(&preflight_core::checks::leaks::SOURCE, "this checkout", &e.to_string()));
    Part { name: "Keys in the code", ran: Ok(ran) }
}

fn env(a: &CiArgs, example: &Path, flow: &Flow) -> Part {
    let ran = match &a.env {
        None => Err("no env file was given (--env FILE checks it against the example)".to_owned()),
        Some(file) => Ok(flow
            .check_env(example, file, None, None)
            .unwrap_or_else(|e| could_not(&preflight_core::checks::env_vars::ENV, &file.display().to_string(), &e.to_string()))),
    };
    Part { name: "Env file", ran }
}

async fn paths(domain: &Domain, config: Option<&Path>, flow: &Flow) -> Part {
    let name = "Customer paths";
    let Some(config) = config else {
        return Part { name, ran: Err("no settings file, so no [[flows]] to walk".into()) };
    };
    let started = preflight_flow::now_ms();
    let clock = Instant::now();
    let flows = match flow.flows(domain, Some(config)) {
        Ok(f) if f.is_empty() => return Part { name, ran: Err("the settings have no [[flows]] to walk".into()) },
        Ok(f) => f,
        Err(e) => return Part { name, ran: Ok(could_not(&preflight_core::checks::paths::SMOKE, domain.as_str(), &e.to_string())) },
    };
    let ran = match flow.run_flows(domain, &flows, Trigger::Deploy).await {
        Ok(ran) => ran.results.iter().map(|r| preflight_flows::finding::finding(domain.as_str(), r)).collect(),
        Err(e) => vec![failed_to_run(&preflight_core::checks::paths::SMOKE, domain.as_str(), &e.to_string())],
    };
    Part { name, ran: Ok(Report::new(domain.to_string(), started, clock.elapsed().as_millis() as u64, ran)) }
}

async fn latency(target: &Target, configured: bool, flow: &Flow) -> Part {
    let name = "Speed targets";
    if !configured || target.endpoints.is_empty() {
        return Part { name, ran: Err("the settings list no [[endpoints]] to time against their targets".into()) };
    }
    let started = preflight_flow::now_ms();
    let clock = Instant::now();
    let p95 = &preflight_core::checks::performance::P95;
    let probes = match flow.endpoint_probes(target) {
        Ok(p) => p,
        Err(e) => {
            return Part {
                name,
                ran: Ok(Report::new(
                    target.domain.to_string(),
                    started,
                    0,
                    vec![failed_to_run(p95, target.domain.as_str(), &e.to_string())],
                )),
            }
        }
    };
    let findings = match flow.net().await {
        Ok(net) => {
            let mut out = Vec::new();
            for p in &probes {
                let card = flow.measure_endpoint(&net, p, Plan::default(), true).await;
                out.push(preflight_latency::finding(&card.latest.measurement, card.latest.at_ms));
            }
            out
        }
        Err(e) => vec![failed_to_run(p95, target.domain.as_str(), &e.to_string())],
    };
    Part { name, ran: Ok(Report::new(target.domain.to_string(), started, clock.elapsed().as_millis() as u64, findings)) }
}

/// A part that could not run is an `error` finding of its check: the gate says "could not look".
fn failed_to_run(def: &preflight_core::CheckDef, subject: &str, why: &str) -> Finding {
    Finding::new(def, subject, Status::Error).title(format!("This part could not run: {why}"))
}

/// The report of a part that could not run at all, as one `error` finding of its own check.
fn could_not(def: &preflight_core::CheckDef, subject: &str, why: &str) -> Report {
    Report::new(String::new(), preflight_flow::now_ms(), 0, vec![failed_to_run(def, subject, why)])
}
