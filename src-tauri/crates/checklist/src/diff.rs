//! What changed between two audits of a product: new problems, regressions, fixes.
//!
//! A problem is a failing or warning finding, identified by its check and subject, so the same
//! problem on the same name is the same problem whatever its wording. Each (check, subject) pair is
//! compared once, and the comparison never claims more than both runs show: a problem whose check
//! could not decide in the newer run, or did not run at all (`--only`), is `unknown`, not fixed.

use preflight_core::{Finding, Impact, Report, Status};
use serde::Serialize;
use std::collections::BTreeMap;

/// How one (check, subject) moved between the two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// A problem the older run did not show at all (a new name, a new check, or not decided then).
    New,
    /// Was fine, or a warning, and is now worse.
    Regressed,
    /// Was a problem, and the newer run found it fine (or no longer applicable).
    Fixed,
    /// Was a failure, is now a warning.
    Improved,
    /// Was a problem; the newer run could not look, so nobody knows.
    Unknown,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Change {
    pub movement: Movement,
    pub check: String,
    pub subject: String,
    pub before: Option<Status>,
    pub after: Option<Status>,
    pub impact: Impact,
    /// The newer run's verdict when it has one, else the older run's.
    pub title: String,
}

/// A stored audit run, in short: which one and when it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunRef {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub run_id: i64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub started_at_ms: i64,
}

/// Everything that changed, in the order a founder should read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Diff {
    pub schema: u32,
    pub domain: String,
    pub older: RunRef,
    pub newer: RunRef,
    /// New and regressed first, then unknown, improved and fixed.
    pub changes: Vec<Change>,
    /// Problems both runs show, unchanged.
    pub unchanged_problems: u32,
}

impl Diff {
    /// Changes of one kind.
    pub fn of(&self, movement: Movement) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.movement == movement)
    }

    /// Problems that appeared: new ones and regressions.
    pub fn appeared(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| matches!(c.movement, Movement::New | Movement::Regressed))
    }
}

fn problem(s: Status) -> bool {
    matches!(s, Status::Fail | Status::Warn)
}

/// How `before` → `after` reads, or None when nothing worth telling changed.
fn movement(before: Option<Status>, after: Option<Status>) -> Option<Movement> {
    match (before, after) {
        (b, Some(a)) if problem(a) => match b {
            None | Some(Status::Error) => Some(Movement::New),
            Some(Status::Warn) if a == Status::Fail => Some(Movement::Regressed),
            Some(Status::Fail) if a == Status::Warn => Some(Movement::Improved),
            Some(b) if problem(b) => None,
            Some(_) => Some(Movement::Regressed),
        },
        (Some(b), a) if problem(b) => match a {
            None | Some(Status::Error) => Some(Movement::Unknown),
            Some(_) => Some(Movement::Fixed),
        },
        _ => None,
    }
}

/// Compares `older` with `newer` (the two runs' ids are given for the report).
pub fn between(older: (&Report, i64), newer: (&Report, i64)) -> Diff {
    type Key<'a> = (&'a str, &'a str);
    fn index(r: &Report) -> BTreeMap<(&str, &str), &Finding> {
        r.findings.iter().map(|f| ((f.id.as_str(), f.subject.as_str()), f)).collect()
    }
    let (before, after) = (index(older.0), index(newer.0));
    let mut keys: Vec<Key<'_>> = before.keys().chain(after.keys()).copied().collect();
    keys.sort();
    keys.dedup();
    let mut changes = Vec::new();
    let mut unchanged = 0u32;
    for key in keys {
        let (b, a) = (before.get(&key), after.get(&key));
        let Some(m) = movement(b.map(|f| f.status), a.map(|f| f.status)) else {
            if a.is_some_and(|f| problem(f.status)) {
                unchanged += 1;
            }
            continue;
        };
        let Some(shown) = a.filter(|f| problem(f.status)).or(b).or(a) else { continue };
        changes.push(Change {
            movement: m,
            check: key.0.to_owned(),
            subject: key.1.to_owned(),
            before: b.map(|f| f.status),
            after: a.map(|f| f.status),
            impact: shown.impact,
            title: shown.title.clone(),
        });
    }
    changes.sort_by(|x, y| x.movement.cmp(&y.movement).then(x.impact.cmp(&y.impact)).then(x.check.cmp(&y.check)));
    Diff {
        schema: 1,
        domain: newer.0.domain.clone(),
        older: RunRef { run_id: older.1, started_at_ms: older.0.started_at_ms },
        newer: RunRef { run_id: newer.1, started_at_ms: newer.0.started_at_ms },
        changes,
        unchanged_problems: unchanged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_core::checks::{dns, tls};

    #[test]
    fn every_move_between_statuses_reads_right() {
        use Status::*;
        let cases = [
            (None, Some(Fail), Some(Movement::New)),
            (Some(Error), Some(Warn), Some(Movement::New)),
            (Some(Pass), Some(Warn), Some(Movement::Regressed)),
            (Some(Warn), Some(Fail), Some(Movement::Regressed)),
            (Some(Fail), Some(Warn), Some(Movement::Improved)),
            (Some(Fail), Some(Pass), Some(Movement::Fixed)),
            (Some(Warn), Some(Skipped), Some(Movement::Fixed)),
            (Some(Fail), Some(Error), Some(Movement::Unknown)),
            (Some(Fail), None, Some(Movement::Unknown)),
            (Some(Fail), Some(Fail), None),
            (Some(Pass), Some(Error), None),
            (None, Some(Pass), None),
        ];
        for (b, a, want) in cases {
            assert_eq!(movement(b, a), want, "{b:?} → {a:?}: a check that could not look never reads as fixed");
        }
    }

    #[test]
    fn the_same_problem_on_the_same_name_is_not_new() {
        let expiring = |subject: &str| Finding::new(&tls::EXPIRY, subject, Status::Warn).title("expires soon");
        let older = Report::new("a.test".into(), 1, 1, vec![expiring("a.test"), Finding::new(&dns::RESOLVE, "www.a.test", Status::Fail)]);
        let newer = Report::new(
            "a.test".into(),
            2,
            1,
            vec![expiring("a.test").title("reworded"), expiring("api.a.test"), Finding::new(&dns::RESOLVE, "www.a.test", Status::Pass)],
        );
        let d = between((&older, 7), (&newer, 8));
        let seen: Vec<(Movement, &str)> = d.changes.iter().map(|c| (c.movement, c.subject.as_str())).collect();
        assert_eq!(seen, [(Movement::New, "api.a.test"), (Movement::Fixed, "www.a.test")]);
        assert_eq!(d.unchanged_problems, 1);
        assert_eq!((d.older.run_id, d.newer.run_id), (7, 8));
    }
}
