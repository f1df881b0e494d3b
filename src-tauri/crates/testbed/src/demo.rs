//! The sample product of `preflight demo`: a chatbot with the flaws demo-stage products have.
//!
//! Chosen so that a first-time user sees every status at work: a root that serves plain http
//! (problem), a `www` whose certificate runs out in 10 days (needs attention), an `api` whose
//! certificate was issued for another name (problem), a healthy `app`, and no `auth` (not in use).
//! The `www` redirect and the API send no HSTS (needs attention: not the canonical host). Nothing
//! stands in front of the servers (no CDN), and a forgotten `staging` copy is there for discovery
//! to find (it lists nothing in certificate logs: the demo reads none). Mail is half set up: SPF is
//! in place, DMARC only monitors, and no DKIM key is published (needs attention, not a problem).
//!
//! `app` is the product itself: a home page with a hashed script (what a watcher reads a release
//! from), a sign-in with a CSRF token, a chatbot, logout, a password reset whose mail goes through
//! SMTP into the sample's own mailbox (IMAPS from memory, see [`crate::mailbox`]), and a Stripe
//! webhook that checks signatures. Its chatbot is the weak rule-driven bot of [`crate::bot`] (the
//! red team finds its leaks; its canary is among the sample's keys), and its settings ask it two
//! questions (`[[evals]]`). [`Release::ship`] puts a new build live whose chat starts and then
//! answers 500 to the next message, and which has forgotten its answers: the broken deploy a
//! founder watches Preflight catch.

use crate::apps::{sign_in, Behaviour, EMAIL, PASSWORD};
use crate::bot::BotKind;
use crate::handler::{App, Reply};
use crate::hooks::{webhook, Receiver};
use crate::mailbox::MemoryMailbox;
use crate::pki::{CertKind, TestCa};
use crate::reset::{reset, Mailer, ResetBehaviour};
use crate::smtp::SmtpServer;
use crate::web::{Answer, Received, Site, HSTS, SECURITY_HEADERS};
use crate::{Product, Serving, Testbed, TestbedError, Zone};
use preflight_core::target::WebhookProvider;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The demo's domain; `.test` is reserved and never reaches the internet.
pub const DOMAIN: &str = "acme-chat.test";

/// The sample's test mailbox password (the account is [`EMAIL`], who signs in with [`PASSWORD`]).
pub const MAILBOX_PASSWORD: &str = "sample mailbox pass";
/// The signing secret of the sample's Stripe webhook: a made-up test value.
pub const WEBHOOK_SECRET: &str = "whsec_sampleAcmeChatSigningSecret"; // preflight:allow

/// Which build of the app is live; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Release(Arc<AtomicBool>);

impl Release {
    /// Puts the next build live: a new script name on the home page, and a chat whose second message
    /// answers 500.
    pub fn ship(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn shipped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The sample product without its mail: the reset form answers and sends nothing.
pub fn product() -> Product {
    product_with(None, Release::default())
}

/// The running sample product with everything behind it: its servers, its mailbox at
/// `imap.DOMAIN`, and the release switch.
#[derive(Debug)]
pub struct Demo {
    pub bed: Testbed,
    pub mailbox: MemoryMailbox,
    pub release: Release,
    _smtp: SmtpServer,
}

/// Starts the whole sample product on loopback.
pub async fn start() -> Result<Demo, TestbedError> {
    let ca = TestCa::named(crate::pki::DEFAULT_NAME)?;
    let mailbox = MemoryMailbox::start(&ca, &format!("imap.{DOMAIN}"), &[(EMAIL, MAILBOX_PASSWORD)]).await?;
    // The receiving side of the reset mail: the test account's mail provider.
    let smtp = SmtpServer::receiving(&ca, &[format!("mail.{DOMAIN}")], mailbox.drop_box()).await?;
    let release = Release::default();
    let mut product = product_with(Some(Mailer { smtp: smtp.addr, domain: DOMAIN.to_owned() }), release.clone());
    product.zone = product.zone.addr("imap", std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    let bed = Testbed::start_signed(product, ca, std::time::Duration::ZERO).await?;
    Ok(Demo { bed, mailbox, release, _smtp: smtp })
}

/// The script a build's home page loads; its hashed name changes with each release.
fn script(release: &Release) -> &'static str {
    if release.shipped() {
        "/assets/index-R2b7Kq4w.js"
    } else {
        "/assets/index-R1a9Fz3c.js"
    }
}

/// The app at `app.DOMAIN`, every answer with the headers of a well-set-up site.
fn app(mail: Option<Mailer>, release: Release) -> App {
    let mailer = mail.clone().unwrap_or(Mailer { smtp: std::net::SocketAddr::from(([127, 0, 0, 1], 9)), domain: DOMAIN.to_owned() });
    let sends = if mail.is_some() { ResetBehaviour::Works } else { ResetBehaviour::NeverSends };
    let hook = webhook(WebhookProvider::Stripe, WEBHOOK_SECRET, Receiver::Verifies, Arc::new(Mutex::new(Vec::new())));
    let inner = sign_in(Behaviour::Works).or(reset(mailer, sends));
    App::new(move |r: &Received| {
        let reply = match r.path.as_str() {
            "/" => Reply::html(&format!(
                r#"<h1>Acme Chat</h1><p><a href="/login">Sign in</a></p><script type="module" src="{}"></script>"#,
                script(&release)
            )),
            p if p.starts_with("/assets/index-") => {
                if p == script(&release) {
                    Reply {
                        status: 200,
                        headers: vec![("content-type".into(), "text/javascript".into())],
                        body: "console.log('Acme Chat')".into(),
                    }
                } else {
                    Reply::html("not found").status(404)
                }
            }
            "/api/stripe/webhook" => hook.answer(r),
            // The new build starts a chat, then fails every message sent in it.
            "/api/chat" if release.shipped() && r.body.contains("conversation_id") => {
                Reply::json(r#"{"error":"internal error"}"#).status(500)
            }
            // A signed-in visitor's message is answered by the weak rule-driven bot (the red team's
            // findings); the new build has also forgotten what it knew (the questions' finding).
            "/api/chat" => {
                let signed_in = inner.answer(r);
                if signed_in.status == 200 {
                    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
                    let message = body["message"].as_str().unwrap_or_default().to_owned();
                    let kind = if release.shipped() { BotKind::Forgetful } else { BotKind::Weak };
                    Reply::json(&serde_json::json!({ "conversation_id": "c-1", "reply": crate::bot::reply(kind, &[message]) }).to_string())
                } else {
                    signed_in
                }
            }
            _ => inner.answer(r),
        };
        let mut reply = reply.header(HSTS.0, HSTS.1);
        for (k, v) in SECURITY_HEADERS {
            reply = reply.header(k, v);
        }
        reply
    })
}

fn product_with(mail: Option<Mailer>, release: Release) -> Product {
    let d = DOMAIN;
    Product {
        domain: d.to_owned(),
        // Mail half set up, as at most launches: SPF in place, DMARC only monitoring, no DKIM key.
        zone: Zone::new(d)
            .mx("", 10, &format!("mx.{d}"))
            .addr("mx", std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
            .txt("", &["v=spf1 mx ~all"])
            .txt("_dmarc", &[&format!("v=DMARC1; p=none; rua=mailto:dmarc@{d}")]),
        sites: vec![
            Site {
                host: d.to_owned(),
                cert: Some(CertKind::Valid),
                http: Answer::ok("<h1>Acme Chat</h1>"),
                https: Answer::secure("<h1>Acme Chat</h1>"),
            },
            Site {
                host: format!("www.{d}"),
                cert: Some(CertKind::ExpiresIn(10)),
                http: Answer::redirect(&format!("https://www.{d}")),
                https: Answer::redirect(&format!("https://{d}")),
            },
            Site::serving(&format!("app.{d}"), Answer::App(app(mail, release))),
            // A staging copy nobody listed, still serving last month's build: discovery finds it.
            Site {
                host: format!("staging.{d}"),
                cert: Some(CertKind::Valid),
                http: Answer::redirect(&format!("https://staging.{d}")),
                https: Answer::secure("<h1>Acme Chat</h1><script src=\"/assets/index-Qq81kLmz.js\"></script>"),
            },
            Site {
                host: format!("api.{d}"),
                cert: Some(CertKind::WrongName(vec![format!("staging.{d}")])),
                http: Answer::redirect(&format!("https://api.{d}")),
                https: Answer::ok("{\"ok\":true}"),
            },
            // Its registry: the domain renews in a year and is locked against transfer.
            crate::rdap::serving(d, &crate::rdap::Registration::healthy()),
        ],
        // Served straight from a server, with no edge in front: the demo's other warning.
        serving: Serving { http2: true, edge: Vec::new(), ca: None, waf: false, starttls: true },
        other_zones: Vec::new(),
    }
}

/// The keychain entries the sample's settings name, with the sample's own values (a made-up test
/// account; none of them opens anything outside this computer).
pub fn keys() -> [(&'static str, &'static str); 6] {
    [
        ("redteam-canary", crate::bot::CANARY),
        ("test-email", EMAIL),
        ("test-password", PASSWORD),
        ("mailbox-user", EMAIL),
        ("mailbox-password", MAILBOX_PASSWORD),
        ("stripe-signing", WEBHOOK_SECRET),
    ]
}

/// The sample product's settings file (`preflight.toml`): its five paths in the roadmap's order and
/// its Stripe webhook; `imap_url` is where [`Demo::mailbox`] listens.
pub fn settings(imap_url: &str) -> String {
    let d = DOMAIN;
    format!(
        r#"# The sample product's settings, written by `preflight demo --serve`.
domain = "{d}"

[[callbacks]]
kind = "webhook"
name = "Payments"
url = "https://app.{d}/api/stripe/webhook"
provider = "stripe"
signing_key = "stripe-signing"

[[flows]]
name = "Sign in"
template = "login"
login_url = "https://app.{d}/login"
signed_in_url = "https://app.{d}/account"
username_key = "test-email"
password_key = "test-password"

[[flows]]
name = "Chat"
template = "chat"
chat_url = "https://app.{d}/api/chat"
answer = "reply"

[[flows]]
name = "Log out"
template = "logout"
logout_url = "https://app.{d}/logout"

[[flows]]
name = "Password reset"
template = "password-reset"
reset_url = "https://app.{d}/reset"
email_key = "test-email"
imap_url = "{imap_url}"
mailbox_user_key = "mailbox-user"
mailbox_password_key = "mailbox-password"
within_secs = 30

[[evals]]
name = "Refunds"
question = "How long do refunds take?"
must_contain = ["5 business days", "/refund (page|form)/"]
must_not_contain = ["not sure"]

[[evals]]
name = "Price"
question = "What does Acme Chat cost?"
must_contain = ["$20"]
"#
    )
}
