//! What an endpoint does, and the p95 it should beat.
//!
//! The targets are the launch roadmap's: under 400 ms for cached reads, under 800–900 ms for writes
//! before the AI model's own time. A streaming chat is judged on its first token, which includes the
//! model's start, so its target is looser. The founder can set any endpoint's own target.

use serde::{Deserialize, Serialize};

/// The kinds of endpoint a chatbot product has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A read the server can answer from a cache (plans, a session, feature flags).
    CachedRead,
    /// A write (sign-up, settings, a message saved).
    Write,
    /// Sending a chat message, before the model answers.
    ChatSend,
    /// A chat answer streamed back token by token: judged on the first token.
    StreamingChat,
    /// A webhook the product receives (payments).
    Webhook,
    /// The page a login provider sends users back to.
    AuthCallback,
}

impl Kind {
    pub const ALL: [Kind; 6] = [Kind::CachedRead, Kind::Write, Kind::ChatSend, Kind::StreamingChat, Kind::Webhook, Kind::AuthCallback];

    /// The p95 target in milliseconds.
    pub fn target_ms(self) -> u32 {
        match self {
            Kind::CachedRead => 400,
            Kind::Write | Kind::Webhook | Kind::AuthCallback => 800,
            Kind::ChatSend => 900,
            Kind::StreamingChat => 1500,
        }
    }

    /// The stable name used in flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CachedRead => "cached_read",
            Kind::Write => "write",
            Kind::ChatSend => "chat_send",
            Kind::StreamingChat => "streaming_chat",
            Kind::Webhook => "webhook",
            Kind::AuthCallback => "auth_callback",
        }
    }

    /// Parses the flag's value (`cached-read` and `cached_read` alike).
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The founder's words for it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::CachedRead => "a cached read",
            Kind::Write => "a write",
            Kind::ChatSend => "sending a chat message",
            Kind::StreamingChat => "a streamed chat answer (first token)",
            Kind::Webhook => "a webhook",
            Kind::AuthCallback => "a login callback",
        }
    }

    /// The kind a request most likely is, when the founder did not say.
    pub fn guess(method: &str) -> Kind {
        if method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD") {
            Kind::CachedRead
        } else {
            Kind::Write
        }
    }
}
