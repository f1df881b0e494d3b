//! docs/cli.md says what the binary does: every flag each command's `--help` lists is in the
//! document, and the network flags are documented for exactly the commands that take them.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_preflight");
const COMMANDS: [&[&str]; 33] = [
    &["audit"],
    &["ci"],
    &["history"],
    &["demo"],
    &["watch"],
    &["monitors"],
    &["deploy"],
    &["channels", "add"],
    &["channels", "test"],
    &["checklist"],
    &["diff"],
    &["handover"],
    &["secrets", "scan"],
    &["secrets", "env"],
    &["latency"],
    &["load"],
    &["channels", "list"],
    &["channels", "remove"],
    &["keys", "set"],
    &["keys", "list"],
    &["keys", "remove"],
    &["settings", "show"],
    &["settings", "check"],
    &["settings", "save"],
    &["settings", "import"],
    &["settings", "export"],
    &["flow", "run"],
    &["webhook", "replay"],
    &["redteam"],
    &["evals", "run"],
    &["providers", "connect"],
    &["providers", "list"],
    &["providers", "remove"],
];
const NETWORK: [&str; 4] = ["--nameserver", "--ca-file", "--connect-to", "--timeout"];

fn flags(cmd: &[&str]) -> Vec<String> {
    let out = Command::new(BIN).args(cmd).arg("--help").output().expect("runs");
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut found: Vec<String> = help
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '(' | ')' | '`' | '"'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.split(['=', '<']).next().unwrap_or(w).trim_end_matches([':', '.', ';']).to_owned())
        .filter(|w| w != "--help" && w != "--version")
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Whether `doc` names `flag` as a whole flag (`--ca-file`, not the start of `--ca-files`).
fn mentions(doc: &str, flag: &str) -> bool {
    doc.match_indices(flag).any(|(i, _)| {
        let after = doc[i + flag.len()..].chars().next();
        !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

#[test]
fn every_flag_of_every_command_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../docs/cli.md")).expect("docs/cli.md");
    let missing: Vec<String> = COMMANDS
        .iter()
        .flat_map(|cmd| flags(cmd).into_iter().filter(|f| !mentions(&doc, f)).map(move |f| format!("preflight {} {f}", cmd.join(" "))))
        .collect();
    assert!(missing.is_empty(), "flags the binary takes and docs/cli.md does not mention: {missing:#?}");
}

#[test]
fn the_network_flags_belong_to_the_commands_the_docs_name() {
    let networked: Vec<&[&str]> = vec![
        &["audit"],
        &["ci"],
        &["watch"],
        &["channels", "test"],
        &["latency"],
        &["load"],
        &["flow", "run"],
        &["webhook", "replay"],
        &["redteam"],
        &["evals", "run"],
        &["providers", "connect"],
    ];
    for cmd in COMMANDS {
        let has = NETWORK.iter().filter(|f| flags(cmd).contains(&f.to_string())).count();
        let want = if networked.contains(&cmd) { NETWORK.len() } else { 0 };
        assert_eq!(has, want, "`preflight {}`: the docs say it takes {want} of the network flags", cmd.join(" "));
    }
}
