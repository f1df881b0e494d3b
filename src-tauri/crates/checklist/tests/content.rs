//! The bundled checklist content is sound: it parses, every check id it names exists, every check
//! the engine has is tied to an item, nothing is empty, and every acronym has a gloss.

use preflight_checklist::content::{content, mentions, validate};

#[test]
fn the_bundled_content_parses_and_validates() {
    let c = content().unwrap_or_else(|e| panic!("data/checklist.toml does not parse: {}", e.0));
    let problems = validate(c);
    assert!(problems.is_empty(), "data/checklist.toml has problems:\n{}", problems.join("\n"));
    assert!(c.items.len() >= 30, "the seven stages need real content, found {} items", c.items.len());
    assert!(c.items.iter().any(|i| i.is_manual()), "some items only the founder can tick");
}

/// Words in capitals that are names, not jargon a founder must learn.
const NAMES: &[&str] = &["GET", "URL", "OpenAI", "ID", "IP", "OK", "GoDaddy", "SES", "AWS", "JSON", "A", "JS", "CSS"];

#[test]
fn every_acronym_in_the_content_has_a_gloss() {
    let c = content().unwrap_or_else(|e| panic!("{}", e.0));
    let mut texts: Vec<&str> = c.items.iter().flat_map(|i| i.texts()).collect();
    texts.extend(c.stages.iter().flat_map(|s| [s.goal.as_str(), s.deliverable.as_str(), s.not_done.as_str()]));
    texts.extend(c.week_one.iter().map(String::as_str));
    let mut missing = std::collections::BTreeSet::new();
    for t in &texts {
        // Inline code (`fly certs add`, a header value) is what to type, not words to read.
        let prose: String = t.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        for word in prose.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '/')) {
            let caps = word.chars().filter(|c| c.is_ascii_uppercase()).count();
            if caps >= 2 && caps * 2 >= word.chars().count() && !NAMES.contains(&word) {
                let glossed = c.glossary.keys().any(|term| mentions(word, term));
                if !glossed {
                    missing.insert(word.to_owned());
                }
            }
        }
    }
    assert!(missing.is_empty(), "these words need a line in [glossary] (or belong in NAMES if they are names): {missing:?}");
}
