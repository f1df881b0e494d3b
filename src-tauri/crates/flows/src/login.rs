//! `template = "login"`: opens the sign-in page, signs in with the test account's keys (through the
//! page's own form, hidden inputs and CSRF token included, or as JSON to an API), then opens a page
//! only a signed-in user gets. It passes when that page answers 2xx without sending the visitor
//! back to the sign-in form: the synthetic login of the launch roadmaps.

use crate::config::LoginConfig;
use crate::form::{self, FormProblem};
use crate::outcome::{shown, step, within, FlowResult, FlowStatus, StepResult};
use crate::session::{unreachable, Session};
use crate::{key, Keys};
use preflight_core::net::Request;
use preflight_core::Domain;
use preflight_vault::Sensitive;
use std::time::Duration;
use url::Url;

/// A whole sign-in, redirects included, ends within this.
const DEADLINE: Duration = Duration::from_secs(60);

/// Signs in on `s` (which keeps the session for the flows after it).
pub async fn run(s: &mut Session<'_>, product: &Domain, name: &str, cfg: &LoginConfig, keys: &dyn Keys) -> FlowResult {
    within(DEADLINE, name, "login", "Sign in", walk(s, product, name, cfg, keys)).await
}

async fn walk(s: &mut Session<'_>, product: &Domain, name: &str, cfg: &LoginConfig, keys: &dyn Keys) -> FlowResult {
    let done =
        |steps: Vec<StepResult>| FlowResult::of(name, "login", steps, format!("{name}: sign-in works, and the signed-in page opens."));
    let mut steps = Vec::new();
    let (user, password) = match (key(keys, product, &cfg.username_key), key(keys, product, &cfg.password_key)) {
        (Ok(u), Ok(p)) => (u, p),
        (Err(e), _) | (_, Err(e)) => return done(vec![step("Read the test account's keys", FlowStatus::Error, None, 0, e)]),
    };

    // 1. The sign-in page.
    let page = match s.send(Request::get(cfg.login_url.clone())).await {
        Ok(x) => x,
        Err(e) => return done(vec![step("Open the sign-in page", FlowStatus::Error, None, 0, unreachable(&e))]),
    };
    let status = page.response.status;
    let form = if page.is_html() && (200..300).contains(&status) {
        match form::find(&page.text(), &Url::parse(&page.response.url).unwrap_or_else(|_| cfg.login_url.clone())) {
            Ok(f) => Some(f),
            Err(problem) => {
                let says = match problem {
                    FormProblem::Captcha => "asks robots to prove they are human (a CAPTCHA or bot challenge), so monitors cannot sign in: allow this test account or this computer".to_owned(),
                    FormProblem::NoPasswordForm => format!(
                        "{} has no password field Preflight can fill in: give login_url the page with the sign-in form, or the sign-in API",
                        shown(&cfg.login_url)
                    ),
                    FormProblem::NoUserField => "its sign-in form has a password field but none for the email or username".to_owned(),
                };
                steps.push(step("Open the sign-in page", FlowStatus::Error, Some(status), page.ms, says));
                return done(steps);
            }
        }
    } else if status >= 500 {
        steps.push(step(
            "Open the sign-in page",
            FlowStatus::Fail,
            Some(status),
            page.ms,
            format!("answered with error {status}: customers cannot sign in"),
        ));
        return done(steps);
    } else {
        None
    };
    steps.push(step(
        "Open the sign-in page",
        FlowStatus::Pass,
        Some(status),
        page.ms,
        if form.is_some() {
            format!("found the sign-in form ({})", page.path())
        } else {
            "no page here: signing in through the API".into()
        },
    ));

    // 2. Sign in: the form as a browser submits it, or JSON to the API.
    let request = match &form {
        Some(f) => {
            if let Err(e) = preflight_core::credential::for_product(&cfg.password_key, f.action.as_str(), product.as_str()) {
                steps.push(step("Sign in", FlowStatus::Fail, None, 0, format!("the form sends the password to {}: {e}", shown(&f.action))));
                return done(steps);
            }
            let mut body = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &f.hidden {
                body.append_pair(k, v);
            }
            body.append_pair(&f.user_field, user.expose().trim());
            body.append_pair(&f.password_field, password.expose().trim());
            let body = Sensitive::new(body.finish());
            if f.method == "GET" {
                steps.push(step("Sign in", FlowStatus::Fail, None, 0, "the sign-in form sends the password in the address (method GET), where logs and browser history keep it: make it method=\"post\"".into()));
                return done(steps);
            }
            Request::new(&f.method, f.action.clone())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Referer", shown(&cfg.login_url))
                .body(body.expose().clone())
        }
        None => {
            let field = if user.expose().contains('@') { "email" } else { "username" };
            let body = Sensitive::new(serde_json::json!({ field: user.expose().trim(), "password": password.expose().trim() }).to_string());
            Request::new("POST", cfg.login_url.clone())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .body(body.expose().clone())
        }
    };
    let signed = match s.send(request).await {
        Ok(x) => x,
        Err(e) => {
            steps.push(step("Sign in", FlowStatus::Error, None, 0, unreachable(&e)));
            return done(steps);
        }
    };
    let st = signed.response.status;
    let back_at_form = signed.is_html() && form::asks_to_sign_in(&signed.text());
    let verdict = if let Some(why) = &signed.stopped {
        (FlowStatus::Fail, format!("was {why}"))
    } else if st >= 500 {
        (FlowStatus::Fail, format!("answered with error {st}: nobody can sign in"))
    } else if st >= 400 {
        (FlowStatus::Fail, format!("was refused ({st}): the test account's keys were not accepted, or the form's token was"))
    } else if back_at_form && signed.hops.len() >= 3 {
        // Accepted (sent on to a page of the product), then sent back to the form from there.
        (FlowStatus::Fail, format!("was accepted, then sent back to the sign-in page ({}): the sign-in does not stick", signed.path()))
    } else if back_at_form {
        (FlowStatus::Fail, format!("came back to the sign-in form ({}): the sign-in was not accepted", signed.path()))
    } else {
        (FlowStatus::Pass, format!("accepted ({})", signed.path()))
    };
    if form.is_none() && verdict.0 == FlowStatus::Pass {
        // A JSON sign-in answers a token more often than a cookie.
        let token = serde_json::from_slice::<serde_json::Value>(&signed.response.body)
            .ok()
            .and_then(|v| ["token", "access_token"].iter().find_map(|k| v.get(k).and_then(|t| t.as_str()).map(str::to_owned)));
        s.bearer = token.map(Sensitive::new);
    }
    let passed = verdict.0 == FlowStatus::Pass;
    steps.push(step("Sign in", verdict.0, Some(st), signed.ms, verdict.1));
    if !passed {
        return done(steps);
    }

    // 3. The signed-in page.
    let account = match s.send(Request::get(cfg.signed_in_url.clone())).await {
        Ok(x) => x,
        Err(e) => {
            steps.push(step("Open the signed-in page", FlowStatus::Error, None, 0, unreachable(&e)));
            return done(steps);
        }
    };
    let st = account.response.status;
    let landed = Url::parse(&account.response.url).ok();
    let sent_back = landed.as_ref().is_some_and(|u| u.host_str() == cfg.login_url.host_str() && u.path() == cfg.login_url.path())
        || (account.is_html() && form::asks_to_sign_in(&account.text()));
    let kept = if s.jar.is_empty() && s.bearer.is_none() { " No session cookie or token was kept after signing in." } else { "" };
    let verdict = if let Some(why) = &account.stopped {
        (FlowStatus::Fail, format!("was {why}"))
    } else if sent_back {
        (
            FlowStatus::Fail,
            format!("sends a signed-in visitor back to the sign-in page ({}): the sign-in does not stick.{kept}", account.path()),
        )
    } else if st == 401 || st == 403 {
        (FlowStatus::Fail, format!("answered {st} to the signed-in visitor: the sign-in does not stick.{kept}"))
    } else if !(200..300).contains(&st) {
        (FlowStatus::Fail, format!("answered {st} ({})", account.path()))
    } else {
        (FlowStatus::Pass, format!("opens for the signed-in visitor ({})", account.path()))
    };
    steps.push(step("Open the signed-in page", verdict.0, Some(st), account.ms, verdict.1));
    done(steps)
}
