//! An item's state, decided from the statuses of its checks' findings and the founder's tick.
//!
//! Pure and total: [`derive`] is defined for every combination of statuses and every tick, and the
//! tests walk all of them. The rules follow the house rule "never a verdict the evidence does not
//! support": the worst *known* problem wins; `error` never reads as done or not done; a founder's
//! tick fills in what no machine could see but never hides a failing check (that is a
//! [`ItemState::Contradiction`], shown as such).

use preflight_core::Status;
use serde::{Deserialize, Serialize};

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// The evidence (or the founder, where no check can see) says it is done.
    Done,
    /// Works, but a check warns.
    Attention,
    /// A check fails.
    NotDone,
    /// The founder ticked it, but a check now warns or fails about it.
    Contradiction,
    /// Some check could not decide and none found a problem.
    CouldntCheck,
    /// Waiting for the founder: an item only they can tick, or a check that asks their call.
    Open,
    /// No audit has looked at it yet.
    NotChecked,
    /// Every check was skipped (it does not apply to this product, or is opt-in and was not
    /// asked for); the evidence says which. Not counted in the score.
    Skipped,
}

impl ItemState {
    /// The founder's word for it (VOICE.md's words where they exist).
    pub fn label(self) -> &'static str {
        match self {
            ItemState::Done => "Done",
            ItemState::Attention => "Needs attention",
            ItemState::NotDone => "Not done",
            ItemState::Contradiction => "You ticked it, but a check disagrees",
            ItemState::CouldntCheck => "Couldn't check",
            ItemState::Open => "Your call",
            ItemState::NotChecked => "Not checked yet",
            ItemState::Skipped => "Skipped",
        }
    }
}

/// Who decided the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// The latest audit's findings (or Preflight's own records, for monitoring).
    Audit,
    /// The founder's tick.
    Founder,
    /// Both disagree: the audit's problem and the founder's tick are shown side by side.
    Both,
    /// Nothing yet.
    Nobody,
}

/// What the checks alone say, from the statuses of their findings.
pub fn from_checks(statuses: &[Status]) -> ItemState {
    let has = |s: Status| statuses.contains(&s);
    if statuses.is_empty() {
        ItemState::NotChecked
    } else if has(Status::Fail) {
        ItemState::NotDone
    } else if has(Status::Warn) {
        ItemState::Attention
    } else if has(Status::Error) {
        ItemState::CouldntCheck
    } else if has(Status::Manual) {
        ItemState::Open
    } else if has(Status::Pass) {
        ItemState::Done
    } else {
        ItemState::Skipped
    }
}

/// The item's state. `automated` says whether the item names checks; `statuses` are its
/// findings' statuses in the latest audit; `ticked` is the founder's tick, if any.
pub fn derive(automated: bool, statuses: &[Status], ticked: bool) -> (ItemState, DecidedBy) {
    if !automated {
        return if ticked { (ItemState::Done, DecidedBy::Founder) } else { (ItemState::Open, DecidedBy::Nobody) };
    }
    let checks = from_checks(statuses);
    match (checks, ticked) {
        (ItemState::NotChecked, false) => (ItemState::NotChecked, DecidedBy::Nobody),
        (state, false) => (state, DecidedBy::Audit),
        (ItemState::NotDone | ItemState::Attention, true) => (ItemState::Contradiction, DecidedBy::Both),
        (ItemState::Done, true) => (ItemState::Done, DecidedBy::Audit),
        // The checks could not see, or ask the founder: the tick is the evidence.
        (_, true) => (ItemState::Done, DecidedBy::Founder),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Status; 6] = [Status::Pass, Status::Warn, Status::Fail, Status::Error, Status::Skipped, Status::Manual];

    /// Every subset of statuses, as the findings of one item can show any mix of them.
    fn subsets() -> Vec<Vec<Status>> {
        (0u32..64).map(|bits| ALL.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, s)| *s).collect()).collect()
    }

    #[test]
    fn every_combination_of_statuses_and_tick_has_one_defensible_state() {
        for statuses in subsets() {
            for ticked in [false, true] {
                let (state, by) = derive(true, &statuses, ticked);
                let has = |s| statuses.contains(&s);
                let why = format!("statuses {statuses:?}, ticked {ticked} gave {state:?} by {by:?}");
                if has(Status::Fail) || has(Status::Warn) {
                    let want = if ticked {
                        ItemState::Contradiction
                    } else if has(Status::Fail) {
                        ItemState::NotDone
                    } else {
                        ItemState::Attention
                    };
                    assert_eq!(state, want, "a known problem always shows, and a tick never hides it: {why}");
                } else if ticked {
                    assert_eq!(state, ItemState::Done, "{why}");
                    let want = if has(Status::Pass) && !has(Status::Error) && !has(Status::Manual) {
                        DecidedBy::Audit
                    } else {
                        DecidedBy::Founder
                    };
                    assert_eq!(by, want, "done by the audit only when every check agrees: {why}");
                } else if has(Status::Error) {
                    assert_eq!(state, ItemState::CouldntCheck, "an error is never done or not done: {why}");
                } else if has(Status::Manual) {
                    assert_eq!(state, ItemState::Open, "{why}");
                } else if has(Status::Pass) {
                    assert_eq!((state, by), (ItemState::Done, DecidedBy::Audit), "{why}");
                } else if has(Status::Skipped) {
                    assert_eq!(state, ItemState::Skipped, "{why}");
                } else {
                    assert_eq!((state, by), (ItemState::NotChecked, DecidedBy::Nobody), "no audit, no verdict: {why}");
                }
            }
        }
    }

    #[test]
    fn items_only_the_founder_can_see_follow_the_tick() {
        assert_eq!(derive(false, &[], false), (ItemState::Open, DecidedBy::Nobody));
        assert_eq!(derive(false, &[], true), (ItemState::Done, DecidedBy::Founder));
    }
}
