//! A flow's result, in the shape the CLI's JSON prints (`"flows": [{"name", "template", "status",
//! "steps": [{"name", "status", "http_status", "ms", "says"}], "says"}]`). Addresses in it carry no
//! query string, and nothing in it is a password, a cookie or a token.

use serde::{Deserialize, Serialize};

/// How a flow or a step went. `Error`: it could not be run (a missing key, the network, a page
/// Preflight cannot read), which says nothing about the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FlowStatus {
    Pass,
    Fail,
    Error,
}

/// One step of a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StepResult {
    pub name: String,
    pub status: FlowStatus,
    /// The last answer's status, when there was an answer.
    pub http_status: Option<u16>,
    /// From the first request of the step to its last answer, redirects included.
    pub ms: u64,
    /// What happened, in words; names each hop when the step was redirected.
    pub says: String,
}

/// One flow, run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FlowResult {
    pub name: String,
    pub template: String,
    pub status: FlowStatus,
    pub steps: Vec<StepResult>,
    /// The verdict in one line: "Sign-in works" or where it broke.
    pub says: String,
}

impl FlowResult {
    /// The result of `steps`: the first step that failed decides it, else the first that could not
    /// be run (a failure is evidence; a step that could not look is not).
    pub fn of(name: &str, template: &str, steps: Vec<StepResult>, pass: String) -> FlowResult {
        let first_bad =
            steps.iter().position(|s| s.status == FlowStatus::Fail).or_else(|| steps.iter().position(|s| s.status != FlowStatus::Pass));
        let (status, says) = match first_bad {
            None => (FlowStatus::Pass, pass),
            Some(i) => (steps[i].status, format!("{name}: step {} ({}) {}", i + 1, steps[i].name, steps[i].says)),
        };
        FlowResult { name: name.to_owned(), template: template.to_owned(), status, steps, says }
    }
}

/// A step's result.
pub fn step(name: &str, status: FlowStatus, http: Option<u16>, ms: u64, says: String) -> StepResult {
    StepResult { name: name.to_owned(), status, http_status: http, ms, says }
}

/// Runs `walk` within `deadline`: past it, the flow is `error` at `first`, its first step.
pub async fn within(
    deadline: std::time::Duration,
    name: &str,
    template: &str,
    first: &str,
    walk: impl std::future::Future<Output = FlowResult>,
) -> FlowResult {
    match tokio::time::timeout(deadline, walk).await {
        Ok(r) => r,
        Err(_) => {
            let late = step(
                first,
                FlowStatus::Error,
                None,
                deadline.as_millis() as u64,
                format!("did not finish within {} s", deadline.as_secs()),
            );
            FlowResult::of(name, template, vec![late], String::new())
        }
    }
}

/// `url` without its query and fragment, which may carry tokens (a reset link, a code).
pub fn shown(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// An address as written (a `Location`, perhaps relative) without its query and fragment.
pub fn shown_str(address: &str) -> String {
    address.split(['?', '#']).next().unwrap_or_default().to_owned()
}
