//! The store on a real SQLite file: round trips, restarts, pruning, and refusing the future.

use preflight_core::checks::{dns, tls};
use preflight_core::{Finding, Impact, Report, Status};
use preflight_store::{Store, StoreError, FILE_NAME};

fn report(domain: &str, at: i64) -> Report {
    let f = Finding::new(&tls::EXPIRY, format!("www.{domain}"), Status::Warn)
        .impact(Impact::Downtime)
        .title("The certificate expires in 10 days.")
        .why("Visitors will see a warning.")
        .evidence(serde_json::json!({ "days_left": 10 }))
        .fix(["Renew it."]);
    let ok = Finding::new(&dns::RESOLVE, domain, Status::Pass).title("ok");
    Report::new(domain.to_owned(), at, 42, vec![ok, f])
}

#[test]
fn a_saved_report_reads_back_identically_after_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let original = report("acme.test", 1_000);
    let id = {
        let store = Store::open_in(dir.path()).expect("open");
        store.save_report(&original, "cli").expect("save")
    };
    let store = Store::open_in(dir.path()).expect("reopen");
    let back = store.report(id).expect("read").expect("the run exists");
    assert_eq!(back, original, "what is read back must equal what was saved, field for field");
    let history = store.history(None, 10).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].summary.warn, 1);
    assert_eq!(history[0].source, "cli");
}

#[test]
fn history_is_newest_first_and_filters_by_domain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_in(dir.path()).expect("open");
    store.save_report(&report("a.test", 1), "cli").expect("save");
    store.save_report(&report("b.test", 2), "desktop").expect("save");
    store.save_report(&report("a.test", 3), "cli").expect("save");
    let all: Vec<_> = store.history(None, 10).expect("history").into_iter().map(|r| r.started_at_ms).collect();
    assert_eq!(all, vec![3, 2, 1]);
    assert_eq!(store.history(Some("a.test"), 10).expect("history").len(), 2);
    assert_eq!(store.report(999).expect("query"), None, "a missing run is None, not an error");
}

#[test]
fn old_runs_are_pruned_so_the_file_stays_bounded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_in(dir.path()).expect("open");
    let keep = preflight_store::runs::KEEP_PER_PRODUCT;
    for i in 0..keep + 5 {
        store.save_report(&report("a.test", i), "cli").expect("save");
    }
    let kept = store.history(Some("a.test"), 10_000).expect("history");
    assert_eq!(kept.len() as i64, keep);
    assert_eq!(kept.last().map(|r| r.started_at_ms), Some(5), "the oldest runs go first");
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(FILE_NAME);
    {
        let conn = rusqlite::Connection::open(&path).expect("create");
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").expect("future schema");
    }
    let before = std::fs::read(&path).expect("read");
    let err = Store::open(&path).expect_err("a newer schema must be refused");
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "got {err:?}");
    assert!(err.to_string().contains("newer version of Preflight"), "the message says what to do: {err}");
    assert!(std::fs::read(&path).expect("read") == before, "the file must not be changed");
}

#[test]
fn saves_from_many_threads_at_once_all_land() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = std::sync::Arc::new(Store::open_in(dir.path()).expect("open"));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..10).map(|i| store.save_report(&report(&format!("t{t}.test"), i), "cli").expect("save")).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids: Vec<i64> = threads.into_iter().flat_map(|t| t.join().expect("thread")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 80, "every save gets its own run id, none is lost in a batch");
    assert_eq!(store.history(None, 1000).expect("history").len(), 80);
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_the_database_files_are_the_users_alone_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("data");
    // An older version (or a restored backup) left the folder and the database readable by all.
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    {
        let store = Store::open_in(&dir).expect("open");
        store.save_report(&report("acme.test", 1_000), "cli").expect("save");
    }
    std::fs::set_permissions(dir.join(FILE_NAME), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let store = Store::open_in(&dir).expect("reopen");
    store.save_report(&report("acme.test", 2_000), "cli").expect("save");
    assert_eq!(mode(&dir), 0o700, "the folder is narrowed on start");
    for entry in std::fs::read_dir(&dir).expect("ls").flatten() {
        let p = entry.path();
        assert_eq!(mode(&p), 0o600, "{} is the user's alone", p.display());
    }
    assert!(dir.join(format!("{FILE_NAME}-wal")).exists(), "the journal exists and was checked");
}
