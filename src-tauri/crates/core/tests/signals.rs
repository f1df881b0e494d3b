//! What the site shows the outside world, against the testbed: a product with error tracking in its
//! entry script, a status page in its footer and HTTP/3 advertised, and a plain one with none of
//! them. Information both ways, never a problem: what is missing is the founder's call or optional.

use preflight_core::{audit, Area, AuditOptions, Domain, Net, Report, Status, Target};
use preflight_testbed::{Answer, Product, Site, Testbed};

async fn run(d: &str, root: Option<Answer>) -> Report {
    let mut product = Product::healthy(d, &[""]);
    if let Some(answer) = root {
        product = product.site(Site::serving(d, answer));
    }
    let bed = Testbed::start(product).await.expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");
    audit(&net, &Target::bare(Domain::parse(d).expect("valid")), AuditOptions { only: vec![Area::Web], ..AuditOptions::default() }).await
}

fn title<'a>(r: &'a Report, id: &str, status: Status) -> &'a str {
    let f = r.findings.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no {id}: {:#?}", r.findings));
    assert_eq!(f.status, status, "information, never a problem: {f:#?}");
    &f.title
}

#[tokio::test]
async fn error_tracking_a_status_page_and_http3_are_told() {
    let home = Answer::page(
        &[("content-type", "text/html"), ("alt-svc", "h3=\":443\"; ma=86400")],
        "<!doctype html><title>Acme</title><script src=\"/assets/app-Xy12.js\"></script><footer><a href=\"https://status.told.test\">Status</a></footer>",
    );
    let script = Answer::page(
        &[("content-type", "text/javascript")],
        r#"Sentry.init({dsn:"https://0123456789abcdef0123456789abcdef@o42.ingest.us.sentry.io/7",tracesSampleRate:.1});"#,
    );
    let root = Answer::Paths {
        paths: vec![("/".into(), home), ("/assets/app-Xy12.js".into(), script)],
        other: Box::new(Answer::page(&[], "nope")),
    };
    let r = run("told.test", Some(root)).await;
    assert!(title(&r, "web.error_tracking", Status::Pass).contains("reports visitors' errors to Sentry"));
    assert!(title(&r, "web.status_page", Status::Pass).contains("https://status.told.test"));
    assert!(title(&r, "web.http3", Status::Pass).contains("offers HTTP/3"));
}

#[tokio::test]
async fn a_plain_site_is_told_what_it_could_add_without_a_problem() {
    let r = run("plain-signals.test", None).await;
    assert!(title(&r, "web.error_tracking", Status::Manual).contains("No error tracking"));
    assert!(title(&r, "web.status_page", Status::Manual).contains("no status page"));
    assert!(title(&r, "web.http3", Status::Pass).contains("does not offer HTTP/3"));
}
