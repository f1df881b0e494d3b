//! The flags of `preflight redteam` and `preflight evals run`: the chatbot's red team (bounded, sent
//! only with --yes) and the founder's own questions, with the formats a CI gate reads.

use super::NetArgs;
use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct RedteamArgs {
    pub domain: String,
    /// Read the chat path from this preflight.toml instead of the product's saved settings.
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Tries per attack (answers are random): 1 to 10.
    #[arg(long, value_name = "N", default_value_t = preflight_redteam::run::DEFAULT_GENERATIONS)]
    pub generations: u32,
    /// The most messages the run sends: 1 to 300.
    #[arg(long, value_name = "N", default_value_t = preflight_redteam::run::MAX_REQUESTS)]
    pub max_requests: u32,
    /// The code planted in the staging system prompt (default: the one saved in the keychain).
    #[arg(long, value_name = "TEXT")]
    pub canary: Option<String>,
    /// A distinctive line of the system prompt: its appearance in an answer is a leak (default: the
    /// one saved in the keychain).
    #[arg(long, value_name = "TEXT")]
    pub system_prompt_line: Option<String>,
    /// Send the messages (without it, Preflight says what it would send and sends nothing).
    #[arg(long)]
    pub yes: bool,
    #[arg(long, value_enum, default_value_t = RedteamFormat::Text)]
    pub format: RedteamFormat,
    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RedteamFormat {
    Text,
    Json,
    /// One rule per family, one result per attack that got through, for code scanning.
    Sarif,
}

#[derive(Debug, Args)]
pub struct EvalsArgs {
    #[command(subcommand)]
    pub action: EvalsAction,
}

#[derive(Debug, Subcommand)]
pub enum EvalsAction {
    /// Asks the product's `[[evals]]` questions of its chatbot, each in a fresh conversation. Exit 0
    /// when every answer is good, 1 when one is not, 4 when one got no answer, 2 for bad settings.
    Run {
        domain: String,
        /// Read the questions from this preflight.toml instead of the product's saved settings.
        #[arg(long, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = super::FlowFormat::Text)]
        format: super::FlowFormat,
        #[command(flatten)]
        net: NetArgs,
    },
}
