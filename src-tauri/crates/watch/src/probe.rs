//! Turning the network into observations: one probe of a monitor, whatever its kind.
//!
//! Every probe goes through the engine's `Net` (its resolver, trust store, deadlines and size
//! bounds), so a monitor sees a site exactly as the audit does. A failure keeps its cause (DNS, TLS,
//! timeout, refused connection, status, missing keyword or JSON value, drift, too slow), which the
//! incident records. Besides up or down, a probe may notice something worth saying once: a
//! certificate nearing expiry, or a page serving a new build (a deploy).

use crate::state::{Cause, Probe};
use preflight_core::monitor::ProbeSpec;
use preflight_core::net::{NetError, Request};
use preflight_core::Net;
use std::time::SystemTime;
use url::Url;

/// What one probe saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub probe: Probe,
    /// How long the answer took, when there was one.
    pub latency_ms: Option<u64>,
    pub note: Option<Note>,
}

/// Something a probe noticed besides up or down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The certificate has this many days left.
    CertDays(i64),
    /// The page's build fingerprint (its hashed script and style names, or a build id).
    Build(String),
    /// The DNS answer, sorted (the first one becomes the expected value when none was given).
    Records(Vec<String>),
    /// The domain's registration expires in this many days and does not renew on its own.
    DomainDays(i64),
}

impl Outcome {
    fn failed(cause: Cause) -> Outcome {
        Outcome { probe: Probe::Failed(cause), latency_ms: None, note: None }
    }
}

/// The cause a network error stands for.
pub fn cause_of(e: &NetError) -> Cause {
    match e {
        NetError::NoSuchName(_) | NetError::NoRecords(_) | NetError::DnsFailed { .. } => Cause::Dns,
        NetError::Tls { .. } => Cause::Tls,
        NetError::Timeout { .. } => Cause::Timeout,
        _ => Cause::Connect,
    }
}

/// Probes once. `credential` is the header and keychain value an endpoint named, already loaded
/// and allowed to go to this address; `expect` the DNS values learned when the spec gave none.
pub async fn run(net: &Net, spec: &ProbeSpec, credential: Option<&(String, String)>, expect: &[String]) -> Outcome {
    match spec {
        ProbeSpec::Http { .. } => http(net, spec, credential).await,
        ProbeSpec::Cert { host, port } => cert(net, host, *port).await,
        ProbeSpec::Dns { name, record, expect: given } => dns(net, name, record, if given.is_empty() { expect } else { given }).await,
        ProbeSpec::Domain { domain } => registration(net, domain).await,
        // The audit re-run and a path are not probes: the scheduler hands them to the front end's
        // auditor and walker.
        ProbeSpec::Audit { .. } | ProbeSpec::Flow { .. } => Outcome { probe: Probe::Ok, latency_ms: None, note: None },
    }
}

async fn http(net: &Net, spec: &ProbeSpec, credential: Option<&(String, String)>) -> Outcome {
    let ProbeSpec::Http { url, method, headers, body, expect_status, up_below, keyword, json_field, json_equals, max_latency_ms, .. } =
        spec
    else {
        return Outcome::failed(Cause::Connect);
    };
    let Ok(url) = Url::parse(url) else { return Outcome::failed(Cause::Dns) };
    let mut req = Request::new(method, url);
    for (k, v) in headers {
        req = req.header(k, v.clone());
    }
    if let Some((name, value)) = credential {
        req = req.header(name, value.clone());
    }
    if let Some(b) = body {
        req = req.body(b.clone().into_bytes());
    }
    let resp = match net.fetch(&req).await {
        Ok(r) => r,
        Err(e) => return Outcome::failed(cause_of(&e)),
    };
    let ms = resp.timings.total_ms;
    let status_ok = match expect_status {
        Some(want) => resp.status == *want,
        None => resp.status < *up_below,
    };
    let text = String::from_utf8_lossy(&resp.body);
    let probe = if !status_ok {
        Probe::Failed(Cause::Status { code: resp.status })
    } else if keyword.as_ref().is_some_and(|k| !text.contains(k.as_str())) {
        Probe::Failed(Cause::Keyword)
    } else if json_field.as_ref().is_some_and(|f| !json_holds(&text, f, json_equals.as_deref())) {
        Probe::Failed(Cause::Json)
    } else if max_latency_ms.is_some_and(|max| ms > max) {
        Probe::Failed(Cause::Slow { ms })
    } else {
        Probe::Ok
    };
    let content_type = resp.header("content-type").unwrap_or_default().to_ascii_lowercase();
    let note = if content_type.contains("html") {
        build_fingerprint(&text)
    } else if content_type.contains("json") {
        version_field(&text)
    } else {
        None
    }
    .map(Note::Build);
    Outcome { probe, latency_ms: Some(ms), note }
}

/// Whether the JSON body has `field` (dotted path), equal to `equals` when given (a string compares
/// with its text, anything else with its JSON form: `true`, `200`).
pub fn json_holds(body: &str, field: &str, equals: Option<&str>) -> bool {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(body) else { return false };
    for key in field.split('.') {
        v = match v {
            serde_json::Value::Object(mut m) => match m.remove(key) {
                Some(next) => next,
                None => return false,
            },
            serde_json::Value::Array(mut a) => match key.parse::<usize>().ok().filter(|i| *i < a.len()) {
                Some(i) => a.swap_remove(i),
                None => return false,
            },
            _ => return false,
        };
    }
    match (equals, &v) {
        (None, serde_json::Value::Null) => false,
        (None, _) => true,
        (Some(want), serde_json::Value::String(s)) => s == want,
        (Some(want), other) => {
            let text = other.to_string();
            text == want
        }
    }
}

/// What identifies the build a page serves: its content-hashed scripts and styles (they change on
/// every deploy and only then), or the build id a framework writes into the page.
pub fn build_fingerprint(html: &str) -> Option<String> {
    if let Some(at) = html.find("\"buildId\":\"") {
        let rest = &html[at + 11..];
        if let Some(end) = rest.find('"').filter(|e| *e <= 64) {
            return Some(format!("build {}", &rest[..end]));
        }
    }
    let tags = preflight_core::html::tags(html);
    let mut hashed: Vec<String> =
        preflight_core::html::resources(&tags).into_iter().map(|r| r.url).filter(|u| preflight_core::html::is_hashed_asset(u)).collect();
    if hashed.is_empty() {
        return None;
    }
    hashed.sort();
    hashed.dedup();
    Some(hashed.join(" "))
}

/// The version a JSON answer states about itself (a health or version endpoint): the first of
/// `version`, `build`, `commit`, `sha`, `release` at the top level. A new value means a deploy.
pub fn version_field(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let obj = v.as_object()?;
    ["version", "build", "commit", "sha", "release"].iter().find_map(|k| match obj.get(*k)? {
        serde_json::Value::String(s) if !s.is_empty() && s.len() <= 80 => Some(format!("version {s}")),
        serde_json::Value::Number(n) => Some(format!("version {n}")),
        _ => None,
    })
}

async fn cert(net: &Net, host: &str, port: u16) -> Outcome {
    let route = match net.route(host, port).await {
        Ok(r) => r,
        Err(e) => return Outcome::failed(cause_of(&e)),
    };
    match net.inspect_tls(host, &route).await {
        Err(e) => Outcome::failed(cause_of(&e)),
        Ok(tls) => {
            let days = tls.chain.first().map(|leaf| leaf.days_left(SystemTime::now()));
            let probe = if tls.problem.is_some() { Probe::Failed(Cause::Tls) } else { Probe::Ok };
            Outcome { probe, latency_ms: Some(tls.handshake_ms), note: days.map(Note::CertDays) }
        }
    }
}

/// A registry that does not answer (or a TLD without one) says nothing about the product: the
/// probe counts as healthy and carries no note, so the monitor never goes DOWN on the registry's
/// silence. A lapsed domain is DOWN; days left are noted only when it does not renew on its own.
async fn registration(net: &Net, domain: &str) -> Outcome {
    let started = std::time::Instant::now();
    let Ok(r) = preflight_core::rdap::lookup(net, domain).await else {
        return Outcome { probe: Probe::Ok, latency_ms: None, note: None };
    };
    let ms = started.elapsed().as_millis() as u64;
    let probe = match (r.lapsing(), r.days_left) {
        (Some(state), _) => Probe::Failed(Cause::Lapsed { state: state.to_owned() }),
        (None, Some(d)) if d < 0 && !r.auto_renewing() => Probe::Failed(Cause::Lapsed { state: "expired".to_owned() }),
        _ => Probe::Ok,
    };
    let note = r.days_left.filter(|_| !r.auto_renewing()).map(Note::DomainDays);
    Outcome { probe, latency_ms: Some(ms), note }
}

async fn dns(net: &Net, name: &str, record: &str, expect: &[String]) -> Outcome {
    let started = std::time::Instant::now();
    let answer = match record {
        "A" | "AAAA" => net
            .resolver()
            .addresses(name)
            .await
            .map(|a| a.all().filter(|ip| ip.is_ipv4() == (record == "A")).map(|ip| ip.to_string()).collect::<Vec<_>>()),
        "CNAME" => net.resolver().cname(name).await.map(|c| c.into_iter().collect()),
        "MX" => net.resolver().mx(name).await.map(|m| m.into_iter().map(|mx| format!("{} {}", mx.preference, mx.exchange)).collect()),
        "NS" => net.resolver().ns(name).await,
        _ => net.resolver().txt(name).await,
    };
    let ms = started.elapsed().as_millis() as u64;
    match answer {
        // No such record at all is drift when something was expected, and an answer otherwise.
        Err(NetError::NoRecords(_)) => check_records(Vec::new(), expect, ms),
        Err(e) => Outcome::failed(cause_of(&e)),
        Ok(values) => check_records(values, expect, ms),
    }
}

fn normalise(v: &str) -> String {
    v.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn check_records(mut got: Vec<String>, expect: &[String], ms: u64) -> Outcome {
    got = got.iter().map(|v| normalise(v)).collect();
    got.sort();
    got.dedup();
    let mut want: Vec<String> = expect.iter().map(|v| normalise(v)).collect();
    want.sort();
    want.dedup();
    let probe = if want.is_empty() || want == got { Probe::Ok } else { Probe::Failed(Cause::Drift) };
    Outcome { probe, latency_ms: Some(ms), note: Some(Note::Records(got)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_fields_are_read_by_path_and_compared_as_text() {
        let body = r#"{"status":"ok","checks":{"db":true,"queue":[{"lag":3}]},"code":200}"#;
        assert!(json_holds(body, "status", Some("ok")));
        assert!(!json_holds(body, "status", Some("OK")));
        assert!(json_holds(body, "checks.db", Some("true")));
        assert!(json_holds(body, "checks.queue.0.lag", Some("3")));
        assert!(json_holds(body, "code", Some("200")));
        assert!(json_holds(body, "checks", None));
        assert!(!json_holds(body, "missing", None));
        assert!(!json_holds("<html>", "status", None), "not JSON is not healthy");
    }

    #[test]
    fn a_build_is_told_by_its_hashed_assets_or_build_id() {
        let a = r#"<script src="/assets/index-BxY7zQ1a.js"></script><link rel="stylesheet" href="/assets/app.3f9a2c1b.css">"#;
        let b = r#"<script src="/assets/index-Q9z8Yx7w.js"></script><link rel="stylesheet" href="/assets/app.3f9a2c1b.css">"#;
        assert_ne!(build_fingerprint(a), build_fingerprint(b));
        assert_eq!(build_fingerprint("<p>hello</p><script src=/app.js></script>"), None, "no hashed asset, no fingerprint");
        assert_eq!(build_fingerprint(r#"<script id="__NEXT_DATA__">{"buildId":"k3Jd9"}</script>"#).as_deref(), Some("build k3Jd9"));
    }

    #[test]
    fn a_json_endpoint_tells_its_version() {
        assert_eq!(version_field(r#"{"status":"ok","version":"1.4.2"}"#).as_deref(), Some("version 1.4.2"));
        assert_eq!(version_field(r#"{"commit":"9f2c1ab"}"#).as_deref(), Some("version 9f2c1ab"));
        assert_eq!(version_field(r#"{"build":42}"#).as_deref(), Some("version 42"));
        assert_eq!(version_field(r#"{"status":"ok"}"#), None);
        assert_eq!(version_field("[1,2]"), None);
    }

    #[test]
    fn records_compare_without_case_order_or_trailing_dots() {
        let o = check_records(vec!["B.example.".into(), "a.example".into()], &["a.example.".into(), "b.example".into()], 1);
        assert_eq!(o.probe, Probe::Ok);
        let o = check_records(vec!["c.example".into()], &["a.example".into()], 1);
        assert_eq!(o.probe, Probe::Failed(Cause::Drift));
        assert_eq!(check_records(vec!["x".into()], &[], 1).probe, Probe::Ok, "nothing expected yet: the first answer is learned");
    }
}
