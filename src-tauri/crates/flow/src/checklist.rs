//! The launch checklist, its ticks, "what changed" and the handover as every front end gets them.
//!
//! All of it reads the history database, the product's settings file and the bundled content, and
//! nothing else: no network and no keychain, so the checklist and the handover work with the
//! laptop offline (the tests run them with no network at all). The `monitoring.*` items are judged
//! here, from the product's monitors, channels and deploys, at the moment the checklist is built,
//! and `performance.p95` from the newest stored latency run of each of the product's addresses.

use crate::latency::{public_url, speed_findings, LatencyCard};
use crate::watching::{live_in, now_ms};
use crate::{Flow, FlowError};
use preflight_checklist::handover::{self, ChannelLine, DeployLine, Handover, MonitorLine, SecretPlace, SpeedLine};
use preflight_checklist::{content, Checklist, Content, Diff, Inputs, RunRef, Tick};
use preflight_core::checks::monitoring::{self, WatchSetup};
use preflight_core::monitor::ProbeSpec;
use preflight_core::{Domain, Finding, Report, Target};
use preflight_store::{MonitorRow, Store};
use preflight_vault::SecretRef;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// The longest note a tick may carry: room for rollback steps, not for a pasted log.
pub const MAX_NOTE_CHARS: usize = 4000;

fn bundled() -> Result<&'static Content, FlowError> {
    content().map_err(|e| FlowError::Storage(format!("the bundled checklist is unreadable: {}", e.0)))
}

/// How many past runs the checklist looks back through for checks the newest run did not include.
const LOOK_BACK: u32 = 20;

/// What the stored audits say about a product: for each check, the findings of the newest run
/// that ran it, so an audit limited to some areas (`--only dns`) does not blank the rest.
struct Evidence {
    /// The merged findings as one report, dated by the newest run.
    merged: Option<(Report, i64)>,
    checked_at: BTreeMap<String, i64>,
}

fn evidence(store: &Store, domain: &str) -> Result<Evidence, FlowError> {
    let runs = runs(store, domain, LOOK_BACK)?;
    let Some((newest, newest_id)) = runs.first() else { return Ok(Evidence { merged: None, checked_at: BTreeMap::new() }) };
    let mut checked_at: BTreeMap<String, i64> = BTreeMap::new();
    let mut findings = Vec::new();
    for (report, _) in &runs {
        let fresh: BTreeSet<&str> = report.findings.iter().map(|f| f.id.as_str()).filter(|id| !checked_at.contains_key(*id)).collect();
        findings.extend(report.findings.iter().filter(|f| fresh.contains(f.id.as_str())).cloned());
        for id in fresh {
            checked_at.insert(id.to_owned(), report.started_at_ms);
        }
    }
    let merged = Report::new(domain.to_owned(), newest.started_at_ms, newest.duration_ms, findings);
    Ok(Evidence { merged: Some((merged, *newest_id)), checked_at })
}

/// The stored runs of a domain, newest first.
fn runs(store: &Store, domain: &str, limit: u32) -> Result<Vec<(Report, i64)>, FlowError> {
    let mut out = Vec::new();
    for run in store.history(Some(domain), limit)? {
        if let Some(r) = store.report(run.id)? {
            out.push((r, run.id));
        }
    }
    Ok(out)
}

/// What a monitor checks, in words, with any query string left out (it may carry a token).
fn what(probe: &ProbeSpec) -> String {
    match probe {
        ProbeSpec::Http { url, method, .. } => {
            format!("{method} {}", public_url(url).unwrap_or_else(|| "(an address that cannot be read)".into()))
        }
        ProbeSpec::Cert { host, port } if *port == 443 => format!("certificate of {host}"),
        ProbeSpec::Cert { host, port } => format!("certificate of {host}:{port}"),
        ProbeSpec::Dns { name, record, .. } => format!("{record} records of {name}"),
        ProbeSpec::Audit { domain } => format!("full audit of {domain}"),
        ProbeSpec::Domain { domain } => format!("registration of {domain} at its registry"),
        ProbeSpec::Flow { flow, .. } => format!("the path \"{flow}\", walked as a customer"),
    }
}

/// A measured address as the handover lists it.
fn speed_line(c: &LatencyCard) -> SpeedLine {
    let m = &c.latest.measurement;
    let verdict = match m.verdict {
        preflight_latency::Verdict::FastEnough => "fast enough",
        preflight_latency::Verdict::TooSlow => "too slow",
        preflight_latency::Verdict::Failing => "failing",
        preflight_latency::Verdict::Unknown => "could not measure",
    };
    SpeedLine {
        name: m.name.clone(),
        p95_ms: m.judged().map(|p| p.p95_ms),
        before_p95_ms: c.previous.as_ref().and_then(|p| p.measurement.judged().map(|j| j.p95_ms)),
        target_ms: m.target_ms,
        verdict: verdict.to_owned(),
        at_ms: c.latest.at_ms,
    }
}

impl Flow {
    /// The product's settings; a settings file that cannot be used must not take the checklist
    /// away (the audit says what is wrong with it), so the roadmap's default names stand in.
    fn target_or_default(&self, domain: &Domain) -> Target {
        self.saved_target(domain.clone()).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "settings unusable; the checklist uses the default names");
            Target::with_defaults(domain.clone())
        })
    }

    /// The monitoring findings judged from this product's records.
    fn watch_findings(
        &self,
        store: &Store,
        domain: &Domain,
        monitors: &[MonitorRow],
        audited: &[Finding],
    ) -> Result<Vec<Finding>, FlowError> {
        let target = self.target_or_default(domain);
        let channels = store.channels()?.into_iter().map(|c| (c.name, c.kind)).collect();
        let last_deploy = store.deploys(domain.as_str(), 1)?.into_iter().next().map(|d| (d.at_ms, d.version));
        let setup = WatchSetup { monitors: monitors.iter().map(|m| (m.spec.clone(), m.enabled)).collect(), channels, last_deploy };
        Ok(monitoring::judge(&target, &live_in(audited, domain), &setup))
    }

    /// `domain`'s checklist from its stored audits (for each check, the newest run that ran it),
    /// its records and the founder's ticks.
    pub fn checklist(&self, domain: &Domain) -> Result<Checklist, FlowError> {
        let store = self.store()?;
        let evidence = evidence(&store, domain.as_str())?;
        self.checklist_from(&store, domain, &evidence)
    }

    fn checklist_from(&self, store: &Arc<Store>, domain: &Domain, evidence: &Evidence) -> Result<Checklist, FlowError> {
        let monitors = store.monitors(Some(domain.as_str()))?;
        let latest = evidence.merged.as_ref();
        let mut findings: Vec<Finding> = latest.map(|(r, _)| r.findings.clone()).unwrap_or_default();
        let local = self.watch_findings(store, domain, &monitors, &findings)?;
        findings.extend(local);
        let (speed, measured_at) = speed_findings(store, domain.as_str())?;
        findings.extend(speed);
        let last_deploy = store.deploys(domain.as_str(), 1)?.into_iter().next().map(|d| d.at_ms);
        findings.extend(self.path_findings(store, domain, last_deploy)?);
        let chatbot = self.chatbot_records(store, domain)?;
        let setup = preflight_core::checks::chatbot::ChatbotSetup {
            has_chat: chatbot.has_chat,
            questions: chatbot.questions,
            red_team: chatbot.red_team,
            evals: chatbot.evals,
            last_deploy_ms: last_deploy,
        };
        findings.extend(preflight_core::checks::chatbot::judge(domain.as_str(), &setup));
        let mut checked_at = evidence.checked_at.clone();
        if let Some(at) = measured_at {
            checked_at.insert(preflight_core::checks::performance::P95.id.to_owned(), at);
        }
        let ticks: Vec<Tick> =
            store.ticks(domain.as_str())?.into_iter().map(|t| Tick { item: t.item, done: t.done, note: t.note, at_ms: t.at_ms }).collect();
        let audit = latest.map(|(r, id)| RunRef { run_id: *id, started_at_ms: r.started_at_ms });
        let inputs = Inputs { domain: domain.as_str(), findings: &findings, checked_at: &checked_at, audit, ticks: &ticks };
        Ok(Checklist::build(bundled()?, inputs))
    }

    /// Records the founder's tick on `item` (done or not, with a note) and returns the checklist
    /// as it now stands.
    pub fn tick(&self, domain: &Domain, item: &str, done: bool, note: &str) -> Result<Checklist, FlowError> {
        if bundled()?.item(item).is_none() {
            return Err(FlowError::Invalid(format!("The checklist has no item called {item}.")));
        }
        let note = note.trim();
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(FlowError::Invalid(format!(
                "The note is {} characters long; keep it under {MAX_NOTE_CHARS} (link to a longer document instead).",
                note.chars().count()
            )));
        }
        // A key pasted into a note would end up in the history and the handover: keep only its
        // first 4 and last 2 characters.
        let note = preflight_vault::redact::scrub(note);
        self.store()?.tick(domain.as_str(), item, done, &note)?;
        self.checklist(domain)
    }

    /// What changed between two stored runs. With none given, the last two runs of `domain`; with
    /// one, that run against the run of its domain just before it.
    pub fn diff(&self, domain: Option<&Domain>, older: Option<i64>, newer: Option<i64>) -> Result<Diff, FlowError> {
        let store = self.store()?;
        let load = |id: i64| -> Result<Report, FlowError> {
            store
                .report(id)?
                .ok_or_else(|| FlowError::Invalid(format!("There is no stored audit number {id}. `preflight history` lists them.")))
        };
        let (a, b) = match (older, newer) {
            (Some(a), Some(b)) => ((load(a)?, a), (load(b)?, b)),
            (Some(one), None) => {
                let newer = load(one)?;
                let before = store
                    .history(Some(&newer.domain), 500)?
                    .into_iter()
                    .find(|r| r.started_at_ms < newer.started_at_ms || (r.started_at_ms == newer.started_at_ms && r.id < one))
                    .ok_or_else(|| {
                        FlowError::Invalid(format!("Audit {one} is the first of {}: there is nothing before it.", newer.domain))
                    })?;
                ((load(before.id)?, before.id), (newer, one))
            }
            (None, _) => {
                let domain = domain.map(Domain::to_string).or_else(|| self.history(None, 1).ok()?.into_iter().next().map(|r| r.domain));
                let domain =
                    domain.ok_or_else(|| FlowError::Invalid("No audit is stored yet: run `preflight audit DOMAIN` twice.".into()))?;
                let mut two = runs(&store, &domain, 2)?;
                if two.len() < 2 {
                    return Err(FlowError::Invalid(format!("{domain} has {} stored audit: run another to see what changed.", two.len())));
                }
                let newer = two.remove(0);
                (two.remove(0), newer)
            }
        };
        if a.0.domain != b.0.domain {
            return Err(FlowError::Invalid(format!(
                "Audit {} is of {} and audit {} of {}: compare two audits of one product.",
                a.1, a.0.domain, b.1, b.0.domain
            )));
        }
        Ok(preflight_checklist::between((&a.0, a.1), (&b.0, b.1)))
    }

    /// The handover document of `domain`.
    pub fn handover(&self, domain: &Domain) -> Result<Handover, FlowError> {
        let store = self.store()?;
        let d = domain.as_str();
        let evidence = evidence(&store, d)?;
        // The facts and "what changed" read the merged evidence: the newest run of every check.
        let latest = evidence.merged.as_ref();
        let first = store.history(Some(d), 500)?.last().map(|r| r.id).filter(|id| latest.is_some_and(|(_, l)| l != id));
        let first = match first {
            Some(id) => store.report(id)?.map(|r| (r, id)),
            None => None,
        };
        let checklist = self.checklist_from(&store, domain, &evidence)?;
        let rows = store.monitors(Some(d))?;
        let monitors: Vec<MonitorLine> = rows
            .iter()
            .map(|m| MonitorLine {
                name: m.spec.name.clone(),
                what: what(&m.spec.probe),
                every_secs: m.spec.interval_secs,
                enabled: m.enabled,
            })
            .collect();
        let channels: Vec<ChannelLine> =
            store.channels()?.into_iter().map(|c| ChannelLine { name: c.name, kind: c.kind, hint: c.hint }).collect();
        let deploys: Vec<DeployLine> =
            store.deploys(d, 10)?.into_iter().map(|x| DeployLine { at_ms: x.at_ms, version: x.version, source: x.source }).collect();
        let secrets = self.secret_places(domain, &rows, &channels)?;
        let speed: Vec<SpeedLine> = self.latency_cards(domain)?.iter().map(speed_line).collect();
        let paths = self.path_lines(&store, domain)?;
        let inputs = handover::Inputs {
            content: bundled()?,
            checklist: &checklist,
            latest: latest.map(|(r, id)| (r, *id)),
            first: first.as_ref().map(|(r, id)| (r, *id)),
            monitors: &monitors,
            channels: &channels,
            deploys: &deploys,
            secrets: &secrets,
            speed: &speed,
            paths: &paths,
            now_ms: now_ms(),
        };
        Ok(handover::build(inputs))
    }

    /// The handover of `domain` written to `path` in `format`, whole and private to the user
    /// (`preflight_store::files::replace`), so an interrupted export never leaves half a document.
    pub fn write_handover(&self, domain: &Domain, format: handover::Format, path: &Path) -> Result<(), FlowError> {
        let body = handover::render(&self.handover(domain)?, format);
        let fail = |e: std::io::Error| FlowError::Invalid(format!("The handover could not be saved to {}: {e}", path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        preflight_store::files::replace(path, body.as_bytes()).map_err(fail)
    }

    /// The file name an export of `domain` gets today (`preflight-handover-acme.com-2026-11-25.md`).
    pub fn handover_file_name(domain: &Domain, format: handover::Format) -> String {
        format!("preflight-handover-{domain}-{}.{}", preflight_core::net::cert::date(now_ms().div_euclid(1000)), format.extension())
    }

    /// Every secret Preflight keeps for this product, by name and keychain place; never a value
    /// (the keychain is not even opened).
    fn secret_places(&self, domain: &Domain, monitors: &[MonitorRow], channels: &[ChannelLine]) -> Result<Vec<SecretPlace>, FlowError> {
        let keychain = |product: &str| format!("this computer's keychain, service {}", SecretRef::new(product, "").service());
        let mut out = Vec::new();
        let target = self.target_or_default(domain);
        for e in &target.endpoints {
            if let Some(name) = &e.secret {
                out.push(SecretPlace { name: format!("{name} (credential of the endpoint {})", e.name), place: keychain(domain.as_str()) });
            }
        }
        for m in monitors {
            if let ProbeSpec::Http { secret: Some(name), .. } = &m.spec.probe {
                if !out.iter().any(|s| s.name.starts_with(name.as_str())) {
                    out.push(SecretPlace {
                        name: format!("{name} (credential of the monitor {})", m.spec.name),
                        place: keychain(domain.as_str()),
                    });
                }
            }
        }
        for c in channels {
            out.push(SecretPlace { name: format!("the {} address of the alert channel {}", c.kind, c.name), place: keychain("alerts") });
        }
        Ok(out)
    }
}
