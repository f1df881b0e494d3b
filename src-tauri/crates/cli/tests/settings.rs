//! `preflight settings`: the window's form, saved by the engine into the product's file, is what
//! `latency --config` then measures (its key from the keychain in `Authorization`, seen by the
//! testbed's inbox); a refused value names its field, a stale revision overwrites nothing, and a
//! hand-written file imported from a repository keeps its comments through an edit.

use serde_json::Value;
mod common;

use common::{preflight, s, InboxBed};

const KEY: &str = "sk_test_pl4nted_settings_cli_98765";

async fn show(d: &str, data: &std::path::Path) -> Value {
    let (code, out, err) = preflight(&s(&["settings", "show", d, "--format", "json"]), None, data).await;
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<Value>(&out).expect("JSON")["settings"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_saved_by_the_engine_is_what_latency_measures_with_its_key() {
    let d = "form-cli.test";
    let t = InboxBed::start(d).await;
    let (inbox, data) = (&t.inbox, t.data.as_path());

    let view = show(d, data).await;
    assert_eq!(view["exists"], false);
    let mut form = view["form"].clone();
    form["endpoints"] = serde_json::json!([{
        "name": "me", "method": "GET", "url": format!("https://api.{d}/v1/me"), "headers": {}, "body": null,
        "secret": "api-token", "secret_header": null, "secret_prefix": null, "expect_status": 200,
        "latency_target_ms": 900, "kind": "cached-read"
    }]);

    let mut bad = form.clone();
    bad["endpoints"][0]["url"] = Value::from(format!("http://api.{d}/v1/me"));
    let (code, out, _) = preflight(&s(&["settings", "check", "--format", "json"]), Some(&bad.to_string()), data).await;
    assert_eq!(code, 2, "a key over plain http is refused");
    let problems: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(problems["problems"][0]["field"], "endpoints.0.secret", "{problems}");
    let (code, _, err) =
        preflight(&s(&["settings", "save", d, "--revision", view["revision"].as_str().expect("rev")]), Some(&bad.to_string()), data).await;
    assert_eq!(code, 2, "and never written: {err}");

    let (code, out, err) =
        preflight(&s(&["settings", "save", d, "--revision", view["revision"].as_str().expect("rev")]), Some(&form.to_string()), data).await;
    assert_eq!(code, 0, "{err}");
    let revision = out.trim().to_owned();
    let file = data.join("products").join(format!("{d}.toml"));
    assert!(std::fs::read_to_string(&file).expect("saved").contains("secret = \"api-token\""));

    let (code, _, err) = preflight(&s(&["keys", "set", d, "api-token"]), Some(KEY), data).await;
    if code != 0 && err.contains("keychain") && std::env::var_os("PREFLIGHT_REQUIRE_KEYCHAIN").is_none() {
        eprintln!("no keychain on this machine: {err}");
        return;
    }
    assert_eq!(code, 0, "{err}");
    let args = t.latency(&file);
    let (code, json, err) = preflight(&args, None, data).await;
    assert_eq!(code, 0, "{err}");
    assert!(!json.contains(KEY) && !err.contains(KEY));
    let got = inbox.received();
    assert!(!got.is_empty(), "the endpoint the form added was measured");
    assert!(got.iter().all(|r| r.headers.iter().any(|(k, v)| k == "authorization" && v == &format!("Bearer {KEY}"))));

    let view = show(d, data).await;
    assert_eq!(view["keys"][0]["saved"], true);
    assert_eq!(view["keys"][0]["ends_with"], "65", "only the last two characters");
    assert!(!view.to_string().contains(&KEY[..KEY.len() - 2]));

    // A stale revision overwrites nothing.
    let before = std::fs::read_to_string(&file).expect("read");
    let (code, _, err) = preflight(&s(&["settings", "save", d, "--revision", "0000000000000000"]), Some(&form.to_string()), data).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("changed outside"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), before);
    assert_ne!(revision, "0000000000000000");
}

#[tokio::test]
async fn an_imported_hand_written_file_keeps_its_comments_through_an_edit() {
    let d = "import-cli.test";
    let dir = tempfile::tempdir().expect("temp");
    let data = &dir.path().join("data");
    let repo = dir.path().join("preflight.toml");
    std::fs::write(&repo, format!("# Our settings, reviewed in PRs.\ndomain = \"{d}\"\nnames = [\"www\"] # only www for now\n"))
        .expect("write");
    let (code, _, err) = preflight(&s(&["settings", "import", d, &repo.display().to_string()]), None, data).await;
    assert_eq!(code, 0, "{err}");
    let view = show(d, data).await;
    let mut form = view["form"].clone();
    form["canonical"] = Value::from(format!("www.{d}"));
    let (code, _, err) =
        preflight(&s(&["settings", "save", d, "--revision", view["revision"].as_str().expect("rev")]), Some(&form.to_string()), data).await;
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("exported.toml");
    let (code, _, err) = preflight(&s(&["settings", "export", d, &out.display().to_string()]), None, data).await;
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(text.contains("# Our settings, reviewed in PRs.") && text.contains("# only www for now"), "{text}");
    assert!(text.contains(&format!("canonical = \"www.{d}\"")), "{text}");
    let (code, _, err) = preflight(&s(&["settings", "import", "other.test", &out.display().to_string()]), None, data).await;
    assert_eq!(code, 2, "another product's file is refused: {err}");
}
