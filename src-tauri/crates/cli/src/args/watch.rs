//! The flags of the watcher's commands: `preflight watch` (the monitors, headless), `monitors`
//! (their uptime, the default set, an import), `deploy` (a release noticed by hand) and `channels`
//! (where alerts go).

use super::{Format, NetArgs};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WatchFormat {
    Text,
    /// One JSON object per line for every state change.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Product settings file: its [[monitors]], or the default set when it lists none.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Watch this address (an ad-hoc HTTP monitor); repeatable.
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
    /// Watch the monitors saved for this product (in the app or with `preflight monitors --add-defaults`).
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// Seconds between probes of --url monitors (1 or more; under 30 is rarely useful).
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub interval: u32,
    /// Consecutive failures before a monitor is DOWN (default: 3 failures or 2 minutes).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub confirm: Option<u32>,
    /// What proves this machine is online (HOST:PORT or URL); repeatable. Default: large public sites.
    #[arg(long = "reference", value_name = "HOST:PORT|URL")]
    pub references: Vec<String>,
    /// Remind every N minutes while something is down (30 at least; off by default).
    #[arg(long, value_name = "MINUTES")]
    pub remind: Option<u64>,
    #[arg(long, value_enum, default_value_t = WatchFormat::Text)]
    pub format: WatchFormat,
    /// Do not record samples and incidents in the history.
    #[arg(long)]
    pub no_save: bool,
    /// On a machine without a keychain (a server, a container): read the keys monitors and paths
    /// name from PREFLIGHT_KEY_<NAME>. The [[channels]] of --config always take their address from
    /// PREFLIGHT_CHANNEL_<NAME>.
    #[arg(long)]
    pub keys_from_env: bool,
    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Args)]
pub struct MonitorsArgs {
    /// The product's domain (all products when absent).
    pub domain: Option<String>,
    /// Give the product the default set: home page, API, login page, certificate, key endpoints, daily audit.
    #[arg(long, requires = "domain")]
    pub add_defaults: bool,
    /// Save the [[monitors]] of a product settings file (added, or edited by name), so the app's
    /// tray and `preflight watch --domain` run them.
    #[arg(long, value_name = "FILE")]
    pub import: Option<PathBuf>,
    /// Write the product's monitors (with the paths they walk and the channels by name, never an
    /// address or a key) to a settings file for a watcher on a server: `preflight watch --config FILE`.
    #[arg(long, value_name = "FILE", requires = "domain", conflicts_with = "import")]
    pub export: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(subcommand)]
    pub action: DeployAction,
}

#[derive(Debug, Subcommand)]
pub enum DeployAction {
    /// Mark a deploy of DOMAIN now (from CI, after the deploy step).
    Mark {
        domain: String,
        /// What went out: a tag, a commit.
        #[arg(long)]
        version: Option<String>,
    },
    /// List the recent deploys of DOMAIN with the errors since the last one.
    List {
        domain: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct ChannelsArgs {
    #[command(subcommand)]
    pub action: ChannelsAction,
}

#[derive(Debug, Subcommand)]
pub enum ChannelsAction {
    /// List the channels (their addresses stay in the keychain).
    List {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Add a channel; its address is read from standard input (never from the command line, which
    /// shell history and `ps` keep): `preflight channels add slack team < url.txt`. For ntfy, a
    /// second line may hold an access token.
    Add {
        /// slack, discord, ntfy or webhook.
        kind: String,
        /// A name to know it by.
        name: String,
    },
    /// Post a test message to a channel.
    Test {
        name: String,
        #[command(flatten)]
        net: NetArgs,
    },
    /// Remove a channel and its keychain entry.
    Remove { name: String },
}
