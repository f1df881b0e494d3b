//! `preflight latency`: measures each address through the flow's network (so the global network
//! flags apply), prints the percentiles, phases and verdict, and decides the exit code.

use crate::args::{Format, LatencyArgs, LatencyFailOn};
use crate::{Failure, Outcome};
use preflight_flow::Flow;
use preflight_latency::{measure, ms_words, Kind, Measurement, Percentiles, Plan, Probe, Verdict};
use std::fmt::Write;
use url::Url;

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

pub async fn latency(a: LatencyArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let kind = match &a.kind {
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            let all: Vec<_> = Kind::ALL.iter().map(|k| k.as_str().replace('_', "-")).collect();
            usage(format!("unknown kind \"{k}\"; choose from {}", all.join(", ")))
        })?),
        None => None,
    };
    let mut probes = Vec::new();
    for u in &a.urls {
        let url = Url::parse(u).map_err(|e| usage(format!("\"{u}\" is not an address: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(usage(format!("\"{u}\" is not an http or https address")));
        }
        let mut p = Probe::new(url, &a.method, kind);
        if let Some(t) = a.target {
            p.target_ms = t;
        }
        probes.push(p);
    }
    let net = flow.net().await.map_err(|e| Failure::Usage(e.to_string()))?;
    let plan = Plan { cold: a.cold, warm: a.samples };
    let mut results = Vec::new();
    for p in &probes {
        results.push(measure(&net, p, plan).await);
    }
    match a.format {
        Format::Json => println!("{}", json(&results)),
        Format::Text => print!("{}", text(&results)),
    }
    let verdicts: Vec<Verdict> = results.iter().map(|m| m.verdict).collect();
    let gated = match a.fail_on {
        LatencyFailOn::Never => false,
        LatencyFailOn::Failing => verdicts.contains(&Verdict::Failing),
        LatencyFailOn::Slow => verdicts.iter().any(|v| matches!(v, Verdict::Failing | Verdict::TooSlow)),
    };
    Ok(Outcome::Exit(if gated {
        1
    } else if verdicts.contains(&Verdict::Unknown) {
        4
    } else {
        0
    }))
}

/// The JSON shape (docs/cli.md): per endpoint, the warm figures at the top level.
fn json(results: &[Measurement]) -> String {
    let endpoints: Vec<serde_json::Value> = results
        .iter()
        .map(|m| {
            let mut v = serde_json::to_value(m).unwrap_or_default();
            if let (Some(o), Some(w)) = (v.as_object_mut(), &m.warm) {
                for (k, x) in [("p50_ms", w.p50_ms), ("p90_ms", w.p90_ms), ("p95_ms", w.p95_ms), ("p99_ms", w.p99_ms), ("max_ms", w.max_ms)]
                {
                    o.insert(k.into(), serde_json::json!(x));
                }
                o.insert("samples".into(), serde_json::json!(w.samples));
            }
            v
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({ "schema": 1, "endpoints": endpoints })).unwrap_or_default()
}

fn line(p: &Percentiles) -> String {
    format!(
        "p50 {} · p90 {} · p95 {} · p99 {} · max {} ({} requests)",
        ms_words(p.p50_ms),
        ms_words(p.p90_ms),
        ms_words(p.p95_ms),
        ms_words(p.p99_ms),
        ms_words(p.max_ms),
        p.samples
    )
}

fn text(results: &[Measurement]) -> String {
    let mut out = String::new();
    for m in results {
        let mark = match m.verdict {
            Verdict::FastEnough => "✓",
            Verdict::TooSlow => "!",
            Verdict::Failing => "✗",
            Verdict::Unknown => "?",
        };
        let _ = writeln!(out, "{mark} {}", m.says);
        if let Some(f) = &m.first_token {
            let _ = writeln!(out, "    first token:       {}", line(f));
        }
        if let Some(w) = &m.warm {
            let _ = writeln!(out, "    kept-alive:        {}", line(w));
        }
        if let Some(c) = &m.cold {
            let _ = writeln!(out, "    new connection:    {}", line(c));
            let ph = &m.phases;
            let _ = writeln!(
                out,
                "    a new connection's time (medians): DNS {:.1} ms, connect {:.1}, TLS {:.1}, server (to first byte) {:.1}, transfer {:.1}",
                ph.dns_ms, ph.connect_ms, ph.tls_ms, ph.ttfb_ms, ph.transfer_ms
            );
        }
        let mut answers: Vec<String> = m.statuses.iter().map(|(s, n)| format!("{n}× status {s}")).collect();
        if m.errors > 0 {
            answers.push(format!("{} without an answer", m.errors));
        }
        let _ = writeln!(out, "    answers: {}", answers.join(", "));
        for w in m.warm.iter().chain(m.first_token.iter()).flat_map(|p| p.warnings.iter()).take(2) {
            let _ = writeln!(out, "    note: {w}");
        }
    }
    out
}
