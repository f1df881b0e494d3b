//! The audit flow without Tauri: a recording host, the real engine against the testbed, a real
//! SQLite file in a temporary folder.

use preflight_core::{Domain, FailOn, Progress, Status, Target, Verdict};
use preflight_flow::{AuditRequest, Finished, Flow, FlowError, Host, Notice, Source};
use preflight_testbed::{demo, Product, Testbed};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Recorder {
    dir: PathBuf,
    started: Mutex<Vec<String>>,
    progress: Mutex<Vec<Progress>>,
    finished: Mutex<Vec<Finished>>,
    notices: Mutex<Vec<Notice>>,
}

impl Host for Recorder {
    fn data_dir(&self) -> Option<PathBuf> {
        Some(self.dir.clone())
    }
    fn started(&self, domain: &str, _source: Source) {
        self.started.lock().expect("lock").push(domain.to_owned());
    }
    fn progress(&self, _domain: &str, batch: Vec<Progress>) {
        self.progress.lock().expect("lock").extend(batch);
    }
    fn finished(&self, done: &Finished) {
        self.finished.lock().expect("lock").push(done.clone());
    }
    fn notify(&self, notice: &Notice) {
        self.notices.lock().expect("lock").push(notice.clone());
    }
}

fn target(domain: &str) -> Target {
    Target::with_defaults(Domain::parse(domain).expect("valid"))
}

#[tokio::test]
async fn an_audit_is_saved_announced_and_notified_once() {
    let dir = tempfile::tempdir().expect("temp");
    let bed = Testbed::start(demo::product()).await.expect("testbed");
    let host = Arc::new(Recorder { dir: dir.path().to_owned(), ..Recorder::default() });
    let flow = Flow::new(host.clone(), Ok(bed.net_config()));
    let out = flow.audit(AuditRequest::new(target(demo::DOMAIN), Source::Desktop)).await.expect("audit");
    assert_eq!(out.verdict, Verdict::Gated, "the demo has problems");
    let id = out.run_id.expect("saved");
    assert_eq!(flow.report(id).expect("read").map(|r| r.summary), Some(out.report.summary.clone()), "History holds what was shown");
    assert_eq!(*host.started.lock().expect("lock"), vec![demo::DOMAIN.to_owned()]);
    let finished = host.finished.lock().expect("lock").clone();
    assert_eq!(finished.len(), 1);
    assert_eq!(finished[0].run_id, Some(id));
    let notices = host.notices.lock().expect("lock").clone();
    assert_eq!(notices.len(), 1, "one notification per audit with problems");
    assert!(notices[0].title.starts_with(&format!("{}: 2 problems", demo::DOMAIN)), "{:?}", notices[0]);
    let progress = host.progress.lock().expect("lock").clone();
    assert!(matches!(progress.first(), Some(Progress::Planned { .. })), "the plan goes out first");
    let finished_checks = progress.iter().filter(|p| matches!(p, Progress::Finished { .. })).count();
    let started_checks = progress.iter().filter(|p| matches!(p, Progress::Started { .. })).count();
    assert_eq!(finished_checks, started_checks, "every started check finishes");
    assert_eq!(flow.last_domain().as_deref(), Some(demo::DOMAIN));
}

#[tokio::test]
async fn the_tray_reruns_exactly_the_last_target() {
    let dir = tempfile::tempdir().expect("temp");
    let bed = Testbed::start(Product::healthy("fine.test", &["", "www"])).await.expect("testbed");
    let host = Arc::new(Recorder { dir: dir.path().to_owned(), ..Recorder::default() });
    let flow = Flow::new(host.clone(), Ok(bed.net_config()));
    assert!(matches!(flow.rerun_last(Source::Tray).await, Err(FlowError::NothingToRerun)), "nothing to re-run before the first audit");
    let mut t = Target::bare(Domain::parse("fine.test").expect("valid"));
    t.add_host("www", preflight_core::HostOrigin::Configured, true);
    flow.audit(AuditRequest::new(t.clone(), Source::Desktop)).await.expect("audit");
    let again = flow.rerun_last(Source::Tray).await.expect("rerun");
    assert_eq!(again.report.domain, "fine.test", "the tray audits the domain its label names");
    let subjects = |r: &preflight_core::Report| {
        let product = r.findings.iter().filter(|f| f.subject != preflight_core::checks::dns::THIS_COMPUTER);
        let mut s: Vec<_> = product.map(|f| f.subject.clone()).collect();
        s.sort();
        s.dedup();
        s
    };
    assert_eq!(subjects(&again.report), vec!["fine.test", "www.fine.test"], "the same target, not the default names");
    let history = flow.history(None, 10).expect("history");
    assert_eq!(history.iter().map(|r| r.source.as_str()).collect::<Vec<_>>(), vec!["tray", "desktop"]);
    assert!(host.notices.lock().expect("lock").is_empty(), "a healthy product interrupts nobody");
}

#[tokio::test]
async fn a_second_audit_while_one_runs_is_refused_and_cancel_ends_it() {
    let dir = tempfile::tempdir().expect("temp");
    let product = Product::healthy("slow.test", &[""])
        .site(preflight_testbed::Site { http: preflight_testbed::Answer::Hang, ..preflight_testbed::Site::healthy("slow.test") });
    let bed = Testbed::start(product).await.expect("testbed");
    let host = Arc::new(Recorder { dir: dir.path().to_owned(), ..Recorder::default() });
    let flow = Arc::new(Flow::new(host, Ok(bed.net_config())));
    let running = {
        let flow = flow.clone();
        tokio::spawn(async move { flow.audit(AuditRequest::new(target("slow.test"), Source::Desktop)).await })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !flow.is_running() {
        assert!(std::time::Instant::now() < deadline, "the audit never started");
        tokio::task::yield_now().await;
    }
    let second = flow.audit(AuditRequest::new(target("slow.test"), Source::Desktop)).await;
    assert!(matches!(second, Err(FlowError::Busy)), "one audit at a time");
    assert!(flow.cancel(), "a running audit can be stopped");
    let out = running.await.expect("join").expect("a cancelled audit still reports");
    assert!(out.report.findings.iter().any(|f| f.status == Status::Error), "what did not finish says so");
    assert!(!flow.is_running(), "the marker clears once the audit has ended");
}

#[tokio::test]
async fn refused_settings_and_no_save_are_honoured() {
    let dir = tempfile::tempdir().expect("temp");
    let host = Arc::new(Recorder { dir: dir.path().join("nested"), ..Recorder::default() });
    let flow = Flow::new(host, Err("--nameserver wants an IP address".into()));
    let err = flow.audit(AuditRequest::new(target("x.test"), Source::Cli)).await.expect_err("refused settings");
    assert!(matches!(err, FlowError::Settings(_)), "{err:?}");

    let bed = Testbed::start(Product::healthy("quiet.test", &["", "www"])).await.expect("testbed");
    let host = Arc::new(Recorder { dir: dir.path().join("unsaved"), ..Recorder::default() });
    let flow = Flow::new(host, Ok(bed.net_config()));
    let req = AuditRequest { save: false, fail_on: FailOn::Warn, ..AuditRequest::new(target("quiet.test"), Source::Cli) };
    let out = flow.audit(req).await.expect("audit");
    assert_eq!(out.run_id, None);
    assert!(!dir.path().join("unsaved").exists(), "--no-save creates no database");
}

#[tokio::test]
async fn kept_names_are_audited_next_time_and_dropped_ones_never_offered() {
    let dir = tempfile::tempdir().expect("temp");
    let host = Arc::new(Recorder { dir: dir.path().to_owned(), ..Recorder::default() });
    let flow = Flow::new(host, Err("not needed".into()));
    let domain = Domain::parse("acme.test").expect("valid");
    flow.decide_name(&domain, "staging.acme.test", true).expect("keep");
    flow.decide_name(&domain, "Old.Acme.Test.", false).expect("drop, whatever the case");
    assert!(flow.decide_name(&domain, "evil.example", true).is_err(), "only names under the domain");
    let target = flow.saved_target(domain.clone()).expect("target");
    assert!(target.hosts.iter().any(|h| h.name == "staging.acme.test"), "kept: audited like a listed name");
    assert_eq!(target.ignored, ["old.acme.test"], "dropped: discovery skips it");
    assert!(target.hosts.iter().any(|h| h.name == "www.acme.test"), "the defaults stay");

    // A settings file in the data folder (the CLI's format) shapes the target, decisions on top.
    let file = flow.settings_file(&domain).expect("a data folder");
    std::fs::create_dir_all(file.parent().expect("folder")).expect("mkdir");
    let settings = "domain = \"acme.test\"\nnames = [\"app\"]\nignore = [\"legacy\"]\n[[callbacks]]\nkind = \"webhook\"\nurl = \"https://app.acme.test/hooks\"\n";
    std::fs::write(&file, settings).expect("write");
    let target = flow.saved_target(domain.clone()).expect("target");
    let names: Vec<&str> = target.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["acme.test", "app.acme.test", "staging.acme.test"], "exactly the file's names, plus the kept one");
    assert_eq!(target.callbacks.len(), 1);
    assert_eq!(target.ignored, ["legacy.acme.test", "old.acme.test"]);
    std::fs::write(&file, "domain = \"other.test\"\n").expect("write");
    assert!(flow.saved_target(domain).is_err(), "a file about another domain is refused, with a reason");
}

#[tokio::test]
async fn the_daily_audit_announces_only_problems_the_previous_run_did_not_have() {
    let dir = tempfile::tempdir().expect("temp");
    let bed = Testbed::start(demo::product()).await.expect("testbed");
    let host = Arc::new(Recorder { dir: dir.path().to_owned(), ..Recorder::default() });
    let flow = Flow::new(host, Ok(bed.net_config()));
    // Yesterday's run found nothing wrong.
    let clean = preflight_core::Report::new(demo::DOMAIN.to_owned(), 1, 1, Vec::new());
    flow.store().expect("store").save_report(&clean, "watch").expect("saved");
    let domain = Domain::parse(demo::DOMAIN).expect("valid");
    let news = flow.audit_news(&domain).await.expect("audited");
    assert_eq!(news.len(), 2, "the demo's two problems are new today: {news:?}");
    let again = flow.audit_news(&domain).await.expect("audited");
    assert!(again.is_empty(), "the same problems tomorrow are not news: {again:?}");
    assert_eq!(flow.history(Some(demo::DOMAIN), 10).expect("history").len(), 3, "each re-run is saved");
}

#[test]
fn reminder_preferences_are_saved_whole_and_never_more_often_than_every_30_minutes() {
    let dir = tempfile::tempdir().expect("temp");
    let host = Arc::new(Recorder { dir: dir.path().to_owned(), ..Recorder::default() });
    let flow = Flow::new(host, Ok(preflight_core::NetConfig::default()));
    assert_eq!(flow.watch_prefs().remind_minutes, None, "off by default");
    let saved = flow.update_watch_prefs(|p| p.remind_minutes = Some(5)).expect("saved");
    assert_eq!(saved.remind_minutes, Some(30));
    flow.update_watch_prefs(|p| p.paused = true).expect("saved");
    let back = flow.watch_prefs();
    assert_eq!((back.remind_minutes, back.paused), (Some(30), true), "read back from the file, one change kept beside the other");
    std::fs::write(dir.path().join("watch.json"), r#"{"remind_minutes": null}"#).expect("older file");
    assert!(!flow.watch_prefs().paused, "a file from before pause was kept reads with the defaults");
    assert!(!dir.path().join("watch.json.tmp").exists(), "nothing half-written is left");
}
