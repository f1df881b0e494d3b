//! `preflight`: the engine of the desktop app, for terminals, scripts and CI gates.
//!
//! Exit codes (DESIGN §3): 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 bad usage
//! or config, with a message saying what to type instead; 3 an internal error. Nothing here knows how
//! a check works: it parses, calls `preflight_core::audit`, saves through `preflight_store`, prints.

mod args;
mod commands;
mod render;

use clap::Parser;
use std::process::ExitCode;

/// How a command ended, mapped to the documented exit codes.
#[derive(Debug)]
pub enum Outcome {
    /// 0
    Clean,
    /// 1
    Gated,
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
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("PREFLIGHT_LOG").unwrap_or_else(|_| "off".into()))
        .with_writer(std::io::stderr)
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
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Gated) => ExitCode::from(1),
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
