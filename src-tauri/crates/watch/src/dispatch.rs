//! The dispatcher: the one place that records what the monitor tasks report, folds it into
//! notices (grouped, muted, reminded), announces them to the front end and every outside channel,
//! notices deploys (and has the paths run after one), and keeps the shared state the tray reads.

use crate::channels::{kind_tag, Origin};
use crate::clock::Clock;
use crate::event::Event;
use crate::notice::{Change, Notice, NoticeKind, Notifier};
use crate::probe::Note;
use crate::record::Recorder;
use crate::schedule::{AfterDeploy, Controls, Monitor, Report};
use crate::state::{Probe, State};
use crate::vantage::{self, Heard};
use preflight_core::Net;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;

/// Notices on their way to the outside channels.
pub(crate) struct Outbox {
    pub(crate) net: Net,
    pub(crate) channels: Vec<crate::channels::Target>,
    pub(crate) backoff: Vec<Duration>,
    pub(crate) deliveries: JoinSet<(String, Result<(), String>)>,
    /// Which watcher this is, tagged on what it posts.
    pub(crate) origin: Origin,
    /// The topic a headless watcher posts to, read before a DOWN or UP is told ([`crate::vantage`]).
    pub(crate) feed: Option<crate::channels::Target>,
    /// DOWN and UP notices waiting for the server's word, each until its deadline.
    pub(crate) held: Vec<(Notice, u64)>,
    pub(crate) polls: JoinSet<Result<Vec<Heard>, String>>,
    pub(crate) last_poll: u64,
}

impl Outbox {
    pub(crate) fn new(
        net: Net,
        channels: Vec<crate::channels::Target>,
        backoff: Vec<Duration>,
        origin: Origin,
        feed: Option<crate::channels::Target>,
    ) -> Outbox {
        Outbox { net, channels, backoff, deliveries: JoinSet::new(), origin, feed, held: Vec::new(), polls: JoinSet::new(), last_poll: 0 }
    }

    /// Tells the front end and posts to every channel (each delivery on its own, with retries).
    fn announce(&mut self, events: &UnboundedSender<Event>, notice: Notice) {
        for target in &self.channels {
            let (net, target, notice, backoff, origin) =
                (self.net.clone(), target.clone(), notice.clone(), self.backoff.clone(), self.origin);
            self.deliveries.spawn(async move {
                let result = crate::channels::deliver(&net, &target, &notice, origin, &backoff).await;
                (target.name, result)
            });
        }
        let _ = events.send(Event::Notice(notice));
    }

    /// A DOWN or UP waits for the server's word when there is a server to ask; the rest is told now.
    fn tell(&mut self, events: &UnboundedSender<Event>, notice: Notice, now: u64) {
        if self.feed.is_some() && kind_tag(notice.kind).is_some() && !notice.monitors.is_empty() {
            self.held.push((notice, now + vantage::HOLD_MS));
        } else {
            self.announce(events, notice);
        }
    }

    /// Tells what waited too long (the server said nothing, or could not be asked), and reads
    /// the server's topic again while something waits.
    fn tick(&mut self, events: &UnboundedSender<Event>, now: u64) {
        let (due, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held).into_iter().partition(|(_, until)| *until <= now);
        self.held = waiting;
        for (notice, _) in due {
            self.announce(events, notice);
        }
        let Some(feed) = self.feed.clone() else { return };
        if self.held.is_empty() || !self.polls.is_empty() || now.saturating_sub(self.last_poll) < vantage::POLL_EVERY_MS {
            return;
        }
        self.last_poll = now;
        let since = self.held.iter().map(|(n, _)| n.at).min().unwrap_or(now).saturating_sub(vantage::LOOKBACK_MS);
        let net = self.net.clone();
        self.polls.spawn(async move { vantage::heard(&net, &feed, since).await });
    }

    /// What the server said: each held notice it agrees with is only shown, quietly.
    fn settle(&mut self, events: &UnboundedSender<Event>, heard: Result<Vec<Heard>, String>, now: u64) {
        let heard = match heard {
            Ok(h) => h,
            Err(error) => {
                tracing::warn!(%error, "the server watcher's topic could not be read; the app tells the founder itself when it must");
                return;
            }
        };
        let held = std::mem::take(&mut self.held);
        for (notice, until) in held {
            match vantage::agrees(&notice, &heard) {
                Some(server_at) => {
                    let _ = events.send(Event::Agreed {
                        at: now,
                        kind: notice.kind,
                        title: notice.title,
                        monitors: notice.monitors,
                        server_at,
                    });
                }
                None => self.held.push((notice, until)),
            }
        }
    }

    /// The next finished delivery or read of the server's topic (pending forever when none is
    /// under way).
    async fn next(&mut self) -> Option<Done> {
        let (deliveries, polls) = (&mut self.deliveries, &mut self.polls);
        tokio::select! {
            Some(d) = deliveries.join_next(), if !deliveries.is_empty() => d.ok().map(|(channel, result)| Done::Delivered(channel, result)),
            Some(h) = polls.join_next(), if !polls.is_empty() => h.ok().map(Done::Heard),
            else => std::future::pending().await,
        }
    }
}

/// What finished in the background of the dispatcher.
enum Done {
    Delivered(String, Result<(), String>),
    Heard(Result<Vec<Heard>, String>),
}

/// What to do when a deploy is noticed, and the way back to the dispatcher for its result.
pub(crate) struct Deploys {
    pub(crate) after: Option<AfterDeploy>,
    pub(crate) reports: tokio::sync::mpsc::WeakUnboundedSender<Report>,
}

impl Deploys {
    /// Runs the paths after a deploy of `domain`, off the dispatcher (they take seconds to minutes).
    fn noticed(&self, domain: &str, at: u64, version: &str) {
        let (Some(after), Some(reports)) = (self.after.clone(), self.reports.upgrade()) else { return };
        let (domain, version) = (domain.to_owned(), version.to_owned());
        tokio::spawn(async move {
            if let Some((title, body)) = after(domain, at, version).await {
                let _ = reports.send(Report::PathsRan { at, title, body });
            }
        });
    }
}

/// The one place that records, announces and keeps the shared state.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn dispatch(
    mut inbox: UnboundedReceiver<Report>,
    events: UnboundedSender<Event>,
    mut notifier: Notifier,
    mut recorder: Option<Recorder>,
    mut out: Outbox,
    clock: Arc<dyn Clock>,
    controls: Arc<Controls>,
    states: Arc<Mutex<HashMap<i64, (String, State)>>>,
    deploys: Deploys,
) {
    let mut online = true;
    let mut cert_warned: HashMap<i64, i64> = HashMap::new();
    // Each monitor's last build (a page's assets and an API's version differ), and when each
    // product's last deploy was noticed: several monitors seeing one deploy record it once.
    let mut builds: HashMap<i64, String> = HashMap::new();
    let mut deployed: HashMap<String, u64> = HashMap::new();
    loop {
        let report = tokio::select! {
            r = inbox.recv() => match r { Some(r) => Some(r), None => break },
            _ = clock.sleep(1_000) => None,
            Some(done) = out.next() => {
                match done {
                    Done::Delivered(channel, Err(error)) => {
                        let _ = events.send(Event::ChannelFailed { at: clock.now_ms(), channel, error });
                    }
                    Done::Delivered(_, Ok(())) => {}
                    Done::Heard(heard) => out.settle(&events, heard, clock.now_ms()),
                }
                None
            }
        };
        let now = clock.now_ms();
        notifier.mute(controls.muted_until.load(Ordering::SeqCst));
        match report {
            Some(Report::Network { at, online: now_online }) if now_online != online => {
                online = now_online;
                let _ = events.send(Event::Network { at, online });
            }
            Some(Report::Network { .. }) | None => {}
            Some(Report::Audited { monitor, at, new_failures }) if !new_failures.is_empty() => {
                let notice = Notice {
                    kind: NoticeKind::NewFailures,
                    title: format!("New problems on {}", monitor.domain),
                    body: format!("Today's audit found {} new: {}.", new_failures.len(), new_failures.join("; ")),
                    monitors: vec![monitor.spec.name.clone()],
                    at,
                };
                if let Some(n) = notifier.extra(now, notice) {
                    out.announce(&events, n);
                }
            }
            Some(Report::Audited { .. }) => {}
            Some(Report::PathsRan { at, title, body }) => {
                let notice = Notice { kind: NoticeKind::Paths, title, body, monitors: Vec::new(), at };
                if let Some(n) = notifier.extra(now, notice) {
                    out.announce(&events, n);
                }
            }
            Some(Report::Probed { monitor, at, outcome, change }) => {
                let cause = match &outcome.probe {
                    Probe::Failed(c) => Some(c.words()),
                    Probe::Ok => None,
                };
                let paused = change.as_ref().map_or_else(
                    || states.lock().ok().and_then(|s| s.get(&monitor.id).map(|(_, st)| *st == State::Paused)).unwrap_or(false),
                    |c| c.to == State::Paused,
                );
                // While this machine is offline a probe says nothing about the product: not stored.
                if !paused {
                    let _ = events.send(Event::Sample {
                        at,
                        monitor_id: monitor.id,
                        ok: outcome.probe == Probe::Ok,
                        latency_ms: outcome.latency_ms,
                        cause: cause.clone(),
                    });
                    if let Some(r) = recorder.as_mut() {
                        r.sample(monitor.id, at, outcome.probe == Probe::Ok, outcome.latency_ms, cause);
                    }
                }
                match &outcome.note {
                    Some(Note::CertDays(days)) => {
                        if let Some(n) = cert_notice(&mut cert_warned, &monitor, *days, at) {
                            if let Some(n) = notifier.extra(now, n) {
                                out.announce(&events, n);
                            }
                        }
                    }
                    Some(Note::DomainDays(days)) => {
                        if let Some(n) = domain_notice(&mut cert_warned, &monitor, *days, at) {
                            if let Some(n) = notifier.extra(now, n) {
                                out.announce(&events, n);
                            }
                        }
                    }
                    Some(Note::Build(fingerprint)) if outcome.probe == Probe::Ok => {
                        let previous = builds.insert(monitor.id, fingerprint.clone());
                        let recent = deployed.get(&monitor.domain).is_some_and(|t| at.saturating_sub(*t) < DEPLOY_DEDUP_MS);
                        if previous.is_some_and(|p| &p != fingerprint) && !recent {
                            deployed.insert(monitor.domain.clone(), at);
                            let version = short_version(fingerprint);
                            if let Some(r) = recorder.as_mut() {
                                r.deploy(&monitor.domain, at, &version);
                            }
                            deploys.noticed(&monitor.domain, at, &version);
                            let _ = events.send(Event::Deploy { at, domain: monitor.domain.clone(), version });
                        }
                    }
                    _ => {}
                }
                if let Some(t) = change {
                    if let Ok(mut s) = states.lock() {
                        s.insert(monitor.id, (monitor.spec.name.clone(), t.to));
                    }
                    if let Some(r) = recorder.as_mut() {
                        r.transition(monitor.id, &t);
                    }
                    let _ = events.send(Event::Changed {
                        at: t.at,
                        monitor_id: monitor.id,
                        monitor: monitor.spec.name.clone(),
                        from: t.from,
                        to: t.to,
                        cause: t.cause.as_ref().map(|c| c.words()),
                        down_for_ms: t.down_for_ms,
                    });
                    notifier.push(now, Change { monitor_id: monitor.id, monitor: monitor.spec.name.clone(), transition: t });
                }
            }
        }
        for n in notifier.due(now) {
            out.tell(&events, n, now);
        }
        out.tick(&events, now);
        if let Some(r) = recorder.as_mut() {
            r.tick(now);
        }
    }
    if let Some(r) = recorder.as_mut() {
        r.flush();
    }
}

/// Deploys noticed by several monitors within this window are one deploy.
const DEPLOY_DEDUP_MS: u64 = 10 * 60_000;

/// Whether `days` left crosses one of `steps` not yet told for this monitor (each is told once;
/// a renewal past the largest step starts over).
fn crossed(warned: &mut HashMap<i64, i64>, monitor: &Monitor, days: i64, steps: &[i64]) -> bool {
    let Some(step) = steps.iter().copied().filter(|s| days <= *s).min() else {
        warned.remove(&monitor.id);
        return false;
    };
    if warned.get(&monitor.id).is_some_and(|w| *w <= step) {
        return false;
    }
    warned.insert(monitor.id, step);
    true
}

/// The domain warnings: once as each of 30, 14 and 7 days is crossed, again after a renewal.
fn domain_notice(warned: &mut HashMap<i64, i64>, monitor: &Monitor, days: i64, at: u64) -> Option<Notice> {
    if !crossed(warned, monitor, days, &[30, 14, 7]) {
        return None;
    }
    let domain = monitor.spec.probe.host().unwrap_or_default();
    let when = if days <= 0 { "has expired".to_owned() } else { format!("expires in {days} days") };
    Some(Notice {
        kind: NoticeKind::DomainExpiring,
        title: format!("The domain {domain} {when}"),
        body: "When it lapses, the site, the API and every mailbox on it stop at once. Renew it at your registrar and turn on auto-renew."
            .into(),
        monitors: vec![monitor.spec.name.clone()],
        at,
    })
}

/// The certificate warnings: once as each of 21, 14 and 7 days is crossed, again after a renewal.
fn cert_notice(warned: &mut HashMap<i64, i64>, monitor: &Monitor, days: i64, at: u64) -> Option<Notice> {
    if !crossed(warned, monitor, days, &[21, 14, 7]) {
        return None;
    }
    let host = monitor.spec.probe.host().unwrap_or_default();
    let when = if days <= 0 { "has expired".to_owned() } else { format!("expires in {days} days") };
    Some(Notice {
        kind: NoticeKind::CertExpiring,
        title: format!("The certificate of {host} {when}"),
        body: "Visitors will see a security warning once it expires. Check that automatic renewal works at your host, or renew it now."
            .into(),
        monitors: vec![monitor.spec.name.clone()],
        at,
    })
}

/// A deploy's name from a fingerprint: the stated version or build id, or the first hashed asset.
fn short_version(fingerprint: &str) -> String {
    let first = fingerprint.split(' ').find(|p| !p.is_empty() && *p != "build" && *p != "version").unwrap_or(fingerprint);
    let file = first.rsplit('/').next().unwrap_or(first);
    file.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_core::monitor::{MonitorSpec, ProbeSpec};

    fn cert_monitor() -> Monitor {
        let spec =
            MonitorSpec { name: "Certificate".into(), interval_secs: 60, probe: ProbeSpec::Cert { host: "acme.test".into(), port: 443 } };
        Monitor::new(1, "acme.test", spec)
    }

    #[test]
    fn certificate_warnings_come_once_per_step_and_again_after_renewal() {
        let mut warned = HashMap::new();
        let m = cert_monitor();
        let told: Vec<i64> = [40, 25, 21, 20, 15, 14, 13, 8, 7, 6, 1, 90, 21]
            .iter()
            .filter(|d| cert_notice(&mut warned, &m, **d, 0).is_some())
            .copied()
            .collect();
        assert_eq!(told, [21, 14, 7, 21]);
    }

    #[test]
    fn domain_warnings_come_at_30_14_and_7_days_and_name_the_domain() {
        let mut warned = HashMap::new();
        let spec = MonitorSpec {
            name: "Domain registration".into(),
            interval_secs: 86_400,
            probe: ProbeSpec::Domain { domain: "acme.test".into() },
        };
        let m = Monitor::new(2, "acme.test", spec);
        let notices: Vec<Notice> = [45, 30, 29, 14, 10, 7, 3, 365].iter().filter_map(|d| domain_notice(&mut warned, &m, *d, 0)).collect();
        let titles: Vec<&str> = notices.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "The domain acme.test expires in 30 days",
                "The domain acme.test expires in 14 days",
                "The domain acme.test expires in 7 days"
            ]
        );
        assert!(notices.iter().all(|n| n.kind == NoticeKind::DomainExpiring));
    }

    #[test]
    fn a_deploy_is_named_by_its_version_or_first_asset() {
        assert_eq!(short_version("/assets/index-BxY7zQ1a.js /assets/app.css"), "index-BxY7zQ1a.js");
        assert_eq!(short_version("build k3Jd9"), "k3Jd9");
    }
}
