//! Does the audit run its independent work side by side? A product with ten names is audited through
//! a DNS server that holds every answer for a known delay, and the wall time is compared with the
//! longest chain of lookups any single check has to wait for, one after the other.
//!
//! `cargo bench -p preflight-core --bench concurrency`. The longest chain is two answers: a name that
//! does not exist needs its A/AAAA answer, then its CNAME (is it a dangling alias?); every other check
//! needs one answer before it connects (the addresses its name shares with the other checks of that
//! name, or the zone's SOA, NS, DS or CAA records, all asked at once). Connections themselves are on
//! loopback and take well under a millisecond. Goal: wall time ÷ (2 × delay) ≤ 1.5 — independent
//! lookups overlap instead of queueing. Measured twice: with discovery off, and on (its guesses are
//! the same two-answer chain, so it must not lengthen the audit).

use preflight_core::discover::Discover;
use preflight_core::{audit, AuditOptions, Domain, HostOrigin, Net, Target};
use preflight_testbed::{Product, Testbed};
use std::time::{Duration, Instant};

const DELAY: Duration = Duration::from_millis(200);
const CHAIN: u32 = 2;

fn main() {
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            std::process::exit(1);
        }
    };
    let labels = ["", "www", "app", "api", "auth", "docs", "blog", "status", "help", "shop"];
    // Nine names exist; "shop" does not (the two-answer chain).
    let product = Product::healthy("ten.test", &labels[..9]);
    let result = rt.block_on(async {
        let bed = Testbed::start_with_dns_delay(product, DELAY).await.map_err(|e| e.to_string())?;
        let mut target = Target::bare(Domain::parse("ten.test").map_err(|e| e.to_string())?);
        for l in &labels[1..] {
            target.add_host(l, HostOrigin::Configured, false);
        }
        let mut cfg = bed.net_config();
        cfg.timeouts.dns = Duration::from_secs(3);
        let plain = median_of_5(&cfg, &target, None).await?;
        // Discovery on (common names only: the testbed has no certificate logs): its ~45 guesses
        // run beside the listed names' checks.
        let discovering = median_of_5(&cfg, &target, Some(Discover { ct_url: None })).await?;
        Ok::<_, String>((plain, discovering, bed.dns.queries()))
    });
    match result {
        Ok((plain, discovering, queries)) => {
            let chain = DELAY * CHAIN;
            println!("Audit of a 10-name product, every DNS answer held {} ms ({} queries over 10 audits)", DELAY.as_millis(), queries);
            println!("longest chain of lookups:  {:>6} ms ({CHAIN} answers)", chain.as_millis());
            for (what, runs) in [("discovery off", plain), ("discovery on", discovering)] {
                let median = runs[runs.len() / 2];
                println!(
                    "{what:<14} wall, median of 5: {:>6} ms (min {} ms, max {} ms)   wall ÷ longest chain: {:.2} (goal ≤ 1.5)",
                    median.as_millis(),
                    runs[0].as_millis(),
                    runs[runs.len() - 1].as_millis(),
                    median.as_secs_f64() / chain.as_secs_f64()
                );
            }
        }
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            std::process::exit(1);
        }
    }
}

/// Five audits, each on a fresh `Net` (nothing cached: every lookup pays the delay), sorted.
async fn median_of_5(cfg: &preflight_core::NetConfig, target: &Target, discover: Option<Discover>) -> Result<Vec<Duration>, String> {
    let mut runs = Vec::new();
    for _ in 0..5 {
        let net = Net::new(cfg.clone()).await.map_err(|e| e.to_string())?;
        let started = Instant::now();
        let report = audit(&net, target, AuditOptions { discover: discover.clone(), ..AuditOptions::default() }).await;
        runs.push(started.elapsed());
        if report.summary.error > 0 {
            return Err(format!("an audit could not look: {:?}", report.summary));
        }
    }
    runs.sort();
    Ok(runs)
}
