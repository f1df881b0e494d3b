//! `preflight latency` against a testbed endpoint with an injected 60 ms delay: the documented JSON
//! shape, the verdict against a target, and the exit codes of `--fail-on`.

use preflight_testbed::web::Delays;
use preflight_testbed::{Answer, CertKind, Product, Site, Testbed};
use tokio::process::Command;

/// A testbed serving `api.DOMAIN` with `answer`, and the arguments that point the CLI at it.
async fn endpoint(domain: &str, answer: Answer) -> (Testbed, tempfile::TempDir, Vec<String>) {
    let site = Site {
        host: format!("api.{domain}"),
        cert: Some(CertKind::Valid),
        http: Answer::redirect(&format!("https://api.{domain}")),
        https: answer,
    };
    let bed = Testbed::start(Product::healthy(domain, &[""]).site(site)).await.expect("testbed");
    let dir = tempfile::tempdir().expect("temp");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, bed.ca.pem()).expect("ca");
    let mut net = bed.cli_args();
    net.extend(["--ca-file".to_owned(), ca.display().to_string()]);
    (bed, dir, net)
}

/// Runs the binary with `args`, then `extra`; returns the exit code, stdout and stderr.
async fn preflight(args: &[String], extra: &[&str], data: &std::path::Path) -> (i32, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_preflight")).args(args).args(extra).env("PREFLIGHT_DATA_DIR", data).output().await.expect("runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn latency_json_has_the_documented_shape_and_gates_on_the_target() {
    let d = "fast.test";
    let (_bed, dir, net) = endpoint(d, Answer::Delayed { delays: Delays::new(vec![60]), then: Box::new(Answer::ok("{}")) }).await;
    let mut base: Vec<String> =
        vec!["latency".into(), format!("https://api.{d}/v1/chats"), "--samples".into(), "20".into(), "--cold".into(), "3".into()];
    base.extend(net);
    let run = |extra: &'static [&'static str]| {
        let (base, data) = (base.clone(), dir.path().to_owned());
        async move { preflight(&base, extra, &data).await }
    };
    let (code, json, err) = run(&["--format", "json"]).await;
    assert_eq!(code, 0, "60 ms beats a cached read's 400 ms: {err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["schema"], 1);
    let e = &v["endpoints"][0];
    assert!(e["previous"].is_null(), "the first run has nothing before it");
    for field in ["samples", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms", "phases", "cold", "warm", "verdict", "kind", "target_ms"] {
        assert!(e.get(field).is_some(), "every endpoint has `{field}`: {e}");
    }
    assert_eq!(e["samples"], 20);
    let p95 = e["p95_ms"].as_f64().expect("p95");
    // The injected delay bounds the figure from below (less the timer's 1 ms and a rounding); a
    // busy 2-core machine only adds: the CLI, the testbed and the other tests of this binary share
    // two cores, and a wake-up that waits out another task's time slice is late by up to a few
    // scheduler periods (CFS: 6-12 ms each). p95 of 20 samples is the 19th, so one or two stalled
    // requests show. 30 ms of stall room still tells "measured the server once" (60) from "counted
    // a round trip twice" (120) or "measured nothing" (0).
    assert!((57.0..=90.0).contains(&p95), "p95 {p95} ms for an injected 60 ms");
    assert!(e["phases"]["tls_ms"].as_f64().is_some());

    let (code, text, _) = run(&["--target", "30", "--fail-on", "slow"]).await;
    assert_eq!(code, 1, "too slow for a 30 ms target fails the gate: {text}");
    assert!(text.contains("is too slow because the server itself takes the time"), "{text}");
    assert!(text.contains("before:            p95 "), "the run before is compared: {text}");
    let (_, json, _) = run(&["--format", "json", "--no-save"]).await;
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(v["endpoints"][0]["previous"]["p95_ms"].as_f64().is_some(), "JSON carries the previous run: {v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn load_refuses_a_host_that_is_not_yours_and_says_its_bounds_before_it_runs() {
    let d = "busy.test";
    let (_bed, dir, net) = endpoint(d, Answer::Delayed { delays: Delays::new(vec![5]), then: Box::new(Answer::ok("{}")) }).await;
    let mut base: Vec<String> =
        vec!["load".into(), format!("https://api.{d}/"), "--rate".into(), "20".into(), "--duration".into(), "1".into()];
    base.extend(net);
    let run = |extra: &'static [&'static str]| {
        let (base, data) = (base.clone(), dir.path().to_owned());
        async move { preflight(&base, extra, &data).await }
    };
    let (code, _, err) = run(&[]).await;
    assert_eq!(code, 2, "real traffic only to your own hosts: {err}");
    assert!(err.contains("not one of your products"), "{err}");

    let (code, json, err) = run(&["--mine", "--format", "json"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("This sends at most 20 GET requests"), "the bounds are said first: {err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["schema"], 1);
    let step = &v["load"]["steps"][0];
    assert_eq!(step["sent"].as_u64().unwrap_or(0) + step["dropped"].as_u64().unwrap_or(0), 20);
    for field in ["latency", "service", "dropped", "late", "achieved_rate"] {
        assert!(step.get(field).is_some(), "a step has `{field}`: {step}");
    }
    assert_eq!(v["load"]["sustained_rate"], 20.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_endpoints_of_a_settings_file_are_measured_with_their_kind_and_target() {
    let d = "conf.test";
    let (_bed, dir, net) = endpoint(d, Answer::Delayed { delays: Delays::new(vec![40]), then: Box::new(Answer::ok("{}")) }).await;
    let file = dir.path().join("preflight.toml");
    let toml = format!(
        "domain = \"{d}\"\n[[endpoints]]\nname = \"chat start\"\nmethod = \"POST\"\nurl = \"https://api.{d}/v1/chat\"\nbody = \"{{}}\"\nkind = \"chat-send\"\n\n[[endpoints]]\nname = \"session\"\nurl = \"https://api.{d}/session\"\nlatency_target_ms = 20\n"
    );
    std::fs::write(&file, toml).expect("write");
    let mut args: Vec<String> =
        vec!["latency".into(), "--config".into(), file.display().to_string(), "--samples".into(), "10".into(), "--cold".into(), "1".into()];
    args.extend(net);
    let (code, json, err) = preflight(&args, &["--format", "json", "--fail-on", "slow"], dir.path()).await;
    assert_eq!(code, 1, "the session endpoint misses its own 20 ms target: {err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let e = v["endpoints"].as_array().cloned().unwrap_or_default();
    assert_eq!(e.len(), 2);
    assert_eq!(
        (e[0]["name"].as_str(), e[0]["kind"].as_str(), e[0]["target_ms"].as_u64()),
        (Some("chat start"), Some("chat_send"), Some(900))
    );
    assert_eq!(
        (e[1]["name"].as_str(), e[1]["kind"].as_str(), e[1]["target_ms"].as_u64()),
        (Some("session"), Some("cached_read"), Some(20))
    );
    assert_eq!((e[0]["verdict"].as_str(), e[1]["verdict"].as_str()), (Some("fast_enough"), Some("too_slow")));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, format!("domain = \"{d}\"\n[[endpoints]]\nname = \"x\"\nurl = \"https://api.{d}/\"\nkind = \"fast\"\n"))
        .expect("write");
    let (code, _, err) = preflight(&["latency".to_owned(), "--config".to_owned(), bad.display().to_string()], &[], dir.path()).await;
    assert_eq!(code, 2, "an unknown kind is a usage error");
    assert!(err.contains("kind \"fast\" is not one of"), "{err}");
}
