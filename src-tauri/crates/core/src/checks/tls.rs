//! `tls.handshake`, `tls.cert.trust`, `tls.cert.expiry`, `tls.cert.strength`: every name answers on
//! HTTPS with a certificate a browser accepts, that is not about to run out, and whose key and
//! signature are strong enough for today's browsers.
//!
//! Trust and expiry are separate findings because they have separate fixes: an expired certificate
//! means renewal broke, a wrong name means the host was set up for another address. The handshake is
//! an inspecting one (see `net::tls`), so a bad certificate is described rather than just refused.

use super::{could_not_check, no_such_name, per_host, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::cert::{date, CertSummary};
use crate::net::tls::{CertProblem, TlsInspection};
use crate::net::NetError;
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use std::time::SystemTime;

pub static HANDSHAKE: CheckDef = CheckDef {
    id: "tls.handshake",
    area: Area::Tls,
    stage: Stage::Routing,
    impact: Impact::Downtime,
    what: "a secure connection on port 443",
};
pub static TRUST: CheckDef = CheckDef {
    id: "tls.cert.trust",
    area: Area::Tls,
    stage: Stage::Routing,
    impact: Impact::Downtime,
    what: "whether browsers trust the certificate for this name",
};
pub static EXPIRY: CheckDef = CheckDef {
    id: "tls.cert.expiry",
    area: Area::Tls,
    stage: Stage::Routing,
    impact: Impact::Downtime,
    what: "the certificate's expiry date",
};

pub static STRENGTH: CheckDef = CheckDef {
    id: "tls.cert.strength",
    area: Area::Tls,
    stage: Stage::Routing,
    impact: Impact::Downtime,
    what: "the certificate's key size and signature algorithm",
};

pub const FAMILY: Family = Family { name: "tls", checks: &[&HANDSHAKE, &TRUST, &EXPIRY, &STRENGTH], plan };
/// Under this many days left, renewal has very likely failed (Let's Encrypt renews 30 days ahead).
pub const WARN_DAYS: i64 = 30;
/// Under this many days left, browsers will start warning within the week: a launch blocker.
pub const FAIL_DAYS: i64 = 7;
/// Certificates this short-lived or shorter are judged on their own lifetime (see [`thresholds`]).
pub const SHORT_LIVED_DAYS: i64 = 90;

/// When a certificate needs attention and when it is a problem, in seconds left. A certificate of
/// 90 days or less is renewed with about a third of its life left, so that is when a missing
/// renewal shows; the problem threshold scales with it (a 6-day certificate with 4 days left is
/// normal, not a launch blocker).
pub fn thresholds(leaf: &CertSummary) -> (i64, i64) {
    let day = 86_400;
    let lifetime = leaf.not_after - leaf.not_before;
    if lifetime > SHORT_LIVED_DAYS * day {
        return (WARN_DAYS * day, FAIL_DAYS * day);
    }
    (lifetime / 3, (FAIL_DAYS * day).min(lifetime / 6))
}

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    per_host(
        target,
        facts,
        &HANDSHAKE,
        |h| format!("Checking the certificate of {h}"),
        |facts, host| async move { check(&facts, &host).await },
    )
}

async fn check(facts: &Facts, host: &str) -> Vec<Finding> {
    match facts.tls(host).await {
        Ok(inspection) => judge(host, &inspection, SystemTime::now()),
        Err(e) => vec![handshake_failed(host, &e)],
    }
}

fn handshake_failed(host: &str, e: &NetError) -> Finding {
    if e.is_missing_name() {
        return no_such_name(&HANDSHAKE, host, host, &format!("HTTPS on {host}"));
    }
    if e.is_inconclusive() {
        return could_not_check(Finding::new(&HANDSHAKE, host, Status::Error), &format!("HTTPS on {host}"), e);
    }
    Finding::new(&HANDSHAKE, host, Status::Fail)
        .title(format!("https://{host} does not open: browsers cannot make a secure connection."))
        .why("Visitors get an error page instead of your product, and browsers increasingly try the secure address first.")
        .detail(e.to_string())
        .fix([
            format!("In your hosting provider's dashboard, add {host} as a custom domain and turn on HTTPS (most hosts issue a free certificate automatically)."),
            "If a CDN such as Cloudflare is in front, set its SSL mode to Full (strict) once the host has a certificate.".to_owned(),
            "Run this audit again to confirm.".to_owned(),
        ])
}

/// Turns an inspection into the trust and expiry findings (pure: tested without a network).
pub fn judge(host: &str, insp: &TlsInspection, now: SystemTime) -> Vec<Finding> {
    let Some(leaf) = insp.chain.first() else {
        return vec![Finding::new(&HANDSHAKE, host, Status::Error)
            .title(format!("Preflight could not read the certificate of {host}."))
            .detail("The server completed a handshake but sent no certificate Preflight could parse.")];
    };
    let evidence = json!({
        "issuer": leaf.issuer, "subject": leaf.subject, "names": leaf.names, "serial": leaf.serial,
        "not_before": date(leaf.not_before), "not_after": date(leaf.not_after), "days_left": leaf.days_left(now),
        "protocol": insp.protocol, "cipher": insp.cipher, "handshake_ms": insp.handshake_ms, "chain_length": insp.chain.len(),
    });
    let weak = weaknesses(&insp.chain);
    let trust = match insp.problem_ignoring_time.as_ref() {
        // A chain refused only because its cryptography is too weak is tls.cert.strength's finding.
        Some(CertProblem::UntrustedIssuer | CertProblem::Other { .. }) if !weak.is_empty() => Finding::new(&TRUST, host, Status::Skipped)
            .title(format!(
                "Whether browsers trust the certificate of {host} depends first on its weak cryptography: see tls.cert.strength."
            ))
            .detail(format!("Verification failed: {:?}.", insp.problem_ignoring_time)),
        problem => trust(host, leaf, &insp.chain, problem),
    };
    vec![
        trust.evidence(evidence.clone()),
        expiry(host, leaf, now).evidence(evidence.clone()),
        strength(host, leaf, &weak).evidence(evidence),
    ]
}

/// What is too weak in the certificates the server sent, leaf first; a root sent along (it signs
/// itself) is not checked, as browsers use their own copy.
pub fn weaknesses(chain: &[CertSummary]) -> Vec<String> {
    chain
        .iter()
        .enumerate()
        .filter(|(i, c)| *i == 0 || c.issuer != c.subject)
        .flat_map(|(i, c)| {
            c.weaknesses()
                .into_iter()
                .map(move |w| format!("{}: {w}", if i == 0 { "the certificate" } else { "the intermediate certificate" }))
        })
        .collect()
}

fn strength(host: &str, leaf: &CertSummary, weak: &[String]) -> Finding {
    if weak.is_empty() {
        return Finding::new(&STRENGTH, host, Status::Pass).title(format!(
            "The certificate of {host} uses strong cryptography ({} {}-bit key, {}).",
            leaf.key_kind, leaf.key_bits, leaf.signature
        ));
    }
    Finding::new(&STRENGTH, host, Status::Fail)
        .title(format!("Browsers refuse the certificate of {host}: {}.", weak[0].trim_start_matches("the certificate: ")))
        .why("Modern browsers and phones reject weak keys and SHA-1 signatures outright: visitors get an error page.")
        .detail(weak.join("\n"))
        .fix([
            "Reissue the certificate with a 2048-bit RSA or a 256-bit elliptic-curve (ECDSA) key, signed with SHA-256: every free certificate from your host, CDN or Let's Encrypt already is.".to_owned(),
            "If an old intermediate certificate is the weak one, download the current chain from your certificate authority and install it.".to_owned(),
            "Run this audit again to confirm.".to_owned(),
        ])
}

/// Why the chain does not lead to a trusted root, told apart because each has its own fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Untrusted {
    /// The certificate signed itself.
    SelfSigned,
    /// Only the leaf was sent, issued by someone else: the intermediate that links it to a root is
    /// missing (or the issuer is a private authority nobody else knows).
    IncompleteChain,
    /// The server sent a chain, but it ends at an authority browsers do not trust.
    PrivateAuthority,
}

/// Tells the causes apart from what the server sent.
pub fn untrusted_cause(chain: &[CertSummary]) -> Untrusted {
    match chain {
        [leaf] if leaf.issuer == leaf.subject => Untrusted::SelfSigned,
        [_] | [] => Untrusted::IncompleteChain,
        [leaf, ..] if leaf.issuer == leaf.subject => Untrusted::SelfSigned,
        _ => Untrusted::PrivateAuthority,
    }
}

fn untrusted(host: &str, leaf: &CertSummary, chain: &[CertSummary], base: Finding, warning: &str) -> Finding {
    let issuer = leaf.issuer_name();
    match untrusted_cause(chain) {
        Untrusted::SelfSigned => base
            .title(format!("{warning}: its certificate is self-signed, so no browser trusts it."))
            .detail(format!("The certificate for {host} was issued by itself ({}); nothing vouches for it.", leaf.subject))
            .fix([
                "Use the free certificate your host or CDN provides (Let's Encrypt or similar) instead of a self-made one: in most hosting dashboards, add the domain and turn on HTTPS.".to_owned(),
                "Run this audit again to confirm.".to_owned(),
            ]),
        Untrusted::IncompleteChain => base
            .title(format!("{warning}: the server sends its certificate without the intermediate certificate that links it to a trusted authority."))
            .detail(format!(
                "Only the certificate for {host} was sent, issued by {issuer} ({}). Browsers that have not already cached that intermediate refuse the connection; some phones and API clients always do. If {issuer} is a private authority of your own, the fix is a certificate from a public one instead.",
                leaf.issuer
            ))
            .fix([
                "Install the full chain, not just the certificate: the file is usually called fullchain.pem or ca-bundle (certificate first, then the intermediate).".to_owned(),
                "If your host or CDN manages the certificate, re-issue it there: they send the full chain.".to_owned(),
                "Run this audit again to confirm.".to_owned(),
            ]),
        Untrusted::PrivateAuthority => {
            let top = chain.last().map_or_else(|| leaf.issuer.clone(), |c| c.issuer.clone());
            base.title(format!("{warning}: its certificate comes from an authority browsers do not trust ({issuer})."))
                .detail(format!("The server sent a chain of {} certificates ending at {top}, which is not a trusted root.", chain.len()))
                .fix([
                    "Replace it with a certificate from a public authority: the free one your host or CDN provides (Let's Encrypt or similar) is enough.".to_owned(),
                    "Run this audit again to confirm.".to_owned(),
                ])
        }
    }
}

fn trust(host: &str, leaf: &CertSummary, chain: &[CertSummary], problem: Option<&CertProblem>) -> Finding {
    let base = |status| Finding::new(&TRUST, host, status);
    let warning = format!("Browsers show a full-page security warning on https://{host}");
    let warning = warning.as_str();
    let why = "Most visitors leave at a security warning, and the ones who stay learn to ignore it.";
    match problem {
        None => base(Status::Pass).title(format!("{host} has a valid certificate from {}.", leaf.issuer_name())).detail(format!(
            "The chain verifies against the trusted roots and covers {host} (names: {}).",
            leaf.names.join(", ")
        )),
        Some(CertProblem::WrongName) => base(Status::Fail)
            .title(format!("{warning}: its certificate is made out to another name."))
            .why(why)
            .detail(format!("The certificate covers {} but not {host}.", list_or_none(&leaf.names)))
            .fix([
                format!("In your hosting provider's dashboard, add {host} to the domains of this site so it issues a certificate that includes it."),
                format!("If {host} should not serve anything, remove its DNS record instead."),
            ]),
        Some(CertProblem::UntrustedIssuer) => untrusted(host, leaf, chain, base(Status::Fail).why(why), warning),
        Some(other) => base(Status::Fail)
            .title(format!("{warning}: its certificate is rejected."))
            .why(why)
            .detail(format!("Verification failed: {other:?}."))
            .fix(["Ask your hosting provider to reissue the certificate for this domain."]),
    }
}

fn expiry(host: &str, leaf: &CertSummary, now: SystemTime) -> Finding {
    let days = leaf.days_left(now);
    let until = date(leaf.not_after);
    let detail = format!("Valid from {} until {until} ({days} days left).", date(leaf.not_before));
    let base = |status| Finding::new(&EXPIRY, host, status).detail(detail.clone());
    let renew = [
        "Check that automatic renewal is on in your hosting provider's or CDN's dashboard (it usually is for free certificates)."
            .to_owned(),
        format!("If the certificate was installed by hand, renew it with its issuer ({}) and install the new one.", leaf.issuer_name()),
        "Run this audit again to see the new date.".to_owned(),
    ];
    let why = "When a certificate runs out, every visitor sees a security warning until it is renewed.";
    if leaf.not_before > now.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0) {
        return base(Status::Fail)
            .title(format!("The certificate of {host} is not valid yet (it starts on {}).", date(leaf.not_before)))
            .why(why)
            .fix(["Check the clock of the server that installed it, or reissue the certificate."]);
    }
    let left = leaf.not_after - now.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let (warn_at, fail_at) = thresholds(leaf);
    match days {
        d if d < 0 => {
            // Whole days since it ran out, counted from the expiry: 3 days and a few seconds is "3 days".
            let ago = match leaf.days_expired(now) {
                0 => "less than a day".to_owned(),
                n => days_phrase(n),
            };
            base(Status::Fail).title(format!("The certificate of {host} expired {ago} ago.")).why(why).fix(renew)
        }
        d if left < fail_at => {
            base(Status::Fail).title(format!("The certificate of {host} expires in {}.", left_phrase(d))).why(why).fix(renew)
        }
        d if left < warn_at => base(Status::Warn)
            .title(format!("The certificate of {host} expires in {} and has not been renewed yet.", left_phrase(d)))
            .why("Automatic renewal normally happens with a third of the certificate's life left (a month for the usual 90-day ones); this one may be stuck.")
            .fix(renew),
        d => base(Status::Pass).title(format!("The certificate of {host} is valid until {until} ({}).", days_phrase(d))),
    }
}

fn left_phrase(d: i64) -> String {
    if d == 0 {
        "less than a day".to_owned()
    } else {
        days_phrase(d)
    }
}

fn days_phrase(d: i64) -> String {
    if d == 1 {
        "1 day".to_owned()
    } else {
        format!("{d} days")
    }
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "no names".to_owned()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn inspection(not_after_days: i64, problem: Option<CertProblem>) -> (TlsInspection, SystemTime) {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let leaf = CertSummary {
            subject: "CN=acme.test".into(),
            issuer: "CN=Test CA".into(),
            names: vec!["acme.test".into()],
            not_before: 1_700_000_000,
            not_after: 1_800_000_000 + not_after_days * 86_400 + 60,
            serial: "01".into(),
            key_kind: "EC".into(),
            key_bits: 256,
            signature: "ecdsa-with-SHA256".into(),
        };
        (
            TlsInspection {
                problem: problem.clone(),
                problem_ignoring_time: problem,
                chain: vec![leaf],
                protocol: "TLSv1_3".into(),
                cipher: String::new(),
                alpn: None,
                handshake_ms: 1,
            },
            now,
        )
    }

    #[test]
    fn expiry_thresholds_follow_the_documented_days() {
        for (days, want) in [(90, Status::Pass), (WARN_DAYS - 1, Status::Warn), (FAIL_DAYS - 1, Status::Fail), (-3, Status::Fail)] {
            let (i, now) = inspection(days, None);
            let got = judge("acme.test", &i, now).into_iter().find(|f| f.id == EXPIRY.id).map(|f| f.status);
            assert_eq!(got, Some(want), "{days} days left");
        }
    }

    #[test]
    fn short_lived_certificates_are_judged_on_their_own_lifetime() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let hours = |h: i64| h * 3600;
        // A 6-day certificate: renewed with 2 days left, a problem under 1.
        let leaf = |left_secs: i64| CertSummary {
            subject: "CN=acme.test".into(),
            issuer: "CN=Test CA".into(),
            names: vec!["acme.test".into()],
            not_before: 1_800_000_000 + left_secs - 6 * 86_400,
            not_after: 1_800_000_000 + left_secs,
            serial: "01".into(),
            key_kind: "EC".into(),
            key_bits: 256,
            signature: "ecdsa-with-SHA256".into(),
        };
        let status = |left| expiry("acme.test", &leaf(left), now).status;
        assert_eq!(status(hours(96)), Status::Pass, "4 days left of 6 is normal for a short-lived certificate");
        assert_eq!(status(hours(36)), Status::Warn, "under a third of its life left, renewal should have happened");
        assert_eq!(status(hours(12)), Status::Fail);
        // A 90-day certificate keeps the month and the week.
        let ninety = CertSummary { not_before: 1_800_000_000 - 60 * 86_400, not_after: 1_800_000_000 + 30 * 86_400 - 60, ..leaf(0) };
        assert_eq!(thresholds(&ninety).0, (90 * 86_400 - 60) / 3);
    }

    #[test]
    fn an_expired_certificate_counts_whole_days_since_it_ran_out() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let leaf = |expired_secs_ago: i64| CertSummary {
            subject: "CN=acme.test".into(),
            issuer: "CN=Test CA".into(),
            names: vec!["acme.test".into()],
            not_before: 1_700_000_000,
            not_after: 1_800_000_000 - expired_secs_ago,
            serial: "01".into(),
            key_kind: "EC".into(),
            key_bits: 256,
            signature: "ecdsa-with-SHA256".into(),
        };
        let title = |secs| expiry("acme.test", &leaf(secs), now).title;
        assert!(
            title(3 * 86_400 + 5).contains("expired 3 days ago"),
            "a few seconds past 3 days is still 3 days: {}",
            title(3 * 86_400 + 5)
        );
        assert!(title(60).contains("expired less than a day ago"), "{}", title(60));
    }

    #[test]
    fn a_wrong_name_is_a_trust_failure_not_an_expiry_one() {
        let (i, now) = inspection(90, Some(CertProblem::WrongName));
        let f = judge("www.acme.test", &i, now);
        assert_eq!(f.iter().find(|f| f.id == TRUST.id).map(|f| f.status), Some(Status::Fail));
        assert_eq!(f.iter().find(|f| f.id == EXPIRY.id).map(|f| f.status), Some(Status::Pass));
    }
}
