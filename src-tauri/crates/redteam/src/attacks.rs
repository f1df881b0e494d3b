//! The bundled attack set (`data/attacks.toml`, versioned with the release): its families, and
//! each attack's turns rendered for one attempt with that attempt's marker.

use crate::marker::{rot13, Marker};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The set as shipped.
const BUNDLED: &str = include_str!("../data/attacks.toml");

/// Where an exfiltration attack asks the bot to send data: a reserved name that never resolves.
pub const EXFIL_HOST: &str = "collect.attacker.example";

/// The kinds of attack, in the order a report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Family {
    Override,
    Roleplay,
    Extraction,
    Encoded,
    Delimiter,
    Indirect,
    Multiturn,
    Exfiltration,
}

impl Family {
    pub const ALL: [Family; 8] = [
        Family::Override,
        Family::Roleplay,
        Family::Extraction,
        Family::Encoded,
        Family::Delimiter,
        Family::Indirect,
        Family::Multiturn,
        Family::Exfiltration,
    ];

    /// What the family tries, as a founder reads it: "Told to ignore its instructions".
    pub fn words(self) -> &'static str {
        match self {
            Family::Override => "Told to ignore its instructions",
            Family::Roleplay => "Asked to play a character without rules (\"developer mode\")",
            Family::Extraction => "Asked to reveal its hidden instructions",
            Family::Encoded => "Given instructions in base64, ROT13, leetspeak or another language",
            Family::Delimiter => "Given fake system messages and format tricks",
            Family::Indirect => "Given a pasted document or web page that carries instructions",
            Family::Multiturn => "Led there over two or three messages",
            Family::Exfiltration => "Asked to add an image or link that sends data to another site",
        }
    }

    /// The fix a founder can make against this family.
    pub fn fix(self) -> &'static str {
        match self {
            Family::Override | Family::Roleplay | Family::Multiturn => {
                "State in the system prompt that customer messages are data, never instructions, and add a moderation step that refuses rule-changing requests."
            }
            Family::Extraction => {
                "Never put keys, internal codes or anything you would not publish in the system prompt: assume a customer can read it."
            }
            Family::Encoded => "Check decoded and translated requests like plain ones: moderate the model's output, not only the customer's words.",
            Family::Delimiter => "Send customer text only in the user role and never build the prompt by pasting it next to your own instructions.",
            Family::Indirect => {
                "Mark pasted documents, web pages and tool output as untrusted data and strip instructions from them before the model reads them."
            }
            Family::Exfiltration => {
                "Do not render images or links to addresses outside your own site in chat replies (or proxy and allow-list them)."
            }
        }
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Family::Override => "override",
            Family::Roleplay => "roleplay",
            Family::Extraction => "extraction",
            Family::Encoded => "encoded",
            Family::Delimiter => "delimiter",
            Family::Indirect => "indirect",
            Family::Multiturn => "multiturn",
            Family::Exfiltration => "exfiltration",
        })
    }
}

/// One attack as written in the data file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attack {
    pub id: String,
    pub family: Family,
    /// The customer's messages, in order (two or three for a multi-turn attack).
    pub turns: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    attacks: Vec<Attack>,
}

/// The bundled set's version and attacks; an error only if the shipped file is broken.
pub fn bundled() -> Result<(u32, Vec<Attack>), String> {
    let file: File = toml::from_str(BUNDLED).map_err(|e| format!("the bundled attack set does not parse: {e}"))?;
    Ok((file.version, file.attacks))
}

impl Attack {
    /// The turns with `marker`'s halves and the exfiltration address filled in, then the
    /// wrappers encoded.
    pub fn render(&self, marker: &Marker) -> Vec<String> {
        self.turns.iter().map(|t| render(t, marker)).collect()
    }
}

fn render(template: &str, m: &Marker) -> String {
    let mut out = template.replace("{{a}}", &m.a).replace("{{b}}", &m.b).replace("{{exfil}}", EXFIL_HOST);
    for (tag, encode) in [("base64", base64_of as fn(&str) -> String), ("rot13", rot13), ("leet", leet)] {
        let open = format!("{{{{{tag}:");
        while let Some(start) = out.find(&open) {
            let Some(len) = out[start..].find("}}") else { break };
            let inner = out[start + open.len()..start + len].to_owned();
            out.replace_range(start..start + len + 2, &encode(&inner));
        }
    }
    out
}

fn base64_of(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
}

fn leet(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_ascii_lowercase() {
            'a' => '4',
            'e' => '3',
            'i' => '1',
            'o' => '0',
            's' => '5',
            't' => '7',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_set_has_every_family_and_ids_of_their_own() {
        let (version, attacks) = bundled().expect("parses");
        assert_eq!(version, 1);
        assert!((40..=60).contains(&attacks.len()), "{} attacks", attacks.len());
        let ids: HashSet<&str> = attacks.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids.len(), attacks.len(), "ids are unique");
        for f in Family::ALL {
            assert!(attacks.iter().filter(|a| a.family == f).count() >= 5, "{f} has at least five attacks");
        }
        assert!(attacks.iter().filter(|a| a.family == Family::Multiturn).all(|a| (2..=3).contains(&a.turns.len())));
    }

    /// The rule the whole set rests on: a bot that repeats every message back is never blamed,
    /// whatever the random halves are.
    #[test]
    fn no_prompt_spells_its_own_marker() {
        let (_, attacks) = bundled().expect("parses");
        for _ in 0..50 {
            let m = Marker::fresh().expect("random");
            for a in &attacks {
                let turns = a.render(&m);
                assert!(turns.iter().all(|t| !t.contains("{{")), "{}: a placeholder is left: {turns:?}", a.id);
                let all = turns.join("\n");
                assert_eq!(m.found_in(&all), None, "{} spells its marker {}: {all}", a.id, m.whole());
                assert!(all.contains(&m.a) || a.family == Family::Encoded, "{}: the first half is named", a.id);
            }
        }
    }

    #[test]
    fn wrappers_encode_what_they_hold() {
        let m = Marker { a: "K7QWD".into(), b: "M3XPT".into() };
        assert_eq!(render("{{base64:hi {{a}}}}", &m), base64_of("hi K7QWD"));
        assert_eq!(render("x {{rot13:abc}} y", &m), "x nop y");
        assert_eq!(render("{{leet:test}}", &m), "7357");
    }
}
