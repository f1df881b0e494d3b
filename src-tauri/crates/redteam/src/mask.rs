//! Examples are shown and kept with the keys in them masked: every word of an answer the secrets
//! rules call a key (publishable ones aside) becomes its first four and last two characters.

/// `text` with each secret-shaped word masked.
pub fn mask_secrets(text: &str) -> String {
    let Ok(rules) = preflight_secrets::rules::bundled() else { return text.to_owned() };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let cut = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, tail) = rest.split_at(cut);
        let hits = rules.scan(word.as_bytes()).hits;
        match hits.iter().find(|h| h.kind != preflight_secrets::rules::Kind::Publishable) {
            Some(h) => out.push_str(&h.masked),
            None => out.push_str(word),
        }
        let space = tail.len() - tail.trim_start().len();
        out.push_str(&tail[..space]);
        rest = &tail[space..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_in_an_answer_is_masked_and_the_rest_kept() {
        let key = format!("sk-proj-{}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4"); // preflight:allow
        let shown = mask_secrets(&format!("Sure, the key is {key} and that's it."));
        assert!(!shown.contains(&key), "{shown}");
        assert!(shown.starts_with("Sure, the key is sk-p") && shown.ends_with(" and that's it."), "{shown}");
    }
}
