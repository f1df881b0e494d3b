//! The cookies of one flow run, kept as a browser keeps them: per host (or domain, when the
//! server says so and it is the host's own), per path, `Secure` ones only over https, deleted when
//! they expire at once. Bounded; values never reach `Debug`, logs or results.

use url::Url;

/// Cookies kept at most, and the longest value.
const MAX_COOKIES: usize = 64;
const MAX_VALUE: usize = 4096;

#[derive(Clone)]
struct Cookie {
    name: String,
    value: String,
    /// The host it was set by, or the domain it is shared with.
    domain: String,
    host_only: bool,
    path: String,
    secure: bool,
}

/// A run's cookies.
#[derive(Default, Clone)]
pub struct Jar {
    cookies: Vec<Cookie>,
}

impl std::fmt::Debug for Jar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.cookies.iter().map(|c| format!("{}@{}{}", c.name, c.domain, c.path))).finish()
    }
}

impl Jar {
    /// Takes one `Set-Cookie` header of an answer from `from`.
    pub fn store(&mut self, from: &Url, header: &str) {
        let Some(host) = from.host_str().map(str::to_ascii_lowercase) else { return };
        let mut parts = header.split(';');
        let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else { return };
        let (name, value) = (name.trim().to_owned(), value.trim().trim_matches('"').to_owned());
        if name.is_empty() || value.len() > MAX_VALUE {
            return;
        }
        let mut cookie = Cookie { name, value, domain: host.clone(), host_only: true, path: default_path(from), secure: false };
        let mut expired = false;
        for attr in parts {
            let (k, v) = attr.split_once('=').map_or((attr.trim(), ""), |(k, v)| (k.trim(), v.trim()));
            match k.to_ascii_lowercase().as_str() {
                "domain" => {
                    let d = v.trim_start_matches('.').to_ascii_lowercase();
                    // A server may share a cookie with its own domain, never with another one.
                    if d != host && !host.ends_with(&format!(".{d}")) {
                        return;
                    }
                    cookie.domain = d;
                    cookie.host_only = false;
                }
                "path" if v.starts_with('/') => cookie.path = v.to_owned(),
                "secure" => cookie.secure = true,
                "max-age" => expired = v.parse::<i64>().is_ok_and(|s| s <= 0),
                _ => {}
            }
        }
        self.cookies.retain(|c| !(c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path));
        if !expired && self.cookies.len() < MAX_COOKIES {
            self.cookies.push(cookie);
        }
    }

    /// The `Cookie` header for a request to `to`, if any cookie goes there.
    pub fn header(&self, to: &Url) -> Option<String> {
        let host = to.host_str()?.to_ascii_lowercase();
        let https = to.scheme() == "https";
        let path = to.path();
        let sent: Vec<String> = self
            .cookies
            .iter()
            .filter(|c| if c.host_only { c.domain == host } else { host == c.domain || host.ends_with(&format!(".{}", c.domain)) })
            .filter(|c| path == c.path || path.starts_with(&format!("{}/", c.path.trim_end_matches('/'))) || c.path == "/")
            .filter(|c| https || !c.secure)
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        (!sent.is_empty()).then(|| sent.join("; "))
    }

    /// How many cookies are kept (for the result's words: "a session cookie was kept").
    pub fn len(&self) -> usize {
        self.cookies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }
}

/// The folder of the request's path: where a cookie set without `Path` applies.
fn default_path(url: &Url) -> String {
    let p = url.path();
    match p.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => p[..i].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn cookies_go_back_only_where_a_browser_would_send_them() {
        let mut jar = Jar::default();
        let app = url("https://app.acme.test/login");
        jar.store(&app, "sid=abc123; Path=/; HttpOnly; Secure; SameSite=Lax");
        jar.store(&app, "shared=1; Domain=acme.test; Path=/");
        jar.store(&app, "evil=1; Domain=other.test");
        assert_eq!(jar.header(&url("https://app.acme.test/account")).as_deref(), Some("sid=abc123; shared=1"));
        assert_eq!(jar.header(&url("http://app.acme.test/account")).as_deref(), Some("shared=1"), "Secure: https only");
        assert_eq!(jar.header(&url("https://www.acme.test/")).as_deref(), Some("shared=1"), "host-only stays on its host");
        assert_eq!(jar.header(&url("https://other.test/")), None, "never another domain's");
        jar.store(&app, "sid=; Path=/; Max-Age=0");
        assert_eq!(jar.header(&url("https://app.acme.test/")).as_deref(), Some("shared=1"), "an expired cookie is deleted");
        assert!(!format!("{jar:?}").contains("abc123"), "values never reach Debug");
    }
}
