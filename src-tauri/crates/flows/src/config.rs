//! `[[flows]]` in a product's settings, read and checked here (the core keeps the tables as they
//! are). Each flow names a template and the fields that template needs; a field the template does
//! not know is refused, as everywhere else in the settings.
//!
//! ```toml
//! [[flows]]
//! name = "Sign in"
//! template = "login"
//! login_url = "https://app.acme.com/login"       # the page with the sign-in form, or a JSON API
//! signed_in_url = "https://app.acme.com/account" # a page only a signed-in user gets
//! username_key = "test-user"                     # keychain entries of the product
//! password_key = "test-password"
//! ```

use preflight_core::Domain;
use serde::Deserialize;
use url::Url;

/// The templates this version runs.
pub const TEMPLATES: [&str; 5] = ["login", "chat", "steps", "logout", "password-reset"];

/// The most flows a product may declare (each runs on every deploy).
pub const MAX_FLOWS: usize = 20;

/// A flow, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowConfig {
    pub name: String,
    pub template: Template,
}

/// What a flow does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Template {
    Login(LoginConfig),
    Chat(ChatConfig),
    Logout(LogoutConfig),
    Reset(ResetConfig),
    /// Any other path, as its own `[[flows.steps]]`.
    Steps(Vec<crate::steps::config::StepConfig>),
}

impl Template {
    /// The name written in the settings.
    pub fn as_str(&self) -> &'static str {
        match self {
            Template::Login(_) => "login",
            Template::Chat(_) => "chat",
            Template::Logout(_) => "logout",
            Template::Reset(_) => "password-reset",
            Template::Steps(_) => "steps",
        }
    }

    /// Its place in the roadmap's smoke suite: sign in, chat, log out, reset the password.
    pub fn rank(&self) -> u8 {
        match self {
            Template::Login(_) => 0,
            // A path of one's own runs in the signed-in session, before the logout.
            Template::Chat(_) | Template::Steps(_) => 1,
            Template::Logout(_) => 2,
            Template::Reset(_) => 3,
        }
    }
}

/// `template = "chat"`: two messages, the second in the conversation the first started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatConfig {
    pub chat_url: Url,
    /// Default POST.
    pub method: String,
    /// The request body: `{{message}}` replaced by the message (JSON-escaped), `{{history}}` by
    /// the conversation so far as a messages array, `{{conversation_id}}` by the id the first
    /// answer gave; default `{"message": "{{message}}"}`.
    pub body: String,
    pub answer: ChatAnswer,
    /// A keychain entry sent as `Authorization: Bearer` (token APIs); without it, the session of the
    /// sign-in before it.
    pub key: Option<String>,
    pub message: String,
}

/// Where the chat's reply is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatAnswer {
    /// A JSON field, by dotted path (`reply`, `choices.0.message.content`).
    Json(String),
    /// Server-sent events or a streamed body.
    Stream,
}

/// `template = "logout"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutConfig {
    pub logout_url: Url,
    /// Sent when `logout_url` is not a page with a form; default POST.
    pub method: String,
    /// The page that must stop answering as signed in; default the sign-in flow's.
    pub signed_in_url: Option<Url>,
}

/// `template = "password-reset"`: the form asking for the email, and the mailbox the mail must
/// reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetConfig {
    pub reset_url: Url,
    /// The keychain entry holding the test account's address (or username).
    pub email_key: String,
    /// The mailbox: `imaps://HOST[:PORT]`, read-only; its keys go only there.
    pub imap_url: Url,
    pub imap_host: String,
    pub imap_port: u16,
    pub mailbox_user_key: String,
    pub mailbox_password_key: String,
    /// How long the mail may take to arrive.
    pub within_secs: u32,
}

/// How long a reset mail may take when the settings do not say, and the bounds they may say.
pub const DEFAULT_WITHIN_SECS: u32 = 120;
pub const WITHIN_SECS: std::ops::RangeInclusive<u32> = 5..=900;

/// The message a chat flow sends when the settings name none.
pub const DEFAULT_MESSAGE: &str = "Hello! This is Preflight checking that chat works after a deploy.";

/// `template = "login"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginConfig {
    pub login_url: Url,
    pub signed_in_url: Url,
    pub username_key: String,
    pub password_key: String,
}

/// Why the flows of a settings file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowsError {
    #[error("flow {at}: {reason}")]
    Settings { at: String, reason: String },
}

/// Every key any template reads; one flat table, so a typo is refused whatever the template.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: String,
    template: String,
    login_url: Option<String>,
    signed_in_url: Option<String>,
    username_key: Option<String>,
    password_key: Option<String>,
    chat_url: Option<String>,
    method: Option<String>,
    body: Option<String>,
    answer: Option<String>,
    key: Option<String>,
    message: Option<String>,
    logout_url: Option<String>,
    reset_url: Option<String>,
    email_key: Option<String>,
    imap_url: Option<String>,
    mailbox_user_key: Option<String>,
    mailbox_password_key: Option<String>,
    within_secs: Option<i64>,
    steps: Option<Vec<toml::Table>>,
}

/// The flows of `product` declared in `tables` (the `[[flows]]` of its settings), checked.
pub fn parse(product: &Domain, tables: &[toml::Table]) -> Result<Vec<FlowConfig>, FlowsError> {
    if tables.len() > MAX_FLOWS {
        return Err(FlowsError::Settings {
            at: "list".into(),
            reason: format!("{} flows are declared; at most {MAX_FLOWS} are run", tables.len()),
        });
    }
    let mut out: Vec<FlowConfig> = Vec::new();
    for (i, table) in tables.iter().enumerate() {
        let at = |reason: String| FlowsError::Settings { at: format!("{}", i + 1), reason };
        let raw = Raw::deserialize(toml::Value::Table(table.clone())).map_err(|e| at(e.message().to_owned()))?;
        let name = raw.name.trim().to_owned();
        let named = |reason: String| FlowsError::Settings { at: format!("\"{name}\""), reason };
        if name.is_empty() || name.chars().count() > 80 {
            return Err(at("a flow needs a name of 1 to 80 characters".into()));
        }
        if out.iter().any(|f| f.name.eq_ignore_ascii_case(&name)) {
            return Err(named("two flows have this name: give each its own".into()));
        }
        let template = match raw.template.trim() {
            "login" => Template::Login(LoginConfig {
                login_url: product_url(product, "login_url", raw.login_url.as_deref()).map_err(named)?,
                signed_in_url: product_url(product, "signed_in_url", raw.signed_in_url.as_deref()).map_err(named)?,
                username_key: key_name("username_key", raw.username_key.as_deref()).map_err(named)?,
                password_key: key_name("password_key", raw.password_key.as_deref()).map_err(named)?,
            }),
            "chat" => Template::Chat(ChatConfig {
                chat_url: product_url(product, "chat_url", raw.chat_url.as_deref()).map_err(named)?,
                method: method(raw.method.as_deref()).map_err(named)?,
                body: raw.body.clone().filter(|b| !b.trim().is_empty()).unwrap_or_else(|| "{\"message\": \"{{message}}\"}".to_owned()),
                answer: match raw.answer.as_deref().map(str::trim) {
                    None | Some("") => {
                        return Err(named("answer is missing: the JSON field of the reply (such as \"reply\"), or \"stream\"".into()))
                    }
                    Some("stream") => ChatAnswer::Stream,
                    Some(path) => ChatAnswer::Json(path.to_owned()),
                },
                key: raw.key.as_deref().map(|k| key_name("key", Some(k))).transpose().map_err(named)?,
                message: raw.message.clone().filter(|m| !m.trim().is_empty()).unwrap_or_else(|| DEFAULT_MESSAGE.to_owned()),
            }),
            "logout" => Template::Logout(LogoutConfig {
                logout_url: product_url(product, "logout_url", raw.logout_url.as_deref()).map_err(named)?,
                method: method(raw.method.as_deref()).map_err(named)?,
                signed_in_url: raw
                    .signed_in_url
                    .as_deref()
                    .map(|u| product_url(product, "signed_in_url", Some(u)))
                    .transpose()
                    .map_err(named)?,
            }),
            "password-reset" => {
                let (imap_url, imap_host, imap_port) = mailbox_url(raw.imap_url.as_deref()).map_err(named)?;
                let within_secs = match raw.within_secs {
                    None => DEFAULT_WITHIN_SECS,
                    Some(s) if s >= i64::from(*WITHIN_SECS.start()) && s <= i64::from(*WITHIN_SECS.end()) => s as u32,
                    Some(s) => {
                        return Err(named(format!(
                            "within_secs = {s} is out of range: give the mail {} to {} seconds",
                            WITHIN_SECS.start(),
                            WITHIN_SECS.end()
                        )))
                    }
                };
                Template::Reset(ResetConfig {
                    reset_url: product_url(product, "reset_url", raw.reset_url.as_deref()).map_err(named)?,
                    email_key: key_name("email_key", raw.email_key.as_deref()).map_err(named)?,
                    imap_url,
                    imap_host,
                    imap_port,
                    mailbox_user_key: key_name("mailbox_user_key", raw.mailbox_user_key.as_deref()).map_err(named)?,
                    mailbox_password_key: key_name("mailbox_password_key", raw.mailbox_password_key.as_deref()).map_err(named)?,
                    within_secs,
                })
            }
            "steps" => Template::Steps(crate::steps::config::parse(product, raw.steps.as_deref().unwrap_or_default()).map_err(named)?),
            other => {
                return Err(named(format!(
                    "template \"{other}\" is not one this version of Preflight runs (it runs: {})",
                    TEMPLATES.join(", ")
                )))
            }
        };
        out.push(FlowConfig { name, template });
    }
    Ok(out)
}

/// An https address on one of the product's own names: keys and session cookies go there.
fn product_url(product: &Domain, field: &str, value: Option<&str>) -> Result<Url, String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| format!("{field} is missing"))?;
    let url = Url::parse(value).map_err(|e| format!("{field} = \"{value}\" is not a web address ({e})"))?;
    preflight_core::credential::for_product(field, url.as_str(), product.as_str()).map_err(|e| format!("{field}: {e}"))?;
    Ok(url)
}

/// `imaps://HOST[:PORT]`: the mailbox's keys travel only over TLS, only to this host.
fn mailbox_url(value: Option<&str>) -> Result<(Url, String, u16), String> {
    let value =
        value.map(str::trim).filter(|v| !v.is_empty()).ok_or("imap_url is missing: the test mailbox, as imaps://imap.example.com")?;
    let url = Url::parse(value).map_err(|e| format!("imap_url = \"{value}\" is not an address ({e})"))?;
    if url.scheme() != "imaps" {
        return Err(format!("imap_url = \"{value}\" must start with imaps:// (the mailbox's password goes only over TLS)"));
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or("imap_url has no host")?.to_ascii_lowercase();
    if !matches!(url.path(), "" | "/") || url.query().is_some() || !url.username().is_empty() {
        return Err("imap_url is only imaps://HOST or imaps://HOST:PORT (the user and password are keys)".into());
    }
    let port = url.port().unwrap_or(993);
    Ok((url, host, port))
}

/// An HTTP method (default POST).
fn method(value: Option<&str>) -> Result<String, String> {
    let m = value.map(str::trim).filter(|m| !m.is_empty()).unwrap_or("POST").to_ascii_uppercase();
    if m.len() <= 16 && m.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(m)
    } else {
        Err(format!("method = \"{m}\" is not an HTTP method"))
    }
}

/// A keychain entry's name, as `preflight keys set` accepts it.
fn key_name(field: &str, value: Option<&str>) -> Result<String, String> {
    value.and_then(preflight_core::credential::key_name).map(str::to_owned).ok_or_else(|| preflight_core::credential::key_name_rule(field))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_reset_flow_reads_its_mailbox_and_refuses_one_without_tls() {
        let text = |imap: &str, within: &str| {
            format!("[[flows]]\nname = \"Reset\"\ntemplate = \"password-reset\"\nreset_url = \"https://app.acme.test/reset\"\nemail_key = \"test-user\"\nimap_url = \"{imap}\"\nmailbox_user_key = \"mbox-user\"\nmailbox_password_key = \"mbox-pass\"\n{within}")
        };
        let flows = parse(&acme(), &tables(&text("imaps://imap.mail.example:1993", ""))).expect("valid");
        let Template::Reset(r) = &flows[0].template else { panic!("a reset flow") };
        assert_eq!((r.imap_host.as_str(), r.imap_port, r.within_secs), ("imap.mail.example", 1993, DEFAULT_WITHIN_SECS));
        assert!(parse(&acme(), &tables(&text("imap://imap.mail.example", ""))).expect_err("plain").to_string().contains("imaps://"));
        assert!(parse(&acme(), &tables(&text("imaps://imap.mail.example", "within_secs = 2")))
            .expect_err("short")
            .to_string()
            .contains("out of range"));
    }

    use super::*;

    fn tables(text: &str) -> Vec<toml::Table> {
        let doc: toml::Table = toml::from_str(text).expect("toml");
        doc.get("flows").and_then(|f| f.as_array()).map(|a| a.iter().filter_map(|t| t.as_table().cloned()).collect()).unwrap_or_default()
    }

    fn acme() -> Domain {
        Domain::parse("acme.test").expect("valid")
    }

    #[test]
    fn a_login_flow_is_read_with_its_addresses_and_keys() {
        let flows = parse(
            &acme(),
            &tables(
                r#"[[flows]]
name = "Sign in"
template = "login"
login_url = "https://app.acme.test/login"
signed_in_url = "https://app.acme.test/account"
username_key = "test-user"
password_key = "test-password"
"#,
            ),
        )
        .expect("valid");
        assert_eq!(flows.len(), 1);
        let Template::Login(l) = &flows[0].template else { panic!("a login flow") };
        assert_eq!(l.signed_in_url.as_str(), "https://app.acme.test/account");
        assert_eq!(l.password_key, "test-password");
    }

    #[test]
    fn keys_never_go_over_http_or_to_another_domain_and_typos_are_refused() {
        let base = |extra: &str| {
            format!("[[flows]]\nname = \"Sign in\"\ntemplate = \"login\"\nusername_key = \"u\"\npassword_key = \"p\"\n{extra}\n")
        };
        let plain = base("login_url = \"http://app.acme.test/login\"\nsigned_in_url = \"https://app.acme.test/\"");
        let err = parse(&acme(), &tables(&plain)).expect_err("plaintext");
        assert!(err.to_string().contains("login_url"), "{err}");
        let foreign = base("login_url = \"https://login.evil.example/\"\nsigned_in_url = \"https://app.acme.test/\"");
        assert!(parse(&acme(), &tables(&foreign)).is_err());
        let typo = base("login_url = \"https://app.acme.test/login\"\nsigned_in_url = \"https://app.acme.test/\"\nsigned_in = \"x\"");
        assert!(parse(&acme(), &tables(&typo)).expect_err("typo").to_string().contains("signed_in"));
        let other = "[[flows]]\nname = \"Pay\"\ntemplate = \"checkout\"\n";
        assert!(parse(&acme(), &tables(other))
            .expect_err("unknown")
            .to_string()
            .contains("it runs: login, chat, steps, logout, password-reset"));
    }
}
