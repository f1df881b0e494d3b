//! A stand-in for an ntfy server (what the watcher posts alerts to, and what the app reads a
//! server watcher's alerts from): a topic takes POSTs (the title, priority and tags headers, the
//! body as the message) and answers ntfy's poll of its cached messages, `GET /<topic>/json?poll=1
//! &since=<unix seconds>`, one JSON object per line, as ntfy.sh does. A token, when set, is
//! required as `Authorization: Bearer`.

use crate::handler::{App, Reply};
use crate::web::Received;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// One message of a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub topic: String,
    /// Unix seconds, as ntfy stamps it.
    pub time: u64,
    pub title: String,
    pub message: String,
    pub tags: Vec<String>,
}

/// The server's topics.
#[derive(Debug, Clone, Default)]
pub struct Ntfy {
    messages: Arc<Mutex<Vec<Message>>>,
    token: Option<String>,
    posted: Arc<tokio::sync::Notify>,
}

impl Ntfy {
    pub fn new() -> Ntfy {
        Ntfy::default()
    }

    /// A server that refuses anyone without `token`.
    pub fn with_token(token: &str) -> Ntfy {
        Ntfy { token: Some(token.to_owned()), ..Ntfy::default() }
    }

    /// Every message posted so far, oldest first.
    pub fn messages(&self) -> Vec<Message> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Waits until `n` messages have been posted (or `within` passes); says whether they were.
    pub async fn until_posted(&self, n: usize, within: std::time::Duration) -> bool {
        crate::web::until_count(&self.posted, || self.messages().len(), n, within).await
    }

    /// The web answers of this server.
    pub fn app(&self) -> App {
        let me = self.clone();
        App::new(move |r: &Received| me.answer(r))
    }

    fn answer(&self, r: &Received) -> Reply {
        let header = |k: &str| r.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone());
        if let Some(t) = &self.token {
            if header("authorization") != Some(format!("Bearer {t}")) {
                return Reply::json(r#"{"code":40101,"http":401,"error":"unauthorized"}"#).status(401);
            }
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        let path = r.path.trim_matches('/');
        match (r.method.as_str(), path.strip_suffix("/json")) {
            ("POST", None) if !path.is_empty() && !path.contains('/') => {
                let tags = header("tags")
                    .map(|t| t.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                    .unwrap_or_default();
                let m = Message {
                    topic: path.to_owned(),
                    time: now,
                    title: header("title").unwrap_or_default(),
                    message: r.body.clone(),
                    tags,
                };
                let id = format!("m{}", self.messages().len() + 1);
                let reply = json!({ "id": id, "time": m.time, "event": "message", "topic": m.topic, "title": m.title, "message": m.message, "tags": m.tags });
                if let Ok(mut all) = self.messages.lock() {
                    all.push(m);
                }
                self.posted.notify_waiters();
                Reply::json(&reply.to_string())
            }
            ("GET", Some(topic)) if r.param("poll").as_deref() == Some("1") => {
                let since: u64 = r.param("since").and_then(|s| s.parse().ok()).unwrap_or(0);
                let lines: Vec<String> = self
                    .messages()
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.topic == topic && m.time >= since)
                    .map(|(i, m)| json!({ "id": format!("m{}", i + 1), "time": m.time, "event": "message", "topic": m.topic, "title": m.title, "message": m.message, "tags": m.tags }).to_string())
                    .collect();
                Reply { status: 200, headers: vec![("content-type".into(), "application/x-ndjson".into())], body: lines.join("\n") + "\n" }
            }
            _ => Reply::json(r#"{"code":40401,"http":404,"error":"page not found"}"#).status(404),
        }
    }
}
