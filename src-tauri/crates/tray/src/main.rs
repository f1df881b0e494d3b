//! `preflight-tray`: Preflight in the tray when no window is open.
//!
//! The desktop app hands over to it when its window closes (and at login): this process runs the
//! same watcher through the same flow (history, keychain, channels, mute and pause from
//! `watch.json`), sends the desktop notifications and shows the same tray menu, but links no
//! WebKit, so watching from the tray costs a fraction of the app's memory. "Open Preflight" hands
//! back: the watcher stops, the app starts, and outages in progress carry over through their open
//! incidents. The app stops it (SIGTERM, through `tray.pid` in the data folder) when it starts.
//! Linux only for now; elsewhere the app keeps its own tray.

#[cfg(target_os = "linux")]
mod linux;

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
    #[cfg(not(target_os = "linux"))]
    {
        eprintln!("preflight-tray: on this system the Preflight app keeps its own tray; start preflight-desktop instead.");
        ExitCode::from(2)
    }
}
