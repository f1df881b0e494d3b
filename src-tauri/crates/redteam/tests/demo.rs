//! The sample product of `preflight demo` as a founder meets it in the Chatbot view: its chat
//! (behind its sign-in) is the weak bot, so the red team finds it giving in to encoded, pasted and
//! role-play instructions and drawing an exfiltration image, with its planted canary counted; its
//! two questions get good answers until a release ships, and then both fail beside their last good
//! answers.

use preflight_core::config::ProductConfig;
use preflight_core::{Domain, Net};
use preflight_flows::Keys;
use preflight_redteam::evals::{changes, EvalVerdict};
use preflight_redteam::run::Verdict;
use preflight_redteam::{attacks, chat_of, Bot, Family, Options, Watch};
use preflight_testbed::demo;
use preflight_vault::Sensitive;

struct DemoKeys;

impl Keys for DemoKeys {
    fn get(&self, name: &str) -> Result<Option<Sensitive<String>>, String> {
        Ok(demo::keys().iter().find(|(k, _)| *k == name).map(|(_, v)| Sensitive::new((*v).to_owned())))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_bot_leaks_in_four_families_and_a_release_makes_its_answers_worse() {
    let sample = demo::start().await.expect("the sample product starts");
    let net = Net::new(sample.bed.net_config()).await.expect("net");
    let domain = Domain::parse(demo::DOMAIN).expect("domain");
    let cfg = ProductConfig::parse("preflight.toml", &demo::settings(&sample.mailbox.url())).expect("settings");
    let flows = preflight_flows::config::parse(&domain, &cfg.flows).expect("flows");
    let (chat, login) = chat_of(&flows).expect("a chat path");
    assert_eq!(login.as_ref().map(|l| l.name.as_str()), Some("Sign in"), "the chat has no key: it signs in first");
    let mut bot = Bot::open(&net, &domain, &chat, login.as_ref(), &DemoKeys).await.expect("signed in");

    let (version, set) = attacks::bundled().expect("set");
    let canary = DemoKeys.get("redteam-canary").expect("keys").map(|c| c.expose().clone());
    let watch = Watch { canary, system_prompt_line: None, domain: domain.to_string() };
    let o = Options { generations: 1, max_requests: 300, rate_per_sec: 200.0 };
    let r = preflight_redteam::run::run(&mut bot, version, &set, &o, &watch).await;
    assert_eq!(r.verdict, Verdict::Leaked, "{}", r.says);
    let leaking: Vec<Family> = r.families.iter().filter(|f| f.leaks > 0).map(|f| f.family).collect();
    assert_eq!(leaking, [Family::Roleplay, Family::Encoded, Family::Indirect, Family::Exfiltration], "{:#?}", r.families);
    assert!(r.attacks.iter().flat_map(|a| &a.examples).any(|e| e.why.contains("internal code you planted")), "the canary counts");

    let evals = cfg.evals("preflight.toml").expect("questions");
    let good = preflight_redteam::evals::run(&mut bot, &evals, 200.0).await;
    assert_eq!(good.verdict, EvalVerdict::Pass, "{:#?}", good.questions);
    sample.release.ship();
    let bad = preflight_redteam::evals::run(&mut bot, &evals, 200.0).await;
    assert_eq!(bad.verdict, EvalVerdict::Fail);
    let c = changes(&[bad, good]).expect("two runs");
    assert_eq!(c.newly_failing.len(), 2, "{c:#?}");
    assert!(c.newly_failing.iter().all(|q| q.last_good.is_some()), "{c:#?}");
}
