//! `secrets.exposed_files`: what a deploy leaves behind can be downloaded: env files, the `.git`
//! folder, backups, editor settings, server status pages, open folder listings.
//!
//! Each name gets one bounded `GET` per well-known path (16 in all, one after the other, 16 KiB
//! read of each, no redirect followed, stopping at a 429), and an answer counts only when its content proves the file: a `ref: refs/`
//! line, a `[core]` section, `KEY=value` lines, an archive's first bytes, a listing's "Index of".
//! A single-page app that answers 200 with its shell for every path proves nothing, so it is never
//! a hit. Keys inside an exposed file are named through the secrets rules, masked. The paths are
//! what scanners ask for, so like `edge.waf` they go only to the product's own names, never to a
//! name discovery found.

use super::{own_landing, per_own_host, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::{Request, Response};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static EXPOSED: CheckDef = CheckDef {
    id: "secrets.exposed_files",
    area: Area::Secrets,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "whether files a deploy leaves behind (env files, .git, backups, editor settings, server pages) can be downloaded",
};

pub const FAMILY: Family = Family { name: "exposed files", checks: &[&EXPOSED], plan };

/// The most of a probed answer read: every proof needs less, and an archive shows in its first bytes.
const PROBE_BYTES: usize = 16 * 1024;

/// How an answer proves it is the file asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proof {
    EnvLines,
    GitHead,
    GitConfig,
    DsStore,
    Archive,
    SqlDump,
    JsonSettings,
    IdeaProject,
    ServerStatus,
    PhpInfo,
    Listing,
    /// Proven only by a key in it (`/config.json` is often a public runtime config).
    KeyInside,
}

/// A path scanners ask for: what it is, how it is proven, and whether finding it is a problem
/// (keys, source, data) or needs attention (file names, settings, visitors' addresses).
struct Probe {
    path: &'static str,
    what: &'static str,
    proof: Proof,
    severe: bool,
}

const PROBES: [Probe; 16] = [
    Probe { path: "/.env", what: "an env file (the app's settings and keys)", proof: Proof::EnvLines, severe: true },
    Probe { path: "/.env.local", what: "a local env file", proof: Proof::EnvLines, severe: true },
    Probe { path: "/.env.production", what: "the production env file", proof: Proof::EnvLines, severe: true },
    Probe { path: "/.git/HEAD", what: "the git folder (the whole source code and its history)", proof: Proof::GitHead, severe: true },
    Probe { path: "/.git/config", what: "the git folder's settings", proof: Proof::GitConfig, severe: true },
    Probe { path: "/.DS_Store", what: "a macOS folder index (the names of the files beside it)", proof: Proof::DsStore, severe: false },
    Probe { path: "/config.json", what: "a build's config file with a key in it", proof: Proof::KeyInside, severe: true },
    Probe { path: "/backup.zip", what: "a backup archive", proof: Proof::Archive, severe: true },
    Probe { path: "/site.tar.gz", what: "a backup archive", proof: Proof::Archive, severe: true },
    Probe { path: "/db.sql", what: "a database dump", proof: Proof::SqlDump, severe: true },
    Probe { path: "/.vscode/settings.json", what: "VS Code's project settings", proof: Proof::JsonSettings, severe: false },
    Probe { path: "/.idea/workspace.xml", what: "a JetBrains project file", proof: Proof::IdeaProject, severe: false },
    Probe {
        path: "/server-status",
        what: "Apache's status page (visitors' addresses and the pages they ask for)",
        proof: Proof::ServerStatus,
        severe: false,
    },
    Probe {
        path: "/phpinfo.php",
        what: "a phpinfo() page (the server's whole configuration, environment included)",
        proof: Proof::PhpInfo,
        severe: true,
    },
    Probe { path: "/assets/", what: "an open listing of the assets folder", proof: Proof::Listing, severe: false },
    Probe { path: "/static/", what: "an open listing of the static folder", proof: Proof::Listing, severe: false },
];

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    per_own_host(
        target,
        facts,
        &EXPOSED,
        |h| format!("Looking for files a deploy left on {h}"),
        not_ours,
        |facts, host| async move { vec![check(&facts, &host).await] },
    )
}

fn not_ours(host: &str) -> Finding {
    Finding::new(&EXPOSED, host, Status::Skipped)
        .title(format!(
            "{host} was not asked for left-behind files: Preflight found this name itself, and it may be another company's service."
        ))
        .fix([format!("If {host} is yours, choose Keep beside it in the found names, and the next audit looks.")])
}

/// One file found, with its proof and the keys in it (masked).
#[derive(Debug, Clone, serde::Serialize)]
struct Hit {
    url: String,
    what: &'static str,
    severe: bool,
    proof: String,
    keys: Vec<String>,
}

async fn check(facts: &Facts, host: &str) -> Finding {
    let what = format!("the search for files left on https://{host}");
    let (landed, landing) = match own_landing(facts, &EXPOSED, host, &what).await {
        Ok(x) => x,
        Err(f) => return f,
    };
    // One at a time, like a visitor clicking around, not a scanner's burst: a firewall that would
    // block a burst could then block the rest of the audit too. A 429 ends the probing.
    let mut answers = Vec::new();
    for p in &PROBES {
        let Ok(url) = Url::parse(&format!("https://{host}{}", p.path)) else { continue };
        let answer = facts.send_bounded(&Request::get(url), PROBE_BYTES).await;
        let limited = matches!(&answer, Ok(r) if r.status == 429);
        answers.push((p, Some(answer)));
        if limited {
            break;
        }
    }
    let mut hits: Vec<Hit> = Vec::new();
    if let Some(proof) = proven(Proof::Listing, &landing) {
        hits.push(Hit {
            url: landed.to_string(),
            what: "an open listing of the site's folder",
            severe: false,
            proof,
            keys: keys_in(&landing),
        });
    }
    let mut unanswered: Vec<String> = Vec::new();
    for (p, answer) in answers {
        match answer {
            Some(Ok(resp)) => {
                if let Some(proof) = proven(p.proof, &resp) {
                    hits.push(Hit {
                        url: format!("https://{host}{}", p.path),
                        what: p.what,
                        severe: p.severe,
                        proof,
                        keys: keys_in(&resp),
                    });
                }
            }
            Some(Err(e)) if e.is_inconclusive() => unanswered.push(format!("{} ({e})", p.path)),
            // A refused or reset connection on a scanner's path is the server saying no.
            Some(Err(_)) | None => {}
        }
    }
    judge(host, hits, &unanswered)
}

/// The verdict on what the probes found (pure).
fn judge(host: &str, hits: Vec<Hit>, unanswered: &[String]) -> Finding {
    let evidence = json!({ "asked": PROBES.iter().map(|p| p.path).collect::<Vec<_>>(), "found": hits, "unanswered": unanswered });
    let base = Finding::new(&EXPOSED, host, Status::Pass).evidence(evidence);
    let lines = |hs: &[&Hit]| {
        hs.iter()
            .map(|h| {
                let keys = if h.keys.is_empty() { String::new() } else { format!(" — keys in it: {}", h.keys.join(", ")) };
                format!("{} — {} ({}){keys}", h.url, h.what, h.proof)
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let severe: Vec<&Hit> = hits.iter().filter(|h| h.severe || !h.keys.is_empty()).collect();
    let minor: Vec<&Hit> = hits.iter().filter(|h| !h.severe && h.keys.is_empty()).collect();
    let fix = [
        "Delete these files from the server, or block the paths at your host or CDN (answer 404 for /.env*, /.git/, backups).",
        "Make the deploy copy only the build output (Vercel, Netlify and Render do; a folder copied by hand or by rsync does not).",
        "Rotate every key that was in an exposed file: anyone may already have downloaded it.",
    ];
    if !severe.is_empty() {
        let first = severe[0];
        return base
            .status(Status::Fail)
            .title(format!("Anyone can download {} from {host}.", first.what))
            .why(
                "Scanners ask every site for these paths within hours of launch: keys, source code and data in them are read by strangers.",
            )
            .detail(lines(&hits.iter().collect::<Vec<_>>()))
            .fix(fix);
    }
    if !minor.is_empty() {
        return base
            .status(Status::Warn)
            .title(format!("{host} shows {}.", minor[0].what))
            .why("It tells an attacker which files and settings exist, which makes the next step easier.")
            .detail(lines(&minor))
            .fix(["Delete these files from the server, or turn off folder listings and status pages at your host."]);
    }
    if !unanswered.is_empty() {
        return base
            .status(Status::Error)
            .title(format!("Preflight could not ask {host} for every file a deploy leaves behind, so it cannot say none is exposed."))
            .detail(unanswered.join("\n"))
            .fix(["Check that this computer is online, then run the audit again."]);
    }
    base.title(format!("None of the {} files deploys often leave behind can be downloaded from {host}.", PROBES.len()))
        .detail(format!("Asked for {}: no answer proved the file was there.", PROBES.iter().map(|p| p.path).collect::<Vec<_>>().join(", ")))
}

/// Why `resp` is the file `proof` looks for, when it is.
fn proven(proof: Proof, resp: &Response) -> Option<String> {
    if !(resp.status == 200 || resp.status == 206) {
        return None;
    }
    let body = &resp.body[..];
    let text = String::from_utf8_lossy(body);
    let html = text.trim_start().starts_with('<');
    let binary = body.contains(&0);
    match proof {
        Proof::EnvLines if !html && !binary => env_lines(&text),
        Proof::GitHead => {
            let t = text.trim();
            (t.starts_with("ref: refs/") || (t.len() == 40 && t.bytes().all(|b| b.is_ascii_hexdigit())))
                .then(|| format!("it names the branch: {}", t.chars().take(40).collect::<String>()))
        }
        Proof::GitConfig if !html => {
            (text.contains("[core]") && text.contains("repositoryformatversion")).then(|| "a [core] section".to_owned())
        }
        Proof::DsStore => (body.len() >= 8 && body[..8] == [0, 0, 0, 1, b'B', b'u', b'd', b'1']).then(|| "the Bud1 signature".to_owned()),
        Proof::Archive => {
            let zip = body.starts_with(b"PK\x03\x04") || body.starts_with(b"PK\x05\x06");
            let gzip = body.starts_with(&[0x1f, 0x8b]);
            (zip || gzip).then(|| format!("a {} archive's first bytes", if zip { "zip" } else { "gzip" }))
        }
        Proof::SqlDump if !html && !binary => ["-- MySQL dump", "-- PostgreSQL database dump", "CREATE TABLE", "INSERT INTO"]
            .iter()
            .find(|m| text.contains(*m))
            .map(|m| format!("it holds \"{m}\"")),
        Proof::JsonSettings if !html => serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .filter(serde_json::Value::is_object)
            .map(|_| "a JSON settings object".to_owned()),
        Proof::IdeaProject => text.contains("<project version=").then(|| "a <project> file".to_owned()),
        Proof::ServerStatus => (text.contains("Apache Server Status")
            || (text.contains("Server Version:") && text.contains("Current Time:")))
        .then(|| "the server's status page".to_owned()),
        Proof::PhpInfo => (text.contains("phpinfo()") || (text.contains("PHP Version") && text.contains("PHP License")))
            .then(|| "the phpinfo() page".to_owned()),
        Proof::Listing => {
            let lower = text.to_ascii_lowercase();
            (lower.contains("<title>index of /") || lower.contains("<h1>index of /") || lower.contains("<title>directory listing for /"))
                .then(|| "an \"Index of\" page".to_owned())
        }
        Proof::KeyInside if !html => (!keys_in(resp).is_empty()).then(|| "a key in it".to_owned()),
        _ => None,
    }
}

/// `KEY=value` lines: most of the lines that are not blank or comments, and at least one.
fn env_lines(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let assignment = |l: &str| {
        let l = l.strip_prefix("export ").unwrap_or(l);
        let Some((name, _)) = l.split_once('=') else { return false };
        let name = name.trim();
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && !name.as_bytes()[0].is_ascii_digit()
    };
    let n = lines.iter().filter(|l| assignment(l)).count();
    (n > 0 && n * 10 >= lines.len() * 6).then(|| format!("{n} KEY=value lines"))
}

/// The keys in an answer that act as their owner, masked.
fn keys_in(resp: &Response) -> Vec<String> {
    let Ok(rules) = preflight_secrets::rules::bundled() else { return Vec::new() };
    let mut out: Vec<String> = rules
        .scan(&resp.body)
        .hits
        .into_iter()
        .filter(|h| h.kind != preflight_secrets::rules::Kind::Publishable)
        .map(|h| format!("{} ({})", h.what, h.masked))
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &[u8]) -> Response {
        Response {
            url: "https://a.test/x".into(),
            status,
            headers: Vec::new(),
            body: bytes::Bytes::copy_from_slice(body),
            truncated: false,
            remote: None,
            timings: Default::default(),
        }
    }

    #[test]
    fn only_content_proves_a_file() {
        let shell = answer(200, b"<!doctype html><title>Acme</title><div id=root></div>");
        for p in &PROBES {
            assert_eq!(proven(p.proof, &shell), None, "{}: a single-page app's shell is never a hit", p.path);
        }
        assert!(proven(Proof::EnvLines, &answer(200, b"# prod\nDATABASE_URL=postgres://x\nexport API_KEY=abc\n")).is_some());
        assert_eq!(proven(Proof::EnvLines, &answer(200, b"Not found")), None);
        assert_eq!(proven(Proof::EnvLines, &answer(404, b"A=1")), None, "only a 200 counts");
        assert!(proven(Proof::GitHead, &answer(200, b"ref: refs/heads/main\n")).is_some());
        assert!(proven(Proof::GitConfig, &answer(200, b"[core]\n\trepositoryformatversion = 0\n")).is_some());
        assert!(proven(Proof::DsStore, &answer(200, b"\x00\x00\x00\x01Bud1\x00\x00")).is_some());
        assert!(proven(Proof::Archive, &answer(200, b"PK\x03\x04rest")).is_some());
        assert!(proven(Proof::Archive, &answer(200, &[0x1f, 0x8b, 8, 0])).is_some());
        assert!(proven(Proof::SqlDump, &answer(200, b"-- MySQL dump 10.13\nCREATE TABLE users (id int);")).is_some());
        assert!(proven(Proof::Listing, &answer(200, b"<html><head><title>Index of /assets</title>")).is_some());
        assert_eq!(proven(Proof::JsonSettings, &answer(200, b"[1,2]")), None, "settings are an object");
        assert_eq!(proven(Proof::KeyInside, &answer(200, b"{\"apiUrl\":\"https://api.a.test\"}")), None, "a public runtime config is fine");
    }

    #[test]
    fn keys_make_any_file_a_problem_and_editor_files_need_attention() {
        let hit = |severe: bool, keys: Vec<String>| Hit { url: "https://a.test/x".into(), what: "x", severe, proof: "p".into(), keys };
        assert_eq!(judge("a.test", vec![hit(false, Vec::new())], &[]).status, Status::Warn);
        assert_eq!(judge("a.test", vec![hit(false, vec!["an OpenAI key (sk-p…Xz)".into()])], &[]).status, Status::Fail);
        assert_eq!(judge("a.test", vec![hit(true, Vec::new())], &[]).status, Status::Fail);
        assert_eq!(
            judge("a.test", Vec::new(), &["/.env (timed out)".into()]).status,
            Status::Error,
            "a path that could not be asked is no pass"
        );
        assert_eq!(judge("a.test", Vec::new(), &[]).status, Status::Pass);
    }
}
