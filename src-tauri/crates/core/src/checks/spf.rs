//! `email.spf`: the sending domain's SPF record, evaluated as a receiver would, every problem at once.
//!
//! The record and every `include`/`redirect` it reaches are fetched level by level, each level's
//! lookups in flight together, into a tree that keeps, per record, its DNS-querying terms (the ones
//! RFC 7208 §4.6.4 counts against the limit of 10) and its problems. Then the tree is walked in the
//! order a receiver evaluates it, to say which term pushed the count over 10. Evaluation goes on
//! after a permanent error (checkdmarc stops at the first), so one audit lists them all: several
//! records, unreadable terms, loops, includes without SPF (void lookups, limit 2), `+all`, `?all`,
//! no `all`, `ptr`, records over 512 bytes. A timeout is "couldn't check", never "no SPF".

use super::{could_not_check, Family, Problems};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::mail::providers;
use crate::mail::spf::{self, Mechanism, Qualifier, Term};
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::NetError;
use crate::runner::PlannedCheck;
use crate::target::Target;
use futures::future::BoxFuture;
use serde::Serialize;
use serde_json::json;

pub static SPF: CheckDef = CheckDef {
    id: "email.spf",
    area: Area::Email,
    stage: Stage::Edge,
    impact: Impact::Deliverability,
    what: "the SPF record and everything it includes",
};

pub const FAMILY: Family = Family { name: "spf", checks: &[&SPF], plan };

/// Receivers give up after this many DNS-querying terms (RFC 7208 §4.6.4).
pub const MAX_LOOKUPS: u32 = 10;
/// …and after this many of them come back empty.
pub const MAX_VOID: u32 = 2;
/// A record longer than this may not fit a plain DNS answer.
pub const MAX_BYTES: usize = 512;
/// The most of a record's text kept for the finding.
const MAX_SHOWN: usize = 1024;
/// Includes deeper than this are not followed (a loop that changes names every level).
const MAX_DEPTH: usize = 10;

/// One record in the include tree.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Node {
    pub domain: String,
    /// How it was reached: `record`, `include` or `redirect`.
    pub via: String,
    pub record: Option<String>,
    /// The terms in evaluation order; those that query DNS are marked, includes point at a child.
    pub steps: Vec<Step>,
    pub children: Vec<Node>,
    /// This record's DNS-querying terms plus all of its children's.
    pub lookups: u32,
    pub problems: Vec<String>,
    /// The lookup found no SPF record or no name (a void lookup).
    pub void: bool,
    /// The lookup could not be made (timeout): nothing below it is known.
    pub unknown: Option<String>,
    /// The record's `all` qualifier and whether it redirects (read from the whole record).
    pub all: Option<Qualifier>,
    pub redirects: bool,
}

/// One term as evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub text: String,
    pub queries_dns: bool,
    /// Index into `children` for an include or redirect that was followed.
    pub child: Option<usize>,
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, domain) = (facts.clone(), target.mail.domain.clone());
    let label = format!("Evaluating the SPF record of {domain}");
    vec![PlannedCheck::new(&SPF, &domain.clone(), label, async move { vec![check(&facts, &domain).await] })]
}

async fn check(facts: &Facts, domain: &str) -> Finding {
    let (tree, mx) =
        tokio::join!(evaluate(facts.clone(), domain.to_owned(), "record".into(), Vec::new()), facts.net().resolver().mx(domain));
    // The providers the MX points at say which includes a new record needs.
    let hosts: Vec<String> = mx.unwrap_or_default().into_iter().map(|m| m.exchange).collect();
    let includes: Vec<String> = providers::recognise(&hosts, &[]).iter().filter_map(|p| p.spf.first().cloned()).collect();
    if let Some(reason) = &tree.unknown {
        let err = NetError::DnsFailed { name: domain.to_owned(), reason: reason.clone() };
        return could_not_check(Finding::new(&SPF, domain, Status::Error), &format!("the SPF record of {domain}"), &err);
    }
    judge(domain, &tree, &includes)
}

/// Fetches and reads `domain`'s SPF record, then its includes and redirect, all at once.
fn evaluate(facts: Facts, domain: String, via: String, path: Vec<String>) -> BoxFuture<'static, Node> {
    Box::pin(async move {
        let mut node = Node { domain: domain.clone(), via, ..Node::default() };
        let txts = match facts.txt(&domain).await {
            Ok(t) => t,
            Err(e) if e.is_missing_name() => {
                node.void = true;
                node.problems.push(format!("{domain} does not exist"));
                return node;
            }
            Err(e) => {
                node.unknown = Some(e.to_string());
                return node;
            }
        };
        let records: Vec<&String> = txts.iter().filter(|t| spf::is_spf(t)).collect();
        let Some(text) = records.first() else {
            node.void = true;
            node.problems.push(format!("{domain} has no SPF record"));
            return node;
        };
        if records.len() > 1 {
            node.problems.push(format!(
                "{domain} has {} SPF records; receivers treat that as an error (permerror): merge them into one",
                records.len()
            ));
        }
        if text.len() > MAX_BYTES {
            node.problems.push(format!("the record of {domain} is {} bytes, over {MAX_BYTES}: some receivers cannot fetch it", text.len()));
        }
        // Kept for the evidence and the tree, bounded: a hostile 60 KB record must not become a
        // 60 KB finding (the size problem itself is said above).
        node.record = Some(if text.len() > MAX_SHOWN {
            format!("{}… ({} bytes in all)", text.chars().take(MAX_SHOWN).collect::<String>(), text.len())
        } else {
            (*text).clone()
        });
        let parsed = spf::parse(text);
        node.all = parsed.all();
        node.redirects = parsed.redirect().is_some();
        for bad in &parsed.invalid {
            node.problems.push(format!("\"{bad}\" in the record of {domain} is not valid SPF (permerror)"));
        }
        let mut follow: Vec<(usize, String, &'static str)> = Vec::new();
        for t in &parsed.terms {
            match t {
                Term::Directive { mechanism, qualifier, text } => {
                    let mut step = Step { text: text.clone(), queries_dns: mechanism.queries_dns(), child: None };
                    match mechanism {
                        Mechanism::Include { domain: d } if spf::has_macro(d) => {
                            node.problems
                                .push(format!("include:{d} uses macros, so it names a different domain per message and was not followed"));
                        }
                        Mechanism::Include { domain: d } if path.contains(d) || *d == domain => {
                            node.problems.push(format!("include:{d} loops back to a record already being evaluated (permerror)"));
                        }
                        Mechanism::Include { domain: d } => {
                            step.child = Some(follow.len());
                            follow.push((node.steps.len(), d.clone(), "include"));
                        }
                        Mechanism::Ptr { .. } => node
                            .problems
                            .push(format!("{text} in the record of {domain}: ptr is deprecated (slow, and many receivers ignore it)")),
                        Mechanism::All if *qualifier == Qualifier::Pass => {
                            node.problems.push(format!("{text} in the record of {domain} lets any server in the world send as you"))
                        }
                        _ => {}
                    }
                    node.steps.push(step);
                }
                Term::Redirect { domain: d } if parsed.all().is_none() => {
                    let mut step = Step { text: format!("redirect={d}"), queries_dns: true, child: None };
                    if path.contains(d) || *d == domain {
                        node.problems.push(format!("redirect={d} loops back (permerror)"));
                    } else if !spf::has_macro(d) {
                        step.child = Some(follow.len());
                        follow.push((node.steps.len(), d.clone(), "redirect"));
                    }
                    node.steps.push(step);
                }
                _ => {}
            }
        }
        let own = node.steps.iter().filter(|s| s.queries_dns).count() as u32;
        if path.len() >= MAX_DEPTH {
            node.problems.push(format!("includes nest deeper than {MAX_DEPTH} levels below {domain}; not followed further"));
            follow.clear();
            node.steps.iter_mut().for_each(|s| s.child = None);
        }
        let mut next_path = path.clone();
        next_path.push(domain.clone());
        let children = futures::future::join_all(
            follow.iter().map(|(_, d, via)| evaluate(facts.clone(), d.clone(), (*via).to_owned(), next_path.clone())),
        )
        .await;
        node.lookups = own + children.iter().map(|c| c.lookups).sum::<u32>();
        node.children = children;
        node
    })
}

/// Walks the tree in evaluation order and returns the term at which the count passed the limit,
/// with the chain of includes that led to it.
pub fn over_limit(node: &Node) -> Option<String> {
    fn walk(node: &Node, count: &mut u32, trail: &mut Vec<String>) -> Option<String> {
        for step in &node.steps {
            if step.queries_dns {
                *count += 1;
                if *count > MAX_LOOKUPS {
                    let mut at = trail.clone();
                    at.push(format!("{} (in {})", step.text, node.domain));
                    return Some(at.join(" → "));
                }
            }
            if let Some(child) = step.child.and_then(|i| node.children.get(i)) {
                trail.push(step.text.clone());
                if let Some(found) = walk(child, count, trail) {
                    return Some(found);
                }
                trail.pop();
            }
        }
        None
    }
    walk(node, &mut 0, &mut Vec::new())
}

fn problems(node: &Node, out: &mut Vec<String>, void: &mut u32) {
    if node.void && node.via != "record" {
        *void += 1;
    }
    out.extend(node.problems.iter().filter(|p| !(node.via == "record" && node.void && p.contains("has no SPF record"))).cloned());
    if let Some(reason) = &node.unknown {
        out.push(format!("{} could not be looked up ({reason}), so what it includes is unknown", node.domain));
    }
    for c in &node.children {
        problems(c, out, void);
    }
}

/// The include tree as indented lines with the lookups each branch costs.
pub fn describe(node: &Node, depth: usize, out: &mut Vec<String>) {
    let state = if node.void { " — no SPF record".to_owned() } else { String::new() };
    out.push(format!(
        "{}{} {} ({} lookup{}){state}",
        "  ".repeat(depth),
        node.via,
        node.domain,
        node.lookups,
        if node.lookups == 1 { "" } else { "s" }
    ));
    for c in &node.children {
        describe(c, depth + 1, out);
    }
}

/// The verdict on an evaluated tree (pure); `includes` are the SPF includes of the providers the
/// domain's MX points at, for the record a domain without SPF should start from.
pub fn judge(domain: &str, tree: &Node, includes: &[String]) -> Finding {
    let mut tree_lines = Vec::new();
    describe(tree, 0, &mut tree_lines);
    let mut evidence = json!({ "tree": tree, "lookups": tree.lookups, "limit": MAX_LOOKUPS });
    if tree.record.is_none() {
        // A record to start from, when the MX says which provider sends the domain's mail.
        if !includes.is_empty() {
            let value = format!("v=spf1 {} ~all", includes.iter().map(|i| format!("include:{i}")).collect::<Vec<_>>().join(" "));
            evidence["suggested"] = json!({ "type": "TXT", "name": domain, "value": value });
        }
        return Finding::new(&SPF, domain, Status::Fail)
            .title(format!("{domain} has no SPF record, so receivers cannot tell your mail from a forger's."))
            .why("Gmail and Outlook send unauthenticated mail to spam or refuse it: password resets and sign-up confirmations never arrive.")
            .detail(format!("No TXT record starting with v=spf1 at {domain}."))
            .evidence(evidence)
            .fix([
                format!("Add a TXT record at {domain}: v=spf1 include:<your email provider's SPF domain> ~all (Google Workspace: include:_spf.google.com; Microsoft 365: include:spf.protection.outlook.com)."),
                "Add one include per service that sends as you (your app's mail API too), then run this audit again.".to_owned(),
            ]);
    }
    let mut list = Vec::new();
    let mut void = 0;
    problems(tree, &mut list, &mut void);
    let mut issues = Problems::default();
    if tree.lookups > MAX_LOOKUPS {
        let culprit = over_limit(tree).unwrap_or_default();
        issues.fail.push(format!("{} DNS lookups, over the limit of {MAX_LOOKUPS}: receivers stop and treat the record as broken (permerror). The 11th comes at {culprit}.", tree.lookups));
    }
    if void > MAX_VOID {
        issues.fail.push(format!("{void} includes lead nowhere (void lookups), over the limit of {MAX_VOID}"));
    }
    for p in &list {
        if p.contains("permerror")
            || p.contains("any server in the world")
            || p.contains("does not exist")
            || p.contains("has no SPF record")
            || p.contains("could not be looked up")
        {
            issues.fail.push(p.clone());
        } else {
            issues.warn.push(p.clone());
        }
    }
    match (tree.all, tree.redirects) {
        (Some(Qualifier::Neutral), _) => {
            issues.warn.push("?all says \"no opinion\" about everyone else: forgers' mail is not marked".into())
        }
        (None, false) => {
            issues.warn.push("the record has no all at the end, so mail from anyone else gets \"no opinion\" (neutral)".into())
        }
        _ => {}
    }
    let status = issues.status();
    let detail = format!(
        "{}\n\nInclude tree (DNS lookups per branch, limit {MAX_LOOKUPS} in all):\n{}",
        tree.record.as_deref().unwrap_or_default(),
        tree_lines.join("\n")
    );
    let base = Finding::new(&SPF, domain, status).evidence(evidence);
    if status == Status::Pass {
        return base
            .title(format!(
                "{domain}'s SPF record is valid: {} of {MAX_LOOKUPS} DNS lookups, and it ends with a clear rule for everyone else.",
                tree.lookups
            ))
            .detail(detail);
    }
    let (first, listing) = issues.headline_and_detail(&detail);
    base.title(format!("{domain}'s SPF record has {} problem{}: {first}", issues.all().len(), if issues.all().len() == 1 { "" } else { "s" }))
        .why("Receivers that find a broken or permissive SPF record treat your mail as unauthenticated: it lands in spam, or forgers' mail gets through as yours.")
        .detail(listing)
        .fix(fixes(domain, &issues.all()))
}

fn fixes(domain: &str, problems: &[String]) -> Vec<String> {
    let mut steps = Vec::new();
    let has = |s: &str| problems.iter().any(|p| p.contains(s));
    if has("SPF records;") {
        steps.push(format!(
            "Keep a single TXT record starting with v=spf1 at {domain}: merge the others' includes into it and delete them."
        ));
    }
    if has("over the limit of 10") {
        steps.push("Remove includes for services that no longer send for you, replace includes by the ip4:/ip6: ranges they stand for where the provider allows, or send from a subdomain with its own SPF.".into());
    }
    if has("is not valid SPF") {
        steps.push("Correct the terms listed as not valid SPF (a typo, an empty include:, a prefix over /32).".into());
    }
    if has("loops") || has("lead nowhere") || has("has no SPF record") || has("does not exist") {
        steps.push("Remove includes that point at a domain without an SPF record (a provider you left, or a typo) or that point back to your own record.".into());
    }
    if has("any server in the world") || has("?all") || has("no all at the end") {
        steps.push("End the record with ~all (or -all once DMARC reports show all your senders pass).".into());
    }
    if has("ptr is deprecated") {
        steps.push("Replace ptr with the ip4:/ip6: ranges or a: names of your servers.".into());
    }
    steps.push("Update the TXT record where your domain's DNS is managed, then run this audit again.".into());
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(domain: &str, via: &str, lookups: u32) -> Node {
        let steps = (0..lookups).map(|i| Step { text: format!("a:h{i}.{domain}"), queries_dns: true, child: None }).collect();
        Node {
            domain: domain.into(),
            via: via.into(),
            record: Some("v=spf1 -all".into()),
            steps,
            lookups,
            all: Some(Qualifier::Fail),
            ..Node::default()
        }
    }

    #[test]
    fn the_term_that_passes_the_limit_is_named_with_its_include_chain() {
        let mut root = leaf("acme.test", "record", 0);
        root.record = Some("v=spf1 include:a.test include:b.test -all".into());
        root.children = vec![leaf("a.test", "include", 6), leaf("b.test", "include", 5)];
        root.steps = vec![
            Step { text: "include:a.test".into(), queries_dns: true, child: Some(0) },
            Step { text: "include:b.test".into(), queries_dns: true, child: Some(1) },
        ];
        root.lookups = 13;
        assert_eq!(over_limit(&root).as_deref(), Some("include:b.test → a:h2.b.test (in b.test)"));
        let f = judge("acme.test", &root, &[]);
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("The 11th comes at include:b.test → a:h2.b.test"), "{}", f.detail);
    }

    #[test]
    fn qualifiers_and_missing_records_are_judged() {
        let mut ok = leaf("acme.test", "record", 1);
        ok.record = Some("v=spf1 include:_spf.acme.test ~all".into());
        assert_eq!(judge("acme.test", &ok, &[]).status, Status::Pass);
        let mut neutral = ok.clone();
        neutral.record = Some("v=spf1 a ?all".into());
        neutral.all = Some(Qualifier::Neutral);
        assert_eq!(judge("acme.test", &neutral, &[]).status, Status::Warn);
        let none = Node { domain: "acme.test".into(), via: "record".into(), void: true, ..Node::default() };
        assert_eq!(judge("acme.test", &none, &[]).status, Status::Fail);
    }
}
