//! `template = "chat"`: starts a chat and sends a second message in the conversation the first
//! answer started (its id carried over when the answer has one), in the session of the sign-in
//! before it or with a key of its own. A step passes on a non-empty reply within the chat kind's
//! target; a streamed answer is read whole (its text put together by [`crate::stream`]), and judged
//! by when its first token came against the streaming target.

use crate::config::{ChatAnswer, ChatConfig};
use crate::outcome::{step, within, FlowResult, FlowStatus, StepResult};
use crate::session::{unreachable, Exchange, Session};
use crate::{key, Keys};
use preflight_core::net::Request;
use preflight_core::{Domain, EndpointKind};
use std::time::Duration;

/// Both messages, with their answers, end within this.
const DEADLINE: Duration = Duration::from_secs(90);

/// The second message, in the conversation the first started.
const FOLLOW_UP: &str = "And a second message in the same conversation, to check it carries on.";

/// The fields an answer's conversation id is found in.
const CONVERSATION: [&str; 5] = ["conversation_id", "conversationId", "thread_id", "chat_id", "id"];

pub async fn run(s: &mut Session<'_>, product: &Domain, name: &str, cfg: &ChatConfig, keys: &dyn Keys) -> FlowResult {
    within(DEADLINE, name, "chat", "Start a chat", walk(s, product, name, cfg, keys)).await
}

async fn walk(s: &mut Session<'_>, product: &Domain, name: &str, cfg: &ChatConfig, keys: &dyn Keys) -> FlowResult {
    let done = |steps: Vec<StepResult>| {
        FlowResult::of(name, "chat", steps, format!("{name}: the chatbot answers, and a second message carries on the conversation."))
    };
    if let Some(k) = &cfg.key {
        match key(keys, product, k) {
            Ok(v) => s.bearer = Some(v),
            Err(e) => return done(vec![step("Read the chat's key", FlowStatus::Error, None, 0, e)]),
        }
    }
    let mut steps = Vec::new();
    let mut conversation: Option<String> = None;
    let mut history: Vec<(String, String)> = Vec::new();
    for (label, message) in [("Start a chat", cfg.message.as_str()), ("Send a message", FOLLOW_UP)] {
        let req = Request::new(&cfg.method, cfg.chat_url.clone())
            .header("Content-Type", "application/json")
            .header("Accept", if cfg.answer == ChatAnswer::Stream { "text/event-stream" } else { "application/json" })
            .body(body(&cfg.body, message, &history, conversation.as_deref()));
        let x = match s.send(req).await {
            Ok(x) => x,
            Err(e) => {
                steps.push(step(label, FlowStatus::Error, None, 0, unreachable(&e)));
                return done(steps);
            }
        };
        let r = judge(&x, &cfg.answer);
        let ok = r.0 == FlowStatus::Pass;
        steps.push(step(label, r.0, Some(x.response.status), x.ms, r.1));
        if !ok {
            return done(steps);
        }
        if conversation.is_none() {
            conversation = conversation_id(&x.response.body);
        }
        history.push((message.to_owned(), reply(&x, &cfg.answer).unwrap_or_default()));
    }
    done(steps)
}

/// The conversation id a chat answer gives, in the first of the usual fields that holds one.
pub fn conversation_id(body: &[u8]) -> Option<String> {
    let v = serde_json::from_slice::<serde_json::Value>(body).ok()?;
    CONVERSATION.iter().find_map(|k| match v.get(k) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// The request body: `{{message}}` (JSON-escaped), `{{history}}` (the conversation so far with
/// this message last, as `[{"role", "content"}]`) and `{{conversation_id}}` filled in; a JSON object
/// without that placeholder gets `conversation_id` added once there is one.
pub fn body(template: &str, message: &str, history: &[(String, String)], conversation: Option<&str>) -> String {
    let escaped = |v: &str| serde_json::to_string(v).map(|q| q[1..q.len() - 1].to_owned()).unwrap_or_default();
    let mut messages: Vec<serde_json::Value> = Vec::new();
    for (asked, answered) in history {
        messages.push(serde_json::json!({"role": "user", "content": asked}));
        messages.push(serde_json::json!({"role": "assistant", "content": answered}));
    }
    messages.push(serde_json::json!({"role": "user", "content": message}));
    let mut out =
        template.replace("{{message}}", &escaped(message)).replace("{{history}}", &serde_json::Value::Array(messages).to_string());
    match conversation {
        Some(id) if out.contains("{{conversation_id}}") => out = out.replace("{{conversation_id}}", &escaped(id)),
        Some(id) => {
            if let Ok(serde_json::Value::Object(mut o)) = serde_json::from_str::<serde_json::Value>(&out) {
                o.insert("conversation_id".into(), serde_json::Value::String(id.to_owned()));
                out = serde_json::Value::Object(o).to_string();
            }
        }
        None => out = out.replace("{{conversation_id}}", ""),
    }
    out
}

/// The reply in an answer: the JSON field at `path`, or a stream's text put together.
fn reply(x: &Exchange, answer: &ChatAnswer) -> Option<String> {
    crate::stream::reply_text(&x.response.body, answer)
}

fn judge(x: &Exchange, answer: &ChatAnswer) -> (FlowStatus, String) {
    let st = x.response.status;
    if let Some(why) = &x.stopped {
        return (FlowStatus::Fail, format!("was {why}"));
    }
    if x.response.truncated {
        let kib = x.response.body.len() / 1024;
        return (
            FlowStatus::Fail,
            format!("sent an answer that did not end within {kib} KiB: customers wait on a reply that never finishes"),
        );
    }
    if st == 401 || st == 403 {
        return (FlowStatus::Fail, format!("answered {st}: the chat wants a signed-in user or a key, and this one was not accepted"));
    }
    if st >= 400 {
        return (FlowStatus::Fail, format!("answered with error {st}: customers get no answer"));
    }
    let said = reply(x, answer).map(|r| r.trim().to_owned()).unwrap_or_default();
    if said.is_empty() {
        let at = match answer {
            ChatAnswer::Json(p) => format!("at {p}"),
            ChatAnswer::Stream => "in the stream".to_owned(),
        };
        return (FlowStatus::Fail, format!("answered {st} with no reply {at}"));
    }
    let quoted: String = said.chars().take(60).collect();
    let more = if said.chars().count() > 60 { "…" } else { "" };
    match answer {
        ChatAnswer::Stream => {
            // A stream is judged by its first token, as a customer watching the reply appear is.
            let target = u64::from(EndpointKind::StreamingChat.target_ms());
            let first = x.first_piece_ms.unwrap_or(x.ms);
            if first > target {
                (
                    FlowStatus::Fail,
                    format!("took {first} ms to its first token, slower than the {target} ms a streamed answer should start in"),
                )
            } else {
                (FlowStatus::Pass, format!("started answering in {first} ms (whole reply in {} ms): \"{quoted}{more}\"", x.ms))
            }
        }
        ChatAnswer::Json(_) => {
            let target = u64::from(EndpointKind::ChatSend.target_ms());
            if x.ms > target {
                (FlowStatus::Fail, format!("answered in {} ms, slower than the {target} ms a chat message should take", x.ms))
            } else {
                (FlowStatus::Pass, format!("answered in {} ms: \"{quoted}{more}\"", x.ms))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_carries_the_message_escaped_and_the_conversation_once_there_is_one() {
        assert_eq!(body("{\"message\": \"{{message}}\"}", "say \"hi\"", &[], None), "{\"message\": \"say \\\"hi\\\"\"}");
        assert_eq!(body("{\"message\": \"{{message}}\"}", "hi", &[], Some("c-1")), "{\"conversation_id\":\"c-1\",\"message\":\"hi\"}");
        assert_eq!(
            body("{\"m\":\"{{message}}\",\"thread\":\"{{conversation_id}}\"}", "hi", &[], Some("t9")),
            "{\"m\":\"hi\",\"thread\":\"t9\"}"
        );
        let h = vec![("hi".to_owned(), "hello \"you\"".to_owned())];
        assert_eq!(
            body(r#"{"messages": {{history}}}"#, "next", &h, None),
            r#"{"messages": [{"content":"hi","role":"user"},{"content":"hello \"you\"","role":"assistant"},{"content":"next","role":"user"}]}"#
        );
    }
}
