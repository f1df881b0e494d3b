//! The subcommands: thin glue between the arguments, the shared audit flow and the renderers.

use crate::args::{AuditArgs, AuditFormat, Cli, Command, DemoArgs, FailOnArg, Format, HistoryArgs, NetArgs};
use crate::render;
use crate::{Failure, Outcome};
use preflight_core::checks::ratelimit::Burst;
use preflight_core::config::ProductConfig;
use preflight_core::discover::Discover;
use preflight_core::net::Overrides;
use preflight_core::{Area, Domain, FailOn, NetConfig, Report, Target, Verdict};
use preflight_flow::{AuditOutcome, AuditRequest, Flow, FlowError, Host, Source};
use std::path::PathBuf;
use std::sync::Arc;

/// The CLI as a host of the flow: it only names the data folder; progress and notifications are
/// the desktop's business.
struct CliHost {
    data_dir: Option<PathBuf>,
}

impl Host for CliHost {
    fn data_dir(&self) -> Option<PathBuf> {
        self.data_dir.clone()
    }
}

pub async fn dispatch(cli: Cli) -> Result<Outcome, Failure> {
    let host = Arc::new(CliHost { data_dir: cli.data_dir });
    match cli.command {
        Command::Audit(a) => {
            let cfg = net_config(&a.net);
            run_audit(a, Flow::new(host, cfg)).await
        }
        Command::History(h) => history(h, &Flow::new(host, Ok(NetConfig::default()))),
        Command::Demo(d) => demo(d, Flow::new(host, Ok(NetConfig::default()))).await,
        Command::Watch(w) => {
            let cfg = net_config(&w.net);
            let host: Arc<dyn preflight_flow::Host> = if w.keys_from_env { Arc::new(crate::env_host::EnvHost(host)) } else { host };
            crate::watch::watch(w, Arc::new(Flow::new(host, cfg))).await
        }
        Command::Monitors(m) => crate::watch::monitors(m, &Flow::new(host, Ok(NetConfig::default()))),
        Command::Deploy(d) => crate::watch::deploy(d, &Flow::new(host, Ok(NetConfig::default()))),
        Command::Channels(c) => {
            let cfg = match &c.action {
                crate::args::ChannelsAction::Test { net, .. } => net_config(net),
                _ => Ok(NetConfig::default()),
            };
            crate::watch::channels(c, &Flow::new(host, cfg)).await
        }
        Command::Keys(k) => crate::keys::keys(k, &Flow::new(host, Ok(NetConfig::default()))),
        Command::Settings(s) => crate::settings::settings(s, &Flow::new(host, Ok(NetConfig::default()))),
        Command::Checklist(c) => crate::checklist::checklist(c, &Flow::new(host, Ok(NetConfig::default()))),
        Command::Diff(d) => crate::checklist::diff(d, &Flow::new(host, Ok(NetConfig::default()))),
        Command::Handover(h) => crate::checklist::handover(h, &Flow::new(host, Ok(NetConfig::default()))),
        Command::Secrets(s) => crate::secrets::secrets(s, &Flow::new(host, Ok(NetConfig::default()))),
        Command::Latency(l) => {
            let cfg = net_config(&l.net);
            crate::latency::latency(l, &Flow::new(host, cfg)).await
        }
        Command::Flow(f) => {
            let crate::args::FlowAction::Run { net, .. } = &f.action;
            let cfg = net_config(net);
            crate::flows::flow(f, &Flow::new(host, cfg)).await
        }
        Command::Webhook(w) => {
            let crate::args::WebhookAction::Replay { net, .. } = &w.action;
            let cfg = net_config(net);
            crate::flows::webhook(w, &Flow::new(host, cfg)).await
        }
        Command::Redteam(r) => {
            let cfg = net_config(&r.net);
            crate::chatbot::redteam(r, &Flow::new(host, cfg)).await
        }
        Command::Evals(e) => {
            let crate::args::EvalsAction::Run { net, .. } = &e.action;
            let cfg = net_config(net);
            crate::chatbot::evals(e, &Flow::new(host, cfg)).await
        }
        Command::Load(l) => {
            let cfg = net_config(&l.net);
            crate::latency::load(l, &Flow::new(host, cfg)).await
        }
        Command::Ci(c) => {
            let cfg = net_config(&c.net);
            crate::ci::ci(c, &Flow::new(Arc::new(crate::env_host::EnvHost(host)), cfg)).await
        }
        Command::Providers(p) => {
            let cfg = match &p.action {
                crate::args::ProvidersAction::Connect { net, .. } => net_config(net),
                _ => Ok(NetConfig::default()),
            };
            crate::providers::providers(p, &Flow::new(host, cfg)).await
        }
    }
}

pub(crate) fn net_config(n: &NetArgs) -> Result<NetConfig, String> {
    Overrides {
        nameservers: n.nameservers.clone(),
        ca_files: n.ca_files.clone(),
        connect_to: n.connect_to.clone(),
        timeout_secs: n.timeout,
        rdap_url: n.rdap_url.clone(),
        cloudflare_api: n.cloudflare_api.clone(),
        vercel_api: n.vercel_api.clone(),
    }
    .into_config()
}

pub(crate) fn flow_failure(e: FlowError) -> Failure {
    match e {
        FlowError::Settings(m) => Failure::Usage(m),
        e @ FlowError::ProductSettings(_) => Failure::Usage(e.to_string()),
        other => Failure::Internal(other.to_string()),
    }
}

fn target(a: &AuditArgs) -> Result<Target, Failure> {
    target_of(a.config.as_deref(), a.domain.as_deref())
}

/// The target of a settings file and/or a domain; both must name the same product.
pub(crate) fn target_of(config: Option<&std::path::Path>, domain: Option<&str>) -> Result<Target, Failure> {
    match (config, domain) {
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
        (None, Some(d)) => Ok(Target::with_defaults(Domain::parse(d).map_err(|e| Failure::Usage(e.to_string()))?)),
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

fn print(report: &Report, format: Format) {
    match format {
        Format::Text => print!("{}", render::text(report)),
        Format::Json => println!("{}", render::json(report)),
    }
}

/// Prints the outcome; a failed save is said on stderr and never loses the printed result.
fn finish(out: &AuditOutcome, format: AuditFormat) -> Outcome {
    if let Some(e) = &out.save_error {
        eprintln!("preflight: this audit was not saved to the history: {e}");
    }
    match format {
        AuditFormat::Text => print(&out.report, Format::Text),
        AuditFormat::Json => print(&out.report, Format::Json),
        AuditFormat::Sarif => println!("{}", crate::sarif::render(&out.report)),
        AuditFormat::Junit => print!("{}", crate::formats::junit(&out.report)),
        AuditFormat::Markdown => print!("{}", crate::formats::markdown(&out.report)),
    }
    if out.verdict == Verdict::Incomplete && format != AuditFormat::Json {
        eprintln!("preflight: some checks could not look (see \"Couldn't check\"), so this audit is incomplete (exit 4).");
    }
    Outcome::Exit(out.verdict.exit_code())
}

async fn run_audit(a: AuditArgs, flow: Flow) -> Result<Outcome, Failure> {
    let mut target = target(&a)?;
    for s in &a.dkim_selectors {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() || !s.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')) {
            return Err(Failure::Usage(format!(
                "--dkim-selector \"{s}\" is not a selector (use the part before ._domainkey, like google or s1)"
            )));
        }
        if !target.mail.dkim_selectors.contains(&s) {
            target.mail.dkim_selectors.push(s);
        }
    }
    let only = areas(&a.only)?;
    let fail_on = match a.fail_on {
        FailOnArg::Warn => FailOn::Warn,
        FailOnArg::Fail => FailOn::Fail,
        FailOnArg::Never => FailOn::Never,
    };
    let discover = (!a.no_discover).then(|| Discover { ct_url: (!a.no_ct).then(|| a.ct_url.clone()) });
    let rate_limit = a.probe_rate_limit.then(Burst::default);
    if let Some(burst) = rate_limit {
        eprintln!("preflight: {}", burst.explain(&target));
    }
    let req = AuditRequest { target, source: Source::Cli, only, save: !a.no_save, fail_on, discover, rate_limit };
    let out = flow.audit(req).await.map_err(flow_failure)?;
    Ok(finish(&out, a.format))
}

fn history(h: HistoryArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let storage = |e: FlowError| Failure::Usage(e.to_string());
    if let Some(id) = h.show {
        let report = flow.report(id).map_err(storage)?;
        let report = report.ok_or_else(|| Failure::Usage(format!("there is no audit with id {id}; `preflight history` lists them")))?;
        print(&report, h.format);
        return Ok(Outcome::Exit(0));
    }
    let domain = match &h.domain {
        Some(d) => Some(Domain::parse(d).map_err(|e| Failure::Usage(e.to_string()))?.to_string()),
        None => None,
    };
    let runs = flow.history(domain.as_deref(), h.limit).map_err(storage)?;
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
    Ok(Outcome::Exit(0))
}

/// A UTC time as a founder reads it: `2026-11-25 09:30`.
pub fn when(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let day = preflight_core::net::cert::date(secs);
    let t = secs.rem_euclid(86_400);
    format!("{day} {:02}:{:02}", t / 3600, (t % 3600) / 60)
}

/// Keeps the sample running until Ctrl-C; Enter on the terminal or SIGUSR1 ships its broken release.
async fn serve_until_stopped(sample: &preflight_flow::DemoSettings) {
    let ship = || {
        if !sample.release.shipped() {
            sample.release.ship();
            eprintln!("A new release of the sample product is live: its chat now fails at the second message.");
        }
    };
    use tokio::io::AsyncBufReadExt as _;
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    #[cfg(unix)]
    let mut usr1 = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined1()).ok();
    loop {
        #[cfg(unix)]
        let signalled = async {
            match usr1.as_mut() {
                Some(s) => s.recv().await,
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let signalled = std::future::pending::<Option<()>>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return,
            Some(()) = signalled => ship(),
            line = lines.next_line(), if stdin_open => match line {
                Ok(Some(_)) => ship(),
                // No terminal (a script's /dev/null): only the signal ships.
                _ => stdin_open = false,
            },
        }
    }
}

async fn demo(d: DemoArgs, flow: Flow) -> Result<Outcome, Failure> {
    let out = flow.demo(Source::Demo).await.map_err(flow_failure)?;
    if let Some(e) = &out.save_error {
        eprintln!("preflight: this audit was not saved to the history: {e}");
    }
    print(&out.report, d.format);
    if d.serve {
        let settings = flow.demo_settings().await.ok_or_else(|| Failure::Internal("the sample product stopped".into()))?;
        let ca_path = d.ca_out.unwrap_or_else(|| std::env::temp_dir().join("preflight-demo-ca.pem"));
        std::fs::write(&ca_path, &settings.ca_pem).map_err(|e| Failure::Internal(format!("cannot write {}: {e}", ca_path.display())))?;
        eprintln!("\nThe sample product {} is running on this computer. Point Preflight at it with:", settings.domain);
        println!("PREFLIGHT_NAMESERVER={}", settings.nameserver);
        println!("PREFLIGHT_CA_FILE={}", ca_path.display());
        // Before PREFLIGHT_CONNECT_TO: the scripts that read these lines stop at that one.
        if let Some(url) = &settings.rdap_url {
            println!("PREFLIGHT_RDAP_URL={url}");
        }
        println!("PREFLIGHT_CONNECT_TO={}", settings.connect_to.join(","));
        if let Some(path) = &d.settings_out {
            std::fs::write(path, &settings.settings_toml)
                .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", path.display())))?;
            eprintln!("Its settings (five paths and a webhook) are in {}; its test account's keys:", path.display());
            for name in &settings.key_names {
                eprintln!("  preflight keys set {} {name}", settings.domain);
            }
            eprintln!("(the values are the sample's own, listed in docs/cli.md under `preflight demo`)");
        }
        eprintln!("Press Enter (or send SIGUSR1) to ship a release that breaks its chat; Ctrl-C stops it.");
        serve_until_stopped(&settings).await;
    }
    // The demo is a showcase, not a gate: its problems are the point.
    Ok(Outcome::Exit(0))
}
