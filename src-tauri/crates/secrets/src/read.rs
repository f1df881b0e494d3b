//! Reading a file a founder pointed at, whatever it turns out to be: at most a bound, never
//! blocking, only regular files.
//!
//! A repository can hold a FIFO (a named pipe waits for a writer for ever), a socket or a device;
//! a path can be `/proc` (files whose size says 0 and that never end) or a file the metadata says is
//! small and that grows while it is read. So a file is opened without blocking, checked to be a
//! regular file on the open handle (not on a name that can change under us), and read through
//! `take(max + 1)`: one byte past the bound says "too large" without reading the rest.

use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Not a regular file: a pipe, a socket, a device, a folder.
    #[error("{path} is {what}, not a file: it was not read")]
    NotAFile { path: String, what: &'static str },
    /// Larger than the bound.
    #[error("{path} is larger than {max} bytes: it was not read")]
    TooLarge { path: String, max: u64 },
    /// The system refused (missing, no permission…).
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// What a file type is, in words, for one that is not a regular file.
fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Folders of the system's own live state (the kernel's tables and devices), never code.
pub const SYSTEM_FOLDERS: [&str; 3] = ["/proc", "/sys", "/dev"];

/// Whether `path` (made absolute) lies in one of [`SYSTEM_FOLDERS`].
pub fn in_system_folder(path: &Path) -> bool {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    SYSTEM_FOLDERS.iter().any(|f| abs.starts_with(f))
}

fn open(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(path)
}

/// The whole of the regular file `path`, if it has at most `max` bytes.
pub fn regular_file(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let shown = || path.display().to_string();
    let file = open(path).map_err(|source| ReadError::Io { path: shown(), source })?;
    let meta = file.metadata().map_err(|source| ReadError::Io { path: shown(), source })?;
    if !meta.file_type().is_file() {
        return Err(ReadError::NotAFile { path: shown(), what: kind_of(meta.file_type()) });
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge { path: shown(), max });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(max)).unwrap_or(0));
    file.take(max + 1).read_to_end(&mut bytes).map_err(|source| ReadError::Io { path: shown(), source })?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge { path: shown(), max });
    }
    Ok(bytes)
}

/// One file a founder named (an env file, a baseline): [`regular_file`] as text (invalid UTF-8
/// replaced), refusing the system's live state outright (a tree scan refuses its root instead, and
/// stays on one file system).
pub fn named_text_file(path: &Path, max: u64) -> Result<String, ReadError> {
    if in_system_folder(path) {
        return Err(ReadError::NotAFile { path: path.display().to_string(), what: "part of the system's live state" });
    }
    regular_file(path, max).map(|b| String::from_utf8_lossy(&b).into_owned())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_a_folder_and_a_large_file_are_refused_at_once() {
        let dir = tempfile::tempdir().expect("temp");
        let fifo = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs").success());
        let started = std::time::Instant::now();
        assert!(matches!(regular_file(&fifo, 10), Err(ReadError::NotAFile { what: "a pipe (FIFO)", .. })));
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "a pipe with no writer never blocks the read");
        assert!(matches!(regular_file(dir.path(), 10), Err(ReadError::NotAFile { .. })));
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 11]).expect("write");
        assert!(matches!(regular_file(&big, 10), Err(ReadError::TooLarge { .. })));
        assert_eq!(regular_file(&big, 11).expect("fits").len(), 11);
        assert!(matches!(named_text_file(Path::new("/proc/self/status"), 1 << 20), Err(ReadError::NotAFile { .. })));
        assert!(matches!(named_text_file(&fifo, 1 << 20), Err(ReadError::NotAFile { .. })));
    }
}
