//! What a key endpoint does, and the p95 it should beat: declared here, once, for the product
//! config (`[[endpoints]] kind`), the latency measurement and the load test.
//!
//! The targets are the launch roadmap's: under 400 ms for cached reads, under 800–900 ms for writes
//! before the AI model's own time. A streaming chat is judged on its first token, which includes the
//! model's start, so its target is looser. The founder can set any endpoint's own target.

use serde::{Deserialize, Serialize};

/// The kinds of endpoint a chatbot product has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum EndpointKind {
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

impl EndpointKind {
    pub const ALL: [EndpointKind; 6] = [
        EndpointKind::CachedRead,
        EndpointKind::Write,
        EndpointKind::ChatSend,
        EndpointKind::StreamingChat,
        EndpointKind::Webhook,
        EndpointKind::AuthCallback,
    ];

    /// The p95 target in milliseconds.
    pub fn target_ms(self) -> u32 {
        match self {
            EndpointKind::CachedRead => 400,
            EndpointKind::Write | EndpointKind::Webhook | EndpointKind::AuthCallback => 800,
            EndpointKind::ChatSend => 900,
            EndpointKind::StreamingChat => 1500,
        }
    }

    /// The stable name used in flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointKind::CachedRead => "cached_read",
            EndpointKind::Write => "write",
            EndpointKind::ChatSend => "chat_send",
            EndpointKind::StreamingChat => "streaming_chat",
            EndpointKind::Webhook => "webhook",
            EndpointKind::AuthCallback => "auth_callback",
        }
    }

    /// Parses the flag's value (`cached-read` and `cached_read` alike).
    pub fn parse(s: &str) -> Option<EndpointKind> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        EndpointKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The founder's words for it.
    pub fn label(self) -> &'static str {
        match self {
            EndpointKind::CachedRead => "a cached read",
            EndpointKind::Write => "a write",
            EndpointKind::ChatSend => "sending a chat message",
            EndpointKind::StreamingChat => "a streamed chat answer (first token)",
            EndpointKind::Webhook => "a webhook",
            EndpointKind::AuthCallback => "a login callback",
        }
    }

    /// The kind a request most likely is, when the founder did not say.
    pub fn guess(method: &str) -> EndpointKind {
        if method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD") {
            EndpointKind::CachedRead
        } else {
            EndpointKind::Write
        }
    }
}
