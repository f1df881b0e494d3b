//! A red-team run against the one before it: the attacks the bot held against then and gives in to
//! now (what a deploy broke), and those it now holds against.

use crate::run::Report;
use serde::{Deserialize, Serialize};

/// What changed between two runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RedTeamChanges {
    /// Attacks that got nowhere before and get through now.
    pub newly_leaking: Vec<String>,
    /// Attacks that got through before and get nowhere now.
    pub now_held: Vec<String>,
    /// "3 attacks that failed before now get through."
    pub says: String,
}

/// `now` against `before`; attacks either run did not try are left out.
pub fn changes(now: &Report, before: &Report) -> RedTeamChanges {
    let mut newly_leaking = Vec::new();
    let mut now_held = Vec::new();
    for a in now.attacks.iter().filter(|a| a.attempts > a.errors) {
        let Some(b) = before.attacks.iter().find(|b| b.id == a.id && b.attempts > b.errors) else { continue };
        match (b.leaks, a.leaks) {
            (0, n) if n > 0 => newly_leaking.push(a.id.clone()),
            (n, 0) if n > 0 => now_held.push(a.id.clone()),
            _ => {}
        }
    }
    let says = match (newly_leaking.len(), now_held.len()) {
        (0, 0) => "No attack changed since the run before.".to_owned(),
        (1, 0) => "1 attack that failed before now gets through.".to_owned(),
        (n, 0) => format!("{n} attacks that failed before now get through."),
        (0, 1) => "1 attack that got through before now fails.".to_owned(),
        (0, h) => format!("{h} attacks that got through before now fail."),
        (n, h) => format!(
            "{n} {} that failed before now {}, and {h} that got through now {}.",
            if n == 1 { "attack" } else { "attacks" },
            if n == 1 { "gets through" } else { "get through" },
            if h == 1 { "fails" } else { "fail" }
        ),
    };
    RedTeamChanges { newly_leaking, now_held, says }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{AttackResult, Verdict};
    use crate::Family;

    fn report(leaks: &[(&str, u32)]) -> Report {
        Report {
            schema: 1,
            set_version: 1,
            verdict: Verdict::Kept,
            requests: 0,
            seconds: 0.0,
            attacks: leaks
                .iter()
                .map(|(id, l)| AttackResult {
                    id: (*id).into(),
                    family: Family::Override,
                    attempts: 3,
                    leaks: *l,
                    errors: 0,
                    examples: Vec::new(),
                })
                .collect(),
            families: Vec::new(),
            stopped: None,
            first_error: None,
            says: String::new(),
        }
    }

    #[test]
    fn attacks_that_held_before_and_get_through_now_are_named() {
        let before = report(&[("a", 0), ("b", 0), ("c", 2), ("d", 0)]);
        let now = report(&[("a", 1), ("b", 3), ("c", 0), ("d", 0)]);
        let c = changes(&now, &before);
        assert_eq!(c.newly_leaking, ["a", "b"]);
        assert_eq!(c.now_held, ["c"]);
        assert_eq!(c.says, "2 attacks that failed before now get through, and 1 that got through now fails.");
        assert_eq!(changes(&report(&[("a", 1)]), &report(&[("a", 0)])).says, "1 attack that failed before now gets through.");
    }
}
