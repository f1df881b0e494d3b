//! The watcher on a server: the app's monitors exported (`preflight monitors D --export F`: the
//! monitors, the channels by name, no address and no key), then `preflight watch --config F
//! --keys-from-env` with the channel's address in its environment, through an outage of the
//! testbed: DOWN and UP posted once each to the ntfy topic, tagged as the server's so the app can
//! hear them, and a clean stop on SIGTERM. The same scenario runs the binary directly (as the
//! systemd unit does) and, with PREFLIGHT_WATCH_IMAGE set (tests/server/run.sh), inside the
//! container image.

mod common;

use common::{preflight, preflight_with, s};
use preflight_testbed::ntfy::Ntfy;
use preflight_testbed::{Answer, Product, Site, Switch, Testbed};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

const D: &str = "server-watch.test";
const TOPIC_TOKEN: &str = "tk_planted_ntfy_token";

struct Bed {
    bed: Testbed,
    site: Switch,
    ntfy: Ntfy,
}

async fn bed() -> Bed {
    let (site, ntfy) = (Switch::new(), Ntfy::with_token(TOPIC_TOKEN));
    let product = Product::healthy(D, &["", "ref", "ntfy"])
        .site(Site { https: site.around(Answer::secure("home")), ..Site::healthy(D) })
        .site(Site { https: Answer::ok("reference"), ..Site::healthy(&format!("ref.{D}")) })
        .site(Site { https: Answer::App(ntfy.app()), ..Site::healthy(&format!("ntfy.{D}")) });
    Bed { bed: Testbed::start(product).await.expect("testbed"), site, ntfy }
}

/// The app's side: its monitors and its channel, then the export. `None` when this machine has no
/// Secret Service (the channel's address must go to a keychain).
async fn exported(dir: &Path) -> Option<String> {
    let app = dir.join("app-data");
    let monitors = dir.join("monitors.toml");
    std::fs::write(
        &monitors,
        format!("domain = \"{D}\"\n\n[[monitors]]\nname = \"Home page\"\nurl = \"https://{D}/\"\ninterval_secs = 2\n"),
    )
    .expect("monitors");
    let (code, _, err) = preflight(&s(&["monitors", "--import", &monitors.display().to_string()]), None, &app).await;
    assert_eq!(code, 0, "{err}");
    let (code, _, err) =
        preflight(&s(&["channels", "add", "ntfy", "phone"]), Some(&format!("https://ntfy.{D}/alerts\n{TOPIC_TOKEN}\n")), &app).await;
    if code != 0 && err.contains("keychain") && std::env::var_os("PREFLIGHT_REQUIRE_KEYCHAIN").is_none() {
        eprintln!("skipped: no Secret Service here ({err})");
        return None;
    }
    assert_eq!(code, 0, "{err}");
    let file = dir.join("watch.toml");
    let (code, _, err) = preflight(&s(&["monitors", D, "--export", &file.display().to_string()]), None, &app).await;
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&file).expect("exported");
    assert!(text.contains("[[channels]]") && text.contains("name = \"phone\"") && text.contains("kind = \"ntfy\""), "{text}");
    assert!(text.contains("name = \"Home page\"") && text.contains("interval_secs = 2"), "{text}");
    assert!(!text.contains("ntfy.") && !text.contains(TOPIC_TOKEN), "no address and no token in the file: {text}");
    Some(text)
}

/// How the watcher is started: the binary itself, or the container image.
enum Runner<'a> {
    Binary,
    Image(&'a str),
}

/// Runs the watcher of `config` against `b` through an outage; returns what it printed.
async fn outage(b: &Bed, dir: &Path, config: &str, runner: Runner<'_>) -> Vec<String> {
    let conf = dir.join("conf");
    std::fs::create_dir_all(&conf).expect("conf");
    std::fs::write(conf.join("watch.toml"), config).expect("config");
    std::fs::write(conf.join("ca.pem"), b.bed.ca.pem()).expect("ca");
    let cli = b.bed.cli_args();
    let flag = |name: &str| cli.iter().zip(cli.iter().skip(1)).filter(|(k, _)| *k == name).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let env = [
        ("PREFLIGHT_NAMESERVER", flag("--nameserver").join(",")),
        ("PREFLIGHT_CONNECT_TO", flag("--connect-to").join(",")),
        ("PREFLIGHT_CHANNEL_PHONE", format!("https://ntfy.{D}/alerts")),
        ("PREFLIGHT_CHANNEL_PHONE_TOKEN", TOPIC_TOKEN.to_owned()),
    ];
    let args = |conf_dir: &str| {
        s(&[
            "watch",
            "--config",
            &format!("{conf_dir}/watch.toml"),
            "--keys-from-env",
            "--confirm",
            "2",
            "--reference",
            &format!("https://ref.{D}/"),
            "--format",
            "jsonl",
            "--ca-file",
            &format!("{conf_dir}/ca.pem"),
        ])
    };
    let mut cmd = match runner {
        Runner::Binary => {
            let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_preflight"));
            c.args(args(&conf.display().to_string())).env("PREFLIGHT_DATA_DIR", dir.join("server-data"));
            c.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
            c
        }
        Runner::Image(image) => {
            // runc, cgroupfs and low limits: what Podman needs on these machines (docs/watch-server.md).
            let mut c = tokio::process::Command::new("podman");
            c.args([
                "--runtime",
                "runc",
                "--cgroup-manager",
                "cgroupfs",
                "run",
                "--rm",
                "--network=host",
                "--name",
                "preflight-watch-test",
            ]);
            c.args(["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "-v"]);
            c.arg(format!("{}:/etc/preflight:ro", conf.display()));
            for (k, v) in &env {
                c.args(["-e", &format!("{k}={v}")]);
            }
            c.arg(image).args(args("/etc/preflight"));
            c
        }
    };
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true).spawn().expect("the watcher starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = Vec::new();
    let mut wait_for = async |to: &str, seen: &mut Vec<String>| {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while !seen.iter().any(|l: &String| l.contains(&format!("\"to\":\"{to}\""))) {
            match tokio::time::timeout_at(deadline, lines.next_line()).await {
                Ok(Ok(Some(l))) => seen.push(l),
                _ => return false,
            }
        }
        true
    };
    // A monitor starts UP (nothing is printed for that): the outage begins at once.
    b.site.fail();
    assert!(wait_for("down", &mut seen).await, "DOWN: {seen:?}");
    // An outage shorter than the notice's grouping window (3 s) is told as what it is by then:
    // it lasts until the DOWN has been posted.
    let _ = b.ntfy.until_posted(1, Duration::from_secs(20)).await;
    b.site.serve();
    assert!(wait_for("up", &mut seen).await, "UP again: {seen:?}");
    // Posted by the dispatcher right after: wait for both to land.
    let _ = b.ntfy.until_posted(2, Duration::from_secs(20)).await;
    // A clean stop: SIGTERM, as systemd and podman stop send it.
    match runner {
        Runner::Binary => {
            let pid = child.id().expect("pid");
            let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        }
        Runner::Image(_) => {
            let _ = std::process::Command::new("podman").args(["stop", "--time", "10", "preflight-watch-test"]).status();
        }
    }
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait()).await.expect("stops on SIGTERM").expect("status");
    assert!(status.success(), "a clean exit: {status:?}");
    seen
}

fn posted_once_each(b: &Bed) {
    let posted = b.ntfy.messages();
    assert_eq!(posted.len(), 2, "one DOWN and one UP: {posted:#?}");
    assert!(posted[0].tags.contains(&"preflight-down".to_owned()) && posted[1].tags.contains(&"preflight-up".to_owned()), "{posted:#?}");
    for m in &posted {
        assert!(m.tags.contains(&"preflight-watch".to_owned()) && m.tags.contains(&"monitor:Home page".to_owned()), "{m:?}");
        assert_eq!(m.topic, "alerts");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_monitors_watched_headless_post_one_down_and_one_up_with_the_servers_tag() {
    let b = bed().await;
    let dir = tempfile::tempdir().expect("temp");
    let Some(config) = exported(dir.path()).await else { return };

    // A channel without its address in the environment stops the start, naming the variable.
    let conf = dir.path().join("watch.toml");
    let (code, _, err) = preflight_with(
        &s(&["watch", "--config", &conf.display().to_string(), "--keys-from-env"]),
        None,
        &dir.path().join("empty"),
        &[("PREFLIGHT_CHANNEL_PHONE", "")],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("set PREFLIGHT_CHANNEL_PHONE to its ntfy address"), "{err}");

    let seen = outage(&b, dir.path(), &config, Runner::Binary).await;
    assert!(seen.iter().all(|l| !l.contains(TOPIC_TOKEN)), "the token is never printed");
    posted_once_each(&b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the container image: tests/server/run.sh builds it and sets PREFLIGHT_WATCH_IMAGE"]
async fn the_container_image_watches_the_same_outage() {
    let image = std::env::var("PREFLIGHT_WATCH_IMAGE").expect("PREFLIGHT_WATCH_IMAGE");
    let b = bed().await;
    let dir = tempfile::tempdir().expect("temp");
    let Some(config) = exported(dir.path()).await else { panic!("the export needs a Secret Service: run under dbus-run-session") };
    outage(&b, dir.path(), &config, Runner::Image(&image)).await;
    posted_once_each(&b);
}
