//! The credential rule as every front end meets it through the flow: a key aimed at a stranger is
//! refused with a typed error naming the host, an edit that moves a keyed monitor drops the key and
//! says so, and a credential planted in any plain-header shape reaches no file of the data folder
//! and no error text (what crosses IPC).

use preflight_core::monitor::{MonitorSpec, ProbeSpec};
use preflight_core::Domain;
use preflight_flow::{Flow, FlowError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod common;
use common::Folder;

const PLANTED: &str = "pl4nted-cred-5151";

fn keyed(url: &str) -> MonitorSpec {
    let mut probe = ProbeSpec::get(url);
    if let ProbeSpec::Http { secret, .. } = &mut probe {
        *secret = Some("api-token".into());
    }
    MonitorSpec { name: "API health".into(), interval_secs: 60, probe }
}

fn with_header(name: &str, value: &str) -> MonitorSpec {
    let mut probe = ProbeSpec::get("https://api.acme.test/health");
    if let ProbeSpec::Http { headers, .. } = &mut probe {
        headers.push((name.to_owned(), value.to_owned()));
    }
    MonitorSpec { name: format!("with {name}"), interval_secs: 60, probe }
}

/// Every byte of every file under `dir`, searched for `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes())) {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test]
async fn a_key_aimed_at_a_stranger_is_refused_and_a_moved_monitor_leaves_its_key_behind() {
    let dir = tempfile::tempdir().expect("temp");
    let flow = Flow::new(Arc::new(Folder(dir.path().to_owned())), Ok(Default::default()));
    let acme = Domain::parse("acme.test").expect("valid");

    let refused = flow.save_monitor(&acme, keyed("https://collector.example/ingest")).expect_err("a stranger's host");
    assert!(matches!(refused, FlowError::Credential(_)), "a typed refusal the window can branch on: {refused:?}");
    assert!(refused.to_string().contains("collector.example"), "the refusal names the host: {refused}");
    let plain = flow.save_monitor(&acme, keyed("http://api.acme.test/health")).expect_err("plain http");
    assert!(matches!(plain, FlowError::Credential(_)), "{plain:?}");

    let first = flow.save_monitor(&acme, keyed("https://api.acme.test/health")).expect("the product's own name");
    assert_eq!(first.note, None);
    let moved = flow.save_monitor(&acme, keyed("https://collector.example/health")).expect("saved without the key");
    assert_eq!(moved.id, first.id, "the same monitor, edited");
    let note = moved.note.expect("the founder is told the key stayed behind");
    assert!(note.contains("api-token") && note.contains("collector.example"), "{note}");
    let rows = flow.store().expect("store").monitors(Some("acme.test")).expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].spec.probe.secret(), None, "the edited monitor no longer names the key");
}

#[tokio::test]
async fn a_credential_in_plain_headers_is_refused_in_every_shape_and_stored_nowhere() {
    let dir = tempfile::tempdir().expect("temp");
    let flow = Flow::new(Arc::new(Folder(dir.path().to_owned())), Ok(Default::default()));
    let acme = Domain::parse("acme.test").expect("valid");
    flow.save_monitor(&acme, MonitorSpec { name: "home".into(), interval_secs: 60, probe: ProbeSpec::get("https://acme.test/") })
        .expect("an ordinary monitor, so the database exists");
    let shapes = [
        ("Authorization", format!("Bearer {PLANTED}")),
        ("Proxy-Authorization", format!("Basic {PLANTED}")),
        ("Cookie", format!("session={PLANTED}")),
        ("X-API-Key", PLANTED.to_owned()),
        ("api-key", PLANTED.to_owned()),
        ("apikey", PLANTED.to_owned()),
        ("X-Auth-Token", PLANTED.to_owned()),
        ("x-access-token", PLANTED.to_owned()),
    ];
    for (name, value) in shapes {
        let err = flow.save_monitor(&acme, with_header(name, &value)).expect_err("a credential header");
        assert!(matches!(err, FlowError::Credential(_)), "{name}: {err:?}");
        let text = err.to_string();
        assert!(
            text.contains(&name.to_ascii_lowercase()) && !text.contains(PLANTED),
            "the error names the header, never the value: {text}"
        );
    }
    flow.store().expect("store").flush().expect("flushed");
    assert_eq!(files_holding(dir.path(), PLANTED), Vec::<PathBuf>::new(), "no file of the data folder holds the credential");
}
