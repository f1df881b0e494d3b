//! `preflight secrets scan` and `preflight secrets env`: the flow scans, this prints (text, JSON,
//! SARIF, JUnit or Markdown), writes a baseline when asked, saves to a product's history when
//! asked, and decides the exit code the way `audit` does.

use crate::args::{FailOnArg, ScanFormat, ScanOutputArgs, SecretsAction, SecretsArgs};
use crate::{formats, render, sarif, Failure, Outcome};
use preflight_core::{gate, Domain, FailOn, Report};
use preflight_flow::secrets::{Baseline, SecretScan};
use preflight_flow::{Flow, FlowError};

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

fn flow_err(e: FlowError) -> Failure {
    match e {
        FlowError::Storage(m) => Failure::Internal(m),
        other => usage(other),
    }
}

fn fail_on(f: FailOnArg) -> FailOn {
    match f {
        FailOnArg::Warn => FailOn::Warn,
        FailOnArg::Fail => FailOn::Fail,
        FailOnArg::Never => FailOn::Never,
    }
}

/// `what` names the scan in the JUnit and Markdown headings ("secrets scan of ./app").
fn finish(report: &Report, out: &ScanOutputArgs, flow: &Flow, what: &str) -> Result<Outcome, Failure> {
    if let Some(d) = out.domain.as_deref() {
        let d = Domain::parse(d).map_err(usage)?;
        match flow.save_scan(&d, report) {
            Ok(id) => eprintln!("preflight: saved as run {id} of {d}; its launch checklist counts it."),
            Err(e) => eprintln!("preflight: not saved to the history: {e}"),
        }
    }
    match out.format {
        ScanFormat::Text => print!("{}", render::text(report)),
        ScanFormat::Json => println!("{}", render::json(report)),
        ScanFormat::Sarif => println!("{}", sarif::render(report)),
        ScanFormat::Junit => print!("{}", formats::junit_titled(&format!("preflight {what}"), report)),
        ScanFormat::Markdown => print!("{}", formats::markdown_titled(&format!("Preflight {what}"), report)),
    }
    Ok(Outcome::Exit(gate::verdict(report, fail_on(out.fail_on)).exit_code()))
}

pub fn secrets(a: SecretsArgs, flow: &Flow) -> Result<Outcome, Failure> {
    match a.action {
        SecretsAction::Scan { path, history, baseline, write_baseline, output } => {
            let what = format!("secrets scan of {}", path.display());
            let report = flow.scan_secrets(&SecretScan { folder: path, history, baseline }).map_err(flow_err)?;
            if let Some(file) = write_baseline {
                let json = serde_json::to_string_pretty(&Baseline::of(&report)).map_err(|e| Failure::Internal(e.to_string()))?;
                preflight_store::files::replace(&file, json.as_bytes())
                    .map_err(|e| usage(format!("cannot write {}: {e}", file.display())))?;
                eprintln!("preflight: the current findings are accepted in {}", file.display());
            }
            finish(&report, &output, flow, &what)
        }
        SecretsAction::Env { example, env, other, production, output } => {
            let report = flow.check_env(&example, &env, other.as_deref(), production.then_some(true)).map_err(flow_err)?;
            finish(&report, &output, flow, &format!("env check of {}", env.display()))
        }
    }
}
