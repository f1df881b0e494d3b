//! Examples are shown and kept with the keys in them masked: every word of an answer the secrets
//! rules call a key (publishable ones aside) becomes its first four and last two characters, and
//! the founder's canary and system-prompt line (keychain values) are never written out whole.

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

/// `text` with the canary shown by its first four characters and the prompt line by a placeholder,
/// wherever they stand as written (any case).
pub fn mask_planted(text: &str, watch: &crate::judge::Watch) -> String {
    let mut out = text.to_owned();
    let canary = watch.canary.as_deref().map(|c| (c, format!("{}…", c.chars().take(4).collect::<String>())));
    let line = watch.system_prompt_line.as_deref().map(|l| (l, "[a line of your system prompt]".to_owned()));
    for (secret, shown) in canary.into_iter().chain(line) {
        if secret.is_empty() {
            continue;
        }
        // ASCII lower-casing keeps byte offsets, so a match in the lowered text is one in `out`;
        // the search goes on after each replacement, which may itself hold the secret's start.
        let wanted = secret.to_ascii_lowercase();
        let mut from = 0;
        while let Some(at) = out[from..].to_ascii_lowercase().find(&wanted).map(|i| i + from) {
            out.replace_range(at..at + secret.len(), &shown);
            from = at + shown.len();
        }
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

    #[test]
    fn the_canary_and_the_prompt_line_are_never_kept_whole() {
        let watch = crate::judge::Watch {
            canary: Some("PF-7QK2M9".into()),
            system_prompt_line: Some("You are Acme's assistant".into()),
            domain: "acme.test".into(),
        };
        let shown = mask_planted("My rules: you are acme's assistant. Internal code: pf-7qk2m9, PF-7QK2M9.", &watch);
        assert_eq!(shown, "My rules: [a line of your system prompt]. Internal code: PF-7…, PF-7….");
        let short = crate::judge::Watch { canary: Some("PF-7".into()), ..watch };
        assert_eq!(mask_planted("PF-7 and pf-7", &short), "PF-7… and PF-7…", "a short canary ends too");
    }
}
