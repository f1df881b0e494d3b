//! The command line, as clap sees it. Every flag of DESIGN §3 that this version implements.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

mod chatbot;
mod ci;
mod keys;
mod paths;
mod watch;
pub use chatbot::{EvalsAction, EvalsArgs, RedteamArgs, RedteamFormat};
pub use ci::CiArgs;
pub use keys::{KeysAction, KeysArgs, ProvidersAction, ProvidersArgs};
pub use paths::{FlowAction, FlowArgs, FlowFailOn, FlowFormat, WebhookAction, WebhookArgs};
pub use watch::{ChannelsAction, ChannelsArgs, DeployAction, DeployArgs, MonitorsArgs, WatchArgs, WatchFormat};

#[derive(Debug, Parser)]
#[command(
    name = "preflight",
    version,
    about = "Is your product ready for launch? Audits a domain's DNS, HTTPS, redirects, security headers, CORS, edge and email, walks you through the launch checklist and keeps watching."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Folder for the history database (default: the platform's app-data folder).
    #[arg(long, global = true, env = "PREFLIGHT_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a product from its domain.
    Audit(AuditArgs),
    /// List past audits, or show one.
    History(HistoryArgs),
    /// Start a sample product on this computer and audit it (no internet needed).
    Demo(DemoArgs),
    /// Keep watching a product (or some addresses) and say when something goes down; stops on Ctrl-C.
    Watch(WatchArgs),
    /// List a product's monitors with their uptime and p95, or give it the default set.
    Monitors(MonitorsArgs),
    /// Record deploys, so "errors since the last deploy" can be told.
    Deploy(DeployArgs),
    /// Where alerts go besides this computer: Slack, Discord, ntfy, a webhook.
    Channels(ChannelsArgs),
    /// A product's keys in this computer's keychain (what `secret = "…"` in the settings names):
    /// set one from standard input, list their names, remove one. No network.
    Keys(KeysArgs),
    /// A product's settings as the desktop app keeps them (`products/<domain>.toml` in the data
    /// folder): show them, check or save the window's form, import a repository's preflight.toml,
    /// export one. No network.
    Settings(SettingsArgs),
    /// The launch checklist: the seven stages, each item's state and the evidence behind it, the
    /// risks ranked by business impact; tick what only you can tell. Reads the history, no network.
    Checklist(ChecklistArgs),
    /// What changed between two audits: new problems, regressions, fixes (exit 1 when something
    /// new or worse appeared).
    Diff(DiffArgs),
    /// The handover document (Markdown or printable HTML) of a product. Reads the history, no network.
    Handover(HandoverArgs),
    /// Leaked keys in a folder, its git history and its env files (no network).
    Secrets(SecretsArgs),
    /// How fast endpoints answer one user: p50/p90/p95/p99 and each phase, cold and warm, and a
    /// stream's first token, judged against a target.
    Latency(LatencyArgs),
    /// Walk the product's paths as a customer does (its `[[flows]]`: sign in, then a page only a
    /// signed-in user gets), with the test account's keys from the keychain.
    Flow(FlowArgs),
    /// Replay the product's signed webhooks (`[[callbacks]]` naming a provider and a signing key): a
    /// real sample event, then forged twins it must refuse. Sends nothing without --yes.
    Webhook(WebhookArgs),
    /// Try to talk the product's chatbot into leaking (its chat path from `[[flows]]`): 44 attacks in
    /// eight families, each tried a few times with a marker of its own. Says the plan (messages,
    /// tokens, time) and sends nothing without --yes.
    Redteam(RedteamArgs),
    /// Ask the product's chatbot the founder's own questions (`[[evals]]`) and judge the answers.
    Evals(EvalsArgs),
    /// A bounded load test at a constant arrival rate (opt-in, your own hosts only): the highest
    /// rate that keeps p95 under target, with dropped and late requests counted.
    Load(LoadArgs),
    /// One gate for a pipeline after a deploy: the audit, the checkout's secrets scan, the env file
    /// against its example, the product's paths and its latency targets; one exit code, and with
    /// --out one JUnit file, one SARIF file and one Markdown summary. A part with nothing to run is
    /// skipped and said. Keys the paths need come from PREFLIGHT_KEY_<NAME> (the CI's secret store).
    Ci(CiArgs),
    /// The settings no outside check can see: connect a read-only Cloudflare token (read from
    /// standard input, checked with Cloudflare, kept in the keychain), list or remove it. Each audit
    /// of the product then reads the zone's settings too.
    Providers(ProvidersArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// What `preflight audit` prints: for people, for programs, or for a CI service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab).
    Sarif,
    /// JUnit XML, one testcase per finding.
    Junit,
    /// Markdown for a pull-request comment.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Warn,
    Fail,
    Never,
}

#[derive(Debug, Args)]
pub struct NetArgs {
    /// DNS server to ask instead of the system's (IP or IP:PORT); repeatable.
    #[arg(long = "nameserver", value_name = "IP[:PORT]", env = "PREFLIGHT_NAMESERVER", value_delimiter = ',')]
    pub nameservers: Vec<String>,
    /// Extra trusted root certificates (PEM), on top of the system's; repeatable.
    #[arg(long = "ca-file", value_name = "PEM", env = "PREFLIGHT_CA_FILE", value_delimiter = ',')]
    pub ca_files: Vec<PathBuf>,
    /// Send connections for HOST:PORT to ADDR:PORT instead, like curl; repeatable.
    #[arg(long = "connect-to", value_name = "HOST:PORT:ADDR:PORT", env = "PREFLIGHT_CONNECT_TO", value_delimiter = ',')]
    pub connect_to: Vec<String>,
    /// Deadline for each check, in seconds.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// The RDAP server to ask about the domain's registration, instead of the registry of its TLD
    /// (for a TLD Preflight does not know, or behind a proxy).
    #[arg(long = "rdap-url", value_name = "URL", env = "PREFLIGHT_RDAP_URL")]
    pub rdap_url: Option<String>,
    /// Cloudflare's API at another base address (a proxy, tests); the token travels only there.
    #[arg(long = "cloudflare-api", value_name = "URL", env = "PREFLIGHT_CLOUDFLARE_API")]
    pub cloudflare_api: Option<String>,
    /// Vercel's API at another base address (a proxy, tests); the token travels only there.
    #[arg(long = "vercel-api", value_name = "URL", env = "PREFLIGHT_VERCEL_API")]
    pub vercel_api: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The product's domain, e.g. acme.com (optional with --config).
    pub domain: Option<String>,
    /// Product settings file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    /// Exit with 1 when a finding is at or above this level (4 when nothing is, but a check could not look).
    #[arg(long, value_enum, default_value_t = FailOnArg::Fail)]
    pub fail_on: FailOnArg,
    /// Only these areas (dns, tls, redirects, headers, cors, …), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "AREA,...")]
    pub only: Vec<String>,
    #[command(flatten)]
    pub net: NetArgs,
    /// Do not save this run to the history.
    #[arg(long)]
    pub no_save: bool,
    /// Audit only the names given (no discovery of common names and certificate-log names).
    #[arg(long)]
    pub no_discover: bool,
    /// Discover common names only; do not read certificate-transparency logs.
    #[arg(long, conflicts_with = "ct_url")]
    pub no_ct: bool,
    /// A DKIM selector to look for (the part before ._domainkey); repeatable. Adds to
    /// [mail] dkim_selectors in the config.
    #[arg(long = "dkim-selector", value_name = "SELECTOR")]
    pub dkim_selectors: Vec<String>,
    /// Send a short burst (30 requests, 5 at a time) to each [[endpoints]] entry to see whether rate
    /// limiting kicks in. Real traffic: it shows in your logs. Said on stderr before it starts.
    #[arg(long)]
    pub probe_rate_limit: bool,
    /// Where to read certificate-transparency logs (crt.sh's JSON format; {domain} is replaced).
    #[arg(long, value_name = "URL", default_value = preflight_core::discover::DEFAULT_CT_URL)]
    pub ct_url: String,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only runs of this domain.
    #[arg(long)]
    pub domain: Option<String>,
    /// How many runs to list.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Show the full report of this run id.
    #[arg(long, value_name = "RUN_ID")]
    pub show: Option<i64>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Keep the sample product running after the audit, and print the settings that point the
    /// desktop app at it; stops on Ctrl-C.
    #[arg(long)]
    pub serve: bool,
    /// With --serve: write the sample product's CA certificate here (for PREFLIGHT_CA_FILE).
    #[arg(long, value_name = "PEM", requires = "serve")]
    pub ca_out: Option<PathBuf>,
    /// With --serve: write the sample product's settings (its paths and webhook) here, as a
    /// preflight.toml the app and `flow run --config` read.
    #[arg(long, value_name = "FILE", requires = "serve")]
    pub settings_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[command(subcommand)]
    pub action: SettingsAction,
}

#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// The settings as a form (json: the form, its revision, the file and each key's state), or
    /// the file itself (toml).
    Show {
        domain: String,
        #[arg(long, value_enum, default_value_t = SettingsFormat::Text)]
        format: SettingsFormat,
    },
    /// Checks a form (the JSON `show --format json` prints under "form") read from standard input:
    /// each refusal with its field. Exit 2 when something is refused.
    Check {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Saves a form read from standard input over the file as it was at --revision (from `show`);
    /// a file changed since is not overwritten (exit 2). Comments in the file are kept.
    Save {
        domain: String,
        #[arg(long)]
        revision: String,
    },
    /// Takes a repository's preflight.toml as the product's settings (comments and all).
    Import { domain: String, file: std::path::PathBuf },
    /// Writes the product's settings to FILE.
    Export { domain: String, file: std::path::PathBuf },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SettingsFormat {
    Text,
    Json,
    Toml,
}

#[derive(Debug, Args)]
pub struct ChecklistArgs {
    /// The product's domain (default: the last one audited).
    pub domain: Option<String>,
    /// Tick an item as done (its id, as `--format json` or the text output shows it).
    #[arg(long, value_name = "ITEM", conflicts_with = "untick")]
    pub tick: Option<String>,
    /// Un-tick an item (its note is kept).
    #[arg(long, value_name = "ITEM")]
    pub untick: Option<String>,
    /// The note that goes with --tick or --untick (what was done, where, by whom).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older run (an id from `preflight history`); alone, it is compared with the run before it.
    pub run_a: Option<i64>,
    /// The newer run.
    pub run_b: Option<i64>,
    /// Without run ids: compare the last two runs of this domain (default: the last domain audited).
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Markdown,
    Html,
}

#[derive(Debug, Args)]
pub struct HandoverArgs {
    /// The product's domain (default: the last one audited).
    pub domain: Option<String>,
    #[arg(long, value_enum, default_value_t = DocFormat::Markdown)]
    pub format: DocFormat,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning: each leak with its file, line and column.
    Sarif,
    /// JUnit XML, one testcase per finding.
    Junit,
    /// Markdown for a pull-request comment.
    Markdown,
}

#[derive(Debug, Args)]
pub struct SecretsArgs {
    #[command(subcommand)]
    pub action: SecretsAction,
}

#[derive(Debug, Subcommand)]
pub enum SecretsAction {
    /// Scan a folder's code (and with --history, every commit of its repository) for keys.
    Scan {
        /// The folder (a project's root).
        path: PathBuf,
        /// Also scan every version of every file in the git history.
        #[arg(long)]
        history: bool,
        /// Leave out the findings this baseline file accepts.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Write every problem found to this baseline file (to accept the current state).
        #[arg(long, value_name = "FILE")]
        write_baseline: Option<PathBuf>,
        #[command(flatten)]
        output: ScanOutputArgs,
    },
    /// Check an env file against an example file: missing or empty variables, localhost in
    /// production, and (with --other) secrets shared between two environments.
    Env {
        /// The example that lists every variable the app needs (.env.example).
        #[arg(long, value_name = "FILE")]
        example: PathBuf,
        /// The env file to check.
        #[arg(long, value_name = "FILE")]
        env: PathBuf,
        /// The other environment's file (staging's, when --env is production's).
        #[arg(long, value_name = "FILE")]
        other: Option<PathBuf>,
        /// Judge --env as production's (default: when its name says "prod").
        #[arg(long)]
        production: bool,
        #[command(flatten)]
        output: ScanOutputArgs,
    },
}

/// Where a scan's result goes and what fails the step (shared by `secrets scan` and `secrets env`).
#[derive(Debug, Args)]
pub struct ScanOutputArgs {
    /// Save the result as a run of this product, so its launch checklist counts it.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// Exit with 1 when a finding is at or above this level.
    #[arg(long, value_enum, default_value_t = FailOnArg::Fail)]
    pub fail_on: FailOnArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LatencyFailOn {
    /// Exit 1 when an endpoint is too slow for its target or failing.
    Slow,
    /// Exit 1 only when an endpoint is failing (wrong answers, no answers).
    Failing,
    Never,
}

#[derive(Debug, Args)]
pub struct LatencyArgs {
    /// The endpoints' addresses (https://api.acme.com/health); each is measured on its own.
    #[arg(required_unless_present = "config")]
    pub urls: Vec<String>,
    /// Measure the [[endpoints]] of a product settings file (kind, target, headers, body, and a
    /// keychain credential each).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub goal: GoalArgs,
    /// Requests on a kept-alive connection (the judged figure).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=2000))]
    pub samples: u32,
    /// Requests each on a new connection (DNS, connect and TLS included).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=500))]
    pub cold: u32,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[arg(long, value_enum, default_value_t = LatencyFailOn::Failing)]
    pub fail_on: LatencyFailOn,
    /// Also count the round trips a first visit to the first address costs on a phone, and project
    /// its time at --rtt.
    #[arg(long)]
    pub mobile: bool,
    /// With --mobile: a request the screen makes after the page, in order; repeatable.
    #[arg(long = "then", value_name = "URL", requires = "mobile")]
    pub then: Vec<String>,
    /// Do not keep this measurement in the history (by default each is kept, for "before and after").
    #[arg(long)]
    pub no_save: bool,
    /// With --mobile: the phone network's round-trip time in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 150, requires = "mobile")]
    pub rtt: u32,
    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The endpoint's address; its host must be one of your products (audited before) or confirmed with --mine.
    pub url: String,
    /// Requests per second (at the top step of a ramp); at most 100,000.
    #[arg(long, value_name = "R")]
    pub rate: f64,
    /// Seconds the run lasts; at most 300.
    #[arg(long, value_name = "SECS")]
    pub duration: u32,
    /// Climb to --rate in 4 equal steps and report the highest rate that keeps p95 under target.
    #[arg(long)]
    pub ramp: bool,
    /// Requests sent in all, at most (default 20,000).
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub max_requests: u64,
    /// Requests waiting at once, at most; a slot that comes when they are all taken is dropped and counted.
    #[arg(long, value_name = "N", default_value_t = 128)]
    pub max_in_flight: u32,
    /// Each request is given up after this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub request_timeout: u32,
    #[command(flatten)]
    pub goal: GoalArgs,
    /// Confirm the host is yours when it is not a product in the history.
    #[arg(long)]
    pub mine: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[arg(long, value_enum, default_value_t = LatencyFailOn::Failing)]
    pub fail_on: LatencyFailOn,
    #[command(flatten)]
    pub net: NetArgs,
}

/// The request, what the endpoint is and the p95 it should beat (shared by `latency` and `load`).
#[derive(Debug, Args)]
pub struct GoalArgs {
    /// HTTP method of every request.
    #[arg(long, default_value = "GET")]
    pub method: String,
    /// Request body, a template: the request number, {{random}} and {{now_ms}} are filled in for each request (docs/cli.md).
    #[arg(long, value_name = "TEXT")]
    pub body: Option<String>,
    /// What the endpoints are: cached-read, write, chat-send, streaming-chat, webhook, auth-callback
    /// (default: cached-read for GET, write otherwise). Sets the target.
    #[arg(long)]
    pub kind: Option<String>,
    /// p95 target in milliseconds (default: the kind's).
    #[arg(long, value_name = "MS")]
    pub target: Option<u32>,
}
