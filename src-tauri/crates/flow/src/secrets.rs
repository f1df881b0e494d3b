//! Secret scans as every front end runs them: a folder's working tree (and, on request, its git
//! history), an env file against its example, a baseline of accepted findings, and the report that
//! comes out, in the audit's shape, optionally saved to a product's history so its launch checklist
//! sees it.
//!
//! Blocking (files and git): callers run these off their async threads.

use crate::watching::now_ms;
use crate::{Flow, FlowError};
use preflight_core::checks::{env_vars, leaks};
use preflight_core::{Domain, Finding, Report};
use preflight_secrets::env::{check, shared, EnvFile};
use preflight_secrets::tree::Limits;
use preflight_secrets::{bundled, history, tree};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What to scan.
#[derive(Debug, Clone)]
pub struct SecretScan {
    pub folder: PathBuf,
    /// Also every commit of the repository the folder is in.
    pub history: bool,
    /// Findings accepted earlier (`--baseline`), left out of the report.
    pub baseline: Option<PathBuf>,
}

/// A baseline file: fingerprints of findings the team accepted, with where they were.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub schema: u32,
    pub accepted: Vec<Accepted>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub fingerprint: String,
    pub check: String,
    pub subject: String,
}

fn fingerprint_of(f: &Finding) -> Option<&str> {
    f.evidence.get("fingerprint").and_then(|v| v.as_str())
}

/// Env files and baselines are small: a bound far above any real one, far below harm.
const MAX_TEXT_FILE: u64 = 16 * 1024 * 1024;

/// A file the founder named, read bounded and without blocking (a pipe or `/proc` is refused).
fn read_file(path: &Path) -> Result<String, FlowError> {
    preflight_secrets::read::named_text_file(path, MAX_TEXT_FILE)
        .map_err(|e| FlowError::Invalid(format!("{}.", capitalised(&e.to_string()))))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, FlowError> {
        serde_json::from_str(&read_file(path)?)
            .map_err(|e| FlowError::Invalid(format!("{} is not a Preflight baseline: {e}", path.display())))
    }

    /// Every problem of `report`, accepted.
    pub fn of(report: &Report) -> Baseline {
        let accepted = report
            .findings
            .iter()
            .filter(|f| f.status.gate_rank() > 0)
            .filter_map(|f| {
                fingerprint_of(f).map(|fp| Accepted { fingerprint: fp.to_owned(), check: f.id.clone(), subject: f.subject.clone() })
            })
            .collect();
        Baseline { schema: 1, accepted }
    }

    fn accepts(&self, f: &Finding) -> bool {
        fingerprint_of(f).is_some_and(|fp| self.accepted.iter().any(|a| a.fingerprint == fp && a.check == f.id))
    }
}

impl Flow {
    /// Scans `req.folder` (and its history) into a report of `secrets.*` findings.
    pub fn scan_secrets(&self, req: &SecretScan) -> Result<Report, FlowError> {
        let started = now_ms();
        let clock = Instant::now();
        let rules = bundled().map_err(|e| FlowError::Invalid(e.to_string()))?;
        let name = std::fs::canonicalize(&req.folder).unwrap_or_else(|_| req.folder.clone()).display().to_string();
        let tree = tree::scan(rules, &req.folder, Limits::default()).map_err(|e| FlowError::Invalid(format!("Cannot scan {name}: {e}")))?;
        let mut findings = leaks::tree_findings(&name, &tree);
        if req.history {
            let h = history::scan(rules, &req.folder, Limits::default()).map_err(|e| FlowError::Invalid(e.to_string()))?;
            findings.extend(leaks::history_findings(&name, &h));
        }
        if let Some(path) = &req.baseline {
            let baseline = Baseline::load(path)?;
            let before = findings.len();
            findings.retain(|f| !baseline.accepts(f));
            let accepted = before - findings.len();
            if accepted > 0 {
                findings.push(
                    Finding::new(&leaks::SOURCE, name.as_str(), preflight_core::Status::Pass)
                        .title(format!("{accepted} known findings are accepted by the baseline {}.", path.display()))
                        .evidence(serde_json::json!({ "baseline": path.display().to_string(), "accepted": accepted })),
                );
            }
        }
        Ok(Report::new(name, started, clock.elapsed().as_millis() as u64, findings))
    }

    /// Checks `env` against the names `example` lists; with `other` (the other environment's
    /// file), also that they share no secret. `production`: judge `env` as production's (default:
    /// when its file name says "prod").
    pub fn check_env(&self, example: &Path, env: &Path, other: Option<&Path>, production: Option<bool>) -> Result<Report, FlowError> {
        let started = now_ms();
        let required: Vec<String> = EnvFile::parse(&read_file(example)?).entries.into_iter().map(|e| e.name).collect();
        let file = EnvFile::parse(&read_file(env)?);
        let name = env.display().to_string();
        let production = production.unwrap_or_else(|| name.to_ascii_lowercase().contains("prod"));
        let mut issues = check(&required, &file, production);
        if let Some(o) = other {
            issues.extend(shared(&file, &EnvFile::parse(&read_file(o)?)));
        }
        Ok(Report::new(name.clone(), started, 0, env_vars::findings(&name, required.len(), &issues)))
    }

    /// Saves a scan's report as a run of `domain`, so its launch checklist takes it into account.
    pub fn save_scan(&self, domain: &Domain, report: &Report) -> Result<i64, FlowError> {
        let mut r = report.clone();
        r.domain = domain.to_string();
        Ok(self.store()?.save_report(&r, "secrets")?)
    }
}
