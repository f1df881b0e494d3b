//! `template = "logout"`: logs out the session of the sign-in before it (through the logout page's
//! own form and CSRF token when `logout_url` is a page with one, else with the method given), then
//! asks for the signed-in page again: it must no longer answer as signed in. A logout that leaves
//! the session alive keeps a shared computer signed in.

use crate::config::LogoutConfig;
use crate::form;
use crate::outcome::{step, within, FlowResult, FlowStatus};
use crate::session::{unreachable, Session};
use preflight_core::net::Request;
use url::Url;

/// Logging out and checking the page after it end within this.
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

pub async fn run(s: &mut Session<'_>, name: &str, cfg: &LogoutConfig, signed_in_url: Option<Url>) -> FlowResult {
    within(DEADLINE, name, "logout", "Log out", walk(s, name, cfg, signed_in_url)).await
}

async fn walk(s: &mut Session<'_>, name: &str, cfg: &LogoutConfig, signed_in_url: Option<Url>) -> FlowResult {
    let done = |steps| FlowResult::of(name, "logout", steps, format!("{name}: logging out ends the session."));
    let Some(check) = signed_in_url else {
        let says = "has no page to check afterwards: add signed_in_url to this flow, or a sign-in flow before it".to_owned();
        return done(vec![step("Log out", FlowStatus::Error, None, 0, says)]);
    };
    let mut steps = Vec::new();
    let request = if cfg.method == "GET" {
        Request::get(cfg.logout_url.clone())
    } else {
        let page = match s.send(Request::get(cfg.logout_url.clone())).await {
            Ok(x) => Some(x),
            Err(e) => {
                steps.push(step("Log out", FlowStatus::Error, None, 0, unreachable(&e)));
                return done(steps);
            }
        };
        let base = cfg.logout_url.clone();
        match page.filter(|p| p.is_html() && (200..300).contains(&p.response.status)).and_then(|p| form::first_form(&p.text(), &base)) {
            Some(f) => {
                let mut body = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in &f.hidden {
                    body.append_pair(k, v);
                }
                Request::new(&f.method, f.action).header("Content-Type", "application/x-www-form-urlencoded").body(body.finish())
            }
            None => Request::new(&cfg.method, cfg.logout_url.clone()),
        }
    };
    let out = match s.send(request).await {
        Ok(x) => x,
        Err(e) => {
            steps.push(step("Log out", FlowStatus::Error, None, 0, unreachable(&e)));
            return done(steps);
        }
    };
    let st = out.response.status;
    let ok = st < 400 && out.stopped.is_none();
    steps.push(step(
        "Log out",
        if ok { FlowStatus::Pass } else { FlowStatus::Fail },
        Some(st),
        out.ms,
        if ok { format!("done ({})", out.path()) } else { format!("answered {st} ({}): the logout did not go through", out.path()) },
    ));
    if !ok {
        return done(steps);
    }
    let after = match s.send(Request::get(check.clone())).await {
        Ok(x) => x,
        Err(e) => {
            steps.push(step("The signed-in page after logging out", FlowStatus::Error, None, 0, unreachable(&e)));
            return done(steps);
        }
    };
    let st = after.response.status;
    let moved = Url::parse(&after.response.url).is_ok_and(|u| u.path() != check.path());
    let ended = st == 401 || st == 403 || moved || (after.is_html() && form::asks_to_sign_in(&after.text()));
    let (status, says) = if ended {
        (FlowStatus::Pass, format!("no longer answers as signed in ({})", after.path()))
    } else {
        (
            FlowStatus::Fail,
            format!(
                "still answers as signed in after logging out ({}): the session is not ended, so a shared computer stays signed in",
                after.path()
            ),
        )
    };
    steps.push(step("The signed-in page after logging out", status, Some(st), after.ms, says));
    done(steps)
}
