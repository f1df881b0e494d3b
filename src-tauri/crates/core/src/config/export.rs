//! A product's monitors written out as a `preflight.toml` a headless watcher reads (`preflight
//! monitors DOMAIN --export F`, then `preflight watch --config F` on a server): the `[[monitors]]`
//! as the app keeps them, the `[[flows]]` the path monitors walk, and the `[[channels]]` by kind
//! and name only. Nothing secret is written: a monitor names its keychain entry, a channel's
//! address stays on this computer, and the server is given both through its environment.

use super::{ChannelConfig, MonitorConfig};
use crate::monitor::{MonitorSpec, ProbeSpec};
use serde::Serialize;

impl MonitorConfig {
    /// The table that reads back as `spec` (the inverse of the file's own reading).
    pub fn of(spec: &MonitorSpec) -> MonitorConfig {
        let base = MonitorConfig {
            name: spec.name.clone(),
            kind: spec.probe.kind().to_owned(),
            interval_secs: Some(spec.interval_secs),
            method: "GET".to_owned(),
            ..MonitorConfig::default()
        };
        match &spec.probe {
            ProbeSpec::Http {
                url,
                method,
                headers,
                body,
                secret,
                secret_header,
                secret_prefix,
                expect_status,
                up_below,
                keyword,
                json_field,
                json_equals,
                max_latency_ms,
            } => MonitorConfig {
                url: Some(url.clone()),
                method: method.clone(),
                headers: headers.iter().cloned().collect(),
                body: body.clone(),
                secret: secret.clone(),
                secret_header: secret_header.clone(),
                secret_prefix: secret_prefix.clone(),
                expect_status: *expect_status,
                up_below: (*up_below != 400).then_some(*up_below),
                keyword: keyword.clone(),
                json_field: json_field.clone(),
                json_equals: json_equals.clone(),
                max_latency_ms: *max_latency_ms,
                ..base
            },
            ProbeSpec::Cert { host, port } => MonitorConfig { host: Some(host.clone()), port: (*port != 443).then_some(*port), ..base },
            ProbeSpec::Dns { name, record, expect } => {
                MonitorConfig { host: Some(name.clone()), record: Some(record.clone()), expect: expect.clone(), ..base }
            }
            ProbeSpec::Audit { domain } | ProbeSpec::Domain { domain } => MonitorConfig { host: Some(domain.clone()), ..base },
            ProbeSpec::Flow { flow, .. } => MonitorConfig { flow: Some(flow.clone()), ..base },
        }
    }
}

#[derive(Serialize)]
struct File<'a> {
    domain: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    monitors: &'a [MonitorConfig],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    flows: &'a [toml::Table],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    channels: &'a [ChannelConfig],
}

/// The settings file of `domain` holding `monitors`, the `flows` they walk and the `channels`.
pub fn export(domain: &str, monitors: &[MonitorSpec], flows: &[toml::Table], channels: &[ChannelConfig]) -> Result<String, String> {
    let monitors: Vec<MonitorConfig> = monitors.iter().map(MonitorConfig::of).collect();
    let body = toml::to_string(&File { domain, monitors: &monitors, flows, channels }).map_err(|e| e.to_string())?;
    Ok(format!(
        "# The monitors of {domain}, exported by Preflight for a watcher on a server:\n\
         #   preflight watch --config THIS_FILE --keys-from-env\n\
         # No secret is in this file. On the server, give each channel's address as\n\
         # PREFLIGHT_CHANNEL_<NAME> and each key a monitor or path names as PREFLIGHT_KEY_<NAME>\n\
         # (docs/watch-server.md).\n\n{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ProductConfig;
    use crate::monitor::default_set;
    use crate::target::Target;
    use crate::Domain;

    #[test]
    fn every_kind_of_monitor_reads_back_as_it_was_and_nothing_secret_is_written() {
        let domain = Domain::parse("acme.test").expect("domain");
        let mut specs = default_set(&Target::with_defaults(domain), &["www.acme.test".to_owned()]);
        let mut api = ProbeSpec::get("https://api.acme.test/health");
        if let ProbeSpec::Http { secret, json_field, json_equals, up_below, headers, .. } = &mut api {
            *secret = Some("api-token".into());
            *json_field = Some("status".into());
            *json_equals = Some("ok".into());
            *up_below = 500;
            headers.push(("accept".into(), "application/json".into()));
        }
        specs.push(MonitorSpec { name: "API health".into(), interval_secs: 30, probe: api });
        specs.push(MonitorSpec {
            name: "Mail".into(),
            interval_secs: 300,
            probe: ProbeSpec::Dns { name: "acme.test".into(), record: "MX".into(), expect: vec!["10 mx.acme.test".into()] },
        });
        specs.push(MonitorSpec {
            name: "Sign in".into(),
            interval_secs: 900,
            probe: ProbeSpec::Flow { domain: "acme.test".into(), flow: "Sign in".into() },
        });
        let mut flow = toml::Table::new();
        flow.insert("name".into(), "Sign in".into());
        flow.insert("template".into(), "login".into());
        let channels = [ChannelConfig { name: "phone".into(), kind: "ntfy".into() }];
        let text = export("acme.test", &specs, &[flow], &channels).expect("export");
        let back = ProductConfig::parse("exported.toml", &text).expect("the export is a valid settings file");
        assert_eq!(back.monitors("exported.toml").expect("valid monitors"), specs, "{text}");
        assert_eq!(back.channels, channels);
        assert_eq!(back.flows.len(), 1);
        assert!(text.contains("secret = \"api-token\""), "the keychain entry's name, never a value: {text}");
    }
}
