//! Tracing to a daily rolling log file (7 kept) with secrets masked line by line.

use preflight_vault::redact::Redacting;
use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;

/// What is logged unless `PREFLIGHT_LOG` says otherwise.
pub const DEFAULT_FILTER: &str = "warn,preflight_desktop=info,preflight_core=info,preflight_flow=info,preflight_store=info";

/// Starts logging into `dir`; keep the guard alive for the app's lifetime so lines are flushed.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    // The appender prunes old files at start and complains when the folder is not there yet.
    // Logs name the founder's hosts and incidents: the folder and its files are the user's only.
    preflight_store::files::private_dir(dir).ok()?;
    let _ = preflight_store::files::private_files_in(dir);
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("preflight")
        .filename_suffix("log")
        .max_log_files(7)
        .build(dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    // Our own events at info; the DNS and HTTP libraries only when something goes wrong (the demo's
    // DNS server would otherwise log every answer it gives).
    let filter = tracing_subscriber::EnvFilter::try_from_env("PREFLIGHT_LOG").unwrap_or_else(|_| DEFAULT_FILTER.into());
    let installed = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(Redacting(writer)).try_init();
    installed.ok().map(|()| guard)
}

#[cfg(test)]
mod tests {
    use super::Redacting;
    use std::io::Write;

    #[test]
    fn a_monitor_spec_printed_by_a_span_keeps_its_credential_to_itself() {
        // What `#[instrument]` wrote for save_monitor before the spec was skipped: the Debug form.
        let mut probe = preflight_core::monitor::ProbeSpec::get("https://api.acme.test/?access_token=pl4nted-query-1");
        if let preflight_core::monitor::ProbeSpec::Http { headers, body, .. } = &mut probe {
            headers.push(("X-Api-Key".into(), "pl4nted-header-2".into()));
            *body = Some("{\"password\":\"pl4nted-body-3\"}".into());
        }
        let spec = preflight_core::monitor::MonitorSpec { name: "api".into(), interval_secs: 60, probe };
        let mut out = Redacting(Vec::new());
        // tracing's fmt layer formats a whole line, then writes it once.
        let line = format!("INFO save_monitor{{domain=\"acme.test\" spec={spec:?}}}: saved\n");
        out.write_all(line.as_bytes()).expect("write");
        let written = String::from_utf8(out.0).expect("utf8");
        for planted in ["pl4nted-query-1", "pl4nted-header-2", "pl4nted-body-3"] {
            assert!(!written.contains(planted), "{planted} reached the log: {written}");
        }
    }

    #[test]
    fn secrets_in_log_lines_are_masked_before_they_reach_the_file() {
        let mut out = Redacting(Vec::new());
        out.write_all(b"calling https://hooks.example/x?token=s3cr3t-value&a=1\n").expect("write");
        let written = String::from_utf8(out.0).expect("utf8");
        assert!(!written.contains("s3cr3t-value"), "the token must not reach the log: {written}");
        assert!(written.contains("token=********"), "{written}");
    }
}
