//! The flags of `preflight flow run` and `preflight webhook replay`: the product's paths and its
//! webhook replays, with the formats and exit rules a CI gate reads.

use super::{Format, NetArgs};
use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct FlowArgs {
    #[command(subcommand)]
    pub action: FlowAction,
}

#[derive(Debug, Subcommand)]
pub enum FlowAction {
    /// Runs the product's flows (or only those NAMEd), one session each. Exit 0 when every one
    /// passes, 1 when a path fails, 4 when one could not be run (network, a missing key), 2 for bad
    /// settings.
    Run {
        domain: String,
        /// Only these flows (by name).
        names: Vec<String>,
        /// Read the flows from this preflight.toml instead of the product's saved settings.
        #[arg(long, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = FlowFormat::Text)]
        format: FlowFormat,
        #[arg(long, value_enum, default_value_t = FlowFailOn::Fail)]
        fail_on: FlowFailOn,
        #[command(flatten)]
        net: NetArgs,
    },
}

#[derive(Debug, Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    pub action: WebhookAction,
}

#[derive(Debug, Subcommand)]
pub enum WebhookAction {
    /// Replays the product's webhooks (or only those NAMEd). Exit 0 when each takes the real event
    /// and refuses the forged ones, 1 when one does not, 4 when one could not be judged (network, a
    /// missing key, the real event refused), 2 for bad settings or without --yes.
    Replay {
        domain: String,
        /// Only these webhooks (by name).
        names: Vec<String>,
        /// Read the webhooks from this preflight.toml instead of the product's saved settings.
        #[arg(long, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Send the events (without it, Preflight says what it would send and sends nothing).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        net: NetArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowFormat {
    Text,
    Json,
    /// One testcase per step, for CI.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowFailOn {
    Fail,
    Never,
}
