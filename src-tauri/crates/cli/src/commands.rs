//! The subcommands: thin glue between the arguments, the engine, the store and the renderers.

use crate::args::{AuditArgs, Cli, Command, DemoArgs, FailOn, Format, HistoryArgs, NetArgs};
use crate::render;
use crate::{Failure, Outcome};
use preflight_core::config::ProductConfig;
use preflight_core::net::Overrides;
use preflight_core::{audit, Area, AuditOptions, Domain, NetConfig, Report, Status, Target};
use preflight_store::Store;
use std::path::{Path, PathBuf};

pub async fn dispatch(cli: Cli) -> Result<Outcome, Failure> {
    let data_dir = cli.data_dir;
    match cli.command {
        Command::Audit(a) => run_audit(a, data_dir.as_deref()).await,
        Command::History(h) => history(h, data_dir.as_deref()),
        Command::Demo(d) => demo(d, data_dir.as_deref()).await,
    }
}

fn net_config(n: NetArgs) -> Result<NetConfig, Failure> {
    Overrides { nameservers: n.nameservers, ca_files: n.ca_files, connect_to: n.connect_to, timeout_secs: n.timeout }
        .into_config()
        .map_err(Failure::Usage)
}

fn target(a: &AuditArgs) -> Result<Target, Failure> {
    match (&a.config, &a.domain) {
        (Some(file), domain) => {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(file).map_err(|e| Failure::Usage(format!("cannot read {name}: {e}")))?;
            let cfg = ProductConfig::parse(&name, &text).map_err(|e| Failure::Usage(e.to_string()))?;
            let t = cfg.target(&name).map_err(|e| Failure::Usage(e.to_string()))?;
            if let Some(d) = domain {
                let d = Domain::parse(d).map_err(|e| Failure::Usage(e.to_string()))?;
                if d != t.domain {
                    return Err(Failure::Usage(format!("{name} is about {} but the command names {d}; give one or the other", t.domain)));
                }
            }
            Ok(t)
        }
        (None, Some(d)) => Ok(Target::new(Domain::parse(d).map_err(|e| Failure::Usage(e.to_string()))?)),
        (None, None) => Err(Failure::Usage("name the domain to audit, for example: preflight audit acme.com".into())),
    }
}

fn areas(only: &[String]) -> Result<Vec<Area>, Failure> {
    only.iter()
        .map(|a| {
            Area::parse(a).ok_or_else(|| {
                let all: Vec<_> = Area::ALL.iter().map(|a| a.as_str()).collect();
                Failure::Usage(format!("unknown area \"{a}\"; choose from {}", all.join(", ")))
            })
        })
        .collect()
}

fn open_store(dir: Option<&Path>) -> Result<Store, String> {
    let dir: PathBuf = match dir {
        Some(d) => d.to_owned(),
        None => preflight_store::default_dir().ok_or("this system has no app-data folder; pass --data-dir")?,
    };
    Store::open_in(&dir).map_err(|e| e.to_string())
}

/// Saves a report; a failure to save is reported but never loses the printed result.
fn save(report: &Report, source: &str, dir: Option<&Path>) {
    match open_store(dir).and_then(|s| s.save_report(report, source).map_err(|e| e.to_string())) {
        Ok(id) => tracing::info!(run = id, "saved to history"),
        Err(e) => eprintln!("preflight: this audit was not saved to the history: {e}"),
    }
}

fn print(report: &Report, format: Format) {
    match format {
        Format::Text => print!("{}", render::text(report)),
        Format::Json => println!("{}", render::json(report)),
    }
}

async fn run_audit(a: AuditArgs, data_dir: Option<&Path>) -> Result<Outcome, Failure> {
    let target = target(&a)?;
    let only = areas(&a.only)?;
    let cfg = net_config(a.net)?;
    let report =
        audit(&target, cfg, AuditOptions { only, ..AuditOptions::default() }).await.map_err(|e| Failure::Internal(e.to_string()))?;
    if !a.no_save {
        save(&report, "cli", data_dir);
    }
    print(&report, a.format);
    let threshold = match a.fail_on {
        FailOn::Warn => Status::Warn.gate_rank(),
        FailOn::Fail => Status::Fail.gate_rank(),
        FailOn::Never => u8::MAX,
    };
    let gated = report.findings.iter().any(|f| f.status.gate_rank() >= threshold && f.status.gate_rank() > 0);
    Ok(if gated { Outcome::Gated } else { Outcome::Clean })
}

fn history(h: HistoryArgs, data_dir: Option<&Path>) -> Result<Outcome, Failure> {
    let store = open_store(data_dir).map_err(Failure::Usage)?;
    if let Some(id) = h.show {
        let report = store.report(id).map_err(|e| Failure::Internal(e.to_string()))?;
        let report = report.ok_or_else(|| Failure::Usage(format!("there is no audit with id {id}; `preflight history` lists them")))?;
        print(&report, h.format);
        return Ok(Outcome::Clean);
    }
    let domain = match &h.domain {
        Some(d) => Some(Domain::parse(d).map_err(|e| Failure::Usage(e.to_string()))?.to_string()),
        None => None,
    };
    let runs = store.history(domain.as_deref(), h.limit).map_err(|e| Failure::Internal(e.to_string()))?;
    match h.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&runs).map_err(|e| Failure::Internal(e.to_string()))?),
        Format::Text if runs.is_empty() => println!("No audits yet. Run one with: preflight audit yourdomain.com"),
        Format::Text => {
            println!("{:>6}  {:<20}  {:<28}  {:>8}  {:>4}  {:>4}  {:>4}", "id", "when (UTC)", "domain", "source", "fail", "warn", "pass");
            for r in runs {
                let when = when(r.started_at_ms);
                let s = r.summary;
                println!("{:>6}  {when:<20}  {:<28}  {:>8}  {:>4}  {:>4}  {:>4}", r.id, r.domain, r.source, s.fail, s.warn, s.pass);
            }
        }
    }
    Ok(Outcome::Clean)
}

fn when(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let day = preflight_core::net::cert::date(secs);
    let t = secs.rem_euclid(86_400);
    format!("{day} {:02}:{:02}", t / 3600, (t % 3600) / 60)
}

async fn demo(d: DemoArgs, data_dir: Option<&Path>) -> Result<Outcome, Failure> {
    let bed = preflight_testbed::Testbed::start(preflight_testbed::demo::product()).await.map_err(|e| Failure::Internal(e.to_string()))?;
    let domain = Domain::parse(preflight_testbed::demo::DOMAIN).map_err(|e| Failure::Internal(e.to_string()))?;
    let report =
        audit(&Target::new(domain), bed.net_config(), AuditOptions::default()).await.map_err(|e| Failure::Internal(e.to_string()))?;
    save(&report, "demo", data_dir);
    print(&report, d.format);
    if d.serve {
        let ca_path = d.ca_out.unwrap_or_else(|| std::env::temp_dir().join("preflight-demo-ca.pem"));
        std::fs::write(&ca_path, bed.ca.pem()).map_err(|e| Failure::Internal(format!("cannot write {}: {e}", ca_path.display())))?;
        let args = bed.cli_args();
        eprintln!("\nThe sample product {} is running on this computer. Point Preflight at it with:", bed.domain);
        println!("PREFLIGHT_NAMESERVER={}", bed.dns.addr);
        println!("PREFLIGHT_CA_FILE={}", ca_path.display());
        println!("PREFLIGHT_CONNECT_TO={},{}", args[3], args[5]);
        eprintln!("Press Ctrl-C to stop it.");
        let _ = tokio::signal::ctrl_c().await;
    }
    Ok(Outcome::Clean)
}
