//! What may be kept of a found secret: a masked form and where it was, never the value nor
//! anything the value can be guessed back from.
//!
//! The masked form (first 4 and last 2 characters, and nothing at all of a value under
//! [`MASK_WHOLE_BELOW`] characters) lets a founder recognise which key it is in a dashboard. A
//! persisted identity of a finding (baselines, SARIF, history) is its place and rule, as gitleaks
//! does ([`place`]): a digest of the value, even salted, would let a short password be guessed
//! offline from a report. Telling two values apart (the same key in staging and production, the
//! same key in two commits) uses [`digest`], keyed by a random secret of this process only, so the
//! digests mean nothing outside the run that made them and are never written anywhere.

/// Values shorter than this are shown as stars only: four of twelve characters is a third of a
/// short password.
pub const MASK_WHOLE_BELOW: usize = 20;

/// `value` cut down to its first 4 and last 2 characters; a short value entirely starred (with a
/// fixed count, so not even its length shows).
pub fn masked(value: &str) -> String {
    let n = value.chars().count();
    if n < MASK_WHOLE_BELOW {
        return "********".to_owned();
    }
    let head: String = value.chars().take(4).collect();
    let tail: String = value.chars().skip(n - 2).collect();
    format!("{head}…{tail}")
}

/// A digest of `value` for comparisons within this run only: equal values have equal digests,
/// but the key is this process's own (`preflight_vault::sensitive::keyed_digest`), so a digest
/// written anywhere would tell nothing. Never persist it; persist [`place`].
pub fn digest(value: &str) -> String {
    preflight_vault::sensitive::keyed_digest(value.as_bytes())
}

/// A finding's persisted identity: where it is and which rule found it (`commit:path:rule:line`,
/// the commit empty for the working tree or a shipped file).
pub fn place(commit: Option<&str>, path: &str, rule: &str, line: u32) -> String {
    format!("{}:{path}:{rule}:{line}", commit.unwrap_or_default())
}

/// Shannon entropy of `value` in bits per character: random keys score 4 to 6, words and
/// placeholders 2 to 3.
pub fn entropy(value: &str) -> f64 {
    let mut counts = [0u32; 256];
    let bytes = value.as_bytes();
    for b in bytes {
        counts[usize::from(*b)] += 1;
    }
    let n = bytes.len() as f64;
    counts.iter().filter(|c| **c > 0).map(|c| f64::from(*c) / n).map(|p| -p * p.log2()).sum()
}

/// Whether `value` is a stand-in for a secret rather than one: `${VAR}`, `<your key>`,
/// `your-key-here`, `xxxx…`, `changeme`, `process.env.X`.
pub fn placeholder(value: &str) -> bool {
    let v = value.trim_matches(|c| c == '"' || c == '\'' || c == '`');
    let lower = v.to_ascii_lowercase();
    v.starts_with('$')
        || v.starts_with('<')
        || v.starts_with('{')
        || v.starts_with('%')
        || lower.starts_with("your")
        || lower.starts_with("process.env")
        || lower.starts_with("import.meta.env")
        || lower.contains("changeme")
        || lower.contains("example")
        || lower.contains("placeholder")
        || lower.chars().all(|c| c == 'x' || c == '*' || c == '.' || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_masked_form_and_a_place_are_kept() {
        assert_eq!(masked("sk-proj-abcdefghijklmnopqrstuvwxyz"), "sk-p…yz");
        assert_eq!(masked("short"), "********");
        assert_eq!(masked("hunter2-hunter2-xyz"), "********", "19 characters: nothing of it shows");
        assert_eq!(masked("kD8fP2qL9xZ3mN7vB4cR"), "kD8f…cR");
        assert_eq!(digest("a"), digest("a"), "equal values compare equal within a run");
        assert_ne!(digest("a"), digest("b"));
        use sha2::{Digest, Sha256};
        let unsalted: String = Sha256::digest(b"a").iter().take(8).map(|b| format!("{b:02x}")).collect();
        assert_ne!(digest("a"), unsalted, "the digest is keyed: a table of known passwords does not find it");
        assert_eq!(place(Some("3f9a1c2"), "src/a.ts", "openai", 7), "3f9a1c2:src/a.ts:openai:7");
        assert_eq!(place(None, "src/a.ts", "openai", 7), ":src/a.ts:openai:7");
    }

    #[test]
    fn random_keys_score_high_and_words_low() {
        assert!(entropy("kD8fP2qL9xZ3mN7vB4cR1tY6") > 4.0);
        assert!(entropy("passwordpassword") < 3.0);
        assert!(placeholder("${OPENAI_API_KEY}") && placeholder("your-api-key-here") && placeholder("xxxxxxxxxxxx"));
        assert!(!placeholder("kD8fP2qL9xZ3mN7vB4cR1tY6"));
    }
}
