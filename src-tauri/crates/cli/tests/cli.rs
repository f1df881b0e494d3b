//! The real `preflight` binary against a testbed on loopback: output shapes and exit codes.

use preflight_testbed::{demo, Answer, CertKind, Product, Site, Testbed};
use std::path::Path;
use tokio::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn preflight(args: &[&str], data: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(args)
        .env("PREFLIGHT_DATA_DIR", data)
        .env_remove("PREFLIGHT_NAMESERVER")
        .env_remove("PREFLIGHT_CA_FILE")
        .env_remove("PREFLIGHT_CONNECT_TO")
        .output()
        .await
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn testbed_args(bed: &Testbed, ca: &Path) -> Vec<String> {
    std::fs::write(ca, bed.ca.pem()).expect("write CA");
    let mut args = bed.cli_args();
    args.extend(["--ca-file".to_owned(), ca.display().to_string()]);
    args
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_json_has_the_documented_shape_and_gates_on_failures() {
    let dir = tempfile::tempdir().expect("temp");
    let bed = Testbed::start(demo::product()).await.expect("testbed");
    let net = testbed_args(&bed, &dir.path().join("ca.pem"));
    let mut args = vec!["audit", demo::DOMAIN, "--format", "json"];
    args.extend(net.iter().map(String::as_str));
    let run = preflight(&args, dir.path()).await;
    assert_eq!(run.code, 1, "the demo has problems, so the default --fail-on fail exits 1: {}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(json["schema"], 1);
    assert_eq!(json["domain"], demo::DOMAIN);
    let first = &json["findings"][0];
    for field in ["id", "area", "stage", "subject", "status", "impact", "title", "why", "detail", "evidence", "fix", "duration_ms"] {
        assert!(first.get(field).is_some(), "every finding has `{field}` (DESIGN §3): {first}");
    }
    assert_eq!(first["status"], "fail", "problems come first");

    args.extend(["--fail-on", "never"]);
    assert_eq!(preflight(&args, dir.path()).await.code, 0, "--fail-on never always exits 0");

    let history = preflight(&["history", "--format", "json"], dir.path()).await;
    let runs: serde_json::Value = serde_json::from_str(&history.stdout).expect("history is JSON");
    assert_eq!(runs.as_array().map(Vec::len), Some(2), "both audits were saved");
    let id = runs[1]["id"].as_i64().expect("run id").to_string();
    let shown = preflight(&["history", "--show", &id, "--format", "json"], dir.path()).await;
    let shown: serde_json::Value = serde_json::from_str(&shown.stdout).expect("report JSON");
    assert_eq!(shown["findings"], json["findings"], "a stored run shows the same findings the audit printed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_product_exits_zero() {
    let dir = tempfile::tempdir().expect("temp");
    let bed = Testbed::start(Product::healthy("fine.test", &["", "www"])).await.expect("testbed");
    let net = testbed_args(&bed, &dir.path().join("ca.pem"));
    let mut args = vec!["audit", "fine.test", "--no-save"];
    args.extend(net.iter().map(String::as_str));
    let run = preflight(&args, dir.path()).await;
    assert_eq!(run.code, 0, "nothing failed: {}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ready on everything checked"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn warn_gating_is_stricter_than_the_default() {
    let dir = tempfile::tempdir().expect("temp");
    let product = Product::healthy("soon.test", &["", "www"])
        .site(Site { cert: Some(CertKind::ExpiresIn(10)), ..Site::redirecting("www.soon.test", "soon.test") });
    let bed = Testbed::start(product).await.expect("testbed");
    let net = testbed_args(&bed, &dir.path().join("ca.pem"));
    let mut args = vec!["audit", "soon.test", "--no-save"];
    args.extend(net.iter().map(String::as_str));
    let run = preflight(&args, dir.path()).await;
    assert_eq!(run.code, 0, "a certificate with 10 days left needs attention but is no problem: {}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Needs attention (1)"), "{}", run.stdout);
    args.extend(["--fail-on", "warn"]);
    let run = preflight(&args, dir.path()).await;
    assert_eq!(run.code, 1, "--fail-on warn gates on the same warning: {}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_audit_that_could_not_look_exits_4_not_0() {
    let dir = tempfile::tempdir().expect("temp");
    let product = Product::healthy("hung.test", &["", "www"]).site(Site { http: Answer::Hang, ..Site::healthy("hung.test") });
    let bed = Testbed::start(product).await.expect("testbed");
    let net = testbed_args(&bed, &dir.path().join("ca.pem"));
    let mut args = vec!["audit", "hung.test", "--no-save", "--timeout", "1"];
    args.extend(net.iter().map(String::as_str));
    let run = preflight(&args, dir.path()).await;
    assert_eq!(run.code, 4, "a check that could not look must not pass a CI gate: {}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Couldn't check (1)"), "{}", run.stdout);
    assert!(run.stderr.contains("incomplete"), "the exit code is explained: {}", run.stderr);
    args.extend(["--fail-on", "never"]);
    assert_eq!(preflight(&args, dir.path()).await.code, 0, "--fail-on never only reports");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_2_with_a_message_and_never_panics() {
    let dir = tempfile::tempdir().expect("temp");
    let cases: &[(&[&str], &str)] = &[
        (&["audit", "https://www.acme.test/login"], "Type just the domain: acme.test"),
        (&["audit", "acme .test"], "cannot contain spaces"),
        (&["audit", "acme.test", "--nameserver", "dns.example"], "--nameserver wants an IP address"),
        (&["audit", "acme.test", "--only", "dns,nonsense"], "unknown area \"nonsense\""),
        (&["audit", "acme.test", "--connect-to", "a:b"], "--connect-to wants"),
        (&["audit", "acme.test", "--ca-file", "/nonexistent/ca.pem"], "cannot read the CA file"),
        (&["audit"], "name the domain to audit"),
        (&["history", "--show", "4242"], "there is no audit with id 4242"),
    ];
    for (args, message) in cases {
        let run = preflight(args, dir.path()).await;
        assert_eq!(run.code, 2, "{args:?} is a usage error: {}", run.stderr);
        assert!(run.stderr.contains(message), "{args:?} should say {message:?}, said: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?} must not panic");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_prints_findings_with_at_least_one_problem() {
    let dir = tempfile::tempdir().expect("temp");
    let run = preflight(&["demo"], dir.path()).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Problem ("), "the demo shows problems: {}", run.stdout);
    assert!(run.stdout.contains(demo::DOMAIN));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_settings_file_that_aims_a_key_at_a_stranger_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp");
    let files = [
        ("monitor.toml", "domain = \"acme.test\"\n[[monitors]]\nname = \"api\"\nurl = \"https://collector.example/health\"\nsecret = \"api-token\"\n", "collector.example"),
        ("plain.toml", "domain = \"acme.test\"\n[[monitors]]\nname = \"api\"\nurl = \"http://api.acme.test/health\"\nsecret = \"api-token\"\n", "api.acme.test"),
        ("endpoint.toml", "domain = \"acme.test\"\n[[endpoints]]\nname = \"chat\"\nurl = \"https://llm-proxy.example/chat\"\nsecret = \"api-token\"\n", "llm-proxy.example"),
        ("header.toml", "domain = \"acme.test\"\n[[monitors]]\nname = \"api\"\nurl = \"https://api.acme.test/\"\nheaders = { \"X-API-Key\" = \"pl4nted-cli-9090\" }\n", "x-api-key"),
    ];
    for (name, text, host) in files {
        let file = dir.path().join(name);
        std::fs::write(&file, text).expect("write");
        let path = file.display().to_string();
        for args in [vec!["monitors", "--import", path.as_str()], vec!["watch", "--config", path.as_str(), "--no-save"]] {
            let run = preflight(&args, dir.path()).await;
            assert_eq!(run.code, 2, "{args:?} on {name}: {}", run.stderr);
            assert!(run.stderr.contains(host), "{args:?} on {name} names {host}: {}", run.stderr);
            assert!(!run.stderr.contains("pl4nted-cli-9090"), "the value is never repeated: {}", run.stderr);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn only_secrets_runs_the_sites_own_javascript_checks_as_the_docs_say() {
    let dir = tempfile::tempdir().expect("temp");
    let bed = Testbed::start(demo::product()).await.expect("testbed");
    let ca = dir.path().join("ca.pem");
    let mut args: Vec<String> = vec!["audit".into(), demo::DOMAIN.into(), "--only".into(), "secrets".into(), "--no-discover".into()];
    args.extend(["--format".into(), "json".into(), "--no-save".into()]);
    args.extend(testbed_args(&bed, &ca));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = preflight(&refs, dir.path()).await;
    let r: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    let ids: Vec<&str> = r["findings"].as_array().into_iter().flatten().filter_map(|f| f["id"].as_str()).collect();
    assert!(ids.contains(&"secrets.bundle"), "--only secrets runs checks: {ids:?}");
    assert!(ids.iter().all(|id| id.starts_with("secrets.")), "and only those: {ids:?}");
}
