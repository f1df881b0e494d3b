//! The Vercel checks against a local Vercel API (the testbed's, with the REST shapes): the project
//! is found in a team on its second page of projects; environment variables compared by name (a
//! preview-only one, a secret with a public prefix); the production commit and a rollback target.
//! Neither the token nor any variable's (encrypted) value appears in what comes out.

use preflight_core::{Domain, Finding, Net, Status, Target};
use preflight_providers::Provider;
use preflight_testbed::vercel::{api, VAccount, VProject, ENCRYPTED};
use preflight_testbed::{Answer, Product, Site, Testbed};
use preflight_vault::Sensitive;

const D: &str = "vc.test";
const TOKEN: &str = "vercel-test-token-Pk4Qm9Rt2Wx7Zb1Cd6Fh";

fn project(id: &str, domains: &[&str], env: &[(&str, &[&str])], deployments: &[(&str, i64)]) -> VProject {
    VProject {
        id: id.into(),
        name: id.trim_start_matches("prj_").into(),
        team: Some("team_acme".into()),
        domains: domains.iter().map(|d| (*d).to_owned()).collect(),
        env: env.iter().map(|(k, t)| ((*k).to_owned(), t.iter().map(|x| (*x).to_owned()).collect())).collect(),
        deployments: deployments.iter().map(|(c, d)| ((*c).to_owned(), *d)).collect(),
    }
}

async fn run(projects: Vec<VProject>) -> (Vec<Finding>, Net, Testbed) {
    let account = VAccount { token: TOKEN.into(), projects, per_page: 2 };
    let product = Product::healthy(D, &[""]).site(Site::serving(&format!("vapi.{D}"), Answer::App(api(account))));
    let bed = Testbed::start(product).await.expect("testbed");
    let mut cfg = bed.net_config();
    cfg.vercel_api = Some(url::Url::parse(&format!("https://vapi.{D}/")).expect("url"));
    let net = Net::new(cfg).await.expect("net");
    let f = Provider::Vercel.audit(&net, &Target::bare(Domain::parse(D).expect("valid")), &[], Sensitive::new(TOKEN.into())).await;
    let text = serde_json::to_string(&f).expect("json");
    assert!(!text.contains(TOKEN) && !text.contains(ENCRYPTED), "neither the token nor a value reaches a finding");
    (f, net, bed)
}

fn find<'a>(f: &'a [Finding], id: &str) -> &'a Finding {
    f.iter().find(|x| x.id == id).unwrap_or_else(|| panic!("no {id}: {f:#?}"))
}

fn others() -> Vec<VProject> {
    vec![project("prj_blog", &["blog.example"], &[], &[]), project("prj_docs", &["docs.example"], &[], &[])]
}

#[tokio::test]
async fn a_healthy_project_is_found_on_a_later_page_and_passes() {
    let mut projects = others();
    projects.push(project(
        "prj_acme",
        &[D, &format!("www.{D}")],
        &[("OPENAI_API_KEY", &["production", "preview"]), ("NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY", &["production", "preview"])],
        &[("9f2c1ab77d", 0), ("4e8d0aa123", 3)],
    ));
    let (f, net, _bed) = run(projects).await;
    let p = find(&f, "deploy.vercel.project");
    assert_eq!(p.status, Status::Pass, "{p:#?}");
    assert!(p.title.contains("acme") && p.title.contains("commit 9f2c1ab"), "{}", p.title);
    assert_eq!(find(&f, "deploy.vercel.env").status, Status::Pass);
    let r = find(&f, "deploy.vercel.rollback");
    assert_eq!(r.status, Status::Pass);
    assert!(r.title.contains("commit 4e8d0aa"), "{}", r.title);
    let says = Provider::Vercel.verify(&net, D, Sensitive::new(TOKEN.into())).await.expect("verifies");
    assert!(says.contains("founder") && says.contains("acme"), "{says}");
}

#[tokio::test]
async fn a_secret_sent_to_the_browser_and_a_preview_only_variable_are_named() {
    let mut projects = others();
    projects.push(project(
        "prj_acme",
        &[D],
        &[("NEXT_PUBLIC_OPENAI_API_KEY", &["production"]), ("RESEND_API_KEY", &["preview"])],
        &[("9f2c1ab77d", 0)],
    ));
    let (f, _, _bed) = run(projects.clone()).await;
    let env = find(&f, "deploy.vercel.env");
    assert_eq!(env.status, Status::Fail, "{env:#?}");
    assert!(env.title.contains("NEXT_PUBLIC_OPENAI_API_KEY"), "{}", env.title);
    assert_eq!(find(&f, "deploy.vercel.rollback").status, Status::Warn, "one deployment: nothing to roll back to");

    if let Some(p) = projects.last_mut() {
        p.env.retain(|(k, _)| k == "RESEND_API_KEY");
    }
    let (f, _, _bed) = run(projects).await;
    let env = find(&f, "deploy.vercel.env");
    assert_eq!(env.status, Status::Warn, "{env:#?}");
    assert!(env.title.contains("RESEND_API_KEY is set for previews but not for production"), "{}", env.title);
}

#[tokio::test]
async fn no_project_for_the_domain_and_a_refused_token_are_errors_in_words() {
    let (f, net, _bed) = run(others()).await;
    let p = find(&f, "deploy.vercel.project");
    assert_eq!((p.status, f.len()), (Status::Error, 1), "{f:#?}");
    assert!(p.detail.contains(D), "{}", p.detail);
    let refused = Provider::Vercel.verify(&net, D, Sensitive::new("nope".into())).await.expect_err("refused");
    assert_eq!(refused.code(), "bad_token");
}
