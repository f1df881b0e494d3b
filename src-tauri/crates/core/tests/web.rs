//! What the site answers besides its pages, against the testbed: a well-kept name (404 for a missing
//! page, nothing left behind, a current security.txt), a neglected one (an env file with a key, the
//! git folder, an open assets listing, a stack trace for a missing page), and a single-page app whose
//! shell answers every path, which is a soft 404 and never a found file.

mod support;

use preflight_core::checks::not_found::MISSING_PATH;
use preflight_core::{Area, Finding, Report, Status};
use preflight_testbed::{Answer, Product, Site};

const D: &str = "web.test";

fn page(status: u16, body: &str) -> Answer {
    Answer::Page { status, headers: vec![("content-type".into(), "text/html; charset=utf-8".into())], body: body.into() }
}

fn text(body: &str) -> Answer {
    Answer::Page { status: 200, headers: vec![("content-type".into(), "text/plain".into())], body: body.into() }
}

fn product(security_txt: Option<&str>) -> Product {
    product_with(
        security_txt,
        "<!doctype html><title>Acme</title><meta name=\"description\" content=\"Acme's chatbot.\"><h1>Acme</h1>",
        None,
    )
}

/// The product with the root's home page `root_home` and, when given, its robots.txt.
fn product_with(security_txt: Option<&str>, root_home: &str, robots: Option<&str>) -> Product {
    let home = "<!doctype html><title>Acme</title><h1>Acme</h1>";
    let mut root = Answer::Paths { paths: vec![("/".into(), page(200, root_home))], other: Box::new(page(404, "<h1>Not found</h1>")) };
    if let Some(r) = robots {
        root = root.with_path("/robots.txt", text(r));
    }
    if let Some(t) = security_txt {
        root = root.with_path("/.well-known/security.txt", text(t));
    }
    let good = Answer::Paths { paths: vec![("/".into(), page(200, home))], other: Box::new(page(404, "<h1>Not found</h1>")) };
    let key = format!("sk-proj-{}", "Zq3vN8kR2mX7pL4tB9wC6yH1dF5gJ0sAeUiOoPqWrTyUz"); // preflight:allow: a fake key
    let bad = page(200, home)
        .with_path("/.env", text(&format!("# production\nDATABASE_URL=postgres://app@db/prod\nOPENAI_API_KEY={key}\n")))
        .with_path("/.git/HEAD", text("ref: refs/heads/main\n"))
        .with_path("/assets/", page(200, "<html><head><title>Index of /assets/</title></head><body><a href=\"app.js\">app.js</a>"))
        .with_path(MISSING_PATH, page(500, "Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 9"));
    let spa = page(200, "<!doctype html><div id=\"root\"></div><script src=\"/app.js\"></script>");
    Product::healthy(D, &[""])
        .site(Site::serving(D, root))
        .site(Site::serving(&format!("good.{D}"), good))
        .site(Site::serving(&format!("bad.{D}"), bad))
        .site(Site::serving(&format!("spa.{D}"), spa))
}

async fn audit(security_txt: Option<&str>) -> Report {
    support::audit_product(product(security_txt), &["good", "bad", "spa"], &[Area::Secrets, Area::Web]).await
}

fn find<'a>(r: &'a Report, id: &str, subject: &str) -> &'a Finding {
    r.findings.iter().find(|f| f.id == id && f.subject == subject).unwrap_or_else(|| panic!("no {id} for {subject}: {:#?}", r.findings))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn left_behind_files_error_pages_and_security_txt_tell_a_kept_site_from_a_neglected_one() {
    let r = audit(Some("Contact: mailto:security@web.test\nExpires: 2099-01-01T00:00:00Z\n")).await;
    let (good, bad, spa) = (format!("good.{D}"), format!("bad.{D}"), format!("spa.{D}"));

    let exposed = find(&r, "secrets.exposed_files", &bad);
    assert_eq!(exposed.status, Status::Fail, "{exposed:#?}");
    assert!(exposed.title.contains("an env file"), "{}", exposed.title);
    assert!(exposed.detail.contains("/.git/HEAD") && exposed.detail.contains("Index of"), "{}", exposed.detail);
    assert!(exposed.detail.contains("sk-p") && !exposed.detail.contains("Zq3vN8kR2mX7"), "the key is named masked: {}", exposed.detail);
    assert_eq!(find(&r, "secrets.exposed_files", &good).status, Status::Pass);
    assert_eq!(find(&r, "secrets.exposed_files", &spa).status, Status::Pass, "an app shell for every path proves no file");

    assert_eq!(find(&r, "web.not_found", &good).status, Status::Pass);
    let trace = find(&r, "web.not_found", &bad);
    assert_eq!(trace.status, Status::Fail, "{trace:#?}");
    assert!(trace.title.contains("Python stack trace"), "{}", trace.title);
    let soft = find(&r, "web.not_found", &spa);
    assert_eq!(soft.status, Status::Warn, "{soft:#?}");
    assert!(soft.title.contains("soft 404"), "{}", soft.title);

    assert_eq!(find(&r, "web.security_txt", D).status, Status::Pass);
    let expired = audit(Some("Contact: mailto:security@web.test\nExpires: 2020-01-01T00:00:00Z\n")).await;
    assert_eq!(find(&expired, "web.security_txt", D).status, Status::Warn);
    let none = audit(None).await;
    assert_eq!(find(&none, "web.security_txt", D).status, Status::Manual, "none is the founder's call, never a problem");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staging_robots_txt_or_a_canonical_to_a_preview_is_told_and_a_kept_site_passes() {
    let seo = |home: &str, robots: Option<&str>| {
        let p = product_with(None, home, robots);
        async move { support::audit_product(p, &[], &[Area::Seo]).await }
    };
    let head = "<!doctype html><title>Acme</title><meta name=\"description\" content=\"Acme's chatbot.\">";
    let kept = seo(head, Some("User-agent: *\nAllow: /\n")).await;
    assert_eq!(find(&kept, "seo.indexing", D).status, Status::Pass, "{:#?}", find(&kept, "seo.indexing", D));
    let staging = seo(head, Some("User-agent: *\nDisallow: /\n")).await;
    let f = find(&staging, "seo.indexing", D);
    assert_eq!(f.status, Status::Fail);
    assert!(f.title.contains("Disallow: /"), "{}", f.title);
    let noindex = seo(&format!("{head}<meta name=\"robots\" content=\"noindex, nofollow\">"), None).await;
    assert_eq!(find(&noindex, "seo.indexing", D).status, Status::Fail);
    let preview = seo(
        &format!("{head}<link rel=\"canonical\" href=\"https://acme-git-main.vercel.example/\">"),
        Some("Sitemap: https://web.test/sitemap.xml\n"),
    )
    .await;
    let f = find(&preview, "seo.indexing", D);
    assert_eq!(f.status, Status::Warn, "{f:#?}");
    assert!(f.title.contains("canonical link points at https://acme-git-main.vercel.example/"), "{}", f.title);
    assert!(f.detail.contains("sitemap https://web.test/sitemap.xml"), "the named sitemap answers 404: {}", f.detail);
}

/// A huge file is recognised (or not) from its first bytes: an endless answer at a probed path is
/// read to the probe's bound and the audit goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_answer_at_a_probed_path_costs_its_first_bytes_only() {
    let home = "<!doctype html><title>Acme</title><h1>Acme</h1>";
    let site = Answer::Paths { paths: vec![("/".into(), page(200, home))], other: Box::new(page(404, "<h1>Not found</h1>")) }
        .with_path("/site.tar.gz", Answer::Endless)
        .with_path("/backup.zip", Answer::Endless);
    let started = std::time::Instant::now();
    let r =
        support::audit_product(Product::healthy(D, &[""]).site(Site::serving(&format!("big.{D}"), site)), &["big"], &[Area::Secrets]).await;
    let f = find(&r, "secrets.exposed_files", &format!("big.{D}"));
    assert_eq!(f.status, Status::Pass, "an endless stream of x is no archive: {f:#?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
}
