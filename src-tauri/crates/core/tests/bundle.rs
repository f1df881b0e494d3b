//! `secrets.bundle` and `secrets.sourcemap` against testbed sites: a bundle that inlines a server
//! key and points at a public source map holding another, a clean site with only a publishable key,
//! and a cross-origin script that is not Preflight's to read. The full keys never reach a finding.

mod support;

use preflight_core::{Area, Finding, Report, Status};
use preflight_testbed::{Answer, Product, Site};

const OPENAI: &str = "sk-proj-Zq3vN8kR2mX7pL4tB9wC6yH1dF5gJ0sAeUiOoPqWrTyUz";
const STRIPE: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dcAb12Cd34Ef56Gh78";
const PUBLISHABLE: &str = "pk_live_51HqLyjWDarjtT1zdp7dcAb12Cd34Ef56Gh78Ij90";

fn js(body: &str) -> Answer {
    Answer::page(&[("content-type", "text/javascript")], body)
}

async fn run(product: Product, labels: &[&str]) -> Report {
    support::audit_product(product, labels, &[Area::Secrets]).await
}

fn of<'a>(r: &'a Report, id: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.id == id).collect()
}

#[tokio::test]
async fn a_key_in_the_bundle_and_one_in_its_source_map_are_found_with_their_variable() {
    let d = "leaky.test";
    let page = Answer::secure(
        r#"<div id="root"></div><script type="module" src="/assets/index-Ab12Cd34.js"></script><script src="https://cdn.other.example/lib.js"></script>"#,
    );
    let bundle = format!(
        "const e={{NEXT_PUBLIC_OPENAI_API_KEY:\"{OPENAI}\",NEXT_PUBLIC_STRIPE_KEY:\"{PUBLISHABLE}\"}};fetch(\"/api\");\n//# sourceMappingURL=index-Ab12Cd34.js.map\n"
    );
    let map =
        format!("{{\"version\":3,\"sources\":[\"src/pay.ts\"],\"sourcesContent\":[\"const stripe = new Stripe(\\\"{STRIPE}\\\");\"]}}");
    let https = page
        .with_path("/assets/index-Ab12Cd34.js", js(&bundle))
        .with_path("/assets/index-Ab12Cd34.js.map", Answer::page(&[("content-type", "application/json")], &map));
    let r = run(Product::healthy(d, &[""]).site(Site::serving(d, https)), &[]).await;

    let bundle_findings = of(&r, "secrets.bundle");
    let fails: Vec<&&Finding> = bundle_findings.iter().filter(|f| f.status == Status::Fail).collect();
    assert_eq!(fails.len(), 2, "{bundle_findings:#?}");
    let openai = fails.iter().find(|f| f.subject.ends_with("/assets/index-Ab12Cd34.js")).expect("the bundle's key");
    assert!(openai.title.contains("an OpenAI API key (sk-p…Uz, in NEXT_PUBLIC_OPENAI_API_KEY)"), "{}", openai.title);
    assert!(openai.fix.iter().any(|s| s.contains("Rename NEXT_PUBLIC_OPENAI_API_KEY")), "{:?}", openai.fix);
    assert!(openai.fix.iter().any(|s| s.contains("platform.openai.com")), "where to revoke it");
    let stripe = fails.iter().find(|f| f.subject.ends_with(".map")).expect("the source map's key");
    assert!(stripe.title.contains("Stripe live secret key"), "{}", stripe.title);
    assert!(
        bundle_findings.iter().any(|f| f.status == Status::Pass && f.title.contains("meant to be public")),
        "the publishable key is fine"
    );
    let maps = of(&r, "secrets.sourcemap");
    assert_eq!(maps.len(), 1);
    assert_eq!(maps[0].status, Status::Warn);
    let all = serde_json::to_string(&r).expect("json");
    assert!(!all.contains(OPENAI) && !all.contains(STRIPE), "no full key in the report");
}

#[tokio::test]
async fn a_clean_bundle_passes_and_says_what_was_read() {
    let d = "tidy.test";
    let page = Answer::secure(r#"<script src="/assets/app-Zz98Yy76.js"></script>"#);
    let https = page.with_path("/assets/app-Zz98Yy76.js", js("console.log(import.meta.env.VITE_SITE_NAME)"));
    let r = run(Product::healthy(d, &[""]).site(Site::serving(d, https)), &[]).await;
    let f = of(&r, "secrets.bundle");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].status, Status::Pass);
    assert!(f[0].title.contains("The page and 1 script of https://tidy.test"), "{}", f[0].title);
    assert_eq!(of(&r, "secrets.sourcemap")[0].status, Status::Pass);
}

#[tokio::test]
async fn a_key_used_only_on_a_lazy_route_is_found_in_its_chunk() {
    let d = "lazy.test";
    let page = Answer::secure(r#"<div id="root"></div><script type="module" src="/assets/index-Ab12Cd34.js"></script>"#);
    let entry = r#"import{r}from"./vendor-Ef56Gh78.js";const Admin=()=>import("./Admin-Ij90Kl12.js");r(Admin);"#;
    let admin = format!("export const ai=new OpenAI({{apiKey:\"{OPENAI}\"}});");
    let https = page
        .with_path("/assets/index-Ab12Cd34.js", js(entry))
        .with_path("/assets/vendor-Ef56Gh78.js", js("export const r=()=>{};"))
        .with_path("/assets/Admin-Ij90Kl12.js", js(&admin));
    let r = run(Product::healthy(d, &[""]).site(Site::serving(d, https)), &[]).await;
    let fails: Vec<&Finding> = of(&r, "secrets.bundle").into_iter().filter(|f| f.status == Status::Fail).collect();
    assert_eq!(fails.len(), 1, "{:#?}", of(&r, "secrets.bundle"));
    assert!(fails[0].subject.ends_with("/assets/Admin-Ij90Kl12.js"), "found in the lazy chunk: {}", fails[0].subject);
}
