//! `preflight checklist`, `diff` and `handover`: the real binary, with the history filled by real
//! audits of the testbed, then run with no network at all (a fresh network namespace with nothing
//! but a downed loopback), and with secrets planted where a careless export would leak them.

use preflight_testbed::{demo, Testbed};
use std::path::Path;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_preflight");
/// Planted in a founder's note, in a monitor's address and in an alert channel's address.
const NOTE_TOKEN: &str = "sk-proj-NOTEplanted7f3k9q2w8e4r6t1y5u";
const URL_TOKEN: &str = "URLplanted4g8h2j6k0l3z7x1c5v9b";
const CHANNEL_TOKEN: &str = "CHANplanted9m2n4b6v8c1x3z5a7s";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Whether this machine lets an unprivileged process take a network namespace of its own.
fn netns_available() -> bool {
    std::process::Command::new("unshare").args(["-rn", "true"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

async fn run(args: &[&str], data: &Path, offline: bool, stdin: Option<&str>) -> Run {
    let mut cmd = if offline {
        let mut c = Command::new("unshare");
        c.args(["-rn", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    cmd.args(args).env("PREFLIGHT_DATA_DIR", data).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for v in ["PREFLIGHT_NAMESERVER", "PREFLIGHT_CA_FILE", "PREFLIGHT_CONNECT_TO"] {
        cmd.env_remove(v);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    if let Some(mut pipe) = child.stdin.take() {
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).await.expect("stdin");
        }
    }
    let out = child.wait_with_output().await.expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn assert_clean(what: &str, text: &str) {
    for token in [NOTE_TOKEN, URL_TOKEN, CHANNEL_TOKEN] {
        assert!(!text.contains(token), "{what} leaks a planted secret ({token})");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn checklist_diff_and_handover_work_offline_from_the_history_and_never_show_a_secret() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path();
    let offline = netns_available();
    if !offline {
        eprintln!("note: this machine refuses `unshare -rn`; the offline commands run with the network present (they still never use it)");
    }

    // Two real audits: everything, then only DNS and TLS.
    let bed = Testbed::start(demo::product()).await.expect("testbed");
    let ca = data.join("ca.pem");
    std::fs::write(&ca, bed.ca.pem()).expect("write CA");
    let mut net = bed.cli_args();
    net.extend(["--ca-file".to_owned(), ca.display().to_string()]);
    let audit = |only: Option<&'static str>| {
        let mut a: Vec<String> = vec!["audit".into(), demo::DOMAIN.into(), "--fail-on".into(), "never".into()];
        if let Some(o) = only {
            a.extend(["--only".into(), o.into()]);
        }
        a.extend(net.iter().cloned());
        a
    };
    for only in [None, Some("dns,tls")] {
        let args = audit(only);
        let r = run(&args.iter().map(String::as_str).collect::<Vec<_>>(), data, false, None).await;
        assert_eq!(r.code, 0, "audit: {}", r.stderr);
    }
    // A key action measured (with a token in its query, which must go no further than the request).
    let login = format!("https://app.{}/login?token={URL_TOKEN}", demo::DOMAIN);
    let mut measure: Vec<String> = ["latency", &login, "--samples", "5", "--cold", "1"].iter().map(|s| s.to_string()).collect();
    measure.extend(net.iter().cloned());
    let r = run(&measure.iter().map(String::as_str).collect::<Vec<_>>(), data, false, None).await;
    assert_eq!(r.code, 0, "latency: {}", r.stderr);
    assert_clean("the latency output", &r.stdout);
    drop(bed);

    // Secrets planted in a monitor's address and (when a keychain is here) an alert channel.
    let monitors = data.join("monitors.toml");
    let toml = format!(
        "domain = \"{d}\"\n[[monitors]]\nname = \"Health\"\nurl = \"https://app.{d}/health?token={URL_TOKEN}\"\n",
        d = demo::DOMAIN
    );
    std::fs::write(&monitors, toml).expect("write monitors");
    let r = run(&["monitors", "--import", &monitors.display().to_string()], data, false, None).await;
    assert_eq!(r.code, 0, "import: {}", r.stderr);
    let hook = format!("https://hooks.example/services/{CHANNEL_TOKEN}\n");
    let added = run(&["channels", "add", "webhook", "team"], data, false, Some(&hook)).await;
    let keychain = added.code == 0;
    assert!(keychain || std::env::var_os("PREFLIGHT_REQUIRE_KEYCHAIN").is_none(), "channels add: {}", added.stderr);

    // From here on: no network at all.
    let note = format!("Sam owns Vercel and DNS.\nOld key was {NOTE_TOKEN}, now rotated.");
    let ticked = run(&["checklist", demo::DOMAIN, "--tick", "handover.owners", "--note", &note], data, offline, None).await;
    assert_eq!(ticked.code, 0, "tick: {}", ticked.stderr);
    assert_clean("the checklist's text output", &ticked.stdout);
    let wrong = run(&["checklist", demo::DOMAIN, "--tick", "no.such.item"], data, offline, None).await;
    assert_eq!(wrong.code, 2, "an unknown item is a usage error: {}", wrong.stderr);

    let r = run(&["checklist", "--format", "json"], data, offline, None).await;
    assert_eq!(r.code, 0, "checklist: {}", r.stderr);
    assert_clean("checklist --format json", &r.stdout);
    let c: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(c["schema"], 1);
    assert_eq!(c["domain"], demo::DOMAIN, "with no domain given, the last one audited");
    let stages = c["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 7);
    let items: Vec<&serde_json::Value> = stages.iter().flat_map(|s| s["items"].as_array().into_iter().flatten()).collect();
    let item = |id: &str| items.iter().find(|i| i["id"] == id).copied().unwrap_or_else(|| panic!("no item {id}"));
    let owners = item("handover.owners");
    assert_eq!((owners["state"].as_str(), owners["decided_by"].as_str()), (Some("done"), Some("founder")));
    assert!(owners["tick"]["note"].as_str().is_some_and(|n| n.contains("Sam owns Vercel") && n.contains("sk-p…5u")), "{owners}");
    let spf = item("mail.spf");
    assert_eq!(spf["checks"], serde_json::json!(["email.spf"]));
    let evidence = spf["evidence"].as_array().cloned().unwrap_or_default();
    assert!(!evidence.is_empty(), "email was not in the last audit: the one before it still decides the item");
    assert!(evidence[0]["checked_at_ms"].as_i64().is_some(), "evidence says when it was checked");
    assert_eq!(item("routing.https")["state"], "not_done", "the demo's http:// does not redirect");
    assert_eq!(item("speed.p95")["state"], "done", "the measured login page is fast enough: {}", item("speed.p95"));
    assert!(c["risks"][0]["blocker"].as_bool().unwrap_or(false), "blockers first");

    let r = run(&["diff", "--format", "json"], data, offline, None).await;
    assert!(r.code == 0 || r.code == 1, "diff: {}", r.stderr);
    let d: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let moved =
        |check: &str| d["changes"].as_array().into_iter().flatten().find(|ch| ch["check"] == check).map(|ch| ch["movement"].clone());
    assert_eq!(moved("email.dkim"), Some(serde_json::json!("unknown")), "not checked the second time is not fixed");
    assert!(!d["changes"].as_array().into_iter().flatten().any(|ch| ch["movement"] == "fixed"), "nothing was fixed between the runs: {d}");
    assert_eq!(d["schema"], 1);

    let md_path = data.join("handover.md");
    let html_path = data.join("handover.html");
    for (format, path) in [("markdown", &md_path), ("html", &html_path)] {
        let r = run(&["handover", demo::DOMAIN, "--format", format, "-o", &path.display().to_string()], data, offline, None).await;
        assert_eq!(r.code, 0, "handover {format}: {}", r.stderr);
    }
    let md = std::fs::read_to_string(&md_path).expect("markdown written");
    let html = std::fs::read_to_string(&html_path).expect("html written");
    for title in [
        "Where the launch stands",
        "Domains and subdomains",
        "Redirect map",
        "Certificates",
        "Email authentication",
        "Where secrets live",
        "Monitoring and alerts",
        "Speed of key actions",
        "Deployment and rollback",
        "Owners and emergency contacts",
        "What was changed",
        "What to watch in week one",
        "The launch checklist",
        "Words used in this document",
    ] {
        assert!(md.contains(&format!("## {title}")), "the Markdown handover has a section \"{title}\"");
        assert!(html.contains(&format!("<h2>{title}</h2>")), "the HTML handover has a section \"{title}\"");
    }
    assert!(md.contains("| www.") && (md.contains("2026-") || md.contains("2027-")), "records and certificate dates are listed");
    assert!(md.contains("Sam owns Vercel"), "the founder's note reaches the handover");
    assert!(md.contains("Health") && md.contains(&format!("https://app.{}/health", demo::DOMAIN)), "monitors are listed");
    let speed = format!("| https://app.{}/login | ", demo::DOMAIN);
    assert!(md.lines().any(|l| l.starts_with(&speed) && l.contains("| fast enough |")), "the measured action and its p95 are listed");
    if keychain {
        assert!(md.contains("team (webhook, posting to hooks.example/…)"), "alert channels are named, not their addresses");
    }
    assert_clean("the Markdown handover", &md);
    assert_clean("the HTML handover", &html);
    let mut db = Vec::new();
    for entry in std::fs::read_dir(data).expect("data dir").flatten() {
        if entry.file_name().to_string_lossy().starts_with("preflight.sqlite3") {
            db.extend(std::fs::read(entry.path()).unwrap_or_default());
        }
    }
    assert!(!db.is_empty(), "the history database was found");
    let db = String::from_utf8_lossy(&db);
    assert!(!db.contains(NOTE_TOKEN), "a key pasted into a note is not stored");
    assert!(!db.contains(CHANNEL_TOKEN), "a channel's address lives in the keychain only");
}
