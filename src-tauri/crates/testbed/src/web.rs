//! HTTP and HTTPS servers on loopback that answer per site (by SNI and Host header).
//!
//! One HTTP listener and one HTTPS listener serve every site of a testbed; the certificate is picked
//! from the TLS ClientHello's server name, so a site can present an expired or misnamed certificate
//! exactly like a real host. Our own SNI resolver is used because rustls' built-in one refuses to
//! load a certificate that does not match its name, and serving such certificates is the point.

use crate::handler::App;
use crate::pki::{CertKind, PkiError, TestCa};
use bytes::Bytes;
use futures::stream;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// The HSTS header a well-set-up HTTPS answer carries: a year, subdomains included.
pub const HSTS: (&str, &str) = ("strict-transport-security", "max-age=31536000; includeSubDomains");

/// The security headers of a well-set-up page.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", "default-src 'self'; object-src 'none'; frame-ancestors 'none'"),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
];

/// A redirect's target on a response.
trait WithLocation {
    fn with_location(self, to: &str) -> Self;
}

impl WithLocation for Response<Body> {
    fn with_location(mut self, to: &str) -> Self {
        if let Ok(v) = to.parse() {
            self.headers_mut().insert(hyper::header::LOCATION, v);
        }
        self
    }
}

/// What a site answers on one scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Redirect to `to` followed by the request's path (`to` has no trailing slash). Over HTTPS it
    /// also sends HSTS, as a well-set-up redirect does.
    Redirect { status: u16, to: String },
    /// Redirect to `to` exactly, dropping the request's path and query (a common misconfiguration).
    RedirectHome { status: u16, to: String },
    /// A page with these headers.
    Page { status: u16, headers: Vec<(String, String)>, body: String },
    /// An API that echoes the request's `Origin` in its CORS headers (and allows credentials when
    /// asked): the misconfiguration that lets any website act as the signed-in user.
    ReflectOrigin { credentials: bool },
    /// A web application firewall in front of `then`: a request whose query carries a script tag
    /// gets 403 and a block page; everything else goes through.
    Firewall { then: Box<Answer> },
    /// Answers `then` to the first `after` requests (per host and path), 429 Too Many Requests
    /// with `Retry-After` from then on: a rate limiter.
    Limited { after: u32, then: Box<Answer> },
    /// Per-path answers (matched on the path without its query), `other` for every other path: a
    /// page with its hashed assets, say.
    Paths { paths: Vec<(String, Answer)>, other: Box<Answer> },
    /// `then`, until the test flips the switch: an outage on demand, or `alt` (a new deploy).
    Switched { switch: Switch, then: Box<Answer>, alt: Option<Box<Answer>> },
    /// Keeps every request (method, path, headers, body) in the inbox and answers its status.
    Inbox(Inbox),
    /// `then`, after a wait: the next of `delays` for each request, in turn (a fixed delay is a
    /// list of one; a known distribution is a list of many).
    Delayed { delays: Delays, then: Box<Answer> },
    /// A streaming chat answer (server-sent events): the headers at once, the first event after
    /// `first_ms`, then one event every `gap_ms`.
    Stream { first_ms: u64, gap_ms: u64, events: Vec<String> },
    /// The test's own function answers each request: a small application with state (a sign-in
    /// with sessions and CSRF tokens, a webhook receiver that checks signatures).
    App(App),
    /// Accept the request and never answer.
    Hang,
    /// A 200 whose body never ends (a hostile or broken server).
    Endless,
}

impl Answer {
    pub fn ok(body: &str) -> Answer {
        Answer::Page { status: 200, headers: vec![("content-type".into(), "text/html; charset=utf-8".into())], body: body.to_owned() }
    }
    /// A page with the headers a well-set-up HTTPS site sends: HSTS for a year and the security
    /// headers that earn an A+ (a strict CSP, no framing, nosniff, a private referrer policy).
    pub fn secure(body: &str) -> Answer {
        let mut page = Answer::ok(body);
        if let Answer::Page { headers, .. } = &mut page {
            headers.push((HSTS.0.to_owned(), HSTS.1.to_owned()));
            headers.extend(SECURITY_HEADERS.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        }
        page
    }
    pub fn redirect(to: &str) -> Answer {
        Answer::Redirect { status: 301, to: to.trim_end_matches('/').to_owned() }
    }
    /// A page (status 200) with exactly these headers.
    pub fn page(headers: &[(&str, &str)], body: &str) -> Answer {
        let headers = headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Answer::Page { status: 200, headers, body: body.to_owned() }
    }
    /// This answer, except that `path` answers `answer`.
    pub fn with_path(self, path: &str, answer: Answer) -> Answer {
        match self {
            Answer::Paths { mut paths, other } => {
                paths.push((path.to_owned(), answer));
                Answer::Paths { paths, other }
            }
            other => Answer::Paths { paths: vec![(path.to_owned(), answer)], other: Box::new(other) },
        }
    }
    /// The answer for `path`, looking through [`Answer::Paths`].
    fn for_path(&self, path: &str) -> &Answer {
        let mut a = self;
        while let Answer::Paths { paths, other } = a {
            a = paths.iter().find(|(p, _)| p == path).map_or(other.as_ref(), |(_, x)| x);
        }
        a
    }
}

/// The waits of an [`Answer::Delayed`], taken in turn; clones share the turn.
#[derive(Debug, Clone)]
pub struct Delays(Arc<(Vec<u64>, std::sync::atomic::AtomicUsize)>);

impl Delays {
    /// Milliseconds to wait, one per request, cycling.
    pub fn new(ms: Vec<u64>) -> Delays {
        Delays(Arc::new((ms, std::sync::atomic::AtomicUsize::new(0))))
    }

    fn next(&self) -> u64 {
        let (list, turn) = &*self.0;
        let i = turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        list.get(i % list.len().max(1)).copied().unwrap_or(0)
    }
}

impl PartialEq for Delays {
    fn eq(&self, other: &Delays) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Delays {}

/// What a [`Answer::Switched`] site does now; clones share the switch.
#[derive(Debug, Clone, Default)]
pub struct Switch(Arc<std::sync::atomic::AtomicU8>);

impl PartialEq for Switch {
    fn eq(&self, other: &Switch) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for Switch {}

impl Switch {
    const SERVE: u8 = 0;
    const FAIL: u8 = 1;
    const HANG: u8 = 2;
    const ALT: u8 = 3;

    pub fn new() -> Switch {
        Switch::default()
    }
    /// Answer normally.
    pub fn serve(&self) {
        self.0.store(Self::SERVE, std::sync::atomic::Ordering::SeqCst);
    }
    /// Answer 503 Service Unavailable.
    pub fn fail(&self) {
        self.0.store(Self::FAIL, std::sync::atomic::Ordering::SeqCst);
    }
    /// Accept and never answer.
    pub fn hang(&self) {
        self.0.store(Self::HANG, std::sync::atomic::Ordering::SeqCst);
    }
    /// Serve the other answer given to [`Switch::between`] (a new build going live).
    pub fn alternate(&self) {
        self.0.store(Self::ALT, std::sync::atomic::Ordering::SeqCst);
    }
    fn mode(&self) -> u8 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
    /// `then`, behind this switch.
    pub fn around(&self, then: Answer) -> Answer {
        Answer::Switched { switch: self.clone(), then: Box::new(then), alt: None }
    }
    /// `then`, or `alt` once [`Switch::alternate`] is called.
    pub fn between(&self, then: Answer, alt: Answer) -> Answer {
        Answer::Switched { switch: self.clone(), then: Box::new(then), alt: Some(Box::new(alt)) }
    }
}

/// One request an [`Answer::Inbox`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// The query string, without its `?` (empty when there is none).
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    /// The value of `key` in the query string, as sent (not percent-decoded).
    pub fn param(&self, key: &str) -> Option<String> {
        self.query.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| v.to_owned()))
    }
}

/// Where posted requests land (a webhook receiver); clones share it. It answers `fail_first`
/// requests with 500 before answering 200, to test retries.
#[derive(Debug, Clone, Default)]
pub struct Inbox {
    got: Arc<std::sync::Mutex<Vec<Received>>>,
    fail_first: Arc<std::sync::atomic::AtomicU32>,
    arrived: Arc<tokio::sync::Notify>,
}

/// Waits until `count()` reaches `n` or `within` passes, woken by `arrived` (never by polling);
/// says whether it got there.
pub(crate) async fn until_count(arrived: &tokio::sync::Notify, count: impl Fn() -> usize, n: usize, within: std::time::Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        // Registered before the count is read, so an arrival in between still wakes us.
        let next = arrived.notified();
        if count() >= n {
            return true;
        }
        if tokio::time::timeout_at(deadline, next).await.is_err() {
            return count() >= n;
        }
    }
}

impl PartialEq for Inbox {
    fn eq(&self, other: &Inbox) -> bool {
        Arc::ptr_eq(&self.got, &other.got)
    }
}
impl Eq for Inbox {}

impl Inbox {
    pub fn new() -> Inbox {
        Inbox::default()
    }
    /// Answer the next `n` requests with 500 (they are still kept).
    pub fn fail_next(&self, n: u32) {
        self.fail_first.store(n, std::sync::atomic::Ordering::SeqCst);
    }
    /// What arrived so far.
    pub fn received(&self) -> Vec<Received> {
        self.got.lock().map(|g| g.clone()).unwrap_or_default()
    }
    /// Waits until `n` requests have arrived (or `within` passes); says whether they did.
    pub async fn until_received(&self, n: usize, within: std::time::Duration) -> bool {
        until_count(&self.arrived, || self.got.lock().map(|g| g.len()).unwrap_or_default(), n, within).await
    }
    fn take(&self, req: &Request<Bytes>) -> u16 {
        let got = Received::of(req);
        if let Ok(mut g) = self.got.lock() {
            g.push(got);
        }
        self.arrived.notify_waiters();
        let failing =
            self.fail_first.fetch_update(std::sync::atomic::Ordering::SeqCst, std::sync::atomic::Ordering::SeqCst, |n| n.checked_sub(1));
        if failing.is_ok() {
            500
        } else {
            200
        }
    }
}

/// One host name of a product and how it behaves.
#[derive(Debug, Clone)]
pub struct Site {
    pub host: String,
    /// The certificate presented on HTTPS; `None` means HTTPS is not set up for this name.
    pub cert: Option<CertKind>,
    pub http: Answer,
    pub https: Answer,
}

impl Site {
    /// A name that only redirects, permanently and keeping the path, to `https://to`.
    pub fn redirecting(host: &str, to: &str) -> Site {
        Site {
            host: host.to_owned(),
            cert: Some(CertKind::Valid),
            http: Answer::redirect(&format!("https://{to}")),
            https: Answer::redirect(&format!("https://{to}")),
        }
    }

    /// A well-behaved site: valid certificate, HTTP redirects to HTTPS, HTTPS serves a page with HSTS
    /// (a title and a description, as a search result shows it) at `/` and a 404 page (with the same
    /// headers) for any address it does not have.
    pub fn healthy(host: &str) -> Site {
        let missing = match Answer::secure("<h1>Not found</h1>") {
            Answer::Page { headers, body, .. } => Answer::Page { status: 404, headers, body },
            other => other,
        };
        let home = Answer::secure(HEALTHY_PAGE);
        Site::serving(host, Answer::Paths { paths: vec![("/".into(), home)], other: Box::new(missing) })
    }

    /// A site with a valid certificate whose HTTP redirects to HTTPS, where `https` answers.
    pub fn serving(host: &str, https: Answer) -> Site {
        Site { host: host.to_owned(), cert: Some(CertKind::Valid), http: Answer::redirect(&format!("https://{host}")), https }
    }
}

/// The home page of a healthy site.
pub const HEALTHY_PAGE: &str = "<!doctype html><title>ok</title><meta name=\"description\" content=\"A healthy test product.\"><h1>ok</h1>";

/// Why the web servers could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebError {
    /// A certificate could not be minted.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// A key could not be loaded into rustls.
    #[error("could not load a test key: {0}")]
    Key(#[from] rustls::Error),
    /// The loopback listeners could not be bound.
    #[error("could not bind the web server: {0}")]
    Bind(#[from] std::io::Error),
}

#[derive(Debug)]
struct BySni(HashMap<String, Arc<CertifiedKey>>);

impl ResolvesServerCert for BySni {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.get(&hello.server_name()?.to_ascii_lowercase()).cloned()
    }
}

/// How the servers behave beyond each site's answers: what a hosting platform decides.
#[derive(Debug, Clone, Default)]
pub struct Serving {
    /// HTTPS offers HTTP/2 (ALPN `h2`) as well as HTTP/1.1.
    pub http2: bool,
    /// Headers added to every answer, as an edge network in front of the sites adds its own.
    pub edge: Vec<(&'static str, &'static str)>,
    /// The name the certificate authority goes by (`None`: the testbed's own name).
    pub ca: Option<&'static str>,
    /// The edge's firewall rules are on: every site behaves as if wrapped in [`Answer::Firewall`].
    pub waf: bool,
    /// The mail servers (the zone's MX hosts, on one loopback SMTP server) offer STARTTLS.
    pub starttls: bool,
}

/// The headers a Vercel-hosted product's answers carry (its edge names itself in them).
pub const VERCEL_EDGE: [(&str, &str); 2] = [("server", "Vercel"), ("x-vercel-id", "fra1::testbed")];

#[derive(Debug)]
struct Routes {
    sites: HashMap<String, Site>,
    edge: Vec<(String, String)>,
    waf: bool,
    /// Requests seen per host and path, for [`Answer::Limited`].
    counts: std::sync::Mutex<HashMap<String, u32>>,
}

/// The running servers; they stop when this is dropped.
#[derive(Debug)]
pub struct WebServer {
    pub http_addr: SocketAddr,
    pub https_addr: SocketAddr,
    cancel: CancellationToken,
}

impl WebServer {
    /// Serves `sites` as `options` say.
    pub async fn start(ca: &TestCa, sites: &[Site], options: &Serving) -> Result<WebServer, WebError> {
        let provider = rustls::crypto::ring::default_provider();
        let mut keys = HashMap::new();
        for site in sites {
            if let Some(kind) = &site.cert {
                let issued = ca.issue(&site.host, kind)?;
                let signer = provider.key_provider.load_private_key(issued.key)?;
                keys.insert(site.host.to_ascii_lowercase(), Arc::new(CertifiedKey::new(issued.chain, signer)));
            }
        }
        let mut tls = ServerConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(BySni(keys)));
        tls.alpn_protocols = if options.http2 { vec![b"h2".to_vec(), b"http/1.1".to_vec()] } else { vec![b"http/1.1".to_vec()] };
        let routes = Arc::new(Routes {
            sites: sites.iter().map(|s| (s.host.to_ascii_lowercase(), s.clone())).collect(),
            edge: options.edge.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            waf: options.waf,
            counts: std::sync::Mutex::new(HashMap::new()),
        });
        let http = TcpListener::bind("127.0.0.1:0").await?;
        let https = TcpListener::bind("127.0.0.1:0").await?;
        let server = WebServer { http_addr: http.local_addr()?, https_addr: https.local_addr()?, cancel: CancellationToken::new() };
        tokio::spawn(accept_loop(http, None, routes.clone(), server.cancel.clone()));
        tokio::spawn(accept_loop(https, Some(TlsAcceptor::from(Arc::new(tls))), routes, server.cancel.clone()));
        Ok(server)
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

async fn accept_loop(listener: TcpListener, tls: Option<TlsAcceptor>, routes: Arc<Routes>, cancel: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = cancel.cancelled() => return,
        };
        let Ok((tcp, _)) = accepted else { continue };
        // Like any production server: without this, a response written in two pieces waits for the
        // client's delayed ACK (40 ms on Linux) between them, and every hop of an audit pays it.
        let _ = tcp.set_nodelay(true);
        let routes = routes.clone();
        let tls = tls.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            let secure = tls.is_some();
            let serve = async move {
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(tcp).await {
                            serve(stream, routes, true).await;
                        }
                    }
                    None => serve(tcp, routes, false).await,
                }
            };
            tokio::select! {
                () = serve => {}
                () = cancel.cancelled() => tracing::trace!(secure, "connection closed at shutdown"),
            }
        });
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(io: S, routes: Arc<Routes>, secure: bool) {
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let routes = routes.clone();
        async move {
            // Bodies are read (bounded) so an inbox can keep what was posted to it.
            let (parts, body) = req.into_parts();
            let body = http_body_util::Limited::new(body, 1 << 20).collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            let req = Request::from_parts(parts, body);
            let mut resp = answer(&routes, &req, secure).await;
            for (k, v) in &routes.edge {
                if let (Ok(k), Ok(v)) = (k.parse::<hyper::header::HeaderName>(), v.parse()) {
                    resp.headers_mut().append(k, v);
                }
            }
            Ok::<_, Infallible>(resp)
        }
    });
    // HTTP/1.1 or HTTP/2, whichever the client starts (HTTP/2 only where ALPN agreed on it).
    let _ = auto::Builder::new(TokioExecutor::new()).serve_connection(TokioIo::new(io), service).await;
}

type Body = BoxBody<Bytes, Infallible>;

async fn answer(all: &Routes, req: &Request<Bytes>, secure: bool) -> Response<Body> {
    let routes = &all.sites;
    // HTTP/2 carries the host in the request's authority, not in a Host header.
    let host = req.headers().get(hyper::header::HOST).and_then(|h| h.to_str().ok()).or_else(|| req.uri().host()).unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h).to_ascii_lowercase();
    let Some(site) = routes.get(&host) else {
        return page(421, &[], "no site for this host", false);
    };
    let gzip_ok = req
        .headers()
        .get(hyper::header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let page = |status: u16, headers: &[(String, String)], body: &str| page(status, headers, body, gzip_ok);
    let mut chosen = (if secure { &site.https } else { &site.http }).for_path(req.uri().path());
    let firewalled = all.waf || matches!(chosen, Answer::Firewall { .. });
    let query = req.uri().query().unwrap_or_default().to_ascii_lowercase();
    if firewalled && (query.contains("%3cscript") || query.contains("<script")) {
        return page(403, &[("content-type".to_owned(), "text/html".to_owned())], "<h1>Request blocked by the firewall</h1>");
    }
    if let Answer::Firewall { then } = chosen {
        chosen = then.for_path(req.uri().path());
    }
    if let Answer::Limited { after, then } = chosen {
        let seen = all.counts.lock().map_or(0, |mut c| {
            let n = c.entry(format!("{host}{}", req.uri().path())).or_insert(0);
            *n += 1;
            *n
        });
        if seen > *after {
            return page(429, &[("retry-after".to_owned(), "30".to_owned())], "Too many requests");
        }
        chosen = then.for_path(req.uri().path());
    }
    // A delay and a switch may wrap each other (a page that turns slow when a new build goes live).
    loop {
        match chosen {
            Answer::Delayed { delays, then } => {
                tokio::time::sleep(std::time::Duration::from_millis(delays.next())).await;
                chosen = then.for_path(req.uri().path());
            }
            Answer::Switched { switch, then, alt } => match switch.mode() {
                Switch::FAIL => return page(503, &[("content-type".to_owned(), "text/plain".to_owned())], "down for maintenance"),
                Switch::HANG => return std::future::pending().await,
                Switch::ALT if alt.is_some() => chosen = alt.as_deref().unwrap_or(then).for_path(req.uri().path()),
                _ => chosen = then.for_path(req.uri().path()),
            },
            _ => break,
        }
    }
    match chosen {
        Answer::Redirect { status, to } => {
            let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
            let hsts = [(HSTS.0.to_owned(), HSTS.1.to_owned())];
            page(*status, if secure { &hsts } else { &[] }, "").with_location(&format!("{to}{path}"))
        }
        Answer::RedirectHome { status, to } => page(*status, &[], "").with_location(to),
        Answer::Page { status, headers, body } => page(*status, headers, body),
        Answer::ReflectOrigin { credentials } => {
            let origin = req.headers().get(hyper::header::ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or("*").to_owned();
            let mut headers = vec![
                ("access-control-allow-origin".to_owned(), origin),
                ("access-control-allow-methods".to_owned(), "GET, POST, OPTIONS".to_owned()),
                ("access-control-allow-headers".to_owned(), "authorization, content-type".to_owned()),
            ];
            if *credentials {
                headers.push(("access-control-allow-credentials".to_owned(), "true".to_owned()));
            }
            page(if req.method() == hyper::Method::OPTIONS { 204 } else { 200 }, &headers, "{\"ok\":true}")
        }
        Answer::Stream { first_ms, gap_ms, events } => {
            let (first, gap) = (*first_ms, *gap_ms);
            let frames = futures::StreamExt::then(stream::iter(events.clone().into_iter().enumerate()), move |(i, e)| async move {
                let wait = if i == 0 { first } else { gap };
                tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
                Ok::<_, Infallible>(Frame::data(Bytes::from(format!("data: {e}\n\n"))))
            });
            let mut resp = Response::new(StreamBody::new(frames).boxed());
            resp.headers_mut().insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("text/event-stream"));
            resp
        }
        Answer::Paths { .. } | Answer::Limited { .. } | Answer::Firewall { .. } | Answer::Switched { .. } | Answer::Delayed { .. } => {
            page(500, &[], "nested firewalls and rate limiters are not simulated")
        }
        Answer::Inbox(inbox) => page(inbox.take(req), &[], "ok"),
        Answer::App(app) => {
            let reply = app.answer(&Received::of(req));
            page(reply.status, &reply.headers, &reply.body)
        }
        Answer::Hang => std::future::pending().await,
        Answer::Endless => {
            let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
            let frames = stream::repeat_with(move || Ok::<_, Infallible>(Frame::data(chunk.clone())));
            Response::new(StreamBody::new(frames).boxed())
        }
    }
}

/// A response with these headers (repeats kept: several `set-cookie`s). A page that declares
/// `content-encoding: gzip` really is compressed when the client accepts it, and sent plain (without
/// the header) when it does not, as a real server does.
fn page(status: u16, headers: &[(String, String)], body: &str, gzip_ok: bool) -> Response<Body> {
    let gzip = headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("content-encoding") && v == "gzip");
    let bytes = match gzip && gzip_ok {
        true => gzipped(body.as_bytes()),
        false => Bytes::from(body.to_owned()),
    };
    let mut resp = Response::new(Full::new(bytes).boxed());
    *resp.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in headers {
        if gzip && !gzip_ok && k.eq_ignore_ascii_case("content-encoding") {
            continue;
        }
        if let (Ok(k), Ok(v)) = (k.parse::<hyper::header::HeaderName>(), v.parse()) {
            resp.headers_mut().append(k, v);
        }
    }
    resp
}

fn gzipped(body: &[u8]) -> Bytes {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail; an empty body is the harmless fallback.
    let _ = enc.write_all(body);
    Bytes::from(enc.finish().unwrap_or_default())
}
