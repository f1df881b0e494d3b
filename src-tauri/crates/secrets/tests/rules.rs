//! The bundled rules: at least 40, each compiles, each example is found by its own rule (and as the
//! kind the rule says), each near miss is found by no rule at all.

use preflight_secrets::{bundled, Kind};

#[test]
fn every_rule_finds_its_example_and_no_rule_finds_a_near_miss() {
    let rules = bundled().unwrap_or_else(|e| panic!("{e}"));
    let all: Vec<_> = rules.all().collect();
    assert!(all.len() >= 40, "the providers an AI SaaS uses need at least 40 rules, found {}", all.len());
    let providers: std::collections::BTreeSet<&str> = all.iter().map(|r| r.provider.as_str()).collect();
    assert!(providers.len() >= 35, "distinct providers: {}", providers.len());
    let mut failures = Vec::new();
    for r in &all {
        let found = rules.scan(format!("value: {}\n", r.example).as_bytes());
        if !found.hits.iter().any(|h| h.rule == r.id && h.kind == r.kind) {
            failures.push(format!(
                "{}: its example is not found as {:?} (found {:?})",
                r.id,
                r.kind,
                found.hits.iter().map(|h| &h.rule).collect::<Vec<_>>()
            ));
        }
        let near = rules.scan(format!("value: {}\n", r.near_miss).as_bytes());
        if let Some(h) = near.hits.first() {
            failures.push(format!("{}: its near miss is found by {}", r.id, h.rule));
        }
        if r.kind != Kind::Publishable && r.dashboard.is_none() {
            failures.push(format!("{}: a secret rule must say where to revoke it", r.id));
        }
        if r.keywords.is_empty() {
            failures.push(format!("{}: no keywords, so it never runs", r.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn publishable_keys_are_recognised_as_fine() {
    let rules = bundled().unwrap_or_else(|e| panic!("{e}"));
    for id in ["stripe-publishable", "supabase-anon", "posthog-project"] {
        let r = rules.get(id).unwrap_or_else(|| panic!("no rule {id}"));
        assert_eq!(r.kind, Kind::Publishable, "{id}");
    }
}
