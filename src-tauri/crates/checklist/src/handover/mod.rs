//! The handover document: one document a non-engineer can keep, built from the checklist, the
//! latest audit's evidence and Preflight's own records, rendered as Markdown or as a printable HTML
//! page.
//!
//! The document is first built as plain data ([`Handover`]: sections of text, lists and tables),
//! then rendered by [`markdown`] or [`html`], so both formats always carry the same content and the
//! tests can check sections without parsing either. Secret values never reach it: the inputs carry
//! secrets' names and places only, and every string passes through [`preflight_vault::redact::scrub`]
//! on its way in, which cuts a key pasted into a founder's note down to its first 4 and last 2
//! characters.

mod facts;
pub mod html;
pub mod markdown;
mod paths;
mod providers;

use crate::content::Content;
use crate::diff::{between, Movement};
use crate::state::ItemState;
use crate::walk::Checklist;
use preflight_core::net::cert::date;
use preflight_core::Report;
use preflight_vault::redact::scrub;

pub use paths::PathLine;
use serde::Serialize;

/// The two ways the document is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Markdown,
    /// A self-contained page laid out for paper.
    Html,
}

impl Format {
    /// The file extension of the format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }
}

/// The document in `format`.
pub fn render(doc: &Handover, format: Format) -> String {
    match format {
        Format::Markdown => markdown::render(doc),
        Format::Html => html::render(doc),
    }
}

/// One piece of a section.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Text {
        text: String,
    },
    Bullets {
        items: Vec<String>,
    },
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// The founder's own words from a checklist note, with who and when.
    Note {
        label: String,
        text: String,
        at: String,
    },
}

/// One section of the document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Stable anchor (`domains`, `email`): tests and links use it.
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handover {
    pub title: String,
    pub domain: String,
    pub generated: String,
    pub sections: Vec<Section>,
}

/// A monitor, as the document shows it.
#[derive(Debug, Clone)]
pub struct MonitorLine {
    pub name: String,
    /// What it checks, in words ("web page https://acme.com/").
    pub what: String,
    pub every_secs: u32,
    pub enabled: bool,
}

/// An alert channel: its name, kind and a recognisable hint of where it posts (never the address).
#[derive(Debug, Clone)]
pub struct ChannelLine {
    pub name: String,
    pub kind: String,
    pub hint: String,
}

/// A recorded release.
#[derive(Debug, Clone)]
pub struct DeployLine {
    pub at_ms: i64,
    pub version: Option<String>,
    /// `marker` (told) or `detected` (noticed).
    pub source: String,
}

/// A key action's speed, from its newest measurement and the one before.
#[derive(Debug, Clone)]
pub struct SpeedLine {
    pub name: String,
    /// The judged p95 now, and before the last change (None when not measured).
    pub p95_ms: Option<f64>,
    pub before_p95_ms: Option<f64>,
    pub target_ms: u32,
    /// The verdict in words ("fast enough", "too slow"…).
    pub verdict: String,
    pub at_ms: i64,
}

/// Where one secret lives: its name and place, never its value.
#[derive(Debug, Clone)]
pub struct SecretPlace {
    pub name: String,
    pub place: String,
}

/// Everything the document is built from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub content: &'a Content,
    pub checklist: &'a Checklist,
    /// The latest audit.
    pub latest: Option<(&'a Report, i64)>,
    /// The first stored audit, to say what changed since.
    pub first: Option<(&'a Report, i64)>,
    pub monitors: &'a [MonitorLine],
    pub channels: &'a [ChannelLine],
    pub deploys: &'a [DeployLine],
    pub secrets: &'a [SecretPlace],
    pub speed: &'a [SpeedLine],
    pub paths: &'a [PathLine],
    pub now_ms: i64,
}

/// A calendar date (UTC) from milliseconds since the epoch.
pub(crate) fn day(ms: i64) -> String {
    date(ms.div_euclid(1000))
}

fn text(s: impl Into<String>) -> Block {
    Block::Text { text: s.into() }
}

/// The founder's note on `item`, as a block, or a line saying it is still to be written.
fn note(c: &Checklist, item: &str, label: &str) -> Block {
    match c.item(item).and_then(|i| i.tick.as_ref().filter(|t| !t.note.trim().is_empty()).map(|t| (i, t))) {
        Some((_, t)) => Block::Note { label: label.to_owned(), text: t.note.clone(), at: day(t.at_ms) },
        None => {
            let title = c.item(item).map_or(item, |i| i.title.as_str());
            text(format!("{label}: not written yet. Add it as the note of the checklist item \"{title}\"."))
        }
    }
}

/// Builds the document.
pub fn build(i: Inputs<'_>) -> Handover {
    let c = i.checklist;
    let report = i.latest.map(|(r, _)| r);
    let mut sections = vec![
        about(&i),
        readiness(c),
        facts::domains(report),
        facts::redirects(report),
        facts::certificates(report),
        facts::email(report),
        providers::section(report),
        secrets(&i),
        monitoring(&i),
        speed(&i),
        paths::section(&i),
        deploys(&i),
        people(c),
        changes(&i),
        week_one(&i),
        checklist(c),
    ];
    let words: Vec<String> = sections.iter().flat_map(|s| s.blocks.iter().flat_map(block_texts)).collect();
    let used = i.content.terms(&words.iter().map(String::as_str).collect::<Vec<_>>());
    sections.push(Section {
        id: "words".into(),
        title: "Words used in this document".into(),
        blocks: vec![Block::Bullets { items: used.iter().map(|(t, g)| format!("{t}: {g}.")).collect() }],
    });
    let mut doc = Handover { title: format!("Handover: {}", c.domain), domain: c.domain.clone(), generated: day(i.now_ms), sections };
    scrub_all(&mut doc);
    doc
}

fn block_texts(b: &Block) -> Vec<String> {
    match b {
        Block::Text { text } => vec![text.clone()],
        Block::Bullets { items } => items.clone(),
        Block::Table { head, rows } => head.iter().chain(rows.iter().flatten()).cloned().collect(),
        Block::Note { label, text, .. } => vec![label.clone(), text.clone()],
    }
}

/// Every string of the document through [`scrub`]: nothing that looks like a key leaves.
fn scrub_all(doc: &mut Handover) {
    for s in &mut doc.sections {
        for b in &mut s.blocks {
            match b {
                Block::Text { text } => *text = scrub(text),
                Block::Bullets { items } => items.iter_mut().for_each(|t| *t = scrub(t)),
                Block::Table { head, rows } => head.iter_mut().chain(rows.iter_mut().flatten()).for_each(|t| *t = scrub(t)),
                Block::Note { label, text, .. } => {
                    *label = scrub(label);
                    *text = scrub(text);
                }
            }
        }
    }
}

fn about(i: &Inputs<'_>) -> Section {
    let c = i.checklist;
    let audited = match i.latest {
        Some((r, _)) => format!("The facts below come from Preflight's audit of {} on {}.", c.domain, day(r.started_at_ms)),
        None => {
            format!("{} has not been audited yet, so the facts about its addresses are missing: run an audit and export again.", c.domain)
        }
    };
    Section {
        id: "about".into(),
        title: "About this document".into(),
        blocks: vec![
            text(format!(
                "This is the handover of {}: what exists, who owns it, and what to do when something breaks. Keep it with your company documents and export it again after big changes.",
                c.domain
            )),
            text(audited),
            text("It lists where each secret is kept, never a secret itself. Technical words are explained at the end."),
        ],
    }
}

fn readiness(c: &Checklist) -> Section {
    let mut blocks = vec![text(format!(
        "Launch readiness: {}% ({} of {} items done, {} need attention). {}",
        c.overall.percent,
        c.overall.done,
        c.overall.counted,
        c.overall.attention,
        match c.blockers {
            0 => "No launch blocker is open.".to_owned(),
            1 => "1 launch blocker is open; it is first in the list below.".to_owned(),
            n => format!("{n} launch blockers are open; they are first in the list below."),
        }
    ))];
    blocks.push(Block::Table {
        head: vec!["Minimum bar".into(), "State".into()],
        rows: c.bar.iter().map(|b| vec![b.title.clone(), b.state.label().to_owned()]).collect(),
    });
    if !c.risks.is_empty() {
        blocks.push(text("Open problems, most costly first:"));
        blocks.push(Block::Bullets {
            items: c
                .risks
                .iter()
                .map(|r| {
                    let first_fix = r.fix.first().map(|f| format!(" Fix: {f}")).unwrap_or_default();
                    let blocker = if r.blocker { "Launch blocker. " } else { "" };
                    format!("{blocker}{} (risk: {}).{first_fix}", r.title.trim_end_matches('.'), r.impact_label)
                })
                .collect(),
        });
    }
    Section { id: "readiness".into(), title: "Where the launch stands".into(), blocks }
}

fn secrets(i: &Inputs<'_>) -> Section {
    let mut blocks =
        vec![text("Where each secret is kept. The values themselves are not in this document; whoever needs one gets it from its place.")];
    if i.secrets.is_empty() {
        blocks.push(text("Preflight itself keeps no secret for this product."));
    } else {
        blocks.push(Block::Table {
            head: vec!["Secret".into(), "Kept in".into()],
            rows: i.secrets.iter().map(|s| vec![s.name.clone(), s.place.clone()]).collect(),
        });
    }
    blocks.push(note(i.checklist, "audit.secrets_map", "The product's secrets and where they live"));
    blocks.push(note(i.checklist, "keys.rotation", "How to change each key if it leaks"));
    Section { id: "secrets".into(), title: "Where secrets live".into(), blocks }
}

fn monitoring(i: &Inputs<'_>) -> Section {
    let mut blocks = Vec::new();
    if i.monitors.is_empty() {
        blocks.push(text("Nothing is watched yet. In Preflight, open Monitors and press Add the usual monitors."));
    } else {
        blocks.push(Block::Table {
            head: vec!["Monitor".into(), "Checks".into(), "Every".into(), "On".into()],
            rows: i
                .monitors
                .iter()
                .map(|m| vec![m.name.clone(), m.what.clone(), every(m.every_secs), if m.enabled { "yes" } else { "no" }.into()])
                .collect(),
        });
    }
    let mut alerts = vec!["Desktop notifications on the computer running Preflight (it keeps watching from the tray).".to_owned()];
    alerts.extend(i.channels.iter().map(|ch| format!("{} ({}, posting to {})", ch.name, ch.kind, ch.hint)));
    blocks.push(text("Alerts go to:"));
    blocks.push(Block::Bullets { items: alerts });
    blocks.push(text(
        "To check alerts still work: in Monitors → Alert channels, press Send a test on each channel. Certificates renew by themselves at most hosts; the certificate monitor warns 21, 14 and 7 days before one expires.",
    ));
    Section { id: "monitoring".into(), title: "Monitoring and alerts".into(), blocks }
}

fn speed(i: &Inputs<'_>) -> Section {
    let ms = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| if v < 10.0 { format!("{v:.1} ms") } else { format!("{v:.0} ms") });
    let mut blocks = vec![text(
        "How long the key actions take for one person, 95 times out of 100 (p95), before any AI model's own time, measured by Preflight from outside the host.",
    )];
    if i.speed.is_empty() {
        blocks
            .push(text("Nothing measured yet. In Preflight, open Speed and measure the login page, the chat start and the session load."));
    } else {
        blocks.push(Block::Table {
            head: vec!["Action".into(), "p95 now".into(), "Before".into(), "Target".into(), "Verdict".into(), "Measured".into()],
            rows: i
                .speed
                .iter()
                .map(|l| {
                    vec![
                        l.name.clone(),
                        ms(l.p95_ms),
                        ms(l.before_p95_ms),
                        ms(Some(f64::from(l.target_ms))),
                        l.verdict.clone(),
                        day(l.at_ms),
                    ]
                })
                .collect(),
        });
    }
    blocks.push(note(i.checklist, "speed.p95", "Actions measured another way"));
    Section { id: "speed".into(), title: "Speed of key actions".into(), blocks }
}

fn every(secs: u32) -> String {
    match secs {
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn deploys(i: &Inputs<'_>) -> Section {
    let c = i.checklist;
    let mut blocks = vec![
        note(c, "deploy.rollback", "Rollback steps"),
        note(c, "deploy.separate", "Staging and production settings"),
        note(c, "deploy.ci", "Checks before release"),
    ];
    if i.deploys.is_empty() {
        blocks.push(text("No release has been recorded yet."));
    } else {
        blocks.push(Block::Table {
            head: vec!["Release".into(), "Version".into(), "How it was recorded".into()],
            rows: i
                .deploys
                .iter()
                .take(10)
                .map(|d| {
                    let how = if d.source == "marker" { "marked by the deploy" } else { "noticed by a monitor" };
                    vec![day(d.at_ms), d.version.clone().unwrap_or_else(|| "unknown".into()), how.into()]
                })
                .collect(),
        });
    }
    Section { id: "deploy".into(), title: "Deployment and rollback".into(), blocks }
}

fn people(c: &Checklist) -> Section {
    Section {
        id: "people".into(),
        title: "Owners and emergency contacts".into(),
        blocks: vec![
            note(c, "handover.owners", "Who owns each system"),
            note(c, "handover.contacts", "Whom to call (hosting, email delivery, registrar)"),
            note(c, "audit.registrar", "The domain's registrar"),
            note(c, "watch.errors", "Where errors are logged"),
        ],
    }
}

fn changes(i: &Inputs<'_>) -> Section {
    let mut blocks = Vec::new();
    match (i.first, i.latest) {
        (Some(first), Some(latest)) if first.1 != latest.1 => {
            let d = between(first, latest);
            let list = |m: Movement| d.of(m).map(|ch| format!("{} ({})", ch.title.trim_end_matches('.'), ch.subject)).collect::<Vec<_>>();
            let fixed = list(Movement::Fixed);
            blocks.push(text(format!("Since the first audit on {}:", day(first.0.started_at_ms))));
            blocks.push(text(format!("Fixed: {}.", if fixed.is_empty() { "nothing yet".to_owned() } else { fixed.len().to_string() })));
            if !fixed.is_empty() {
                blocks.push(Block::Bullets { items: fixed });
            }
            let appeared: Vec<String> = d.appeared().map(|ch| format!("{} ({})", ch.title.trim_end_matches('.'), ch.subject)).collect();
            if !appeared.is_empty() {
                blocks.push(text("New since then:"));
                blocks.push(Block::Bullets { items: appeared });
            }
        }
        _ => blocks.push(text("Only one audit is stored, so there is nothing to compare yet.")),
    }
    let mut ticked: Vec<(i64, String)> = i
        .checklist
        .items()
        .filter_map(|it| it.tick.as_ref().filter(|t| t.done).map(|t| (t.at_ms, format!("{}: {}", day(t.at_ms), it.title))))
        .collect();
    ticked.sort();
    if !ticked.is_empty() {
        blocks.push(text("Done by hand (ticked in the checklist):"));
        blocks.push(Block::Bullets { items: ticked.into_iter().map(|(_, t)| t).collect() });
    }
    Section { id: "changes".into(), title: "What was changed".into(), blocks }
}

fn week_one(i: &Inputs<'_>) -> Section {
    let c = i.checklist;
    let mut items: Vec<String> = c.risks.iter().filter(|r| r.blocker).map(|r| format!("Fix first: {}", r.title)).collect();
    items.extend(facts::expiring(i.latest.map(|(r, _)| r), 45));
    if c.item("watch.uptime").is_some_and(|it| it.state != ItemState::Done) {
        items.push("Add the usual monitors in Preflight before launch day, so an outage reaches you first.".into());
    }
    items.extend(i.content.week_one.iter().cloned());
    Section { id: "week-one".into(), title: "What to watch in week one".into(), blocks: vec![Block::Bullets { items }] }
}

fn checklist(c: &Checklist) -> Section {
    let mut blocks = Vec::new();
    for s in &c.stages {
        blocks.push(text(format!("Stage {}: {}: {}% ({} of {} done).", s.number, s.name, s.score.percent, s.score.done, s.score.counted)));
        blocks.push(Block::Bullets {
            items: s
                .items
                .iter()
                .map(|it| {
                    let note = it
                        .tick
                        .as_ref()
                        .filter(|t| !t.note.trim().is_empty())
                        .map(|t| format!(" Note: {}", t.note.trim()))
                        .unwrap_or_default();
                    format!("[{}] {}.{note}", it.state.label(), it.title)
                })
                .collect(),
        });
    }
    Section { id: "checklist".into(), title: "The launch checklist".into(), blocks }
}
