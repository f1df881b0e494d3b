//! Finds the sign-in form of a page: the `<form>` holding a password field, its action and method,
//! every hidden input (CSRF tokens included) and the field the username or email goes in; and a
//! "forgot your password" form, which asks for the email alone. Read with
//! the core's forgiving tag reader; a page is already bounded by the HTTP body limit.

use preflight_core::html;
use url::Url;

/// A sign-in form, ready to be filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginForm {
    pub action: Url,
    pub method: String,
    /// Hidden inputs and their values, sent as they are.
    pub hidden: Vec<(String, String)>,
    pub user_field: String,
    pub password_field: String,
}

/// Why a page's sign-in form cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormProblem {
    /// No form on the page has a password field.
    NoPasswordForm,
    /// The password form has no field for the username or email.
    NoUserField,
    /// The page asks robots to prove they are human.
    Captcha,
}

/// Markers of the CAPTCHA and bot-challenge widgets in use.
const CAPTCHAS: [&str; 5] = ["g-recaptcha", "h-captcha", "cf-turnstile", "data-sitekey", "challenge-platform"];

/// The sign-in form of `page`, served at `base`.
pub fn find(page: &str, base: &Url) -> Result<LoginForm, FormProblem> {
    for (text, tags) in forms(page) {
        let inputs: Vec<&html::Tag> = tags.iter().filter(|t| t.name == "input").collect();
        let Some(password) = inputs.iter().find(|t| kind(t) == "password").and_then(|t| t.attr("name")) else { continue };
        if CAPTCHAS.iter().any(|c| text.contains(c)) {
            return Err(FormProblem::Captcha);
        }
        let Some(PlainForm { action, method, hidden }) = plain(&tags, base) else { continue };
        let user = inputs.iter().find(|t| user_like(t)).or_else(|| inputs.iter().find(|t| kind(t) == "text")).and_then(|t| t.attr("name"));
        let Some(user) = user else { return Err(FormProblem::NoUserField) };
        return Ok(LoginForm { action, method, hidden, user_field: user.to_owned(), password_field: password.to_owned() });
    }
    if CAPTCHAS.iter().any(|c| page.to_ascii_lowercase().contains(c)) {
        return Err(FormProblem::Captcha);
    }
    Err(FormProblem::NoPasswordForm)
}

fn kind(t: &html::Tag) -> String {
    t.attr("type").unwrap_or("text").to_ascii_lowercase()
}

/// Whether `t` is where an email or username goes.
fn user_like(t: &html::Tag) -> bool {
    let k = kind(t);
    let words = format!(
        "{} {} {}",
        t.attr("name").unwrap_or_default(),
        t.attr("id").unwrap_or_default(),
        t.attr("autocomplete").unwrap_or_default()
    )
    .to_ascii_lowercase();
    k == "email" || (k == "text" && ["user", "email", "login", "identifier", "account"].iter().any(|w| words.contains(w)))
}

/// The form of `page` (served at `base`) that asks only for an email or username (a "forgot your
/// password" form), and the name of that field.
pub fn email_form(page: &str, base: &Url) -> Result<(PlainForm, String), FormProblem> {
    for (text, tags) in forms(page) {
        let inputs: Vec<&html::Tag> = tags.iter().filter(|t| t.name == "input").collect();
        if inputs.iter().any(|t| kind(t) == "password") {
            continue;
        }
        let Some(field) = inputs.iter().find(|t| user_like(t)).and_then(|t| t.attr("name")) else { continue };
        if CAPTCHAS.iter().any(|c| text.contains(c)) {
            return Err(FormProblem::Captcha);
        }
        if let Some(f) = plain(&tags, base) {
            return Ok((f, field.to_owned()));
        }
    }
    if CAPTCHAS.iter().any(|c| page.to_ascii_lowercase().contains(c)) {
        return Err(FormProblem::Captcha);
    }
    Err(FormProblem::NoUserField)
}

/// A form to submit as it is (a logout button): its action, method and hidden inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainForm {
    pub action: Url,
    pub method: String,
    pub hidden: Vec<(String, String)>,
}

/// The first form of `page` (served at `base`), if it has one.
pub fn first_form(page: &str, base: &Url) -> Option<PlainForm> {
    forms(page).first().and_then(|(_, tags)| plain(tags, base))
}

/// Each `<form>` of `page`, up to its `</form>` (or the next form): its text lower-cased (for the
/// CAPTCHA markers) and its tags. ASCII lower-casing keeps every byte offset, so positions found in
/// the lower-cased page cut the page itself.
fn forms(page: &str) -> Vec<(String, Vec<html::Tag>)> {
    let lower = page.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<form") {
        let start = from + at;
        let rest = &lower[start + 5..];
        let end = start + 5 + rest.find("</form").or_else(|| rest.find("<form")).unwrap_or(rest.len());
        from = end;
        out.push((lower[start..end].to_owned(), html::tags(&page[start..end])));
    }
    out
}

/// The action (resolved against `base`), method and hidden inputs of a form's tags.
fn plain(tags: &[html::Tag], base: &Url) -> Option<PlainForm> {
    let form = tags.first().filter(|t| t.name == "form")?;
    let action = form.attr("action").filter(|a| !a.trim().is_empty()).map_or_else(|| Ok(base.clone()), |a| base.join(a.trim())).ok()?;
    let method = form.attr("method").unwrap_or("GET").trim().to_ascii_uppercase();
    let hidden = tags
        .iter()
        .filter(|t| t.name == "input" && t.attr("type").is_some_and(|k| k.eq_ignore_ascii_case("hidden")))
        .filter_map(|t| Some((t.attr("name")?.to_owned(), t.attr("value").unwrap_or_default().to_owned())))
        .collect();
    Some(PlainForm { action, method, hidden })
}

/// The value of the hidden input `name` anywhere on `page` (a CSRF token a later step sends back).
pub fn hidden_input(page: &str, name: &str) -> Option<String> {
    html::tags(page)
        .into_iter()
        .filter(|t| t.name == "input" && t.attr("type").is_some_and(|k| k.eq_ignore_ascii_case("hidden")))
        .find(|t| t.attr("name") == Some(name))
        .map(|t| t.attr("value").unwrap_or_default().to_owned())
}

/// Whether `page` shows a password field (a signed-in page does not).
pub fn asks_to_sign_in(page: &str) -> bool {
    html::tags(page).iter().any(|t| t.name == "input" && t.attr("type").is_some_and(|k| k.eq_ignore_ascii_case("password")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_form_is_found_with_its_token_among_other_forms() {
        let page = r#"<form action="/search"><input name="q"></form>
<FORM method="post" action="/session"><input type="hidden" name="csrf_token" value="t0k3n">
<label>Email <input type="email" name="user[email]"></label><input type="password" name="user[password]">
<input type="hidden" name="next" value="/account"><button>Sign in</button></FORM>"#;
        let base = Url::parse("https://app.acme.test/login").expect("url");
        let f = find(page, &base).expect("found");
        assert_eq!(f.action.as_str(), "https://app.acme.test/session");
        assert_eq!(f.method, "POST");
        assert_eq!(f.hidden, vec![("csrf_token".into(), "t0k3n".into()), ("next".into(), "/account".into())]);
        assert_eq!((f.user_field.as_str(), f.password_field.as_str()), ("user[email]", "user[password]"));
    }

    #[test]
    fn a_captcha_or_a_page_without_a_password_field_is_said_as_such() {
        let base = Url::parse("https://app.acme.test/login").expect("url");
        let captcha = r#"<form method="post"><input name="email"><input type="password" name="pw"><div class="g-recaptcha" data-sitekey="x"></div></form>"#;
        assert_eq!(find(captcha, &base), Err(FormProblem::Captcha));
        assert_eq!(find("<h1>Welcome back</h1>", &base), Err(FormProblem::NoPasswordForm));
        assert!(!asks_to_sign_in("<h1>Your account</h1>"));
        assert!(asks_to_sign_in(captcha));
    }
}
