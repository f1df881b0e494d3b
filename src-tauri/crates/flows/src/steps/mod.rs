//! `template = "steps"`: a path of the founder's own, walked step by step in the run's session
//! (its cookies, its redirects inside the product). Each step's values (`{{name}}` from earlier
//! steps, `{{key:NAME}}` from the keychain) are filled in as it goes, kept in memory only, and
//! never said: a result names a step, its status, its time and what did not hold.

pub mod config;

use crate::outcome::{step, within, FlowResult, FlowStatus, StepResult};
use crate::session::{unreachable, Exchange, Session};
use crate::{key, Keys};
use config::{references, Capture, StepConfig};
use preflight_core::net::Request;
use preflight_core::Domain;
use preflight_vault::Sensitive;
use std::collections::HashMap;
use std::time::Duration;

/// A whole steps path ends within this.
const DEADLINE: Duration = Duration::from_secs(120);

pub async fn run(s: &mut Session<'_>, product: &Domain, name: &str, steps: &[StepConfig], keys: &dyn Keys) -> FlowResult {
    let first = steps.first().map_or("Step 1", |st| st.name.as_str());
    within(DEADLINE, name, "steps", first, walk(s, product, name, steps, keys)).await
}

/// `text` with every `{{…}}` filled in; the name of what is missing when something is.
fn fill(text: &str, product: &Domain, values: &HashMap<String, Sensitive<String>>, keys: &dyn Keys) -> Result<Sensitive<String>, String> {
    let mut out = text.to_owned();
    for r in references(text) {
        let value = match r.strip_prefix("key:") {
            Some(k) => key(keys, product, k)?,
            None => values.get(&r).cloned().ok_or_else(|| format!("{{{{{r}}}}} was not captured by a step before it"))?,
        };
        out = out.replace(&format!("{{{{{r}}}}}", r = r), value.expose());
        // Spaces inside the braces are allowed: `{{ csrf }}`.
        out = out.replace(&format!("{{{{ {r} }}}}"), value.expose());
    }
    Ok(Sensitive::new(out))
}

async fn walk(s: &mut Session<'_>, product: &Domain, name: &str, steps: &[StepConfig], keys: &dyn Keys) -> FlowResult {
    let mut values: HashMap<String, Sensitive<String>> = HashMap::new();
    let mut out: Vec<StepResult> = Vec::new();
    for st in steps {
        let r = one(s, product, st, &mut values, keys).await;
        let stop = r.status != FlowStatus::Pass;
        out.push(r);
        if stop {
            break;
        }
    }
    FlowResult::of(name, "steps", out, format!("{name}: every step works."))
}

async fn one(
    s: &mut Session<'_>,
    product: &Domain,
    st: &StepConfig,
    values: &mut HashMap<String, Sensitive<String>>,
    keys: &dyn Keys,
) -> StepResult {
    let err = |says: String| step(&st.name, FlowStatus::Error, None, 0, says);
    let url = match fill(&st.url, product, values, keys) {
        Ok(u) => u,
        Err(e) => return err(e),
    };
    let Ok(url) = url::Url::parse(url.expose()) else { return err("its address, once filled in, is not a web address".into()) };
    // Keys and captured values go only to the product, over https.
    if let Err(e) = preflight_core::credential::for_product("this step", url.as_str(), product.as_str()) {
        return err(format!("not sent: {e}"));
    }
    let mut req = Request::new(&st.method, url.clone());
    for (k, v) in &st.headers {
        match fill(v, product, values, keys) {
            Ok(v) => req.headers.push((k.clone(), v.expose().clone())),
            Err(e) => return err(e),
        }
    }
    if let Some(b) = &st.body {
        match fill(b, product, values, keys) {
            Ok(b) => req.body = b.expose().clone().into_bytes().into(),
            Err(e) => return err(e),
        }
    }
    let x = match s.send(req).await {
        Ok(x) => x,
        Err(e) => return err(unreachable(&e)),
    };
    let (status, says) = judge(st, &x);
    if status != FlowStatus::Pass {
        return step(&st.name, status, Some(x.response.status), x.ms, says);
    }
    for (cname, from) in &st.captures {
        match capture(s, &url, &x, from) {
            Some(v) => {
                values.insert(cname.clone(), Sensitive::new(v));
            }
            None => {
                let says = format!(
                    "answered {} but without the {cname} it should give ({}): the steps after it cannot go on",
                    x.response.status,
                    what(from)
                );
                return step(&st.name, FlowStatus::Fail, Some(x.response.status), x.ms, says);
            }
        }
    }
    step(&st.name, FlowStatus::Pass, Some(x.response.status), x.ms, says)
}

fn what(c: &Capture) -> String {
    match c {
        Capture::Json(p) => format!("JSON field {p}"),
        Capture::Header(h) => format!("header {h}"),
        Capture::Cookie(c) => format!("cookie {c}"),
        Capture::Hidden(h) => format!("hidden input {h}"),
        Capture::Regex(_) => "text matching its pattern".into(),
    }
}

/// Whether the answer holds what the step expects, and in words.
fn judge(st: &StepConfig, x: &Exchange) -> (FlowStatus, String) {
    let code = x.response.status;
    if let Some(why) = &x.stopped {
        return (FlowStatus::Fail, format!("was {why} ({})", x.path()));
    }
    let status_ok = st.expect_status.map_or((200..300).contains(&code), |want| want == code);
    if !status_ok {
        let want = st.expect_status.map_or("a 2xx".to_owned(), |w| w.to_string());
        return (FlowStatus::Fail, format!("answered {code} instead of {want} ({})", x.path()));
    }
    let text = x.text();
    if let Some(t) = &st.expect_text {
        if !text.contains(t.as_str()) {
            return (FlowStatus::Fail, format!("answered {code}, but without \"{t}\" in the page"));
        }
    }
    if let Some(t) = &st.expect_absent {
        if text.contains(t.as_str()) {
            return (FlowStatus::Fail, format!("answered {code}, and the page says \"{t}\""));
        }
    }
    if let Some((field, equals)) = &st.json {
        match (crate::json::field(&x.response.body, field), equals) {
            (None, _) => return (FlowStatus::Fail, format!("answered {code}, without the JSON field {field}")),
            (Some(v), Some(want)) if &v != want => {
                return (FlowStatus::Fail, format!("answered {code}, with {field} other than \"{want}\""))
            }
            _ => {}
        }
    }
    if let Some(h) = &st.expect_header {
        if x.response.header(h).is_none() {
            return (FlowStatus::Fail, format!("answered {code}, without the header {h}"));
        }
    }
    if let Some(max) = st.max_ms {
        if x.ms > max {
            return (FlowStatus::Fail, format!("answered {code} in {} ms, over its {max} ms", x.ms));
        }
    }
    (FlowStatus::Pass, format!("answered {code} in {} ms", x.ms))
}

/// The value `from` names in the answer `x` to `url`.
fn capture(s: &Session<'_>, url: &url::Url, x: &Exchange, from: &Capture) -> Option<String> {
    match from {
        Capture::Json(path) => crate::json::field(&x.response.body, path),
        Capture::Header(h) => x.response.header(h).map(str::to_owned),
        Capture::Cookie(c) => {
            s.jar.header(url)?.split(';').filter_map(|p| p.trim().split_once('=')).find(|(k, _)| k == c).map(|(_, v)| v.to_owned())
        }
        Capture::Hidden(h) => crate::form::hidden_input(&x.text(), h),
        Capture::Regex(re) => re.captures(&x.text())?.get(1).map(|m| m.as_str().to_owned()),
    }
}
