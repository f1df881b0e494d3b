//! `preflight latency` and `preflight load`: measure through the flow's network (so the global
//! network flags apply), print the percentiles, phases and verdicts, and decide the exit code. The
//! load test runs only against a product in the history (or a host confirmed with `--mine`) and says
//! its bounds before it sends anything.

use crate::args::{Format, LatencyArgs, LatencyFailOn, LoadArgs};
use crate::{Failure, Outcome};
use preflight_core::config::ProductConfig;
use preflight_flow::latency::{belongs, Measured};
use preflight_flow::Flow;
use preflight_latency::load::{run, steps};
use preflight_latency::{first_visit, ms_words, Bounds, Kind, LoadResult, Measurement, MobileView, Percentiles, Plan, Probe, Verdict};
use std::fmt::Write;
use tokio_util::sync::CancellationToken;
use url::Url;

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

fn kind(k: Option<&str>) -> Result<Option<Kind>, Failure> {
    match k {
        Some(k) => Ok(Some(Kind::parse(k).ok_or_else(|| {
            let all: Vec<_> = Kind::ALL.iter().map(|k| k.as_str().replace('_', "-")).collect();
            usage(format!("unknown kind \"{k}\"; choose from {}", all.join(", ")))
        })?)),
        None => Ok(None),
    }
}

fn probe(u: &str, method: &str, body: Option<&str>, kind: Option<Kind>, target: Option<u32>) -> Result<Probe, Failure> {
    let url = Url::parse(u.trim()).map_err(|e| usage(format!("\"{}\" is not an address: {e}", preflight_core::public::shown(u))))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(usage(format!("\"{u}\" is not an http or https address")));
    }
    let mut p = Probe::new(url, method, kind);
    p.body = body.map(str::to_owned);
    if let Some(t) = target {
        p.target_ms = t;
    }
    Ok(p)
}

pub async fn latency(a: LatencyArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let kind = kind(a.goal.kind.as_deref())?;
    let mut probes =
        a.urls.iter().map(|u| probe(u, &a.goal.method, a.goal.body.as_deref(), kind, a.goal.target)).collect::<Result<Vec<_>, _>>()?;
    if let Some(file) = &a.config {
        probes.extend(configured(flow, file)?);
    }
    let net = flow.net().await.map_err(|e| Failure::Usage(e.to_string()))?;
    let plan = Plan { cold: a.cold, warm: a.samples };
    let mut results = Vec::new();
    let mut before = Vec::new();
    for p in &probes {
        let card = flow.measure_endpoint(&net, p, plan, !a.no_save).await;
        if let Some(e) = &card.not_saved {
            eprintln!("preflight: this measurement was not saved to the history: {e}");
        }
        before.push(card.previous);
        results.push(card.latest.measurement);
    }
    let mobile = match (a.mobile, probes.first()) {
        (true, Some(first)) => {
            let then = a
                .then
                .iter()
                .map(|u| Url::parse(u.trim()).map_err(|e| usage(format!("--then \"{}\": {e}", preflight_core::public::shown(u)))))
                .collect::<Result<Vec<_>, _>>()?;
            Some(first_visit(&net, &first.url, &then, a.rtt.clamp(1, 5000)).await)
        }
        _ => None,
    };
    match a.format {
        Format::Json => println!("{}", json(&results, &before, mobile.as_ref())),
        Format::Text => {
            print!("{}", text(&results, &before));
            if let Some(m) = &mobile {
                print!("{}", mobile_text(m));
            }
        }
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
fn json(results: &[Measurement], before: &[Option<Measured>], mobile: Option<&MobileView>) -> String {
    let endpoints: Vec<serde_json::Value> = results
        .iter()
        .zip(before)
        .map(|(m, b)| {
            let mut v = serde_json::to_value(m).unwrap_or_default();
            if let (Some(o), Some(w)) = (v.as_object_mut(), &m.warm) {
                for (k, x) in [("p50_ms", w.p50_ms), ("p90_ms", w.p90_ms), ("p95_ms", w.p95_ms), ("p99_ms", w.p99_ms), ("max_ms", w.max_ms)]
                {
                    o.insert(k.into(), serde_json::json!(x));
                }
                o.insert("samples".into(), serde_json::json!(w.samples));
            }
            if let Some(o) = v.as_object_mut() {
                let previous = b.as_ref().map(|p| {
                    let m = &p.measurement;
                    serde_json::json!({ "at_ms": p.at_ms, "p95_ms": m.warm.as_ref().map(|w| w.p95_ms), "verdict": m.verdict })
                });
                o.insert("previous".into(), previous.unwrap_or(serde_json::Value::Null));
            }
            v
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({ "schema": 1, "endpoints": endpoints, "mobile": mobile })).unwrap_or_default()
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

fn text(results: &[Measurement], before: &[Option<Measured>]) -> String {
    let mut out = String::new();
    for (m, b) in results.iter().zip(before) {
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
            if let Some((at, p95)) = b.as_ref().and_then(|p| p.measurement.warm.as_ref().map(|pw| (p.at_ms, pw.p95_ms))) {
                let change = if p95 > 0.0 { (w.p95_ms - p95) / p95 * 100.0 } else { 0.0 };
                let _ = writeln!(
                    out,
                    "    before:            p95 {} on {} → {} now ({change:+.0} %)",
                    ms_words(p95),
                    crate::commands::when(at),
                    ms_words(w.p95_ms)
                );
            }
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

fn mobile_text(m: &MobileView) -> String {
    let mut out = format!("\nOn a phone: {}\n", m.says);
    for t in &m.trips {
        let _ = writeln!(out, "  {:>2} round trips  {}  ({}; server {})", t.round_trips, t.url, t.why, ms_words(t.server_ms));
    }
    for a in &m.advice {
        let _ = writeln!(out, "  → {a}");
    }
    out
}

/// The `[[endpoints]]` of a settings file as probes; a credential named with `secret` is read from
/// the keychain into that probe's `Authorization` header and nowhere else.
fn configured(flow: &Flow, file: &std::path::Path) -> Result<Vec<Probe>, Failure> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| usage(format!("cannot read {name}: {e}")))?;
    let cfg = ProductConfig::parse(&name, &text).map_err(usage)?;
    let target = cfg.target(&name).map_err(usage)?;
    if target.endpoints.is_empty() {
        return Err(usage(format!("{name} has no [[endpoints]] to measure")));
    }
    flow.endpoint_probes(&target).map_err(usage)
}

/// Whether `host` belongs to a product in the history (the domain or a name under it).
fn ours(flow: &Flow, host: &str) -> bool {
    let products: Vec<String> = flow.history(None, 500).map(|runs| runs.into_iter().map(|r| r.domain).collect()).unwrap_or_default();
    products.iter().any(|d| belongs(host, d))
}

pub async fn load(a: LoadArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let kind = kind(a.goal.kind.as_deref())?;
    let p = probe(&a.url, &a.goal.method, a.goal.body.as_deref(), kind, a.goal.target)?;
    let host = p.url.host_str().unwrap_or_default().to_ascii_lowercase();
    if !a.mine && !ours(flow, &host) {
        return Err(usage(format!(
            "{host} is not one of your products in the history. A load test sends real traffic: run `preflight audit` on your domain first, or add --mine to confirm {host} is yours."
        )));
    }
    let bounds = Bounds {
        max_requests: a.max_requests,
        max_in_flight: a.max_in_flight,
        request_timeout_ms: a.request_timeout,
        ..Bounds::new(a.rate, a.duration)
    }
    .capped();
    let steps = steps(a.ramp);
    eprintln!("preflight: {}", bounds.explain(&p, steps));
    let net = flow.net().await.map_err(|e| Failure::Usage(e.to_string()))?;
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.cancel();
        }
    });
    let r = run(&net, &p, bounds, steps, cancel).await;
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "schema": 1, "load": r })).unwrap_or_default()),
        Format::Text => print!("{}", load_text(&r)),
    }
    let failing = r.steps.iter().any(|s| s.errors * 10 > s.sent.max(1));
    let gated = match a.fail_on {
        LatencyFailOn::Never => false,
        LatencyFailOn::Failing => failing,
        LatencyFailOn::Slow => failing || r.sustained_rate.is_none(),
    };
    Ok(Outcome::Exit(u8::from(gated)))
}

fn load_text(r: &LoadResult) -> String {
    let mut out = format!("{}\n", r.says);
    for s in &r.steps {
        let p95 = s.latency.as_ref().map_or_else(
            || "no answers".to_owned(),
            |p| format!("p95 {} (p50 {}, p99 {})", ms_words(p.p95_ms), ms_words(p.p50_ms), ms_words(p.p99_ms)),
        );
        let _ = writeln!(
            out,
            "  {:>6.1} requests/s asked, {:.1} answered: {p95}; {} sent, {} failed, {} dropped, {} late",
            s.rate, s.achieved_rate, s.sent, s.errors, s.dropped, s.late
        );
    }
    let _ = writeln!(
        out,
        "  latency is measured from each request's scheduled start (coordinated omission corrected); the run ended by {}.",
        r.stopped_by.replace('_', " ")
    );
    out
}
