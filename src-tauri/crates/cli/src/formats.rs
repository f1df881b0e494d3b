//! An audit's report as CI services read it, beside text and JSON (and SARIF, in `sarif.rs`):
//! JUnit XML (one testcase per finding: a failure for `fail`, skipped for `error`, `skipped` and
//! `manual`, with the title and the fix) and Markdown for a pull-request comment (problems first,
//! a table, the evidence folded).

use crate::flows::xml;
use preflight_core::{Finding, Report, Status};
use std::fmt::Write;

/// JUnit XML: one testsuite for the audit, one testcase per finding.
pub fn junit(report: &Report) -> String {
    junit_titled(&format!("preflight audit {}", report.domain), report)
}

/// JUnit XML of one report under `name` (a secrets scan, an env check).
pub fn junit_titled(name: &str, report: &Report) -> String {
    junit_of(name, &[(name.to_owned(), report)])
}

/// JUnit XML with a testsuite per report (a CI gate's parts), one testcase per finding.
pub fn junit_of(name: &str, suites: &[(String, &Report)]) -> String {
    let count = |r: &Report, s: &[Status]| r.findings.iter().filter(|f| s.contains(&f.status)).count();
    let total = |s: &[Status]| suites.iter().map(|(_, r)| count(r, s)).sum::<usize>();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        xml(name),
        suites.iter().map(|(_, r)| r.findings.len()).sum::<usize>(),
        total(&[Status::Fail]),
        total(&[Status::Error, Status::Skipped, Status::Manual]),
        suites.iter().map(|(_, r)| r.duration_ms).sum::<u64>() as f64 / 1000.0,
    );
    for (suite, report) in suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\">",
            xml(suite),
            report.findings.len(),
            count(report, &[Status::Fail]),
            count(report, &[Status::Error, Status::Skipped, Status::Manual]),
            report.duration_ms as f64 / 1000.0,
        );
        for f in &report.findings {
            testcase(&mut out, f);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn testcase(out: &mut String, f: &Finding) {
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
            let _ =
                writeln!(out, ">\n      <skipped message=\"{}\"/>\n    </testcase>", xml(&format!("{}: {}", f.status.label(), f.title)));
        }
        Status::Warn => {
            let _ =
                writeln!(out, ">\n      <system-out>{}</system-out>\n    </testcase>", xml(&format!("Needs attention: {} {fix}", f.title)));
        }
        Status::Pass => out.push_str("/>\n"),
    }
}

/// Text as Markdown shows it, never as HTML: a finding that quotes `<title>` must not open one
/// (a code host's renderer passes raw HTML through, and a `<title>` swallows what follows).
pub(crate) fn text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A table cell: one line of text, pipes escaped.
pub(crate) fn cell(s: &str) -> String {
    text(s).replace('|', "\\|").replace(['\n', '\r'], " ")
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
    markdown_titled(&format!("Preflight audit of {}", report.domain), report)
}

/// Markdown of one report under the heading `title`.
pub fn markdown_titled(title: &str, report: &Report) -> String {
    format!("## {title}\n\n{}", markdown_body(report, "###", true))
}

/// The verdict in bold, one line.
pub fn verdict_words(s: &preflight_core::Summary) -> String {
    let plural = |n: u32| if n == 1 { "" } else { "s" };
    if s.fail > 0 {
        format!("Not ready: {} problem{} to fix first", s.fail, plural(s.fail))
    } else if s.warn > 0 {
        format!("Ready, with {} thing{} to look at", s.warn, plural(s.warn))
    } else {
        "Ready on everything checked".to_owned()
    }
}

/// A report's Markdown under a heading of the caller's (`heading` is the level of its sections),
/// the passes folded in when `with_passes`.
pub fn markdown_body(report: &Report, heading: &str, with_passes: bool) -> String {
    let of = |s: &[Status]| report.findings.iter().filter(|f| s.contains(&f.status)).collect::<Vec<_>>();
    let (problems, unseen, rest) =
        (of(&[Status::Fail, Status::Warn]), of(&[Status::Error, Status::Manual]), of(&[Status::Pass, Status::Skipped]));
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**{}** · {} failed, {} need attention, {} passed, {} couldn't check.\n",
        verdict_words(s),
        s.fail,
        s.warn,
        s.pass,
        s.error
    );
    if !problems.is_empty() {
        let _ = writeln!(out, "{heading} Problems\n");
        rows(&mut out, &problems, true);
        out.push('\n');
        for f in &problems {
            let evidence = serde_json::to_string_pretty(&f.evidence).unwrap_or_default();
            let _ = writeln!(
                out,
                "<details><summary>Evidence: <code>{}</code> on {}</summary>\n\n{}\n\n```json\n{}\n```\n</details>\n",
                f.id,
                cell(&f.subject),
                text(f.detail.trim()),
                evidence
            );
        }
    }
    if !unseen.is_empty() {
        let _ = writeln!(out, "{heading} Couldn't check, or your call\n");
        rows(&mut out, &unseen, true);
        out.push('\n');
    }
    if with_passes && !rest.is_empty() {
        let _ = writeln!(out, "<details><summary>{} passed or not applicable</summary>\n", rest.len());
        rows(&mut out, &rest, false);
        out.push_str("\n</details>\n");
    }
    out
}
