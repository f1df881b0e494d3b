//! `preflight secrets scan` and `preflight secrets env`: the real binary on repositories made by
//! the real `git`, with keys planted where they leak; every output and the history database are
//! searched for the full keys, which must never appear.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_preflight");
const OPENAI: &str = "sk-proj-Zq3vN8kR2mX7pL4tB9wC6yH1dF5gJ0sAeUiOoPqWrTyUz";
const STRIPE: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dcAb12Cd34Ef56Gh78";
const ANTHROPIC: &str = "sk-ant-api03-q8Fz2LmX0vR7nK3pW9tY5bC1aQ2wE3rT4yU5iO6pA7sD8fG9hJ0kL1zX2cV3bN4mQ5wE6rT7yU8iO9pA0sD1fG2hJ3kL4z-AA";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", "-c", "user.name=Ada", "-c", "user.email=ada@acme.example"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn run(args: &[&str], data: &Path) -> (i32, String, String) {
    let Output { status, stdout, stderr } = Command::new(BIN).args(args).env("PREFLIGHT_DATA_DIR", data).output().expect("runs");
    (status.code().unwrap_or(-1), String::from_utf8_lossy(&stdout).into(), String::from_utf8_lossy(&stderr).into())
}

fn clean(what: &str, text: &str) {
    use sha2::{Digest, Sha256};
    for key in [OPENAI, STRIPE, ANTHROPIC] {
        assert!(!text.contains(key), "{what} shows a full key");
        // The digest older versions wrote: anyone with the report could test guesses against it.
        let digest: String = Sha256::digest(key.as_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect();
        assert!(!text.contains(&digest), "{what} holds a digest of a key, which a guess can be checked against");
    }
}

#[test]
fn a_scan_finds_what_leaked_in_code_and_history_and_shows_only_masked_keys() {
    let repo = tempfile::tempdir().expect("temp");
    let data = tempfile::tempdir().expect("temp");
    let d = repo.path();
    git(d, &["init", "-q"]);
    std::fs::write(d.join("ai.ts"), format!("const openai = new OpenAI({{ apiKey: \"{OPENAI}\" }});\n")).expect("write");
    std::fs::write(d.join(".env"), format!("STRIPE_SECRET_KEY={STRIPE}\n")).expect("write");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "one"]);
    std::fs::write(d.join("ai.ts"), "const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });\n").expect("write");
    std::fs::write(d.join("chat.py"), format!("client = Anthropic(api_key=\"{ANTHROPIC}\")\n")).expect("write");
    std::fs::write(d.join(".gitignore"), ".env*\n").expect("write");
    git(d, &["rm", "-q", "--cached", ".env"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "two"]);
    let folder = d.display().to_string();

    let (code, text, err) = run(&["secrets", "scan", &folder, "--history"], data.path());
    assert_eq!(code, 1, "keys found exit 1 like audit's problems: {err}");
    clean("the text report", &text);
    assert!(text.contains("chat.py holds an Anthropic API key (sk-a…AA, in api_key)"), "{text}");
    assert!(text.contains("put an OpenAI API key (sk-p…Uz, in apiKey) in ai.ts; it was removed later"), "{text}");
    assert!(text.contains("console.anthropic.com"), "the fix says where to revoke it");

    let (_, json, _) = run(&["secrets", "scan", &folder, "--history", "--format", "json"], data.path());
    clean("the JSON report", &json);
    let r: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(r["schema"], 1);
    let ids: Vec<&str> =
        r["findings"].as_array().into_iter().flatten().filter(|f| f["status"] == "fail").filter_map(|f| f["id"].as_str()).collect();
    assert!(ids.contains(&"secrets.source") && ids.contains(&"secrets.history"), "{ids:?}");
    assert!(r["findings"].as_array().into_iter().flatten().all(|f| f["area"] == "secrets"));

    let (_, sarif, _) = run(&["secrets", "scan", &folder, "--history", "--format", "sarif"], data.path());
    clean("the SARIF report", &sarif);
    let s: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    assert_eq!(s["version"], "2.1.0");
    let results = s["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    let chat =
        results.iter().find(|x| x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "chat.py").expect("chat.py result");
    assert_eq!(chat["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
    assert_eq!(chat["level"], "error");
    let fp = chat["partialFingerprints"]["preflight/v1"].as_str().unwrap_or_default();
    assert!(fp.ends_with(":chat.py:anthropic:1"), "a result is known by its place and rule, as gitleaks does: {fp}");

    // JUnit for a CI service: a failed testcase per leak, and no key in it.
    let (code, xml, _) = run(&["secrets", "scan", &folder, "--history", "--format", "junit"], data.path());
    assert_eq!(code, 1);
    clean("the JUnit report", &xml);
    let suites = junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes())).expect("a JUnit reader takes it");
    let failed = suites.suites.iter().flat_map(|s| &s.cases).filter(|c| c.status.is_failure()).count();
    assert_eq!(failed, ids.len(), "a failed testcase per failing finding: {xml}");
    let (_, md, _) = run(&["secrets", "scan", &folder, "--history", "--format", "markdown"], data.path());
    clean("the Markdown report", &md);
    assert!(md.starts_with("## Preflight secrets scan of") && md.contains("`secrets.history`"), "{md}");

    // Accept the current state, then only something new fails the gate.
    let baseline = data.path().join("baseline.json");
    let b = baseline.display().to_string();
    let (_, _, _) = run(&["secrets", "scan", &folder, "--history", "--write-baseline", &b], data.path());
    clean("the baseline file", &std::fs::read_to_string(&baseline).expect("baseline written"));
    let (code, _, err) = run(&["secrets", "scan", &folder, "--history", "--baseline", &b, "--fail-on", "fail"], data.path());
    assert_eq!(code, 0, "everything accepted: {err}");

    // Saved to a product, then nowhere in the database.
    let (_, _, err) = run(&["secrets", "scan", &folder, "--history", "--domain", "acme.test"], data.path());
    assert!(err.contains("saved as run"), "{err}");
    let mut db = Vec::new();
    for e in std::fs::read_dir(data.path()).expect("dir").flatten() {
        if e.file_name().to_string_lossy().starts_with("preflight.sqlite3") {
            db.extend(std::fs::read(e.path()).unwrap_or_default());
        }
    }
    assert!(!db.is_empty());
    clean("the history database", &String::from_utf8_lossy(&db));
    let (_, checklist, _) = run(&["checklist", "acme.test", "--format", "json"], data.path());
    let c: serde_json::Value = serde_json::from_str(&checklist).expect("checklist JSON");
    let item = c["stages"][2]["items"].as_array().into_iter().flatten().find(|i| i["id"] == "keys.outside_code").cloned().expect("item");
    assert_eq!(item["state"], "not_done", "the checklist counts the saved scan: {item}");
}

#[test]
fn env_completeness_names_what_is_missing_and_never_the_values() {
    let dir = tempfile::tempdir().expect("temp");
    let d = dir.path();
    std::fs::write(d.join(".env.example"), "OPENAI_API_KEY=\nDATABASE_URL=\nSITE_URL=\n").expect("write");
    std::fs::write(d.join(".env.production"), format!("OPENAI_API_KEY={OPENAI}\nDATABASE_URL=postgres://app:pw@localhost/db\n"))
        .expect("write");
    std::fs::write(
        d.join(".env.staging"),
        format!("OPENAI_API_KEY={OPENAI}\nDATABASE_URL=postgres://app:pw@staging-db/db\nSITE_URL=https://staging.acme.test\n"),
    )
    .expect("write");
    let p = |n: &str| d.join(n).display().to_string();
    let (code, text, err) =
        run(&["secrets", "env", "--example", &p(".env.example"), "--env", &p(".env.production"), "--other", &p(".env.staging")], d);
    assert_eq!(code, 1, "{err}");
    clean("the env report", &text);
    assert!(text.contains("SITE_URL is missing"), "{text}");
    assert!(text.contains("DATABASE_URL in") && text.contains("localhost"), "production by its file name: {text}");
    assert!(text.contains("same secret value as OPENAI_API_KEY"), "{text}");
    let (code, _, _) = run(&["secrets", "env", "--example", &p(".env.example"), "--env", &p(".env.staging")], d);
    assert_eq!(code, 0, "staging has every variable, and localhost rules only production");
}

#[cfg(unix)]
#[test]
fn pipes_and_the_systems_own_folders_end_quickly_with_words_never_a_hang() {
    let repo = tempfile::tempdir().expect("temp");
    let data = tempfile::tempdir().expect("temp");
    let d = repo.path();
    git(d, &["init", "-q"]);
    std::fs::write(d.join("app.py"), "x = 1\n").expect("write");
    std::fs::write(d.join(".env.example"), "OPENAI_API_KEY=\n").expect("write");
    let fifo = d.join("build.pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let started = std::time::Instant::now();
    let (code, text, err) = run(&["secrets", "scan", &d.display().to_string()], data.path());
    assert_eq!(code, 0, "a pipe in the repository is skipped, not waited on: {text}{err}");
    let (code, _, err) = run(&["secrets", "scan", "/proc"], data.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not code"), "the founder is told why: {err}");
    let example = d.join(".env.example").display().to_string();
    let (code, _, err) = run(&["secrets", "env", "--example", &example, "--env", &fifo.display().to_string()], data.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a pipe (FIFO), not a file"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "all of it ends at once, took {:?}", started.elapsed());
}
