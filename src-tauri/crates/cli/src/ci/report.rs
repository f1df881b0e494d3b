//! What `preflight ci` prints and writes: a few lines for the job's log, and with `--out` one JUnit
//! file (a testsuite per part), one SARIF file (one run, every part's problems, so a code-scanning
//! service keeps one category) and one Markdown summary for the pull request or the deploy.

use super::Part;
use crate::formats::{cell, junit_of, markdown_body, verdict_words};
use crate::render::mark;
use preflight_core::{Domain, Report, Status, Verdict};
use std::fmt::Write;
use std::path::Path;

/// The files `--out` holds, in the order they are written.
pub const FILES: [&str; 3] = ["preflight.junit.xml", "preflight.sarif", "preflight.md"];

pub struct Reports {
    pub text: String,
    junit: String,
    sarif: String,
    markdown: String,
}

fn gate_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Gated => "Not ready (exit 1)",
        Verdict::Incomplete => "Not a pass: some parts could not look (exit 4)",
        Verdict::Clean => "Ready (exit 0)",
    }
}

fn counts(r: &Report) -> String {
    let s = &r.summary;
    format!("{} failed, {} need attention, {} passed, {} couldn't check", s.fail, s.warn, s.pass, s.error)
}

impl Reports {
    pub fn of(domain: &Domain, started_ms: i64, elapsed_ms: u64, parts: &[Part], verdict: Verdict) -> Reports {
        let ran: Vec<(String, &Report)> =
            parts.iter().filter_map(|p| p.ran.as_ref().ok().map(|r| (format!("preflight ci {domain}: {}", p.name), r))).collect();
        let everything: Vec<_> = ran.iter().flat_map(|(_, r)| r.findings.iter().cloned()).collect();
        let merged = Report::new(domain.to_string(), started_ms, elapsed_ms, everything);
        Reports {
            text: text(domain, parts, verdict),
            junit: junit_of(&format!("preflight ci {domain}"), &ran),
            sarif: crate::sarif::render(&merged),
            markdown: markdown(domain, parts, verdict),
        }
    }

    /// Writes the three files into `dir` (made when missing), each whole or not at all.
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot make the folder {}: {e}", dir.display()))?;
        for (name, body) in FILES.iter().zip([&self.junit, &self.sarif, &self.markdown]) {
            let file = dir.join(name);
            preflight_store::files::replace(&file, body.as_bytes()).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        }
        Ok(())
    }
}

/// For the job's log: the gate, each part in a line, then each problem in a line.
fn text(domain: &Domain, parts: &[Part], verdict: Verdict) -> String {
    let mut out = format!("Preflight CI gate for {domain}: {}\n", gate_words(verdict));
    for p in parts {
        match &p.ran {
            Ok(r) => {
                let _ = writeln!(out, "  {}: {}", p.name, counts(r));
            }
            Err(why) => {
                let _ = writeln!(out, "  {}: skipped, {why}", p.name);
            }
        }
    }
    for p in parts {
        for f in p.ran.iter().flat_map(|r| &r.findings).filter(|f| matches!(f.status, Status::Fail | Status::Warn | Status::Error)) {
            let _ = writeln!(out, "{} {} · {}: {}", mark(f.status), f.id, f.subject, f.title);
        }
    }
    out
}

/// What a pull-request comment holds at most (GitHub refuses a comment over 65,536 characters).
const COMMENT_CHARS: usize = 60_000;

/// The summary for a pull request: the gate, a row per part, then each part's problems; the
/// passes are folded in, unless that makes the comment too long for a CI service to post.
fn markdown(domain: &Domain, parts: &[Part], verdict: Verdict) -> String {
    let full = markdown_with(domain, parts, verdict, true);
    if full.chars().count() <= COMMENT_CHARS {
        return full;
    }
    let mut short = markdown_with(domain, parts, verdict, false);
    short.push_str("\n_The passes are left out to keep this comment short: the JUnit and SARIF files list them._\n");
    short
}

fn markdown_with(domain: &Domain, parts: &[Part], verdict: Verdict, with_passes: bool) -> String {
    let mut out = format!("## Preflight CI gate for {domain}\n\n**{}**\n\n| Part | Result |\n|---|---|\n", gate_words(verdict));
    for p in parts {
        let result = match &p.ran {
            Ok(r) => format!("{}: {}", verdict_words(&r.summary), counts(r)),
            Err(why) => format!("➖ Skipped: {why}"),
        };
        let _ = writeln!(out, "| {} | {} |", p.name, cell(&result));
    }
    for p in parts {
        if let Ok(r) = &p.ran {
            let _ = write!(out, "\n### {}\n\n{}", p.name, markdown_body(r, "####", with_passes));
        }
    }
    out
}
