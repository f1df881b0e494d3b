//! One flow run's HTTP: requests share the run's cookie jar (and, after a JSON sign-in, its bearer
//! token), and a redirect is followed one hop at a time, each hop kept for the result. A hop that
//! would leave the product's own https names is not followed: the cookies and the password stay
//! with the product, and the result says where it was sent.

use crate::jar::Jar;
use crate::outcome::shown;
use preflight_core::net::{NetError, Request, Response};
use preflight_core::{Domain, Net};
use preflight_vault::Sensitive;
use std::time::Instant;

/// Redirects followed in one step at most.
pub const MAX_HOPS: usize = 10;
/// The largest body read from one answer.
pub const MAX_BODY: usize = 1 << 20;

/// One hop of a step: where it went and what answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub status: u16,
    /// Without its query.
    pub url: String,
}

/// A step's requests and the last answer.
#[derive(Debug)]
pub struct Exchange {
    pub response: Response,
    pub hops: Vec<Hop>,
    pub ms: u64,
    /// When the last answer's first piece of body came, from the start of the step (a streamed
    /// chat's first token).
    pub first_piece_ms: Option<u64>,
    /// Why the last redirect was not followed, when it was not.
    pub stopped: Option<String>,
}

/// The words for a step that could not reach the product.
pub fn unreachable(e: &NetError) -> String {
    format!("could not reach the product: {}", e.without_path())
}

impl Exchange {
    /// Whether the last answer is an HTML page.
    pub fn is_html(&self) -> bool {
        self.response.header("content-type").is_some_and(|c| c.to_ascii_lowercase().contains("html"))
    }

    /// The last answer's body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.response.body).into_owned()
    }

    /// The hops in words: "302 https://app.acme.com/session → 200 https://app.acme.com/account".
    pub fn path(&self) -> String {
        self.hops.iter().map(|h| format!("{} {}", h.status, h.url)).collect::<Vec<_>>().join(" → ")
    }
}

/// A run's connection to the product.
pub struct Session<'a> {
    net: &'a Net,
    product: &'a Domain,
    pub jar: Jar,
    /// Sent as `Authorization: Bearer …` to the product's names once a JSON sign-in gave one.
    pub bearer: Option<Sensitive<String>>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("product", &self.product.as_str())
            .field("jar", &self.jar)
            .field("bearer", &self.bearer.is_some())
            .finish()
    }
}

impl<'a> Session<'a> {
    pub fn new(net: &'a Net, product: &'a Domain) -> Session<'a> {
        Session { net, product, jar: Jar::default(), bearer: None }
    }

    /// The run's network (for what is not HTTP: the test mailbox).
    pub fn net(&self) -> &'a Net {
        self.net
    }

    /// Sends `req`, following redirects inside the product one hop at a time.
    pub async fn send(&mut self, mut req: Request) -> Result<Exchange, NetError> {
        let started = Instant::now();
        let mut hops = Vec::new();
        loop {
            req.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("cookie") && !k.eq_ignore_ascii_case("authorization"));
            if let Some(cookies) = self.jar.header(&req.url) {
                req.headers.push(("Cookie".into(), cookies));
            }
            if let Some(token) = &self.bearer {
                if preflight_core::credential::for_product("session token", req.url.as_str(), self.product.as_str()).is_ok() {
                    req.headers.push(("Authorization".into(), format!("Bearer {}", token.expose())));
                }
            }
            let hop_started = started.elapsed().as_micros() as u64;
            let response = self.net.fetch_bounded(&req, MAX_BODY).await?;
            let first_piece_ms = response.timings.precise.first_body_us.map(|us| (hop_started + us) / 1000);
            for (k, v) in &response.headers {
                if k.eq_ignore_ascii_case("set-cookie") {
                    self.jar.store(&req.url, v);
                }
            }
            hops.push(Hop { status: response.status, url: shown(&req.url) });
            let ms = started.elapsed().as_millis() as u64;
            let done =
                |response: Response, hops: Vec<Hop>, stopped: Option<String>| Ok(Exchange { response, hops, ms, first_piece_ms, stopped });
            if !response.is_redirect() {
                return done(response, hops, None);
            }
            if hops.len() > MAX_HOPS {
                return done(response, hops, Some(format!("more than {MAX_HOPS} redirects in a row")));
            }
            let Some(next) = response.header("location").and_then(|l| req.url.join(l.trim()).ok()) else {
                return done(response, hops, Some("a redirect without an address to go to".into()));
            };
            if let Err(e) = preflight_core::credential::for_product("the session", next.as_str(), self.product.as_str()) {
                return done(response, hops, Some(format!("sent on to {} ({e}), which Preflight does not follow", shown(&next))));
            }
            // As browsers do: 303, and 301/302 after a POST, continue with a GET and no body.
            let keep_body = matches!(response.status, 307 | 308) || (req.method == "GET" || req.method == "HEAD");
            let mut follow = Request::new(if keep_body { &req.method } else { "GET" }, next);
            follow.headers = req.headers.clone();
            if keep_body {
                follow.body = req.body.clone();
            } else {
                follow.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
            }
            req = follow;
        }
    }
}
