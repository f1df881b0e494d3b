//! One pass over a text: which secrets it holds, where, and under which variable name.
//!
//! The keyword automaton runs first; only the rules it wakes run their regexes. Each match is then
//! checked (a placeholder is not a secret; a JWT must carry the rule's role; a value must be random
//! enough when the rule asks), two rules matching the same value keep the more specific one (a
//! `CLERK_SECRET_KEY=sk_live_…` is Clerk's, not Stripe's), and an assignment whose name says
//! "secret" with a random-looking value is reported by the generic rule when no provider rule
//! claimed it. A line carrying `preflight:allow` is skipped. A [`Hit`] keeps only the masked value
//! and its place.

use crate::mask::{digest, entropy, masked, placeholder};
use crate::rules::{Kind, Rules};
use base64::Engine as _;
use serde::Serialize;

/// The marker that accepts a finding on its line.
pub const ALLOW: &str = "preflight:allow";

/// The id the generic rule reports under.
pub const GENERIC_ID: &str = "generic-assignment";

/// Entropy a generic assignment's value needs to be reported.
const GENERIC_MIN_ENTROPY: f64 = 3.5;

/// One secret found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Hit {
    /// The rule's id (`openai-project`), or [`GENERIC_ID`].
    pub rule: String,
    pub provider: String,
    /// "an OpenAI API key".
    pub what: String,
    pub kind: Kind,
    /// 1-based line and column (in bytes) of the value.
    pub line: u32,
    pub column: u32,
    /// The variable or field it is assigned to, when the line says (`NEXT_PUBLIC_OPENAI_API_KEY`).
    pub variable: Option<String>,
    /// First 4 and last 2 characters.
    pub masked: String,
    /// [`crate::mask::digest`] of the value: compares hits within this run, never persisted.
    pub digest: String,
}

/// What one scan found, and how many it skipped because a line said `preflight:allow`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub allowed: u32,
}

struct Candidate {
    start: usize,
    end: usize,
    rule: Option<usize>,
    specific: bool,
}

fn jwt_role(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("role").and_then(|r| r.as_str()).map(str::to_owned)
}

/// The name assigned on `line` just before byte `at` (`KEY=`, `"key": "`, `apiKey: '`).
fn variable(line: &[u8], at: usize) -> Option<String> {
    let before = std::str::from_utf8(line.get(..at)?).ok()?;
    let trimmed = before.trim_end_matches(|c: char| c == '"' || c == '\'' || c == '`' || c.is_whitespace());
    let assigned = trimmed.ends_with('=');
    let mut trimmed = trimmed.strip_suffix(['=', ':'])?.trim_end_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
    // `const KEY: &str = "…"`, `let key: String = …`: the name is before the type.
    if assigned {
        if let Some((name, ty)) = trimmed.rsplit_once(':') {
            if !ty.trim().is_empty() && ty.trim().chars().all(|c| c.is_ascii_alphanumeric() || "&'<>_ ".contains(c)) {
                trimmed = name.trim_end();
            }
        }
    }
    let name: String = trimmed.chars().rev().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.' || *c == '-').collect();
    let name: String = name.chars().rev().collect();
    let name = name.rsplit('.').next().unwrap_or_default().to_owned();
    (!name.is_empty() && name.chars().any(|c| c.is_ascii_alphabetic())).then_some(name)
}

/// Line starts, for turning byte offsets into line and column.
struct Lines(Vec<usize>);

impl Lines {
    fn of(text: &[u8]) -> Lines {
        Lines(std::iter::once(0).chain(text.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1)).collect())
    }

    /// (line index, line start) of `offset`.
    fn at(&self, offset: usize) -> (usize, usize) {
        let i = self.0.partition_point(|s| *s <= offset).saturating_sub(1);
        (i, self.0.get(i).copied().unwrap_or(0))
    }

    fn line<'t>(&self, text: &'t [u8], i: usize) -> &'t [u8] {
        let start = self.0.get(i).copied().unwrap_or(0);
        let end = self.0.get(i + 1).map_or(text.len(), |e| e.saturating_sub(1));
        text.get(start..end).unwrap_or_default()
    }
}

impl Rules {
    /// Every secret in `text`.
    pub fn scan(&self, text: &[u8]) -> Found {
        let mut woken = vec![false; self.compiled.len()];
        for m in self.keywords.find_overlapping_iter(text) {
            for r in &self.wakes[m.pattern().as_usize()] {
                woken[*r] = true;
            }
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        for (i, c) in self.compiled.iter().enumerate().filter(|(i, _)| woken[*i]) {
            let grouped = c.regex.captures_len() > 1;
            for caps in c.regex.captures_iter(text) {
                let Some(m) = (if grouped { caps.get(1) } else { caps.get(0) }) else { continue };
                let value = String::from_utf8_lossy(m.as_bytes());
                if placeholder(&value) {
                    continue;
                }
                if c.rule.min_entropy.is_some_and(|min| entropy(&value) < min) {
                    continue;
                }
                if let Some(role) = &c.rule.jwt_role {
                    if jwt_role(&value).as_deref() != Some(role.as_str()) {
                        continue;
                    }
                }
                candidates.push(Candidate { start: m.start(), end: m.end(), rule: Some(i), specific: grouped });
            }
        }
        if self.generic_keywords.find(text).is_some() {
            for caps in self.generic.captures_iter(text) {
                let Some(m) = caps.get(2) else { continue };
                let value = String::from_utf8_lossy(m.as_bytes());
                let claimed = candidates.iter().any(|c| c.start < m.end() && m.start() < c.end);
                // Random keys mix letters and digits; a long word or an identifier does not.
                let mixed = value.bytes().any(|b| b.is_ascii_digit()) && value.bytes().any(|b| b.is_ascii_alphabetic());
                if claimed || !mixed || placeholder(&value) || entropy(&value) < GENERIC_MIN_ENTROPY {
                    continue;
                }
                candidates.push(Candidate { start: m.start(), end: m.end(), rule: None, specific: false });
            }
        }
        // The same value claimed twice: the rule that knew its context wins, then file order.
        candidates.sort_by(|a, b| a.start.cmp(&b.start).then(b.specific.cmp(&a.specific)).then(a.rule.cmp(&b.rule)));
        candidates.dedup_by(|later, kept| later.start < kept.end && kept.start < later.end);
        if candidates.is_empty() {
            return Found::default();
        }
        let lines = Lines::of(text);
        let mut found = Found::default();
        for c in candidates {
            let (li, line_start) = lines.at(c.start);
            let line = lines.line(text, li);
            if line.windows(ALLOW.len()).any(|w| w == ALLOW.as_bytes()) {
                found.allowed += 1;
                continue;
            }
            let value = String::from_utf8_lossy(&text[c.start..c.end]).into_owned();
            let (rule, provider, what, kind) = match c.rule.map(|i| &self.compiled[i].rule) {
                Some(r) => (r.id.clone(), r.provider.clone(), r.what.clone(), r.kind),
                None => (GENERIC_ID.to_owned(), "Unknown".to_owned(), "a secret-looking value".to_owned(), Kind::Secret),
            };
            found.hits.push(Hit {
                rule,
                provider,
                what,
                kind,
                line: u32::try_from(li + 1).unwrap_or(u32::MAX),
                column: u32::try_from(c.start - line_start + 1).unwrap_or(u32::MAX),
                variable: variable(line, c.start - line_start),
                masked: masked(&value),
                digest: digest(&value),
            });
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::bundled;

    fn rules() -> &'static crate::Rules {
        bundled().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_bundle_line_gives_the_variable_line_and_column_and_never_the_value() {
        let key = "sk-proj-Zq3vN8kR2mX7pL4tB9wC6yH1dF5gJ0sAeUiOoPqWrTyUz";
        let js = format!(
            "var a=1;\nconst env={{NEXT_PUBLIC_OPENAI_API_KEY:\"{key}\",NEXT_PUBLIC_SITE:\"x\"}};\nconst OPENAI: &str = \"{key}\";\n"
        );
        let found = rules().scan(js.as_bytes());
        assert_eq!(found.hits.len(), 2, "{:?}", found.hits);
        assert_eq!(found.hits[1].variable.as_deref(), Some("OPENAI"), "the name, not its type");
        let h = &found.hits[0];
        assert_eq!((h.rule.as_str(), h.line, h.column), ("openai-project", 2, 40));
        assert_eq!(h.variable.as_deref(), Some("NEXT_PUBLIC_OPENAI_API_KEY"));
        assert_eq!(h.masked, "sk-p…Uz");
        assert!(!format!("{h:?}").contains(key), "the full value is never kept");
    }

    #[test]
    fn context_beats_prefix_and_allow_markers_are_counted() {
        let text = "CLERK_SECRET_KEY=sk_live_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56\nSTRIPE=sk_live_Zz98Yy76Xx54Ww32Vv10Uu98 # preflight:allow\n";
        let found = rules().scan(text.as_bytes());
        assert_eq!(found.hits.iter().map(|h| h.rule.as_str()).collect::<Vec<_>>(), ["clerk-secret"]);
        assert_eq!(found.allowed, 1);
    }

    #[test]
    fn the_generic_rule_wants_a_secret_name_and_a_random_value() {
        let found = rules().scan(
            b"INTERNAL_API_TOKEN=q8Fz2LmX0vR7nK3pW9tY5bC1\nFEATURE_TOKEN_LABEL=hello-world-again-and-again\nAPP_NAME=kd8fP2qL9xZ3mN7vB4cR1tY6\nlet r = SecretRef::new(KEYCHAIN_PRODUCT_NAME_LONG);\ntoken: Option<SensitiveStringValue>,\n",
        );
        assert_eq!(
            found.hits.iter().map(|h| (h.rule.as_str(), h.variable.as_deref())).collect::<Vec<_>>(),
            [("generic-assignment", Some("INTERNAL_API_TOKEN"))]
        );
    }
}
