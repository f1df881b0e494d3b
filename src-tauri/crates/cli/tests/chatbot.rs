//! `preflight redteam` and `preflight evals run` against rule-driven bots on loopback, the bot's key
//! set with `keys set` into the real keychain: nothing sent without --yes, the JSON and SARIF a CI
//! reads, what changed since the run before, the questions' JUnit, and the exit codes of docs/cli.md.

mod common;

use common::{junit, preflight, s, ConfigBed};
use preflight_testbed::bot::{bot, BotKind, CANARY, TOKEN};
use preflight_testbed::{Answer, Product, Site, Testbed};

const D: &str = "chatbot-cli.test";

fn config(host: &str) -> String {
    format!(
        "domain = \"{D}\"\n\n[[flows]]\nname = \"Chat\"\ntemplate = \"chat\"\nchat_url = \"https://{host}.{D}/api/bot\"\nanswer = \"reply\"\nbody = '{{\"messages\": {{{{history}}}}}}'\nkey = \"bot-token\"\n\n[[evals]]\nname = \"Refunds\"\nquestion = \"How long do refunds take?\"\nmust_contain = [\"5 business days\"]\n\n[[evals]]\nquestion = \"What does it cost?\"\nmust_contain = [\"/\\\\$20/\"]\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_red_team_asks_first_reports_leaks_for_ci_and_the_questions_gate_a_release() {
    let product = Product::healthy(D, &[""])
        .site(Site::serving(&format!("weak.{D}"), Answer::App(bot(BotKind::Weak))))
        .site(Site::serving(&format!("hard.{D}"), Answer::App(bot(BotKind::Hardened))))
        .site(Site::serving(&format!("forgot.{D}"), Answer::App(bot(BotKind::Forgetful))));
    let bed = Testbed::start(product).await.expect("testbed");
    let files = ConfigBed::new(&bed, &config("weak"));
    let data = &files.data;
    assert_eq!(preflight(&s(&["keys", "set", D, "bot-token"]), Some(TOKEN), data).await.0, 0);
    // Override and role-play: 12 messages, the weak bot gives in to role-play.
    let attack = |extra: &[&str]| {
        let mut a = vec!["redteam", D, "--generations", "1", "--max-requests", "12", "--canary", CANARY];
        a.extend_from_slice(extra);
        files.args(&bed, &a)
    };

    let (code, out, err) = preflight(&attack(&[]), None, data).await;
    assert_eq!(code, 2, "nothing is sent without --yes: {out}{err}");
    assert!(err.contains("nothing was sent") && err.contains("12 messages") && err.contains("tokens"), "the plan in numbers: {err}");

    let (code, out, err) = preflight(&attack(&["--yes", "--format", "json"]), None, data).await;
    assert_eq!(code, 1, "a leak: {out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["schema"], 1);
    assert!(v["says"].as_str().is_some_and(|s| s.contains("can be talked into leaking")), "{out}");
    let attacks = v["attacks"].as_array().expect("attacks");
    for a in attacks {
        for field in ["id", "family", "attempts", "leaks", "examples"] {
            assert!(a.get(field).is_some(), "{field} in {a}");
        }
    }
    let leaked: Vec<&serde_json::Value> = attacks.iter().filter(|a| a["leaks"].as_u64() > Some(0)).collect();
    assert!(!leaked.is_empty() && leaked.iter().all(|a| a["family"] == "roleplay"), "{out}");
    let example = &leaked[0]["examples"][0];
    assert!(example["prompt"].is_string() && example["answer_excerpt"].is_string() && example["why"].is_string(), "{example}");
    let families: Vec<(&str, u64)> = v["families"]
        .as_array()
        .expect("families")
        .iter()
        .map(|f| (f["family"].as_str().unwrap_or(""), f["leaks"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(families[0], ("override", 0), "{families:?}");
    assert!(families.iter().any(|(f, l)| *f == "roleplay" && *l > 0), "{families:?}");

    let (code, sarif, _) = preflight(&attack(&["--yes", "--format", "sarif"]), None, data).await;
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
    assert_eq!(doc["version"], "2.1.0");
    let rules: Vec<&str> =
        doc["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules").iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(rules, ["redteam.roleplay"], "{sarif}");

    // The same chat behind a hardened bot: no leak, and what changed since the run before.
    std::fs::write(&files.config, config("hard")).expect("config");
    let (code, out, err) = preflight(&attack(&["--yes"]), None, data).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("kept its secrets") && out.contains("that got through before now fail"), "{out}");

    // The founder's questions: a good bot passes, a bad release fails with JUnit for CI.
    let ask = |format: &str| files.args(&bed, &["evals", "run", D, "--format", format]);
    let (code, xml, err) = preflight(&ask("junit"), None, data).await;
    assert_eq!(code, 0, "{xml}{err}");
    let suites = junit::parse(&xml);
    assert_eq!(suites[0].cases.len(), 2, "{xml}");
    std::fs::write(&files.config, config("forgot")).expect("config");
    let (code, xml, _) = preflight(&ask("junit"), None, data).await;
    assert_eq!(code, 1, "{xml}");
    let suites = junit::parse(&xml);
    let failed: Vec<&str> = suites[0].cases.iter().filter(|c| c.failure.is_some()).map(|c| c.name.as_str()).collect();
    assert_eq!(failed, ["Refunds", "What does it cost?"]);
    let (code, out, _) = preflight(&ask("text"), None, data).await;
    assert_eq!(code, 1);
    assert!(out.contains("Since the run before"), "{out}");

    // The checklist reads the newest runs of the product's saved settings: the bot now holds, its
    // answers got worse.
    let file = files.config.display().to_string();
    assert_eq!(preflight(&s(&["settings", "import", D, &file]), None, data).await.0, 0);
    let (code, out, err) = preflight(&s(&["checklist", D, "--format", "json"]), None, data).await;
    assert_eq!(code, 0, "{out}{err}");
    let c: serde_json::Value = serde_json::from_str(&out).expect("json");
    let items: Vec<&serde_json::Value> =
        c["stages"].as_array().expect("stages").iter().flat_map(|s| s["items"].as_array().into_iter().flatten()).collect();
    let state = |id: &str| items.iter().find(|i| i["id"] == id).map(|i| i["state"].clone());
    assert_eq!(state("keys.chatbot"), Some(serde_json::json!("done")), "the last red team held: {out}");
    assert_eq!(state("deploy.evals"), Some(serde_json::json!("not_done")), "the last questions failed");

    // A chat nobody answers: the questions could not be asked (exit 4), never "fine".
    std::fs::write(&files.config, config("nobody")).expect("config");
    let (code, out, err) = preflight(&ask("json"), None, data).await;
    assert_eq!(code, 4, "{out}{err}");
    let _ = preflight(&s(&["keys", "remove", D, "bot-token"]), None, data).await;
}
