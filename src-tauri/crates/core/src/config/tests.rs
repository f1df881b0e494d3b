//! The settings file's shape and its validation, field by field.
use super::*;

#[test]
fn names_and_required_shape_the_target() {
    let cfg = ProductConfig::parse("p.toml", "domain = \"acme.test\"\nnames = [\"www\", \"api\"]\nrequired = [\"api\"]").expect("valid");
    let t = cfg.target("p.toml").expect("valid target");
    let got: Vec<_> = t.hosts.iter().map(|n| (n.label.as_str(), n.required, n.origin)).collect();
    assert_eq!(got, vec![("", true, HostOrigin::Root), ("www", false, HostOrigin::Configured), ("api", true, HostOrigin::Configured)]);
}

#[test]
fn every_subject_kind_is_read_and_validated() {
    let text = r#"
        domain = "acme.test"
        names = ["app"]
        canonical = "app.acme.test"
        previews = ["https://acme-git-main.preview.example/"]
        [mail]
        domain = "mail.acme.test"
        dkim_selectors = ["google"]
        [[endpoints]]
        name = "chat start"
        method = "post"
        url = "https://api.acme.test/chat"
        headers = { "content-type" = "application/json" }
        body = "{}"
        secret = "api-token"
        [[callbacks]]
        kind = "webhook"
        url = "https://app.acme.test/stripe"
    "#;
    let t = ProductConfig::parse("p.toml", text).expect("valid").target("p.toml").expect("valid target");
    assert_eq!(t.hosts.len(), 2, "only the root and the listed name: no silent www");
    assert_eq!(t.canonical.as_deref(), Some("app.acme.test"));
    assert_eq!(t.endpoints[0].method, "POST");
    assert_eq!(t.endpoints[0].secret.as_deref(), Some("api-token"));
    assert_eq!(t.callbacks[0].kind, CallbackKind::Webhook);
    assert_eq!(t.mail.dkim_selectors, vec!["google"]);
    assert_eq!(t.previews, vec!["https://acme-git-main.preview.example/"]);
}

#[test]
fn dropped_names_become_full_names_and_bad_ones_are_refused() {
    let cfg =
        ProductConfig::parse("p.toml", "domain = \"acme.test\"\nignore = [\"old\", \"eu.staging\", \"blog.acme.test\"]").expect("valid");
    let t = cfg.target("p.toml").expect("target");
    assert_eq!(t.ignored, ["old.acme.test", "eu.staging.acme.test", "blog.acme.test"]);
    let bad = ProductConfig::parse("p.toml", "domain = \"acme.test\"\nignore = [\"a b\"]").expect("parses");
    assert!(bad.target("p.toml").is_err());
}

#[test]
fn typos_and_bad_values_are_reported_not_ignored() {
    assert!(matches!(ProductConfig::parse("p.toml", "domain = \"a.test\"\nrequried = []"), Err(ConfigError::Syntax { .. })));
    let bad = ProductConfig::parse("p.toml", "domain = \"https://a.test\"").expect("parses");
    assert!(matches!(bad.target("p.toml"), Err(ConfigError::Domain { .. })));
    let bad = ProductConfig::parse("p.toml", "domain = \"a.test\"\nnames = [\"a.b\"]").expect("parses");
    assert!(matches!(bad.target("p.toml"), Err(ConfigError::Name { .. })));
    let bad = ProductConfig::parse("p.toml", "domain = \"a.test\"\npreviews = [\"ftp://a.test\"]").expect("parses");
    assert!(matches!(bad.target("p.toml"), Err(ConfigError::Url { .. })));
    let bad = ProductConfig::parse("p.toml", "domain = \"a.test\"\ncanonical = \"other.test\"").expect("parses");
    assert!(matches!(bad.target("p.toml"), Err(ConfigError::Value { .. })));
    let text =
        "domain = \"a.test\"\n[[endpoints]]\nname = \"x\"\nurl = \"https://a.test\"\nheaders = { Authorization = \"Bearer s3cr3t\" }";
    let err = ProductConfig::parse("p.toml", text).expect("parses").target("p.toml").expect_err("no secrets in the file");
    assert!(err.to_string().contains("keychain") && !err.to_string().contains("s3cr3t"), "{err}");
}

#[test]
fn monitors_are_read_per_kind_and_checked() {
    let text = r#"
        domain = "acme.test"
        [[monitors]]
        name = "health"
        url = "https://api.acme.test/health"
        json_field = "status"
        json_equals = "ok"
        interval_secs = 30
        [[monitors]]
        name = "cert"
        kind = "cert"
        [[monitors]]
        name = "mail"
        kind = "dns"
        record = "mx"
        expect = ["10 mx.acme.test."]
    "#;
    let ms = ProductConfig::parse("p.toml", text).expect("valid").monitors("p.toml").expect("valid monitors");
    assert_eq!(ms.len(), 3);
    assert_eq!(ms[1].probe, ProbeSpec::Cert { host: "acme.test".into(), port: 443 });
    assert!(matches!(&ms[2].probe, ProbeSpec::Dns { record, .. } if record == "MX"));
    let bad = "domain = \"acme.test\"\n[[monitors]]\nname = \"x\"\nkind = \"ping\"";
    assert!(ProductConfig::parse("p.toml", bad).expect("parses").monitors("p.toml").is_err());
    let bad = "domain = \"acme.test\"\n[[monitors]]\nname = \"x\"\nintervall = 5";
    assert!(ProductConfig::parse("p.toml", bad).is_err(), "a typo is refused");
}

#[test]
fn an_endpoint_key_is_bound_to_the_product_and_its_header() {
    let file = |url: &str, extra: &str| {
        format!("domain = \"acme.test\"\n[[endpoints]]\nname = \"chat\"\nurl = \"{url}\"\nsecret = \"api-token\"\n{extra}")
    };
    let ok = ProductConfig::parse("p.toml", &file("https://api.acme.test/chat", "secret_header = \"X-API-Key\""))
        .expect("parses")
        .target("p.toml")
        .expect("a key of the product, to the product");
    assert_eq!(ok.endpoints[0].secret_header.as_deref(), Some("X-API-Key"));
    for (url, host) in [("https://api.other.test/chat", "api.other.test"), ("http://api.acme.test/chat", "api.acme.test")] {
        let err = ProductConfig::parse("p.toml", &file(url, "")).expect("parses").target("p.toml").expect_err("refused");
        assert!(err.to_string().contains(host), "the refusal names the host: {err}");
    }
    for header in ["x-api-key", "Cookie", "apikey", "X-Access-Token"] {
        let text = format!("domain = \"acme.test\"\n[[endpoints]]\nname = \"x\"\nurl = \"https://acme.test/\"\nheaders = {{ \"{header}\" = \"planted-9f8e7d\" }}");
        let err = ProductConfig::parse("p.toml", &text).expect("parses").target("p.toml").expect_err("a credential header");
        assert!(!err.to_string().contains("planted-9f8e7d"), "{err}");
    }
    let text = "domain = \"acme.test\"\n[[monitors]]\nname = \"m\"\nurl = \"https://collector.example/\"\nsecret = \"api-token\"";
    let err = ProductConfig::parse("p.toml", text).expect("parses").monitors("p.toml").expect_err("a key to a stranger");
    assert!(err.to_string().contains("collector.example"), "{err}");
}

#[test]
fn a_bad_address_error_keeps_its_query_to_itself() {
    let text = "domain = \"acme.test\"\npreviews = [\"ftp://acme.test/x?token=s3cret-value\"]";
    let err = ProductConfig::parse("p.toml", text).expect("parses").target("p.toml").expect_err("ftp");
    assert!(!err.to_string().contains("s3cret-value"), "{err}");
}

#[test]
fn a_webhook_naming_its_provider_can_be_replayed_and_only_on_the_products_own_https_names() {
    let file = |extra: &str| {
        format!("domain = \"acme.test\"\n[[callbacks]]\nkind = \"webhook\"\nurl = \"https://api.acme.test/stripe\"\n{extra}\n")
    };
    let cfg = ProductConfig::parse("p.toml", &file("provider = \"stripe\"\nsigning_key = \"stripe-signing\"")).expect("valid");
    let replays = cfg.replays("p.toml").expect("valid");
    assert_eq!(replays.len(), 1);
    assert_eq!(replays[0].name, "api.acme.test/stripe", "the address names it when the founder did not");
    assert_eq!(replays[0].provider, crate::target::WebhookProvider::Stripe);
    assert_eq!(replays[0].signing_key, "stripe-signing");
    let refused = |extra: &str| {
        let cfg = ProductConfig::parse("p.toml", &file(extra)).expect("parses");
        cfg.target("p.toml").expect_err("refused").to_string()
    };
    assert!(refused("provider = \"stripe\"").contains("needs signing_key"));
    assert!(refused("signing_key = \"k\"").contains("needs its provider"));
    assert!(refused("provider = \"github\"\nsigning_key = \"has space\"").contains("signing_key must name a key"));
    assert!(refused("provider = \"github\"\nsigning_key = \"k\"\nevent = \"<script>\"").contains("is not an event type"));
    let foreign = "domain = \"acme.test\"\n[[callbacks]]\nkind = \"webhook\"\nurl = \"https://hooks.other.example/x\"\nprovider = \"standard\"\nsigning_key = \"k\"\n";
    let err = ProductConfig::parse("p.toml", foreign).expect("parses").target("p.toml").expect_err("foreign").to_string();
    assert!(err.contains("your own https addresses"), "{err}");
    let plain = "domain = \"acme.test\"\n[[callbacks]]\nkind = \"webhook\"\nurl = \"http://api.acme.test/x\"\nprovider = \"standard\"\nsigning_key = \"k\"\n";
    assert!(ProductConfig::parse("p.toml", plain).expect("parses").target("p.toml").is_err());
    let unknown = ProductConfig::parse("p.toml", &file("provider = \"paypal\"\nsigning_key = \"k\"")).expect_err("unknown provider");
    assert!(unknown.to_string().contains("stripe"), "{unknown}");
}
