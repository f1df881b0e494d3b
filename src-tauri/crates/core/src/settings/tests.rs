//! The form against the engine: the same refusals as the CLI, and a hand-written file that survives.
use super::edit::{apply, EditError};
use super::*;
use crate::target::CallbackKind;

const HAND_WRITTEN: &str = r#"# Acme's launch settings, kept by Ada.
domain = "acme.test"
names = ["www", "api"] # the app lives on www

# Old Vercel previews that must redirect.
previews = [
  "https://acme-git-main.preview.example/", # main
]

[mail]
dkim_selectors = ["google"]

# The chat call the founders care about most.
[[endpoints]]
name = "chat start"
method = "POST"
url = "https://api.acme.test/chat"
body = '{"q": "{{random}}"}' # literal quotes on purpose
secret = "api-token"

# Health, cheap and cached.
[[endpoints]]
name = "health"
url = "https://api.acme.test/health"

[[monitors]]
name = "api health"
url = "https://api.acme.test/health" # watched every minute
"#;

fn form_of(text: &str) -> SettingsForm {
    SettingsForm::of(&ProductConfig::parse("p.toml", text).expect("valid file"))
}

#[test]
fn an_unchanged_form_leaves_the_file_byte_for_byte() {
    let form = form_of(HAND_WRITTEN);
    assert_eq!(apply(HAND_WRITTEN, &form).expect("applies"), HAND_WRITTEN, "nothing changed, so nothing may move");
}

#[test]
fn an_edit_keeps_every_comment_and_the_monitors() {
    let mut form = form_of(HAND_WRITTEN);
    form.canonical = Some("www.acme.test".into());
    form.endpoints.remove(1);
    form.endpoints[0].latency_target_ms = Some(800);
    form.endpoints.push(EndpointConfig {
        name: "login".into(),
        method: "GET".into(),
        url: "https://www.acme.test/login".into(),
        headers: Default::default(),
        body: None,
        secret: None,
        secret_header: None,
        secret_prefix: None,
        expect_status: Some(200),
        latency_target_ms: None,
        kind: Some("auth-callback".into()),
    });
    form.callbacks.push(CallbackConfig::new(CallbackKind::Webhook, "https://api.acme.test/stripe"));
    let text = apply(HAND_WRITTEN, &form).expect("applies");
    for kept in [
        "# Acme's launch settings, kept by Ada.",
        "# the app lives on www",
        "# main",
        "# The chat call the founders care about most.",
        "# literal quotes on purpose",
        "body = '{\"q\": \"{{random}}\"}'",
        "# watched every minute",
    ] {
        assert!(text.contains(kept), "{kept:?} must survive an edit in the window:\n{text}");
    }
    assert!(!text.contains("# Health, cheap and cached."), "the removed endpoint's comment goes with it:\n{text}");
    let back = ProductConfig::parse("p.toml", &text).expect("still valid");
    assert_eq!(SettingsForm::of(&back), form, "what was saved reads back as the form");
    assert_eq!(back.monitors.len(), 1, "monitors are not the form's to drop");
    let chat = text.find("name = \"chat start\"").expect("chat");
    let login = text.find("name = \"login\"").expect("login");
    assert!(chat < login, "an added endpoint comes after the others:\n{text}");
    assert!(!text.contains("method = \"GET\""), "a default is not written out:\n{text}");
}

#[test]
fn a_new_file_says_what_it_is_and_reads_back() {
    let mut form = SettingsForm::new("acme.test");
    form.names = Some(vec!["app".into()]);
    form.mail_domain = Some("mail.acme.test".into());
    let text = apply("", &form).expect("applies");
    assert!(text.starts_with("# Preflight settings."), "{text}");
    assert_eq!(SettingsForm::of(&ProductConfig::parse("p.toml", &text).expect("valid")), form);
}

#[test]
fn every_refusal_lands_on_its_field_in_the_clis_words() {
    let mut form = form_of(HAND_WRITTEN);
    form.names = Some(vec!["www".into(), "a b".into()]);
    form.required = Some(vec!["auth".into()]);
    form.canonical = Some("other.test".into());
    form.previews.push("ftp://acme.test/".into());
    form.dkim_selectors.push("not a selector".into());
    form.endpoints[0].url = "https://api.other.test/chat".into();
    form.endpoints[1].expect_status = Some(99);
    form.endpoints.push(form.endpoints[1].clone());
    let problems = check(&form.normalized());
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "names.1",
            "required.0",
            "canonical",
            "previews.1",
            "dkim_selectors.1",
            "endpoints.0.secret",
            "endpoints.1.expect_status",
            "endpoints.2.name"
        ],
        "{problems:#?}"
    );
    // The CLI reading the same values says the same thing, with the file's name in front.
    let file = apply(HAND_WRITTEN, &SettingsForm { canonical: Some("other.test".into()), ..form_of(HAND_WRITTEN) });
    let Err(EditError::Invalid(why)) = file else { panic!("an invalid form is not written: {file:?}") };
    assert_eq!(why, problems[2].message);
    assert!(problems[5].message.contains("api.other.test"), "a key aimed at a stranger names the host: {}", problems[5].message);
}

#[test]
fn a_half_filled_endpoint_is_refused_not_dropped() {
    let mut form = SettingsForm::new("acme.test");
    form.endpoints.push(EndpointConfig {
        name: " ".into(),
        method: "get".into(),
        url: String::new(),
        headers: Default::default(),
        body: None,
        secret: None,
        secret_header: None,
        secret_prefix: None,
        expect_status: None,
        latency_target_ms: None,
        kind: None,
    });
    let problems = check(&form.normalized());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "endpoints.0.name");
    assert!(apply("", &form.normalized()).is_err(), "never written");
}

#[test]
fn a_broken_file_is_not_rewritten_and_a_bad_domain_stops_the_rest() {
    assert!(matches!(apply("domain = ", &SettingsForm::new("acme.test")), Err(EditError::Syntax(_))));
    let problems = check(&SettingsForm { canonical: Some("x.test".into()), ..SettingsForm::new("https://acme.test") });
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, "domain");
}

#[test]
fn a_revision_changes_with_any_byte() {
    assert_ne!(revision("domain = \"a.test\"\n"), revision("domain = \"a.test\" \n"));
    assert_eq!(revision(HAND_WRITTEN), revision(HAND_WRITTEN));
}

#[test]
fn a_path_edited_in_the_form_keeps_its_comment_and_drops_what_the_form_dropped() {
    let text = r#"domain = "acme.test"

# The sign-in the founders watch.
[[flows]]
name = "Sign in"
template = "login"
login_url = "https://app.acme.test/login" # the form page
signed_in_url = "https://app.acme.test/account"
username_key = "test-user"
password_key = "test-password"

[[flows]]
name = "Reset"
template = "password-reset"
within_secs = 60
"#;
    let mut form = form_of(text);
    assert_eq!(form.flows.len(), 2);
    assert_eq!(form.flows[1].fields.get("within_secs").map(String::as_str), Some("60"), "a number reads as text in the form");
    assert_eq!(apply(text, &form).expect("unchanged"), text, "an unchanged path is left byte for byte");
    form.flows[0].fields.insert("signed_in_url".into(), "https://app.acme.test/home".into());
    form.flows[1].fields.remove("within_secs");
    form.flows[1].fields.insert("within_secs".into(), "90".into());
    let out = apply(text, &form).expect("written");
    assert!(out.contains("# The sign-in the founders watch.") && out.contains("# the form page"), "{out}");
    assert!(out.contains("signed_in_url = \"https://app.acme.test/home\""), "{out}");
    assert!(out.contains("within_secs = 90"), "a number stays a number: {out}");
    form.flows[0].fields.remove("password_key");
    let out = apply(text, &form).expect("written");
    assert!(!out.contains("password_key"), "a field the form dropped leaves the file: {out}");
}

#[test]
fn a_steps_path_keeps_its_steps_as_written_when_the_form_renames_it() {
    let text = r#"domain = "acme.test"

[[flows]]
name = "Upgrade"
template = "steps"

# Pricing first.
[[flows.steps]]
name = "Open pricing"
url = "https://app.acme.test/pricing"
"#;
    let mut form = form_of(text);
    assert_eq!(form.flows[0].kept.len(), 1, "the steps are kept, not turned into fields");
    assert!(form.flows[0].fields.is_empty());
    assert_eq!(apply(text, &form).expect("unchanged"), text);
    form.flows[0].name = "Upgrade to Pro".into();
    let out = apply(text, &form).expect("renamed");
    assert!(out.contains("name = \"Upgrade to Pro\"") && out.contains("# Pricing first.") && out.contains("[[flows.steps]]"), "{out}");
}

#[test]
fn a_question_removed_in_the_form_takes_its_comment_and_leaves_the_others_theirs() {
    let text = r#"domain = "acme.test"

# Billing asks this most.
[[evals]]
question = "How long do refunds take?"
must_contain = ["5 business days"]

# Sales.
[[evals]]
question = "What does it cost?"
must_contain = ["/\\$\\d+/"]
"#;
    let mut form = form_of(text);
    assert_eq!(form.evals.len(), 2);
    assert_eq!(apply(text, &form).expect("unchanged"), text, "an unchanged form leaves the file byte for byte");
    form.evals.remove(0);
    let out = apply(text, &form).expect("written");
    assert!(!out.contains("Billing") && !out.contains("refunds"), "{out}");
    assert!(out.contains("# Sales.\n[[evals]]\nquestion = \"What does it cost?\""), "the kept question keeps its comment: {out}");
    form.evals[0].must_contain = vec!["/(unclosed/".into()];
    let problems = check(&form.normalized());
    assert_eq!(problems.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(), ["evals.0.must_contain"], "{problems:?}");
}
