//! Runs a plan of checks concurrently and streams what happens.
//!
//! Each check is its own task with its own deadline (its descriptor's, or the run's default), so one
//! hung handshake or one panic costs exactly one finding (status `error`, saying why) and never the
//! run. Progress goes out through an unbounded channel as it happens — planned, started, finished —
//! and the receiver decides how to batch it for a UI. Cancelling the token stops every check at its
//! next await point and the run returns what finished. How many connections are open at once is
//! bounded in `Net`, not here: a check waiting for a slot is still "started".

use crate::check::CheckDef;
use crate::model::{Area, Finding, Status};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// One unit of work: a check about one subject.
pub struct PlannedCheck {
    pub def: &'static CheckDef,
    pub subject: String,
    /// "Checking the certificate of www.acme.com".
    pub label: String,
    /// This check's own deadline; the run's default when `None`.
    pub deadline: Option<Duration>,
    pub run: BoxFuture<'static, Vec<Finding>>,
}

impl std::fmt::Debug for PlannedCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlannedCheck").field("id", &self.def.id).field("subject", &self.subject).finish_non_exhaustive()
    }
}

impl PlannedCheck {
    /// Plans `run` as the check `def` about `subject`, with `label` shown while it runs.
    pub fn new(
        def: &'static CheckDef,
        subject: &str,
        label: String,
        run: impl std::future::Future<Output = Vec<Finding>> + Send + 'static,
    ) -> Self {
        PlannedCheck { def, subject: subject.to_owned(), label, deadline: None, run: Box::pin(run) }
    }

    /// Gives this check a deadline of its own.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
        self
    }

    pub fn info(&self) -> CheckInfo {
        CheckInfo {
            key: format!("{}:{}", self.def.id, self.subject),
            id: self.def.id.to_owned(),
            subject: self.subject.clone(),
            label: self.label.clone(),
            area: self.def.area,
        }
    }
}

/// What the UI shows for a check before it has a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckInfo {
    /// Unique within a run: `id:subject`.
    pub key: String,
    pub id: String,
    pub subject: String,
    /// "Checking the certificate of www.acme.com".
    pub label: String,
    pub area: Area,
}

/// What happens during a run, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Progress {
    /// Sent once, first: everything that will run.
    Planned { checks: Vec<CheckInfo> },
    /// More checks joined the run (the names discovery found).
    Added { checks: Vec<CheckInfo> },
    /// A check began its work.
    Started { key: String },
    /// One check finished with these findings.
    Finished { key: String, findings: Vec<Finding> },
}

/// Runs every planned check concurrently; returns all findings (order unspecified).
pub async fn run(
    plan: Vec<PlannedCheck>,
    default_deadline: Duration,
    progress: Option<UnboundedSender<Progress>>,
    cancel: CancellationToken,
) -> Vec<Finding> {
    run_growing(plan, None, default_deadline, progress, cancel).await
}

/// Like [`run`], and checks arriving on `more` while it runs join it (announced as
/// [`Progress::Added`]): discovery adds the checks of the names it finds without holding up the
/// checks of the names already known. The run ends when every check has finished and `more` is closed.
pub async fn run_growing(
    plan: Vec<PlannedCheck>,
    mut more: Option<UnboundedReceiver<Vec<PlannedCheck>>>,
    default_deadline: Duration,
    progress: Option<UnboundedSender<Progress>>,
    cancel: CancellationToken,
) -> Vec<Finding> {
    let send = move |p: Progress| {
        if let Some(tx) = &progress {
            // A receiver that went away (window closed) must not stop the audit.
            let _ = tx.send(p);
        }
    };
    send(Progress::Planned { checks: plan.iter().map(PlannedCheck::info).collect() });

    let mut tasks = JoinSet::new();
    let mut pending = HashMap::new();
    let (started_tx, mut started_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let spawn = |tasks: &mut JoinSet<(String, Vec<Finding>)>, pending: &mut HashMap<_, _>, check: PlannedCheck| {
        let key = check.info().key;
        let fallback = Finding::new(check.def, check.subject.clone(), Status::Error);
        let deadline = check.deadline.unwrap_or(default_deadline);
        let (cancel, started_tx, task_key, task_fallback) = (cancel.clone(), started_tx.clone(), key.clone(), fallback.clone());
        let handle = tasks.spawn(async move {
            let _ = started_tx.send(task_key.clone());
            let started = Instant::now();
            let outcome = tokio::select! {
                r = tokio::time::timeout(deadline, check.run) => r.map_err(|_| Interrupted::Deadline(deadline)),
                () = cancel.cancelled() => Err(Interrupted::Cancelled),
            };
            let ms = started.elapsed().as_millis() as u64;
            let findings = match outcome {
                Ok(mut findings) => {
                    for f in &mut findings {
                        if f.duration_ms == 0 {
                            f.duration_ms = ms;
                        }
                    }
                    findings
                }
                Err(why) => vec![why.finding(task_fallback, ms)],
            };
            (task_key, findings)
        });
        pending.insert(handle.id(), (key, fallback));
    };
    for check in plan {
        spawn(&mut tasks, &mut pending, check);
    }

    let mut all = Vec::new();
    loop {
        if tasks.is_empty() && more.is_none() {
            break;
        }
        let joined = tokio::select! {
            biased;
            Some(key) = started_rx.recv() => {
                send(Progress::Started { key });
                continue;
            }
            extra = recv(&mut more), if more.is_some() => {
                match extra {
                    Some(checks) if !cancel.is_cancelled() => {
                        send(Progress::Added { checks: checks.iter().map(PlannedCheck::info).collect() });
                        for check in checks {
                            spawn(&mut tasks, &mut pending, check);
                        }
                    }
                    Some(_) => {}
                    None => more = None,
                }
                continue;
            }
            joined = tasks.join_next_with_id(), if !tasks.is_empty() => joined,
        };
        let Some(joined) = joined else { continue };
        // A task announces its start before it can finish: send every pending "started" first.
        while let Ok(key) = started_rx.try_recv() {
            send(Progress::Started { key });
        }
        let (key, findings) = match joined {
            Ok((id, (key, findings))) => {
                pending.remove(&id);
                (key, findings)
            }
            Err(e) => {
                let Some((key, fallback)) = pending.remove(&e.id()) else { continue };
                tracing::error!(check = %key, panic = e.is_panic(), "a check did not complete");
                (key, vec![Interrupted::Panicked.finding(fallback, 0)])
            }
        };
        send(Progress::Finished { key, findings: findings.clone() });
        all.extend(findings);
    }
    all
}

async fn recv(more: &mut Option<UnboundedReceiver<Vec<PlannedCheck>>>) -> Option<Vec<PlannedCheck>> {
    match more {
        Some(rx) => rx.recv().await,
        None => None,
    }
}

enum Interrupted {
    Deadline(Duration),
    Cancelled,
    Panicked,
}

impl Interrupted {
    fn finding(self, base: Finding, ms: u64) -> Finding {
        let subject = base.subject.clone();
        let (title, detail) = match self {
            Interrupted::Deadline(d) => (
                format!("Preflight could not finish checking {subject} in time."),
                format!("The check did not complete within its {:.1} s deadline; the network or the server is too slow to tell.", d.as_secs_f32()),
            ),
            Interrupted::Cancelled => (format!("The check of {subject} was stopped before it finished."), "The audit was cancelled.".to_owned()),
            Interrupted::Panicked => (
                format!("Preflight hit an internal problem while checking {subject}."),
                "The check stopped unexpectedly; this is a bug in Preflight, not a problem with your product. The other checks were not affected.".to_owned(),
            ),
        };
        let mut f = base
            .status(Status::Error)
            .title(title)
            .why("Until this can be checked, Preflight cannot tell you whether it is ready.")
            .detail(detail)
            .fix(["Run the audit again. If it keeps happening, check your internet connection."]);
        f.duration_ms = ms;
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Impact, Stage};

    static TEST: CheckDef = CheckDef { id: "test.check", area: Area::Dns, stage: Stage::Routing, impact: Impact::Downtime, what: "a test" };

    fn planned(subject: &str, fut: impl std::future::Future<Output = Vec<Finding>> + Send + 'static) -> PlannedCheck {
        PlannedCheck::new(&TEST, subject, format!("checking {subject}"), fut)
    }

    #[tokio::test]
    async fn a_panic_or_a_hang_costs_one_finding_not_the_run() {
        let plan = vec![
            planned("ok", async { vec![Finding::new(&TEST, "ok", Status::Pass)] }),
            planned("panics", async { panic!("boom") }),
            planned("hangs", async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                vec![]
            }),
        ];
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let findings = run(plan, Duration::from_millis(200), Some(tx), CancellationToken::new()).await;
        let status_of = |s: &str| findings.iter().find(|f| f.subject == s).map(|f| f.status);
        assert_eq!(status_of("ok"), Some(Status::Pass));
        assert_eq!(status_of("panics"), Some(Status::Error), "a panicking check must report error, not vanish");
        assert_eq!(status_of("hangs"), Some(Status::Error), "a hung check must end at its deadline");
        let (mut started, mut finished) = (Vec::new(), Vec::new());
        while let Ok(p) = rx.try_recv() {
            match p {
                Progress::Started { key } => started.push(key),
                Progress::Finished { key, .. } => {
                    assert!(started.contains(&key), "{key} finished before it was announced as started");
                    finished.push(key);
                }
                Progress::Planned { .. } | Progress::Added { .. } => {}
            }
        }
        assert_eq!(finished.len(), 3, "every planned check reports exactly once");
        assert_eq!(started.len(), 3, "every planned check says when it starts");
    }

    #[tokio::test]
    async fn checks_added_while_running_join_the_run_and_are_announced() {
        let (more_tx, more_rx) = tokio::sync::mpsc::unbounded_channel();
        let first = PlannedCheck::new(&TEST, "first", "first".into(), async move {
            let extra = PlannedCheck::new(&TEST, "found", "found".into(), async { vec![Finding::new(&TEST, "found", Status::Pass)] });
            more_tx.send(vec![extra]).expect("the run listens");
            vec![Finding::new(&TEST, "first", Status::Pass)]
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let findings = run_growing(vec![first], Some(more_rx), Duration::from_secs(5), Some(tx), CancellationToken::new()).await;
        let mut subjects: Vec<&str> = findings.iter().map(|f| f.subject.as_str()).collect();
        subjects.sort_unstable();
        assert_eq!(subjects, ["first", "found"], "the added check ran before the run ended");
        let mut added = 0;
        while let Ok(p) = rx.try_recv() {
            if let Progress::Added { checks } = p {
                added += checks.len();
            }
        }
        assert_eq!(added, 1, "the window hears about the added check");
    }

    #[tokio::test]
    async fn each_check_keeps_its_own_deadline() {
        let slow = || async {
            tokio::time::sleep(Duration::from_millis(400)).await;
            vec![Finding::new(&TEST, "patient", Status::Pass)]
        };
        let plan = vec![
            planned("patient", slow()).deadline(Duration::from_secs(5)),
            planned("hurried", async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                vec![]
            }),
        ];
        let started = Instant::now();
        let findings = run(plan, Duration::from_millis(100), None, CancellationToken::new()).await;
        let status_of = |s: &str| findings.iter().find(|f| f.subject == s).map(|f| f.status);
        assert_eq!(status_of("patient"), Some(Status::Pass), "a check with a longer deadline of its own is not cut at the default");
        assert_eq!(status_of("hurried"), Some(Status::Error));
        assert!(started.elapsed() < Duration::from_secs(3), "the run ends with its slowest allowed check");
    }

    #[tokio::test]
    async fn cancelling_ends_the_run_promptly() {
        let cancel = CancellationToken::new();
        let plan = vec![planned("slow", async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            vec![]
        })];
        cancel.cancel();
        let findings = run(plan, Duration::from_secs(3600), None, cancel).await;
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Error);
    }
}
