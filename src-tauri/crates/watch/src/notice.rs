//! What the founder is told, and how often: one notice per transition, several monitors changing
//! together folded into one, recoveries with the downtime, optional reminders no more than every
//! 30 minutes, and nothing at all while muted.
//!
//! Pure and on the caller's clock: the scheduler pushes confirmed transitions and asks, once a
//! second, for what is due. A group closes a few seconds after its first change so a whole product
//! going down at once is one notification, not twenty.

use crate::state::{State, Transition};
use serde::Serialize;
use std::collections::BTreeMap;

/// Reminders never come more often than this.
pub const MIN_REMINDER_MS: u64 = 30 * 60_000;

/// What kind of news a notice brings (the tray and the channels pick their wording and urgency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Down,
    Up,
    Reminder,
    CertExpiring,
    /// The domain's registration nears its expiry date.
    DomainExpiring,
    NewFailures,
    /// The product's paths ran after a deploy: how they went.
    Paths,
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Notice {
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
    /// The monitors it is about.
    pub monitors: Vec<String>,
    pub at: u64,
}

/// A confirmed change of one monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub monitor_id: i64,
    pub monitor: String,
    pub transition: Transition,
}

/// Grouping, mute and reminders.
#[derive(Debug)]
pub struct Notifier {
    window_ms: u64,
    reminder_every_ms: Option<u64>,
    muted_until: u64,
    pending: Vec<Change>,
    pending_since: Option<u64>,
    /// Monitors down now: name, since, last told.
    down: BTreeMap<i64, (String, u64, u64)>,
}

/// "4 min", "2 h 5 min", "3 days".
pub fn duration_words(ms: u64) -> String {
    let mins = ms / 60_000;
    match mins {
        0 => format!("{} s", (ms / 1000).max(1)),
        1..=59 => format!("{mins} min"),
        60..=2879 if mins.is_multiple_of(60) => format!("{} h", mins / 60),
        60..=2879 => format!("{} h {} min", mins / 60, mins % 60),
        _ => format!("{} days", mins / 1440),
    }
}

fn listing(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Notifier {
    /// Groups changes within `window_ms`; reminds every `reminder_every_ms` (at least 30 minutes)
    /// while something is down, when asked to.
    pub fn new(window_ms: u64, reminder_every_ms: Option<u64>) -> Notifier {
        Notifier {
            window_ms,
            reminder_every_ms: reminder_every_ms.map(|r| r.max(MIN_REMINDER_MS)),
            muted_until: 0,
            pending: Vec::new(),
            pending_since: None,
            down: BTreeMap::new(),
        }
    }

    /// Nothing is announced until `until` (transitions are still recorded and shown).
    pub fn mute(&mut self, until: u64) {
        self.muted_until = until;
    }

    pub fn muted_until(&self) -> u64 {
        self.muted_until
    }

    /// Takes a transition; only those worth announcing are kept.
    pub fn push(&mut self, now: u64, change: Change) {
        let t = &change.transition;
        if t.to == State::Down {
            self.down.insert(change.monitor_id, (change.monitor.clone(), t.since.unwrap_or(t.at), now));
        } else if t.to == State::Up {
            self.down.remove(&change.monitor_id);
        }
        if !t.notify {
            return;
        }
        self.pending_since.get_or_insert(now);
        self.pending.push(change);
    }

    /// A notice that is not a transition (certificate expiry, new audit failures): passes the mute.
    pub fn extra(&self, now: u64, notice: Notice) -> Option<Notice> {
        (now >= self.muted_until).then_some(notice)
    }

    /// What is due at `now`: the closed group (downs together, recoveries together) and reminders.
    pub fn due(&mut self, now: u64) -> Vec<Notice> {
        let mut out = Vec::new();
        if self.pending_since.is_some_and(|since| now.saturating_sub(since) >= self.window_ms) {
            self.pending_since = None;
            let changes = std::mem::take(&mut self.pending);
            let (downs, ups): (Vec<_>, Vec<_>) = changes.into_iter().partition(|c| c.transition.to == State::Down);
            // A monitor that went down and came back inside one window is told as what it is now.
            let downs: Vec<_> = downs.into_iter().filter(|d| self.down.contains_key(&d.monitor_id)).collect();
            if !downs.is_empty() {
                out.push(down_notice(now, &downs));
            }
            let ups: Vec<_> = ups.into_iter().filter(|u| !self.down.contains_key(&u.monitor_id)).collect();
            if !ups.is_empty() {
                out.push(up_notice(now, &ups));
            }
        }
        if let Some(every) = self.reminder_every_ms {
            let stale: Vec<i64> =
                self.down.iter().filter(|(_, (_, _, told))| now.saturating_sub(*told) >= every).map(|(id, _)| *id).collect();
            if !stale.is_empty() {
                let mut names = Vec::new();
                let mut longest = 0;
                for id in stale {
                    if let Some(entry) = self.down.get_mut(&id) {
                        entry.2 = now;
                        names.push(entry.0.clone());
                        longest = longest.max(now.saturating_sub(entry.1));
                    }
                }
                let title =
                    if names.len() == 1 { format!("{} is still down", names[0]) } else { format!("{} are still down", listing(&names)) };
                out.push(Notice {
                    kind: NoticeKind::Reminder,
                    title,
                    body: format!("Down for {} so far.", duration_words(longest)),
                    monitors: names,
                    at: now,
                });
            }
        }
        if now < self.muted_until {
            return Vec::new();
        }
        out
    }
}

fn down_notice(now: u64, downs: &[Change]) -> Notice {
    let names: Vec<String> = downs.iter().map(|c| c.monitor.clone()).collect();
    let (title, body) = match downs {
        [one] => (
            format!("{} is down", one.monitor),
            format!("It {}. Preflight checked that your own internet works, so this is not your connection.", cause_of(one)),
        ),
        _ => (
            format!("{} monitors are down", downs.len()),
            format!("{} stopped answering at the same time: often the host or the DNS provider rather than the app.", listing(&names)),
        ),
    };
    Notice { kind: NoticeKind::Down, title, body, monitors: names, at: now }
}

fn up_notice(now: u64, ups: &[Change]) -> Notice {
    let names: Vec<String> = ups.iter().map(|c| c.monitor.clone()).collect();
    let longest = ups.iter().filter_map(|c| c.transition.down_for_ms).max().unwrap_or(0);
    let title = match ups {
        [one] => format!("{} is back up", one.monitor),
        _ => format!("{} monitors are back up", ups.len()),
    };
    let body = match ups {
        [_] => format!("It was down for {}.", duration_words(longest)),
        _ => format!("{} answer again; the longest was down for {}.", listing(&names), duration_words(longest)),
    };
    Notice { kind: NoticeKind::Up, title, body, monitors: names, at: now }
}

fn cause_of(c: &Change) -> String {
    c.transition.cause.as_ref().map_or_else(|| "stopped answering".to_owned(), |cause| cause.words())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Cause;

    fn change(id: i64, to: State, at: u64) -> Change {
        let (from, down_for_ms) = if to == State::Down { (State::Pending, None) } else { (State::Down, Some(300_000)) };
        Change {
            monitor_id: id,
            monitor: format!("m{id}"),
            transition: Transition { at, from, to, cause: Some(Cause::Status { code: 503 }), since: Some(at), down_for_ms, notify: true },
        }
    }

    #[test]
    fn changes_together_are_one_notice_and_recovery_says_the_downtime() {
        let mut n = Notifier::new(3_000, None);
        for id in 1..=3 {
            n.push(1_000 + id as u64, change(id, State::Down, 1_000));
        }
        assert!(n.due(2_000).is_empty(), "the group is still open");
        let got = n.due(4_100);
        assert_eq!(got.len(), 1, "{got:#?}");
        assert_eq!(got[0].title, "3 monitors are down");
        assert!(got[0].body.contains("m1, m2 and m3"), "{}", got[0].body);
        n.push(400_000, change(2, State::Up, 400_000));
        let got = n.due(403_000);
        assert_eq!((got[0].title.as_str(), got[0].body.as_str()), ("m2 is back up", "It was down for 5 min."));
        assert!(n.due(500_000).is_empty(), "each change is told once");
    }

    #[test]
    fn mute_silences_and_reminders_are_rare_and_off_by_default() {
        let mut quiet = Notifier::new(0, None);
        quiet.push(0, change(1, State::Down, 0));
        assert_eq!(quiet.due(0).len(), 1);
        assert!(quiet.due(10 * 3_600_000).is_empty(), "no reminder unless asked");

        let mut n = Notifier::new(0, Some(60_000));
        n.push(0, change(1, State::Down, 0));
        assert_eq!(n.due(0).len(), 1);
        assert!(n.due(29 * 60_000).is_empty(), "a reminder interval under 30 minutes is raised to 30");
        let r = n.due(30 * 60_000);
        assert_eq!((r.len(), r[0].kind, r[0].body.as_str()), (1, NoticeKind::Reminder, "Down for 30 min so far."));
        n.mute(10 * 3_600_000);
        n.push(31 * 60_000, change(2, State::Down, 31 * 60_000));
        assert!(n.due(40 * 60_000).is_empty(), "muted");
        assert!(n.extra(40 * 60_000, r[0].clone()).is_none());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_words(12_000), "12 s");
        assert_eq!(duration_words(4 * 60_000), "4 min");
        assert_eq!(duration_words(125 * 60_000), "2 h 5 min");
        assert_eq!(duration_words(120 * 60_000), "2 h");
        assert_eq!(duration_words(3 * 86_400_000), "3 days");
    }
}
