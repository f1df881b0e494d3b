//! The rules, read from `data/rules.toml` and compiled once into one scanner.
//!
//! Every rule's keywords go into a single Aho-Corasick automaton, so a text is read once whatever
//! the number of rules, and a rule's regex runs only on texts that contain one of its keywords (a
//! typical source file wakes none or one). The regexes are compiled when the rules are loaded, once
//! per process; a rule that does not compile is a build-time test failure, never a scan error.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What a match means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A server-side secret: whoever holds it can act as you.
    Secret,
    /// A test-mode secret: no money moves, but it still opens your account.
    Test,
    /// Meant to be public (Stripe `pk_`, Supabase anon): reported as fine.
    Publishable,
}

/// One rule as written in the data file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub provider: String,
    /// "an OpenAI API key".
    pub what: String,
    pub pattern: String,
    pub keywords: Vec<String>,
    #[serde(default = "secret")]
    pub kind: Kind,
    pub example: String,
    pub near_miss: String,
    /// Where the founder revokes it and makes a new one.
    #[serde(default)]
    pub dashboard: Option<String>,
    /// The JWT payload's `role` that makes a token this rule's.
    #[serde(default)]
    pub jwt_role: Option<String>,
    /// Least entropy (bits per character) of the value.
    #[serde(default)]
    pub min_entropy: Option<f64>,
}

fn secret() -> Kind {
    Kind::Secret
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    rule: Vec<Rule>,
}

/// A rule with its compiled pattern.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub rule: Rule,
    pub regex: Regex,
}

/// Every rule, compiled, with the one keyword automaton.
#[derive(Debug)]
pub struct Rules {
    pub(crate) compiled: Vec<Compiled>,
    pub(crate) keywords: AhoCorasick,
    /// For each keyword of the automaton, the rules it wakes.
    pub(crate) wakes: Vec<Vec<usize>>,
    /// The generic `*_KEY = value` rule, judged by entropy.
    pub(crate) generic: Regex,
    pub(crate) generic_keywords: AhoCorasick,
}

/// Why the rules could not be loaded (a broken data file; the tests rule it out).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the bundled secret rules are unusable: {0}")]
pub struct RulesError(pub String);

const DATA: &str = include_str!("../data/rules.toml");

/// Assignments whose name says "secret" and whose value is long enough to be one.
/// The value is made of the characters keys are made of and starts with one, so code such as
/// `SecretRef::new(...)` or `token: Option<String>` is not read as an assignment of a secret.
const GENERIC: &str = r#"(?i)\b([A-Z0-9_]*(?:API_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_?KEY|ACCESS_?KEY)[A-Z0-9_]*)["']?\s*[:=]\s*["'`]?([A-Za-z0-9+/_.~-][A-Za-z0-9+/=_.~-]{15,})"#;
const GENERIC_KEYWORDS: &[&str] = &["key", "secret", "token", "password", "passwd"];

impl Rules {
    /// Parses and compiles `toml`.
    pub fn parse(toml: &str) -> Result<Rules, RulesError> {
        let file: File = toml::from_str(toml).map_err(|e| RulesError(e.to_string()))?;
        let mut compiled = Vec::with_capacity(file.rule.len());
        let mut words: Vec<String> = Vec::new();
        let mut wakes: Vec<Vec<usize>> = Vec::new();
        for (i, rule) in file.rule.into_iter().enumerate() {
            let regex = Regex::new(&rule.pattern).map_err(|e| RulesError(format!("rule {}: {e}", rule.id)))?;
            for k in &rule.keywords {
                let k = k.to_ascii_lowercase();
                match words.iter().position(|w| *w == k) {
                    Some(at) => wakes[at].push(i),
                    None => {
                        words.push(k);
                        wakes.push(vec![i]);
                    }
                }
            }
            compiled.push(Compiled { rule, regex });
        }
        let automaton = |words: &[String]| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(words)
                .map_err(|e| RulesError(e.to_string()))
        };
        let keywords = automaton(&words)?;
        let generic = Regex::new(GENERIC).map_err(|e| RulesError(e.to_string()))?;
        let generic_keywords = automaton(&GENERIC_KEYWORDS.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())?;
        Ok(Rules { compiled, keywords, wakes, generic, generic_keywords })
    }

    /// Every rule, in file order.
    pub fn all(&self) -> impl Iterator<Item = &Rule> {
        self.compiled.iter().map(|c| &c.rule)
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.all().find(|r| r.id == id)
    }
}

/// The bundled rules, compiled once per process.
pub fn bundled() -> Result<&'static Rules, RulesError> {
    static RULES: OnceLock<Result<Rules, RulesError>> = OnceLock::new();
    RULES.get_or_init(|| Rules::parse(DATA)).as_ref().map_err(Clone::clone)
}
