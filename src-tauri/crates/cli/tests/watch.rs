//! `preflight watch` as a process: JSON lines for every state change of a real outage, a clean stop
//! on SIGTERM, and a history that survives `kill -9` in the middle of writes.

use preflight_testbed::{Answer, Product, Site, Switch, Testbed};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const DOMAIN: &str = "watched.test";

async fn bed() -> (Testbed, Switch) {
    let switch = Switch::new();
    let product =
        Product::healthy(DOMAIN, &["", "ref"]).site(Site { https: switch.around(Answer::secure("home")), ..Site::healthy(DOMAIN) });
    (Testbed::start(product).await.expect("testbed"), switch)
}

fn spawn(bed: &Testbed, data: &Path, extra: &[String]) -> Child {
    let ca = data.join("ca.pem");
    std::fs::write(&ca, bed.ca.pem()).expect("write CA");
    let mut args: Vec<String> = vec!["watch".into(), "--reference".into(), format!("https://ref.{DOMAIN}/")];
    args.extend(bed.cli_args());
    args.extend(["--ca-file".to_owned(), ca.display().to_string()]);
    args.extend(extra.iter().cloned());
    Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(&args)
        .env("PREFLIGHT_DATA_DIR", data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn jsonl_lines_follow_an_outage_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().expect("temp");
    let (bed, site) = bed().await;
    let extra: Vec<String> = ["--url", &format!("https://{DOMAIN}/"), "--interval", "1", "--confirm", "2", "--format", "jsonl"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut child = spawn(&bed, dir.path(), &extra);
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    site.fail();
    let pending = next(&mut lines).await;
    assert_eq!((pending["from"].as_str(), pending["to"].as_str()), (Some("up"), Some("pending")), "{pending}");
    assert_eq!(pending["monitor"], format!("https://{DOMAIN}/"));
    assert!(pending["at"].as_u64().is_some_and(|at| at > 1_600_000_000_000), "{pending}");
    assert_eq!(pending["cause"], "answered with error 503");
    let down = next(&mut lines).await;
    assert_eq!((down["from"].as_str(), down["to"].as_str()), (Some("pending"), Some("down")), "--confirm 2: {down}");
    site.serve();
    let up = next(&mut lines).await;
    assert_eq!(up["to"], "up");
    assert!(up["down_for_ms"].as_u64().is_some(), "{up}");

    let pid = child.id().expect("running").to_string();
    let term = std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    assert!(term.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait()).await.expect("stops in time").expect("waited");
    assert_eq!(status.code(), Some(0), "SIGTERM is a clean stop");

    let monitors = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["monitors", DOMAIN, "--format", "json"])
        .env("PREFLIGHT_DATA_DIR", dir.path())
        .output()
        .await
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&monitors.stdout).expect("JSON");
    assert_eq!(json["schema"], 1);
    let m = &json["monitors"][0];
    assert_eq!(m["last_incident"]["cause"], "answered with error 503", "{m}");
    assert!(m["day"]["probes"].as_u64().is_some_and(|p| p >= 4), "{m}");
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_in_the_middle_of_writes_never_corrupts_the_history() {
    let dir = tempfile::tempdir().expect("temp");
    let (bed, _site) = bed().await;
    let mut extra: Vec<String> = vec!["--interval".into(), "1".into(), "--format".into(), "jsonl".into()];
    for i in 0..20 {
        extra.extend(["--url".to_owned(), format!("https://{DOMAIN}/?m={i}")]);
    }
    let db = dir.path().join("preflight.sqlite3");
    let mut before = 0i64;
    for round in 0..20u64 {
        let mut child = spawn(&bed, dir.path(), &extra);
        // Wait until this round has written something, then kill at a varying moment after it.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let now = samples(&db).0;
            if now > before {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "round {round}: nothing was written");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(37 * (round % 9))).await;
        child.start_kill().expect("SIGKILL");
        let _ = child.wait().await;

        let conn = rusqlite::Connection::open(&db).expect("the database opens");
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity check");
        assert_eq!(check, "ok", "round {round}");
        let (raw, rolled) = samples(&db);
        assert_eq!(raw, rolled, "round {round}: samples and rollups land together or not at all");
        assert!(raw >= before, "round {round}: what was committed stays");
        before = raw;
    }
    assert!(before >= 20, "every round wrote at least one batch: {before}");
}

/// The next JSON line, within a deadline.
async fn next(lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>) -> serde_json::Value {
    let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await.expect("a line in time").expect("readable");
    let line = line.expect("the watcher is still running");
    serde_json::from_str(&line).expect("each line is JSON")
}

/// Raw samples, and probes counted in the hourly rollups.
fn samples(db: &Path) -> (i64, i64) {
    let Ok(conn) = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) else { return (0, 0) };
    let raw = conn.query_row("SELECT count(*) FROM monitor_samples", [], |r| r.get(0)).unwrap_or(0);
    let rolled =
        conn.query_row("SELECT coalesce(sum(probes), 0) FROM monitor_rollups WHERE period_ms = 3600000", [], |r| r.get(0)).unwrap_or(0);
    (raw, rolled)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_channel_address_lives_in_the_keychain_only_and_the_test_message_arrives() {
    let dir = tempfile::tempdir().expect("temp");
    let inbox = preflight_testbed::Inbox::new();
    let product = Product::healthy(DOMAIN, &["", "hooks"])
        .site(Site { https: Answer::Inbox(inbox.clone()), ..Site::healthy(&format!("hooks.{DOMAIN}")) });
    let bed = Testbed::start(product).await.expect("testbed");
    let secret_url = format!("https://hooks.{DOMAIN}/services/T000/B000/planted-s3cret-part");
    let run = |args: Vec<String>, stdin: Option<String>| {
        let dir = dir.path().to_owned();
        async move {
            let mut child = Command::new(env!("CARGO_BIN_EXE_preflight"))
                .args(&args)
                .env("PREFLIGHT_DATA_DIR", &dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("runs");
            if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
                use tokio::io::AsyncWriteExt;
                input.write_all(text.as_bytes()).await.expect("stdin");
            }
            let out = child.wait_with_output().await.expect("ends");
            (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
        }
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (code, _, err) = run(args(&["channels", "add", "slack", "team"]), Some(format!("{secret_url}\n"))).await;
    if code != Some(0) && std::env::var_os("PREFLIGHT_REQUIRE_KEYCHAIN").is_none() && err.contains("keychain") {
        eprintln!("skipped: no Secret Service here ({err})");
        return;
    }
    assert_eq!(code, Some(0), "{err}");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, bed.ca.pem()).expect("CA");
    let mut test = args(&["channels", "test", "team", "--ca-file", &ca.display().to_string()]);
    test.extend(bed.cli_args());
    let (code, _, err) = run(test, None).await;
    assert_eq!(code, Some(0), "{err}");
    let got = inbox.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/services/T000/B000/planted-s3cret-part");
    assert!(got[0].body.contains("Preflight test message"));

    let (_, listed, _) = run(args(&["channels", "list", "--format", "json"]), None).await;
    assert!(listed.contains(&format!("hooks.{DOMAIN}/…")) && !listed.contains("planted-s3cret-part"), "{listed}");
    for entry in std::fs::read_dir(dir.path()).expect("data dir").flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains("planted-s3cret-part"), "{} holds the address", entry.path().display());
    }
    let (code, _, _) = run(args(&["channels", "remove", "team"]), None).await;
    assert_eq!(code, Some(0));
}
