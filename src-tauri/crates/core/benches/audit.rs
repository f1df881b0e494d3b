//! What a default audit of the testbed's sample product costs, before and after the shared `Net`.
//!
//! `cargo bench -p preflight-core --bench audit` runs each mode in a child process of its own (so
//! peak memory is per mode) and prints both figures and their ratio:
//! - before: a new `Net` per audit, as the foundation's `audit(target, cfg)` built one each call
//!   (a fresh resolver with an empty cache, the root store parsed again);
//! - after: one `Net` shared by every audit, as the desktop app, the CLI and the watcher now keep it.
//!
//! Both trust the operating system's roots (as a real audit does) plus the testbed's CA. Measured:
//! wall time per audit, peak RSS, system trust-store reads, root-store parses, and the DNS queries
//! that reached the testbed's server (counted there, not by the client).

use preflight_core::net::trust;
use preflight_core::{audit, AuditOptions, Domain, Net, Target};
use preflight_testbed::{demo, Testbed};
use std::process::Command;
use std::time::{Duration, Instant};

const AUDITS: usize = 30;

struct Figures {
    mean_ms: f64,
    p50_ms: f64,
    max_ms: f64,
    peak_rss_mib: f64,
    trust_loads: u64,
    root_parses: u64,
    dns_per_audit: f64,
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok());
    kib.map_or(f64::NAN, |k| k / 1024.0)
}

async fn measure(shared: bool) -> Result<Figures, String> {
    let bed = Testbed::start(demo::product()).await.map_err(|e| e.to_string())?;
    let mut cfg = bed.net_config();
    cfg.skip_system_roots = false;
    let target = Target::with_defaults(Domain::parse(demo::DOMAIN).map_err(|e| e.to_string())?);
    let kept = Net::new(cfg.clone()).await.map_err(|e| e.to_string())?;
    // One warm-up audit in both modes, so both measure steady state (and the process-wide store read).
    audit(&kept, &target, AuditOptions::default()).await;
    let queries_before = bed.dns.queries();
    let mut times = Vec::with_capacity(AUDITS);
    for _ in 0..AUDITS {
        let started = Instant::now();
        let net = if shared { kept.clone() } else { Net::new(cfg.clone()).await.map_err(|e| e.to_string())? };
        let report = audit(&net, &target, AuditOptions::default()).await;
        times.push(started.elapsed());
        if report.summary.error > 0 {
            return Err(format!("an audit could not look: {:?}", report.summary));
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(Figures {
        mean_ms: times.iter().map(|d| ms(*d)).sum::<f64>() / AUDITS as f64,
        p50_ms: ms(times[AUDITS / 2]),
        max_ms: times.last().map_or(0.0, |d| ms(*d)),
        peak_rss_mib: peak_rss_mib(),
        trust_loads: trust::loads(),
        root_parses: trust::verifier_builds(),
        dns_per_audit: (bed.dns.queries() - queries_before) as f64 / AUDITS as f64,
    })
}

fn child(mode: &str) -> Result<Vec<f64>, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(me).env("PREFLIGHT_BENCH_MODE", mode).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("{mode} run failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    String::from_utf8_lossy(&out.stdout).split_whitespace().map(|v| v.parse::<f64>().map_err(|e| e.to_string())).collect()
}

fn main() {
    if let Ok(mode) = std::env::var("PREFLIGHT_BENCH_MODE") {
        let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("runtime: {e}");
                std::process::exit(1);
            }
        };
        match rt.block_on(measure(mode == "after")) {
            Ok(f) => println!(
                "{} {} {} {} {} {} {}",
                f.mean_ms, f.p50_ms, f.max_ms, f.peak_rss_mib, f.trust_loads, f.root_parses, f.dns_per_audit
            ),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        return;
    }
    let (before, after) = match (child("before"), child("after")) {
        (Ok(b), Ok(a)) if b.len() == 7 && a.len() == 7 => (b, a),
        (b, a) => {
            eprintln!("benchmark failed: before={b:?} after={a:?}");
            std::process::exit(1);
        }
    };
    println!("Default audit of the sample product ({}, {AUDITS} audits per mode, system roots + test CA)", demo::DOMAIN);
    println!("{:<34} {:>14} {:>14} {:>16}", "", "before (Net/audit)", "after (shared)", "after / before");
    let names = [
        "wall time per audit, mean (ms)",
        "wall time per audit, p50 (ms)",
        "wall time per audit, max (ms)",
        "peak RSS of the process (MiB)",
        "system trust-store reads",
        "root-store parses",
        "DNS queries per audit",
    ];
    for (i, name) in names.iter().enumerate() {
        let ratio = if before[i] == 0.0 { "-".to_owned() } else { format!("{:.2}", after[i] / before[i]) };
        println!("{name:<34} {:>18.2} {:>14.2} {ratio:>16}", before[i], after[i]);
    }
}
