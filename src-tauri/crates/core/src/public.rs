//! What of an address may be stored, logged or shown: its public form.
//!
//! A founder's address often carries a secret: a token in the query, a user and password before
//! the host. Errors, logs, events, notifications and saved runs name an address only by
//! [`public_url`]; addresses whose path itself is the secret (a Slack webhook, an ntfy topic) are
//! named by their host alone ([`host_of`]).

/// `url` without query, fragment or credentials; None when it is not an absolute address.
pub fn public_url(url: &str) -> Option<String> {
    let mut u = url::Url::parse(url.trim()).ok()?;
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    Some(u.to_string())
}

/// What an error may say of `typed`, an address that may not even parse: its public form, or
/// what comes before any `?` or `#` (where a pasted token usually sits).
pub fn shown(typed: &str) -> String {
    let typed = typed.trim();
    public_url(typed).unwrap_or_else(|| typed.split(['?', '#']).next().unwrap_or_default().to_owned())
}

/// The host of `url` (lower case), or "the address" when there is none to show.
pub fn host_of(url: &str) -> String {
    url::Url::parse(url.trim()).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase)).unwrap_or_else(|| "the address".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_form_drops_what_may_be_secret() {
        assert_eq!(public_url("https://u:p@api.acme.test/x?token=s3cret#f").as_deref(), Some("https://api.acme.test/x"));
        assert_eq!(public_url("not an address"), None);
        assert_eq!(
            shown(" htps//acme.test/x?token=s3cret "),
            "htps//acme.test/x",
            "an address that does not parse keeps its query to itself"
        );
        assert_eq!(host_of("https://hooks.slack.example/services/T0/B0/secret"), "hooks.slack.example");
        assert_eq!(host_of("::"), "the address");
    }
}
