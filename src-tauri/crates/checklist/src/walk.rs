//! The checklist as the founder walks it: every stage with its items, each item's state and the
//! evidence that decided it, a score per stage and overall, the minimum bar and the risk list.
//!
//! [`Checklist::build`] is pure: it takes the bundled content, the findings of the latest audit
//! (plus the `monitoring.*` findings judged locally) and the founder's ticks, and never touches the
//! network or the disk. The CLI's `preflight checklist --format json`, the app's Checklist view and
//! the handover document all read this one structure.

use crate::content::{Content, ItemText, SettingsSection, PLATFORMS};
pub use crate::diff::RunRef;
use crate::platform;
use crate::risks::{self, Risk};
use crate::state::{derive, DecidedBy, ItemState};
use preflight_core::model::sort_for_reading;
use preflight_core::{Finding, Stage, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The founder's tick on one item, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Tick {
    pub item: String,
    /// Ticked as done; false keeps the note of an item the founder un-ticked.
    pub done: bool,
    pub note: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
}

/// One finding that took part in an item's state, in short.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Evidence {
    pub check: String,
    pub subject: String,
    pub status: Status,
    pub title: String,
    /// When the audit that produced it started (None for Preflight's own records, judged now).
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub checked_at_ms: Option<i64>,
}

/// How to do an item on one platform.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HowTo {
    /// The key in the content file (`cloudflare`, `general`).
    pub platform: String,
    pub label: String,
    pub steps: Vec<String>,
    /// The audit shows the product uses this platform: shown first and open.
    pub yours: bool,
}

/// A technical word an item uses, with its one-line gloss.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Gloss {
    pub term: String,
    pub gloss: String,
}

/// One item, decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Item {
    pub id: String,
    pub stage: u8,
    pub title: String,
    pub good: String,
    pub why: String,
    /// The checks that prove it; empty when only the founder can tell.
    pub checks: Vec<String>,
    /// What the founder's note should say, when the handover needs it.
    pub note_prompt: Option<String>,
    /// Where in the product's settings the founder says what its checks look at.
    pub settings: Option<SettingsSection>,
    pub state: ItemState,
    pub state_label: String,
    pub decided_by: DecidedBy,
    /// The findings of its checks, worst first.
    pub evidence: Vec<Evidence>,
    /// The worst finding's fix, when a check found a problem.
    pub fix: Vec<String>,
    /// Steps per platform: the founder's platforms first, then the general steps, then the rest.
    pub how: Vec<HowTo>,
    pub glossary: Vec<Gloss>,
    pub tick: Option<Tick>,
}

/// How far along a stage (or the whole checklist) is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Score {
    pub done: u32,
    pub attention: u32,
    /// Not done, contradicted, or waiting for the founder.
    pub to_do: u32,
    /// Couldn't check, or not checked yet.
    pub unknown: u32,
    /// Items that apply (every item but the ones that do not apply).
    pub counted: u32,
    /// Done counts whole, needs-attention half.
    pub percent: u8,
}

impl Score {
    fn add(&mut self, state: ItemState) {
        match state {
            ItemState::Skipped => return,
            ItemState::Done => self.done += 1,
            ItemState::Attention => self.attention += 1,
            ItemState::NotDone | ItemState::Contradiction | ItemState::Open => self.to_do += 1,
            ItemState::CouldntCheck | ItemState::NotChecked => self.unknown += 1,
        }
        self.counted += 1;
        let points = 2 * self.done + self.attention;
        self.percent = u8::try_from((points * 100 + self.counted) / (2 * self.counted)).unwrap_or(100);
    }

    /// Every item that applies is done.
    pub fn complete(&self) -> bool {
        self.done == self.counted
    }
}

/// One stage with its items.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StageView {
    pub number: u8,
    pub name: String,
    pub goal: String,
    pub deliverable: String,
    pub not_done: String,
    pub items: Vec<Item>,
    pub score: Score,
}

/// One line of the minimum bar, as bad as its worst item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BarLine {
    pub title: String,
    pub state: ItemState,
    pub items: Vec<String>,
}

/// The whole checklist of one product.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Checklist {
    /// The JSON shape's version, like the audit report's.
    pub schema: u32,
    pub domain: String,
    /// The content file's version.
    pub content_version: u32,
    /// None until the product has been audited.
    pub audit: Option<RunRef>,
    /// The platforms the audit shows signs of (content keys).
    pub platforms: Vec<String>,
    pub overall: Score,
    /// Open problems that must be fixed before launch.
    pub blockers: u32,
    pub stages: Vec<StageView>,
    pub bar: Vec<BarLine>,
    pub risks: Vec<Risk>,
}

/// What the checklist is built from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub domain: &'a str,
    /// For each check, the findings of the newest audit that ran it, and the locally judged ones.
    pub findings: &'a [Finding],
    /// When each check's findings were made (check id → the audit's start); absent for local ones.
    pub checked_at: &'a BTreeMap<String, i64>,
    pub audit: Option<RunRef>,
    pub ticks: &'a [Tick],
}

/// How bad a state is, for the bar (higher is worse).
fn badness(s: ItemState) -> u8 {
    match s {
        ItemState::Skipped => 0,
        ItemState::Done => 1,
        ItemState::NotChecked => 2,
        ItemState::Open => 3,
        ItemState::CouldntCheck => 4,
        ItemState::Attention => 5,
        ItemState::Contradiction => 6,
        ItemState::NotDone => 7,
    }
}

impl Checklist {
    /// The JSON schema version.
    pub const SCHEMA: u32 = 1;

    /// Decides every item of `content` from `inputs`.
    pub fn build(content: &Content, inputs: Inputs<'_>) -> Checklist {
        let platforms = platform::detect(inputs.findings);
        let items: Vec<Item> = content.items.iter().map(|i| item(content, i, &inputs, &platforms)).collect();
        let mut overall = Score::default();
        let stages: Vec<StageView> = Stage::ALL
            .iter()
            .map(|stage| {
                let number = stage.number();
                let mine: Vec<Item> = items.iter().filter(|i| i.stage == number).cloned().collect();
                let mut score = Score::default();
                for i in &mine {
                    score.add(i.state);
                    overall.add(i.state);
                }
                let text = content.stage(number);
                let words = |f: fn(&crate::content::StageText) -> &String| text.map(f).cloned().unwrap_or_default();
                StageView {
                    number,
                    name: stage.label().to_owned(),
                    goal: words(|t| &t.goal),
                    deliverable: words(|t| &t.deliverable),
                    not_done: words(|t| &t.not_done),
                    items: mine,
                    score,
                }
            })
            .collect();
        let bar = content
            .bar
            .iter()
            .map(|b| {
                let state = b
                    .items
                    .iter()
                    .filter_map(|id| items.iter().find(|i| &i.id == id))
                    .map(|i| i.state)
                    .max_by_key(|s| badness(*s))
                    .unwrap_or(ItemState::NotChecked);
                BarLine { title: b.title.clone(), state, items: b.items.clone() }
            })
            .collect();
        let item_of = |check: &str| content.items.iter().find(|i| i.checks.iter().any(|c| c == check)).map(|i| i.id.clone());
        let risks = risks::ranked(inputs.findings, item_of);
        Checklist {
            schema: Self::SCHEMA,
            domain: inputs.domain.to_owned(),
            content_version: content.version,
            audit: inputs.audit,
            platforms: platforms.iter().map(|p| (*p).to_owned()).collect(),
            overall,
            blockers: u32::try_from(risks.iter().filter(|r| r.blocker).count()).unwrap_or(u32::MAX),
            stages,
            bar,
            risks,
        }
    }

    /// Every item, in stage order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.stages.iter().flat_map(|s| s.items.iter())
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|i| i.id == id)
    }
}

fn item(content: &Content, text: &ItemText, inputs: &Inputs<'_>, platforms: &[&str]) -> Item {
    let mut findings: Vec<Finding> = inputs.findings.iter().filter(|f| text.checks.contains(&f.id)).cloned().collect();
    sort_for_reading(&mut findings);
    let mut statuses: Vec<Status> = findings.iter().map(|f| f.status).collect();
    // Some checks say nothing when there is nothing to judge (no alias, no callback). If the audit
    // ran their area and they stayed silent, the item does not apply; if the area did not run
    // (`--only`), it is simply not checked yet.
    let areas: Vec<_> = text.checks.iter().filter_map(|id| preflight_core::checks::find(id)).map(|d| d.area).collect();
    if statuses.is_empty() && inputs.audit.is_some() && inputs.findings.iter().any(|f| areas.contains(&f.area)) {
        statuses.push(Status::Skipped);
    }
    let tick = inputs.ticks.iter().find(|t| t.item == text.id).cloned();
    let (state, decided_by) = derive(!text.is_manual(), &statuses, tick.as_ref().is_some_and(|t| t.done));
    let fix = findings.iter().find(|f| matches!(f.status, Status::Fail | Status::Warn)).map(|f| f.fix.clone()).unwrap_or_default();
    Item {
        id: text.id.clone(),
        stage: text.stage,
        title: text.title.clone(),
        good: text.good.clone(),
        why: text.why.clone(),
        checks: text.checks.clone(),
        note_prompt: text.note.clone(),
        settings: text.settings,
        state,
        state_label: state.label().to_owned(),
        decided_by,
        evidence: findings
            .iter()
            .map(|f| Evidence {
                check: f.id.clone(),
                subject: f.subject.clone(),
                status: f.status,
                title: f.title.clone(),
                checked_at_ms: inputs.checked_at.get(&f.id).copied(),
            })
            .collect(),
        fix,
        how: how(text, platforms),
        glossary: content
            .terms(&text.texts().collect::<Vec<_>>())
            .into_iter()
            .map(|(t, g)| Gloss { term: t.to_owned(), gloss: g.to_owned() })
            .collect(),
        tick,
    }
}

/// The item's steps: the founder's platforms first, then the general steps, then the others.
fn how(text: &ItemText, platforms: &[&str]) -> Vec<HowTo> {
    let entry = |key: &str, yours: bool| {
        text.how.get(key).map(|steps| HowTo {
            platform: key.to_owned(),
            label: PLATFORMS.iter().find(|(k, _)| *k == key).map_or(key, |(_, l)| l).to_owned(),
            steps: steps.clone(),
            yours,
        })
    };
    let mut out: Vec<HowTo> = platforms.iter().filter_map(|p| entry(p, true)).collect();
    out.extend(entry("general", false));
    out.extend(PLATFORMS.iter().filter(|(k, _)| *k != "general" && !platforms.contains(k)).filter_map(|(k, _)| entry(k, false)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_core::checks::{spf, tls};

    fn tick(item: &str, done: bool) -> Tick {
        Tick { item: item.into(), done, note: "Namecheap, renews in March".into(), at_ms: 5 }
    }

    #[test]
    fn ticks_fill_in_what_checks_cannot_see_and_never_hide_a_failing_check() {
        let content = crate::content().unwrap_or_else(|e| panic!("{}", e.0));
        let findings = vec![
            Finding::new(&spf::SPF, "acme.test", Status::Fail).title("no SPF").fix(["Add it."]),
            Finding::new(&tls::EXPIRY, "acme.test", Status::Pass),
        ];
        let ticks = [tick("audit.registrar", true), tick("mail.spf", true), tick("audit.secrets_map", false)];
        let audit = Some(RunRef { run_id: 3, started_at_ms: 9 });
        let at = BTreeMap::from([("email.spf".to_owned(), 9)]);
        let c = Checklist::build(content, Inputs { domain: "acme.test", findings: &findings, checked_at: &at, audit, ticks: &ticks });
        let state = |id: &str| c.item(id).map(|i| (i.state, i.decided_by));
        assert_eq!(state("audit.registrar"), Some((ItemState::Done, DecidedBy::Founder)));
        assert_eq!(
            state("audit.secrets_map"),
            Some((ItemState::Open, DecidedBy::Nobody)),
            "an un-ticked item keeps its note but is not done"
        );
        assert_eq!(state("mail.spf"), Some((ItemState::Contradiction, DecidedBy::Both)));
        assert_eq!(state("routing.renewal"), Some((ItemState::Done, DecidedBy::Audit)));
        assert_eq!(state("routing.https"), Some((ItemState::NotChecked, DecidedBy::Nobody)));
        assert_eq!(c.item("mail.spf").map(|i| i.fix.clone()), Some(vec!["Add it.".to_owned()]));
        assert_eq!(c.item("mail.spf").map(|i| i.evidence[0].checked_at_ms), Some(Some(9)));
        assert_eq!(c.blockers, 1, "a failing SPF record is a launch blocker");
        assert_eq!(c.risks[0].item.as_deref(), Some("mail.spf"));
        let total: u32 = c.stages.iter().map(|s| s.score.counted).sum();
        assert_eq!(total, c.overall.counted);
        assert_eq!(c.overall.done, 2);
        let bar = c.bar.iter().find(|b| b.title == "Email authentication").map(|b| b.state);
        assert_eq!(bar, Some(ItemState::Contradiction), "a bar line is as bad as its worst item");
        let glossed = c.item("mail.spf").map(|i| i.glossary.iter().any(|g| g.term == "SPF"));
        assert_eq!(glossed, Some(true), "the SPF item explains SPF");
    }

    #[test]
    fn scores_count_attention_as_half_and_skip_what_does_not_apply() {
        let mut s = Score::default();
        for st in [ItemState::Done, ItemState::Attention, ItemState::Skipped, ItemState::CouldntCheck] {
            s.add(st);
        }
        assert_eq!((s.counted, s.done, s.attention, s.unknown, s.percent), (3, 1, 1, 1, 50));
        assert!(!s.complete());
    }
}
