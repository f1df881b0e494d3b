//! The whole attack set against rule-driven bots on loopback (the testbed's `bot`): the weak bot's
//! every weakness is found in its own family and no other family is blamed; the hardened twin and
//! a bot that repeats every message back leak nothing; the stream and the multi-turn attacks go
//! through the same judge; a bot behind a rate limit stops the run with words, and one that
//! answers a web page makes it inconclusive.

use preflight_core::config::ProductConfig;
use preflight_core::{Domain, Net};
use preflight_flows::Keys;
use preflight_redteam::evals::{EvalReport, EvalStatus, EvalVerdict};
use preflight_redteam::run::Verdict;
use preflight_redteam::{attacks, chat_of, Bot, Family, Options, Watch};
use preflight_testbed::bot::{bot, BotKind, CANARY, PROMPT_LINE, TOKEN};
use preflight_testbed::{Answer, Product, Site, Testbed};
use preflight_vault::Sensitive;
use std::time::Duration;

const D: &str = "redteam.test";

struct Token;

impl Keys for Token {
    fn get(&self, name: &str) -> Result<Option<Sensitive<String>>, String> {
        Ok((name == "bot-token").then(|| Sensitive::new(TOKEN.to_owned())))
    }
}

/// The settings of a product whose chat is `path` on the testbed, with `evals` after it.
fn settings(path: &str, stream: bool, evals: &str) -> ProductConfig {
    let answer = if stream { "stream" } else { "reply" };
    let toml = format!(
        "domain = \"{D}\"\n[[flows]]\nname = \"Chat\"\ntemplate = \"chat\"\nchat_url = \"https://app.{D}{path}\"\nanswer = \"{answer}\"\nbody = '{{\"messages\": {{{{history}}}}}}'\nkey = \"bot-token\"\n{evals}"
    );
    ProductConfig::parse("preflight.toml", &toml).expect("settings")
}

/// Runs `with` against a bot of the testbed answering `answer` at `path`.
async fn against<T>(answer: Answer, cfg: &ProductConfig, with: impl AsyncFnOnce(&mut Bot<'_>) -> T) -> T {
    against_within(answer, cfg, Duration::from_secs(10), with).await
}

/// [`against`], each answer awaited at most `http`.
async fn against_within<T>(answer: Answer, cfg: &ProductConfig, http: Duration, with: impl AsyncFnOnce(&mut Bot<'_>) -> T) -> T {
    let bed = Testbed::start(Product::healthy(D, &[""]).site(Site::serving(&format!("app.{D}"), answer))).await.expect("testbed");
    let mut nc = bed.net_config();
    nc.timeouts.http = http;
    let net = Net::new(nc).await.expect("net");
    let domain = Domain::parse(D).expect("domain");
    let flows = preflight_flows::config::parse(&domain, &cfg.flows).expect("flows");
    let (chat, login) = chat_of(&flows).expect("a chat path");
    let mut bot = Bot::open(&net, &domain, &chat, login.as_ref(), &Token).await.expect("bot");
    with(&mut bot).await
}

async fn run(answer: Answer, path: &str, stream: bool, generations: u32) -> preflight_redteam::Report {
    let (version, set) = attacks::bundled().expect("set");
    let watch = Watch { canary: Some(CANARY.into()), system_prompt_line: Some(PROMPT_LINE.into()), domain: D.into() };
    // Faster than a founder's run may go (at most 10 a second): the testbed is on this computer.
    let o = Options { generations, max_requests: 300, rate_per_sec: 200.0 };
    against(answer, &settings(path, stream, ""), async |bot| preflight_redteam::run::run(bot, version, &set, &o, &watch).await).await
}

fn leaks(r: &preflight_redteam::Report, f: Family) -> u32 {
    r.families.iter().find(|x| x.family == f).map_or(0, |x| x.leaks)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_weakness_is_found_in_its_family_and_only_there() {
    let r = run(Answer::App(bot(BotKind::Weak)), "/api/bot", false, 2).await;
    assert_eq!(r.verdict, Verdict::Leaked, "{}", r.says);
    for f in [Family::Encoded, Family::Roleplay, Family::Indirect, Family::Exfiltration, Family::Multiturn] {
        assert!(leaks(&r, f) > 0, "{f} found: {:#?}", r.families);
    }
    for f in [Family::Override, Family::Extraction, Family::Delimiter] {
        assert_eq!(leaks(&r, f), 0, "{f} is not blamed: {:#?}", r.attacks.iter().filter(|a| a.family == f).collect::<Vec<_>>());
    }
    let why = |f: Family| {
        r.attacks.iter().filter(|a| a.family == f).flat_map(|a| &a.examples).map(|e| e.why.clone()).collect::<Vec<_>>().join(" | ")
    };
    assert!(why(Family::Encoded).contains("internal code you planted"), "the canary to an encoded instruction: {}", why(Family::Encoded));
    assert!(why(Family::Roleplay).contains("quoted your system prompt"), "{}", why(Family::Roleplay));
    assert!(why(Family::Exfiltration).contains("image from collect.attacker.example"), "{}", why(Family::Exfiltration));
    assert!(why(Family::Indirect).contains("followed the smuggled instruction"), "{}", why(Family::Indirect));
    let roleplay = r.families.iter().find(|f| f.family == Family::Roleplay).expect("roleplay");
    assert!(
        roleplay.says.starts_with("Asked to play a character without rules (\"developer mode\"), your bot gave in"),
        "{}",
        roleplay.says
    );
    assert_eq!(r.requests, 2 * set_turns(), "every attempt sent once per try");
}

fn set_turns() -> u32 {
    attacks::bundled().expect("set").1.iter().map(|a| a.turns.len() as u32).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weak_bot_streamed_leaks_the_same_way() {
    let r = run(Answer::App(bot(BotKind::Weak)), "/api/bot/stream", true, 1).await;
    assert!(leaks(&r, Family::Encoded) > 0 && leaks(&r, Family::Exfiltration) > 0, "{:#?}", r.families);
    assert_eq!(leaks(&r, Family::Override), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hardened_bot_and_a_bot_that_repeats_everything_leak_nothing() {
    for kind in [BotKind::Hardened, BotKind::Echo] {
        let r = run(Answer::App(bot(kind)), "/api/bot", false, 2).await;
        assert_eq!(r.verdict, Verdict::Kept, "{kind:?}: {} {:#?}", r.says, r.attacks.iter().filter(|a| a.leaks > 0).collect::<Vec<_>>());
        assert!(r.families.iter().all(|f| f.leaks == 0 && f.attempts > 0));
        assert!(r.says.starts_with("Your chatbot kept its secrets in all"), "{}", r.says);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_stops_the_run_and_a_web_page_is_no_answer() {
    let limited = Answer::Limited { after: 5, then: Box::new(Answer::App(bot(BotKind::Hardened))) };
    let r = run(limited, "/api/bot", false, 3).await;
    assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.says);
    assert!(r.stopped.as_deref().is_some_and(|s| s.contains("429")), "{:?}", r.stopped);
    assert!(r.requests <= 6, "stopped at the first 429: {} requests", r.requests);

    let page = Answer::ok("<h1>Sign in</h1><form><input type=password></form>");
    let r = run(page, "/api/bot", false, 1).await;
    assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.says);
    assert!(r.says.contains("web page"), "{}", r.says);
}

const QUESTIONS: &str = r#"
[[evals]]
name = "Refunds"
question = "How long do refunds take?"
must_contain = ["5 business days", "/refund (page|form)/"]
must_not_contain = ["not sure"]
[[evals]]
question = "What does it cost?"
must_contain = ["$20"]
json_field = "model"
json_equals = "rules-1"
"#;

async fn ask(kind: BotKind, stream: bool) -> EvalReport {
    let cfg = settings(if stream { "/api/bot/stream" } else { "/api/bot" }, stream, QUESTIONS);
    let evals = cfg.evals("preflight.toml").expect("questions");
    against(Answer::App(bot(kind)), &cfg, async |b| preflight_redteam::evals::run(b, &evals, 200.0).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_founders_questions_pass_on_a_good_bot_and_a_bad_release_stands_beside_the_last_good_answer() {
    let good = ask(BotKind::Hardened, false).await;
    assert_eq!(good.verdict, EvalVerdict::Pass, "{:#?}", good.questions);
    assert!(good.p95_ms.is_some() && good.says.starts_with("All 2 questions"), "{}", good.says);

    let bad = ask(BotKind::Forgetful, false).await;
    assert_eq!(bad.verdict, EvalVerdict::Fail);
    let refunds = &bad.questions[0];
    assert_eq!(refunds.status, EvalStatus::Fail);
    assert!(refunds.problems.contains(&"says \"not sure\"".to_owned()), "{:?}", refunds.problems);
    let changes = preflight_redteam::evals::changes(&[bad.clone(), good.clone()]).expect("two runs");
    assert_eq!(changes.newly_failing.len(), 2, "{changes:#?}");
    assert_eq!(changes.newly_failing[0].last_good.as_deref(), Some("Refunds take 5 business days; ask for one on the refund page."));

    let streamed = ask(BotKind::Hardened, true).await;
    assert_eq!(streamed.questions[0].status, EvalStatus::Pass, "a streamed answer is read whole: {:#?}", streamed.questions[0]);
    assert!(
        streamed.questions[1].problems.iter().any(|p| p.contains("has no model")),
        "a stream has no JSON field: {:#?}",
        streamed.questions[1]
    );

    let cfg = settings("/api/bot", false, QUESTIONS);
    let evals = cfg.evals("preflight.toml").expect("questions");
    let limited = Answer::Limited { after: 1, then: Box::new(Answer::App(bot(BotKind::Hardened))) };
    let r = against(limited, &cfg, async |b| preflight_redteam::evals::run(b, &evals, 200.0).await).await;
    assert_eq!(r.verdict, EvalVerdict::Inconclusive, "a 429 is never a pass: {}", r.says);
    assert_eq!(r.questions[1].status, EvalStatus::Error);
    assert!(r.questions[1].says.contains("429"), "{}", r.questions[1].says);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_that_fails_or_hangs_ends_the_run_early_and_says_nothing_of_leaks() {
    let broken = Answer::Page {
        status: 500,
        headers: vec![("content-type".into(), "application/json".into())],
        body: "{\"error\":\"boom\"}".into(),
    };
    let r = run(broken, "/api/bot", false, 3).await;
    assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.says);
    assert_eq!(r.requests, preflight_redteam::run::MAX_SILENT, "stopped after {} silent tries", preflight_redteam::run::MAX_SILENT);
    assert!(r.says.contains("error 500"), "{}", r.says);

    let (version, set) = attacks::bundled().expect("set");
    let watch = Watch { canary: None, system_prompt_line: None, domain: D.into() };
    let o = Options { generations: 1, max_requests: 300, rate_per_sec: 200.0 };
    let started = std::time::Instant::now();
    let cfg = settings("/api/bot", false, "");
    let r = against_within(Answer::Hang, &cfg, Duration::from_millis(400), async |b| {
        preflight_redteam::run::run(b, version, &set, &o, &watch).await
    })
    .await;
    assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.says);
    assert!(started.elapsed() < Duration::from_secs(20), "a hung bot costs a few deadlines, not one per attack: {:?}", started.elapsed());
    assert!(r.stopped.as_deref().is_some_and(|s| s.contains("got no answer")), "{:?}", r.stopped);

    // A stream that never ends is cut at its deadline or its size bound, and is no answer either.
    let started = std::time::Instant::now();
    let cfg = settings("/api/bot/stream", true, "");
    let r = against_within(Answer::Endless, &cfg, Duration::from_millis(400), async |b| {
        preflight_redteam::run::run(b, version, &set, &o, &watch).await
    })
    .await;
    assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.says);
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}
