//! The checklist's words, read from `data/checklist.toml`: the seven stages, their items, the
//! minimum bar, the glossary and the week-one advice.
//!
//! Kept as data, not code, so the text can be reviewed and versioned on its own and a writer can
//! change it without touching logic. The file is compiled in and parsed once; [`validate`] lists
//! every way it could be wrong (a check id the engine does not have, a check no item names, an
//! empty text, a stage without items, an unknown platform), and the crate's tests fail on any of
//! them, so a bad edit fails the build's tests rather than a founder's checklist.

use preflight_core::checks;
use preflight_core::Stage;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The platforms an item's `how` may name, with the label the founder sees. `general` is shown
/// when the founder's platform is not among the others.
pub const PLATFORMS: &[(&str, &str)] = &[
    ("cloudflare", "Cloudflare"),
    ("vercel", "Vercel"),
    ("netlify", "Netlify"),
    ("render", "Render"),
    ("fly", "Fly.io"),
    ("registrar", "Your registrar's DNS panel"),
    ("general", "Any host"),
];

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// Bumped when an item's id or meaning changes (ticks are stored against ids).
    pub version: u32,
    #[serde(rename = "stage")]
    pub stages: Vec<StageText>,
    pub bar: Vec<BarText>,
    pub week_one: Vec<String>,
    /// Term → one-line gloss.
    pub glossary: BTreeMap<String, String>,
    #[serde(rename = "item")]
    pub items: Vec<ItemText>,
}

/// One stage's goal, deliverable and the signal that says the founder is not done.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageText {
    pub number: u8,
    pub goal: String,
    pub deliverable: String,
    pub not_done: String,
}

/// One line of the minimum bar, proved by checklist items.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BarText {
    pub title: String,
    pub items: Vec<String>,
}

/// A part of the product's settings view, where an item sends the founder to say what to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SettingsSection {
    Names,
    Canonical,
    Previews,
    Callbacks,
    Mail,
    Endpoints,
}

/// One checklist item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemText {
    pub id: String,
    pub stage: u8,
    pub title: String,
    /// What good looks like.
    pub good: String,
    /// Why it matters for the business.
    pub why: String,
    /// The check ids whose findings decide it; empty for items only the founder can tick.
    #[serde(default)]
    pub checks: Vec<String>,
    /// What the founder's note should say, when the handover needs it.
    #[serde(default)]
    pub note: Option<String>,
    /// The part of the product's settings that decides what its checks look at.
    #[serde(default)]
    pub settings: Option<SettingsSection>,
    /// Steps per platform key of [`PLATFORMS`].
    pub how: BTreeMap<String, Vec<String>>,
}

impl ItemText {
    /// Whether only the founder can tell (no check decides it).
    pub fn is_manual(&self) -> bool {
        self.checks.is_empty()
    }

    /// Every text of the item, for glossary matching and validation.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        [self.title.as_str(), self.good.as_str(), self.why.as_str()]
            .into_iter()
            .chain(self.note.as_deref())
            .chain(self.how.values().flatten().map(String::as_str))
    }
}

impl Content {
    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&ItemText> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The words of stage `number`.
    pub fn stage(&self, number: u8) -> Option<&StageText> {
        self.stages.iter().find(|s| s.number == number)
    }

    /// The glossary terms `texts` use, each with its gloss, in glossary order.
    pub fn terms(&self, texts: &[&str]) -> Vec<(&str, &str)> {
        self.glossary.iter().filter(|(term, _)| texts.iter().any(|t| mentions(t, term))).map(|(t, g)| (t.as_str(), g.as_str())).collect()
    }
}

/// Whether `text` uses `term` as a word (or its plural). Acronyms match as written; lower-case
/// terms match in any case ("Certificates" uses "certificate").
pub fn mentions(text: &str, term: &str) -> bool {
    let lower = term.chars().all(|c| !c.is_uppercase());
    let (hay, needle) = if lower { (text.to_lowercase(), term.to_lowercase()) } else { (text.to_owned(), term.to_owned()) };
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    let mut from = 0;
    while let Some(pos) = hay[from..].find(&needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let mut after = hay[end..].chars();
        let next = after.next();
        let plural = next == Some('s') && !word(after.next());
        if !word(before) && (!word(next) || plural) {
            return true;
        }
        from = end;
    }
    false
}

/// Why the bundled content could not be read (never expected: the tests parse it).
#[derive(Debug, Clone)]
pub struct ContentError(pub String);

const DATA: &str = include_str!("../data/checklist.toml");

/// The bundled content, parsed once.
pub fn content() -> Result<&'static Content, ContentError> {
    static CONTENT: OnceLock<Result<Content, String>> = OnceLock::new();
    CONTENT.get_or_init(|| toml::from_str::<Content>(DATA).map_err(|e| e.to_string())).as_ref().map_err(|e| ContentError(e.clone()))
}

/// Every problem with `c`, in words; empty when it is sound.
pub fn validate(c: &Content) -> Vec<String> {
    let mut problems = Vec::new();
    let mut empty = |what: String, text: &str| {
        if text.trim().is_empty() {
            problems.push(format!("{what} is empty"));
        }
    };
    for s in &c.stages {
        empty(format!("stage {} goal", s.number), &s.goal);
        empty(format!("stage {} deliverable", s.number), &s.deliverable);
        empty(format!("stage {} not_done", s.number), &s.not_done);
    }
    for i in &c.items {
        empty(format!("{} title", i.id), &i.title);
        empty(format!("{} good", i.id), &i.good);
        empty(format!("{} why", i.id), &i.why);
        for (platform, steps) in &i.how {
            if steps.is_empty() {
                empty(format!("{} how.{platform}", i.id), "");
            }
            for step in steps {
                empty(format!("{} how.{platform} step", i.id), step);
            }
        }
        if let Some(n) = &i.note {
            empty(format!("{} note", i.id), n);
        }
    }
    for (term, gloss) in &c.glossary {
        empty(format!("the gloss of {term}"), gloss);
    }
    for (n, w) in c.week_one.iter().enumerate() {
        empty(format!("week_one line {}", n + 1), w);
    }
    if c.version == 0 {
        problems.push("version must be 1 or more".into());
    }
    let numbers: Vec<u8> = c.stages.iter().map(|s| s.number).collect();
    let wanted: Vec<u8> = Stage::ALL.iter().map(|s| s.number()).collect();
    if numbers != wanted {
        problems.push(format!("stages must be {wanted:?} in order, found {numbers:?}"));
    }
    let mut ids = BTreeSet::new();
    for i in &c.items {
        if !ids.insert(i.id.as_str()) {
            problems.push(format!("item id {} is used twice", i.id));
        }
        if Stage::try_from(i.stage).is_err() {
            problems.push(format!("{} is in stage {}, which does not exist", i.id, i.stage));
        }
        for id in &i.checks {
            if checks::find(id).is_none() {
                problems.push(format!("{} names check {id}, which the engine does not have", i.id));
            }
        }
        if !i.how.contains_key("general") {
            problems.push(format!("{} has no general steps (how.general)", i.id));
        }
        for platform in i.how.keys() {
            if !PLATFORMS.iter().any(|(k, _)| k == platform) {
                problems.push(format!("{} names platform {platform}, which is not in PLATFORMS", i.id));
            }
        }
    }
    for s in Stage::ALL {
        if !c.items.iter().any(|i| i.stage == s.number()) {
            problems.push(format!("stage {} has no items", s.number()));
        }
    }
    for def in checks::registry() {
        if !c.items.iter().any(|i| i.checks.iter().any(|id| id == def.id)) {
            problems.push(format!("check {} is not tied to any checklist item", def.id));
        }
    }
    if c.bar.is_empty() {
        problems.push("the minimum bar is empty".into());
    }
    for b in &c.bar {
        if b.items.is_empty() {
            problems.push(format!("bar line {} names no items", b.title));
        }
        for id in &b.items {
            if c.item(id).is_none() {
                problems.push(format!("bar line {} names item {id}, which does not exist", b.title));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_whole_words_and_plurals() {
        assert!(mentions("Certificates renew", "certificate"));
        assert!(mentions("an API key", "API"));
        assert!(!mentions("rapid", "API"), "inside a word is not a use");
        assert!(!mentions("the dns", "DNS"), "acronyms match as written");
        assert!(mentions("uses HTTP/2 now", "HTTP/2"));
        assert!(!mentions("HTTPS only", "HTTP"), "HTTPS is not HTTP");
    }
}
