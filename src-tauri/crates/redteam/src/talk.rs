//! Talking to the product's chatbot the way its chat page does: the `chat` path of its settings
//! (address, method, body template, where the reply is), in one signed-in session when the chat
//! needs one, with a fresh conversation per attempt. The body template may carry the conversation
//! so far as a messages array (`{{history}}`), and the id the first answer gave
//! (`{{conversation_id}}`, else added as `conversation_id` once there is one).

use preflight_core::net::Request;
use preflight_core::Domain;
use preflight_flows::config::{ChatAnswer, ChatConfig, FlowConfig, Template};
use preflight_flows::session::Session;
use preflight_flows::stream::reply_text;
use preflight_flows::{FlowStatus, Keys};

/// The most of an answer kept (and judged).
pub const MAX_ANSWER_CHARS: usize = 64 * 1024;

/// One answer.
#[derive(Debug, Clone)]
pub struct Said {
    pub text: String,
    pub status: u16,
    /// The whole answer's time.
    pub ms: u64,
    /// When its first piece came (a stream's first token; the whole answer otherwise).
    pub first_ms: u64,
    /// `json_field` of the answer's JSON body, when one is asked for and the body is JSON.
    pub field: Option<String>,
}

/// Why an attempt got no answer to judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAnswer {
    /// 429: the product (or its model) limits the rate; the run stops.
    Limited,
    /// Anything else, in words.
    Failed(String),
}

/// A chatbot reached through a session of its own.
pub struct Bot<'a> {
    session: Session<'a>,
    chat: ChatConfig,
}

impl std::fmt::Debug for Bot<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot").field("chat_url", &self.chat.chat_url.as_str()).finish_non_exhaustive()
    }
}

/// The chat path of `flows` (the first `chat` one), and the sign-in it needs when it has no key.
pub fn chat_of(flows: &[FlowConfig]) -> Option<(FlowConfig, Option<FlowConfig>)> {
    let chat = flows.iter().find(|f| matches!(f.template, Template::Chat(_)))?.clone();
    let keyed = matches!(&chat.template, Template::Chat(c) if c.key.is_some());
    let login = if keyed { None } else { flows.iter().find(|f| matches!(f.template, Template::Login(_))).cloned() };
    Some((chat, login))
}

impl<'a> Bot<'a> {
    /// Signs in (with `login`) or takes the chat's key, ready for conversations. An error in words
    /// when the bot cannot be reached that way.
    pub async fn open(
        net: &'a preflight_core::Net,
        product: &'a Domain,
        chat: &FlowConfig,
        login: Option<&FlowConfig>,
        keys: &dyn Keys,
    ) -> Result<Bot<'a>, String> {
        let Template::Chat(chat) = &chat.template else { return Err(format!("\"{}\" is not a chat path", chat.name)) };
        let chat = chat.clone();
        let mut session = Session::new(net, product);
        if let Some(k) = &chat.key {
            session.bearer = Some(preflight_flows::key(keys, product, k)?);
        } else if let Some(FlowConfig { name, template: Template::Login(l), .. }) = login {
            let r = preflight_flows::login::run(&mut session, product, name, l, keys).await;
            if r.status != FlowStatus::Pass {
                return Err(format!("the sign-in before the chat did not work: {}", r.says));
            }
        }
        Ok(Bot { session, chat })
    }

    /// Whether answers stream (judged by their first token).
    pub fn streams(&self) -> bool {
        self.chat.answer == ChatAnswer::Stream
    }

    /// One conversation: `turns` sent in order at `pace`, each answer kept; stops at the first
    /// message that got no answer.
    pub async fn converse(&mut self, turns: &[String], pace: &mut Pace) -> Vec<Result<Said, NoAnswer>> {
        self.converse_with(turns, pace, None).await
    }

    /// [`Bot::converse`], also reading `json_field` of each JSON answer.
    pub async fn converse_with(&mut self, turns: &[String], pace: &mut Pace, json_field: Option<&str>) -> Vec<Result<Said, NoAnswer>> {
        let mut history: Vec<(String, String)> = Vec::new();
        let mut conversation: Option<String> = None;
        let mut out = Vec::new();
        for turn in turns {
            let body = preflight_flows::chat::body(&self.chat.body, turn, &history, conversation.as_deref());
            let req = Request::new(&self.chat.method, self.chat.chat_url.clone())
                .header("Content-Type", "application/json")
                .header("Accept", if self.chat.answer == ChatAnswer::Stream { "text/event-stream" } else { "application/json" })
                .body(body);
            pace.wait().await;
            let said = match self.session.send(req).await {
                Err(e) => Err(NoAnswer::Failed(preflight_flows::session::unreachable(&e))),
                Ok(x) if x.response.status == 429 => Err(NoAnswer::Limited),
                Ok(x) if x.response.status >= 400 => Err(NoAnswer::Failed(format!("answered with error {}", x.response.status))),
                Ok(x) if x.response.truncated => Err(NoAnswer::Failed(format!(
                    "sent an answer that did not end within {} KiB (a stream that never finishes)",
                    x.response.body.len() / 1024
                ))),
                Ok(x) if x.stopped.is_some() => Err(NoAnswer::Failed(format!("was {}", x.stopped.unwrap_or_default()))),
                Ok(x) if x.is_html() => {
                    Err(NoAnswer::Failed(format!("answered a web page ({}), not a chat reply: is the chat behind a sign-in?", x.path())))
                }
                Ok(x) => match reply_text(&x.response.body, &self.chat.answer).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) {
                    None => Err(NoAnswer::Failed("answered nothing".into())),
                    Some(text) => {
                        if conversation.is_none() {
                            conversation = preflight_flows::chat::conversation_id(&x.response.body);
                        }
                        let text: String = text.chars().take(MAX_ANSWER_CHARS).collect();
                        let field = json_field.and_then(|f| preflight_flows::json::field(&x.response.body, f));
                        let first_ms = if self.chat.answer == ChatAnswer::Stream { x.first_piece_ms.unwrap_or(x.ms) } else { x.ms };
                        Ok(Said { text, status: x.response.status, ms: x.ms, first_ms, field })
                    }
                },
            };
            let stop = said.is_err();
            if let Ok(s) = &said {
                history.push((turn.clone(), s.text.clone()));
            }
            out.push(said);
            if stop {
                break;
            }
        }
        out
    }
}

/// Keeps requests at most `per_sec` a second, across conversations.
#[derive(Debug)]
pub struct Pace {
    every: std::time::Duration,
    last: Option<tokio::time::Instant>,
}

impl Pace {
    pub fn per_sec(per_sec: f64) -> Pace {
        let every = if per_sec > 0.0 { std::time::Duration::from_secs_f64(1.0 / per_sec) } else { std::time::Duration::ZERO };
        Pace { every, last: None }
    }

    /// Waits until the next request may go.
    pub async fn wait(&mut self) {
        if let Some(last) = self.last {
            tokio::time::sleep_until(last + self.every).await;
        }
        self.last = Some(tokio::time::Instant::now());
    }
}
