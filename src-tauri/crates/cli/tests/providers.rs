//! `preflight providers`: a Cloudflare token read from standard input is checked with the (local)
//! Cloudflare API before it is kept; the audit then reads the zone's settings into the same report,
//! the handover lists the settings that matter, and the token is nowhere but the keychain and the
//! API's Authorization header: not in the history, the logs, any output or the handover.

mod common;

use common::{preflight, s, walk, ConfigBed};
use preflight_testbed::cloudflare::{api, CfZone};
use preflight_testbed::{Answer, Product, Site, Testbed};
use std::sync::atomic::AtomicU32;
use std::sync::Arc;

const D: &str = "cfcli.test";
const TOKEN: &str = "cf-cli-token-Hq7Lw2Pz9Xc4Vb6Nm1Kj8Gf3";

#[tokio::test(flavor = "multi_thread")]
async fn a_connected_token_feeds_the_audit_and_the_handover_and_never_leaves_the_keychain() {
    let mut zone = CfZone::good(D, TOKEN);
    zone.ssl = "flexible".into();
    let product =
        Product::healthy(D, &["", "www"]).site(Site::serving(&format!("cfapi.{D}"), Answer::App(api(zone, Arc::new(AtomicU32::new(0))))));
    let bed = Testbed::start(product).await.expect("testbed");
    let files = ConfigBed::new(&bed, &format!("domain = \"{D}\"\n"));
    let data = &files.data;
    let api_url = format!("https://cfapi.{D}/client/v4/");
    let with_net = |a: &[&str]| {
        let mut v = s(a);
        v.extend(bed.cli_args());
        v.extend(["--ca-file".to_owned(), files.ca.display().to_string(), "--cloudflare-api".to_owned(), api_url.clone()]);
        v
    };
    let mut outputs = String::new();

    let (code, out, err) = preflight(&with_net(&["providers", "connect", D, "cloudflare"]), Some("not-the-token\n"), data).await;
    if code != 0 && err.contains("keychain") && std::env::var_os("PREFLIGHT_REQUIRE_KEYCHAIN").is_none() {
        eprintln!("no keychain on this machine: {err}");
        return;
    }
    assert_eq!(code, 2, "a refused token is a usage error and nothing is saved: {err}");
    assert!(err.contains("refused the token") && err.contains("nothing was saved"), "{err}");
    outputs.push_str(&out);
    outputs.push_str(&err);

    let (code, out, err) = preflight(&with_net(&["providers", "connect", D, "cloudflare"]), Some(&format!("{TOKEN}\n")), data).await;
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("active") && err.contains("cloudflare-token"), "{err}");
    outputs.push_str(&out);
    outputs.push_str(&err);

    let (code, json, err) = preflight(&s(&["providers", "list", D, "--format", "json"]), None, data).await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["providers"][0]["connected"], true, "{v}");
    outputs.push_str(&json);

    let mut audit = with_net(&["audit", D, "--format", "json", "--no-discover", "--only", "edge"]);
    audit.extend(["--config".to_owned(), files.config.display().to_string()]);
    let (code, json, err) = preflight(&audit, None, data).await;
    let report: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json} {err}"));
    let ssl = report["findings"].as_array().and_then(|f| f.iter().find(|x| x["id"] == "edge.cloudflare.ssl")).cloned().unwrap_or_default();
    assert_eq!(ssl["status"], "fail", "Flexible is a launch blocker: {report}");
    assert_eq!(code, 1, "the gate fails on it: {err}");
    outputs.push_str(&json);
    outputs.push_str(&err);

    let (code, md, err) = preflight(&s(&["handover", D]), None, data).await;
    assert_eq!(code, 0, "{err}");
    assert!(md.contains("Settings that matter") && md.contains("SSL/TLS mode") && md.contains("flexible"), "{md}");
    outputs.push_str(&md);

    assert!(!outputs.contains(TOKEN), "no output shows the token");
    for file in walk(data) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(!bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "{} holds the token", file.display());
    }

    let (code, _, err) = preflight(&s(&["providers", "remove", D, "cloudflare"]), None, data).await;
    assert_eq!(code, 0, "{err}");
    let (_, text, _) = preflight(&s(&["providers", "list", D]), None, data).await;
    assert!(text.contains("not connected") && text.contains("Zone → Zone Settings → Read"), "{text}");
}
