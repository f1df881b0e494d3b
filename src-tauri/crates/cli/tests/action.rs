//! The GitHub Action's scripts (scripts/action/*.sh, what action.yml runs), run by bash here as a
//! runner runs them: `install.sh` downloads a release of the CLI from a loopback server, checks it
//! against SHA256SUMS and refuses a changed archive; `gate.sh` runs `preflight ci` against the
//! testbed with the action's inputs and leaves the exit code, the reports and the job summary where
//! the next steps read them; `comment.sh` posts the summary on the pull request through a loopback
//! stand-in for GitHub's API, then updates that comment instead of adding another.

mod common;

use common::http::{Seen, Server};
use preflight_testbed::{demo, Testbed};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..").canonicalize().expect("repository root")
}

async fn bash(script: &str, args: &[&str], env: &[(&str, String)]) -> (i32, String) {
    let out = tokio::process::Command::new("bash")
        .arg(repo_root().join("scripts/action").join(script))
        .args(args)
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_PATH")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .await
        .expect("bash runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn sha256(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(std::fs::read(path).expect("read")).iter().map(|b| format!("{b:02x}")).collect()
}

fn outputs(file: &Path) -> HashMap<String, String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

/// A release folder as the workflow publishes it: the CLI's archive for this runner and SHA256SUMS.
fn release(dir: &Path, arch: &str) -> (String, Vec<u8>, Vec<u8>) {
    let target = if arch == "ARM64" { "aarch64-unknown-linux-gnu" } else { "x86_64-unknown-linux-gnu" };
    let stage = dir.join("stage");
    std::fs::create_dir_all(&stage).expect("stage");
    std::fs::copy(env!("CARGO_BIN_EXE_preflight"), stage.join("preflight")).expect("copy");
    let asset = format!("preflight-{target}.tar.gz");
    let archive = dir.join(&asset);
    let ok = std::process::Command::new("tar").arg("-czf").arg(&archive).arg("-C").arg(&stage).arg("preflight").status().expect("tar");
    assert!(ok.success());
    let sums = format!("{}  {asset}\n", sha256(&archive));
    (asset, std::fs::read(&archive).expect("archive"), sums.into_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_action_installs_a_checked_release_runs_the_gate_and_keeps_one_comment() {
    let tmp = tempfile::tempdir().expect("temp");
    let arch = if std::env::consts::ARCH == "aarch64" { "ARM64" } else { "X64" };
    let (asset, archive, sums) = release(tmp.path(), arch);
    let mut tampered = archive.clone();
    if let Some(last) = tampered.last_mut() {
        *last ^= 0xff;
    }
    let files: HashMap<String, Vec<u8>> = HashMap::from([
        (format!("/download/v9.9.9/{asset}"), archive),
        ("/download/v9.9.9/SHA256SUMS".into(), sums.clone()),
        (format!("/download/v9.9.8/{asset}"), tampered),
        ("/download/v9.9.8/SHA256SUMS".into(), sums),
    ]);
    let releases = Server::start(move |r: &Seen| files.get(&r.path).map_or((404, b"not found".to_vec()), |b| (200, b.clone()))).await;
    let runner = |version: &str, temp: &Path| {
        vec![
            ("PREFLIGHT_VERSION", version.to_owned()),
            ("PREFLIGHT_RELEASES", releases.base.clone()),
            ("RUNNER_OS", "Linux".to_owned()),
            ("RUNNER_ARCH", arch.to_owned()),
            ("RUNNER_TEMP", temp.display().to_string()),
            ("GITHUB_PATH", temp.join("github_path").display().to_string()),
        ]
    };

    // A changed archive is refused before anything in it runs, and nothing is put on the PATH.
    let bad = tmp.path().join("bad");
    std::fs::create_dir_all(&bad).expect("dir");
    let (code, text) = bash("install.sh", &[], &runner("v9.9.8", &bad)).await;
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("does not match the release's checksum"), "{text}");
    assert!(!bad.join("github_path").exists() && !bad.join("preflight/bin/preflight").exists(), "nothing installed");

    // The real release is installed and put on the PATH of the next steps.
    let good = tmp.path().join("good");
    std::fs::create_dir_all(&good).expect("dir");
    let (code, text) = bash("install.sh", &[], &runner("v9.9.9", &good)).await;
    assert_eq!(code, 0, "{text}");
    let bin_dir = good.join("preflight/bin");
    assert_eq!(std::fs::read_to_string(good.join("github_path")).expect("GITHUB_PATH").trim(), bin_dir.display().to_string());
    assert!(text.contains("preflight "), "it says its version: {text}");

    // The gate against the sample product: not ready, said in the outputs; the step itself passes.
    let bed = Testbed::start(demo::product()).await.expect("testbed");
    let ca = tmp.path().join("ca.pem");
    std::fs::write(&ca, bed.ca.pem()).expect("ca");
    let checkout = tmp.path().join("checkout");
    std::fs::create_dir_all(&checkout).expect("checkout");
    std::fs::write(checkout.join(".gitignore"), ".env*\n").expect("ignore");
    let mut flags = vec!["--no-discover".to_owned(), "--ca-file".to_owned(), ca.display().to_string()];
    flags.extend(bed.cli_args());
    let (out_file, summary_file, reports) = (tmp.path().join("out"), tmp.path().join("summary"), tmp.path().join("reports"));
    let gate = vec![
        ("INPUT_DOMAIN", demo::DOMAIN.to_owned()),
        ("INPUT_CHECKOUT", checkout.display().to_string()),
        ("INPUT_FAIL_ON", "fail".to_owned()),
        ("INPUT_OUT", reports.display().to_string()),
        ("INPUT_ARGS", flags.join(" ")),
        ("PREFLIGHT_BIN", bin_dir.join("preflight").display().to_string()),
        ("PREFLIGHT_DATA_DIR", tmp.path().join("data").display().to_string()),
        ("GITHUB_OUTPUT", out_file.display().to_string()),
        ("GITHUB_STEP_SUMMARY", summary_file.display().to_string()),
    ];
    let (code, text) = bash("gate.sh", &[], &gate).await;
    assert_eq!(code, 0, "the gate step leaves failing to the last step: {text}");
    assert!(text.contains("::error::Preflight: not ready"), "{text}");
    let o = outputs(&out_file);
    assert_eq!(o.get("exit-code").map(String::as_str), Some("1"), "{o:?}");
    for (key, file) in [("sarif", "preflight.sarif"), ("junit", "preflight.junit.xml"), ("summary", "preflight.md")] {
        assert_eq!(o.get(key), Some(&reports.join(file).display().to_string()), "{key}");
        assert!(reports.join(file).is_file(), "{file} written");
    }
    let summary = std::fs::read_to_string(&summary_file).expect("job summary");
    assert!(summary.starts_with(&format!("## Preflight CI gate for {}", demo::DOMAIN)), "{summary}");

    // A wrong input: exit 2 in the outputs, no report named.
    let mut wrong = gate.clone();
    wrong.retain(|(k, _)| *k != "GITHUB_OUTPUT" && *k != "INPUT_OUT");
    let wrong_out = tmp.path().join("wrong-out");
    wrong.push(("GITHUB_OUTPUT", wrong_out.display().to_string()));
    wrong.push(("INPUT_OUT", tmp.path().join("none").display().to_string()));
    wrong.push(("INPUT_CONFIG", tmp.path().join("missing.toml").display().to_string()));
    let (code, text) = bash("gate.sh", &[], &wrong).await;
    assert_eq!(code, 0, "{text}");
    let o = outputs(&wrong_out);
    assert_eq!(o.get("exit-code").map(String::as_str), Some("2"), "{text}");
    assert!(!o.contains_key("sarif"), "no SARIF to upload: {o:?}");

    // The comment: posted on the pull request once, then updated in place.
    let existing = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let known = std::sync::Arc::clone(&existing);
    let github = Server::start(move |r: &Seen| match (r.method.as_str(), r.path.as_str()) {
        ("GET", p) if p.starts_with("/repos/acme/shop/issues/7/comments") => {
            let list = match known.lock().expect("lock").as_ref() {
                Some(body) => serde_json::json!([{ "id": 1, "body": "LGTM" }, { "id": 42, "body": body }]),
                None => serde_json::json!([{ "id": 1, "body": "LGTM" }]),
            };
            (200, list.to_string().into_bytes())
        }
        ("POST", "/repos/acme/shop/issues/7/comments") | ("PATCH", "/repos/acme/shop/issues/comments/42") => {
            let body = serde_json::from_str::<serde_json::Value>(&r.body).ok().and_then(|v| v["body"].as_str().map(str::to_owned));
            *known.lock().expect("lock") = body;
            (201, b"{}".to_vec())
        }
        ("POST", "/repos/acme/shop/commits/feedbeef/comments") => (201, b"{}".to_vec()),
        _ => (404, b"{}".to_vec()),
    })
    .await;
    let event = tmp.path().join("event.json");
    std::fs::write(&event, r#"{"pull_request":{"number":7}}"#).expect("event");
    let comment = vec![
        ("GITHUB_API_URL", github.base.clone()),
        ("GITHUB_REPOSITORY", "acme/shop".to_owned()),
        ("GITHUB_EVENT_PATH", event.display().to_string()),
        ("GITHUB_SHA", "0123abc".to_owned()),
        ("GITHUB_TOKEN", "ghs_test_token".to_owned()),
    ];
    let md = reports.join("preflight.md").display().to_string();
    let (code, text) = bash("comment.sh", &[&md], &comment).await;
    assert_eq!(code, 0, "{text}");
    let (code, text) = bash("comment.sh", &[&md], &comment).await;
    assert_eq!(code, 0, "{text}");
    let calls: Vec<(String, String)> =
        github.requests().iter().map(|r| (r.method.clone(), r.path.split('?').next().unwrap_or_default().to_owned())).collect();
    let expected: Vec<(String, String)> = [
        ("GET", "/repos/acme/shop/issues/7/comments"),
        ("POST", "/repos/acme/shop/issues/7/comments"),
        ("GET", "/repos/acme/shop/issues/7/comments"),
        ("PATCH", "/repos/acme/shop/issues/comments/42"),
    ]
    .iter()
    .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
    .collect();
    assert_eq!(calls, expected, "one comment, kept up to date");
    assert!(
        github.requests().iter().all(|r| r.authorization.as_deref() == Some("Bearer ghs_test_token")),
        "the token goes to the API alone"
    );
    let posted = existing.lock().expect("lock").clone().unwrap_or_default();
    assert!(posted.starts_with("<!-- preflight-ci -->\n## Preflight CI gate for"), "{posted}");

    // After a deploy there is no pull request: the deployed commit gets the comment.
    std::fs::write(&event, r#"{"deployment":{"sha":"feedbeef"}}"#).expect("event");
    let (code, text) = bash("comment.sh", &[&md], &comment).await;
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        github.requests().last().map(|r| (r.method.clone(), r.path.clone())),
        Some(("POST".into(), "/repos/acme/shop/commits/feedbeef/comments".into())),
        "{text}"
    );
}
