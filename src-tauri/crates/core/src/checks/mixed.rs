//! `edge.mixed_content`: the secure page loads nothing over plain `http://`.
//!
//! A browser blocks a script, style or frame requested over http from an HTTPS page (the page
//! breaks: buttons stop working, the layout falls apart) and flags images and video with a "not
//! secure" warning. Read from the landing page's tags (see `html`); nothing extra is fetched.

use super::{is_html, own_landing, per_host, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::html::{self, Resource, Use};
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;

pub static MIXED: CheckDef = CheckDef {
    id: "edge.mixed_content",
    area: Area::Edge,
    stage: Stage::Deploy,
    impact: Impact::UserExperience,
    what: "whether the secure landing page loads anything over plain http",
};

pub const FAMILY: Family = Family { name: "mixed content", checks: &[&MIXED], plan };

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    per_host(
        target,
        facts,
        &MIXED,
        |h| format!("Looking for insecure files on https://{h}"),
        |facts, host| async move {
            let finding = match own_landing(&facts, &MIXED, &host, &format!("the files of https://{host}")).await {
                Ok((url, page)) if is_html(&page) => {
                    judge(&host, url.as_str(), &html::resources(&html::tags(&String::from_utf8_lossy(&page.body))))
                }
                Ok(_) => Finding::new(&MIXED, &host, Status::Skipped)
                    .title(format!("{host} answers with data, not a web page, so there is nothing to load insecurely.")),
                Err(f) => f,
            };
            vec![finding]
        },
    )
}

/// The verdict on one page's resources (pure).
pub fn judge(host: &str, page: &str, resources: &[Resource]) -> Finding {
    let insecure: Vec<&Resource> = resources.iter().filter(|r| r.url.to_ascii_lowercase().starts_with("http://")).collect();
    let list = |u: Use| insecure.iter().filter(|r| r.used == u).map(|r| format!("<{}> {}", r.tag, r.url)).collect::<Vec<_>>();
    let (active, passive) = (list(Use::Active), list(Use::Passive));
    let evidence = json!({ "page": page, "resources": resources.len(), "insecure": insecure });
    let fix = [
        "Change these addresses to https:// (or to a path on your own site) in your code or CMS.",
        "As a safety net, add upgrade-insecure-requests to your Content-Security-Policy: browsers then fetch them over https.",
    ];
    if !active.is_empty() {
        return Finding::new(&MIXED, host, Status::Fail)
            .title(format!("https://{host} loads code over plain http, which browsers block, so parts of the page break."))
            .why("Browsers refuse scripts, styles and frames sent over http to a secure page: buttons and sign-in can stop working for every visitor.")
            .detail(format!("On {page}:\n{}", active.iter().chain(&passive).cloned().collect::<Vec<_>>().join("\n")))
            .evidence(evidence)
            .fix(fix);
    }
    if !passive.is_empty() {
        return Finding::new(&MIXED, host, Status::Warn)
            .title(format!("https://{host} shows images or media sent over plain http, so browsers mark the page as not fully secure."))
            .why("Visitors see a warning in the address bar, and anyone on the same network can swap the pictures.")
            .detail(format!("On {page}:\n{}", passive.join("\n")))
            .evidence(evidence)
            .fix(fix);
    }
    Finding::new(&MIXED, host, Status::Pass)
        .title(format!("https://{host} loads everything over the secure connection."))
        .detail(format!("None of the {} files {page} loads uses http://.", resources.len()))
        .evidence(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(body: &str) -> Status {
        judge("a.test", "https://a.test/", &html::resources(&html::tags(body))).status
    }

    #[test]
    fn blocked_code_is_a_problem_insecure_images_need_attention() {
        assert_eq!(verdict(r#"<script src="/a.js"></script><img src="https://cdn.example/i.png">"#), Status::Pass);
        assert_eq!(verdict(r#"<img src="HTTP://cdn.example/i.png">"#), Status::Warn);
        assert_eq!(verdict(r#"<link rel="stylesheet" href="http://cdn.example/s.css">"#), Status::Fail);
        assert_eq!(verdict(r#"<a href="http://old.example/">a link is not loaded</a>"#), Status::Pass);
    }
}
