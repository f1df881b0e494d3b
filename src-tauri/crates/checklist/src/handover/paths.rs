//! The handover's "Customer paths and webhooks" section: each path and webhook Preflight checks,
//! how its last run went, and the commands that run them again, so whoever takes over can repeat
//! the smoke test after their first release.

use super::{day, text, Block, Inputs, Section};

/// A path (flow) or a replayable webhook, and its newest run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathLine {
    pub name: String,
    /// `login`, `chat`, `logout`, `password-reset`, or the webhook's provider.
    pub what: String,
    pub webhook: bool,
    /// The newest run: `pass`, `fail` or `error`, and when.
    pub last: Option<(String, i64)>,
}

fn verdict(last: &Option<(String, i64)>) -> (String, String) {
    match last {
        None => ("never run".into(), "—".into()),
        Some((status, at)) => {
            let word = match status.as_str() {
                "pass" => "works",
                "fail" => "broken",
                _ => "could not run",
            };
            (word.into(), day(*at))
        }
    }
}

pub(super) fn section(i: &Inputs<'_>) -> Section {
    let domain = i.checklist.domain.as_str();
    let mut blocks = vec![text(
        "The paths a customer walks (signing in, chatting, logging out, resetting the password) and the webhooks that must refuse forged events, as Preflight checks them with a test account whose keys live in the keychain of the computer that runs them.",
    )];
    if i.paths.is_empty() {
        blocks.push(text(
            "None is set up yet. In Preflight, add the paths to the product's settings as [[flows]] and give each webhook its provider and signing key.",
        ));
    } else {
        let rows = i
            .paths
            .iter()
            .map(|p| {
                let (word, at) = verdict(&p.last);
                let kind = if p.webhook { format!("webhook ({})", p.what) } else { p.what.clone() };
                vec![p.name.clone(), kind, word, at]
            })
            .collect();
        blocks.push(Block::Table { head: vec!["Path".into(), "What".into(), "Last run".into(), "When".into()], rows });
    }
    blocks.push(Block::Bullets {
        items: vec![
            format!("After every release: `preflight flow run {domain}` (add `--format junit` in CI: one test per step; exit 1 when a path breaks)."),
            format!("After changing a webhook: `preflight webhook replay {domain} --yes` (it sends signed and forged test events)."),
            "The test account's keys and the webhooks' signing secrets are not in this document: set them on the new computer with `preflight keys set`.".into(),
        ],
    });
    Section { id: "paths".into(), title: "Customer paths and webhooks".into(), blocks }
}
