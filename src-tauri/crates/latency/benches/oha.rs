//! Benchmark: Preflight's load generator against oha on the same testbed endpoint, in one run.
//!
//! `scripts/bench-latency.sh` installs oha with cargo into a cache folder and runs this with `OHA`
//! set. The testbed (in this process, for both tools) serves `https://api.bench.test/spread`, which
//! waits 2–21 ms (each value in turn), and `/fast`, which answers at once. Printed, each tool's
//! figure and the ratio:
//!
//! 1. p95 at a fixed 200 requests/s for 10 s, both corrected for coordinated omission (oha's
//!    `-q 200 --latency-correction`), 50 connections each. Goal: within ±5 %.
//! 2. The highest sustained rate on `/fast`: oha as fast as 50 connections go (`-c 50 -z 5s`);
//!    Preflight's open-loop generator at rising rates, the highest it keeps (answered ≥ 95 % of the
//!    asked rate, under 0.1 % dropped). Goal: Preflight ≥ 0.8× oha.

use preflight_core::net::Net;
use preflight_latency::load::run;
use preflight_latency::{Bounds, Probe};
use preflight_testbed::web::Delays;
use preflight_testbed::{Answer, Product, Site, Testbed};
use std::process::Command;
use tokio_util::sync::CancellationToken;
use url::Url;

const D: &str = "bench.test";

fn oha(bin: &str, bed: &Testbed, ca: &std::path::Path, args: &[&str], path: &str) -> Option<serde_json::Value> {
    let port = bed.web.https_addr.port();
    let out = Command::new(bin)
        .args(["--no-tui", "--output-format", "json", "--cacert"])
        .arg(ca)
        .args(["--connect-to", &format!("api.{D}:443:127.0.0.1:{port}")])
        .args(args)
        .arg(format!("https://api.{D}{path}"))
        .output()
        .ok()?;
    serde_json::from_slice(&out.stdout).ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let api = Answer::ok("{}")
            .with_path("/spread", Answer::Delayed { delays: Delays::new((2..22).collect()), then: Box::new(Answer::ok("{}")) });
        let site = Site::serving(&format!("api.{D}"), api);
        let bed = Testbed::start(Product::healthy(D, &[""]).site(site)).await?;
        let net = Net::new(bed.net_config()).await?;
        let dir = std::env::temp_dir().join("preflight-bench-latency");
        std::fs::create_dir_all(&dir)?;
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, bed.ca.pem())?;
        let probe = |path: &str| Url::parse(&format!("https://api.{D}{path}")).map(|u| Probe::new(u, "GET", None));
        let (spread, fast) = (probe("/spread")?, probe("/fast")?);

        // 1. p95 at a fixed rate.
        let ours = run(&net, &spread, Bounds { max_in_flight: 50, ..Bounds::new(200.0, 10) }, 1, CancellationToken::new()).await;
        let our_p95 = ours.steps[0].latency.as_ref().map_or(f64::NAN, |p| p.p95_ms);
        println!("p95 at 200 requests/s for 10 s (corrected for coordinated omission), /spread (2–21 ms):");
        println!(
            "  preflight: {our_p95:.2} ms  ({} sent, {} dropped, {} late)",
            ours.steps[0].sent, ours.steps[0].dropped, ours.steps[0].late
        );
        let Some(bin) = std::env::var("OHA").ok() else {
            println!("  oha: not run (set OHA, or use scripts/bench-latency.sh, which installs it)");
            return Ok::<(), Box<dyn std::error::Error>>(());
        };
        let theirs = tokio::task::block_in_place(|| {
            oha(&bin, &bed, &ca, &["-z", "10s", "-q", "200", "-c", "50", "--latency-correction"], "/spread")
        });
        let their_p95 = theirs.as_ref().and_then(|v| v["latencyPercentiles"]["p95"].as_f64()).map_or(f64::NAN, |s| s * 1000.0);
        println!("  oha:       {their_p95:.2} ms");
        println!("  ratio preflight / oha: {:.3} (goal 0.95–1.05)", our_p95 / their_p95);

        // 2. The highest sustained rate.
        let theirs = tokio::task::block_in_place(|| oha(&bin, &bed, &ca, &["-z", "5s", "-c", "50"], "/fast"));
        let their_rate = theirs.as_ref().and_then(|v| v["summary"]["requestsPerSec"].as_f64()).unwrap_or(f64::NAN);
        let mut best = 0.0f64;
        for rate in [1000.0, 2000.0, 4000.0, 8000.0, 12_000.0, 16_000.0, 24_000.0, 32_000.0, 48_000.0, 64_000.0, 80_000.0, 100_000.0] {
            let r = run(
                &net,
                &fast,
                Bounds { max_in_flight: 50, max_requests: 1_000_000, ..Bounds::new(rate, 3) },
                1,
                CancellationToken::new(),
            )
            .await;
            let s = &r.steps[0];
            let kept = s.achieved_rate >= 0.95 * rate && s.dropped * 1000 <= s.sent.max(1) && s.errors == 0;
            println!(
                "  preflight at {rate:>6.0}/s asked: {:.0}/s answered, {} dropped, {} late{}",
                s.achieved_rate,
                s.dropped,
                s.late,
                if kept { "" } else { " (not kept)" }
            );
            if !kept {
                break;
            }
            best = s.achieved_rate;
        }
        println!("highest sustained rate, /fast, 50 connections, {} cores:", std::thread::available_parallelism().map_or(0, |n| n.get()));
        println!("  preflight: {best:.0} requests/s (open loop, the highest rate kept)");
        println!("  oha:       {their_rate:.0} requests/s (closed loop, as fast as it goes)");
        println!("  ratio preflight / oha: {:.2} (goal ≥ 0.8)", best / their_rate);
        Ok(())
    })?;
    Ok(())
}
