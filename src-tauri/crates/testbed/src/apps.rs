//! Small applications for tests and the demo, served by [`crate::Answer::App`]: a sign-in with
//! sessions and CSRF tokens, beside a JSON sign-in API with bearer tokens. Each has broken twins a
//! product really ships (a sign-in that silently fails, a session that does not stick, a CAPTCHA).

use crate::handler::{App, Reply};
use crate::web::Received;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// The test account the sign-in accepts.
pub const EMAIL: &str = "ada@acme.test";
pub const PASSWORD: &str = "correct horse battery";

/// How the test product's sign-in behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Works,
    /// Accepts the password, then forgets the session: every signed-in page sends you back.
    Forgets,
    /// The sign-in page carries a CAPTCHA.
    Captcha,
    /// Logging out answers as if it worked, and the session lives on.
    LogoutKeeps,
    /// The chatbot answers 200 with an empty reply.
    SilentBot,
}

/// A sign-in with sessions: /login sets a session cookie and a CSRF token bound to it, POST
/// /session checks both and the password, /account needs a signed-in session, /logout (a page with
/// a form, then its POST with the token) ends it. A JSON API beside it: POST /api/login answers a
/// token, /api/me needs it; POST /api/chat (signed-in session or token) answers a reply and a
/// conversation id that the next message must carry; /api/stream streams its reply.
pub fn sign_in(behaviour: Behaviour) -> App {
    let next = Arc::new(AtomicU32::new(1));
    let signed_in: Arc<Mutex<HashSet<String>>> = Arc::default();
    App::new(move |r: &Received| {
        let sid = r.cookie("sid");
        let form = |sid: &str| {
            let captcha = if behaviour == Behaviour::Captcha { r#"<div class="cf-turnstile" data-sitekey="x"></div>"# } else { "" };
            format!(
                r#"<h1>Sign in</h1><form method="post" action="/session"><input type="hidden" name="csrf" value="csrf-{sid}">
<input type="email" name="email"><input type="password" name="password">{captcha}<button>Sign in</button></form>"#
            )
        };
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/login") => match sid {
                Some(s) => Reply::html(&form(&s)),
                None => {
                    let s = format!("s{}", next.fetch_add(1, Ordering::SeqCst));
                    Reply::html(&form(&s)).header("set-cookie", &format!("sid={s}; Path=/; HttpOnly; Secure; SameSite=Lax"))
                }
            },
            ("POST", "/session") => {
                let Some(s) = sid else { return Reply::html("no session").status(400) };
                if r.form("csrf").as_deref() != Some(&format!("csrf-{s}")) {
                    return Reply::html("bad token").status(403);
                }
                if r.form("email").as_deref() == Some(EMAIL) && r.form("password").as_deref() == Some(PASSWORD) {
                    if let Ok(mut g) = signed_in.lock() {
                        g.insert(s);
                    }
                    Reply::see_other("/account")
                } else {
                    // The silent failure: the form again, with a 200.
                    Reply::html(&form(&s))
                }
            }
            ("GET", "/account") => {
                let ok = behaviour != Behaviour::Forgets && sid.as_ref().is_some_and(|s| signed_in.lock().is_ok_and(|g| g.contains(s)));
                match (ok, &sid) {
                    (true, Some(s)) => Reply::html(&format!(
                        r#"<h1>Your account</h1><form method="post" action="/logout"><input type="hidden" name="csrf" value="csrf-{s}"><button>Log out</button></form>"#
                    )),
                    _ => Reply::see_other("/login"),
                }
            }
            ("GET", "/logout") => match &sid {
                Some(s) => Reply::html(&format!(
                    r#"<p>Log out of Acme?</p><form method="post" action="/logout"><input type="hidden" name="csrf" value="csrf-{s}"><button>Log out</button></form>"#
                )),
                None => Reply::see_other("/login"),
            },
            ("POST", "/logout") => {
                let Some(s) = sid else { return Reply::see_other("/login") };
                if r.form("csrf").as_deref() != Some(&format!("csrf-{s}")) {
                    return Reply::html("bad token").status(403);
                }
                if behaviour != Behaviour::LogoutKeeps {
                    if let Ok(mut g) = signed_in.lock() {
                        g.remove(&s);
                    }
                }
                Reply::see_other("/login")
            }
            ("POST", "/api/chat") | ("POST", "/api/stream") => {
                let session = sid.as_ref().is_some_and(|s| signed_in.lock().is_ok_and(|g| g.contains(s)));
                if !session && r.header("authorization") != Some("Bearer tok-live-1") {
                    return Reply::json(r#"{"error":"sign in first"}"#).status(401);
                }
                let body: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
                match body.get("conversation_id").and_then(|c| c.as_str()) {
                    Some(c) if c != "c-1" => return Reply::json(r#"{"error":"no such conversation"}"#).status(404),
                    _ => {}
                }
                let said = if behaviour == Behaviour::SilentBot { "" } else { "Hello Ada, how can I help?" };
                if r.path == "/api/stream" {
                    let events: String =
                        said.split(' ').filter(|w| !w.is_empty()).map(|w| format!("data: {{\"token\":\"{w} \"}}\n\n")).collect();
                    return Reply {
                        status: 200,
                        headers: vec![("content-type".into(), "text/event-stream".into())],
                        body: format!("{events}data: [DONE]\n\n"),
                    };
                }
                Reply::json(&serde_json::json!({ "conversation_id": "c-1", "reply": said }).to_string())
            }
            ("POST", "/api/login") => {
                let body: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
                if body["email"] == EMAIL && body["password"] == PASSWORD {
                    Reply::json(r#"{"token":"tok-live-1"}"#)
                } else {
                    Reply::json(r#"{"error":"invalid credentials"}"#).status(401)
                }
            }
            ("GET", "/api/login") => Reply::json("{}").status(405),
            ("GET", "/api/me") if r.header("authorization") == Some("Bearer tok-live-1") && behaviour != Behaviour::Forgets => {
                Reply::json(r#"{"email":"ada@acme.test"}"#)
            }
            ("GET", "/api/me") => Reply::json(r#"{"error":"sign in"}"#).status(401),
            _ => Reply::html("not found").status(404),
        }
    })
}
