//! `preflight watch`, `preflight monitors` and `preflight deploy`: the shared watcher without a
//! window, for a spare machine or a small server, and the history it leaves.

use crate::args::{ChannelsAction, ChannelsArgs, DeployAction, DeployArgs, Format, MonitorsArgs, WatchArgs, WatchFormat};
use crate::{Failure, Outcome};
use preflight_core::config::ProductConfig;
use preflight_core::monitor::{MonitorSpec, ProbeSpec, WARN_BELOW_SECS};
use preflight_core::Domain;
use preflight_flow::{Flow, FlowError};
use preflight_store::WatchOp;
use preflight_watch::channels::{ChannelKind, Origin, Target};
use preflight_watch::{Event, Monitor, Reference, State, SystemClock, DEFAULT_REFERENCES};
use std::sync::Arc;

fn usage(e: impl std::fmt::Display) -> Failure {
    Failure::Usage(e.to_string())
}

fn storage(e: FlowError) -> Failure {
    Failure::Usage(e.to_string())
}

/// The settings file of --config, read once: its name and its contents.
fn config(a: &WatchArgs) -> Result<Option<(String, ProductConfig)>, Failure> {
    let Some(file) = &a.config else { return Ok(None) };
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| usage(format!("cannot read {name}: {e}")))?;
    let cfg = ProductConfig::parse(&name, &text).map_err(usage)?;
    Ok(Some((name, cfg)))
}

/// The monitors the arguments name, each with the product it belongs to.
fn wanted(a: &WatchArgs, config: Option<&(String, ProductConfig)>, flow: &Flow) -> Result<Vec<(String, MonitorSpec)>, Failure> {
    let mut out = Vec::new();
    for u in &a.urls {
        let probe = ProbeSpec::get(u);
        let host = probe.host().unwrap_or_default();
        // The name is shown, logged and notified: the public form, never a token in the query.
        let name = preflight_core::public::public_url(u).unwrap_or_else(|| host.clone());
        let spec = MonitorSpec { name, interval_secs: a.interval, probe }.validated(&host).map_err(usage)?;
        out.push((host, spec));
    }
    if let Some((name, cfg)) = config {
        let target = cfg.target(name).map_err(usage)?;
        let mut specs = cfg.monitors(name).map_err(usage)?;
        if specs.is_empty() {
            specs = preflight_core::monitor::default_set(&target, &flow.live_names(&target.domain));
        }
        out.extend(specs.into_iter().map(|s| (target.domain.to_string(), s)));
    }
    if let Some(d) = &a.domain {
        let domain = Domain::parse(d).map_err(usage)?;
        let stored = flow.stored_monitors(Some(&domain)).map_err(storage)?;
        if stored.is_empty() {
            return Err(usage(format!(
                "{domain} has no monitors yet; add the default set with: preflight monitors {domain} --add-defaults"
            )));
        }
        out.extend(stored.into_iter().map(|m| (m.domain, m.spec)));
    }
    if out.is_empty() {
        return Err(usage("name what to watch: --url https://acme.com/, --config preflight.toml or --domain acme.com"));
    }
    Ok(out)
}

/// The `[[channels]]` of --config, each with its address from `PREFLIGHT_CHANNEL_<NAME>` (and an
/// ntfy token from `PREFLIGHT_CHANNEL_<NAME>_TOKEN`): a server has no keychain, and the file holds
/// no address. A channel without its variable stops the start, naming the variable.
fn config_channels(config: Option<&(String, ProductConfig)>) -> Result<Vec<Target>, Failure> {
    let Some((name, cfg)) = config else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (i, c) in cfg.channels.iter().enumerate() {
        let kind = ChannelKind::parse(&c.kind)
            .ok_or_else(|| usage(format!("{name}: channel \"{}\" has kind \"{}\", not slack, discord, ntfy or webhook", c.name, c.kind)))?;
        let var = crate::env_host::var_name("PREFLIGHT_CHANNEL_", &c.name);
        let address = crate::env_host::read(&var)
            .ok_or_else(|| usage(format!("{name} sends alerts to \"{}\": set {var} to its {} address", c.name, kind.as_str())))?;
        let url = kind.check_url(address.expose()).map_err(|e| usage(format!("{var}: {e}")))?;
        let token = crate::env_host::read(&format!("{var}_TOKEN")).map(|t| t.expose().clone());
        out.push(Target { id: -(i as i64) - 1, name: c.name.clone(), kind, url, token });
    }
    Ok(out)
}

pub async fn watch(a: WatchArgs, flow: Arc<Flow>) -> Result<Outcome, Failure> {
    let config = config(&a)?;
    let wanted = wanted(&a, config.as_ref(), &flow)?;
    let outside = config_channels(config.as_ref())?;
    let references = if a.references.is_empty() {
        DEFAULT_REFERENCES.iter().filter_map(|r| Reference::parse(r).ok()).collect()
    } else {
        a.references.iter().map(|r| Reference::parse(r).map_err(usage)).collect::<Result<Vec<_>, _>>()?
    };
    let mut monitors = Vec::new();
    for (i, (domain, spec)) in wanted.into_iter().enumerate() {
        if spec.too_frequent() {
            eprintln!(
                "preflight: \"{}\" is probed every {} s; under {WARN_BELOW_SECS} s is rarely useful and can get this machine rate-limited.",
                spec.name, spec.interval_secs
            );
        }
        let id = if a.no_save {
            i as i64 + 1
        } else {
            let store = flow.store().map_err(storage)?;
            store.watch(WatchOp::SaveMonitor { domain: domain.clone(), spec: Box::new(spec.clone()) }).map_err(|e| usage(e.to_string()))?
        };
        monitors.push(Monitor::new(id, domain, spec));
    }
    let count = monitors.len();
    let (confirm, remind) = (a.confirm, a.remind);
    let (watcher, mut events) = flow
        .watch(
            monitors,
            references,
            |s| {
                // A headless watcher: its posts are tagged so the app can hear them (vantage).
                s.origin = Origin::Headless;
                s.channels.extend(outside);
                if let Some(n) = confirm {
                    // Exactly N failures, as documented: the two-minute rule does not cut in.
                    s.rules.confirm_failures = n;
                    s.rules.confirm_ms = u64::MAX;
                }
                if let Some(m) = remind {
                    s.reminder_every_ms = Some(m.saturating_mul(60_000));
                }
            },
            Arc::new(SystemClock),
            !a.no_save,
        )
        .await
        .map_err(|e| match e {
            FlowError::Settings(m) => Failure::Usage(m),
            e @ FlowError::ProductSettings(_) => Failure::Usage(e.to_string()),
            other => Failure::Internal(other.to_string()),
        })?;
    if a.format == WatchFormat::Text {
        eprintln!("preflight: watching {count} monitor{}; Ctrl-C stops.", if count == 1 { "" } else { "s" });
    }
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            e = events.recv() => match e {
                Some(e) => print(&e, a.format),
                None => break,
            },
        }
    }
    drop(watcher);
    if let Ok(store) = flow.store() {
        if !a.no_save {
            let _ = store.flush();
        }
    }
    if a.format == WatchFormat::Text {
        eprintln!("preflight: stopped.");
    }
    Ok(Outcome::Exit(0))
}

/// Ctrl-C, or SIGTERM where there is one (a service manager stopping it).
async fn stop_signal() {
    #[cfg(unix)]
    {
        let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
        match term {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn state_word(s: State) -> &'static str {
    match s {
        State::Up => "UP",
        State::Pending => "PENDING",
        State::Down => "DOWN",
        State::Paused => "PAUSED",
    }
}

fn print(e: &Event, format: WatchFormat) {
    use std::io::Write;
    let line = match (format, e) {
        (WatchFormat::Jsonl, Event::Changed { .. }) => serde_json::to_string(e).ok(),
        (WatchFormat::Jsonl, _) => None,
        (WatchFormat::Text, Event::Changed { at, monitor, from, to, cause, down_for_ms, .. }) => {
            let why = match (to, cause, down_for_ms) {
                (State::Paused, _, _) => " (this machine looks offline: nothing is judged until it is back)".to_owned(),
                (_, Some(c), _) => format!(" ({c})"),
                (_, None, Some(ms)) => format!(" (down for {})", preflight_watch::notice::duration_words(*ms)),
                _ => String::new(),
            };
            Some(format!("{}  {monitor}: {} -> {}{why}", clock(*at), state_word(*from), state_word(*to)))
        }
        (WatchFormat::Text, Event::Notice(n)) => Some(format!("{}  ** {} ** {}", clock(n.at), n.title, n.body)),
        (WatchFormat::Text, Event::Deploy { at, domain, version }) => {
            Some(format!("{}  {domain}: new deploy noticed ({version})", clock(*at)))
        }
        (WatchFormat::Text, Event::Network { at, online }) => {
            Some(format!("{}  {}", clock(*at), if *online { "back online" } else { "this machine looks offline" }))
        }
        (WatchFormat::Text, Event::ChannelFailed { at, channel, error }) => {
            Some(format!("{}  could not post to the channel \"{channel}\": {error}", clock(*at)))
        }
        (WatchFormat::Text, Event::Agreed { at, title, server_at, .. }) => Some(format!(
            "{}  {title}: the server watcher said so first (at {}) and alerted the channels; not sent again.",
            clock(*at),
            clock(*server_at)
        )),
        (WatchFormat::Text, Event::Sample { .. }) => None,
    };
    if let Some(line) = line {
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not worth a panic.
        let _ = writeln!(out, "{line}").and_then(|_| out.flush());
    }
}

fn clock(at_ms: u64) -> String {
    let secs = at_ms / 1000;
    let t = secs % 86_400;
    format!("{} {:02}:{:02}:{:02}", preflight_core::net::cert::date(secs as i64), t / 3600, (t % 3600) / 60, t % 60)
}

fn pct(p: Option<f64>) -> String {
    p.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}%"))
}

fn ms(v: Option<u64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v} ms"))
}

pub fn monitors(m: MonitorsArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let mut domain = m.domain.as_deref().map(Domain::parse).transpose().map_err(usage)?;
    if let (Some(file), Some(d)) = (&m.export, &domain) {
        let text = flow.export_monitors(d).map_err(storage)?;
        preflight_store::files::replace(file, text.as_bytes()).map_err(|e| usage(format!("cannot write {}: {e}", file.display())))?;
        eprintln!(
            "preflight: the monitors of {d} are in {}. On the server: preflight watch --config {} --keys-from-env (docs/watch-server.md).",
            file.display(),
            file.display()
        );
        return Ok(Outcome::Exit(0));
    }
    if let Some(file) = &m.import {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(file).map_err(|e| usage(format!("cannot read {name}: {e}")))?;
        let cfg = ProductConfig::parse(&name, &text).map_err(usage)?;
        let product = cfg.target(&name).map_err(usage)?.domain;
        let specs = cfg.monitors(&name).map_err(usage)?;
        if specs.is_empty() {
            return Err(usage(format!("{name} has no [[monitors]]")));
        }
        for spec in &specs {
            let saved = flow.save_monitor(&product, spec.clone()).map_err(storage)?;
            if let Some(note) = saved.note {
                eprintln!("preflight: {note}");
            }
        }
        if m.format == Format::Text {
            eprintln!("preflight: {} monitor{} of {product} saved.", specs.len(), if specs.len() == 1 { "" } else { "s" });
        }
        domain.get_or_insert(product);
    }
    if m.add_defaults {
        if let Some(d) = &domain {
            let rows = flow.add_default_monitors(d).map_err(storage)?;
            if m.format == Format::Text {
                eprintln!("preflight: {d} has {} monitors.", rows.len());
            }
        }
    }
    let all = flow.monitor_overview(domain.as_ref()).map_err(storage)?;
    match m.format {
        Format::Json => {
            let json = serde_json::json!({ "schema": 1, "monitors": all });
            println!("{}", serde_json::to_string_pretty(&json).map_err(|e| Failure::Internal(e.to_string()))?);
        }
        Format::Text if all.is_empty() => {
            println!("No monitors yet. Give a product the default set with: preflight monitors acme.com --add-defaults")
        }
        Format::Text => {
            println!(
                "{:>4}  {:<24}  {:<6}  {:>8}  {:>8}  {:>8}  {:>8}  product",
                "id", "monitor", "kind", "24 h", "7 d", "30 d", "p95 7 d"
            );
            for o in all {
                let m = &o.monitor;
                let off = if m.enabled { "" } else { "  (off)" };
                println!(
                    "{:>4}  {:<24}  {:<6}  {:>8}  {:>8}  {:>8}  {:>8}  {}{off}",
                    m.id,
                    m.spec.name.chars().take(24).collect::<String>(),
                    m.spec.probe.kind(),
                    pct(o.day.uptime_pct),
                    pct(o.week.uptime_pct),
                    pct(o.month.uptime_pct),
                    ms(o.week.p95_ms),
                    m.domain
                );
            }
        }
    }
    Ok(Outcome::Exit(0))
}

pub fn deploy(d: DeployArgs, flow: &Flow) -> Result<Outcome, Failure> {
    match d.action {
        DeployAction::Mark { domain, version } => {
            let domain = Domain::parse(&domain).map_err(usage)?;
            let id = flow.mark_deploy(&domain, version).map_err(storage)?;
            eprintln!("preflight: deploy {id} of {domain} marked.");
        }
        DeployAction::List { domain, format } => {
            let domain = Domain::parse(&domain).map_err(usage)?;
            let morning = flow.morning(&domain).map_err(storage)?;
            let deploys = flow.store().map_err(storage)?.deploys(domain.as_str(), 20).map_err(|e| usage(e.to_string()))?;
            match format {
                Format::Json => {
                    let json = serde_json::json!({ "schema": 1, "summary": morning, "deploys": deploys });
                    println!("{}", serde_json::to_string_pretty(&json).map_err(|e| Failure::Internal(e.to_string()))?);
                }
                Format::Text => {
                    println!("Uptime over 7 days: {}   p95 over 7 days: {}", pct(morning.uptime_7d_pct), ms(morning.p95_7d_ms));
                    println!(
                        "Errors since the last deploy: {}   p95 before / since it: {} / {}",
                        morning.errors_since_deploy,
                        ms(morning.p95_before_deploy_ms),
                        ms(morning.p95_since_deploy_ms)
                    );
                    for d in deploys {
                        println!("{}  {:<10}  {}", clock(d.at_ms.max(0) as u64), d.source, d.version.unwrap_or_default());
                    }
                }
            }
        }
    }
    Ok(Outcome::Exit(0))
}

pub async fn channels(c: ChannelsArgs, flow: &Flow) -> Result<Outcome, Failure> {
    let by_name = |name: &str| -> Result<i64, Failure> {
        let all = flow.channels().map_err(storage)?;
        all.into_iter()
            .find(|c| c.name == name)
            .map(|c| c.id)
            .ok_or_else(|| usage(format!("there is no channel named \"{name}\"; `preflight channels list` shows them")))
    };
    match c.action {
        ChannelsAction::List { format } => {
            let all = flow.channels().map_err(storage)?;
            match format {
                Format::Json => {
                    let json = serde_json::json!({ "schema": 1, "channels": all });
                    println!("{}", serde_json::to_string_pretty(&json).map_err(|e| Failure::Internal(e.to_string()))?);
                }
                Format::Text if all.is_empty() => {
                    println!("No channels: alerts show on this computer only. Add one with: preflight channels add slack NAME < url.txt")
                }
                Format::Text => {
                    for ch in all {
                        println!("{:<20}  {:<8}  {}", ch.name, ch.kind, ch.hint);
                    }
                }
            }
        }
        ChannelsAction::Add { kind, name } => {
            let kind = preflight_watch::channels::ChannelKind::parse(&kind)
                .ok_or_else(|| usage(format!("\"{kind}\" is not a channel kind; choose slack, discord, ntfy or webhook")))?;
            let mut input = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut input)
                .map_err(|e| usage(format!("cannot read the address: {e}")))?;
            let mut lines = input.lines().map(str::trim).filter(|l| !l.is_empty());
            let url = lines
                .next()
                .map(|l| preflight_vault::Sensitive::new(l.to_owned()))
                .ok_or_else(|| usage("give the channel's address on standard input"))?;
            let token = lines.next().map(|l| preflight_vault::Sensitive::new(l.to_owned()));
            let row = flow.add_channel(kind, &name, &url, token.as_ref()).map_err(|e| match e {
                FlowError::Invalid(m) => Failure::Usage(m),
                other => Failure::Internal(other.to_string()),
            })?;
            eprintln!(
                "preflight: channel \"{}\" added ({} {}); its address is in the keychain. Try it: preflight channels test {}",
                row.name, row.kind, row.hint, row.name
            );
        }
        ChannelsAction::Test { name, .. } => {
            let id = by_name(&name)?;
            flow.test_channel(id).await.map_err(|e| Failure::Usage(e.to_string()))?;
            eprintln!("preflight: the test message was delivered to \"{name}\".");
        }
        ChannelsAction::Remove { name } => {
            let id = by_name(&name)?;
            flow.remove_channel(id).map_err(|e| Failure::Internal(e.to_string()))?;
            eprintln!("preflight: channel \"{name}\" removed.");
        }
    }
    Ok(Outcome::Exit(0))
}
