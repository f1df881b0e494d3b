//! Two vantage points agree before anyone is woken twice. A headless watcher on a server (which
//! never sleeps) posts its DOWN and UP notices to an ntfy topic, tagged as its own; the app on the
//! founder's laptop reads that topic. When the app confirms a monitor DOWN (or UP) it first looks
//! whether the server already said the same: then the founder's phone has already buzzed, and the
//! app only says, quietly, that both see it. When the server says nothing within [`HOLD_MS`], or
//! its topic cannot be read, the app tells the founder itself: a doubt never silences an alarm.

use crate::channels::{kind_tag, monitor_tag, Origin, Target};
use crate::notice::{Notice, NoticeKind};
use preflight_core::net::http::Request;
use preflight_core::Net;

/// How long the app waits for the server's word before telling the founder itself. A server
/// probing every minute confirms an outage within about three minutes of the app.
pub const HOLD_MS: u64 = 4 * 60_000;
/// How often the topic is read while a notice is held.
pub const POLL_EVERY_MS: u64 = 20_000;
/// The server may have seen it first: its notices count from this long before the app's.
pub const LOOKBACK_MS: u64 = 15 * 60_000;
/// A poll reads at most this much of the topic.
const MAX_BYTES: usize = 1 << 20;

/// A DOWN or UP notice the headless watcher posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heard {
    pub kind: NoticeKind,
    /// Its monitors, as tags ([`monitor_tag`]).
    pub monitors: Vec<String>,
    pub at: u64,
}

/// The headless watcher's notices posted to `feed` since `since_ms` (ntfy's poll of cached
/// messages: one JSON object per line).
pub async fn heard(net: &Net, feed: &Target, since_ms: u64) -> Result<Vec<Heard>, String> {
    let mut url = feed.url.clone();
    let path = format!("{}/json", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_query(Some(&format!("poll=1&since={}", since_ms / 1000)));
    let mut req = Request::get(url);
    if let Some(t) = &feed.token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let answer =
        net.fetch_bounded(&req, MAX_BYTES).await.map_err(|e| format!("the server's topic could not be read ({})", e.without_path()))?;
    if answer.status != 200 {
        return Err(format!("the server's topic answered {}", answer.status));
    }
    Ok(String::from_utf8_lossy(&answer.body).lines().filter_map(parse).collect())
}

fn parse(line: &str) -> Option<Heard> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if v["event"] != "message" {
        return None;
    }
    let tags: Vec<&str> = v["tags"].as_array()?.iter().filter_map(|t| t.as_str()).collect();
    if !tags.contains(&Origin::Headless.tag()) {
        return None;
    }
    let kind = [NoticeKind::Down, NoticeKind::Up].into_iter().find(|k| kind_tag(*k).is_some_and(|t| tags.contains(&t)))?;
    let monitors = tags.iter().filter(|t| t.starts_with("monitor:")).map(|t| (*t).to_owned()).collect();
    Some(Heard { kind, monitors, at: v["time"].as_u64()?.saturating_mul(1000) })
}

/// When the server's latest word about each of `notice`'s monitors is what `notice` says (the same
/// kind, not long before it), the time of the latest of those words. A DOWN the server has since
/// taken back with an UP agrees with nothing.
pub fn agrees(notice: &Notice, heard: &[Heard]) -> Option<u64> {
    if kind_tag(notice.kind).is_none() || notice.monitors.is_empty() {
        return None;
    }
    let mut latest = None;
    for m in &notice.monitors {
        let tag = monitor_tag(m);
        let last = heard.iter().filter(|h| h.monitors.contains(&tag)).max_by_key(|h| h.at)?;
        if last.kind != notice.kind || last.at + LOOKBACK_MS < notice.at {
            return None;
        }
        latest = latest.max(Some(last.at));
    }
    latest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(kind: NoticeKind, monitors: &[&str], at: u64) -> Notice {
        Notice { kind, title: String::new(), body: String::new(), monitors: monitors.iter().map(|m| (*m).to_owned()).collect(), at }
    }

    #[test]
    fn only_the_servers_own_word_about_every_monitor_counts() {
        let line = |tags: &str, time: u64| format!(r#"{{"id":"x","time":{time},"event":"message","topic":"t","tags":[{tags}]}}"#);
        let server = parse(&line(r#""rotating_light","preflight-watch","preflight-down","monitor:Home page","monitor:API""#, 1_000))
            .expect("a server notice");
        assert_eq!(
            server,
            Heard { kind: NoticeKind::Down, monitors: vec!["monitor:Home page".into(), "monitor:API".into()], at: 1_000_000 }
        );
        assert_eq!(parse(&line(r#""rotating_light","preflight-app","preflight-down","monitor:API""#, 1)), None, "the app's own post");
        assert_eq!(parse(r#"{"event":"keepalive","time":5}"#), None);
        let heard = vec![server];
        assert_eq!(agrees(&notice(NoticeKind::Down, &["API"], 1_100_000), &heard), Some(1_000_000));
        assert_eq!(agrees(&notice(NoticeKind::Down, &["API", "Checkout"], 1_100_000), &heard), None, "every monitor");
        assert_eq!(agrees(&notice(NoticeKind::Up, &["API"], 1_100_000), &heard), None, "the same kind");
        assert_eq!(agrees(&notice(NoticeKind::Down, &["API"], 1_000_000 + LOOKBACK_MS + 1), &heard), None, "an old outage");
        let mut over = heard.clone();
        over.push(Heard { kind: NoticeKind::Up, monitors: vec!["monitor:API".into()], at: 1_050_000 });
        assert_eq!(agrees(&notice(NoticeKind::Down, &["API"], 1_100_000), &over), None, "the server's latest word counts");
    }
}
