//! `secrets.source`, `secrets.history`, `secrets.env_files`: keys in a folder's code, in its git
//! history, and env files that git tracks or would track.
//!
//! These look at a folder on this computer, not at the network, so an audit never plans them:
//! `preflight secrets scan` and the app's Secrets view run the scans (`preflight_secrets`) and turn
//! what they saw into findings here. A finding names the file, line, variable and provider, shows
//! the key masked (first 4 and last 2 characters) with its place, and says how to rotate it
//! at that provider; the key itself never reaches a finding.

use crate::check::CheckDef;
use crate::checks::Family;
use crate::model::{Area, Finding, Impact, Stage, Status};
use preflight_secrets::history::HistoryScan;
use preflight_secrets::tree::TreeScan;
use preflight_secrets::{bundled, Hit, Kind};
use serde_json::json;

pub const SOURCE: CheckDef = CheckDef {
    id: "secrets.source",
    area: Area::Secrets,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "keys written in the code",
};
pub const HISTORY: CheckDef = CheckDef {
    id: "secrets.history",
    area: Area::Secrets,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "keys anywhere in the git history",
};
pub const ENV_FILES: CheckDef = CheckDef {
    id: "secrets.env_files",
    area: Area::Secrets,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "env files that git tracks or would commit",
};

/// Never planned by an audit: see the module header.
pub const FAMILY: Family = Family { name: "leaks", checks: &[&SOURCE, &HISTORY, &ENV_FILES], plan: |_, _| Vec::new() };

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The steps that make a leaked key harmless, at its provider.
pub fn rotation(hit: &Hit) -> Vec<String> {
    let dashboard = bundled().ok().and_then(|r| r.get(&hit.rule)).and_then(|r| r.dashboard.clone());
    let place = dashboard.unwrap_or_else(|| "the dashboard of the service it belongs to".to_owned());
    vec![
        format!("Revoke this key in {place}, and create a new one there."),
        "Put the new key in your host's environment variables (Vercel, Netlify, Render, Fly.io: the project's settings), never in the code.".to_owned(),
        "Redeploy, then check the app still works.".to_owned(),
        "Look at the provider's usage page for calls you did not make since the key leaked.".to_owned(),
    ]
}

/// The facts of a hit found at `path` (in `commit`, for the history), for the evidence: never the
/// value nor a digest of it. Its `fingerprint` is its place and rule (`commit:path:rule:line`,
/// as gitleaks names findings), which baselines and SARIF use to recognise it again.
pub fn hit_evidence(hit: &Hit, commit: Option<&str>, path: &str) -> serde_json::Value {
    json!({
        "rule": hit.rule, "provider": hit.provider, "kind": hit.kind, "variable": hit.variable,
        "masked": hit.masked, "fingerprint": preflight_secrets::mask::place(commit, path, &hit.rule, hit.line),
        "line": hit.line, "column": hit.column,
    })
}

fn status_of(kind: Kind) -> Status {
    match kind {
        Kind::Secret => Status::Fail,
        Kind::Test => Status::Warn,
        Kind::Publishable => Status::Pass,
    }
}

fn named(hit: &Hit) -> String {
    match &hit.variable {
        Some(v) => format!("{} ({}, in {v})", hit.what, hit.masked),
        None => format!("{} ({})", hit.what, hit.masked),
    }
}

/// A key found in a file, as a finding of `def`.
fn leak(def: &CheckDef, path: &str, hit: &Hit, extra: serde_json::Value) -> Finding {
    let commit = extra.get("commit").and_then(|c| c.as_str()).map(str::to_owned);
    let mut evidence = hit_evidence(hit, commit.as_deref(), path);
    if let (Some(e), Some(x)) = (evidence.as_object_mut(), extra.as_object()) {
        e.extend(x.clone());
    }
    if let Some(e) = evidence.as_object_mut() {
        e.insert("path".into(), json!(path));
    }
    let base = Finding::new(def, format!("{path}:{}", hit.line), status_of(hit.kind)).evidence(evidence);
    match hit.kind {
        Kind::Publishable => base.title(format!("{path} holds {}, which is meant to be public.", named(hit))),
        Kind::Test => base
            .title(format!("{path} holds {}: no money moves with it, but it opens your test account.", named(hit)))
            .why("Test keys leak the same way live ones do, and the habit that leaked this one will leak the next.")
            .fix(rotation(hit)),
        Kind::Secret => base.title(format!("{path} holds {}: whoever reads it can use it.", named(hit))),
    }
}

/// Findings of a working-tree scan of `folder`.
pub fn tree_findings(folder: &str, scan: &TreeScan) -> Vec<Finding> {
    let mut out: Vec<Finding> = scan
        .hits
        .iter()
        .map(|h| {
            let f = leak(&SOURCE, &h.path, &h.hit, json!({}));
            if h.hit.kind == Kind::Secret {
                f.why("Anyone who sees the code (a contractor, a leaked laptop, a public repository) can spend your money or read your customers' data with it.")
                    .fix(rotation(&h.hit))
            } else {
                f
            }
        })
        .collect();
    if !out.iter().any(|f| f.status == Status::Fail) {
        out.push(
            Finding::new(&SOURCE, folder, Status::Pass)
                .title(format!("No key is written in the {} of {folder}.", plural(scan.files, "file", "files")))
                .evidence(json!({ "files": scan.files, "bytes": scan.bytes, "skipped_binary": scan.skipped_binary, "skipped_large": scan.skipped_large, "skipped_special": scan.skipped_special, "allowed": scan.allowed })),
        );
    }
    out.extend(env_file_findings(folder, scan.unignored_env_files.as_slice(), scan.gitignore_covers_env, None));
    out
}

/// Findings of a history scan of `folder`: keys that only the history still holds (the working
/// tree's own are `secrets.source`'s to tell), and env files tracked now or ever.
pub fn history_findings(folder: &str, scan: &HistoryScan) -> Vec<Finding> {
    let mut out: Vec<Finding> = scan
        .hits
        .iter()
        .filter(|h| !h.in_head)
        .map(|h| {
            let f = leak(&HISTORY, &h.path, &h.hit, json!({ "commit": h.commit, "in_head": h.in_head }));
            let f = f.title(format!(
                "Commit {} put {} in {}; it was removed later, but git keeps it.",
                h.commit,
                named(&h.hit),
                h.path
            ));
            if h.hit.kind == Kind::Publishable {
                return f.status(Status::Pass).title(format!("Commit {} has {} in {}, which is meant to be public.", h.commit, named(&h.hit), h.path));
            }
            let mut steps = vec!["Deleting the line is not enough: anyone with a copy of the repository has every old commit, so the key itself must change.".to_owned()];
            steps.extend(rotation(&h.hit));
            f.why("Every clone of the repository carries its whole history; a removed key keeps working until it is revoked.").fix(steps)
        })
        .collect();
    if !out.iter().any(|f| f.status == Status::Fail) {
        out.push(
            Finding::new(&HISTORY, folder, Status::Pass)
                .title(format!(
                    "No key was found in the history of {folder}: {}, {}.",
                    plural(scan.commits, "commit", "commits"),
                    plural(scan.blobs, "file version", "file versions")
                ))
                .evidence(json!({ "commits": scan.commits, "blobs": scan.blobs, "bytes": scan.bytes, "allowed": scan.allowed })),
        );
    }
    out.extend(env_file_findings(folder, &[], None, Some(scan)));
    out
}

/// `s` as one word for a POSIX shell, whatever it holds: a path from a repository can carry spaces,
/// `$(…)` or a quote, and a founder pastes the command as it is shown.
pub fn shell_quoted(s: &str) -> String {
    let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-/+=:@,".contains(&b));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `secrets.env_files`: from the working tree (files git would commit, the `.gitignore` rule) or
/// from the history (files tracked now, or once).
fn env_file_findings(folder: &str, unignored: &[String], covers: Option<bool>, history: Option<&HistoryScan>) -> Vec<Finding> {
    let mut out = Vec::new();
    let untrack = |p: &str| {
        vec![
            format!("Stop tracking it: `git rm --cached {}` and commit.", shell_quoted(p)),
            "Add `.env*` (and `!.env.example`) to .gitignore.".to_owned(),
            "Rotate every key it held: the old values stay in the history.".to_owned(),
        ]
    };
    if let Some(h) = history {
        for p in &h.env_files_now {
            out.push(
                Finding::new(&ENV_FILES, p.as_str(), Status::Fail)
                    .title(format!("{p} is committed to the repository, with its values."))
                    .why("Everyone with access to the repository (and every tool connected to it) has every key in it.")
                    .evidence(json!({ "path": p, "tracked": "now" }))
                    .fix(untrack(p)),
            );
        }
        for (p, commit) in h.env_files_ever.iter().filter(|(p, _)| !h.env_files_now.contains(p)) {
            out.push(
                Finding::new(&ENV_FILES, p.as_str(), Status::Warn)
                    .title(format!("{p} was committed in {commit} and deleted later; its values are still in the history."))
                    .why("A deleted file is still in every clone of the repository.")
                    .evidence(json!({ "path": p, "tracked": "before", "commit": commit }))
                    .fix([
                        "Rotate every key that file held.".to_owned(),
                        "Keep `.env*` in .gitignore so it does not come back.".to_owned(),
                    ]),
            );
        }
        return out;
    }
    for p in unignored {
        out.push(
            Finding::new(&ENV_FILES, p.as_str(), Status::Warn)
                .title(format!("{p} is not ignored by git, so the next `git add .` commits its values."))
                .why("One careless commit publishes every key in it to whoever can read the repository.")
                .evidence(json!({ "path": p, "ignored": false }))
                .fix(["Add `.env*` and `!.env.example` to .gitignore.".to_owned()]),
        );
    }
    match covers {
        Some(false) => out.push(
            Finding::new(&ENV_FILES, format!("{folder}/.gitignore"), Status::Warn)
                .title(".gitignore does not ignore .env files.")
                .why("Without the rule, an env file with real keys is one `git add .` away from the repository.")
                .fix(["Add two lines to .gitignore: `.env*` and `!.env.example`.".to_owned()]),
        ),
        None => out.push(
            Finding::new(&ENV_FILES, folder, Status::Warn)
                .title(format!("{folder} has no .gitignore, so env files and build output would be committed."))
                .fix(["Create .gitignore with `.env*`, `!.env.example` and your build folders (node_modules, dist, .next).".to_owned()]),
        ),
        Some(true) if unignored.is_empty() => {
            out.push(Finding::new(&ENV_FILES, folder, Status::Pass).title(".gitignore keeps .env files out of the repository."))
        }
        Some(true) => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shell_quoted;

    #[test]
    fn a_path_pasted_into_a_shell_stays_one_word() {
        assert_eq!(shell_quoted(".env.production"), ".env.production");
        assert_eq!(shell_quoted("config/.env"), "config/.env");
        assert_eq!(shell_quoted("my app/.env"), "'my app/.env'");
        assert_eq!(shell_quoted("$(rm -rf ~)/.env"), "'$(rm -rf ~)/.env'");
        assert_eq!(shell_quoted("it's/.env"), "'it'\\''s/.env'");
    }
}
