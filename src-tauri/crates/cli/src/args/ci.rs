//! `preflight ci`: the one command a pipeline runs after a deploy, and where its reports go.

use super::{FailOnArg, NetArgs};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CiArgs {
    /// The product's domain, e.g. acme.com (optional with --config).
    pub domain: Option<String>,
    /// Product settings file (default: preflight.toml in the checkout, when there is one, else
    /// the settings the app saved for the domain).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write preflight.junit.xml, preflight.sarif and preflight.md here (created when missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The repository checkout whose code and git history are scanned for keys.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub checkout: PathBuf,
    /// The deployed environment's env file to check against the example (skipped when not given).
    #[arg(long, value_name = "FILE")]
    pub env: Option<PathBuf>,
    /// The example env file (default: .env.example in the checkout).
    #[arg(long, value_name = "FILE")]
    pub example: Option<PathBuf>,
    /// Exit with 1 when a finding of any part is at or above this level (4 when nothing is, but a
    /// part could not look).
    #[arg(long, value_enum, default_value_t = FailOnArg::Fail)]
    pub fail_on: FailOnArg,
    /// Audit only the names in the settings (no discovery of common and certificate-log names).
    #[arg(long)]
    pub no_discover: bool,
    /// Discover common names only; do not read certificate-transparency logs.
    #[arg(long, conflicts_with = "ct_url")]
    pub no_ct: bool,
    /// Where to read certificate-transparency logs (crt.sh's JSON format; {domain} is replaced).
    #[arg(long, value_name = "URL", default_value = preflight_core::discover::DEFAULT_CT_URL)]
    pub ct_url: String,
    #[command(flatten)]
    pub net: NetArgs,
}
