//! The flags of the commands that hold credentials: `preflight keys` (a product's keys in the
//! keychain) and `preflight providers` (a provider's token, checked with the provider first).

use super::{Format, NetArgs};
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub action: KeysAction,
}

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Save a key; its value is read from standard input (never from the command line, which shell
    /// history and `ps` keep): `preflight keys set acme.com api-token < token.txt`.
    Set { domain: String, name: String },
    /// The product's keys: names and when each was set, never a value.
    List {
        domain: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Remove a key from the keychain.
    Remove { domain: String, name: String },
}

#[derive(Debug, Args)]
pub struct ProvidersArgs {
    #[command(subcommand)]
    pub action: ProvidersAction,
}

#[derive(Debug, Subcommand)]
pub enum ProvidersAction {
    /// Check a read-only token with the provider, then keep it in the keychain:
    /// `preflight providers connect acme.com cloudflare < token.txt`.
    Connect {
        domain: String,
        /// cloudflare
        provider: String,
        #[command(flatten)]
        net: NetArgs,
    },
    /// Which providers the product has connected, and the permissions a token needs.
    List {
        domain: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Forget the provider's token (from the keychain and the history).
    Remove { domain: String, provider: String },
}
