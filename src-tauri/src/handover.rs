//! Handing the tray over to `preflight-tray` and back (Linux).
//!
//! A process that has loaded WebKit stays heavy after its window closes (about 146 MiB PSS, most
//! of it libraries the webview pulled in). So when the last window closes, or the app is started
//! at login, the app stops its watcher, starts `preflight-tray` (the same watcher and tray without
//! WebKit, about 27 MiB) and exits; that process starts the app again on "Open Preflight". The app
//! stops it on start through `tray.pid`. Where `preflight-tray` is not installed beside the app (a
//! `cargo run`, another platform), the app keeps its own tray as before.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The file `preflight-tray` writes its pid to, in the data folder.
const PID_FILE: &str = "tray.pid";

/// The tray-only binary beside this one, when there is one and this platform uses it.
pub fn tray_binary() -> Option<PathBuf> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join("preflight-tray")).filter(|p| p.is_file())
}

/// Stops a running `preflight-tray` (SIGTERM, then waits up to 3 s for it to write what it holds).
pub fn stop_tray(data_dir: &Path) {
    let file = data_dir.join(PID_FILE);
    let Some(pid) = std::fs::read_to_string(&file).ok().and_then(|t| t.trim().parse::<u32>().ok()) else { return };
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let is_tray = std::fs::read_to_string(proc.join("comm")).is_ok_and(|c| c.trim().starts_with("preflight-tra"));
    if !is_tray {
        let _ = std::fs::remove_file(&file);
        return;
    }
    let _ = std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(3);
    while proc.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    tracing::info!(pid, "the tray-only process handed the watcher back");
}

/// Starts `preflight-tray` with this process's environment; returns whether it started.
pub fn start_tray() -> bool {
    let Some(bin) = tray_binary() else { return false };
    match std::process::Command::new(&bin).stdin(std::process::Stdio::null()).spawn() {
        Ok(_) => {
            tracing::info!("the tray-only process took over the watcher");
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, "the tray-only process could not start; keeping the tray here");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_pid_file_is_cleared_and_never_kills_another_process() {
        let dir = tempfile::tempdir().expect("temp");
        // The pid of this very test process: alive, but not preflight-tray.
        std::fs::write(dir.path().join(PID_FILE), std::process::id().to_string()).expect("write");
        stop_tray(dir.path());
        assert!(!dir.path().join(PID_FILE).exists(), "the stale file is gone");
        stop_tray(dir.path());
    }
}
