//! The text of a chatbot's answer, however it comes: a JSON field, server-sent events with
//! OpenAI-style deltas (`choices[0].delta.content`) or the AI SDK's UI stream (`text-delta`), the
//! Vercel AI SDK's data stream (`0:"…"` lines), or a plain streamed body.

use crate::config::ChatAnswer;

/// The reply in `body` as a person reads it; `None` when the JSON field is missing.
pub fn reply_text(body: &[u8], answer: &ChatAnswer) -> Option<String> {
    match answer {
        ChatAnswer::Json(path) => crate::json::field(body, path),
        ChatAnswer::Stream => Some(streamed(&String::from_utf8_lossy(body))),
    }
}

/// A streamed body put together.
pub fn streamed(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let data: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix("data:")).map(str::trim_start).collect();
    if !data.is_empty() {
        return data.iter().filter(|d| !d.trim().is_empty() && d.trim() != "[DONE]").map(|d| piece(d)).collect();
    }
    // The AI SDK's data stream: `0:"text"` parts among others (`9:` tool calls, `e:` finish…).
    let parts: Vec<String> =
        lines.iter().filter_map(|l| l.strip_prefix("0:")).filter_map(|p| serde_json::from_str::<String>(p).ok()).collect();
    if !parts.is_empty() {
        return parts.concat();
    }
    text.to_owned()
}

/// The text one event carries.
fn piece(data: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(data) else { return data.to_owned() };
    let pick = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    if let Some(s) = pick(&v) {
        return s;
    }
    if v.get("type").and_then(|t| t.as_str()).is_some_and(|t| t != "text-delta" && t != "text" && t != "content_block_delta") {
        return String::new();
    }
    let paths: [&[&str]; 8] = [
        &["choices", "0", "delta", "content"],
        &["choices", "0", "text"],
        &["delta", "text"],
        &["delta"],
        &["textDelta"],
        &["token"],
        &["text"],
        &["content"],
    ];
    for path in paths {
        let mut at = &v;
        let mut ok = true;
        for p in path {
            let next = match p.parse::<usize>() {
                Ok(i) => at.get(i),
                Err(_) => at.get(*p),
            };
            match next {
                Some(n) => at = n,
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if let (true, Some(s)) = (ok, pick(at)) {
            return s;
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_streaming_shape_is_read_as_text() {
        let openai = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\ndata: [DONE]\n\n";
        assert_eq!(streamed(openai), "Hello");
        let ui = "data: {\"type\":\"start\"}\n\ndata: {\"type\":\"text-delta\",\"id\":\"0\",\"delta\":\"Hi \"}\n\ndata: {\"type\":\"text-delta\",\"id\":\"0\",\"delta\":\"there\"}\n\ndata: {\"type\":\"finish\"}\n\n";
        assert_eq!(streamed(ui), "Hi there");
        assert_eq!(streamed("0:\"Hi \"\n0:\"you\"\ne:{\"finishReason\":\"stop\"}\n"), "Hi you");
        assert_eq!(streamed("data: {\"token\":\"a \"}\n\ndata: {\"token\":\"b\"}\n\n"), "a b");
        assert_eq!(streamed("just text, chunked"), "just text, chunked");
    }
}
