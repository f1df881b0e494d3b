//! What a release is built from stays in one place and complete: the version only in Cargo.toml
//! (tauri.conf.json has none of its own, package.json agrees), installers for all three systems,
//! every icon the config names on disk, the updater configured (its key and address are the
//! release workflow's, so a local build needs no signing key), and every secret the workflow reads
//! documented in docs/release.md.

use serde_json::Value;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(file)).expect(file)).expect(file)
}

#[test]
fn the_version_lives_in_cargo_toml_alone() {
    let conf = json("tauri.conf.json");
    assert!(conf.get("version").is_none(), "tauri.conf.json must not carry a version: Tauri then reads Cargo.toml's");
    assert_eq!(json("package.json")["version"], env!("CARGO_PKG_VERSION"), "package.json's version is Cargo.toml's");
}

#[test]
fn every_system_gets_its_installers_and_every_icon_exists() {
    let conf = json("tauri.conf.json");
    let targets: Vec<&str> = conf["bundle"]["targets"].as_array().expect("targets").iter().filter_map(Value::as_str).collect();
    for t in ["deb", "rpm", "appimage", "msi", "nsis", "dmg", "app"] {
        assert!(targets.contains(&t), "bundle target {t}");
    }
    for icon in conf["bundle"]["icon"].as_array().expect("icons").iter().filter_map(Value::as_str) {
        assert!(root().join(icon).is_file(), "{icon} is missing");
    }
    for pkg in ["deb", "rpm", "appimage"] {
        let files = &conf["bundle"]["linux"][pkg]["files"];
        assert!(
            files.get("/usr/bin/preflight").is_some() && files.get("/usr/bin/preflight-tray").is_some(),
            "the {pkg} ships the CLI and the tray"
        );
    }
    assert_eq!(conf["identifier"], "dev.preflight.desktop");
    assert_eq!(conf["productName"], "Preflight");
}

#[test]
fn updates_are_configured_and_signed_only_by_the_release() {
    let conf = json("tauri.conf.json");
    let updater = &conf["plugins"]["updater"];
    assert!(updater.get("pubkey").is_some(), "the updater plugin needs its pubkey key (the release fills it)");
    assert_eq!(conf["bundle"]["createUpdaterArtifacts"], false, "a local build must not need the signing key");
    let workflow = std::fs::read_to_string(root().join(".github/workflows/release.yml")).expect("release workflow");
    assert!(workflow.contains("createUpdaterArtifacts: true") && workflow.contains("includeUpdaterJson: true"));
    for runner in ["windows-latest", "macos-latest", "ubuntu-22.04"] {
        assert!(workflow.contains(runner), "the release builds on {runner}");
    }
    assert!(workflow.contains("universal-apple-darwin") && workflow.contains("scripts/refresh-rdap-bootstrap.sh"));
    let docs = std::fs::read_to_string(root().join("docs/release.md")).expect("docs/release.md");
    let mut rest = workflow.as_str();
    while let Some(i) = rest.find("secrets.").or_else(|| rest.find("vars.")) {
        let name: String =
            rest[i..].split('.').nth(1).unwrap_or_default().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        assert!(name == "GITHUB_TOKEN" || docs.contains(&format!("`{name}`")), "docs/release.md explains {name}");
        rest = &rest[i + 5..];
    }
}
