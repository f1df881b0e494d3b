//! One run of a path as a `monitoring.paths` finding, the form a CI report reads beside an audit's:
//! a path that walked through passes, one that broke fails with the step and what the product
//! answered, and one that could not be walked (a missing key, no answer) is `error`, never a pass.

use crate::outcome::{FlowResult, FlowStatus};
use preflight_core::checks::paths::SMOKE;
use preflight_core::{Finding, Status};
use serde_json::json;

/// The finding for `r`, a path of `domain`.
pub fn finding(domain: &str, r: &FlowResult) -> Finding {
    let steps: Vec<String> = r
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let code = s.http_status.map(|c| format!(" ({c})")).unwrap_or_default();
            format!("{}. {}: {}{code}, {} ms. {}", i + 1, s.name, label(s.status), s.ms, s.says)
        })
        .collect();
    let mut base = Finding::new(&SMOKE, format!("{domain} · {}", r.name), Status::Pass)
        .title(r.says.clone())
        .detail(steps.join("\n"))
        .evidence(json!({ "flow": r.name, "template": r.template, "steps": r.steps }));
    base.duration_ms = r.steps.iter().map(|s| s.ms).sum();
    match r.status {
        FlowStatus::Pass => base,
        FlowStatus::Fail => base
            .status(Status::Fail)
            .why("A customer who walks this path now meets the same error, and most leave without saying why.")
            .fix([
                "Open the step that broke (below) and what the product answered: that is where the release broke the path.",
                "Fix it, deploy, and let the pipeline walk the path again.",
            ]),
        FlowStatus::Error => base
            .status(Status::Error)
            .why("Until the path can be walked, nobody can tell whether it works.")
            .fix(["Do what the step says (a key the pipeline lacks, a mailbox it cannot reach), then run again."]),
    }
}

fn label(s: FlowStatus) -> &'static str {
    match s {
        FlowStatus::Pass => "passed",
        FlowStatus::Fail => "failed",
        FlowStatus::Error => "could not run",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::step;

    #[test]
    fn a_broken_step_fails_and_an_unwalked_path_is_never_a_pass() {
        let broken = FlowResult::of(
            "Sign in",
            "login",
            vec![step("Send the form", FlowStatus::Fail, Some(500), 40, "answered with error 500".into())],
            String::new(),
        );
        let f = finding("acme.test", &broken);
        assert_eq!((f.id.as_str(), f.status), ("monitoring.paths", Status::Fail));
        assert!(f.title.contains("step 1 (Send the form)"), "{}", f.title);
        assert!(f.detail.contains("(500)"), "{}", f.detail);
        let unknown = FlowResult::of("Chat", "chat", vec![step("Open", FlowStatus::Error, None, 0, "no key".into())], String::new());
        assert_eq!(finding("acme.test", &unknown).status, Status::Error);
    }
}
