//! Webhook replay: for each `[[callbacks]]` webhook naming its `provider` and `signing_key`, a
//! sample event signed exactly as the provider signs it, then its two forged twins, a wrong
//! signature and (where the provider signs the time) a time outside its tolerance. A real
//! receiver takes the first with a 2xx, quickly, without a redirect, a bot challenge or a sign-in
//! page, and refuses both twins with a 4xx. One that takes a forged event lets anyone who knows
//! the address send the app fake payments.
//!
//! The signing secret is read from the keychain for the HMAC and sent nowhere; the events go only
//! to the product's own https names (checked when the settings are read and again here), and only
//! after the founder said yes: the front ends ask before they call [`run_all`].

pub mod sample;
pub mod sign;

use crate::outcome::{shown, step, within, FlowStatus, StepResult};
use crate::session::unreachable;
use crate::Keys;
use preflight_core::config::Replay;
use preflight_core::net::{Request, Response};
use preflight_core::target::WebhookProvider;
use preflight_core::{Domain, EndpointKind, Net};
use serde::{Deserialize, Serialize};

/// A replay, its three deliveries included, ends within this.
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);
/// The most of an answer read: a receiver answers in a few bytes.
const MAX_BODY: usize = 64 * 1024;
/// How old the stale twin's signed time is: far outside every provider's tolerance.
const STALE_SECS: i64 = 3600;

/// One webhook, replayed: the flows' JSON shape with the provider and the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WebhookResult {
    pub name: String,
    /// `stripe`, `github` or `standard`.
    pub provider: String,
    /// Without its query.
    pub url: String,
    pub status: FlowStatus,
    pub steps: Vec<StepResult>,
    pub says: String,
}

/// What a replay of `r` sends, in words: said before the founder agrees to it.
pub fn sends(r: &Replay) -> String {
    let twins = if sign::tolerance_secs(r.provider).is_some() { "3 test events" } else { "2 test events" };
    format!(
        "sends {twins} signed as {} signs them to {} (one real, the others forged, which your app must refuse); your app may log them",
        r.provider.label(),
        shown(&r.url)
    )
}

/// Replays every webhook in `replays`, one after the other.
pub async fn run_all(net: &Net, product: &Domain, replays: &[Replay], keys: &dyn Keys) -> Vec<WebhookResult> {
    let mut out = Vec::with_capacity(replays.len());
    for r in replays {
        out.push(run(net, product, r, keys).await);
    }
    out
}

/// Replays one webhook. Never fails: a replay that could not be run is `error`, with the reason.
pub async fn run(net: &Net, product: &Domain, r: &Replay, keys: &dyn Keys) -> WebhookResult {
    let steps = within(DEADLINE, &r.name, r.provider.as_str(), GENUINE, async { steps(net, product, r, keys).await }).await.steps;
    result(r, steps)
}

const GENUINE: &str = "A correctly signed event";
const FORGED: &str = "The same event, forged signature";
const STALE: &str = "The same event, signed an hour ago";

fn result(r: &Replay, steps: Vec<StepResult>) -> WebhookResult {
    let flow = crate::FlowResult::of(&r.name, r.provider.as_str(), steps, String::new());
    let (status, says) = match flow.status {
        FlowStatus::Pass => {
            let time = match sign::tolerance_secs(r.provider) {
                Some(_) => "",
                None => " (GitHub signs no time, so a replayed old delivery cannot be refused by its signature: skip X-GitHub-Delivery ids you have seen)",
            };
            (FlowStatus::Pass, format!("{}: takes a real {} event and refuses forged ones{time}.", r.name, r.provider.label()))
        }
        other => (other, flow.says),
    };
    WebhookResult { name: r.name.clone(), provider: r.provider.as_str().to_owned(), url: shown(&r.url), status, steps: flow.steps, says }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

async fn steps(net: &Net, product: &Domain, r: &Replay, keys: &dyn Keys) -> crate::FlowResult {
    let wrap = |steps: Vec<StepResult>| crate::FlowResult::of(&r.name, r.provider.as_str(), steps, String::new());
    let error = |says: String| wrap(vec![step(GENUINE, FlowStatus::Error, None, 0, says)]);
    if let Err(e) = preflight_core::credential::for_product(&r.signing_key, r.url.as_str(), product.as_str()) {
        return error(format!("not sent: {e}"));
    }
    let secret = match crate::key(keys, product, &r.signing_key) {
        Ok(s) => s,
        Err(says) => return error(says),
    };
    let event = r.event.clone().unwrap_or_else(|| sample::default_event(r.provider).to_owned());
    let wrong = sign::forged_secret(r.provider, secret.expose());
    let at = now();
    let mut twins = vec![(GENUINE, secret.expose().as_str(), at), (FORGED, wrong.as_str(), at)];
    if sign::tolerance_secs(r.provider).is_some() {
        twins.push((STALE, secret.expose().as_str(), at - STALE_SECS));
    }
    let mut out: Vec<StepResult> = Vec::new();
    let mut genuine_taken = false;
    for (name, key, at) in twins {
        let id = sample::id(r.provider);
        let body = sample::body(r.provider, &event, &id, at);
        let d = sign::Delivery { id: &id, at, body: &body, event: &event };
        let signed = match sign::headers(r.provider, key, d) {
            Ok(h) => h,
            Err(says) => return error(says),
        };
        let mut req = Request::new("POST", r.url.clone()).header("Content-Type", "application/json").body(body);
        req.headers.extend(signed);
        let started = std::time::Instant::now();
        let answer = net.fetch_bounded(&req, MAX_BODY).await;
        let ms = started.elapsed().as_millis() as u64;
        let s = match answer {
            Err(e) => step(name, FlowStatus::Error, None, ms, unreachable(&e)),
            Ok(resp) if name == GENUINE => {
                let s = genuine(r, &resp, ms);
                genuine_taken = s.status == FlowStatus::Pass || (200..300).contains(&resp.status);
                s
            }
            Ok(resp) => twin(r, name, &resp, ms, genuine_taken),
        };
        out.push(s);
    }
    wrap(out)
}

fn redirect_to(resp: &Response) -> String {
    resp.header("location").map(|l| format!(" to {}", crate::outcome::shown_str(l))).unwrap_or_default()
}

/// The real event: taken with a 2xx within the webhook kind's target.
fn genuine(r: &Replay, resp: &Response, ms: u64) -> StepResult {
    let who = r.provider.label();
    let st = resp.status;
    let html = resp.header("content-type").is_some_and(|c| c.to_ascii_lowercase().contains("html"));
    let text = || String::from_utf8_lossy(&resp.body).into_owned();
    let target = EndpointKind::Webhook.target_ms();
    let (status, says) = if let Some(edge) = preflight_core::checks::callbacks::challenged_by(resp) {
        (FlowStatus::Fail, format!("{edge} answered {st} with a bot challenge: {who} cannot solve one, so its events never reach your app"))
    } else if resp.is_redirect() {
        (
            FlowStatus::Fail,
            format!("answered {st}, sending it on{}: {who} does not follow redirects, so give it the final address", redirect_to(resp)),
        )
    } else if (200..300).contains(&st) && html && crate::form::asks_to_sign_in(&text()) {
        (FlowStatus::Fail, format!("answered {st} with a sign-in page: the webhook sits behind your login, so events never reach its code"))
    } else if (200..300).contains(&st) && ms > u64::from(target) {
        (
            FlowStatus::Fail,
            format!("took it ({st}) but in {ms} ms, over the {target} ms a webhook should take: answer first, then do the work"),
        )
    } else if (200..300).contains(&st) {
        (FlowStatus::Pass, format!("taken ({st}) in {ms} ms"))
    } else if st == 404 || st == 405 {
        (FlowStatus::Fail, format!("answered {st}: nothing at this address takes {who} events (check the address in {who}'s dashboard)"))
    } else if (400..500).contains(&st) {
        let key = &r.signing_key;
        (
            FlowStatus::Error,
            format!(
                "refused it ({st}): either the secret saved as `{key}` is not the one your app checks (copy it again from {who}'s dashboard), or your app refuses real events too"
            ),
        )
    } else {
        (FlowStatus::Fail, format!("answered {st}: your app breaks on a real {who} event, so {who} retries and then gives up"))
    };
    step(GENUINE, status, Some(st), ms, says)
}

/// A forged twin: refused with a 4xx. Its refusal proves nothing when the real event was refused too.
fn twin(r: &Replay, name: &str, resp: &Response, ms: u64, genuine_taken: bool) -> StepResult {
    let st = resp.status;
    let harm = match r.provider {
        WebhookProvider::Stripe => "fake payments",
        WebhookProvider::Github => "fake pushes and pull requests",
        WebhookProvider::Standard => "fake events",
    };
    let (status, says) = if (400..500).contains(&st) && genuine_taken {
        (FlowStatus::Pass, format!("refused ({st})"))
    } else if (400..500).contains(&st) {
        (FlowStatus::Error, format!("refused ({st}), which says nothing while the real event is refused too"))
    } else if (200..300).contains(&st) && name == STALE {
        (
            FlowStatus::Fail,
            format!("taken ({st}): your app does not check the signed time, so anyone who saw one real event can send it again later ({harm} counted twice)"),
        )
    } else if (200..300).contains(&st) {
        (FlowStatus::Fail, format!("taken ({st}): your app does not check signatures, so anyone who knows this address can send it {harm}"))
    } else {
        (
            FlowStatus::Fail,
            format!("answered {st} instead of refusing it: a receiver that checks the signature answers 400 or 401 before doing anything"),
        )
    };
    step(name, status, Some(st), ms, says)
}
