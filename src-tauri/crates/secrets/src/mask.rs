//! What may be kept of a found secret: a masked form and a fingerprint, never the value.
//!
//! The masked form (first 4 and last 2 characters) lets a founder recognise which key it is in a
//! dashboard; the fingerprint (the first 12 hex digits of its SHA-256) lets two findings be told to
//! be the same secret (the same key in staging and production, the same key in two commits) and a
//! baseline accept one, without holding either value.

use sha2::{Digest, Sha256};

/// `value` cut down to its first 4 and last 2 characters (all stars when it is too short to cut).
pub fn masked(value: &str) -> String {
    let n = value.chars().count();
    if n < 10 {
        return "*".repeat(n.max(4));
    }
    let head: String = value.chars().take(4).collect();
    let tail: String = value.chars().skip(n - 2).collect();
    format!("{head}…{tail}")
}

/// A short, stable digest of `value`.
pub fn fingerprint(value: &str) -> String {
    Sha256::digest(value.as_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect()
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
    fn only_a_masked_form_and_a_fingerprint_are_kept() {
        assert_eq!(masked("sk-proj-abcdefghijklmnopqrstuvwxyz"), "sk-p…yz");
        assert_eq!(masked("short"), "*****");
        assert_eq!(fingerprint("a"), fingerprint("a"));
        assert_ne!(fingerprint("a"), fingerprint("b"));
        assert_eq!(fingerprint("a").len(), 12);
    }

    #[test]
    fn random_keys_score_high_and_words_low() {
        assert!(entropy("kD8fP2qL9xZ3mN7vB4cR1tY6") > 4.0);
        assert!(entropy("passwordpassword") < 3.0);
        assert!(placeholder("${OPENAI_API_KEY}") && placeholder("your-api-key-here") && placeholder("xxxxxxxxxxxx"));
        assert!(!placeholder("kD8fP2qL9xZ3mN7vB4cR1tY6"));
    }
}
