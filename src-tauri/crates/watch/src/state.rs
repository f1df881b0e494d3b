//! One monitor's state: UP → PENDING → DOWN only after confirmation, DOWN → UP after successes,
//! PAUSED whenever this machine cannot prove it is online, and a grace period after a sleep.
//!
//! Time is milliseconds on a clock the caller supplies, so tests drive it directly. A jump in that
//! clock far beyond the monitor's interval means the laptop slept: the first failures after it are
//! not evidence (the Wi-Fi is still reconnecting) until the grace period ends. Only two kinds of
//! transition deserve a notification: going DOWN, and coming back UP from DOWN (with how long it
//! was down); PENDING and PAUSED are shown, never announced.

use serde::Serialize;

/// Where a monitor stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Up,
    /// Failing, not yet confirmed.
    Pending,
    Down,
    /// This machine is offline or just woke up: nothing can be said about the target.
    Paused,
}

/// Why a probe failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    Status {
        code: u16,
    },
    Timeout,
    Dns,
    Tls,
    Connect,
    Keyword,
    /// The JSON field was missing or had another value.
    Json,
    /// DNS records no longer what they should be.
    Drift,
    /// Answered, but slower than the monitor's threshold.
    Slow {
        ms: u64,
    },
    /// A customer path broke: where, in words ("step 2 (Send a message) answered with error 500").
    Path {
        says: String,
    },
    /// The domain's registration lapsed: its registry's words (`redemption period`, `expired`).
    Lapsed {
        state: String,
    },
}

impl State {
    /// The state's name as JSON and the UI spell it: `up`, `pending`, `down`, `paused`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Up => "up",
            State::Pending => "pending",
            State::Down => "down",
            State::Paused => "paused",
        }
    }
}

impl Cause {
    /// The cause as a verb phrase ("It answered with error 503"), as notifications and incidents
    /// say it after "it".
    pub fn words(&self) -> String {
        match self {
            Cause::Status { code } => format!("answered with error {code}"),
            Cause::Timeout => "did not answer in time".into(),
            Cause::Dns => "could not be found in DNS".into(),
            Cause::Tls => "failed its secure connection (the HTTPS certificate or handshake)".into(),
            Cause::Connect => "refused the connection".into(),
            Cause::Keyword => "no longer shows the expected text".into(),
            Cause::Json => "did not report itself healthy".into(),
            Cause::Drift => "has DNS records that changed".into(),
            Cause::Slow { ms } => format!("answered too slowly ({ms} ms)"),
            Cause::Path { says } => format!("broke for a customer: {says}"),
            Cause::Lapsed { state } => format!("has lapsed at its registry ({state}): renew it at your registrar now"),
        }
    }
}

/// One probe's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Ok,
    Failed(Cause),
}

/// What the connectivity guard says about this machine at the moment of the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    Online,
    Offline,
}

/// The confirmation rules (the defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Consecutive failures that confirm DOWN…
    pub confirm_failures: u32,
    /// …or failing for this long, whichever comes first.
    pub confirm_ms: u64,
    /// Consecutive successes that confirm UP again.
    pub recover_successes: u32,
    /// A gap between observations longer than this means the machine slept.
    pub sleep_gap_ms: u64,
    /// After a sleep, failures do not count for this long.
    pub wake_grace_ms: u64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { confirm_failures: 3, confirm_ms: 120_000, recover_successes: 2, sleep_gap_ms: 300_000, wake_grace_ms: 60_000 }
    }
}

/// A change of state, recorded as (part of) an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub at: u64,
    pub from: State,
    pub to: State,
    pub cause: Option<Cause>,
    /// For going DOWN: when the first failure of the outage was seen.
    pub since: Option<u64>,
    /// For a recovery: how long it was down.
    pub down_for_ms: Option<u64>,
    /// Whether the founder is told (going DOWN, and coming back from DOWN).
    pub notify: bool,
}

/// One monitor's tracker.
#[derive(Debug, Clone)]
pub struct Tracker {
    rules: Rules,
    state: State,
    /// The state before a pause, to know whether leaving it is a recovery.
    before_pause: State,
    failures: u32,
    first_failure_at: Option<u64>,
    successes: u32,
    down_since: Option<u64>,
    last_seen: Option<u64>,
    grace_until: u64,
}

impl Tracker {
    pub fn new(rules: Rules) -> Tracker {
        Tracker {
            rules,
            state: State::Up,
            before_pause: State::Up,
            failures: 0,
            first_failure_at: None,
            successes: 0,
            down_since: None,
            last_seen: None,
            grace_until: 0,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// Starts as DOWN since `since` (an outage that began before a restart).
    pub fn resume_down(&mut self, since: u64) {
        self.state = State::Down;
        self.down_since = Some(since);
    }

    /// Whether the monitor is down, or paused in the middle of an outage.
    pub fn is_down(&self) -> bool {
        self.state == State::Down || (self.state == State::Paused && self.before_pause == State::Down)
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Takes one observation at `now` and returns the transition it causes, if any.
    pub fn observe(&mut self, now: u64, probe: Probe, network: Network) -> Option<Transition> {
        if self.last_seen.is_some_and(|last| now.saturating_sub(last) > self.rules.sleep_gap_ms) {
            self.grace_until = now + self.rules.wake_grace_ms;
            self.failures = 0;
            self.first_failure_at = None;
        }
        self.last_seen = Some(now);
        if network == Network::Offline {
            return self.pause(now);
        }
        match probe {
            Probe::Ok => self.success(now),
            Probe::Failed(_) if now < self.grace_until && self.state != State::Down => None,
            Probe::Failed(cause) => self.failure(now, cause),
        }
    }

    fn go(&mut self, now: u64, to: State, cause: Option<Cause>, down_for_ms: Option<u64>, notify: bool) -> Option<Transition> {
        let from = self.state;
        if from == to {
            return None;
        }
        self.state = to;
        let since = if to == State::Down { self.down_since } else { None };
        Some(Transition { at: now, from, to, cause, since, down_for_ms, notify })
    }

    fn pause(&mut self, now: u64) -> Option<Transition> {
        if self.state != State::Paused {
            self.before_pause = self.state;
        }
        self.failures = 0;
        self.first_failure_at = None;
        self.successes = 0;
        self.go(now, State::Paused, None, None, false)
    }

    fn success(&mut self, now: u64) -> Option<Transition> {
        self.failures = 0;
        self.first_failure_at = None;
        if !self.is_down() {
            self.successes = 0;
            return self.go(now, State::Up, None, None, false);
        }
        self.successes += 1;
        if self.successes < self.rules.recover_successes {
            return None;
        }
        self.successes = 0;
        let down_for = self.down_since.take().map(|since| now.saturating_sub(since));
        self.before_pause = State::Up;
        self.go(now, State::Up, None, down_for, true)
    }

    fn failure(&mut self, now: u64, cause: Cause) -> Option<Transition> {
        self.successes = 0;
        if self.is_down() {
            // Still down (a pause in between does not make it a new outage).
            return self.go(now, State::Down, None, None, false);
        }
        self.failures += 1;
        let first = *self.first_failure_at.get_or_insert(now);
        let confirmed = self.failures >= self.rules.confirm_failures || now.saturating_sub(first) >= self.rules.confirm_ms;
        if confirmed {
            self.failures = 0;
            self.first_failure_at = None;
            self.down_since = Some(first);
            return self.go(now, State::Down, Some(cause), None, true);
        }
        self.go(now, State::Pending, Some(cause), None, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1000;

    /// Drives a tracker through `(seconds, probe ok?, online?)` steps; returns the notified transitions.
    fn run(steps: &[(u64, bool, bool)]) -> Vec<Transition> {
        let mut t = Tracker::new(Rules::default());
        steps
            .iter()
            .filter_map(|&(at, ok, online)| {
                let probe = if ok { Probe::Ok } else { Probe::Failed(Cause::Timeout) };
                t.observe(at * S, probe, if online { Network::Online } else { Network::Offline })
            })
            .filter(|tr| tr.notify)
            .collect()
    }

    #[test]
    fn a_two_minute_outage_notifies_once_down_and_once_up() {
        let mut steps = vec![(0, true, true)];
        steps.extend((1..=12).map(|i| (i * 10, false, true))); // down from 10 s to 120 s
        steps.extend([(130, true, true), (140, true, true), (150, true, true)]);
        let n = run(&steps);
        assert_eq!(n.len(), 2, "{n:#?}");
        assert_eq!((n[0].to, n[0].at), (State::Down, 30 * S), "confirmed at the third failure");
        assert_eq!(n[1].to, State::Up);
        assert_eq!(n[1].down_for_ms, Some(130 * S), "down since the first failure, up at the second success");
    }

    #[test]
    fn a_flapping_endpoint_does_not_flood() {
        // Fails every other probe for ten minutes: never three in a row, never two minutes long.
        let steps: Vec<(u64, bool, bool)> = (0..60).map(|i| (i * 10, i % 2 == 0, true)).collect();
        assert!(run(&steps).is_empty());
    }

    #[test]
    fn offline_is_paused_never_down() {
        let mut steps = vec![(0, true, true)];
        steps.extend((1..=30).map(|i| (i * 10, false, false))); // every target and the reference fail
        steps.push((310, true, true));
        assert!(run(&steps).is_empty(), "no DOWN and no recovery while this machine was offline");
        let mut t = Tracker::new(Rules::default());
        t.observe(0, Probe::Failed(Cause::Dns), Network::Offline);
        assert_eq!(t.state(), State::Paused);
    }

    #[test]
    fn failures_right_after_a_sleep_are_not_evidence() {
        // Last seen at 0 s; the lid opens an hour later and the Wi-Fi takes 40 s to come back.
        let steps =
            [(0, true, true), (3600, false, true), (3610, false, true), (3620, false, true), (3630, false, true), (3640, true, true)];
        assert!(run(&steps).is_empty());
        // A real outage that outlasts the grace period is still reported.
        let mut steps = vec![(0, true, true)];
        steps.extend((0..12).map(|i| (3600 + i * 10, false, true)));
        let n = run(&steps);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].at, (3600 + 60 + 20) * S, "the third failure after the 60 s grace");
    }

    #[test]
    fn an_outage_resumed_after_a_restart_is_not_told_again_and_its_recovery_is() {
        let mut t = Tracker::new(Rules::default());
        t.resume_down(0);
        let fail = |t: &mut Tracker, at| t.observe(at * S, Probe::Failed(Cause::Timeout), Network::Online);
        assert!([10, 20, 30, 40].iter().all(|at| fail(&mut t, *at).is_none()), "still down: nothing new");
        t.observe(50 * S, Probe::Ok, Network::Online);
        let up = t.observe(60 * S, Probe::Ok, Network::Online).expect("recovered");
        assert_eq!((up.to, up.notify, up.down_for_ms), (State::Up, true, Some(60 * S)));
    }

    #[test]
    fn a_pause_inside_an_outage_is_not_a_new_outage() {
        let mut steps = vec![(0, true, true), (10, false, true), (20, false, true), (30, false, true)];
        steps.extend([(40, false, false), (50, false, true), (60, true, true), (70, true, true)]);
        let n = run(&steps);
        let kinds: Vec<State> = n.iter().map(|t| t.to).collect();
        assert_eq!(kinds, [State::Down, State::Up], "one DOWN, one recovery: {n:#?}");
    }
}
