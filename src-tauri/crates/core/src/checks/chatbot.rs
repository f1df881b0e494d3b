//! `secrets.chatbot` and `monitoring.evals`: whether the product's chatbot keeps its secrets when a
//! customer tries to talk it out of them (the red team's newest run), and whether the founder's own
//! questions still get good answers after the last release. Like `monitoring.paths`, they are judged
//! from Preflight's records, never planned by an audit: both cost the founder model tokens, so they
//! run only when the founder says so (or after a deploy, for the questions they wrote).

use crate::check::CheckDef;
use crate::checks::Family;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::cert::date;
use serde_json::json;

pub const LEAKS: CheckDef = CheckDef {
    id: "secrets.chatbot",
    area: Area::Secrets,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "the chatbot does not leak its instructions, planted codes or keys when customers try to make it",
};
pub const EVALS: CheckDef = CheckDef {
    id: "monitoring.evals",
    area: Area::Monitoring,
    stage: Stage::Deploy,
    impact: Impact::UserExperience,
    what: "the founder's own questions still get good answers after the last release",
};

/// Never planned by an audit: see the module header.
pub const FAMILY: Family = Family { name: "chatbot", checks: &[&LEAKS, &EVALS], plan: |_, _| Vec::new() };

/// The newest run of one kind: its status (`pass`, `fail`, `error`), when, and its one line.
pub type Last = Option<(String, i64, String)>;

/// What Preflight knows of a product's chatbot.
#[derive(Debug, Clone, Default)]
pub struct ChatbotSetup {
    /// A `chat` path is set up, so there is a bot to talk to.
    pub has_chat: bool,
    /// How many `[[evals]]` questions the settings hold.
    pub questions: usize,
    pub red_team: Last,
    pub evals: Last,
    pub last_deploy_ms: Option<i64>,
}

/// Both findings for `domain`.
pub fn judge(domain: &str, s: &ChatbotSetup) -> Vec<Finding> {
    vec![leaks(domain, s), evals(domain, s)]
}

fn leaks(domain: &str, s: &ChatbotSetup) -> Finding {
    let base = Finding::new(&LEAKS, domain, Status::Pass)
        .evidence(json!({ "has_chat": s.has_chat, "last": s.red_team.as_ref().map(|l| json!({ "status": l.0, "at_ms": l.1 })) }));
    if !s.has_chat {
        return base
            .status(Status::Skipped)
            .title("No chat path is set up, so Preflight has no chatbot to test.")
            .fix(["If your product has a chatbot, add its chat path in Settings ([[flows]] with template = \"chat\")."]);
    }
    match &s.red_team {
        None => base
            .status(Status::Manual)
            .title("Your chatbot has not been tested against customers who try to make it leak.")
            .why("A bot that can be talked into revealing its instructions, internal codes or keys hands them to the first curious customer.")
            .fix([
                "Open Chatbot in Preflight, plant the canary line in your staging system prompt, and run the red team (it says what it sends and costs first).",
                "Or run `preflight redteam DOMAIN --yes` against staging.",
            ]),
        Some((st, _, says)) if st == "fail" => base
            .status(Status::Fail)
            .title(format!("Your chatbot can be talked into leaking. {says}"))
            .why("Whatever the system prompt holds, a customer can read; whatever the bot writes into an image address, another site receives.")
            .fix([
                "Never put keys, internal codes or anything you would not publish in the system prompt.",
                "Treat customer messages, pasted documents and tool output as data, never as instructions; add a moderation step on the bot's output.",
                "Do not render images or links to other sites in chat replies, then run the red team again.",
            ]),
        Some((st, _, says)) if st == "error" => {
            base.status(Status::Error).title(format!("Preflight could not tell whether your chatbot keeps its secrets. {says}"))
        }
        Some((_, at, _)) => base.title(format!("Your chatbot kept its secrets in the last red-team run ({}).", date(at / 1000))),
    }
}

fn evals(domain: &str, s: &ChatbotSetup) -> Finding {
    let base = Finding::new(&EVALS, domain, Status::Pass).evidence(json!({
        "questions": s.questions,
        "last": s.evals.as_ref().map(|l| json!({ "status": l.0, "at_ms": l.1 })),
        "last_deploy_ms": s.last_deploy_ms,
    }));
    if !s.has_chat {
        return base.status(Status::Skipped).title("No chat path is set up, so there is no chatbot to ask.");
    }
    if s.questions == 0 {
        return base
            .status(Status::Warn)
            .title("No question of your own is asked of the chatbot, so a release that makes its answers worse goes unnoticed.")
            .why("A changed prompt, model or retrieval step can quietly make good answers bad; customers notice before you do.")
            .fix([
                "Add 20 to 50 real customer questions to your settings as [[evals]], each with what a good answer must (and must not) say.",
                "Preflight asks them after every deploy it notices; `preflight evals run DOMAIN` asks them from CI.",
            ]);
    }
    match &s.evals {
        None => base
            .status(Status::Manual)
            .title(format!("Your {} questions have never been asked.", s.questions))
            .fix(["Open Chatbot in Preflight and press Ask the questions, or run `preflight evals run DOMAIN`."]),
        Some((st, _, says)) if st == "fail" => base.status(Status::Fail).title(format!("The chatbot's answers got worse. {says}")).fix([
            "Open Chatbot in Preflight: each failing answer is beside the last good one.",
            "Fix the prompt or the release, then ask again.",
        ]),
        Some((st, _, says)) if st == "error" => base.status(Status::Error).title(format!("Preflight could not ask every question. {says}")),
        Some((_, at, _)) if s.last_deploy_ms.is_some_and(|d| d > *at) => base
            .status(Status::Warn)
            .title(format!(
                "The questions last passed before the release of {}, and have not been asked since.",
                date(s.last_deploy_ms.unwrap_or_default() / 1000)
            ))
            .fix(["Ask them again, and add `preflight evals run DOMAIN --format junit` to your deploy."]),
        Some(_) => base.title(format!("All {} of your questions got good answers after the last release.", s.questions)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> ChatbotSetup {
        ChatbotSetup { has_chat: true, questions: 3, ..ChatbotSetup::default() }
    }

    #[test]
    fn each_state_of_the_records_has_its_verdict() {
        let st = |s: &ChatbotSetup| judge("acme.test", s).iter().map(|f| f.status).collect::<Vec<_>>();
        assert_eq!(st(&ChatbotSetup::default()), [Status::Skipped, Status::Skipped], "no chat, nothing to judge");
        assert_eq!(st(&setup()), [Status::Manual, Status::Manual]);
        let leaked = ChatbotSetup { red_team: Some(("fail".into(), 10, "2 of 3 tries got through.".into())), ..setup() };
        assert_eq!(st(&leaked)[0], Status::Fail);
        let unsure = ChatbotSetup { red_team: Some(("error".into(), 10, "the chat answered a web page".into())), ..setup() };
        assert_eq!(st(&unsure)[0], Status::Error, "a run that could not look is never a pass");
        let stale = ChatbotSetup { evals: Some(("pass".into(), 10, String::new())), last_deploy_ms: Some(20), ..setup() };
        assert_eq!(st(&stale)[1], Status::Warn, "a pass before the release says nothing about now");
        let fresh = ChatbotSetup { evals: Some(("pass".into(), 30, String::new())), last_deploy_ms: Some(20), ..setup() };
        assert_eq!(st(&fresh)[1], Status::Pass);
        assert_eq!(st(&ChatbotSetup { questions: 0, ..setup() })[1], Status::Warn);
    }
}
