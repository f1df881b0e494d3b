//! Outside channels: the notices of the watcher posted to Slack, Discord, ntfy or any webhook, so
//! a co-founder's phone hears about an outage even when the laptop's notifications are off.
//!
//! The address of a channel is a secret (a Slack webhook URL is enough to post to the workspace),
//! so it lives only in the keychain; the front end loads it into a [`Target`] just before the
//! watcher starts, and it never appears in a log, an event or the history. Requests go through the
//! engine's `Net`, with its deadlines and trust store, and are retried with backoff; a delivery
//! that still fails is reported as an event, never dropped silently.

use crate::notice::{Notice, NoticeKind};
use preflight_core::net::Request;
use preflight_core::Net;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use url::Url;

/// Which service a channel posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Slack,
    Discord,
    Ntfy,
    Webhook,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 4] = [ChannelKind::Slack, ChannelKind::Discord, ChannelKind::Ntfy, ChannelKind::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Slack => "slack",
            ChannelKind::Discord => "discord",
            ChannelKind::Ntfy => "ntfy",
            ChannelKind::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<ChannelKind> {
        ChannelKind::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Checks an address for this kind before it is stored.
    pub fn check_url(self, url: &str) -> Result<Url, String> {
        let u = Url::parse(url.trim()).map_err(|e| format!("this is not a web address ({e})"))?;
        if u.scheme() != "https" && !(u.scheme() == "http" && self == ChannelKind::Webhook) {
            return Err("the address must start with https://".into());
        }
        if u.host_str().is_none() {
            return Err("the address has no host".into());
        }
        if self == ChannelKind::Ntfy && u.path().trim_matches('/').is_empty() {
            return Err("an ntfy address ends with the topic: https://ntfy.sh/your-topic".into());
        }
        Ok(u)
    }
}

/// A channel ready to post to: its address (and token) loaded from the keychain.
#[derive(Clone)]
pub struct Target {
    pub id: i64,
    pub name: String,
    pub kind: ChannelKind,
    pub url: Url,
    /// ntfy's access token, when the topic is protected.
    pub token: Option<String>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The address is the secret: only the host is shown.
        f.debug_struct("Target")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("host", &self.url.host_str())
            .finish_non_exhaustive()
    }
}

/// Which watcher posts: the app's (on a laptop that sleeps) or a headless one (`preflight watch`
/// on a server). An ntfy notice carries it as a tag, so the app can read the server's notices off
/// the same topic and tell them from its own ([`crate::vantage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    App,
    Headless,
}

impl Origin {
    pub fn tag(self) -> &'static str {
        match self {
            Origin::App => "preflight-app",
            Origin::Headless => "preflight-watch",
        }
    }
}

/// A monitor's name as an ntfy tag: plain ASCII, no comma (the header's separator).
pub fn monitor_tag(name: &str) -> String {
    let clean: String = name.chars().map(|c| if c.is_ascii() && !c.is_control() && c != ',' { c } else { '_' }).collect();
    format!("monitor:{}", clean.trim())
}

/// The tag of a notice's kind, for the notices two watchers compare.
pub fn kind_tag(kind: NoticeKind) -> Option<&'static str> {
    match kind {
        NoticeKind::Down => Some("preflight-down"),
        NoticeKind::Up => Some("preflight-up"),
        _ => None,
    }
}

/// The request that delivers `notice` to `target`, posted by the watcher `origin`.
pub fn request(target: &Target, notice: &Notice, origin: Origin) -> Request {
    let urgent = matches!(notice.kind, NoticeKind::Down | NoticeKind::Reminder);
    let text = format!("{}\n{}", notice.title, notice.body);
    let json =
        |v: serde_json::Value| Request::new("POST", target.url.clone()).header("content-type", "application/json").body(v.to_string());
    match target.kind {
        ChannelKind::Slack => json(serde_json::json!({ "text": text })),
        ChannelKind::Discord => json(serde_json::json!({ "content": text, "allowed_mentions": { "parse": [] } })),
        ChannelKind::Webhook => json(serde_json::json!({ "source": "preflight", "notice": notice })),
        ChannelKind::Ntfy => {
            // Header values must be plain ASCII on one line.
            let title: String = notice.title.chars().map(|c| if c.is_ascii() && !c.is_control() { c } else { ' ' }).collect();
            let mut tags = vec![if urgent { "rotating_light" } else { "white_check_mark" }.to_owned(), origin.tag().to_owned()];
            tags.extend(kind_tag(notice.kind).map(str::to_owned));
            tags.extend(notice.monitors.iter().map(|m| monitor_tag(m)));
            let mut r = Request::new("POST", target.url.clone())
                .header("title", title)
                .header("priority", if urgent { "high" } else { "default" })
                .header("tags", tags.join(","))
                .body(notice.body.clone());
            if let Some(t) = &target.token {
                r = r.header("authorization", format!("Bearer {t}"));
            }
            r
        }
    }
}

/// Pauses between attempts: three tries over about ten seconds.
pub const BACKOFF: [Duration; 2] = [Duration::from_secs(2), Duration::from_secs(8)];

/// Posts `notice` to `target`, retrying with backoff; the error says what the last attempt got.
pub async fn deliver(net: &Net, target: &Target, notice: &Notice, origin: Origin, backoff: &[Duration]) -> Result<(), String> {
    let req = request(target, notice, origin);
    let mut last = String::new();
    for attempt in 0..=backoff.len() {
        if attempt > 0 {
            tokio::time::sleep(backoff[attempt - 1]).await;
        }
        match net.fetch(&req).await {
            Ok(r) if (200..300).contains(&r.status) => return Ok(()),
            Ok(r) => last = format!("{} answered {}", target.kind.as_str(), r.status),
            // The address is the secret: only its host may be named.
            Err(e) => last = format!("{} could not be reached ({})", target.kind.as_str(), e.without_path()),
        }
        tracing::warn!(channel = %target.name, attempt = attempt + 1, error = %last, "a notice was not delivered");
    }
    Err(last)
}

/// The notice "send test" posts.
pub fn test_notice(at: u64) -> Notice {
    Notice {
        kind: NoticeKind::Up,
        title: "Preflight test message".into(),
        body: "If you can read this, Preflight's alerts reach this channel.".into(),
        monitors: Vec::new(),
        at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_per_kind() {
        assert!(ChannelKind::Slack.check_url("https://hooks.slack.example/services/T/B/x").is_ok());
        assert!(ChannelKind::Slack.check_url("http://hooks.slack.example/x").is_err(), "a secret address over plain http");
        assert!(ChannelKind::Webhook.check_url("http://10.0.0.5:8080/hook").is_ok(), "a private receiver may be plain http");
        assert!(ChannelKind::Ntfy.check_url("https://ntfy.example/").is_err(), "the topic is missing");
        assert_eq!(ChannelKind::parse("Discord"), Some(ChannelKind::Discord));
        assert_eq!(ChannelKind::parse("teams"), None);
    }

    #[test]
    fn the_address_never_shows_in_debug_output() {
        let t = Target {
            id: 1,
            name: "team".into(),
            kind: ChannelKind::Slack,
            url: Url::parse("https://hooks.slack.example/services/T0/B0/s3cr3tpart").expect("url"),
            token: Some("tok3n".into()),
        };
        let shown = format!("{t:?}");
        assert!(!shown.contains("s3cr3tpart") && !shown.contains("tok3n"), "{shown}");
    }
}
