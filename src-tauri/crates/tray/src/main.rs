//! `preflight-tray`: Preflight in the tray when no window is open.
//!
//! The desktop app hands over to it when its window closes (and at login): this process runs the
//! same watcher through the same flow (history, keychain, channels, mute and pause from
//! `watch.json`), sends the desktop notifications and shows the same tray menu, but links no
//! WebKit, so watching from the tray costs a fraction of the app's memory. "Open Preflight" hands
//! back: the watcher stops, the app starts, and outages in progress carry over through their open
//! incidents. The app stops it when it starts: SIGTERM to the pid in `tray.pid` (Linux, macOS),
//! or the file `tray.stop` in the data folder (Windows). What every system shares is in
//! `shared.rs`; the main loop is GTK's on Linux and tao's on macOS and Windows (`native.rs`, written
//! for those systems and not built on the Linux machines that test this project).

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
mod shared;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(any(target_os = "macos", target_os = "windows"))]
mod native;

use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("PREFLIGHT_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(preflight_vault::redact::Redacting(std::io::stderr))
        .init();
    #[cfg(target_os = "linux")]
    {
        linux::run()
    }
    #[cfg(any(target_os = "macos", target_os = "windows"))]
    {
        native::run()
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    {
        eprintln!("preflight-tray: on this system the Preflight app keeps its own tray; start preflight-desktop instead.");
        ExitCode::from(2)
    }
}
