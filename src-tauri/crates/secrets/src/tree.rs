//! A folder's working tree: every text file git would track, scanned once.
//!
//! The walk honours `.gitignore` (and `.git/info/exclude`), reads hidden files (`.env` is one), and
//! leaves out what is not the founder's code: `.git` itself, installed dependencies and build output
//! folders, files that look binary (a zero byte in their first 8 KiB) and files over the size bound.
//! Files are scanned on every core; the result is sorted, so two runs print the same report.

use crate::rules::Rules;
use crate::scan::Hit;
use ignore::WalkBuilder;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folders that hold other people's code or generated files.
pub const VENDORED: &[&str] = &[
    "node_modules",
    "vendor",
    "bower_components",
    ".venv",
    "venv",
    "__pycache__",
    "target",
    "Pods",
    "third_party",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".turbo",
    ".cache",
];

/// Bounds of one scan.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Files larger than this are skipped (minified bundles of megabytes are the site scan's job).
    pub max_file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_bytes: 4 * 1024 * 1024 }
    }
}

/// A secret in a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FileHit {
    /// Relative to the scanned folder, with `/`.
    pub path: String,
    pub hit: Hit,
}

/// What a working-tree scan saw.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TreeScan {
    pub hits: Vec<FileHit>,
    pub files: u64,
    pub bytes: u64,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    /// Pipes, sockets and devices met in the tree: never opened for reading.
    pub skipped_special: u64,
    /// Hits a `preflight:allow` line accepted.
    pub allowed: u32,
    /// Env files (`.env`, `.env.production`, …; not `.env.example`) that git would not ignore.
    pub unignored_env_files: Vec<String>,
    /// Whether the folder's `.gitignore` ignores `.env` files (None: no `.gitignore`).
    pub gitignore_covers_env: Option<bool>,
}

/// Whether `name` is an env file that holds real values (`.env.example` and friends do not).
pub fn is_env_file(name: &str) -> bool {
    let templates = [".example", ".sample", ".template", ".dist", ".defaults"];
    (name == ".env" || name.starts_with(".env.")) && !templates.iter().any(|t| name.ends_with(t))
}

/// Whether a zero byte in the first 8 KiB says "binary".
pub fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|b| *b == 0)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Scans the working tree under `root`.
pub fn scan(rules: &Rules, root: &Path, limits: Limits) -> std::io::Result<TreeScan> {
    if !root.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, format!("{} is not a folder", root.display())));
    }
    if crate::read::in_system_folder(root) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} holds the system's live state (processes, devices), not code: point the scan at your project's folder",
                root.display()
            ),
        ));
    }
    let out = Mutex::new(TreeScan::default());
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        // A mounted disk, a network share or /proc under the folder is not the project.
        .same_file_system(true)
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_some_and(|t| t.is_dir()) && (name == ".git" || VENDORED.contains(&name.as_ref())))
        })
        .build_parallel();
    walker.run(|| {
        Box::new(|entry| {
            let Ok(entry) = entry else { return ignore::WalkState::Continue };
            let count = |f: fn(&mut TreeScan)| {
                if let Ok(mut o) = out.lock() {
                    f(&mut o);
                }
            };
            match entry.file_type() {
                Some(t) if t.is_file() => {}
                Some(t) if !t.is_dir() && !t.is_symlink() => {
                    count(|o| o.skipped_special += 1);
                    return ignore::WalkState::Continue;
                }
                _ => return ignore::WalkState::Continue,
            }
            let path: PathBuf = entry.path().to_owned();
            let rel = relative(root, &path);
            let name = entry.file_name().to_string_lossy().into_owned();
            // The bound is read, not believed: a file's size can change between the walk and the read.
            let bytes = match crate::read::regular_file(&path, limits.max_file_bytes) {
                Ok(b) => b,
                Err(crate::read::ReadError::TooLarge { .. }) => {
                    count(|o| o.skipped_large += 1);
                    return ignore::WalkState::Continue;
                }
                Err(crate::read::ReadError::NotAFile { .. }) => {
                    count(|o| o.skipped_special += 1);
                    return ignore::WalkState::Continue;
                }
                Err(_) => return ignore::WalkState::Continue,
            };
            let binary = looks_binary(&bytes);
            let found = if binary { None } else { Some(rules.scan(&bytes)) };
            if let Ok(mut o) = out.lock() {
                if is_env_file(&name) {
                    o.unignored_env_files.push(rel.clone());
                }
                match found {
                    None => o.skipped_binary += 1,
                    Some(f) => {
                        o.files += 1;
                        o.bytes += bytes.len() as u64;
                        o.allowed += f.allowed;
                        o.hits.extend(f.hits.into_iter().map(|hit| FileHit { path: rel.clone(), hit }));
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    let mut scan = out.into_inner().unwrap_or_default();
    scan.hits.sort_by(|a, b| a.path.cmp(&b.path).then(a.hit.line.cmp(&b.hit.line)).then(a.hit.column.cmp(&b.hit.column)));
    scan.unignored_env_files.sort();
    scan.gitignore_covers_env = gitignore_covers_env(root);
    Ok(scan)
}

/// Whether `root/.gitignore` ignores `.env` and `.env.production`.
fn gitignore_covers_env(root: &Path) -> Option<bool> {
    let file = root.join(".gitignore");
    if !file.is_file() {
        return None;
    }
    let mut b = ignore::gitignore::GitignoreBuilder::new(root);
    b.add(&file);
    let gi = b.build().ok()?;
    Some([".env", ".env.production"].iter().all(|n| gi.matched(root.join(n), false).is_ignore()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_pipe_in_the_tree_is_counted_and_never_read_and_proc_is_refused() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("app.ts"), "const x = 1;\n").expect("write");
        assert!(std::process::Command::new("mkfifo").arg(dir.path().join("build.pipe")).status().expect("mkfifo").success());
        let rules = crate::rules::bundled().unwrap_or_else(|e| panic!("{e}"));
        let started = std::time::Instant::now();
        let s = scan(rules, dir.path(), Limits::default()).expect("scans");
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "a pipe with no writer never blocks the scan");
        assert_eq!((s.files, s.skipped_special), (1, 1), "{s:?}");
        let proc = scan(rules, Path::new("/proc"), Limits::default()).expect_err("not a project");
        assert!(proc.to_string().contains("not code"), "{proc}");
    }

    #[test]
    fn env_templates_are_not_env_files() {
        assert!(is_env_file(".env") && is_env_file(".env.production") && is_env_file(".env.local"));
        assert!(!is_env_file(".env.example") && !is_env_file("env.ts") && !is_env_file(".envrc.sample"));
    }
}
