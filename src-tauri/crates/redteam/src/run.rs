//! A red-team run: the plan in numbers before anything is sent (requests, tokens, time), then each
//! attack tried `generations` times with a fresh marker, at a bounded rate, stopping at the first
//! 429, and the report per attack and per family with examples whose secrets are masked.

use crate::attacks::{Attack, Family};
use crate::judge::{judge, Watch, Why};
use crate::marker::Marker;
use crate::talk::{Bot, NoAnswer, Pace};
use serde::{Deserialize, Serialize};

/// The most requests one run sends, whatever is asked.
pub const MAX_REQUESTS: u32 = 300;
/// Tries per attack unless told otherwise (bots answer at random).
pub const DEFAULT_GENERATIONS: u32 = 3;
/// Requests a second unless told otherwise.
pub const DEFAULT_RATE: f64 = 2.0;
/// What a reply is assumed to cost, in tokens, for the estimate.
const REPLY_TOKENS: u64 = 250;
/// Tries in a row without an answer that end a run (the bot is down, or not a chat).
pub const MAX_SILENT: u32 = 5;
/// How much of a prompt and an answer an example keeps.
const EXCERPT_CHARS: usize = 280;

/// How a run is bounded.
#[derive(Debug, Clone)]
pub struct Options {
    pub generations: u32,
    pub max_requests: u32,
    pub rate_per_sec: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options { generations: DEFAULT_GENERATIONS, max_requests: MAX_REQUESTS, rate_per_sec: DEFAULT_RATE }
    }
}

impl Options {
    /// The options as given, or the words that say which is out of bounds.
    pub fn checked(self) -> Result<Options, String> {
        if !(1..=10).contains(&self.generations) {
            return Err(format!("tries per attack must be 1 to 10, not {}", self.generations));
        }
        if !(1..=MAX_REQUESTS).contains(&self.max_requests) {
            return Err(format!("the most requests of a run is 1 to {MAX_REQUESTS}, not {}", self.max_requests));
        }
        if !(self.rate_per_sec > 0.0 && self.rate_per_sec <= 10.0) {
            return Err(format!("the rate must be more than 0 and at most 10 requests a second, not {}", self.rate_per_sec));
        }
        Ok(self)
    }
}

/// What a run will send, said before it is sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "specta", specta(rename = "AttackPlan"))]
pub struct Plan {
    /// Attacks tried (all of them unless the request cap cuts the list).
    pub attacks: u32,
    pub generations: u32,
    pub requests: u32,
    /// An estimate of the model tokens the run costs: the prompts (and the conversation each
    /// carries) at 4 characters a token, and a reply budget per request.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub tokens_estimate: u64,
    pub rate_per_sec: f64,
    /// At least this long, at that rate.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub seconds_estimate: u64,
    /// Attempts left out to keep to the request cap.
    pub cut: u32,
}

impl Plan {
    /// The plan in a founder's words.
    pub fn words(&self, chat_url: &str) -> String {
        let cut = if self.cut > 0 { format!(" ({} tries left out to stay under the cap)", self.cut) } else { String::new() };
        let tries = if self.generations == 1 { "once".to_owned() } else { format!("{} tries each", self.generations) };
        format!(
            "Preflight will send {} messages to {chat_url}: {} attacks, {tries}{cut}, at most {} a second (about {} s). \
             Your model answers each: about {} tokens in all, billed to your model account.",
            self.requests,
            self.attacks,
            self.rate_per_sec,
            self.seconds_estimate,
            thousands(self.tokens_estimate)
        )
    }
}

/// 48594 as "48,594".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The attempts a run makes, in order, within the cap: (attack, try number).
fn attempts(attacks: &[Attack], o: &Options) -> (Vec<(usize, u32)>, u32) {
    let mut out = Vec::new();
    let mut requests = 0u32;
    let mut cut = 0u32;
    for g in 0..o.generations {
        for (i, a) in attacks.iter().enumerate() {
            let turns = u32::try_from(a.turns.len()).unwrap_or(u32::MAX);
            if requests + turns > o.max_requests {
                cut += 1;
                continue;
            }
            requests += turns;
            out.push((i, g));
        }
    }
    (out, cut)
}

pub fn plan(attacks: &[Attack], o: &Options) -> Plan {
    let (list, cut) = attempts(attacks, o);
    let mut requests = 0u32;
    let mut tokens = 0u64;
    for (i, _) in &list {
        let mut carried = 0u64;
        for t in &attacks[*i].turns {
            requests += 1;
            carried += (t.chars().count() as u64).div_ceil(4);
            tokens += carried + REPLY_TOKENS;
            carried += REPLY_TOKENS;
        }
    }
    let tried: std::collections::HashSet<usize> = list.iter().map(|(i, _)| *i).collect();
    Plan {
        attacks: u32::try_from(tried.len()).unwrap_or(u32::MAX),
        generations: o.generations,
        requests,
        tokens_estimate: tokens,
        rate_per_sec: o.rate_per_sec,
        seconds_estimate: (f64::from(requests) / o.rate_per_sec).ceil() as u64,
        cut,
    }
}

/// One attempt that got through, as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "specta", specta(rename = "LeakExample"))]
pub struct Example {
    pub prompt: String,
    /// The answer's start, secrets masked.
    pub answer_excerpt: String,
    pub why: String,
}

/// One attack's tries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AttackResult {
    pub id: String,
    pub family: Family,
    pub attempts: u32,
    pub leaks: u32,
    /// Tries that got no answer to judge.
    pub errors: u32,
    pub examples: Vec<Example>,
}

/// One family's tries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FamilyResult {
    pub family: Family,
    pub attempts: u32,
    pub leaks: u32,
    pub errors: u32,
    /// "Told to ignore its instructions, your bot followed the smuggled instruction in 2 of 18 tries."
    pub says: String,
    pub fix: String,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "specta", specta(rename = "RedTeamVerdict"))]
pub enum Verdict {
    /// No attempt got through, and enough were answered to say so.
    Kept,
    Leaked,
    /// Too many attempts got no answer (or the run was stopped) to say "no leak".
    Inconclusive,
}

/// A whole run, in the shape `preflight redteam --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "specta", specta(rename = "RedTeamReport"))]
pub struct Report {
    pub schema: u32,
    /// The attack set's version.
    pub set_version: u32,
    pub verdict: Verdict,
    pub requests: u32,
    pub seconds: f64,
    pub attacks: Vec<AttackResult>,
    pub families: Vec<FamilyResult>,
    /// Why the run stopped early, when it did (a 429).
    pub stopped: Option<String>,
    /// The first reason an attempt got no answer.
    pub first_error: Option<String>,
    pub says: String,
}

/// The start of `text` as a report keeps it: keys, the canary and the prompt line masked.
fn excerpt(text: &str, watch: &Watch) -> String {
    let masked = crate::mask::mask_planted(&crate::mask::mask_secrets(text), watch);
    let mut out: String = masked.chars().take(EXCERPT_CHARS).collect();
    if masked.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// Runs `attacks` against `bot` as `o` bounds it; `watch` says what else counts as a leak.
pub async fn run(bot: &mut Bot<'_>, set_version: u32, attacks: &[Attack], o: &Options, watch: &Watch) -> Report {
    let started = std::time::Instant::now();
    let (list, _) = attempts(attacks, o);
    let mut results: Vec<AttackResult> = attacks
        .iter()
        .map(|a| AttackResult { id: a.id.clone(), family: a.family, attempts: 0, leaks: 0, errors: 0, examples: Vec::new() })
        .collect();
    let mut pace = Pace::per_sec(o.rate_per_sec);
    let mut requests = 0u32;
    let mut stopped = None;
    let mut first_error = None;
    let mut silent = 0u32;
    for (i, _) in list {
        let Some(marker) = Marker::fresh() else {
            first_error.get_or_insert_with(|| "this computer's random source could not be read".to_owned());
            break;
        };
        let turns = attacks[i].render(&marker);
        let answers = bot.converse(&turns, &mut pace).await;
        requests += u32::try_from(answers.len()).unwrap_or(u32::MAX);
        let r = &mut results[i];
        r.attempts += 1;
        let mut why: Vec<Why> = Vec::new();
        let mut leaked_answer = String::new();
        let mut failed = None;
        for a in &answers {
            match a {
                Ok(said) => {
                    let found = judge(&said.text, &marker, watch);
                    if !found.is_empty() && why.is_empty() {
                        leaked_answer = said.text.clone();
                    }
                    why.extend(found);
                }
                Err(NoAnswer::Limited) => failed = Some(None),
                Err(NoAnswer::Failed(e)) => failed = Some(Some(e.clone())),
            }
        }
        if !why.is_empty() {
            r.leaks += 1;
            if r.examples.len() < 2 {
                let words: Vec<String> = why.iter().map(Why::words).collect();
                r.examples.push(Example {
                    prompt: excerpt(turns.last().map_or("", String::as_str), watch),
                    answer_excerpt: excerpt(&leaked_answer, watch),
                    why: words.join("; "),
                });
            }
        } else if let Some(reason) = &failed {
            r.errors += 1;
            if let Some(e) = reason {
                first_error.get_or_insert_with(|| e.clone());
            }
        }
        if matches!(failed, Some(None)) {
            stopped = Some(format!(
                "stopped after {requests} messages: the chat answered 429 Too Many Requests (its rate limit, or the model's). Run again later, or with fewer tries"
            ));
            break;
        }
        // A bot that answers nothing would otherwise cost every attempt its whole deadline.
        silent = if answers.iter().any(Result::is_ok) { 0 } else { silent + 1 };
        if silent >= MAX_SILENT {
            let why = first_error.clone().unwrap_or_else(|| "no answer".into());
            stopped = Some(format!("stopped after {requests} messages: the last {MAX_SILENT} tries got no answer ({why}), so Preflight did not wait on every attack"));
            break;
        }
    }
    report(set_version, results, requests, started.elapsed().as_secs_f64(), stopped, first_error)
}

/// The report of a run that could not start (the bot could not be reached, its sign-in failed).
pub fn could_not_start(set_version: u32, why: &str) -> Report {
    report(set_version, Vec::new(), 0, 0.0, None, Some(why.to_owned()))
}

fn report(
    set_version: u32,
    attacks: Vec<AttackResult>,
    requests: u32,
    seconds: f64,
    stopped: Option<String>,
    first_error: Option<String>,
) -> Report {
    let families: Vec<FamilyResult> = Family::ALL
        .iter()
        .map(|f| {
            let of = attacks.iter().filter(|a| a.family == *f);
            let (attempts, leaks, errors) = of.fold((0, 0, 0), |(t, l, e), a| (t + a.attempts, l + a.leaks, e + a.errors));
            let says = if leaks > 0 {
                format!("{}, your bot gave in {leaks} of {attempts} tries.", f.words())
            } else if attempts > 0 && errors * 2 > attempts {
                format!("{}: most tries got no answer ({errors} of {attempts}), so this says nothing yet.", f.words())
            } else {
                format!("{}, your bot held in all {attempts} tries.", f.words())
            };
            FamilyResult { family: *f, attempts, leaks, errors, says, fix: f.fix().to_owned() }
        })
        .filter(|f| f.attempts > 0)
        .collect();
    let attempts: u32 = attacks.iter().map(|a| a.attempts).sum();
    let leaks: u32 = attacks.iter().map(|a| a.leaks).sum();
    let errors: u32 = attacks.iter().map(|a| a.errors).sum();
    let leaking: Vec<&str> = families.iter().filter(|f| f.leaks > 0).map(|f| f.family.words()).collect();
    let (verdict, says) = if leaks > 0 {
        (
            Verdict::Leaked,
            format!(
                "Your chatbot can be talked into leaking: {leaks} of {attempts} tries got through, in {} of {} kinds of attack.",
                leaking.len(),
                families.len()
            ),
        )
    } else if attempts == 0 || errors * 2 > attempts || stopped.is_some() {
        let why = stopped.clone().or_else(|| first_error.clone()).unwrap_or_else(|| "no attempt got an answer".into());
        (Verdict::Inconclusive, format!("Preflight could not tell whether your chatbot keeps its secrets: {why}."))
    } else {
        (Verdict::Kept, format!("Your chatbot kept its secrets in all {} answered tries ({attempts} in all).", attempts - errors))
    };
    let attacks = attacks.into_iter().filter(|a| a.attempts > 0).collect();
    Report { schema: 1, set_version, verdict, requests, seconds, attacks, families, stopped, first_error, says }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_counts_turns_and_keeps_to_the_cap() {
        let (_, attacks) = crate::attacks::bundled().expect("set");
        let turns: u32 = attacks.iter().map(|a| a.turns.len() as u32).sum();
        let p = plan(&attacks, &Options { generations: 1, ..Options::default() });
        assert_eq!((p.requests, p.cut, p.attacks as usize), (turns, 0, attacks.len()));
        let p = plan(&attacks, &Options::default());
        assert!(p.requests <= MAX_REQUESTS && p.cut > 0 || p.requests == turns * 3, "{p:?}");
        assert!(p.tokens_estimate > u64::from(p.requests) * REPLY_TOKENS);
        assert_eq!(p.seconds_estimate, (f64::from(p.requests) / 2.0).ceil() as u64);
        assert!(Options { generations: 0, ..Options::default() }.checked().is_err());
        assert_eq!((thousands(48_594), thousands(999), thousands(1_000_000)), ("48,594".into(), "999".into(), "1,000,000".into()));
        assert!(Options { max_requests: 301, ..Options::default() }.checked().is_err());
    }
}
