//! `[[evals]]`: the founder's own questions to their chatbot, each with what a good answer must say
//! (or must never say), optionally a field of the answer's JSON, and how fast it must come. Checked
//! here, once, for the file, the window's form and the CLI; the red-team crate asks them.
//!
//! ```toml
//! [[evals]]
//! question = "How do I get a refund?"
//! must_contain = ["30 days", "/refund(s)? (page|form)/"]  # text, or /a regex/ (both ignore case)
//! must_not_contain = ["I don't know"]
//! max_latency_ms = 4000                                    # default: the chat kind's target
//! ```

use super::ConfigError;
use serde::{Deserialize, Serialize};

/// The most questions a product keeps: the roadmap's 20–50, and each one is a billed model call.
pub const MAX_EVALS: usize = 50;
/// The longest question.
pub const MAX_QUESTION_CHARS: usize = 2000;
/// The most patterns one question checks, each way.
pub const MAX_PATTERNS: usize = 10;
/// The longest pattern.
const MAX_PATTERN_CHARS: usize = 200;
/// The longest an answer may take to count, whatever is asked (a chat's own run is bounded too).
const MAX_LATENCY_MS: u32 = 120_000;

/// `[[evals]]` as written.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct EvalConfig {
    pub question: String,
    /// What the reports call it; the question's start when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Each must be in the answer: plain text, or `/a regex/`; case is ignored.
    #[serde(default)]
    pub must_contain: Vec<String>,
    /// None may be in the answer.
    #[serde(default)]
    pub must_not_contain: Vec<String>,
    /// A field of the answer's JSON (`sources.0.url`) that must be there (and equal `json_equals`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_equals: Option<String>,
    /// Default: the chat kind's target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_latency_ms: Option<u32>,
}

/// Text an answer is matched against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Pattern {
    /// Found anywhere, ignoring case and runs of spaces.
    Text(String),
    /// A regular expression (its source, checked to compile), ignoring case.
    Regex(String),
}

impl Pattern {
    fn parse(raw: &str) -> Result<Pattern, String> {
        let raw = raw.trim();
        if raw.is_empty() || raw.chars().count() > MAX_PATTERN_CHARS {
            return Err(format!("a pattern has 1 to {MAX_PATTERN_CHARS} characters"));
        }
        match raw.strip_prefix('/').and_then(|r| r.strip_suffix('/')) {
            Some(src) if !src.is_empty() => {
                regex::RegexBuilder::new(src)
                    .case_insensitive(true)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| format!("/{src}/ is not a regular expression Preflight can use: {e}"))?;
                Ok(Pattern::Regex(src.to_owned()))
            }
            _ => Ok(Pattern::Text(raw.to_owned())),
        }
    }

    /// Whether `text` holds it.
    pub fn found_in(&self, text: &str) -> bool {
        match self {
            Pattern::Text(t) => squeeze(text).contains(&squeeze(t)),
            Pattern::Regex(src) => {
                regex::RegexBuilder::new(src).case_insensitive(true).size_limit(1 << 20).build().is_ok_and(|r| r.is_match(text))
            }
        }
    }

    /// As the settings write it.
    pub fn shown(&self) -> String {
        match self {
            Pattern::Text(t) => format!("\"{t}\""),
            Pattern::Regex(r) => format!("/{r}/"),
        }
    }
}

/// Lower case, with every run of spaces one space.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A question, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Eval {
    pub name: String,
    pub question: String,
    pub must_contain: Vec<Pattern>,
    pub must_not_contain: Vec<Pattern>,
    pub json_field: Option<String>,
    pub json_equals: Option<String>,
    /// `None`: the chat kind's target, which the one who asks knows.
    pub max_latency_ms: Option<u32>,
}

/// One field of an `[[evals]]` entry the engine refuses.
#[derive(Debug)]
pub struct EvalProblem {
    /// `question`, `name`, `must_contain`, `must_not_contain`, `json_field` or `max_latency_ms`.
    pub field: &'static str,
    pub error: ConfigError,
}

/// `e` checked, given the questions before it (names are unique).
pub fn eval(file: &str, e: &EvalConfig, earlier: &[Eval]) -> Result<Eval, EvalProblem> {
    let at =
        |field: &'static str| move |message: String| EvalProblem { field, error: ConfigError::Value { file: file.to_owned(), message } };
    let question = e.question.trim();
    if question.is_empty() || question.chars().count() > MAX_QUESTION_CHARS {
        return Err(at("question")(format!("a question has 1 to {MAX_QUESTION_CHARS} characters")));
    }
    let name = match e.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => {
            let start: String = question.chars().take(60).collect();
            if question.chars().count() > 60 {
                format!("{}…", start.trim_end())
            } else {
                start
            }
        }
    };
    if name.chars().count() > 80 {
        return Err(at("name")("a question's name has at most 80 characters".into()));
    }
    if earlier.iter().any(|x| x.name.eq_ignore_ascii_case(&name)) {
        return Err(at("name")(format!("two questions are called \"{name}\": give each its own name")));
    }
    let patterns = |field: &'static str, raw: &[String]| -> Result<Vec<Pattern>, EvalProblem> {
        if raw.len() > MAX_PATTERNS {
            return Err(at(field)(format!("at most {MAX_PATTERNS} patterns")));
        }
        raw.iter().map(|p| Pattern::parse(p).map_err(at(field))).collect()
    };
    let must_contain = patterns("must_contain", &e.must_contain)?;
    let must_not_contain = patterns("must_not_contain", &e.must_not_contain)?;
    let json_field = e.json_field.as_deref().map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned);
    if let Some(f) = &json_field {
        if f.len() > 200 || f.split('.').any(str::is_empty) {
            return Err(at("json_field")(format!("\"{f}\" is not a field path (write it like sources.0.url)")));
        }
    }
    if e.json_equals.is_some() && json_field.is_none() {
        return Err(at("json_field")("json_equals needs the json_field it is about".into()));
    }
    if let Some(ms) = e.max_latency_ms {
        if ms == 0 || ms > MAX_LATENCY_MS {
            return Err(at("max_latency_ms")(format!("max_latency_ms is 1 to {MAX_LATENCY_MS}, not {ms}")));
        }
    }
    Ok(Eval {
        name,
        question: question.to_owned(),
        must_contain,
        must_not_contain,
        json_field,
        json_equals: e.json_equals.clone(),
        max_latency_ms: e.max_latency_ms,
    })
}

/// Every question of a file, checked.
pub fn evals(file: &str, raw: &[EvalConfig]) -> Result<Vec<Eval>, ConfigError> {
    if raw.len() > MAX_EVALS {
        return Err(ConfigError::Value {
            file: file.to_owned(),
            message: format!("{} questions are listed in [[evals]]; at most {MAX_EVALS} are asked", raw.len()),
        });
    }
    let mut out: Vec<Eval> = Vec::new();
    for (i, e) in raw.iter().enumerate() {
        let checked = eval(file, e, &out).map_err(|p| match p.error {
            ConfigError::Value { file, message } => {
                ConfigError::Value { file, message: format!("question {} ({}): {message}", i + 1, p.field) }
            }
            other => other,
        })?;
        out.push(checked);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(q: &str) -> EvalConfig {
        EvalConfig {
            question: q.into(),
            name: None,
            must_contain: Vec::new(),
            must_not_contain: Vec::new(),
            json_field: None,
            json_equals: None,
            max_latency_ms: None,
        }
    }

    #[test]
    fn patterns_are_text_or_a_regex_and_ignore_case_and_spacing() {
        let mut e = cfg("How do I get a refund?");
        e.must_contain = vec!["30  Days".into(), "/refund(s)? (page|form)/".into()];
        let got = eval("t", &e, &[]).expect("valid");
        assert_eq!(got.name, "How do I get a refund?");
        assert!(got.must_contain[0].found_in("within 30\ndays of purchase"), "spacing and case are ignored");
        assert!(got.must_contain[1].found_in("Use the Refund form."));
        assert!(!got.must_contain[1].found_in("Use the refund link."));
    }

    #[test]
    fn bad_entries_are_refused_at_their_field() {
        let mut e = cfg("q");
        e.must_contain = vec!["/(unclosed/".into()];
        assert_eq!(eval("t", &e, &[]).expect_err("bad regex").field, "must_contain");
        assert_eq!(eval("t", &cfg("  "), &[]).expect_err("empty").field, "question");
        let mut e = cfg("q");
        e.json_equals = Some("x".into());
        assert_eq!(eval("t", &e, &[]).expect_err("equals without field").field, "json_field");
        let first = eval("t", &cfg("Same?"), &[]).expect("valid");
        assert_eq!(eval("t", &cfg("Same?"), &[first]).expect_err("duplicate").field, "name");
        let many: Vec<EvalConfig> = (0..51).map(|i| cfg(&format!("q{i}"))).collect();
        assert!(evals("t", &many).is_err(), "at most 50 questions");
    }
}
