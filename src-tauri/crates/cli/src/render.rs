//! How a report reads in a terminal (VOICE.md: verdict, why, fix, evidence) and as JSON.

use preflight_core::{Finding, Report, Status};
use std::fmt::Write;

/// The JSON report: the DESIGN §3 shape, pretty-printed, stable.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The one-character mark of a status in a terminal.
pub(crate) fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "✓",
        Status::Warn => "!",
        Status::Fail => "✗",
        Status::Error => "?",
        Status::Skipped => "-",
        Status::Manual => "•",
    }
}

/// The headline: how many of what, in the founder's words.
pub fn headline(report: &Report) -> String {
    let s = &report.summary;
    let mut parts = Vec::new();
    let mut push = |n: u32, one: &str, many: &str| {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    };
    push(s.fail, "problem", "problems");
    push(s.warn, "needs attention", "need attention");
    push(s.error, "couldn't be checked", "couldn't be checked");
    push(s.pass, "passed", "passed");
    push(s.skipped, "skipped", "skipped");
    let verdict = if s.fail > 0 {
        "not ready for launch yet"
    } else if s.warn > 0 {
        "nearly ready"
    } else if s.error > 0 {
        "partly checked"
    } else {
        "ready on everything checked"
    };
    format!("{}: {verdict} ({}, in {:.1} s)", report.domain, parts.join(", "), report.duration_ms as f64 / 1000.0)
}

/// The text report: problems in full, passes and skips one line each.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Preflight audit of {}\n{}\n", report.domain, headline(report));
    let found = preflight_core::checks::discovery::found_names(report);
    for status in Status::BY_SEVERITY {
        let group: Vec<&Finding> = report.findings.iter().filter(|f| f.status == status).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{} ({})", status.label(), group.len());
        for f in group {
            // Names discovery found, not listed by the founder: said on each of their findings.
            let tag = if f.id != "dns.discovery" && found.contains(&f.subject) { "[found] " } else { "" };
            let _ = writeln!(out, "  {} {tag}{}", mark(f.status), f.title);
            if matches!(f.status, Status::Pass | Status::Skipped) {
                continue;
            }
            if !f.why.is_empty() {
                let _ = writeln!(out, "    Why it matters: {} (risk: {})", f.why, f.impact.label());
            }
            if !f.fix.is_empty() {
                let _ = writeln!(out, "    Fix:");
                for (i, step) in f.fix.iter().enumerate() {
                    let _ = writeln!(out, "      {}. {step}", i + 1);
                }
            }
            if !f.detail.is_empty() {
                let _ = writeln!(out, "    Evidence [{}]:", f.id);
                for line in f.detail.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_core::checks::{dns, tls};
    use preflight_core::Impact;

    #[test]
    fn problems_show_why_fix_and_evidence_and_passes_stay_short() {
        let fail = Finding::new(&tls::EXPIRY, "www.a.test", Status::Fail)
            .impact(Impact::Downtime)
            .title("The certificate of www.a.test expired 3 days ago.")
            .why("Visitors see a warning.")
            .detail("Valid until 2026-11-20.")
            .fix(["Renew it."]);
        let pass = Finding::new(&dns::RESOLVE, "a.test", Status::Pass).title("a.test points to a server.").detail("secret detail");
        let out = text(&Report::new("a.test".into(), 0, 1200, vec![pass, fail]));
        assert!(out.contains("not ready for launch yet"), "{out}");
        assert!(out.contains("1. Renew it."), "{out}");
        assert!(out.find("Problem (1)") < out.find("Passed (1)"), "problems come first: {out}");
        assert!(!out.contains("secret detail"), "passes stay one line: {out}");
    }
}
