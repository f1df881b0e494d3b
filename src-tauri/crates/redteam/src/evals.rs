//! The founder's own questions (`[[evals]]`), asked after a deploy to spot a chatbot that got worse:
//! each in a fresh conversation, at the red team's pace (stopping at the first 429), judged by what
//! the answer must and must not say, an optional JSON field, and its time against the question's
//! target (the chat kind's by default: a streamed answer by its first token). Answers are kept with
//! any key in them masked, so the window can put a newly failing answer beside the last good one.

use crate::talk::{Bot, NoAnswer, Pace};
use preflight_core::config::evals::Eval;
use preflight_core::endpoint_kind::EndpointKind;
use serde::{Deserialize, Serialize};

/// Questions in a row without an answer that end a run.
const MAX_SILENT: usize = 3;
/// The most of an answer kept and shown.
const ANSWER_CHARS: usize = 1200;

/// How one question went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum EvalStatus {
    Pass,
    Fail,
    /// The question got no answer to judge.
    Error,
}

/// One question's answer, judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Answered {
    pub name: String,
    pub question: String,
    pub status: EvalStatus,
    /// The time judged: the first token of a stream, else the whole answer.
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub ms: Option<u64>,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub target_ms: u64,
    /// The answer's start, keys masked.
    pub answer: String,
    /// What was wrong with it: "does not say \"30 days\"", "took 2400 ms (target 900 ms)".
    pub problems: Vec<String>,
    pub says: String,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum EvalVerdict {
    Pass,
    Fail,
    /// Nothing failed, but a question got no answer (or the run stopped): not a pass.
    Inconclusive,
}

/// A run of the questions, in the shape `preflight evals run --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvalReport {
    pub schema: u32,
    pub verdict: EvalVerdict,
    pub questions: Vec<Answered>,
    /// p95 of the answered questions' times.
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub p95_ms: Option<u64>,
    pub requests: u32,
    pub seconds: f64,
    /// Why the run stopped early (a 429), when it did.
    pub stopped: Option<String>,
    pub says: String,
}

/// Asks each of `evals` of `bot`, at most `rate_per_sec` a second.
pub async fn run(bot: &mut Bot<'_>, evals: &[Eval], rate_per_sec: f64) -> EvalReport {
    let started = std::time::Instant::now();
    let mut pace = Pace::per_sec(rate_per_sec);
    let default_target = u64::from(if bot.streams() { EndpointKind::StreamingChat } else { EndpointKind::ChatSend }.target_ms());
    let mut out = Vec::new();
    let mut stopped: Option<String> = None;
    let mut requests = 0u32;
    for e in evals {
        let target_ms = e.max_latency_ms.map_or(default_target, u64::from);
        if let Some(why) = &stopped {
            out.push(unanswered(e, target_ms, format!("not asked: {why}")));
            continue;
        }
        requests += 1;
        let said = bot.converse_with(std::slice::from_ref(&e.question), &mut pace, e.json_field.as_deref()).await.pop();
        match said {
            Some(Ok(s)) => out.push(judge(e, target_ms, &s)),
            Some(Err(NoAnswer::Limited)) => {
                let why = format!("the chat answered 429 Too Many Requests after {requests} questions (its rate limit, or the model's)");
                out.push(unanswered(e, target_ms, why.clone()));
                stopped = Some(why);
            }
            Some(Err(NoAnswer::Failed(why))) => out.push(unanswered(e, target_ms, format!("got no answer: the chat {why}"))),
            None => out.push(unanswered(e, target_ms, "got no answer".into())),
        }
        // A bot that answers nothing would otherwise cost every question its whole deadline.
        let tail = out.iter().rev().take(MAX_SILENT).filter(|q| q.status == EvalStatus::Error).count();
        if stopped.is_none() && tail == MAX_SILENT {
            stopped = Some(format!("the last {MAX_SILENT} questions got no answer, so the rest were not asked"));
        }
    }
    report(out, requests, started.elapsed().as_secs_f64(), stopped)
}

/// The report of a run that could not start (the bot could not be reached, its sign-in failed):
/// every question unanswered, for that reason.
pub fn could_not_start(evals: &[Eval], why: &str) -> EvalReport {
    let default_target = u64::from(EndpointKind::ChatSend.target_ms());
    let questions =
        evals.iter().map(|e| unanswered(e, e.max_latency_ms.map_or(default_target, u64::from), format!("was not asked: {why}"))).collect();
    report(questions, 0, 0.0, None)
}

fn unanswered(e: &Eval, target_ms: u64, why: String) -> Answered {
    Answered {
        name: e.name.clone(),
        question: e.question.clone(),
        status: EvalStatus::Error,
        ms: None,
        target_ms,
        answer: String::new(),
        problems: Vec::new(),
        says: format!("\"{}\" {why}.", e.name),
    }
}

/// One answer against what the founder asked of it.
pub fn judge(e: &Eval, target_ms: u64, s: &crate::talk::Said) -> Answered {
    let mut problems = Vec::new();
    for p in &e.must_contain {
        if !p.found_in(&s.text) {
            problems.push(format!("does not say {}", p.shown()));
        }
    }
    for p in &e.must_not_contain {
        if p.found_in(&s.text) {
            problems.push(format!("says {}", p.shown()));
        }
    }
    if let Some(f) = &e.json_field {
        match (&s.field, &e.json_equals) {
            (None, _) => problems.push(format!("has no {f} in its answer")),
            (Some(got), Some(want)) if got != want => problems.push(format!("has {f} = \"{got}\", not \"{want}\"")),
            _ => {}
        }
    }
    if s.first_ms > target_ms {
        problems.push(format!("took {} ms (target {target_ms} ms)", s.first_ms));
    }
    let masked = crate::mask::mask_secrets(&s.text);
    let mut answer: String = masked.chars().take(ANSWER_CHARS).collect();
    if masked.chars().count() > ANSWER_CHARS {
        answer.push('…');
    }
    let (status, says) = if problems.is_empty() {
        (EvalStatus::Pass, format!("\"{}\" got a good answer in {} ms.", e.name, s.first_ms))
    } else {
        (EvalStatus::Fail, format!("\"{}\": the answer {}.", e.name, problems.join(", ")))
    };
    Answered { name: e.name.clone(), question: e.question.clone(), status, ms: Some(s.first_ms), target_ms, answer, problems, says }
}

/// The nearest-rank p95 of `ms`.
fn p95(mut ms: Vec<u64>) -> Option<u64> {
    if ms.is_empty() {
        return None;
    }
    ms.sort_unstable();
    let rank = (ms.len() * 95).div_ceil(100).max(1);
    ms.get(rank - 1).copied()
}

fn report(questions: Vec<Answered>, requests: u32, seconds: f64, stopped: Option<String>) -> EvalReport {
    let count = |s: EvalStatus| questions.iter().filter(|q| q.status == s).count();
    let (pass, fail, error) = (count(EvalStatus::Pass), count(EvalStatus::Fail), count(EvalStatus::Error));
    let p95_ms = p95(questions.iter().filter_map(|q| q.ms).collect());
    let speed = p95_ms.map(|p| format!(" p95 {p} ms.")).unwrap_or_default();
    let (verdict, says) = if fail > 0 {
        (EvalVerdict::Fail, format!("{fail} of {} questions got a worse answer than you asked for.{speed}", questions.len()))
    } else if error > 0 || questions.is_empty() {
        let first = questions.iter().find(|q| q.status == EvalStatus::Error).map(|q| q.says.clone()).unwrap_or_default();
        (
            EvalVerdict::Inconclusive,
            format!("{error} of {} questions got no answer, so this run does not say the bot is fine. {first}", questions.len()),
        )
    } else {
        (EvalVerdict::Pass, format!("All {pass} questions got the answer you asked for.{speed}"))
    };
    EvalReport { schema: 1, verdict, questions, p95_ms, requests, seconds, stopped, says: says.trim_end().to_owned() }
}

/// What changed since the run before: questions that now fail, each beside its last good answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvalChanges {
    pub newly_failing: Vec<Regression>,
    /// Questions that failed last time and pass now.
    pub fixed: Vec<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub p95_before: Option<u64>,
    pub says: String,
}

/// A question that passed before and fails now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Regression {
    pub name: String,
    pub now: String,
    pub problems: Vec<String>,
    /// The newest answer that passed, when one is kept.
    pub last_good: Option<String>,
}

/// `runs` newest first: what the newest changed against the one before it; `None` with fewer than two.
pub fn changes(runs: &[EvalReport]) -> Option<EvalChanges> {
    let (now, before) = (runs.first()?, runs.get(1)?);
    let status_in = |r: &EvalReport, name: &str| r.questions.iter().find(|q| q.name == name).map(|q| q.status);
    let mut newly_failing = Vec::new();
    let mut fixed = Vec::new();
    for q in &now.questions {
        match (status_in(before, &q.name), q.status) {
            (Some(EvalStatus::Pass), EvalStatus::Fail) => {
                let last_good = runs[1..]
                    .iter()
                    .find_map(|r| r.questions.iter().find(|x| x.name == q.name && x.status == EvalStatus::Pass).map(|x| x.answer.clone()));
                newly_failing.push(Regression { name: q.name.clone(), now: q.answer.clone(), problems: q.problems.clone(), last_good });
            }
            (Some(EvalStatus::Fail), EvalStatus::Pass) => fixed.push(q.name.clone()),
            _ => {}
        }
    }
    let speed = match (before.p95_ms, now.p95_ms) {
        (Some(b), Some(n)) => format!(" p95 {b} ms before, {n} ms now."),
        _ => String::new(),
    };
    let q = |n: usize| if n == 1 { "1 question".to_owned() } else { format!("{n} questions") };
    let verb = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let says = match (newly_failing.len(), fixed.len()) {
        (0, 0) => format!("No question changed its verdict since the run before.{speed}"),
        (n, 0) => format!("{} that passed before now {}.{speed}", q(n), verb(n, "fails", "fail")),
        (0, f) => format!("{} that failed before now {}.{speed}", q(f), verb(f, "passes", "pass")),
        (n, f) => format!(
            "{} that passed before now {}, and {f} that failed now {}.{speed}",
            q(n),
            verb(n, "fails", "fail"),
            verb(f, "passes", "pass")
        ),
    };
    Some(EvalChanges { newly_failing, fixed, p95_before: before.p95_ms, says })
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_core::config::evals::{eval, EvalConfig};

    fn asked(must: &[&str], never: &[&str]) -> Eval {
        let cfg = EvalConfig {
            question: "How long do refunds take?".into(),
            name: Some("Refunds".into()),
            must_contain: must.iter().map(|s| (*s).to_owned()).collect(),
            must_not_contain: never.iter().map(|s| (*s).to_owned()).collect(),
            json_field: None,
            json_equals: None,
            max_latency_ms: None,
        };
        eval("t", &cfg, &[]).expect("valid")
    }

    fn said(text: &str, ms: u64) -> crate::talk::Said {
        crate::talk::Said { text: text.into(), status: 200, ms, first_ms: ms, field: None }
    }

    #[test]
    fn an_answer_is_judged_by_what_it_says_and_how_fast() {
        let e = asked(&["5 business days", "/refund(s)?/"], &["I don't know"]);
        assert_eq!(judge(&e, 900, &said("Refunds take 5 business  days.", 300)).status, EvalStatus::Pass);
        let bad = judge(&e, 900, &said("I don't know, sorry.", 1200));
        assert_eq!(bad.status, EvalStatus::Fail);
        assert_eq!(
            bad.problems,
            ["does not say \"5 business days\"", "does not say /refund(s)?/", "says \"I don't know\"", "took 1200 ms (target 900 ms)"]
        );
    }

    #[test]
    fn a_question_that_passed_before_and_fails_now_stands_beside_its_last_good_answer() {
        let e = asked(&["5 business days"], &[]);
        let run = |text: &str| report(vec![judge(&e, 900, &said(text, 100))], 1, 0.1, None);
        let good = run("Refunds take 5 business days.");
        let bad = run("Refunds take a while.");
        let c = changes(&[bad.clone(), good.clone(), good]).expect("two runs");
        assert_eq!(c.newly_failing.len(), 1);
        assert_eq!(c.newly_failing[0].last_good.as_deref(), Some("Refunds take 5 business days."));
        assert!(c.says.starts_with("1 question that passed before now fails"), "{}", c.says);
        assert!(changes(&[bad]).is_none());
        assert_eq!(p95((1..=20).collect()), Some(19));
    }
}
