//! The watcher's tables on a real SQLite file: monitors, samples folded into rollups, windows
//! merged from them, incidents, deploys and retention.

use preflight_core::monitor::{MonitorSpec, ProbeSpec};
use preflight_store::samples::{DAY_MS, HOUR_MS};
use preflight_store::{Sample, Store, WatchOp};

fn spec(name: &str) -> MonitorSpec {
    MonitorSpec { name: name.into(), interval_secs: 60, probe: ProbeSpec::get("https://acme.test/") }
}

fn add(store: &Store, name: &str) -> i64 {
    store.watch(WatchOp::SaveMonitor { domain: "acme.test".into(), spec: Box::new(spec(name)) }).expect("saved")
}

fn sample(monitor_id: i64, at_ms: i64, ok: bool, ms: u64) -> Sample {
    Sample { monitor_id, at_ms, ok, latency_ms: Some(ms), cause: (!ok).then(|| "status 503".to_owned()) }
}

#[test]
fn a_monitor_is_one_row_per_name_and_edits_keep_its_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_in(dir.path()).expect("open");
    let id = add(&store, "Home page");
    let mut edited = spec("Home page");
    edited.interval_secs = 30;
    let again = store.watch(WatchOp::SaveMonitor { domain: "acme.test".into(), spec: Box::new(edited.clone()) }).expect("saved");
    assert_eq!(id, again, "saving the same name edits it");
    let rows = store.monitors(Some("acme.test")).expect("list");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].spec, edited);
    store.watch(WatchOp::EnableMonitor { id, enabled: false }).expect("disabled");
    assert!(!store.monitor(id).expect("read").expect("exists").enabled);
    assert_eq!(store.watch(WatchOp::DeleteMonitor { id }).expect("deleted"), 1);
    assert!(store.monitors(None).expect("list").is_empty());
}

#[test]
fn windows_are_merged_from_rollups_with_the_right_uptime_and_p95() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_in(dir.path()).expect("open");
    let (a, b) = (add(&store, "a"), add(&store, "b"));
    let start = 100 * DAY_MS;
    // Three days of one probe a minute: latencies 1..=100 ms in turn, one failure in a hundred.
    let samples: Vec<Sample> = (0..3 * 1440).map(|i| sample(a, start + i * 60_000, i % 100 != 99, (i % 100 + 1) as u64)).collect();
    for chunk in samples.chunks(500) {
        store.queue_watch(WatchOp::Samples(chunk.to_vec())).expect("queued");
    }
    store.queue_watch(WatchOp::Samples(vec![sample(b, start, true, 900)])).expect("queued");
    store.flush().expect("flushed");

    let day = store.window(&[a], start, start + DAY_MS).expect("window");
    assert_eq!((day.probes, day.failures), (1440, 14));
    let p95 = day.p95_ms.expect("latencies");
    assert!((94..=96).contains(&p95), "p95 of 1..=100 ms is 95 (1% error): {p95}");
    let month = store.window(&[a], start - 10 * DAY_MS, start + 20 * DAY_MS).expect("window");
    assert_eq!(month.probes, 3 * 1440, "a long window reads the daily rollups");
    let both = store.window(&[a, b], start, start + HOUR_MS).expect("window");
    assert_eq!(both.probes, 61);
    assert_eq!(both.p99_ms.map(|v| v >= 890), Some(true));
    let none = store.window(&[a], 0, DAY_MS).expect("window");
    assert_eq!((none.probes, none.uptime_pct, none.p95_ms), (0, None, None));

    let last = store.recent_samples(a, start + 3 * DAY_MS - 10 * 60_000, 5).expect("recent");
    assert_eq!(last.len(), 5);
    assert!(last.windows(2).all(|w| w[0].at_ms < w[1].at_ms), "oldest first");
    let errors = store.failures_since(&[a], start + DAY_MS, start + 3 * DAY_MS).expect("count");
    assert_eq!(errors, 29, "failures in the last two days");
}

#[test]
fn retention_keeps_the_file_bounded_and_the_daily_story() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_in(dir.path()).expect("open");
    let a = add(&store, "a");
    let start = 500 * DAY_MS;
    let samples: Vec<Sample> = (0..10 * 24).map(|i| sample(a, start + i * HOUR_MS, true, 50)).collect();
    store.watch(WatchOp::Samples(samples)).expect("saved");
    let now = start + 10 * DAY_MS;
    let gone = store.watch(WatchOp::Prune { now_ms: now }).expect("pruned");
    assert!(gone > 0);
    let raw = store.recent_samples(a, 0, 10_000).expect("recent");
    assert_eq!(raw.len(), 48, "two days of raw samples are kept");
    assert_eq!(store.window(&[a], start, now).expect("window").probes, 240, "the daily rollups still tell the whole story");
}

#[test]
fn incidents_open_once_and_close_and_deploys_are_listed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_in(dir.path()).expect("open");
    let a = add(&store, "a");
    let open = || store.watch(WatchOp::OpenIncident { monitor_id: a, at_ms: 1_000, cause: "timed out".into() }).expect("opened");
    let first = open();
    assert_eq!(open(), first, "a restart during an outage does not split it in two");
    assert_eq!(store.watch(WatchOp::CloseIncident { monitor_id: a, at_ms: 61_000 }).expect("closed"), 1);
    let list = store.incidents(Some(a), 10).expect("list");
    assert_eq!((list.len(), list[0].ended_at_ms, list[0].cause.as_str()), (1, Some(61_000), "timed out"));
    for (at, v) in [(10, "v1"), (20, "v2")] {
        store
            .watch(WatchOp::MarkDeploy { domain: "acme.test".into(), at_ms: at, version: Some(v.into()), source: "marker".into() })
            .expect("marked");
    }
    let deploys = store.deploys("acme.test", 5).expect("list");
    assert_eq!(deploys.iter().map(|d| d.version.as_deref()).collect::<Vec<_>>(), [Some("v2"), Some("v1")]);
}
