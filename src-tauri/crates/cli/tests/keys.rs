//! `preflight keys`: a key set from standard input reaches the keychain and then only the request
//! that needs it (the testbed's inbox sees it in `Authorization`); the listing and the data folder
//! never hold it.

mod common;

use common::{preflight, s, walk, InboxBed};

const KEY: &str = "sk_test_pl4nted_keys_cli_0123456789";

#[tokio::test(flavor = "multi_thread")]
async fn a_key_set_from_stdin_goes_into_its_endpoints_request_and_nowhere_else() {
    let d = "keys.test";
    let t = InboxBed::start(d).await;
    let (inbox, dir, data) = (&t.inbox, &t.dir, t.data.as_path());

    let (code, _, err) = preflight(&s(&["keys", "set", d, "api-token"]), Some(&format!("{KEY}\n")), data).await;
    if code != 0 && err.contains("keychain") && std::env::var_os("PREFLIGHT_REQUIRE_KEYCHAIN").is_none() {
        eprintln!("no keychain on this machine: {err}");
        return;
    }
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains(KEY), "{err}");

    let file = dir.path().join("preflight.toml");
    std::fs::write(
        &file,
        format!("domain = \"{d}\"\n[[endpoints]]\nname = \"me\"\nurl = \"https://api.{d}/v1/me\"\nsecret = \"api-token\"\n"),
    )
    .expect("write");
    let args = t.latency(&file);
    let (code, json, err) = preflight(&args, None, data).await;
    assert_eq!(code, 0, "{err}");
    assert!(!json.contains(KEY) && !err.contains(KEY), "the measurement never shows the key");
    let got = inbox.received();
    assert!(!got.is_empty(), "the endpoint was measured");
    assert!(
        got.iter().all(|r| r.headers.iter().any(|(k, v)| k == "authorization" && v == &format!("Bearer {KEY}"))),
        "every request carries the key in Authorization: {:?}",
        got.iter().map(|r| &r.path).collect::<Vec<_>>()
    );

    let (code, text, _) = preflight(&s(&["keys", "list", d]), None, data).await;
    assert_eq!(code, 0);
    assert!(text.contains("api-token") && !text.contains(KEY) && !text.contains(&KEY[KEY.len() - 4..]), "names only: {text}");
    let (_, json, _) = preflight(&s(&["keys", "list", d, "--format", "json"]), None, data).await;
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["keys"][0]["name"], "api-token");
    assert!(v["keys"][0]["set_at_ms"].as_i64().is_some_and(|t| t > 1_600_000_000_000), "{v}");

    for entry in walk(data) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(!bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()), "{} holds the key", entry.display());
    }
    let (code, _, err) = preflight(&s(&["keys", "remove", d, "api-token"]), None, data).await;
    assert_eq!(code, 0, "{err}");
    let (_, text, _) = preflight(&s(&["keys", "list", d]), None, data).await;
    assert!(text.contains("has no keys"), "{text}");
    let (code, _, err) = preflight(&s(&["keys", "set", d, "bad name"]), Some("x"), data).await;
    assert_eq!(code, 2, "a name a settings file cannot use is refused: {err}");
}
