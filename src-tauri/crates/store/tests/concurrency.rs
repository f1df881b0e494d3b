//! What several writers at once must never do: half-save a run, or fail to open a fresh database.

use preflight_core::checks::tls;
use preflight_core::{Finding, Impact, Report, Status};
use preflight_store::{Store, FILE_NAME};
use std::path::Path;
use std::process::Command;

fn report(domain: &str, at: i64, subject: &str) -> Report {
    let f = Finding::new(&tls::EXPIRY, subject, Status::Warn).impact(Impact::Downtime).title("expires soon");
    Report::new(domain.to_owned(), at, 1, vec![f])
}

fn count(path: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("open for inspection");
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

#[test]
fn a_failing_save_leaves_nothing_and_the_rest_of_its_batch_lands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(FILE_NAME);
    let store = Store::open(&path).expect("open");
    {
        // A trigger stands in for any insert SQLite refuses (a full disk, a constraint).
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON findings WHEN NEW.subject = 'poison'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        )
        .expect("trigger");
    }
    // Queue many saves so the writer takes them as one batch, with the poisoned one in the middle.
    for i in 0..20 {
        store.queue_report(report("good.test", i, "www.good.test"), "cli").expect("queue");
    }
    let poisoned = std::thread::scope(|s| {
        let h = s.spawn(|| store.save_report(&report("bad.test", 100, "poison"), "cli"));
        for i in 20..40 {
            store.queue_report(report("good.test", i, "www.good.test"), "cli").expect("queue");
        }
        h.join().expect("thread")
    });
    store.flush().expect("flush");
    assert!(poisoned.is_err(), "the refused save must report its failure");
    let runs_of =
        |d: &str| count(&path, &format!("SELECT count(*) FROM audit_runs r JOIN products p ON p.id = r.product_id WHERE p.domain = '{d}'"));
    assert_eq!(runs_of("bad.test"), 0, "a failed save must not leave a run with counts and no findings");
    assert_eq!(runs_of("good.test"), 40, "every other save of the batch lands");
    assert_eq!(count(&path, "SELECT count(*) FROM findings"), 40, "one finding per good run, none of the failed one");
}

#[test]
fn queued_saves_land_by_the_time_the_store_is_dropped() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open_in(dir.path()).expect("open");
        for i in 0..50 {
            store.queue_report(report("q.test", i, "q.test"), "watch").expect("queue");
        }
    }
    let store = Store::open_in(dir.path()).expect("reopen");
    assert_eq!(store.history(Some("q.test"), 100).expect("history").len(), 50, "closing must not drop queued writes");
}

/// Run by the test below in child processes: opens the database named by the environment.
#[test]
#[ignore = "helper: run as a child process by four_processes_open_a_fresh_database_at_once"]
fn helper_open_database() {
    let Some(path) = std::env::var_os("PREFLIGHT_TEST_OPEN_DB") else { return };
    let store = Store::open(Path::new(&path)).expect("a concurrent open must succeed");
    store.save_report(&report("race.test", 1, "race.test"), "cli").expect("and so must a save");
}

#[test]
fn four_processes_open_a_fresh_database_at_once() {
    let me = std::env::current_exe().expect("test binary");
    for round in 0..20 {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        let children: Vec<_> = (0..4)
            .map(|_| {
                Command::new(&me)
                    .args(["--exact", "helper_open_database", "--ignored", "--test-threads=1", "--quiet"])
                    .env("PREFLIGHT_TEST_OPEN_DB", &path)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            assert!(
                out.status.success(),
                "round {round}: a process failed to open a fresh database another one was creating:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(count(&path, "SELECT count(*) FROM audit_runs"), 4, "round {round}: every process saved its run");
    }
}
