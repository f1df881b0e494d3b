//! Which of the checklist's platforms a product uses, read from its latest audit, so each item
//! shows the founder's own platform's steps first and folds the others away (VOICE.md).

use crate::content::PLATFORMS;
use preflight_core::{platforms, Finding};

/// The platform keys of [`PLATFORMS`] the findings show signs of, most specific first.
pub fn detect(findings: &[Finding]) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = Vec::new();
    let mut add = |key: &'static str| {
        if !found.contains(&key) {
            found.push(key);
        }
    };
    for f in findings {
        let e = &f.evidence;
        let strings = |field: &str| -> Vec<String> {
            e.get(field)
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        match f.id.as_str() {
            "dns.resolve" => {
                for cname in strings("cnames") {
                    if let Some(key) = platforms::by_target(&cname).and_then(|p| key_of(&p.name)) {
                        add(key);
                    }
                }
            }
            "edge.cdn" if strings("providers").iter().any(|p| p.eq_ignore_ascii_case("cloudflare")) => add("cloudflare"),
            "dns.ns" if strings("ns").iter().any(|ns| ns.trim_end_matches('.').ends_with(".ns.cloudflare.com")) => add("cloudflare"),
            _ => {}
        }
    }
    found
}

/// The checklist key of a platform named in the engine's platform data.
fn key_of(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    PLATFORMS.iter().map(|(k, _)| *k).find(|k| *k != "general" && *k != "registrar" && name.starts_with(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use preflight_core::checks::{dns, zone};
    use preflight_core::Status;
    use serde_json::json;

    #[test]
    fn aliases_and_name_servers_give_the_platform_away() {
        let resolve = Finding::new(&dns::RESOLVE, "www.acme.test", Status::Pass).evidence(json!({ "cnames": ["cname.vercel-dns.com"] }));
        let ns = Finding::new(&zone::NS, "acme.test", Status::Pass).evidence(json!({ "ns": ["ada.ns.cloudflare.com"] }));
        assert_eq!(detect(&[resolve, ns]), ["vercel", "cloudflare"]);
        assert!(detect(&[]).is_empty());
    }
}
