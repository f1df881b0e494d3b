//! Files other libraries create in the data folder (the log appender's daily file) are private
//! too: after `private_by_default`, whatever umask the process started with. Its own binary,
//! because the umask is the whole process's.

#[cfg(unix)]
#[test]
fn a_file_created_by_anyone_in_this_process_is_the_users_alone() {
    use std::os::unix::fs::PermissionsExt;
    preflight_store::files::private_by_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("preflight.2026-12-02.log");
    std::fs::write(&file, b"a line").expect("write");
    let sub = dir.path().join("exports");
    std::fs::create_dir(&sub).expect("mkdir");
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600, "a plain std::fs::write, as a log appender does");
    assert_eq!(mode(&sub), 0o700);
}
