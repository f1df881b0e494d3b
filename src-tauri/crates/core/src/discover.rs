//! Finding the names a founder forgot: common names under the domain, and certificate logs.
//!
//! Two sources, asked at once. The bundled list of common names (`data/common-names.txt`) is
//! resolved concurrently, one DNS round trip for all of them; a name counts when it has addresses
//! or is an alias (an alias to something gone is the takeover case, the most important one to
//! find). A zone that answers every name (a wildcard record) would make every guess "exist", so a
//! random name is asked first and guesses that only match the wildcard are dropped. Certificate
//! transparency logs list every name a public certificate was ever issued for; they are read from
//! crt.sh's JSON API (or `--ct-url`, a server speaking the same JSON) with the usual deadline and
//! size bound, scanned rather than parsed so a body cut at the bound still yields its names, and
//! only names that still resolve are kept. Names the founder dropped are never offered again.

use crate::facts::Facts;
use crate::net::{Addresses, Request};
use crate::target::Target;
use serde::Serialize;
use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};
use url::Url;

/// crt.sh's JSON search for every certificate under a domain; `{domain}` is replaced.
pub const DEFAULT_CT_URL: &str = "https://crt.sh/?q=%25.{domain}&output=json";
/// At most this many found names are audited (a domain with hundreds of certificates would
/// otherwise turn one audit into hundreds); the rest are listed in the finding.
pub const MAX_FOUND: usize = 30;
/// At most this many names from the logs are looked up.
const MAX_CT_CANDIDATES: usize = 200;

/// How to discover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discover {
    /// The certificate-log URL template; `None` skips the logs (common names only).
    pub ct_url: Option<String>,
}

impl Default for Discover {
    fn default() -> Self {
        Discover { ct_url: Some(DEFAULT_CT_URL.to_owned()) }
    }
}

/// Where a name was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    CommonName,
    CertificateLog,
}

/// A name found under the domain that the target did not list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub name: String,
    pub via: Via,
    /// True when it is an alias whose target has no address (see `dns.cname.dangling`).
    pub dangling: bool,
}

/// What the certificate logs gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Logs {
    Off,
    Read { url: String, names: usize },
    Failed { url: String, reason: String },
}

/// Everything discovery learned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discovery {
    /// Found names, audited (at most [`MAX_FOUND`]).
    pub found: Vec<Found>,
    /// Found names beyond the cap, not audited.
    pub not_audited: Vec<String>,
    /// How many common names were tried.
    pub tried: usize,
    /// The zone answers any name (a wildcard record), so guesses were not counted.
    pub wildcard: bool,
    pub logs: Logs,
    /// Names that could not be looked up (timeouts); not counted either way.
    pub unknown: Vec<String>,
    /// Why this computer's DNS cannot be believed, when it cannot (see `net::health`): then "no
    /// other names" is no verdict at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolver_broken: Option<String>,
}

/// The bundled common names.
pub fn common_names() -> impl Iterator<Item = &'static str> {
    include_str!("../data/common-names.txt").lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Runs discovery for `target`, skipping the names it lists and the ones the founder dropped.
pub async fn discover(facts: &Facts, target: &Target, opts: &Discover) -> Discovery {
    let domain = target.domain.to_string();
    let known: BTreeSet<String> =
        target.hosts.iter().map(|h| h.name.clone()).chain(target.ignored.iter().map(|n| n.to_ascii_lowercase())).collect();
    let guesses: Vec<String> = common_names().map(|l| format!("{l}.{domain}")).filter(|n| !known.contains(n)).collect();
    let tried = guesses.len();
    // The wildcard probe, the guesses and the logs all at once; the logs' names are looked up as
    // soon as the logs are read.
    let guessed =
        futures::future::join_all(guesses.iter().map(|name| async move { (name.clone(), Via::CommonName, exists(facts, name).await) }));
    let logged = async {
        let (logs, names) = read_logs(facts, &domain, opts.ct_url.as_deref()).await;
        let names: Vec<String> = names.into_iter().filter(|n| !known.contains(n) && !guesses.contains(n)).take(MAX_CT_CANDIDATES).collect();
        let seen = futures::future::join_all(
            names.iter().map(|name| async move { (name.clone(), Via::CertificateLog, exists(facts, name).await) }),
        )
        .await;
        (logs, seen)
    };
    let (health, wildcard, guessed, (logs, logged)) = tokio::join!(facts.dns_health(), wildcard(facts, &domain), guessed, logged);
    let resolver_broken = match health {
        crate::net::health::Health::Broken { reason } => Some(reason),
        crate::net::health::Health::Working { .. } => None,
    };
    let answers = guessed.into_iter().chain(logged);
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for (name, via, seen) in answers {
        match seen {
            Seen::Addresses(addrs) if via == Via::CommonName && wildcard.as_ref().is_some_and(|w| same(w, &addrs)) => {}
            Seen::Addresses(_) => found.push(Found { name, via, dangling: false }),
            Seen::DanglingAlias => found.push(Found { name, via, dangling: true }),
            Seen::Nothing => {}
            Seen::Unknown => unknown.push(name),
        }
    }
    // Dangling aliases first (they matter most), then by name, so the cap never hides them.
    found.sort_by(|a, b| b.dangling.cmp(&a.dangling).then_with(|| a.name.cmp(&b.name)));
    let not_audited = found.iter().skip(MAX_FOUND).map(|f| f.name.clone()).collect();
    found.truncate(MAX_FOUND);
    Discovery { found, not_audited, tried, wildcard: wildcard.is_some(), logs, unknown, resolver_broken }
}

enum Seen {
    Addresses(Addresses),
    DanglingAlias,
    Nothing,
    Unknown,
}

async fn exists(facts: &Facts, name: &str) -> Seen {
    // Ask whether it is an alias at the same time as its addresses: one round trip, not two.
    let (addresses, _) = tokio::join!(facts.addresses(name), facts.alias(name));
    match addresses {
        Ok(a) => Seen::Addresses(a),
        Err(e) if e.is_missing_name() => match facts.alias(name).await {
            Ok(Some(_)) => Seen::DanglingAlias,
            Ok(None) => Seen::Nothing,
            Err(e) if e.is_missing_name() => Seen::Nothing,
            Err(_) => Seen::Unknown,
        },
        Err(_) => Seen::Unknown,
    }
}

fn same(a: &Addresses, b: &Addresses) -> bool {
    let set = |x: &Addresses| x.all().collect::<BTreeSet<_>>();
    set(a) == set(b)
}

/// The wildcard's answer, if the zone answers a name nobody would have created.
async fn wildcard(facts: &Facts, domain: &str) -> Option<Addresses> {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    facts.addresses(&format!("preflight-nx-{nanos:08x}.{domain}")).await.ok()
}

/// Reads the certificate logs: every name under `domain` they list.
async fn read_logs(facts: &Facts, domain: &str, template: Option<&str>) -> (Logs, Vec<String>) {
    let Some(template) = template else { return (Logs::Off, Vec::new()) };
    let raw = template.replace("{domain}", domain);
    let url = match Url::parse(&raw) {
        Ok(u) => u,
        Err(e) => return (Logs::Failed { url: raw, reason: e.to_string() }, Vec::new()),
    };
    match facts.send(&Request::get(url.clone()).header("accept", "application/json")).await {
        Ok(resp) if resp.status == 200 => match names_in_log(&String::from_utf8_lossy(&resp.body), domain) {
            Some(names) => (Logs::Read { url: url.to_string(), names: names.len() }, names),
            None => (Logs::Failed { url: url.to_string(), reason: "it answered in a form Preflight could not read".into() }, Vec::new()),
        },
        Ok(resp) => (Logs::Failed { url: url.to_string(), reason: format!("it answered {}", resp.status) }, Vec::new()),
        Err(e) => (Logs::Failed { url: url.to_string(), reason: e.to_string() }, Vec::new()),
    }
}

/// The names under `domain` in a crt.sh-style JSON answer (`name_value` and `common_name`
/// fields, several names per value separated by newlines), wildcards reduced to their base; `None`
/// when the answer is not JSON at all. Read token by token as JSON (whitespace anywhere, escapes
/// decoded), not searched as text, so a pretty-printed answer reads like a compact one, and an
/// answer cut at the size bound still gives every value it holds whole.
pub fn names_in_log(body: &str, domain: &str) -> Option<Vec<String>> {
    if !matches!(body.trim_start().as_bytes().first(), Some(b'[' | b'{')) {
        return None;
    }
    let mut out = BTreeSet::new();
    let mut tokens = JsonStrings { b: body.as_bytes(), i: 0 };
    while let Some(key) = tokens.next_string() {
        if !tokens.followed_by(b':') || !(key == "name_value" || key == "common_name") {
            continue;
        }
        // A key's value: only a whole string counts (a cut one is left out).
        let Some(value) = tokens.value_string() else { continue };
        for name in value.split('\n') {
            let name = name.trim().trim_start_matches("*.").trim_end_matches('.').to_ascii_lowercase();
            let valid = name.len() <= 253 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if valid && name != domain && name.ends_with(&format!(".{domain}")) {
                out.insert(name);
            }
        }
    }
    Some(out.into_iter().collect())
}

/// The JSON strings of a text, in order, decoded; a string cut off at the end is not returned.
struct JsonStrings<'a> {
    b: &'a [u8],
    i: usize,
}

impl JsonStrings<'_> {
    /// The next whole string, wherever it stands.
    fn next_string(&mut self) -> Option<String> {
        while self.i < self.b.len() {
            if self.b[self.i] == b'"' {
                return self.string();
            }
            self.i += 1;
        }
        None
    }

    /// Skips whitespace; true (and steps over it) when `c` comes next.
    fn followed_by(&mut self, c: u8) -> bool {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            return true;
        }
        false
    }

    /// The string value standing next (after whitespace), when it is a string.
    fn value_string(&mut self) -> Option<String> {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
        (self.b.get(self.i) == Some(&b'"')).then(|| self.string()).flatten()
    }

    /// The string starting at the quote under the cursor, decoded; the cursor ends after it.
    fn string(&mut self) -> Option<String> {
        let start = self.i;
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return serde_json::from_slice::<String>(&self.b[start..self.i]).ok();
                }
                _ => self.i += 1,
            }
        }
        self.i = self.b.len();
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_names_are_data_and_sane() {
        let names: Vec<&str> = common_names().collect();
        assert!(names.len() >= 30);
        for n in &names {
            assert!(n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{n}");
        }
        let unique: BTreeSet<&&str> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "no name twice");
    }

    #[test]
    fn log_answers_are_scanned_for_names_under_the_domain() {
        let body = r#"[{"issuer_name":"C=US","common_name":"acme.test","name_value":"acme.test\nwww.acme.test"},
            {"common_name":"*.staging.acme.test","name_value":"*.staging.acme.test\nSTAGING.acme.test"},
            {"common_name":"evil.example","name_value":"acme.test.evil.example\nnotacme.test"},
            {"name_value":"cut-off.acme.te"#;
        assert_eq!(names_in_log(body, "acme.test").expect("json"), ["staging.acme.test", "www.acme.test"]);
        assert_eq!(names_in_log("<html>not json</html>", "acme.test"), None, "not JSON is unreadable, never \"no names\"");
        assert_eq!(names_in_log(r#"{"name_value":"a\\"#, "acme.test"), Some(Vec::new()), "a dangling escape ends safely");
        let pretty = "[\n  {\n    \"common_name\" : \"acme.test\",\n    \"name_value\" :\t\"api.acme.test\\napp.acme.test\"\n  }\n]";
        assert_eq!(names_in_log(pretty, "acme.test").expect("json"), ["api.acme.test", "app.acme.test"], "spaces around the colon");
        let escaped = r#"[{"name_value":"\u0061dmin.acme.test"}, {"note":"name_value", "name_value":"x.acme.test"}]"#;
        assert_eq!(
            names_in_log(escaped, "acme.test").expect("json"),
            ["admin.acme.test", "x.acme.test"],
            "escapes decoded; a value that says name_value is no key"
        );
        assert_eq!(names_in_log("[]", "acme.test"), Some(Vec::new()));
    }
}
