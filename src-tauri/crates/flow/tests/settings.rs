//! A product's settings through the flow, on a real data folder: the form saves into the file and the
//! audit's target reads it back, a file edited elsewhere is never overwritten, imports of another
//! product's file are refused, and a key shows only its ending (the real Secret Service).

use preflight_core::settings::SettingsForm;
use preflight_core::Domain;
use preflight_flow::{Flow, FlowError};
use preflight_vault::Sensitive;
use std::path::PathBuf;
use std::sync::Arc;

mod common;
use common::Folder;

fn flow(dir: &std::path::Path) -> Flow {
    Flow::new(Arc::new(Folder(dir.to_path_buf())), Err("not used".into()))
}

#[test]
fn a_saved_form_is_what_the_audit_reads_and_a_changed_file_is_never_overwritten() {
    let dir = tempfile::tempdir().expect("temp");
    let flow = flow(dir.path());
    let domain = Domain::parse("form.test").expect("domain");
    let view = flow.settings(&domain).expect("defaults");
    assert!(!view.exists);
    let mut form = view.form.clone();
    form.names = Some(vec!["www".into(), "app".into()]);
    form.canonical = Some(" www.form.test ".into());
    let saved = flow.save_settings(&domain, &form, &view.revision).expect("saves");
    assert!(saved.exists);
    assert_eq!(saved.form.canonical.as_deref(), Some("www.form.test"), "saved trimmed");
    let target = flow.saved_target(domain.clone()).expect("the audit reads it");
    assert_eq!(target.canonical.as_deref(), Some("www.form.test"));
    assert_eq!(target.hosts.len(), 3);

    // Someone edits the file by hand; the window still holds the old revision.
    let file = PathBuf::from(saved.file.clone().expect("file"));
    let hand = format!("{}# added by hand\npreviews = [\"https://old.preview.example/\"]\n", std::fs::read_to_string(&file).expect("read"));
    std::fs::write(&file, &hand).expect("edit");
    form.canonical = Some("form.test".into());
    let err = flow.save_settings(&domain, &form, &saved.revision).expect_err("stale");
    assert!(matches!(err, FlowError::SettingsChanged), "{err:?}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), hand, "the hand edit is intact");
    let fresh = flow.settings(&domain).expect("reload");
    assert_eq!(fresh.form.previews, ["https://old.preview.example/"]);
    flow.save_settings(&domain, &SettingsForm { canonical: Some("form.test".into()), ..fresh.form.clone() }, &fresh.revision)
        .expect("a save over the fresh revision goes through");
    assert!(std::fs::read_to_string(&file).expect("read").contains("# added by hand"), "and keeps the comment");

    // A refused value is never written.
    let before = std::fs::read_to_string(&file).expect("read");
    let now = flow.settings(&domain).expect("view");
    let bad = SettingsForm { canonical: Some("elsewhere.test".into()), ..now.form.clone() };
    assert!(!flow.check_settings(&bad).is_empty());
    assert!(flow.save_settings(&domain, &bad, &now.revision).is_err());
    assert_eq!(std::fs::read_to_string(&file).expect("read"), before);
}

#[test]
fn import_takes_the_products_own_file_whole_and_export_writes_it_out() {
    let dir = tempfile::tempdir().expect("temp");
    let flow = flow(dir.path());
    let domain = Domain::parse("form.test").expect("domain");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("repo");
    let theirs = repo.join("preflight.toml");
    std::fs::write(&theirs, "domain = \"other.test\"\n").expect("write");
    let rev = flow.settings(&domain).expect("view").revision;
    let err = flow.import_settings(&domain, &theirs, &rev).expect_err("another product's file");
    assert!(err.to_string().contains("other.test"), "{err}");
    let ours = "# from the repo\ndomain = \"form.test\"\nnames = [\"api\"]\n";
    std::fs::write(&theirs, ours).expect("write");
    let view = flow.import_settings(&domain, &theirs, &rev).expect("imports");
    assert_eq!(view.form.names, Some(vec!["api".to_owned()]));
    let out = repo.join("exported.toml");
    flow.export_settings(&domain, &out).expect("exports");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), ours, "comments and all");

    let fifo = repo.join("fifo.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    if made {
        let err = flow.import_settings(&domain, &fifo, &view.revision).expect_err("a FIFO is not read");
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}

#[test]
fn a_key_the_settings_use_shows_its_ending_and_never_its_value() {
    let dir = tempfile::tempdir().expect("temp");
    let flow = flow(dir.path());
    let domain = Domain::parse("keyform.test").expect("domain");
    let view = flow.settings(&domain).expect("view");
    let mut form = view.form.clone();
    form.endpoints.push(preflight_core::config::EndpointConfig {
        name: "chat".into(),
        method: "POST".into(),
        url: "https://api.keyform.test/chat".into(),
        headers: Default::default(),
        body: Some("{\"q\":\"{{random}}\"}".into()),
        secret: Some("api-token".into()),
        secret_header: None,
        secret_prefix: None,
        expect_status: None,
        latency_target_ms: None,
        kind: Some("chat-send".into()),
    });
    let saved = flow.save_settings(&domain, &form, &view.revision).expect("saves");
    let missing = &saved.keys[0];
    assert_eq!((missing.name.as_str(), missing.saved, missing.used_by.clone()), ("api-token", false, vec!["chat".to_owned()]));

    let value = "sk_live_settings_view_0123456789ab4f";
    if let Err(e) = flow.set_key(&domain, "api-token", &Sensitive::new(value.to_owned())) {
        assert!(std::env::var_os("PREFLIGHT_REQUIRE_KEYCHAIN").is_none(), "the keychain is required here: {e}");
        eprintln!("no keychain on this machine: {e}");
        return;
    }
    let view = flow.settings(&domain).expect("view");
    let key = &view.keys[0];
    assert!(key.saved && key.set_at_ms.is_some());
    assert_eq!(key.ends_with.as_deref(), Some("4f"));
    let shown = format!("{view:?}");
    assert!(!shown.contains("sk_live_settings"), "no more than the ending: {shown}");
    flow.remove_key(&domain, "api-token").expect("removes");
    assert!(!flow.settings(&domain).expect("view").keys[0].saved);
}

#[test]
fn the_view_brings_the_engines_defaults_and_the_found_names_decided() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flow = flow(dir.path());
    let domain = Domain::parse("acme.test").expect("valid");
    flow.decide_name(&domain, "staging.acme.test", true).expect("keep");
    flow.decide_name(&domain, "old.acme.test", false).expect("drop");
    let view = flow.settings(&domain).expect("view");
    assert!(!view.exists, "no file yet: the defaults are shown");
    assert_eq!(view.default_names, ["www", "app", "api", "auth"]);
    let targets: Vec<(&str, u32)> = view.kinds.iter().map(|k| (k.kind.as_str(), k.target_ms)).collect();
    assert_eq!(
        targets,
        [("cached_read", 400), ("write", 800), ("chat_send", 900), ("streaming_chat", 1500), ("webhook", 800), ("auth_callback", 800)],
        "the form shows the engine's own targets"
    );
    assert_eq!(view.kept, ["staging.acme.test"]);
    assert_eq!(view.dropped, ["old.acme.test"]);
}

#[test]
fn the_keys_of_the_paths_are_listed_so_the_window_can_set_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flow = flow(dir.path());
    let domain = Domain::parse("paths.test").expect("valid");
    let file = flow.settings_file(&domain).expect("a data folder");
    std::fs::create_dir_all(file.parent().expect("folder")).expect("mkdir");
    std::fs::write(
        &file,
        "domain = \"paths.test\"\n\n[[flows]]\nname = \"Sign in\"\ntemplate = \"login\"\nlogin_url = \"https://app.paths.test/login\"\nsigned_in_url = \"https://app.paths.test/account\"\nusername_key = \"test-user\"\npassword_key = \"test-password\"\n",
    )
    .expect("write");
    let view = flow.settings(&domain).expect("view");
    let named: Vec<(&str, Vec<String>)> = view.keys.iter().map(|k| (k.name.as_str(), k.used_by.clone())).collect();
    assert_eq!(named, [("test-user", vec!["Sign in".to_owned()]), ("test-password", vec!["Sign in".to_owned()])]);
}

#[test]
fn a_path_the_flows_crate_refuses_is_refused_by_the_form_at_that_path_and_nothing_is_saved() {
    use preflight_core::settings::FlowForm;
    let dir = tempfile::tempdir().expect("temp");
    let flow = flow(dir.path());
    let domain = Domain::parse("paths.test").expect("domain");
    let view = flow.settings(&domain).expect("defaults");
    let mut form = view.form.clone();
    let login = |url: &str| FlowForm {
        name: "Sign in".into(),
        template: "login".into(),
        fields: [
            ("login_url", url),
            ("signed_in_url", "https://app.paths.test/account"),
            ("username_key", "test-user"),
            ("password_key", "test-password"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        kept: Default::default(),
    };
    form.flows = vec![login("http://app.paths.test/login")];
    let problems = flow.check_settings(&form);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "flows.0");
    assert!(problems[0].message.contains("login_url"), "{}", problems[0].message);
    assert!(flow.save_settings(&domain, &form, &view.revision).is_err(), "refused, not saved");
    assert!(!flow.settings(&domain).expect("view").exists);

    form.flows = vec![login("https://app.paths.test/login"), login("https://app.paths.test/other")];
    let problems = flow.check_settings(&form);
    assert_eq!(problems.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(), ["flows"], "two paths, one name: {problems:?}");

    form.flows.truncate(1);
    let saved = flow.save_settings(&domain, &form, &view.revision).expect("saved");
    assert_eq!(flow.flows(&domain, None).expect("the paths read back").len(), 1);
    assert_eq!(saved.form.flows, form.flows);
}
