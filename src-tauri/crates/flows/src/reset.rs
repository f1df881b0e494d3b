//! `template = "password-reset"`: asks the product for a reset link the way a customer does, then
//! watches the test mailbox until the message arrives, and opens its link. The one test of
//! "password resets land" that DNS records cannot give: the finding quotes the message's subject,
//! how long it took, and what the receiving server said of its SPF, DKIM and DMARC.
//!
//! The mailbox is opened first, before anything is asked of the product: its keys go only over TLS
//! to the host of `imap_url` (checked here again, by the same rule as every key), and messages that
//! were already there (UIDs below the one the inbox announced) never count. It is only examined,
//! so nothing in it is marked read, moved or deleted. The link and the address are never shown.

use crate::config::ResetConfig;
use crate::form::{self, FormProblem};
use crate::imap::Mailbox;
use crate::mail;
use crate::outcome::{shown, step, within, FlowResult, FlowStatus, StepResult};
use crate::session::{unreachable, Session};
use crate::{key, Keys};
use preflight_core::net::Request;
use preflight_core::Domain;
use std::time::{Duration, Instant};
use url::Url;

/// The longest pause between two looks at the mailbox.
const POLL: Duration = Duration::from_secs(2);
/// The messages to the test account looked at in one look, newest first.
const MAX_LOOKED_AT: usize = 5;

const MAILBOX: &str = "Open the test mailbox";
const ASK: &str = "Ask for a reset link";
const ARRIVES: &str = "The reset mail arrives";
const LINK: &str = "Open the link in it";

pub async fn run(s: &mut Session<'_>, product: &Domain, name: &str, cfg: &ResetConfig, keys: &dyn Keys) -> FlowResult {
    // The wait for the mail, plus the pages and the mailbox around it.
    let deadline = Duration::from_secs(u64::from(cfg.within_secs) + 60);
    within(deadline, name, "password-reset", MAILBOX, walk(s, product, name, cfg, keys)).await
}

async fn walk(s: &mut Session<'_>, product: &Domain, name: &str, cfg: &ResetConfig, keys: &dyn Keys) -> FlowResult {
    let mut steps: Vec<StepResult> = Vec::new();
    let result = |steps: Vec<StepResult>, words: &str| {
        FlowResult::of(name, "password-reset", steps, format!("{name}: the reset mail {words}, and its link opens."))
    };
    let keys_or = |k: &str| key(keys, product, k);
    let (email, user, password) = match (keys_or(&cfg.email_key), keys_or(&cfg.mailbox_user_key), keys_or(&cfg.mailbox_password_key)) {
        (Ok(e), Ok(u), Ok(p)) => (e, u, p),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return result(vec![step(MAILBOX, FlowStatus::Error, None, 0, e)], ""),
    };
    for k in [&cfg.mailbox_user_key, &cfg.mailbox_password_key] {
        if let Err(e) = preflight_core::credential::for_host(k, cfg.imap_url.as_str(), &cfg.imap_host) {
            return result(vec![step(MAILBOX, FlowStatus::Error, None, 0, format!("not sent: {e}"))], "");
        }
    }

    // 1. The mailbox, before anything is asked of the product.
    let started = Instant::now();
    let mut mailbox = match Mailbox::open(s.net(), &cfg.imap_host, cfg.imap_port, &user, &password).await {
        Ok(m) => m,
        Err(e) => return result(vec![step(MAILBOX, FlowStatus::Error, None, ms(started), e)], ""),
    };
    let first_new = mailbox.uid_next;
    steps.push(step(MAILBOX, FlowStatus::Pass, None, ms(started), format!("signed in to {} and opened INBOX read-only", cfg.imap_host)));

    // 2. The reset form, as a customer fills it in.
    let asked = ask(s, product, cfg, email.expose().trim()).await;
    let asked_ok = asked.status == FlowStatus::Pass;
    steps.push(asked);
    if !asked_ok {
        mailbox.logout().await;
        return result(steps, "");
    }

    // 3. The mail, within its time.
    let sent_at = Instant::now();
    let wait = Duration::from_secs(u64::from(cfg.within_secs));
    // Quick looks first (most mail comes within a second), then every POLL.
    let mut pause = Duration::from_millis(250);
    let found = loop {
        match look(&mut mailbox, first_new, email.expose().trim()).await {
            Err(e) => break Err(step(ARRIVES, FlowStatus::Error, None, ms(sent_at), e)),
            Ok(Some(m)) => break Ok(m),
            Ok(None) if sent_at.elapsed() >= wait => {
                let says = format!(
                    "no message to the test account reached the inbox within {} s: it is lost or in the spam folder (Preflight looks only in INBOX); check your mail provider's log",
                    cfg.within_secs
                );
                break Err(step(ARRIVES, FlowStatus::Fail, None, ms(sent_at), says));
            }
            Ok(None) => {
                tokio::time::sleep(pause.min(wait.saturating_sub(sent_at.elapsed())).max(Duration::from_millis(100))).await;
                pause = (pause * 2).min(POLL);
            }
        }
    };
    mailbox.logout().await;
    let message = match found {
        Ok(m) => m,
        Err(s) => {
            steps.push(s);
            return result(steps, "");
        }
    };
    let took = sent_at.elapsed();
    let fields = mail::fields(&message.header);
    let subject = mail::decode_words(mail::field(&fields, "subject").unwrap_or("(no subject)"));
    let auth = mail::authentication(&fields)
        .map_or_else(|| "the receiving server added no Authentication-Results".to_owned(), |a| format!("the receiving server found {a}"));
    let arrived_words = format!("\"{subject}\" arrived in {:.1} s ({auth})", took.as_secs_f64());
    steps.push(step(
        ARRIVES,
        FlowStatus::Pass,
        None,
        took.as_millis() as u64,
        format!("\"{subject}\" arrived after {:.1} s; {auth}", took.as_secs_f64()),
    ));

    // 4. The link in it.
    let links = mail::links(&mail::text(&fields, &message.text));
    let ours = links.iter().find(|u| u.host_str().is_some_and(|h| preflight_core::credential::belongs(h, product.as_str())));
    let Some(link) = ours else {
        let says = match links.first().and_then(|u| u.host_str()) {
            Some(other) => format!(
                "its link goes to {other}, not to {product}: mail filters distrust such links and customers hesitate (set up your mail platform's link domain under {product}, or turn off its click tracking for this mail)"
            ),
            None => "holds no link a customer could click".to_owned(),
        };
        steps.push(step(LINK, FlowStatus::Fail, None, 0, says));
        return result(steps, &arrived_words);
    };
    steps.push(open_link(s, link).await);
    result(steps, &arrived_words)
}

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

/// Opens the reset page and submits its email form.
async fn ask(s: &mut Session<'_>, product: &Domain, cfg: &ResetConfig, email: &str) -> StepResult {
    let page = match s.send(Request::get(cfg.reset_url.clone())).await {
        Ok(x) => x,
        Err(e) => return step(ASK, FlowStatus::Error, None, 0, unreachable(&e)),
    };
    let st = page.response.status;
    if st >= 500 {
        return step(
            ASK,
            FlowStatus::Fail,
            Some(st),
            page.ms,
            format!("the reset page answered with error {st}: customers cannot ask for a link"),
        );
    }
    if !(200..300).contains(&st) || !page.is_html() {
        return step(
            ASK,
            FlowStatus::Error,
            Some(st),
            page.ms,
            format!(
                "{} answered {st} without a page: give reset_url the page with the \"forgot your password\" form",
                shown(&cfg.reset_url)
            ),
        );
    }
    let base = Url::parse(&page.response.url).unwrap_or_else(|_| cfg.reset_url.clone());
    let (form, field) = match form::email_form(&page.text(), &base) {
        Ok(f) => f,
        Err(FormProblem::Captcha) => {
            return step(ASK, FlowStatus::Error, Some(st), page.ms, "the reset page asks robots to prove they are human (a CAPTCHA), so monitors cannot ask for a link: allow this test account or this computer".into())
        }
        Err(_) => return step(ASK, FlowStatus::Error, Some(st), page.ms, format!("{} has no form asking for an email that Preflight can fill in", shown(&cfg.reset_url))),
    };
    if let Err(e) = preflight_core::credential::for_product(&cfg.email_key, form.action.as_str(), product.as_str()) {
        return step(ASK, FlowStatus::Fail, None, page.ms, format!("the form sends the address to {}: {e}", shown(&form.action)));
    }
    // The serializer is not Send: it ends before the request goes out.
    let encoded = {
        let mut body = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &form.hidden {
            body.append_pair(k, v);
        }
        body.append_pair(&field, email);
        body.finish()
    };
    let req = if form.method == "GET" {
        let mut u = form.action.clone();
        u.set_query(Some(&encoded));
        Request::get(u)
    } else {
        Request::new(&form.method, form.action.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Referer", shown(&cfg.reset_url))
            .body(encoded)
    };
    let sent = match s.send(req).await {
        Ok(x) => x,
        Err(e) => return step(ASK, FlowStatus::Error, None, page.ms, unreachable(&e)),
    };
    let st = sent.response.status;
    let ms = page.ms + sent.ms;
    if st < 400 && sent.stopped.is_none() {
        step(ASK, FlowStatus::Pass, Some(st), ms, format!("the form was accepted ({})", sent.path()))
    } else if let Some(why) = &sent.stopped {
        step(ASK, FlowStatus::Fail, Some(st), ms, format!("the form was {why}"))
    } else {
        step(ASK, FlowStatus::Fail, Some(st), ms, format!("the form was refused ({st}, {}): customers cannot ask for a link", sent.path()))
    }
}

/// The newest message to `to` from UID `from` on, when one came.
async fn look(m: &mut Mailbox, from: u32, to: &str) -> Result<Option<crate::imap::Fetched>, String> {
    m.noop().await?;
    let uids = m.search(from, to).await?;
    match uids.iter().rev().take(MAX_LOOKED_AT).next() {
        Some(uid) => Ok(Some(m.fetch(*uid, mail::FIELDS).await?)),
        None => Ok(None),
    }
}

/// Opens the reset link. Its path often is the token itself, so only its host is ever said.
async fn open_link(s: &mut Session<'_>, link: &Url) -> StepResult {
    let host = link.host_str().unwrap_or_default().to_owned();
    match s.send(Request::get(link.clone())).await {
        Err(e) => step(LINK, FlowStatus::Error, None, 0, format!("could not reach {host}: {}", e.without_path())),
        Ok(x) if (200..300).contains(&x.response.status) && x.stopped.is_none() => {
            let hops = x.hops.len().saturating_sub(1);
            let via = if hops == 0 { String::new() } else { format!(" after {hops} redirect(s)") };
            step(LINK, FlowStatus::Pass, Some(x.response.status), x.ms, format!("the link on {host} opens{via}"))
        }
        Ok(x) => {
            let st = x.response.status;
            let why =
                if x.stopped.is_some() { "it sends the customer off the product's names".to_owned() } else { format!("it answers {st}") };
            step(
                LINK,
                FlowStatus::Fail,
                Some(st),
                x.ms,
                format!("the link on {host} does not open: {why}, so customers cannot choose a new password"),
            )
        }
    }
}
