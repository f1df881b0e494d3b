//! The scheduler: one task per monitor, each on its own interval with jitter, all sharing a bounded
//! number of probe slots, the connectivity guard and one dispatcher that records and announces.
//!
//! Every task belongs to the [`Watcher`]; dropping it cancels them all. Start times are spread
//! over the first interval, so a restart of two hundred monitors is not two hundred requests at
//! once; after a sleep the tasks whose timers all expired together spread out again before probing.
//! A failure is re-probed quickly (confirmation should not take three full intervals), and the
//! guard is asked before any failure may count.

use crate::clock::Clock;
use crate::dispatch::{dispatch, Deploys, Outbox};
use crate::event::Event;
use crate::guard::{Guard, Reference};
use crate::notice::Notifier;
use crate::probe::{self, Note, Outcome};
use crate::record::Recorder;
use crate::state::{Network, Probe, Rules, State, Tracker};
use futures::future::BoxFuture;
use preflight_core::monitor::{MonitorSpec, ProbeSpec, MIN_FLOW_INTERVAL_SECS};
use preflight_core::Net;
use preflight_store::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// A monitor to run: its stored id (or a stand-in for an unsaved one), its product and definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitor {
    pub id: i64,
    pub domain: String,
    pub spec: MonitorSpec,
    /// When it was already down as the watcher starts (an open incident from before a restart): it
    /// starts DOWN, so the outage is neither announced twice nor its recovery missed.
    pub down_since: Option<u64>,
}

impl Monitor {
    pub fn new(id: i64, domain: impl Into<String>, spec: MonitorSpec) -> Monitor {
        Monitor { id, domain: domain.into(), spec, down_since: None }
    }
}

/// Re-runs the audit of a domain and returns the titles of failures the previous run did not have.
pub type Auditor = Arc<dyn Fn(String) -> BoxFuture<'static, Result<Vec<String>, String>> + Send + Sync>;

/// Runs a product's paths once after the watcher noticed a deploy of it (domain, when, version)
/// and gives the notice to send, or `None` when there is nothing to run (no paths, not wanted).
pub type AfterDeploy = Arc<dyn Fn(String, u64, String) -> BoxFuture<'static, Option<(String, String)>> + Send + Sync>;

/// How one walk of a path went, for a `flow` monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Walked {
    /// It worked, in this long.
    Works { ms: u64 },
    /// It broke at a step: the words.
    Broke(String),
    /// It could not be walked (a missing key, unreadable settings): no verdict, no sample.
    Unknown(String),
}

/// Walks a product's path (domain, path name) once.
pub type Walker = Arc<dyn Fn(String, String) -> BoxFuture<'static, Walked> + Send + Sync>;

/// Loads the keychain value an endpoint names (product, entry name).
pub type Secrets = Arc<dyn Fn(&str, &str) -> Option<String> + Send + Sync>;

/// How the watcher behaves.
#[derive(Clone)]
pub struct Settings {
    pub rules: Rules,
    pub references: Vec<Reference>,
    /// Probes in flight at most.
    pub concurrency: usize,
    /// After a failure, the next probe comes this soon (or at the interval, if shorter).
    pub quick_reprobe_ms: u64,
    /// Changes within this window become one notice.
    pub group_window_ms: u64,
    /// Remind while something is down (at least every 30 minutes); off by default.
    pub reminder_every_ms: Option<u64>,
    pub auditor: Option<Auditor>,
    pub after_deploy: Option<AfterDeploy>,
    /// Walks the paths of `flow` monitors (none: those monitors stay quiet).
    pub walker: Option<Walker>,
    pub secrets: Option<Secrets>,
    /// Where samples, incidents and deploys are recorded.
    pub store: Option<Arc<Store>>,
    /// Outside channels every notice is also posted to.
    pub channels: Vec<crate::channels::Target>,
    /// Pauses between delivery attempts.
    pub backoff: Vec<Duration>,
    /// Which watcher this is: the app's, or a headless one (tagged on what it posts).
    pub origin: crate::channels::Origin,
    /// The ntfy topic a headless watcher posts to: read before a DOWN or UP is told, so two
    /// vantage points do not wake the founder twice ([`crate::vantage`]).
    pub server_feed: Option<crate::channels::Target>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("rules", &self.rules)
            .field("references", &self.references)
            .field("concurrency", &self.concurrency)
            .field("store", &self.store.as_ref().map(|s| s.path().to_owned()))
            .field("channels", &self.channels)
            .finish_non_exhaustive()
    }
}

impl Settings {
    pub fn new(references: Vec<Reference>) -> Settings {
        Settings {
            rules: Rules::default(),
            references,
            concurrency: 16,
            quick_reprobe_ms: 10_000,
            group_window_ms: 3_000,
            reminder_every_ms: None,
            auditor: None,
            after_deploy: None,
            walker: None,
            secrets: None,
            store: None,
            channels: Vec::new(),
            origin: crate::channels::Origin::App,
            server_feed: None,
            backoff: crate::channels::BACKOFF.to_vec(),
        }
    }
}

/// The worst state across monitors, for the tray icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    /// Nothing to watch.
    Idle,
    Ok,
    /// Something is failing but not confirmed down.
    Degraded,
    /// This machine is offline, or the founder paused watching.
    Paused,
    Down,
}

/// What the front ends can change while it runs.
#[derive(Debug, Default)]
pub(crate) struct Controls {
    pub(crate) paused: AtomicBool,
    pub(crate) muted_until: AtomicU64,
}

/// A running watcher. Dropping it stops every task.
#[derive(Debug)]
pub struct Watcher {
    tasks: JoinSet<()>,
    controls: Arc<Controls>,
    states: Arc<Mutex<HashMap<i64, (String, State)>>>,
    clock: Arc<dyn Clock>,
}

/// What a monitor task reports to the dispatcher.
#[derive(Debug)]
pub(crate) enum Report {
    Probed {
        monitor: Monitor,
        at: u64,
        outcome: Outcome,
        change: Option<crate::state::Transition>,
    },
    Network {
        at: u64,
        online: bool,
    },
    Audited {
        monitor: Monitor,
        at: u64,
        new_failures: Vec<String>,
    },
    /// The paths ran after a deploy: the notice to send.
    PathsRan {
        at: u64,
        title: String,
        body: String,
    },
}

impl Watcher {
    /// Starts watching `monitors`; events arrive on the returned receiver.
    pub fn start(net: Net, clock: Arc<dyn Clock>, monitors: Vec<Monitor>, settings: Settings) -> (Watcher, UnboundedReceiver<Event>) {
        let (events, rx) = unbounded_channel();
        let (reports, inbox) = unbounded_channel();
        let controls = Arc::new(Controls::default());
        let start_state = |m: &Monitor| if m.down_since.is_some() { State::Down } else { State::Up };
        let states =
            Arc::new(Mutex::new(monitors.iter().map(|m| (m.id, (m.spec.name.clone(), start_state(m)))).collect::<HashMap<_, _>>()));
        let guard = Arc::new(Guard::new(net.clone(), clock.clone(), settings.references.clone()));
        let slots = Arc::new(Semaphore::new(settings.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        let recorder = settings.store.clone().map(Recorder::new);
        let notifier = Notifier::new(settings.group_window_ms, settings.reminder_every_ms);
        let out =
            Outbox::new(net.clone(), settings.channels.clone(), settings.backoff.clone(), settings.origin, settings.server_feed.clone());
        // Weak: the dispatcher must still see its inbox close once every probing task is gone.
        let deploys = Deploys { after: settings.after_deploy.clone(), reports: reports.downgrade() };
        tasks.spawn(dispatch(inbox, events, notifier, recorder, out, clock.clone(), controls.clone(), states.clone(), deploys));
        for (i, m) in monitors.into_iter().enumerate() {
            let task = Task {
                net: net.clone(),
                clock: clock.clone(),
                guard: guard.clone(),
                slots: slots.clone(),
                controls: controls.clone(),
                reports: reports.clone(),
                settings: settings.clone(),
                seed: (m.id as u64) ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ clock.now_ms(),
                monitor: m,
            };
            tasks.spawn(task.run());
        }
        (Watcher { tasks, controls, states, clock }, rx)
    }

    /// Every monitor's state now, by id.
    pub fn states(&self) -> Vec<(i64, String, State)> {
        let paused = self.controls.paused.load(Ordering::SeqCst);
        let states =
            self.states.lock().map(|s| s.iter().map(|(id, (n, st))| (*id, n.clone(), *st)).collect::<Vec<_>>()).unwrap_or_default();
        let mut out: Vec<_> = states.into_iter().map(|(id, n, st)| (id, n, if paused { State::Paused } else { st })).collect();
        out.sort_by_key(|(id, _, _)| *id);
        out
    }

    /// The worst state, for the tray icon.
    pub fn overall(&self) -> Overall {
        overall(self.states().iter().map(|(_, _, s)| *s))
    }

    /// Stops (or resumes) probing everything.
    pub fn pause_all(&self, paused: bool) {
        self.controls.paused.store(paused, Ordering::SeqCst);
    }

    pub fn is_paused(&self) -> bool {
        self.controls.paused.load(Ordering::SeqCst)
    }

    /// No notifications for `ms` from now (0 unmutes).
    pub fn mute_for(&self, ms: u64) {
        let until = if ms == 0 { 0 } else { self.clock.now_ms() + ms };
        self.controls.muted_until.store(until, Ordering::SeqCst);
    }

    /// Until when notifications are muted (milliseconds on the watcher's clock; 0 when not muted).
    pub fn muted_until(&self) -> u64 {
        let until = self.controls.muted_until.load(Ordering::SeqCst);
        if until > self.clock.now_ms() {
            until
        } else {
            0
        }
    }

    /// Waits until every task has stopped (they stop only when cancelled or on a panic).
    pub async fn join(mut self) {
        while self.tasks.join_next().await.is_some() {}
    }
}

/// The worst of some states.
pub fn overall(states: impl Iterator<Item = State>) -> Overall {
    states
        .map(|s| match s {
            State::Up => Overall::Ok,
            State::Pending => Overall::Degraded,
            State::Paused => Overall::Paused,
            State::Down => Overall::Down,
        })
        .max()
        .unwrap_or(Overall::Idle)
}

struct Task {
    net: Net,
    clock: Arc<dyn Clock>,
    guard: Arc<Guard>,
    slots: Arc<Semaphore>,
    controls: Arc<Controls>,
    reports: UnboundedSender<Report>,
    settings: Settings,
    seed: u64,
    monitor: Monitor,
}

impl Task {
    /// A number in `0..n` (xorshift: jitter needs spread, not secrecy).
    fn random(&mut self, n: u64) -> u64 {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        if n == 0 {
            0
        } else {
            self.seed % n
        }
    }

    async fn run(mut self) {
        let interval = u64::from(self.monitor.spec.interval_secs) * 1000;
        let mut tracker = Tracker::new(self.settings.rules);
        if let Some(since) = self.monitor.down_since {
            tracker.resume_down(since);
        }
        let credential = self.credential().await;
        let mut learned: Vec<String> = Vec::new();
        // Spread the first probes over the first interval (at most a minute).
        let mut delay = self.random(interval.min(60_000));
        loop {
            let expected = self.clock.now_ms() + delay;
            self.clock.sleep(delay).await;
            let late = self.clock.now_ms().saturating_sub(expected);
            if late > tracker.rules().sleep_gap_ms {
                // Woke from a sleep with every timer expired at once: spread out again first.
                let spread = self.random(interval.min(60_000));
                self.clock.sleep(spread).await;
            }
            if self.controls.paused.load(Ordering::SeqCst) {
                delay = interval;
                continue;
            }
            let Ok(_slot) = self.slots.acquire().await else { return };
            if let ProbeSpec::Audit { domain } = &self.monitor.spec.probe {
                self.audit(domain.clone()).await;
                delay = interval;
                continue;
            }
            let outcome = if let ProbeSpec::Flow { domain, flow } = &self.monitor.spec.probe {
                let walked = match self.settings.walker.clone() {
                    Some(walk) => walk(domain.clone(), flow.clone()).await,
                    None => Walked::Unknown("this watcher cannot walk paths".into()),
                };
                match walked {
                    Walked::Works { ms } => Outcome { probe: Probe::Ok, latency_ms: Some(ms), note: None },
                    Walked::Broke(says) => {
                        Outcome { probe: Probe::Failed(crate::state::Cause::Path { says }), latency_ms: None, note: None }
                    }
                    Walked::Unknown(why) => {
                        // Not a failure of the product: no sample, no change of state.
                        tracing::warn!(monitor = %self.monitor.spec.name, reason = %why, "the path could not be walked");
                        delay = interval;
                        continue;
                    }
                }
            } else {
                let deadline =
                    Duration::from_millis(interval.clamp(1_000, 30_000).max(self.net.config().timeouts.check.as_millis() as u64));
                match tokio::time::timeout(deadline, probe::run(&self.net, &self.monitor.spec.probe, credential.as_ref(), &learned)).await {
                    Ok(o) => o,
                    Err(_) => Outcome { probe: Probe::Failed(crate::state::Cause::Timeout), latency_ms: None, note: None },
                }
            };
            drop(_slot);
            if let (Some(Note::Records(values)), true) = (&outcome.note, learned.is_empty()) {
                if outcome.probe == Probe::Ok {
                    learned = values.clone();
                }
            }
            // Only a failure needs proof that this machine is online (and a DOWN monitor's
            // failures are kept as they are: it is already down).
            let network = match &outcome.probe {
                Probe::Failed(_) if !tracker.is_down() => self.guard.check().await,
                _ => Network::Online,
            };
            let at = self.clock.now_ms();
            let change = tracker.observe(at, outcome.probe.clone(), network);
            if network == Network::Offline || change.as_ref().is_some_and(|c| c.from == State::Paused) {
                let _ = self.reports.send(Report::Network { at, online: network == Network::Online });
            }
            let pending = tracker.state() == State::Pending;
            if self.reports.send(Report::Probed { monitor: self.monitor.clone(), at, outcome, change }).is_err() {
                return;
            }
            let jitter = interval / 10;
            // A path is never walked faster than every minute, even to confirm a failure, and its
            // jitter only ever adds.
            delay = match (&self.monitor.spec.probe, pending) {
                (ProbeSpec::Flow { .. }, true) => {
                    self.settings.quick_reprobe_ms.max(u64::from(MIN_FLOW_INTERVAL_SECS) * 1000).min(interval)
                }
                (ProbeSpec::Flow { .. }, false) => interval + self.random(jitter + 1),
                (_, true) => self.settings.quick_reprobe_ms.min(interval),
                (_, false) => interval - jitter + self.random(2 * jitter + 1),
            };
        }
    }

    /// The header and value this monitor's keychain entry becomes, read only when the rule of
    /// `preflight_core::credential` lets it travel to the monitor's address (a row saved before
    /// the rule, or edited behind the engine's back, is probed without its key).
    async fn credential(&self) -> Option<(String, String)> {
        let (name, placement) = match self.monitor.spec.probe.credential(&self.monitor.domain) {
            Ok(Some(p)) => p,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(monitor = %self.monitor.spec.name, error = %e, "probing without the key");
                return None;
            }
        };
        let secrets = self.settings.secrets.clone()?;
        let (domain, name) = (self.monitor.domain.clone(), name.to_owned());
        let found = tokio::task::spawn_blocking(move || secrets(&domain, &name)).await.ok().flatten();
        if found.is_none() {
            tracing::warn!(monitor = %self.monitor.spec.name, "the keychain entry this monitor names was not found; probing without it");
        }
        found.map(|value| placement.header_for(&value))
    }

    async fn audit(&self, domain: String) {
        let Some(auditor) = self.settings.auditor.clone() else { return };
        match auditor(domain).await {
            Ok(new_failures) => {
                let at = self.clock.now_ms();
                let _ = self.reports.send(Report::Audited { monitor: self.monitor.clone(), at, new_failures });
            }
            Err(e) => tracing::warn!(error = %e, "the scheduled audit could not run"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_shows_the_worst_state() {
        assert_eq!(overall([State::Up, State::Pending].into_iter()), Overall::Degraded);
        assert_eq!(overall([State::Up, State::Paused, State::Down].into_iter()), Overall::Down);
        assert_eq!(overall(std::iter::empty()), Overall::Idle);
    }
}
