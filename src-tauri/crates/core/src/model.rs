//! The shapes every check speaks in: [`Finding`] and [`Report`].
//!
//! These types are the contract of DESIGN §3: the CLI's JSON, the desktop app's IPC and the SQLite
//! history all serialize them the same way, so a field added here shows up everywhere at once. Enums
//! serialize in `snake_case` and never change spelling once shipped; `Report::SCHEMA` is bumped when
//! a field changes meaning.

use crate::check::CheckDef;
use serde::{Deserialize, Serialize};

/// How a check came out. `Error` means the check could not decide and is never a pass or a fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Looked, and it is right.
    Pass,
    /// Works today, but will hurt soon or under load.
    Warn,
    /// Broken now, or a launch blocker.
    Fail,
    /// Could not decide: timeout, no network, an answer we could not read.
    Error,
    /// Not applicable to this product, or depends on something that is missing.
    Skipped,
    /// Only the founder can tell; shown as "Your call".
    Manual,
}

impl Status {
    /// Every status, in the order a founder should read them: problems first.
    pub const BY_SEVERITY: [Status; 6] = [Status::Fail, Status::Warn, Status::Error, Status::Manual, Status::Pass, Status::Skipped];

    /// The word the founder sees (VOICE.md).
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "Passed",
            Status::Warn => "Needs attention",
            Status::Fail => "Problem",
            Status::Error => "Couldn't check",
            Status::Skipped => "Skipped",
            Status::Manual => "Your call",
        }
    }

    /// Rank for `--fail-on`: only warn and fail gate a build; an `error` is reported, not ranked,
    /// because a flaky network must not read as a broken product.
    pub fn gate_rank(self) -> u8 {
        match self {
            Status::Fail => 2,
            Status::Warn => 1,
            _ => 0,
        }
    }
}

/// Which part of the product a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Dns,
    Tls,
    Redirects,
    Edge,
    Headers,
    Cors,
    Email,
    Secrets,
    Performance,
    Monitoring,
    /// What the site answers beyond its pages: error pages, security.txt.
    Web,
    /// How search engines and shared links see the product.
    Seo,
    /// The hosting platform's deploys, read through its API (Vercel).
    Deploy,
}

impl Area {
    /// All areas, for `--only` parsing and documentation.
    pub const ALL: [Area; 13] = [
        Area::Dns,
        Area::Tls,
        Area::Redirects,
        Area::Edge,
        Area::Headers,
        Area::Cors,
        Area::Email,
        Area::Secrets,
        Area::Performance,
        Area::Monitoring,
        Area::Web,
        Area::Seo,
        Area::Deploy,
    ];

    /// The stable lower-case name used in ids, flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Dns => "dns",
            Area::Tls => "tls",
            Area::Redirects => "redirects",
            Area::Edge => "edge",
            Area::Headers => "headers",
            Area::Cors => "cors",
            Area::Email => "email",
            Area::Secrets => "secrets",
            Area::Performance => "performance",
            Area::Monitoring => "monitoring",
            Area::Web => "web",
            Area::Seo => "seo",
            Area::Deploy => "deploy",
        }
    }

    /// Parses the name used on the command line.
    pub fn parse(s: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.as_str() == s.trim().to_ascii_lowercase())
    }
}

/// The seven stages of the launch roadmap, in the order a founder walks them.
///
/// Named in code, numbered on the wire: the JSON, IPC and SQLite contract (DESIGN §3) carries the
/// stage as its number 1–7, which is what `serde` reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Stage {
    /// 1. Quick audit: what is there today.
    Audit = 1,
    /// 2. Routing and domain hygiene: names, certificates, redirects.
    Routing = 2,
    /// 3. Edge security, email and secrets: CDN/WAF, rate limits, headers, CORS, email authentication, keys.
    Edge = 3,
    /// 4. Safe production deploy.
    Deploy = 4,
    /// 5. Performance controls: latency, caching, load.
    Performance = 5,
    /// 6. Observability and alerting.
    Monitoring = 6,
    /// 7. Handover.
    Handover = 7,
}

impl Stage {
    pub const ALL: [Stage; 7] =
        [Stage::Audit, Stage::Routing, Stage::Edge, Stage::Deploy, Stage::Performance, Stage::Monitoring, Stage::Handover];

    /// The stage's number on the roadmap (1–7).
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The founder's name for the stage.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Audit => "Quick audit",
            Stage::Routing => "Routing and domain hygiene",
            Stage::Edge => "Edge security, email and secrets",
            Stage::Deploy => "Safe production deploy",
            Stage::Performance => "Performance controls",
            Stage::Monitoring => "Monitoring and alerts",
            Stage::Handover => "Handover",
        }
    }
}

impl From<Stage> for u8 {
    fn from(s: Stage) -> u8 {
        s.number()
    }
}

impl TryFrom<u8> for Stage {
    type Error = String;
    fn try_from(n: u8) -> Result<Stage, String> {
        Stage::ALL.into_iter().find(|s| s.number() == n).ok_or_else(|| format!("there is no launch stage {n} (stages are 1–7)"))
    }
}

/// What a problem costs the business; the ranking of risks is by impact first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    Downtime,
    DataExposure,
    Deliverability,
    UserExperience,
    Cost,
}

impl Impact {
    /// The founder's words for the impact (VOICE.md).
    pub fn label(self) -> &'static str {
        match self {
            Impact::Downtime => "downtime",
            Impact::DataExposure => "customer data exposure",
            Impact::Deliverability => "email landing in spam",
            Impact::UserExperience => "slow or broken experience",
            Impact::Cost => "money",
        }
    }
}

/// One result of one check about one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Finding {
    /// Stable dotted id, documented in docs/checks.md (`tls.cert.expiry`).
    pub id: String,
    pub area: Area,
    /// The roadmap stage this finding belongs to (a number 1–7 on the wire).
    #[cfg_attr(feature = "specta", specta(type = u8))]
    pub stage: Stage,
    /// The host, URL, file or record the finding is about.
    pub subject: String,
    pub status: Status,
    pub impact: Impact,
    /// The verdict: one plain sentence, subject first.
    pub title: String,
    /// Why it matters, in money, users or risk (empty for passes that need no reason).
    pub why: String,
    /// The technical explanation for an engineer.
    pub detail: String,
    /// Structured facts: records, headers, the redirect chain, timings.
    pub evidence: serde_json::Value,
    /// Numbered steps that fix it; empty when nothing needs doing.
    pub fix: Vec<String>,
    pub duration_ms: u64,
}

impl Finding {
    /// Starts a finding of the check `def` about `subject`. There is no default status: a check
    /// that forgets to decide must not read as a pass. The builder methods fill in the rest.
    pub fn new(def: &CheckDef, subject: impl Into<String>, status: Status) -> Self {
        Finding {
            id: def.id.to_owned(),
            area: def.area,
            stage: def.stage,
            subject: subject.into(),
            status,
            impact: def.impact,
            title: String::new(),
            why: String::new(),
            detail: String::new(),
            evidence: serde_json::Value::Null,
            fix: Vec::new(),
            duration_ms: 0,
        }
    }
    pub fn status(mut self, status: Status) -> Self {
        self.status = status;
        self
    }
    pub fn impact(mut self, impact: Impact) -> Self {
        self.impact = impact;
        self
    }
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }
    pub fn why(mut self, why: impl Into<String>) -> Self {
        self.why = why.into();
        self
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
    pub fn evidence(mut self, evidence: serde_json::Value) -> Self {
        self.evidence = evidence;
        self
    }
    pub fn fix<I, S>(mut self, steps: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fix = steps.into_iter().map(Into::into).collect();
        self
    }
}

/// Counts of findings by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Summary {
    pub pass: u32,
    pub warn: u32,
    pub fail: u32,
    pub error: u32,
    pub skipped: u32,
    pub manual: u32,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary::default();
        for f in findings {
            let slot = match f.status {
                Status::Pass => &mut s.pass,
                Status::Warn => &mut s.warn,
                Status::Fail => &mut s.fail,
                Status::Error => &mut s.error,
                Status::Skipped => &mut s.skipped,
                Status::Manual => &mut s.manual,
            };
            *slot += 1;
        }
        s
    }
}

/// The result of one audit run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Report {
    /// Version of this JSON shape; see [`Report::SCHEMA`].
    pub schema: u32,
    /// The root domain audited, in ASCII (punycode for international names).
    pub domain: String,
    /// Milliseconds since the Unix epoch when the run started.
    pub started_at_ms: i64,
    pub duration_ms: u64,
    pub summary: Summary,
    /// Findings ordered by severity, then impact, then id and subject.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Bumped whenever a field changes meaning or goes away.
    pub const SCHEMA: u32 = 1;

    /// Builds a report, putting the findings in the order a founder should read them.
    pub fn new(domain: String, started_at_ms: i64, duration_ms: u64, mut findings: Vec<Finding>) -> Self {
        sort_for_reading(&mut findings);
        Report { schema: Self::SCHEMA, summary: Summary::of(&findings), domain, started_at_ms, duration_ms, findings }
    }

    /// The worst gating status in the report (for exit codes and the tray).
    pub fn worst(&self) -> Option<Status> {
        self.findings.iter().map(|f| f.status).max_by_key(|s| s.gate_rank()).filter(|s| s.gate_rank() > 0)
    }
}

/// Problems first, then by business impact, then stable by id and subject so two runs diff cleanly.
pub fn sort_for_reading(findings: &mut [Finding]) {
    let rank = |s: Status| Status::BY_SEVERITY.iter().position(|x| *x == s).unwrap_or(usize::MAX);
    findings.sort_by(|a, b| {
        rank(a.status).cmp(&rank(b.status)).then(a.impact.cmp(&b.impact)).then(a.id.cmp(&b.id)).then(a.subject.cmp(&b.subject))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_serialize_in_the_documented_spelling() {
        let got = serde_json::to_string(&Status::Error).expect("serializes");
        assert_eq!(got, "\"error\"", "the JSON contract spells statuses in snake_case");
        assert_eq!(serde_json::to_string(&Impact::DataExposure).expect("serializes"), "\"data_exposure\"");
        assert_eq!(serde_json::to_string(&Stage::Routing).expect("serializes"), "2", "stages travel as their number");
        assert_eq!(serde_json::from_str::<Stage>("7").expect("parses"), Stage::Handover);
        assert!(serde_json::from_str::<Stage>("8").is_err(), "there is no eighth stage");
    }

    const A: CheckDef = CheckDef { id: "test.a", area: Area::Dns, stage: Stage::Routing, impact: Impact::Downtime, what: "a test" };

    #[test]
    fn report_puts_problems_first_and_counts_them() {
        let f = |s: &str, st| Finding::new(&A, s, st);
        let r = Report::new(
            "acme.test".into(),
            0,
            1,
            vec![f("a", Status::Pass), f("b", Status::Error), f("c", Status::Fail), f("d", Status::Warn)],
        );
        let order: Vec<_> = r.findings.iter().map(|f| f.status).collect();
        assert_eq!(order, vec![Status::Fail, Status::Warn, Status::Error, Status::Pass]);
        assert_eq!(r.summary.fail, 1);
        assert_eq!(r.worst(), Some(Status::Fail));
    }

    #[test]
    fn an_error_alone_never_gates_as_a_failure() {
        let r = Report::new("x.test".into(), 0, 0, vec![Finding::new(&A, "x", Status::Error)]);
        assert_eq!(r.worst(), None, "a check that could not decide must not read as a fail");
    }
}
