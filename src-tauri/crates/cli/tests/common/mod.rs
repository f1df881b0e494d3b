//! What the CLI's integration tests share: running the binary with its own data folder.
#![allow(dead_code)]

pub mod http;
pub mod junit;

use preflight_testbed::{Answer, CertKind, Inbox, Product, Site, Testbed};
use std::process::Stdio;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// Runs `preflight ARGS` with `stdin` and the data folder `data`: (exit code, stdout, stderr).
pub async fn preflight(args: &[String], stdin: Option<&str>, data: &std::path::Path) -> (i32, String, String) {
    preflight_with(args, stdin, data, &[]).await
}

/// [`preflight`] with extra environment variables (a CI service's secrets).
pub async fn preflight_with(args: &[String], stdin: Option<&str>, data: &std::path::Path, envs: &[(&str, &str)]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(args)
        .env("PREFLIGHT_DATA_DIR", data)
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    if let Some(mut input) = child.stdin.take() {
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).await.expect("stdin");
        }
    }
    let out = child.wait_with_output().await.expect("ends");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A temporary folder for one test run of the CLI against `bed`: the data folder, the testbed's
/// CA for `--ca-file`, and a `preflight.toml` holding `config`.
pub struct ConfigBed {
    pub dir: tempfile::TempDir,
    pub data: std::path::PathBuf,
    pub ca: std::path::PathBuf,
    pub config: std::path::PathBuf,
}

impl ConfigBed {
    pub fn new(bed: &Testbed, config: &str) -> ConfigBed {
        let dir = tempfile::tempdir().expect("temp");
        let (data, ca, file) = (dir.path().join("data"), dir.path().join("ca.pem"), dir.path().join("preflight.toml"));
        std::fs::write(&ca, bed.ca.pem()).expect("ca");
        std::fs::write(&file, config).expect("config");
        ConfigBed { dir, data, ca, config: file }
    }

    /// `preflight ARGS --config FILE` pointed at `bed` (its DNS, ports and CA).
    pub fn args(&self, bed: &Testbed, args: &[&str]) -> Vec<String> {
        let mut out = s(args);
        out.extend(["--config".to_owned(), self.config.display().to_string()]);
        out.extend(bed.cli_args());
        out.extend(["--ca-file".to_owned(), self.ca.display().to_string()]);
        out
    }
}

pub fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// A product whose `api.` name records every request (the inbox), with a data folder and the
/// testbed's CA written out for `--ca-file`.
pub struct InboxBed {
    pub bed: Testbed,
    pub inbox: Inbox,
    pub dir: tempfile::TempDir,
    pub data: std::path::PathBuf,
    pub ca: std::path::PathBuf,
}

impl InboxBed {
    pub async fn start(d: &str) -> InboxBed {
        let inbox = Inbox::new();
        let site = Site {
            host: format!("api.{d}"),
            cert: Some(CertKind::Valid),
            http: Answer::redirect(&format!("https://api.{d}")),
            https: Answer::Inbox(inbox.clone()),
        };
        let bed = Testbed::start(Product::healthy(d, &[""]).site(site)).await.expect("testbed");
        let dir = tempfile::tempdir().expect("temp");
        let data = dir.path().join("data");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, bed.ca.pem()).expect("ca");
        InboxBed { bed, inbox, dir, data, ca }
    }

    /// `preflight latency --config FILE` against this testbed, two samples, JSON.
    pub fn latency(&self, config: &std::path::Path) -> Vec<String> {
        let mut args = s(&["latency", "--config", &config.display().to_string(), "--samples", "2", "--cold", "1", "--format", "json"]);
        args.extend(self.bed.cli_args());
        args.extend(["--ca-file".to_owned(), self.ca.display().to_string()]);
        args
    }
}

/// Every file under `dir`, for the tests that prove a secret never reached the data folder.
pub fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
