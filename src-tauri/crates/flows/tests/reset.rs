//! The password reset against real servers on loopback: the product's reset form sends its mail
//! through an SMTP conversation to a receiving server, which delivers it into dovecot; the flow
//! reads it there over IMAPS (a certificate from a CA of the mail's own). The broken twins: a form
//! that sends nothing (while an old reset mail sits in the inbox, which must not count), a link to
//! another domain, and a mailbox password saved wrong (no verdict on the product).

mod common;

use common::MapKeys;
use preflight_core::net::Net;
use preflight_core::Domain;
use preflight_flows::config::{FlowConfig, ResetConfig, Template};
use preflight_flows::FlowStatus;
use preflight_testbed::apps::{sign_in, Behaviour, EMAIL};
use preflight_testbed::imap::ImapServer;
use preflight_testbed::reset::{reset, Mailer, ResetBehaviour};
use preflight_testbed::smtp::SmtpServer;
use preflight_testbed::{Answer, Product, Site, TestCa, Testbed};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

const D: &str = "reset.test";
const MAILBOX_PASSWORD: &str = "mailbox pass";

struct Bed {
    _bed: Testbed,
    _smtp: SmtpServer,
    imap: ImapServer,
    net: Net,
}

async fn bed(behaviour: ResetBehaviour) -> Bed {
    let mail_ca = TestCa::named("Mail Testbed CA").expect("ca");
    let imap =
        ImapServer::start(&mail_ca, &format!("imap.{D}"), &[(EMAIL, MAILBOX_PASSWORD)]).await.expect("dovecot (apt install dovecot-imapd)");
    let smtp = SmtpServer::receiving(&mail_ca, &["mx.testbed".to_owned()], imap.drop_box()).await.expect("smtp");
    let app = sign_in(Behaviour::Works).or(reset(Mailer { smtp: smtp.addr, domain: D.to_owned() }, behaviour));
    let mut product = Product::healthy(D, &[""]).site(Site::serving(&format!("app.{D}"), Answer::App(app)));
    product.zone = product.zone.addr("imap", IpAddr::V4(Ipv4Addr::LOCALHOST));
    let bed = Testbed::start(product).await.expect("testbed");
    let mut cfg = bed.net_config();
    cfg.extra_roots.push(mail_ca.der());
    let net = Net::new(cfg).await.expect("net");
    Bed { _bed: bed, _smtp: smtp, imap, net }
}

fn flow(imap: &ImapServer, within_secs: u32) -> FlowConfig {
    let r = ResetConfig {
        reset_url: url::Url::parse(&format!("https://app.{D}/reset")).expect("url"),
        email_key: "test-user".into(),
        imap_url: url::Url::parse(&imap.url()).expect("url"),
        imap_host: imap.host.clone(),
        imap_port: imap.addr.port(),
        mailbox_user_key: "mailbox-user".into(),
        mailbox_password_key: "mailbox-password".into(),
        within_secs,
    };
    FlowConfig { name: "Password reset".into(), template: Template::Reset(r) }
}

fn keys(mailbox_password: &str) -> MapKeys {
    MapKeys(HashMap::from([
        ("test-user".to_owned(), EMAIL.to_owned()),
        ("mailbox-user".to_owned(), EMAIL.to_owned()),
        ("mailbox-password".to_owned(), mailbox_password.to_owned()),
    ]))
}

fn domain() -> Domain {
    Domain::parse(D).expect("domain")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reset_mail_arrives_through_smtp_and_imap_and_its_link_opens() {
    let b = bed(ResetBehaviour::Works).await;
    let r = preflight_flows::run(&b.net, &domain(), &flow(&b.imap, 30), &keys(MAILBOX_PASSWORD)).await;
    assert_eq!(r.status, FlowStatus::Pass, "{r:#?}");
    let names: Vec<&str> = r.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Open the test mailbox", "Ask for a reset link", "The reset mail arrives", "Open the link in it"]);
    assert!(r.steps[2].says.contains("\"Reset your Acme password\""), "the subject is quoted: {}", r.steps[2].says);
    assert!(r.steps[2].says.contains("SPF none, DKIM none, DMARC none"), "the receiving server's verdicts: {}", r.steps[2].says);
    let shown = format!("{r:?}");
    assert!(!shown.contains("/reset/t") && !shown.contains(MAILBOX_PASSWORD), "no reset link, no password: {shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_that_never_comes_fails_in_its_time_and_an_old_one_does_not_count() {
    let b = bed(ResetBehaviour::NeverSends).await;
    let old = format!("From: no-reply@{D}\r\nTo: {EMAIL}\r\nSubject: Reset your Acme password\r\n\r\nhttps://app.{D}/reset/old\r\n");
    b.imap.deliver(EMAIL, old.as_bytes()).expect("an old reset mail");
    let started = std::time::Instant::now();
    let r = preflight_flows::run(&b.net, &domain(), &flow(&b.imap, 5), &keys(MAILBOX_PASSWORD)).await;
    assert_eq!(r.status, FlowStatus::Fail, "{r:#?}");
    assert_eq!(r.steps[2].status, FlowStatus::Fail);
    assert!(r.says.contains("step 3") && r.says.contains("spam"), "{}", r.says);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "it gives up at its time: {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_to_another_domain_fails_and_a_wrong_mailbox_password_is_no_verdict() {
    let b = bed(ResetBehaviour::LinkElsewhere).await;
    let r = preflight_flows::run(&b.net, &domain(), &flow(&b.imap, 30), &keys(MAILBOX_PASSWORD)).await;
    assert_eq!(r.status, FlowStatus::Fail, "{r:#?}");
    assert_eq!(r.steps[3].status, FlowStatus::Fail);
    assert!(r.steps[3].says.contains("links.mailer-platform.example"), "{}", r.steps[3].says);

    let wrong = preflight_flows::run(&b.net, &domain(), &flow(&b.imap, 30), &keys("not the password")).await;
    assert_eq!(wrong.status, FlowStatus::Error, "{wrong:#?}");
    assert_eq!(wrong.steps.len(), 1, "nothing is asked of the product before the mailbox opens");
    assert!(wrong.says.contains("refused the test mailbox's user and password"), "{}", wrong.says);
}
