//! `preflight audit --only email` against checkdmarc, on the same zones, through a DNS server that
//! holds every answer 30 ms: wall times, their ratio, and whether the two agree on each zone's SPF
//! lookup count and DMARC policy.
//!
//! `cargo bench -p preflight-cli --bench email`. Needs `python3` (for a throwaway venv with
//! checkdmarc from PyPI, kept in ~/.cache/preflight/checkdmarc-venv) and port 53 on 127.0.0.1
//! (checkdmarc cannot be told another port), so run it as root or with CAP_NET_BIND_SERVICE.
//! Both tools check the same five domains one after the other; checkdmarc skips its SMTP TLS probe
//! (`--skip-tls`) and Preflight its name discovery (`--no-discover`), so both do DNS only.

use preflight_testbed::{DnsServer, Zone};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const DELAY: Duration = Duration::from_millis(30);
const CHECKDMARC: &str = "checkdmarc==6.0.4";

/// The zones: a simple record, a three-level include tree, one over the lookup limit, one with no
/// SPF and a monitoring-only DMARC, one with a partial quarantine.
fn zones() -> Vec<Zone> {
    let tree = |d: &str, levels: usize, fan: usize| {
        let mut z = Zone::new(d);
        let mut parents = vec![String::new()];
        for level in 0..levels {
            let mut next = Vec::new();
            for p in &parents {
                let kids: Vec<String> =
                    (0..fan).map(|i| format!("l{level}i{i}{}", if p.is_empty() { String::new() } else { format!(".{p}") })).collect();
                let incl: Vec<String> = kids.iter().map(|k| format!("include:{k}.{d}")).collect();
                let here = if p.is_empty() { String::new() } else { p.clone() };
                let record = format!("v=spf1 {} ~all", incl.join(" "));
                z = if here.is_empty() { z.txt("", &[&record]) } else { z.txt(&here, &[&record]) };
                next.extend(kids);
            }
            parents = next;
        }
        for leaf in &parents {
            z = z.txt(leaf, &["v=spf1 ip4:192.0.2.0/24 -all"]);
        }
        z
    };
    vec![
        Zone::new("simple.bench.test")
            .txt("", &["v=spf1 ip4:192.0.2.1 ~all"])
            .txt("_dmarc", &["v=DMARC1; p=reject; rua=mailto:d@simple.bench.test"]),
        tree("tree.bench.test", 2, 3).txt("_dmarc", &["v=DMARC1; p=quarantine"]),
        tree("over.bench.test", 2, 4).txt("_dmarc", &["v=DMARC1; p=reject"]),
        Zone::new("nospf.bench.test").txt("_dmarc", &["v=DMARC1; p=none"]),
        Zone::new("partial.bench.test").txt("", &["v=spf1 a mx ?all"]).txt("_dmarc", &["v=DMARC1; p=quarantine; pct=50"]),
    ]
}

fn main() {
    if let Err(e) = run() {
        eprintln!("benchmark failed: {e}");
        std::process::exit(1);
    }
}

fn venv() -> Result<PathBuf, String> {
    let dir = dirs_home().join(".cache/preflight/checkdmarc-venv");
    let bin = dir.join("bin/checkdmarc");
    if !bin.exists() {
        eprintln!("installing {CHECKDMARC} into {}", dir.display());
        let ok = Command::new("python3").args(["-m", "venv"]).arg(&dir).status().map_err(|e| e.to_string())?.success()
            && Command::new(dir.join("bin/pip")).args(["install", "-q", CHECKDMARC]).status().map_err(|e| e.to_string())?.success();
        if !ok {
            return Err("could not install checkdmarc".into());
        }
    }
    Ok(bin)
}

fn dirs_home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from)
}

fn run() -> Result<(), String> {
    let checkdmarc = venv()?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    let addr: SocketAddr = "127.0.0.1:53".parse().map_err(|e: std::net::AddrParseError| e.to_string())?;
    let zones = zones();
    let domains: Vec<String> = zones.iter().map(|z| z.origin().to_owned()).collect();
    let _dns = rt.block_on(DnsServer::start_at(addr, &zones, DELAY)).map_err(|e| format!("DNS on {addr}: {e} (run as root)"))?;

    let started = Instant::now();
    let out = Command::new(&checkdmarc)
        .args(["--skip-tls", "-n", "127.0.0.1", "-t", "5", "-f", "json"])
        .args(&domains)
        .output()
        .map_err(|e| e.to_string())?;
    let theirs_time = started.elapsed();
    let theirs: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("checkdmarc output: {e}: {}", String::from_utf8_lossy(&out.stderr)))?;
    let theirs: Vec<serde_json::Value> = theirs.as_array().cloned().unwrap_or_else(|| vec![theirs]);

    let preflight = env!("CARGO_BIN_EXE_preflight");
    let data = std::env::temp_dir().join("preflight-bench-email");
    let started = Instant::now();
    let mut ours = Vec::new();
    for d in &domains {
        let out = Command::new(preflight)
            .args([
                "audit",
                d,
                "--only",
                "email",
                "--no-discover",
                "--no-save",
                "--format",
                "json",
                "--nameserver",
                "127.0.0.1:53",
                "--data-dir",
            ])
            .arg(&data)
            .output()
            .map_err(|e| e.to_string())?;
        ours.push(serde_json::from_slice::<serde_json::Value>(&out.stdout).map_err(|e| format!("preflight output for {d}: {e}"))?);
    }
    let ours_time = started.elapsed();

    println!("Email audit of {} domains, every DNS answer held {} ms", domains.len(), DELAY.as_millis());
    println!("checkdmarc ({CHECKDMARC}):             {:>6} ms", theirs_time.as_millis());
    println!("preflight audit --only email:          {:>6} ms", ours_time.as_millis());
    println!("checkdmarc ÷ preflight:                {:>6.2} (goal ≥ 5)", theirs_time.as_secs_f64() / ours_time.as_secs_f64());
    println!("\n{:<22} {:>16} {:>16}   {:>12} {:>12}", "domain", "SPF lookups: cd", "preflight", "DMARC p: cd", "preflight");
    for (d, o) in domains.iter().zip(&ours) {
        // checkdmarc sorts its output: match by domain.
        let t = theirs.iter().find(|t| t["domain"].as_str() == Some(d.as_str())).cloned().unwrap_or_default();
        let find = |id: &str| o["findings"].as_array().and_then(|fs| fs.iter().find(|f| f["id"] == id)).cloned().unwrap_or_default();
        let cd_error = t["spf"]["error"].as_str().unwrap_or_default().to_owned();
        let cd_spf = match t["spf"]["dns_lookups"].as_u64() {
            Some(n) => n.to_string(),
            None if cd_error.contains("does not exist") => "no record".to_owned(),
            None => format!("error: {}", cd_error.chars().take(30).collect::<String>()),
        };
        let spf = find("email.spf");
        let pf_spf = match (spf["evidence"]["tree"]["record"].is_null(), spf["evidence"]["lookups"].as_u64()) {
            (true, _) => "no record".to_owned(),
            (false, Some(n)) => n.to_string(),
            (false, None) => "-".to_owned(),
        };
        let cd_p = t["dmarc"]["tags"]["p"]["value"].as_str().unwrap_or("-").to_owned();
        let pf_p = find("email.dmarc")["evidence"]["record"]["policy"].as_str().unwrap_or("-").to_owned();
        let agree = if cd_spf == pf_spf && cd_p == pf_p { "agree" } else { "DIFFER" };
        println!("{d:<22} {cd_spf:>16} {pf_spf:>16}   {cd_p:>12} {pf_p:>12}   {agree}");
    }
    println!("\nA different SPF count on a record over the limit is expected: RFC 7208 §4.6.4 stops evaluation at");
    println!("the 11th lookup (permerror) and checkdmarc reports where it stopped; Preflight goes on to count the");
    println!("whole tree (and names the 11th term), so the founder sees every problem in one run.");
    Ok(())
}
