//! Handing the tray over to `preflight-tray` and back.
//!
//! A process that has loaded WebKit stays heavy after its window closes (about 146 MiB PSS, most
//! of it libraries the webview pulled in). So when the last window closes, or the app is started
//! at login, the app stops its watcher, starts `preflight-tray` (the same watcher and tray without
//! WebKit, about 27 MiB) and exits; that process starts the app again on "Open Preflight". The app
//! stops it on start through `tray.pid`. Where `preflight-tray` is not installed beside the app (a
//! `cargo run`), the app keeps its own tray as before. On Linux the pid is checked through `/proc`;
//! macOS and Windows have no `/proc`, so there the tray's own lock on `tray.lock` says whether it
//! runs, and SIGTERM (macOS) or the file `tray.stop` (Windows) asks it to go (written for those
//! systems, not run on the Linux machines that test this project).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The file `preflight-tray` writes its pid to, in the data folder.
const PID_FILE: &str = "tray.pid";

/// The tray-only binary beside this one, when there is one.
pub fn tray_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let name = if cfg!(windows) { "preflight-tray.exe" } else { "preflight-tray" };
    Some(exe.parent()?.join(name)).filter(|p| p.is_file())
}

/// What became of a `preflight-tray` the pid file named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayStop {
    /// No tray-only process of ours was running (a missing or stale pid file, now removed).
    NotRunning,
    /// It was running and has exited: its watcher is stopped and its writes are done.
    Stopped,
    /// It is still running after SIGTERM and SIGKILL: the app must not start a second watcher.
    StillRunning(u32),
}

/// Whether `pid` is a `preflight-tray` of this user: the program it runs is the tray binary
/// (`/proc/PID/exe`, which no process can rename as it can its `comm`) and its owner is us. A
/// recycled pid that now belongs to another program or user is never signalled.
#[cfg(target_os = "linux")]
fn ours(pid: u32, tray: Option<&Path>) -> bool {
    use std::os::unix::fs::MetadataExt;
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let (Ok(theirs), Ok(mine)) = (std::fs::metadata(&proc), std::fs::metadata("/proc/self")) else { return false };
    if theirs.uid() != mine.uid() {
        return false;
    }
    let Ok(exe) = std::fs::read_link(proc.join("exe")) else { return false };
    match tray.and_then(|t| std::fs::canonicalize(t).ok()) {
        Some(t) => exe == t,
        // No tray beside this build (a test, a cargo run): the program's own file name decides.
        None => exe.file_name().is_some_and(|n| n == "preflight-tray"),
    }
}

#[cfg(target_os = "linux")]
fn alive(pid: u32) -> bool {
    // A zombie (exited, not yet reaped by its parent) holds no watcher and writes nothing.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit(')').next().and_then(|rest| rest.split_whitespace().next()).is_some_and(|state| state != "Z"))
}

#[cfg(target_os = "linux")]
fn wait_gone(pid: u32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

/// Stops a running `preflight-tray` of this user: SIGTERM, up to 3 s to write what it holds, then
/// SIGKILL. Says whether it is gone, so the app never runs a second watcher beside it.
#[cfg(target_os = "linux")]
pub fn stop_tray(data_dir: &Path) -> TrayStop {
    let file = data_dir.join(PID_FILE);
    let Some(pid) = std::fs::read_to_string(&file).ok().and_then(|t| t.trim().parse::<u32>().ok()) else { return TrayStop::NotRunning };
    if !ours(pid, tray_binary().as_deref()) || !alive(pid) {
        let _ = std::fs::remove_file(&file);
        return TrayStop::NotRunning;
    }
    let signal = |sig: &str| std::process::Command::new("kill").arg(sig).arg(pid.to_string()).status();
    let _ = signal("-TERM");
    if wait_gone(pid, Duration::from_secs(3)) {
        tracing::info!(pid, "the tray-only process handed the watcher back");
        return TrayStop::Stopped;
    }
    tracing::warn!(pid, "the tray-only process did not stop within 3 s; ending it");
    let _ = signal("-KILL");
    if wait_gone(pid, Duration::from_secs(1)) {
        let _ = std::fs::remove_file(&file);
        return TrayStop::Stopped;
    }
    TrayStop::StillRunning(pid)
}

/// The tray's lock file; held by a running `preflight-tray` (macOS, Windows).
#[cfg(not(target_os = "linux"))]
const LOCK_FILE: &str = "tray.lock";
/// The file that asks `preflight-tray` to stop where there is no SIGTERM (Windows).
#[cfg(windows)]
const STOP_FILE: &str = "tray.stop";

/// Whether a `preflight-tray` holds the data folder's tray lock (a lock goes with its process,
/// however it ends).
#[cfg(not(target_os = "linux"))]
fn tray_running(data_dir: &Path) -> bool {
    let Ok(file) = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(data_dir.join(LOCK_FILE)) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(_)) => false,
    }
}

/// Stops a running `preflight-tray` (macOS, Windows): asks it to go, then waits up to 3 s for it
/// to write what it holds and release its lock. Says whether it is gone.
#[cfg(not(target_os = "linux"))]
pub fn stop_tray(data_dir: &Path) -> TrayStop {
    let pid_file = data_dir.join(PID_FILE);
    let pid = std::fs::read_to_string(&pid_file).ok().and_then(|t| t.trim().parse::<u32>().ok()).unwrap_or(0);
    if !tray_running(data_dir) {
        let _ = std::fs::remove_file(&pid_file);
        return TrayStop::NotRunning;
    }
    #[cfg(unix)]
    if pid > 0 {
        let _ = std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
    }
    #[cfg(windows)]
    {
        let _ = std::fs::write(data_dir.join(STOP_FILE), b"stop");
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    while tray_running(data_dir) {
        if Instant::now() >= deadline {
            return TrayStop::StillRunning(pid);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_file(&pid_file);
    tracing::info!(pid, "the tray-only process handed the watcher back");
    TrayStop::Stopped
}

/// Starts `preflight-tray` with this process's environment, and the address of the release's
/// update manifest (`PREFLIGHT_UPDATE_URL`) so it can say once a day that a newer version is out;
/// returns whether it started.
pub fn start_tray(update_url: Option<String>) -> bool {
    let Some(bin) = tray_binary() else { return false };
    let mut cmd = std::process::Command::new(&bin);
    cmd.stdin(std::process::Stdio::null());
    if let Some(url) = update_url {
        cmd.env("PREFLIGHT_UPDATE_URL", url);
    }
    match cmd.spawn() {
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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_stale_pid_file_is_cleared_and_never_kills_another_process() {
        let dir = tempfile::tempdir().expect("temp");
        // The pid of this very test process: alive and ours, but not preflight-tray.
        std::fs::write(dir.path().join(PID_FILE), std::process::id().to_string()).expect("write");
        assert_eq!(stop_tray(dir.path()), TrayStop::NotRunning);
        assert!(!dir.path().join(PID_FILE).exists(), "the stale file is gone");
        assert_eq!(stop_tray(dir.path()), TrayStop::NotRunning);
    }

    #[test]
    fn a_process_renamed_preflight_tray_is_not_taken_for_it() {
        // `sleep` under another name: its comm can say anything, its exe stays /usr/bin/sleep.
        let mut child = std::process::Command::new("bash").args(["-c", "exec -a preflight-tray sleep 30"]).spawn().expect("spawn");
        let pid = child.id();
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::read_link(format!("/proc/{pid}/exe")).map_or(true, |e| e.file_name().is_some_and(|n| n == "bash")) {
            assert!(Instant::now() < deadline, "the child never became sleep");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!ours(pid, None), "a look-alike is not our tray");
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join(PID_FILE), pid.to_string()).expect("write");
        assert_eq!(stop_tray(dir.path()), TrayStop::NotRunning);
        assert!(alive(pid), "and it was never signalled");
        let _ = child.kill();
        let _ = child.wait();
    }
}
