//! The data folder's files: private to the user, and replaced whole or not at all.
//!
//! The folder holds a founder's history (names, findings, incidents), logs and the tray's state;
//! on a shared machine none of it is anyone else's business. On Unix the folder is 0700 and every
//! file we write is 0600 whatever the umask, and a folder or file found wider (an older version,
//! a restored backup) is narrowed when it is opened. Elsewhere the platform's per-user app-data
//! folder already keeps other users out, so these are no-ops there.
//!
//! A file that is replaced (preferences, settings, an export, the tray's pid) is written to a
//! temporary file beside it, created exclusively (two processes never share one), synced, then
//! renamed over the old one: a reader sees the old file or the new one, never half of either.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Makes every file and folder this process creates from now on private to the user (umask 077),
/// whatever the umask it was started with: the files other libraries create in the data folder
/// (the log appender's file of each new day) then come out 0600 like ours. Called once at the
/// start of each front end; a no-op off Unix.
pub fn private_by_default() {
    #[cfg(unix)]
    {
        let _ = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }
}

/// Creates `dir` (and its parents) if needed and makes it private to the user.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    narrow(dir, 0o700)
}

/// Makes the existing file `path` readable and writable by the user only (a missing one is fine).
pub fn private_file(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => narrow(path, 0o600),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Narrows every plain file directly inside `dir` (logs, old exports) to the user only.
pub fn private_files_in(dir: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries.flatten() {
        private_file(&entry.path())?;
    }
    Ok(())
}

#[cfg(unix)]
fn narrow(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn narrow(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// A temporary name beside `path` no other writer (thread or process) uses at the same time.
fn aside(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}.{n}.partial", std::process::id()))
}

fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Replaces `path` with `bytes` whole: a private temporary file beside it, synced, renamed over it
/// (and the folder synced, so the rename survives a power cut). On any failure the old file is
/// untouched and the temporary one removed.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = aside(path);
    let written = (|| {
        let mut f = create_private(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Best effort: some file systems refuse to sync a folder, and the data is already safe.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("exists").permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_narrowed_to_the_user() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("data");
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let file = dir.join("history.db");
        std::fs::write(&file, b"x").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        private_dir(&dir).expect("narrowed");
        private_files_in(&dir).expect("narrowed");
        assert_eq!(mode(&dir), 0o700, "a folder found wider is narrowed");
        assert_eq!(mode(&file), 0o600, "a file found wider is narrowed");
    }

    #[test]
    fn a_replaced_file_is_private_and_whole_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("watch.json");
        std::fs::write(&path, b"old").expect("write");
        replace(&path, b"new").expect("replaced");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        assert_eq!(mode(&path), 0o600, "whatever the umask");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").flatten().map(|e| e.file_name()).collect();
        assert_eq!(left.len(), 1, "no temporary file is left: {left:?}");
        let missing = dir.path().join("no-such-folder").join("x.json");
        assert!(replace(&missing, b"x").is_err(), "a write that cannot happen says so");
    }

    #[test]
    fn writers_racing_on_one_file_leave_one_whole_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("watch.json");
        let bodies: Vec<Vec<u8>> = (0..8u8).map(|i| vec![b'a' + i; 64 * 1024]).collect();
        std::thread::scope(|s| {
            for body in &bodies {
                let path = &path;
                s.spawn(move || {
                    for _ in 0..20 {
                        replace(path, body).expect("replaced");
                    }
                });
            }
        });
        let got = std::fs::read(&path).expect("read");
        assert!(bodies.contains(&got), "the file is one writer's whole text, never a mix");
    }
}
