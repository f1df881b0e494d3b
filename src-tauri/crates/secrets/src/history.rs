//! A repository's whole history: every version of every file any commit ever held, scanned once.
//!
//! Commits are visited oldest first, and each tree is read once across the whole history (a
//! subtree unchanged between commits has the same id), so the cost follows the number of distinct
//! file versions, not commits × files. Each distinct blob is then scanned once, on every core, and
//! a secret is reported once per file with the oldest commit that holds it, and whether the current
//! HEAD still does: a key "removed" in a later commit is still in the history, and still works.

use crate::rules::Rules;
use crate::scan::Hit;
use crate::tree::{is_env_file, looks_binary, Limits};
use gix::ObjectId;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A secret in one version of a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryHit {
    /// The oldest commit holding it (12 hex digits).
    pub commit: String,
    pub path: String,
    /// Whether the current HEAD still holds this value in this file.
    pub in_head: bool,
    pub hit: Hit,
}

/// What a history scan saw.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HistoryScan {
    pub hits: Vec<HistoryHit>,
    pub commits: u64,
    /// Distinct file versions scanned, and their bytes.
    pub blobs: u64,
    pub bytes: u64,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    pub allowed: u32,
    /// Env files the HEAD tracks.
    pub env_files_now: Vec<String>,
    /// Env files some commit tracked: (path, the oldest commit).
    pub env_files_ever: Vec<(String, String)>,
}

/// Why the history could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// The folder is not inside a git repository.
    #[error("{0} is not in a git repository")]
    NotARepository(String),
    /// Git's data could not be read.
    #[error("the git history could not be read: {0}")]
    Git(String),
}

fn git(e: impl std::fmt::Display) -> HistoryError {
    HistoryError::Git(e.to_string())
}

fn short(id: &ObjectId) -> String {
    id.to_hex_with_len(12).to_string()
}

/// Every blob under `tree` (with its path), skipping trees in `seen`, which it extends.
fn blobs_of(
    repo: &gix::Repository,
    tree: ObjectId,
    seen: &mut HashSet<ObjectId>,
    out: &mut Vec<(ObjectId, String)>,
) -> Result<(), HistoryError> {
    let mut stack = vec![(tree, String::new())];
    while let Some((t, prefix)) = stack.pop() {
        if !seen.insert(t) {
            continue;
        }
        let tree = repo.find_object(t).map_err(git)?.try_into_tree().map_err(git)?;
        for e in tree.decode().map_err(git)?.entries.iter() {
            let path = format!("{prefix}{}", e.filename);
            if e.mode.is_tree() {
                stack.push((e.oid.to_owned(), format!("{path}/")));
            } else if e.mode.is_blob() {
                out.push((e.oid.to_owned(), path));
            }
        }
    }
    Ok(())
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Scans every commit reachable from any reference of the repository holding `root`.
pub fn scan(rules: &Rules, root: &Path, limits: Limits) -> Result<HistoryScan, HistoryError> {
    let repo = gix::discover(root).map_err(|_| HistoryError::NotARepository(root.display().to_string()))?;
    let mut tips: Vec<ObjectId> = Vec::new();
    for r in repo.references().map_err(git)?.all().map_err(git)? {
        let mut r = r.map_err(git)?;
        if let Ok(id) = r.peel_to_id() {
            tips.push(id.detach());
        }
    }
    tips.sort();
    tips.dedup();
    let mut out = HistoryScan::default();
    if tips.is_empty() {
        return Ok(out);
    }
    // Oldest first, so each file version is attributed to the commit that introduced it.
    let mut commits: Vec<(i64, ObjectId, ObjectId)> = Vec::new();
    for info in repo.rev_walk(tips).all().map_err(git)? {
        let info = info.map_err(git)?;
        let commit = repo.find_object(info.id).map_err(git)?.try_into_commit().map_err(git)?;
        let time = commit.time().map(|t| t.seconds).unwrap_or(0);
        commits.push((time, info.id, commit.tree_id().map_err(git)?.detach()));
    }
    commits.sort_by_key(|c| c.0);
    out.commits = commits.len() as u64;

    let mut seen_trees = HashSet::new();
    let mut first: HashMap<ObjectId, (usize, String)> = HashMap::new();
    let mut order: Vec<ObjectId> = Vec::new();
    let mut env_ever: Vec<(String, String)> = Vec::new();
    for (ci, (_, commit, tree)) in commits.iter().enumerate() {
        let mut found = Vec::new();
        blobs_of(&repo, *tree, &mut seen_trees, &mut found)?;
        for (blob, path) in found {
            if is_env_file(file_name(&path)) && !env_ever.iter().any(|(p, _)| *p == path) {
                env_ever.push((path.clone(), short(commit)));
            }
            if let std::collections::hash_map::Entry::Vacant(v) = first.entry(blob) {
                v.insert((ci, path));
                order.push(blob);
            }
        }
    }
    out.env_files_ever = env_ever;

    let head_blobs: HashSet<(ObjectId, String)> = match repo.head_tree_id() {
        Ok(t) => {
            let mut all = Vec::new();
            blobs_of(&repo, t.detach(), &mut HashSet::new(), &mut all)?;
            all.into_iter().collect()
        }
        Err(_) => HashSet::new(),
    };
    out.env_files_now = head_blobs.iter().filter(|(_, p)| is_env_file(file_name(p))).map(|(_, p)| p.clone()).collect();
    out.env_files_now.sort();
    out.env_files_now.dedup();

    // Scan each distinct blob once, split across the cores; each thread opens its own handle (a
    // gix repository is not shared between threads without its `parallel` feature).
    let git_dir = repo.path().to_owned();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = order.len().div_ceil(threads).max(1);
    let results: Vec<Result<BlobResults, HistoryError>> = std::thread::scope(|s| {
        let handles: Vec<_> = order
            .chunks(chunk)
            .map(|part| {
                let git_dir = &git_dir;
                s.spawn(move || scan_blobs(rules, &gix::open(git_dir).map_err(git)?, part, limits))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(HistoryError::Git("a scanning thread stopped".into())))).collect()
    });
    let mut raw: Vec<(usize, String, Hit, ObjectId)> = Vec::new();
    for r in results {
        let r = r?;
        out.blobs += r.blobs;
        out.bytes += r.bytes;
        out.skipped_binary += r.binary;
        out.skipped_large += r.large;
        out.allowed += r.allowed;
        for (blob, hit) in r.hits {
            if let Some((ci, path)) = first.get(&blob) {
                raw.push((*ci, path.clone(), hit, blob));
            }
        }
    }
    // One report per secret and file, at the oldest commit; the same key in two files is two.
    raw.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.line.cmp(&b.2.line)));
    let mut reported: HashSet<(String, String)> = HashSet::new();
    let head_values: HashSet<(String, String)> =
        raw.iter().filter(|(_, p, _, b)| head_blobs.contains(&(*b, p.clone()))).map(|(_, p, h, _)| (p.clone(), h.digest.clone())).collect();
    for (ci, path, hit, _) in raw {
        if reported.insert((path.clone(), hit.digest.clone())) {
            let in_head = head_values.contains(&(path.clone(), hit.digest.clone()));
            out.hits.push(HistoryHit { commit: short(&commits[ci].1), path, in_head, hit });
        }
    }
    Ok(out)
}

#[derive(Default)]
struct BlobResults {
    hits: Vec<(ObjectId, Hit)>,
    blobs: u64,
    bytes: u64,
    binary: u64,
    large: u64,
    allowed: u32,
}

fn scan_blobs(rules: &Rules, repo: &gix::Repository, blobs: &[ObjectId], limits: Limits) -> Result<BlobResults, HistoryError> {
    let mut r = BlobResults::default();
    for id in blobs {
        let header = repo.find_header(*id).map_err(git)?;
        if header.size() > limits.max_file_bytes {
            r.large += 1;
            continue;
        }
        let object = repo.find_object(*id).map_err(git)?;
        if looks_binary(&object.data) {
            r.binary += 1;
            continue;
        }
        r.blobs += 1;
        r.bytes += object.data.len() as u64;
        let found = rules.scan(&object.data);
        r.allowed += found.allowed;
        r.hits.extend(found.hits.into_iter().map(|h| (*id, h)));
    }
    Ok(r)
}
