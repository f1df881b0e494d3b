//! Answers a test writes itself, for [`crate::Answer::App`]: the [`Reply`] a function gives each
//! [`Received`] request, and what such a function reads from a request (a header, a cookie, a field
//! of a form). The serving itself stays in [`crate::web`].

use crate::web::Received;
use bytes::Bytes;
use hyper::Request;
use std::sync::Arc;

/// What an [`App`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    /// Repeats kept (several `set-cookie`s).
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn html(body: &str) -> Reply {
        Reply { status: 200, headers: vec![("content-type".into(), "text/html; charset=utf-8".into())], body: body.to_owned() }
    }
    pub fn json(body: &str) -> Reply {
        Reply { status: 200, headers: vec![("content-type".into(), "application/json".into())], body: body.to_owned() }
    }
    /// A 303 See Other to `to`, as a form's handler answers.
    pub fn see_other(to: &str) -> Reply {
        Reply { status: 303, headers: vec![("location".into(), to.to_owned())], body: String::new() }
    }
    pub fn status(mut self, status: u16) -> Reply {
        self.status = status;
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// The function behind an [`Answer::App`]; clones share it.
#[derive(Clone)]
pub struct App(Arc<dyn Fn(&Received) -> Reply + Send + Sync>);

impl App {
    pub fn new(answer: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> App {
        App(Arc::new(answer))
    }

    /// This app, and `other` for what it does not know (answers 404): two apps on one host.
    pub fn or(self, other: App) -> App {
        App::new(move |r: &Received| {
            let first = self.answer(r);
            if first.status == 404 {
                other.answer(r)
            } else {
                first
            }
        })
    }

    /// The reply to `request`.
    pub(crate) fn answer(&self, request: &Received) -> Reply {
        (self.0)(request)
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("App")
    }
}

impl PartialEq for App {
    fn eq(&self, other: &App) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for App {}

impl Received {
    /// A request as the test's code sees it.
    pub(crate) fn of(req: &Request<Bytes>) -> Received {
        let headers = req.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
        Received {
            method: req.method().as_str().to_owned(),
            path: req.uri().path().to_owned(),
            query: req.uri().query().unwrap_or_default().to_owned(),
            headers,
            body: String::from_utf8_lossy(req.body()).into_owned(),
        }
    }

    /// A header's value (names matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A cookie the request carries.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.header("cookie")?.split(';').filter_map(|c| c.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v.to_owned())
    }

    /// A field of a form-encoded body.
    pub fn form(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.body.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }
}
