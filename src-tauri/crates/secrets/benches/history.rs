//! Benchmark: Preflight's folder and history scan against trufflehog3 on one generated repository,
//! in one run.
//!
//! `scripts/bench-secrets.sh` installs trufflehog3 into a throwaway venv and runs this with
//! `TRUFFLEHOG3` set. The repository (BENCH_COMMITS commits, default 5,000, over BENCH_FILES files,
//! default 20,000) is generated with `git fast-import` once and reused: code-like files, three edits
//! per commit, and 45 planted keys of 9 kinds both tools have rules for, a third of them removed
//! again by a later commit. Both tools scan the working tree and the whole history, with their
//! defaults. Printed: each tool's wall time, the ratio, and which planted keys each found.

use preflight_secrets::mask::digest;
use preflight_secrets::tree::Limits;
use preflight_secrets::{bundled, history, tree};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// A tiny deterministic generator, so every run builds the same repository.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn text(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n).map(|_| alphabet[self.below(alphabet.len() as u64) as usize] as char).collect()
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// A planted key: its kind, the value a finding is matched on, and the line that carries it.
struct Planted {
    kind: &'static str,
    value: String,
    line: String,
}

fn plant(kind: usize, r: &mut Rng) -> Planted {
    let (kind, value, line) = match kind % 9 {
        0 => {
            let v = format!("AKIA{}", r.text(16, UPPER));
            ("aws", v.clone(), format!("const awsKeyId = \"{v}\";"))
        }
        1 => {
            let v = format!("sk_live_{}", r.text(24, ALNUM));
            ("stripe", v.clone(), format!("const stripe = new Stripe(\"{v}\");"))
        }
        2 => {
            let v = format!("https://hooks.slack.com/services/T{}/B{}/{}", r.text(8, UPPER), r.text(8, UPPER), r.text(24, ALNUM));
            ("slack", v.clone(), format!("const hook = \"{v}\";"))
        }
        3 => {
            let v = format!("AIza{}", r.text(35, ALNUM));
            ("google", v.clone(), format!("const mapsKey = \"{v}\";"))
        }
        4 => {
            let v = format!("key-{}", r.text(32, HEX));
            ("mailgun", v.clone(), format!("const mailgun = \"{v}\";"))
        }
        5 => {
            let v = format!("SK{}", r.text(32, HEX));
            ("twilio", v.clone(), format!("const twilioKey = \"{v}\";"))
        }
        6 => {
            let v = format!("{}-us{}", r.text(32, HEX), 1 + r.below(20));
            ("mailchimp", v.clone(), format!("const chimp = \"{v}\";"))
        }
        7 => {
            let v = r.text(20, ALNUM);
            ("db-password", v.clone(), format!("const db = \"postgres://app:{v}@db.internal.example:5432/prod\";"))
        }
        _ => {
            let body = r.text(64, ALNUM);
            (
                "private-key",
                "-----BEGIN RSA PRIVATE KEY-----".to_owned(),
                format!("const pem = `-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----`;"),
            )
        }
    };
    Planted { kind, value, line }
}

fn code_line(r: &mut Rng) -> String {
    let words = ["user", "chat", "message", "session", "plan", "price", "token_count", "reply", "prompt", "model"];
    let mut w = || words[r.below(words.len() as u64) as usize];
    let (a, b, c, d) = (w(), w(), w(), w());
    format!("export function {a}_{b}({c}: string) {{ return {d}.length; }}")
}

/// The repository (generated the first time) and its planted keys.
fn repository(dir: &Path, commits: usize, files: usize) -> std::io::Result<(PathBuf, Vec<Planted>)> {
    let repo = dir.join(format!("repo-{commits}-{files}"));
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut planted = Vec::new();
    let plant_at: Vec<usize> = (0..45).map(|i| 2 + i * (commits.saturating_sub(60)) / 45).collect();
    let mut contents: Vec<String> = (0..files).map(|_| (0..8).map(|_| code_line(&mut r)).collect::<Vec<_>>().join("\n")).collect();
    let path = |i: usize| format!("src/mod{:03}/file{i:05}.ts", i % 200);
    let mut stream: Vec<u8> = Vec::new();
    let mut mark = 0usize;
    let mut removals: Vec<(usize, usize, String)> = Vec::new();
    for c in 1..=commits {
        let mut changed: Vec<usize> = if c == 1 { (0..files).collect() } else { (0..3).map(|_| r.below(files as u64) as usize).collect() };
        for f in changed.iter().filter(|_| c > 1) {
            let line = code_line(&mut r);
            contents[*f].push('\n');
            contents[*f].push_str(&line);
        }
        if let Some(k) = plant_at.iter().position(|p| *p == c) {
            let p = plant(k, &mut r);
            let f = r.below(files as u64) as usize;
            contents[f].push('\n');
            contents[f].push_str(&p.line);
            changed.push(f);
            if k % 3 == 0 {
                removals.push((c + 1 + r.below(50) as usize, f, p.line.clone()));
            }
            planted.push(p);
        }
        for (_, f, line) in removals.iter().filter(|(at, _, _)| *at == c) {
            contents[*f] = contents[*f].replace(line.as_str(), "// moved to the environment");
            changed.push(*f);
        }
        changed.sort_unstable();
        changed.dedup();
        let mut marks = Vec::new();
        for f in &changed {
            mark += 1;
            let data = contents[*f].as_bytes();
            write!(stream, "blob\nmark :{mark}\ndata {}\n", data.len())?;
            stream.extend_from_slice(data);
            stream.push(b'\n');
            marks.push((mark, *f));
        }
        let msg = format!("change {c}");
        write!(
            stream,
            "commit refs/heads/main\ncommitter Ada <ada@acme.example> {} +0000\ndata {}\n{msg}\n",
            1_700_000_000 + c * 60,
            msg.len()
        )?;
        for (m, f) in marks {
            writeln!(stream, "M 100644 :{m} {}", path(f))?;
        }
        stream.push(b'\n');
    }
    if !repo.join(".git").exists() {
        std::fs::create_dir_all(&repo)?;
        let git = |args: &[&str]| Command::new("git").args(args).current_dir(&repo).stdout(Stdio::null()).status();
        git(&["init", "-q", "-b", "main"])?;
        let mut child = Command::new("git").args(["fast-import", "--quiet"]).current_dir(&repo).stdin(Stdio::piped()).spawn()?;
        child.stdin.take().ok_or_else(|| std::io::Error::other("git fast-import has no stdin"))?.write_all(&stream)?;
        child.wait()?;
        git(&["checkout", "-q", "-f", "main"])?;
    }
    Ok((repo, planted))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let commits: usize = std::env::var("BENCH_COMMITS").ok().and_then(|v| v.parse().ok()).unwrap_or(5000);
    let files: usize = std::env::var("BENCH_FILES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let dir = std::env::var_os("BENCH_DIR").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("preflight-bench-secrets"));
    let t = Instant::now();
    let (repo, planted) = repository(&dir, commits, files)?;
    println!(
        "repository: {} ({commits} commits, {files} files, {} planted keys), ready in {:.1} s",
        repo.display(),
        planted.len(),
        t.elapsed().as_secs_f64()
    );

    let rules = bundled()?;
    let t = Instant::now();
    let now = tree::scan(rules, &repo, Limits::default())?;
    let past = history::scan(rules, &repo, Limits::default())?;
    let ours = t.elapsed().as_secs_f64();
    let hits: Vec<&preflight_secrets::Hit> = now.hits.iter().map(|h| &h.hit).chain(past.hits.iter().map(|h| &h.hit)).collect();
    let found: BTreeSet<&str> = hits.iter().map(|h| h.digest.as_str()).collect();
    println!(
        "preflight:   {ours:.2} s  ({} commits, {} file versions, {:.1} MiB; {} findings)",
        past.commits,
        past.blobs,
        past.bytes as f64 / 1_048_576.0,
        hits.len()
    );
    // A private key is matched by its header, the others by their value's digest (this run's own key).
    let ours_found = |p: &Planted| {
        if p.kind == "private-key" {
            hits.iter().any(|h| h.rule == "private-key")
        } else {
            found.contains(digest(&p.value).as_str())
        }
    };

    let Some(peer) = std::env::var_os("TRUFFLEHOG3") else {
        println!("trufflehog3: not run (set TRUFFLEHOG3, or use scripts/bench-secrets.sh, which installs it)");
        return Ok(());
    };
    let out = dir.join("trufflehog3.json");
    let t = Instant::now();
    let status = Command::new(&peer)
        .args(["-z", "--format", "JSON", "-o"])
        .arg(&out)
        .arg(&repo)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    let theirs = t.elapsed().as_secs_f64();
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap_or_else(|_| "[]".into()))?;
    let secrets: Vec<String> = report.as_array().into_iter().flatten().filter_map(|i| i["secret"].as_str().map(str::to_owned)).collect();
    let theirs_found = |p: &Planted| secrets.iter().any(|s| s.contains(&p.value));
    println!("trufflehog3: {theirs:.2} s  ({status}; {} findings)", secrets.len());
    println!("ratio: trufflehog3 time / Preflight time = {:.1}x", theirs / ours);
    let (mut a, mut b, mut both) = (0, 0, 0);
    for p in &planted {
        let (x, y) = (ours_found(p), theirs_found(p));
        a += usize::from(x);
        b += usize::from(y);
        both += usize::from(x && y);
        if !x {
            println!("  missed by Preflight: a {} key", p.kind);
        }
        if !y {
            println!("  missed by trufflehog3: a {} key", p.kind);
        }
    }
    println!("planted keys found: Preflight {a}/{n}, trufflehog3 {b}/{n}, both {both}/{n}", n = planted.len());
    Ok(())
}
