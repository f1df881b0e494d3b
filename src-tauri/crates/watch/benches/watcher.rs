//! `cargo bench -p preflight-watch --bench watcher`: what the headless watcher costs, and how its
//! history scales. Three measurements, each against a peer in the same run:
//!
//! 1. 200 HTTPS monitors at a 30 s interval for 10 minutes of watcher time, against one testbed
//!    site: CPU time and peak RSS of `preflight watch`'s engine (a child process running the real
//!    `Watcher` with its SQLite recording, on a clock 20× real time) and of the peer, a Node timer
//!    loop with Node's HTTPS client (Uptime Kuma's monitoring runtime), making the same 4,000
//!    probes in the same 30 real seconds. CPU % of one core is reported for the real 30 s interval
//!    (CPU time ÷ 600 s), which is what the founder's laptop pays.
//! 2. Uptime % and p95 over 30 days for 20 monitors at one sample a minute: from Preflight's
//!    rollups, and from a raw heartbeat table holding every sample (the usual approach, Uptime
//!    Kuma's), in the same SQLite.
//! 3. The database size after a simulated year of those 20 monitors, retention running daily.

use preflight_core::monitor::{MonitorSpec, ProbeSpec};
use preflight_core::net::Overrides;
use preflight_store::{Sample, Store, WatchOp};
use preflight_testbed::{Product, Testbed};
use preflight_watch::{FastClock, Monitor, Reference, Settings, Watcher};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const MONITORS: usize = 200;
const INTERVAL_SECS: u32 = 30;
const SIMULATED_SECS: u64 = 600;
const SPEED: u64 = 20;
const HOST: &str = "bench.test";

fn main() {
    if std::env::var_os("PF_BENCH_CHILD").is_some() {
        child();
        return;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return eprintln!("no runtime: {e}"),
    };
    rt.block_on(async {
        let bed = match Testbed::start(Product::healthy(HOST, &["", "ref"])).await {
            Ok(b) => b,
            Err(e) => return eprintln!("testbed: {e}"),
        };
        let dir = std::env::temp_dir().join(format!("pf-watch-bench-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let ca = dir.join("ca.pem");
        let _ = std::fs::write(&ca, bed.ca.pem());
        println!(
            "1. {MONITORS} monitors every {INTERVAL_SECS} s for {} min of watcher time ({} probes), {SPEED}× compressed",
            SIMULATED_SECS / 60,
            MONITORS as u64 * SIMULATED_SECS / u64::from(INTERVAL_SECS)
        );
        let ours = run_child(&bed, &ca, &dir);
        let peer = run_peer(&bed, &ca);
        let real_secs = SIMULATED_SECS as f64;
        for (name, r) in [("preflight watcher", &ours), ("node poller (peer)", &peer)] {
            if let Some(r) = r {
                println!(
                    "   {name:<20} cpu {:>6} ms = {:>5.2}% of one core at the real interval · peak RSS {:>6.1} MiB · probes {} (failed {})",
                    r.cpu_ms,
                    r.cpu_ms as f64 / 1000.0 / real_secs * 100.0,
                    r.rss_kib as f64 / 1024.0,
                    r.probes,
                    r.failures
                );
            }
        }
        if let (Some(a), Some(b)) = (&ours, &peer) {
            println!(
                "   ratio (peer ÷ preflight): cpu {:.2}×, peak RSS {:.2}×",
                b.cpu_ms as f64 / a.cpu_ms.max(1) as f64,
                b.rss_kib as f64 / a.rss_kib.max(1) as f64
            );
        }
        history(&dir);
        let _ = std::fs::remove_dir_all(&dir);
    });
}

#[derive(Debug)]
struct Usage {
    cpu_ms: u64,
    rss_kib: u64,
    probes: u64,
    failures: u64,
}

fn parse(out: &[u8]) -> Option<Usage> {
    let text = String::from_utf8_lossy(out);
    let line = text.lines().rev().find(|l| l.starts_with('{'))?;
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    Some(Usage {
        cpu_ms: v["cpu_ms"].as_u64()?,
        rss_kib: v["peak_rss_kib"].as_u64()?,
        probes: v["probes"].as_u64().unwrap_or(0),
        failures: v["failures"].as_u64().unwrap_or(0),
    })
}

fn run_child(bed: &Testbed, ca: &Path, dir: &Path) -> Option<Usage> {
    let exe = std::env::current_exe().ok()?;
    let out = Command::new(exe)
        .env("PF_BENCH_CHILD", "1")
        .env("NAMESERVER", bed.dns.addr.to_string())
        .env("HTTPS_PORT", bed.web.https_addr.port().to_string())
        .env("CA_FILE", ca)
        .env("DATA_DIR", dir.join("watch-data"))
        .output()
        .ok()?;
    let usage = parse(&out.stdout);
    if usage.is_none() {
        eprintln!("the watcher child failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    usage
}

fn run_peer(bed: &Testbed, ca: &Path) -> Option<Usage> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer/poller.mjs");
    let out = Command::new("node")
        .arg(script)
        .env("MONITORS", MONITORS.to_string())
        .env("INTERVAL_MS", (u64::from(INTERVAL_SECS) * 1000 / SPEED).to_string())
        .env("RUN_MS", (SIMULATED_SECS * 1000 / SPEED).to_string())
        .env("HTTPS_PORT", bed.web.https_addr.port().to_string())
        .env("HOST_NAME", HOST)
        .env("CA_FILE", ca)
        .output();
    match out {
        Ok(o) => parse(&o.stdout),
        Err(e) => {
            eprintln!("node is needed for the peer: {e}");
            None
        }
    }
}

/// CPU time (user + system) and peak RSS of this process, from /proc.
fn self_usage() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<u64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // 100 ticks a second on Linux.
    (ticks * 10, hwm)
}

fn child() {
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return eprintln!("no runtime: {e}"),
    };
    rt.block_on(async {
        // The same overrides `preflight watch --nameserver --ca-file --connect-to` takes.
        let overrides = Overrides {
            nameservers: vec![env("NAMESERVER")],
            ca_files: vec![env("CA_FILE").into()],
            connect_to: vec![format!(":443::{}", env("HTTPS_PORT"))],
            timeout_secs: None,
            rdap_url: None,
            cloudflare_api: None,
            vercel_api: None,
        };
        let cfg = match overrides.into_config() {
            Ok(c) => c,
            Err(e) => return eprintln!("settings: {e}"),
        };
        let net = match preflight_core::Net::new(cfg).await {
            Ok(n) => n,
            Err(e) => return eprintln!("net: {e}"),
        };
        let store = match Store::open_in(Path::new(&env("DATA_DIR"))) {
            Ok(s) => Arc::new(s),
            Err(e) => return eprintln!("store: {e}"),
        };
        let mut monitors = Vec::new();
        for i in 0..MONITORS {
            let spec = MonitorSpec {
                name: format!("m{i}"),
                interval_secs: INTERVAL_SECS,
                probe: ProbeSpec::get(&format!("https://{HOST}/?m={i}")),
            };
            let id = store.watch(WatchOp::SaveMonitor { domain: HOST.into(), spec: Box::new(spec.clone()) }).unwrap_or(i as i64);
            monitors.push(Monitor::new(id, HOST, spec));
        }
        let mut settings = Settings::new(Reference::parse(&format!("https://ref.{HOST}/")).into_iter().collect());
        settings.store = Some(store.clone());
        let clock = Arc::new(FastClock::new(1_700_000_000_000, SPEED));
        let (watcher, mut events) = Watcher::start(net, clock, monitors, settings);
        let (mut probes, mut failures) = (0u64, 0u64);
        let deadline = tokio::time::Instant::now() + Duration::from_millis(SIMULATED_SECS * 1000 / SPEED);
        while let Ok(Some(e)) = tokio::time::timeout_at(deadline, events.recv()).await {
            if let preflight_watch::Event::Sample { ok, .. } = e {
                probes += 1;
                failures += u64::from(!ok);
            }
        }
        drop(watcher);
        let _ = store.flush();
        let (cpu_ms, rss_kib) = self_usage();
        println!("{}", serde_json::json!({ "cpu_ms": cpu_ms, "peak_rss_kib": rss_kib, "probes": probes, "failures": failures }));
    });
}

/// Measurements 2 and 3: rollups against a raw heartbeat table, and a year of history.
fn history(dir: &Path) {
    const N: i64 = 20;
    const MINUTE: i64 = 60_000;
    const DAY: i64 = 86_400_000;
    let store = match Store::open_in(&dir.join("year")) {
        Ok(s) => s,
        Err(e) => return eprintln!("store: {e}"),
    };
    let ids: Vec<i64> = (0..N)
        .filter_map(|i| {
            let spec = MonitorSpec { name: format!("m{i}"), interval_secs: 60, probe: ProbeSpec::get("https://bench.test/") };
            store.watch(WatchOp::SaveMonitor { domain: HOST.into(), spec: Box::new(spec) }).ok()
        })
        .collect();
    let start = 1_700_000_000_000i64 - 1_700_000_000_000i64 % DAY;
    let latency = |i: i64, m: i64| 80 + ((i * 7919 + m * 104_729) % 400) as u64;
    let raw = match rusqlite::Connection::open(dir.join("raw.sqlite3")) {
        Ok(c) => c,
        Err(e) => return eprintln!("raw: {e}"),
    };
    let _ = raw.execute_batch(
        "PRAGMA journal_mode = WAL; CREATE TABLE heartbeat (monitor_id INTEGER, at_ms INTEGER, ok INTEGER, latency_ms INTEGER);
         CREATE INDEX heartbeat_by_time ON heartbeat (monitor_id, at_ms);",
    );
    let written = Instant::now();
    for day in 0..365i64 {
        let mut batch = Vec::with_capacity((N * 1440) as usize);
        for (k, id) in ids.iter().enumerate() {
            for m in 0..1440i64 {
                let at = start + day * DAY + m * MINUTE;
                let ok = (m + k as i64 + day) % 997 != 0;
                batch.push(Sample { monitor_id: *id, at_ms: at, ok, latency_ms: ok.then(|| latency(k as i64, m)), cause: None });
            }
        }
        if day >= 335 {
            // The last 30 days also go to the raw heartbeat table the peer reads.
            if let Ok(tx) = raw.unchecked_transaction() {
                if let Ok(mut ins) = tx.prepare("INSERT INTO heartbeat VALUES (?1, ?2, ?3, ?4)") {
                    for s in &batch {
                        let _ = ins.execute(rusqlite::params![s.monitor_id, s.at_ms, s.ok, s.latency_ms.map(|v| v as i64)]);
                    }
                }
                let _ = tx.commit();
            }
        }
        let _ = store.watch(WatchOp::Samples(batch));
        let _ = store.watch(WatchOp::Prune { now_ms: start + (day + 1) * DAY });
    }
    let now = start + 365 * DAY;
    let _ = store.flush();
    println!("\n2. a year of {N} monitors at one sample a minute written in {:.1} s", written.elapsed().as_secs_f64());

    let runs = 20;
    let t = Instant::now();
    let mut w = None;
    for _ in 0..runs {
        w = store.window(&ids, now - 30 * DAY, now).ok();
    }
    let ours_ms = t.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    let t = Instant::now();
    let mut peer = (0i64, 0i64, 0i64);
    for _ in 0..runs {
        let count: (i64, i64) = raw
            .query_row("SELECT count(*), sum(ok) FROM heartbeat WHERE at_ms >= ?1 AND at_ms < ?2", [now - 30 * DAY, now], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap_or((0, 0));
        let p95: i64 = raw
            .query_row(
                "SELECT latency_ms FROM heartbeat WHERE at_ms >= ?1 AND at_ms < ?2 AND ok = 1 ORDER BY latency_ms LIMIT 1 OFFSET (SELECT CAST(count(*) * 0.95 AS INTEGER) FROM heartbeat WHERE at_ms >= ?1 AND at_ms < ?2 AND ok = 1)",
                [now - 30 * DAY, now],
                |r| r.get(0),
            )
            .unwrap_or(0);
        peer = (count.0, count.1, p95);
    }
    let peer_ms = t.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    if let Some(w) = w {
        println!(
            "   uptime and p95 over 30 days, all {N} monitors: preflight rollups {ours_ms:.2} ms ({} probes, {:.3}% up, p95 {} ms)",
            w.probes,
            w.uptime_pct.unwrap_or(0.0),
            w.p95_ms.unwrap_or(0)
        );
    }
    println!(
        "   raw heartbeat table (peer)  {peer_ms:.2} ms ({} probes, {:.3}% up, p95 {} ms) · ratio {:.1}×",
        peer.0,
        100.0 * peer.1 as f64 / peer.0.max(1) as f64,
        peer.2,
        peer_ms / ours_ms.max(0.001)
    );
    drop(store);
    let size =
        |p: &Path| std::fs::read_dir(p).map(|d| d.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum::<u64>()).unwrap_or(0);
    let raw_size = std::fs::metadata(dir.join("raw.sqlite3")).map(|m| m.len()).unwrap_or(0);
    println!(
        "\n3. database after a simulated year of {N} monitors: {:.1} MiB (raw 30-day heartbeat table alone: {:.1} MiB; a year of it would be about {:.0} MiB)",
        size(&dir.join("year")) as f64 / 1_048_576.0,
        raw_size as f64 / 1_048_576.0,
        raw_size as f64 / 1_048_576.0 * 365.0 / 30.0
    );
}
