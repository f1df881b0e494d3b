//! Two vantage points on a compressed clock against the testbed: a headless watcher (a server)
//! posts its DOWN and UP to an ntfy topic; the app's watcher reads that topic. When the server
//! said it first, the app only shows that both see it (no notice, no post to any channel); when
//! no server speaks, the app tells the founder itself after waiting [`HOLD_MS`] at most.

mod common;

use common::{notices, until};
use preflight_core::monitor::{MonitorSpec, ProbeSpec};
use preflight_core::Net;
use preflight_testbed::ntfy::Ntfy;
use preflight_testbed::{Answer, Inbox, Product, Site, Switch, Testbed};
use preflight_watch::channels::{ChannelKind, Origin, Target};
use preflight_watch::vantage::HOLD_MS;
use preflight_watch::{Event, FastClock, Monitor, NoticeKind, Reference, Settings, Watcher};
use std::sync::Arc;
use std::time::Duration;

const SPEED: u64 = 60;
const D: &str = "vantage.test";

struct Bed {
    _bed: Testbed,
    net: Net,
    site: Switch,
    ntfy: Ntfy,
    team: Inbox,
}

async fn bed() -> Bed {
    let (site, ntfy, team) = (Switch::new(), Ntfy::with_token("tk_server"), Inbox::new());
    let product = Product::healthy(D, &["", "ref", "ntfy", "hooks"])
        .site(Site { https: site.around(Answer::secure("home")), ..Site::healthy(D) })
        .site(Site { https: Answer::ok("reference"), ..Site::healthy(&format!("ref.{D}")) })
        .site(Site { https: Answer::App(ntfy.app()), ..Site::healthy(&format!("ntfy.{D}")) })
        .site(Site { https: Answer::Inbox(team.clone()), ..Site::healthy(&format!("hooks.{D}")) });
    let bed = Testbed::start(product).await.expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");
    Bed { _bed: bed, net, site, ntfy, team }
}

fn monitor() -> Monitor {
    Monitor::new(1, D, MonitorSpec { name: "Home page".into(), interval_secs: 10, probe: ProbeSpec::get(&format!("https://{D}/")) })
}

fn target(id: i64, kind: ChannelKind, url: &str, token: Option<&str>) -> Target {
    Target { id, name: format!("channel {id}"), kind, url: url.parse().expect("url"), token: token.map(str::to_owned) }
}

fn topic() -> Target {
    target(1, ChannelKind::Ntfy, &format!("https://ntfy.{D}/alerts"), Some("tk_server"))
}

fn settings() -> Settings {
    let mut s = Settings::new(vec![Reference::parse(&format!("https://ref.{D}/")).expect("reference")]);
    s.backoff = vec![Duration::from_millis(50)];
    s
}

fn agreed(seen: &[Event], kind: NoticeKind) -> usize {
    seen.iter().filter(|e| matches!(e, Event::Agreed { kind: k, .. } if *k == kind)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_server_already_told_is_shown_not_told_again_and_silence_never_hides_an_outage() {
    let b = bed().await;
    let clock = || Arc::new(FastClock::new(1_700_000_000_000, SPEED));
    // The server: headless, posting to the topic.
    let mut server = settings();
    server.origin = Origin::Headless;
    server.channels = vec![topic()];
    let (server_watch, mut server_rx) = Watcher::start(b.net.clone(), clock(), vec![monitor()], server);
    // The laptop: the app, reading the topic, posting to the team's webhook when it must tell.
    let mut app = settings();
    app.channels = vec![target(2, ChannelKind::Webhook, &format!("https://hooks.{D}/preflight"), None)];
    app.server_feed = Some(topic());
    let (app_watch, mut app_rx) = Watcher::start(b.net.clone(), clock(), vec![monitor()], app);

    b.site.fail();
    let (mut on_server, mut on_app) = (Vec::new(), Vec::new());
    assert!(until(&mut server_rx, &mut on_server, 20, |s| notices(s, NoticeKind::Down) == 1).await, "the server tells: {on_server:#?}");
    assert!(until(&mut app_rx, &mut on_app, 20, |s| agreed(s, NoticeKind::Down) == 1).await, "the app agrees: {on_app:#?}");
    b.site.serve();
    assert!(until(&mut server_rx, &mut on_server, 20, |s| notices(s, NoticeKind::Up) == 1).await);
    assert!(until(&mut app_rx, &mut on_app, 20, |s| agreed(s, NoticeKind::Up) == 1).await, "{on_app:#?}");
    assert_eq!((notices(&on_app, NoticeKind::Down), notices(&on_app, NoticeKind::Up)), (0, 0), "the app told nothing itself: {on_app:#?}");
    assert!(b.team.received().is_empty(), "and posted nowhere");
    let posted = b.ntfy.messages();
    assert_eq!(posted.len(), 2, "the server's DOWN and UP, once each: {posted:#?}");
    assert!(posted.iter().all(|m| m.tags.contains(&"preflight-watch".to_owned()) && m.tags.contains(&"monitor:Home page".to_owned())));
    drop(server_watch);

    // No server any more: the app waits for its word, then tells the founder itself.
    b.site.fail();
    let before = on_app.len();
    assert!(until(&mut app_rx, &mut on_app, 30, |s| notices(s, NoticeKind::Down) == 1).await, "{on_app:#?}");
    let (changed, notice) = on_app[before..].iter().fold((None, None), |(c, n), e| match e {
        Event::Changed { at, to: preflight_watch::State::Down, .. } => (c.or(Some(*at)), n),
        Event::Notice(x) if x.kind == NoticeKind::Down => (c, Some(x.at)),
        _ => (c, n),
    });
    let (Some(changed), Some(notice)) = (changed, notice) else { panic!("a DOWN and its notice: {on_app:#?}") };
    assert!(notice - changed <= HOLD_MS + 60_000, "told within the wait for the server: {} ms", notice - changed);
    let _ = b.team.until_received(1, Duration::from_secs(10)).await;
    assert_eq!(b.team.received().len(), 1, "the team's channel gets the app's DOWN");
    assert_eq!(b.ntfy.messages().len(), 2, "the app never posts to the topic it reads: it is not one of its channels");
    drop(app_watch);
}
