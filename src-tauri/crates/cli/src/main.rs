//! `preflight`: the engine of the desktop app, for terminals, scripts and CI gates.
//!
//! Exit codes (DESIGN §3): 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 bad usage
//! or config, with a message saying what to type instead; 3 an internal error; 4 incomplete (nothing
//! at or above `--fail-on`, but some checks could not look). 0, 1 and 4 are the engine's
//! `gate::verdict`, the same decision the desktop app makes. Nothing here knows how a check works:
//! it parses, runs the shared `preflight_flow::Flow`, prints.

mod args;
mod chatbot;
mod checklist;
mod ci;
mod commands;
mod env_host;
mod flows;
mod formats;
mod keys;
mod latency;
mod providers;
mod render;
mod sarif;
mod secrets;
mod settings;
mod watch;

use clap::Parser;
use std::process::ExitCode;

/// How a command ended.
#[derive(Debug)]
pub enum Outcome {
    /// The exit code the engine's verdict maps to (0, 1 or 4).
    Exit(u8),
}

/// Why a command could not do its job.
#[derive(Debug)]
pub enum Failure {
    /// 2: the user can fix it by changing what they typed.
    Usage(String),
    /// 3: our fault or the machine's.
    Internal(String),
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    // The history, baselines and handovers it writes are the user's alone (0600), like the app's.
    preflight_store::files::private_by_default();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("PREFLIGHT_LOG").unwrap_or_else(|_| "off".into()))
        .with_writer(preflight_vault::redact::Redacting(std::io::stderr))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("preflight: could not start: {e}");
            return ExitCode::from(3);
        }
    };
    let result = runtime.block_on(commands::dispatch(cli));
    match result {
        Ok(Outcome::Exit(code)) => ExitCode::from(code),
        Err(Failure::Usage(msg)) => {
            eprintln!("preflight: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(msg)) => {
            eprintln!("preflight: internal error: {msg}");
            ExitCode::from(3)
        }
    }
}
