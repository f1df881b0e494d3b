//! An audit's report as CI services read it, beside text and JSON (and SARIF, in `sarif.rs`):
//! JUnit XML (one testcase per finding: a failure for `fail`, skipped for `error`, `skipped` and
//! `manual`, with the title and the fix) and Markdown for a pull-request comment (problems first,
//! a table, the evidence folded).

use crate::flows::xml;
use preflight_core::{Finding, Report, Status};
use std::fmt::Write;

/// JUnit XML: one testsuite for the audit, one testcase per finding.
pub fn junit(report: &Report) -> String {
    let count = |s: &[Status]| report.findings.iter().filter(|f| s.contains(&f.status)).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"preflight audit {d}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        report.findings.len(),
        count(&[Status::Fail]),
        count(&[Status::Error, Status::Skipped, Status::Manual]),
        report.duration_ms as f64 / 1000.0,
        d = xml(&report.domain)
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"preflight audit {d}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
        report.findings.len(),
        count(&[Status::Fail]),
        count(&[Status::Error, Status::Skipped, Status::Manual]),
        d = xml(&report.domain)
    );
    for f in &report.findings {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            xml(f.area.as_str()),
            xml(&format!("{} · {}", f.id, f.subject)),
            f.duration_ms as f64 / 1000.0
        );
        let fix = if f.fix.is_empty() { String::new() } else { format!("Fix: {}", f.fix.join(" ")) };
        match f.status {
            Status::Fail => {
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    xml(&f.title),
                    xml(&f.id),
                    xml(&fix)
                );
            }
            Status::Error | Status::Skipped | Status::Manual => {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(&format!("{}: {}", f.status.label(), f.title))
                );
            }
            Status::Warn => {
                let _ = writeln!(
                    out,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    xml(&format!("Needs attention: {} {fix}", f.title))
                );
            }
            Status::Pass => out.push_str("/>\n"),
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// A table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn rows(out: &mut String, findings: &[&Finding], with_fix: bool) {
    if with_fix {
        out.push_str("| | Check | Name | What | Fix |\n|---|---|---|---|---|\n");
    } else {
        out.push_str("| | Check | Name | What |\n|---|---|---|---|\n");
    }
    for f in findings {
        let mark = match f.status {
            Status::Fail => "❌",
            Status::Warn => "⚠️",
            Status::Error => "❓",
            Status::Manual => "✋",
            Status::Skipped => "➖",
            Status::Pass => "✅",
        };
        let _ = write!(out, "| {mark} | `{}` | {} | {} |", f.id, cell(&f.subject), cell(&f.title));
        if with_fix {
            let _ = write!(out, " {} |", cell(&f.fix.join(" ")));
        }
        out.push('\n');
    }
}

/// Markdown for a pull-request comment: the verdict, the problems first with their fixes, what
/// could not be checked, then the rest folded, and each problem's evidence folded.
pub fn markdown(report: &Report) -> String {
    let of = |s: &[Status]| report.findings.iter().filter(|f| s.contains(&f.status)).collect::<Vec<_>>();
    let (problems, unseen, rest) =
        (of(&[Status::Fail, Status::Warn]), of(&[Status::Error, Status::Manual]), of(&[Status::Pass, Status::Skipped]));
    let s = &report.summary;
    let mut out = format!("## Preflight audit of {}\n\n", report.domain);
    let verdict = if s.fail > 0 {
        format!("**Not ready: {} problem{} to fix first**", s.fail, if s.fail == 1 { "" } else { "s" })
    } else if s.warn > 0 {
        format!("**Ready, with {} thing{} to look at**", s.warn, if s.warn == 1 { "" } else { "s" })
    } else {
        "**Ready on everything checked**".to_owned()
    };
    let _ = writeln!(out, "{verdict} · {} failed, {} need attention, {} passed, {} couldn't check.\n", s.fail, s.warn, s.pass, s.error);
    if !problems.is_empty() {
        out.push_str("### Problems\n\n");
        rows(&mut out, &problems, true);
        out.push('\n');
        for f in &problems {
            let evidence = serde_json::to_string_pretty(&f.evidence).unwrap_or_default();
            let _ = writeln!(
                out,
                "<details><summary>Evidence: <code>{}</code> on {}</summary>\n\n{}\n\n```json\n{}\n```\n</details>\n",
                f.id,
                cell(&f.subject),
                f.detail.trim(),
                evidence
            );
        }
    }
    if !unseen.is_empty() {
        out.push_str("### Couldn't check, or your call\n\n");
        rows(&mut out, &unseen, true);
        out.push('\n');
    }
    if !rest.is_empty() {
        let _ = writeln!(out, "<details><summary>{} passed or not applicable</summary>\n", rest.len());
        rows(&mut out, &rest, false);
        out.push_str("\n</details>\n");
    }
    out
}
