//! The email area against the testbed's DNS server: a well-set-up sending domain, and one with
//! every SPF, DKIM, DMARC and MX problem at once, each told apart in one run.

use preflight_core::{audit, Area, AuditOptions, Domain, Finding, Net, NetConfig, Report, Status, Target};
use preflight_testbed::{Product, Testbed, Zone};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const KEY_1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDMLrtU1aIeV1jtSb6OW5fqLwhOkyHE8noeEKRNChF5lXBr1RRjMYCz8UOKGpIJOiVDZSrAJAVNIEiqaz1yW/L3c3D/w+3l6u1SVAWZ8I0BH0am/i+E1InRZD9Lp1cL2iAXFWpEpe/4zgw6IGrsBX7dCBr/wAUlt3/RgQj7vGEksQIDAQAB";

async fn run_with(product: Product, selectors: &[&str], cfg: impl FnOnce(NetConfig) -> NetConfig) -> Report {
    let domain = product.domain.clone();
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(&domain).expect("valid"));
    target.mail.dkim_selectors = selectors.iter().map(|s| (*s).to_owned()).collect();
    let net = Net::new(cfg(bed.net_config())).await.expect("net");
    audit(&net, &target, AuditOptions { only: vec![Area::Email], ..AuditOptions::default() }).await
}

async fn run(zone: Zone, selectors: &[&str]) -> Report {
    let domain = zone.origin().to_owned();
    run_with(Product { zone, ..Product::healthy(&domain, &[""]) }, selectors, |c| c).await
}

fn find<'a>(r: &'a Report, id: &str) -> &'a Finding {
    r.findings.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no {id}: {:#?}", r.findings))
}

#[tokio::test]
async fn a_well_set_up_sending_domain_passes_every_email_check() {
    let r = run_with(Product::healthy("mail-ok.test", &[""]), &[], |c| c).await;
    for id in ["email.mx", "email.spf", "email.dkim", "email.dmarc"] {
        assert_eq!(find(&r, id).status, Status::Pass, "{id}: {:#?}", find(&r, id));
    }
    assert!(find(&r, "email.dkim").title.contains("rsa 2048 bits"), "{}", find(&r, "email.dkim").title);
    // Its mail servers are its own, not a known provider's: who sends is the founder's to confirm.
    assert_eq!(find(&r, "email.senders").status, Status::Manual);
    assert_eq!(find(&r, "email.mta_sts").status, Status::Pass, "no MTA-STS is information");
}

#[tokio::test]
async fn every_spf_problem_is_listed_in_one_run_and_the_culprit_named() {
    let d = "spf-bad.test";
    let a_terms: Vec<String> = (0..6).map(|i| format!("a:h{i}.{d}")).collect();
    let b_terms: Vec<String> = (0..5).map(|i| format!("a:h{i}.{d}")).collect();
    let zone = Zone::new(d)
        .mx("", 10, &format!("mx.{d}"))
        .addr("mx", LOCAL)
        .txt("", &[&format!("v=spf1 include:a.{d} include:b.{d} include:gone.{d} ip4:999.0.0.1 ?all")])
        .txt("a", &[&format!("v=spf1 {} -all", a_terms.join(" "))])
        .txt("b", &[&format!("v=spf1 {} -all", b_terms.join(" "))])
        .txt("_dmarc", &["v=DMARC1; p=reject; rua=mailto:d@spf-bad.test"]);
    let r = run(zone, &[]).await;
    let spf = find(&r, "email.spf");
    assert_eq!(spf.status, Status::Fail, "{spf:#?}");
    let detail = &spf.detail;
    // include:a (1) + a's six (7) + include:b (8) + b's h0, h1 (10): b's h2 is the 11th.
    assert!(detail.contains("14 DNS lookups"), "counted across the tree: {detail}");
    assert!(detail.contains("The 11th comes at include:b.spf-bad.test → a:h2.spf-bad.test (in b.spf-bad.test)"), "{detail}");
    assert!(detail.contains("\"ip4:999.0.0.1\""), "the bad term too: {detail}");
    assert!(detail.contains("gone.spf-bad.test does not exist"), "and the dead include: {detail}");
    assert!(detail.contains("?all"), "and the neutral ending: {detail}");
    assert!(detail.contains("include a.spf-bad.test (6 lookups)"), "the tree with a count per branch: {detail}");
    // A founder reads the title: it names the problems, not only how many there are.
    assert!(spf.title.contains("14 DNS lookups") && spf.title.contains("gone.spf-bad.test does not exist"), "{}", spf.title);
    assert!(spf.title.contains("more (see the details)"), "four problems: three named, the rest counted: {}", spf.title);
}

#[tokio::test]
async fn two_spf_records_an_include_loop_weak_dkim_and_monitoring_only_dmarc() {
    let d = "mail-mixed.test";
    let zone = Zone::new(d)
        .txt("", &[&format!("v=spf1 include:loop.{d} -all")])
        .txt("", &["v=spf1 -all"])
        .txt("loop", &[&format!("v=spf1 include:{d} -all")])
        .txt("pf2024._domainkey", &[&format!("v=DKIM1; k=rsa; t=y; p={KEY_1024}")])
        .txt("_dmarc", &["v=DMARC1; p=none"]);
    let r = run(zone, &["pf2024"]).await;
    let spf = find(&r, "email.spf");
    assert!(spf.detail.contains("has 2 SPF records"), "{}", spf.detail);
    assert!(spf.detail.contains("loops back"), "{}", spf.detail);
    let dkim = find(&r, "email.dkim");
    assert_eq!(dkim.status, Status::Warn, "{dkim:#?}");
    assert!(dkim.detail.contains("1024-bit RSA key") && dkim.detail.contains("t=y"), "{}", dkim.detail);
    let dmarc = find(&r, "email.dmarc");
    assert_eq!(dmarc.status, Status::Warn);
    assert!(dmarc.detail.contains("monitoring only") && dmarc.detail.contains("no rua="), "{}", dmarc.detail);
    assert_eq!(find(&r, "email.mx").status, Status::Warn, "no MX at all");
}

#[tokio::test]
async fn null_mx_passes_and_a_dead_mail_server_fails() {
    let zone = Zone::new("nullmx.test").mx("", 0, ".");
    assert_eq!(find(&run(zone, &[]).await, "email.mx").status, Status::Pass);
    let zone = Zone::new("deadmx.test").mx("", 10, "mx.deadmx.test");
    let mx = find(&run(zone, &[]).await, "email.mx").clone();
    assert_eq!(mx.status, Status::Fail);
    assert!(mx.title.contains("does not resolve"), "{}", mx.title);
}

#[tokio::test]
async fn a_subdomain_inherits_the_organizational_policy_and_says_so() {
    let d = "org.test";
    let zone =
        Zone::new(d).mx("", 10, "mx.org.test").addr("mx", LOCAL).txt("_dmarc", &["v=DMARC1; p=reject; sp=none; rua=mailto:d@org.test"]);
    let bed = Testbed::start(Product { zone, ..Product::healthy(d, &[""]) }).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(d).expect("valid"));
    target.mail.domain = format!("news.{d}");
    let net = Net::new(bed.net_config()).await.expect("net");
    let r = audit(&net, &target, AuditOptions { only: vec![Area::Email], ..AuditOptions::default() }).await;
    let dmarc = find(&r, "email.dmarc");
    assert_eq!(dmarc.subject, "news.org.test");
    assert!(dmarc.detail.contains("no record at _dmarc.news.org.test; the one at _dmarc.org.test applies"), "{}", dmarc.detail);
    assert_eq!(dmarc.status, Status::Warn, "sp=none applies to the subdomain: {dmarc:#?}");
}

#[tokio::test]
async fn a_dns_server_that_does_not_answer_is_couldnt_check_never_no_record() {
    let bed = Testbed::start_with_dns_delay(Product::healthy("slow-mail.test", &[""]), Duration::from_secs(5)).await.expect("testbed");
    let mut cfg = bed.net_config();
    cfg.timeouts.dns = Duration::from_millis(300);
    cfg.timeouts.check = Duration::from_secs(5);
    let net = Net::new(cfg).await.expect("net");
    let target = Target::bare(Domain::parse("slow-mail.test").expect("valid"));
    let r = audit(&net, &target, AuditOptions { only: vec![Area::Email], ..AuditOptions::default() }).await;
    for id in ["email.mx", "email.spf", "email.dmarc"] {
        assert_eq!(find(&r, id).status, Status::Error, "{id}: {:#?}", find(&r, id));
    }
    assert_eq!(r.summary.fail, 0);
}

#[tokio::test]
async fn an_mta_sts_policy_must_cover_every_mail_server() {
    let d = "sts.test";
    let policy = |mx: &str| {
        preflight_testbed::Answer::page(
            &[("content-type", "text/plain")],
            &format!("version: STSv1\nmode: enforce\nmx: {mx}\nmax_age: 604800\n"),
        )
    };
    let zone = || {
        Zone::new(d)
            .mx("", 10, "mx1.sts.test")
            .mx("", 20, "mx2.sts.test")
            .addr("mx1", LOCAL)
            .addr("mx2", LOCAL)
            .txt("_mta-sts", &["v=STSv1; id=20261124"])
            .txt("_smtp._tls", &["v=TLSRPTv1; rua=mailto:tls@sts.test"])
    };
    let site = |mx: &str| preflight_testbed::Site {
        https: preflight_testbed::Answer::secure("").with_path("/.well-known/mta-sts.txt", policy(mx)),
        ..preflight_testbed::Site::healthy("mta-sts.sts.test")
    };
    let product = |mx: &str| Product { zone: zone(), ..Product::healthy(d, &[""]) }.site(site(mx));
    let r = run_with(product("*.sts.test"), &[], |c| c).await;
    assert_eq!(find(&r, "email.mta_sts").status, Status::Pass, "{:#?}", find(&r, "email.mta_sts"));
    let r = run_with(product("mx1.sts.test"), &[], |c| c).await;
    let f = find(&r, "email.mta_sts");
    assert_eq!(f.status, Status::Fail, "{f:#?}");
    assert!(f.detail.contains("mx2.sts.test match no mx: line"), "{}", f.detail);
}

#[tokio::test]
async fn mail_servers_are_asked_to_encrypt_and_a_blocked_port_25_is_not_a_verdict() {
    let r = run_with(Product::healthy("smtp-ok.test", &[""]), &[], |c| c).await;
    let ok = find(&r, "email.starttls");
    assert_eq!(ok.status, Status::Pass, "{ok:#?}");
    assert!(ok.detail.contains("mx.smtp-ok.test: STARTTLS"), "{}", ok.detail);

    let plain = Product {
        serving: preflight_testbed::Serving { starttls: false, ..Product::healthy("smtp-plain.test", &[""]).serving },
        ..Product::healthy("smtp-plain.test", &[""])
    };
    let f = find(&run_with(plain, &[], |c| c).await, "email.starttls").clone();
    assert_eq!(f.status, Status::Fail, "{f:#?}");
    assert!(f.title.contains("does not offer STARTTLS"), "{}", f.title);

    // Port 25 goes to a server that accepts and never greets: what a network that blocks it looks like.
    let silent = preflight_testbed::HostileServer::start(preflight_testbed::Misbehaviour::Silent).await.expect("silent server");
    let r = run_with(Product::healthy("smtp-blocked.test", &[""]), &[], |mut c| {
        c.connect_to
            .insert(0, preflight_core::net::ConnectTo { host: None, port: Some(25), to_host: None, to_port: Some(silent.addr.port()) });
        c.timeouts.tls = Duration::from_millis(500);
        c
    })
    .await;
    let blocked = find(&r, "email.starttls");
    assert_eq!(blocked.status, Status::Error, "{blocked:#?}");
    assert!(blocked.title.contains("probably blocks it"), "{}", blocked.title);
}

#[tokio::test]
async fn a_record_split_into_many_strings_and_a_50_kb_answer_are_read_within_bounds() {
    // SPF split the way DNS consoles split long records: joined without spaces, as receivers do.
    let d = "split.test";
    let filler = format!("ip4:192.0.2.{} ", 1);
    let big: Vec<String> =
        std::iter::once("v=spf1 ".to_owned()).chain((0..200).map(|_| filler.repeat(16).chars().take(250).collect())).collect();
    let big_refs: Vec<&str> = big.iter().map(String::as_str).collect();
    let zone = Zone::new(d)
        .mx("", 10, "mx.split.test")
        .addr("mx", LOCAL)
        .txt("", &["v=spf1 ip4:192.0.2.1", " mx", " -all"])
        .txt("huge", &big_refs);
    let r = run(zone, &[]).await;
    let spf = find(&r, "email.spf");
    assert_eq!(spf.status, Status::Pass, "the three strings make one valid record: {spf:#?}");
    // The 50 KB record comes back whole over TCP (EDNS UDP tops out at 1232 bytes) and is judged.
    let bed = Testbed::start(Product { zone: Zone::new("huge.test").txt("", &big_refs), ..Product::healthy("huge.test", &[""]) })
        .await
        .expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");
    let target = Target::bare(Domain::parse("huge.test").expect("valid"));
    let r = audit(&net, &target, AuditOptions { only: vec![Area::Email], ..AuditOptions::default() }).await;
    let spf = find(&r, "email.spf");
    assert_eq!(spf.status, Status::Warn, "too long, and no all at the end: {}", spf.title);
    assert!(spf.detail.contains("44807 bytes, over 512"), "{}", spf.title);
    assert!(spf.detail.len() < 4096, "the finding stays small: {} bytes", spf.detail.len());
}

#[tokio::test]
async fn servfail_is_couldnt_check_and_a_cname_at_dmarc_is_followed() {
    let failing = preflight_testbed::DnsServer::start_failing().await.expect("dns");
    let r = run_with(Product::healthy("servfail.test", &[""]), &[], |mut c| {
        c.nameservers = vec![failing.addr];
        c
    })
    .await;
    for id in ["email.mx", "email.spf", "email.dmarc"] {
        assert_eq!(find(&r, id).status, Status::Error, "SERVFAIL is not \"no record\" ({id}): {:#?}", find(&r, id));
    }
    let d = "alias-dmarc.test";
    let zone = Zone::new(d)
        .mx("", 10, "mx.alias-dmarc.test")
        .addr("mx", LOCAL)
        .cname("_dmarc", "policy.alias-dmarc.test")
        .txt("policy", &["v=DMARC1; p=reject; rua=mailto:d@alias-dmarc.test"]);
    let dmarc = find(&run(zone, &[]).await, "email.dmarc").clone();
    assert_eq!(dmarc.status, Status::Pass, "a CNAME at _dmarc is followed, as receivers do: {dmarc:#?}");
}
