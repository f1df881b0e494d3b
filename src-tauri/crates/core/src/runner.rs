//! Runs a plan of checks concurrently and streams what happens.
//!
//! Each check is its own task with its own deadline, so one hung handshake or one panic costs exactly
//! one finding (status `error`, saying why) and never the run. Progress goes out through an unbounded
//! channel as it happens; the receiver decides how to batch it for a UI. Cancelling the token stops
//! every check at its next await point and the run returns what finished.

use crate::model::{Area, Finding, Impact, Status};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// One unit of work: a check about one subject, and what to say if it cannot finish.
pub struct PlannedCheck {
    pub info: CheckInfo,
    /// The finding reported when the check times out, panics or is cancelled.
    pub on_failure: Finding,
    pub run: BoxFuture<'static, Vec<Finding>>,
}

impl std::fmt::Debug for PlannedCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlannedCheck").field("info", &self.info).finish_non_exhaustive()
    }
}

impl PlannedCheck {
    /// Plans `run` under `id` about `subject`, with `label` shown while it runs.
    pub fn new(
        id: &str,
        area: Area,
        stage: u8,
        impact: Impact,
        subject: &str,
        label: String,
        run: impl std::future::Future<Output = Vec<Finding>> + Send + 'static,
    ) -> Self {
        PlannedCheck {
            info: CheckInfo { key: format!("{id}:{subject}"), label, area },
            on_failure: Finding::new(id, area, stage, subject).impact(impact),
            run: Box::pin(run),
        }
    }
}

/// What the UI shows for a check before it has a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckInfo {
    /// Unique within a run: `id:subject`.
    pub key: String,
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
    /// One check finished with these findings.
    Finished { key: String, findings: Vec<Finding> },
}

/// Runs every planned check concurrently; returns all findings (order unspecified).
pub async fn run(
    plan: Vec<PlannedCheck>,
    deadline: Duration,
    progress: Option<UnboundedSender<Progress>>,
    cancel: CancellationToken,
) -> Vec<Finding> {
    let send = |p: Progress| {
        if let Some(tx) = &progress {
            // A receiver that went away (window closed) must not stop the audit.
            let _ = tx.send(p);
        }
    };
    send(Progress::Planned { checks: plan.iter().map(|c| c.info.clone()).collect() });

    let mut tasks = JoinSet::new();
    let mut pending = std::collections::HashMap::new();
    for check in plan {
        let PlannedCheck { info, on_failure, run } = check;
        let cancel = cancel.clone();
        let fallback = on_failure.clone();
        let key = info.key.clone();
        let handle = tasks.spawn(async move {
            let started = Instant::now();
            let outcome = tokio::select! {
                r = tokio::time::timeout(deadline, run) => r.map_err(|_| Interrupted::Deadline(deadline)),
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
                Err(why) => vec![why.finding(fallback, ms)],
            };
            (info.key, findings)
        });
        pending.insert(handle.id(), (key, on_failure));
    }

    let mut all = Vec::new();
    while let Some(joined) = tasks.join_next_with_id().await {
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
                format!("The check did not complete within its {} s deadline; the network or the server is too slow to tell.", d.as_secs()),
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

    fn planned(subject: &str, fut: impl std::future::Future<Output = Vec<Finding>> + Send + 'static) -> PlannedCheck {
        PlannedCheck::new("test.check", Area::Dns, 1, Impact::Downtime, subject, format!("checking {subject}"), fut)
    }

    #[tokio::test]
    async fn a_panic_or_a_hang_costs_one_finding_not_the_run() {
        let plan = vec![
            planned("ok", async { vec![Finding::new("test.check", Area::Dns, 1, "ok")] }),
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
        let mut finished = 0;
        while let Ok(p) = rx.try_recv() {
            if matches!(p, Progress::Finished { .. }) {
                finished += 1;
            }
        }
        assert_eq!(finished, 3, "every planned check reports exactly once");
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
