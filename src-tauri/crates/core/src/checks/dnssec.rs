//! `dns.dnssec`: whether the domain is signed, and when it is, whether the chain holds.
//!
//! DNSSEC itself is the founder's choice (it protects against forged answers; a botched key
//! change takes the domain offline), so an unsigned domain passes. A signed one is checked the way
//! a validating resolver would: the DS the parent publishes must match one of the zone's DNSKEYs,
//! that key must sign the DNSKEY set, and the zone's own records (its SOA) must carry a signature
//! that verifies and is current. A DS whose key is gone, or signatures that expired, make the
//! whole domain unreachable for everyone behind a validating resolver (a third of the internet's
//! users): a fail. The zone's keys and SOA are asked with DO and CD set (see `net::dns_raw`), so a
//! validating resolver hands over the broken chain's data instead of SERVFAIL.

use super::{could_not_check, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::dns_raw;
use crate::runner::PlannedCheck;
use crate::target::Target;
use hickory_proto::dnssec::rdata::{DNSSECRData, DNSKEY, DS, RRSIG};
use hickory_proto::dnssec::Verifier;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use serde_json::json;

pub static DNSSEC: CheckDef = CheckDef {
    id: "dns.dnssec",
    area: Area::Dns,
    stage: Stage::Routing,
    impact: Impact::Downtime,
    what: "whether the domain is signed with DNSSEC, and whether the chain from its parent holds",
};

pub const FAMILY: Family = Family { name: "dnssec", checks: &[&DNSSEC], plan };

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, root) = (facts.clone(), target.domain.to_string());
    vec![PlannedCheck::new(&DNSSEC, &root.clone(), format!("Checking whether {root} is signed (DNSSEC)"), async move {
        vec![dnssec(&facts, &root).await]
    })]
}

async fn dnssec(facts: &Facts, root: &str) -> Finding {
    let base = Finding::new(&DNSSEC, root, Status::Pass);
    let what = format!("whether {root} is signed");
    // The DS comes from the parent, which validates even when the child's chain is broken, so the
    // resolver's cached answer serves (an unsigned domain costs no extra question, and a second
    // audit none at all).
    let ds_records = match facts.net().resolver().records(root, RecordType::DS).await {
        Ok(r) => r,
        Err(e) if e.is_missing_name() => Vec::new(),
        Err(e) => return could_not_check(base, &what, &e),
    };
    let ds: Vec<DS> = ds_records.iter().filter_map(|r| as_ds(r.data())).cloned().collect();
    if ds.is_empty() {
        // "No DS record" is a verdict only from a resolver that has proven it tells the truth: one
        // that says "no such name" to everything would make every domain "not signed".
        if let crate::net::health::Health::Broken { reason } = facts.dns_health().await {
            return base
                .status(Status::Error)
                .title(format!("Preflight could not check whether {root} is signed: this computer's DNS cannot be believed."))
                .why("Until this can be checked, Preflight cannot tell you whether it is ready.")
                .detail(format!("No DS record came back, but {reason}."))
                .fix(["Check that this computer is online and its DNS works (see the dns.resolver finding), then run the audit again."]);
        }
        return base.evidence(json!({ "signed": false, "ds_records": 0 })).title(format!("{root} is not signed with DNSSEC (common; optional).")).detail(format!(
            "No DS record for {root}. DNSSEC lets resolvers detect forged DNS answers; Cloudflare and most registrars turn it on with one switch, but a mistake later can take the domain offline, so turn it on only where your DNS provider manages the keys."
        ));
    }
    let (keys, soa) =
        match tokio::join!(dns_raw::ask(facts.net(), root, RecordType::DNSKEY), dns_raw::ask(facts.net(), root, RecordType::SOA)) {
            (Ok(k), Ok(s)) => (k, s),
            (Err(e), _) | (_, Err(e)) => return could_not_check(base, &what, &e),
        };
    let now = u32::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default())
        .unwrap_or(u32::MAX);
    let verdict = chain(root, &ds, &keys, &soa, now);
    let evidence = json!({
        "signed": true,
        "ds": ds.iter().map(|d| json!({ "key_tag": d.key_tag(), "algorithm": u8::from(d.algorithm()), "digest_type": u8::from(d.digest_type()) })).collect::<Vec<_>>(),
        "dnskeys": keys.iter().filter_map(|r| as_dnskey(r.data())).map(|k| json!({ "key_tag": k.calculate_key_tag().ok(), "flags": k.flags(), "algorithm": u8::from(k.algorithm()) })).collect::<Vec<_>>(),
        "verdict": match &verdict { Ok(_) => "valid".to_owned(), Err(b) => b.code().to_owned() },
    });
    let base = base.evidence(evidence);
    match verdict {
        Ok(until) => base
            .title(format!("{root} is signed with DNSSEC and the chain holds: resolvers that check can detect forged answers."))
            .detail(format!(
                "The DS at the parent matches the zone's key, which signs the zone's keys; the zone's records are signed until {}. Keep the keys' rollover automatic at your DNS provider: a broken chain takes the domain offline.",
                date(until)
            )),
        Err(Broken::Unsupported(alg)) => base
            .status(Status::Error)
            .title(format!("Preflight could not check {root}'s DNSSEC chain: it is signed with an algorithm Preflight cannot verify ({alg})."))
            .why("Until this can be checked, Preflight cannot tell you whether validating resolvers can reach your domain.")
            .detail("Supported: RSA/SHA-256 and SHA-512, ECDSA P-256 and P-384, Ed25519 (RFC 8624's recommended set).")
            .fix(["Ask your DNS provider which algorithm signs the zone; moving to ECDSA P-256 (algorithm 13) is what most providers use today."]),
        Err(broken) => base
            .status(Status::Fail)
            .title(format!("{root}'s DNSSEC is broken: {}, so visitors behind a validating resolver cannot reach the domain at all.", broken.words()))
            .why("Resolvers that check DNSSEC (Google's, Cloudflare's, most mobile networks') answer \"server failure\" for every name of the domain: site, API and email.")
            .detail(format!("{}. DS at the parent: {}.", broken.detail(), ds.iter().map(|d| format!("key tag {} (algorithm {})", d.key_tag(), u8::from(d.algorithm()))).collect::<Vec<_>>().join(", ")))
            .fix([
                "Sign in where your DNS is managed and open its DNSSEC page: if it shows a DS record to publish, compare it with the one at your registrar.".to_owned(),
                "At your registrar, replace the DS record with the one your DNS provider shows now, or remove it to turn DNSSEC off (removing is the quick way back online).".to_owned(),
                "If the signatures expired, your DNS provider stopped re-signing the zone: turn DNSSEC off and on again there, or ask their support.".to_owned(),
            ]),
    }
}

/// What breaks a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Broken {
    /// The parent has a DS, the zone publishes no DNSKEY.
    NoKeys,
    /// No DNSKEY matches any DS (a key rolled without updating the registrar).
    NoMatch,
    /// The key the DS names does not sign the DNSKEY set (no signature, or one that does not verify).
    KeysUnsigned,
    /// The zone's records carry no signature that verifies with its keys.
    RecordsUnsigned,
    /// The signatures that would verify are outside their validity window; the expiry, if passed.
    Expired {
        at: u32,
    },
    NotYetValid,
    /// A DS or key algorithm Preflight cannot check.
    Unsupported(String),
}

impl Broken {
    fn code(&self) -> &'static str {
        match self {
            Broken::NoKeys => "no_dnskey",
            Broken::NoMatch => "ds_matches_no_key",
            Broken::KeysUnsigned => "dnskey_unsigned",
            Broken::RecordsUnsigned => "records_unsigned",
            Broken::Expired { .. } => "signatures_expired",
            Broken::NotYetValid => "signatures_not_yet_valid",
            Broken::Unsupported(_) => "unsupported_algorithm",
        }
    }
    fn words(&self) -> String {
        match self {
            Broken::NoKeys => "your registrar publishes a DS record, but the zone has no DNSSEC key".into(),
            Broken::NoMatch => "the DS record at your registrar matches none of the zone's keys".into(),
            Broken::KeysUnsigned => "the key the registrar's DS names does not sign the zone's keys".into(),
            Broken::RecordsUnsigned => "the zone's records are not signed by its keys".into(),
            Broken::Expired { at } => format!("its signatures expired on {}", date(*at)),
            Broken::NotYetValid => "its signatures are not valid yet".into(),
            Broken::Unsupported(a) => format!("it uses {a}"),
        }
    }
    fn detail(&self) -> String {
        match self {
            Broken::NoKeys => "The DNSKEY query returned no key: the zone was moved to a provider that does not sign it, or DNSSEC was turned off there but not at the registrar".into(),
            Broken::NoMatch => "No DNSKEY hashes to any DS digest: the key was replaced at the DNS provider without updating the DS at the registrar".into(),
            Broken::KeysUnsigned => "No RRSIG over the DNSKEY set verifies with the key the DS names".into(),
            Broken::RecordsUnsigned => "No RRSIG over the zone's SOA verifies with any of its keys".into(),
            Broken::Expired { at } => format!("The newest signature that verifies expired on {}: the zone is no longer being re-signed", date(*at)),
            Broken::NotYetValid => "The signatures' inception is in the future (a clock problem at the DNS provider)".into(),
            Broken::Unsupported(a) => format!("Algorithm {a}"),
        }
    }
}

fn as_ds(d: &RData) -> Option<&DS> {
    match d {
        RData::DNSSEC(DNSSECRData::DS(ds)) => Some(ds),
        _ => None,
    }
}

fn as_dnskey(d: &RData) -> Option<&DNSKEY> {
    match d {
        RData::DNSSEC(DNSSECRData::DNSKEY(k)) => Some(k),
        _ => None,
    }
}

fn rrsigs(records: &[Record], covered: RecordType) -> Vec<&RRSIG> {
    records
        .iter()
        .filter_map(|r| match r.data() {
            RData::DNSSEC(DNSSECRData::RRSIG(sig)) if sig.type_covered() == covered => Some(sig),
            _ => None,
        })
        .collect()
}

/// The chain from the parent's DS to the zone's records, judged at `now` (seconds since 1970):
/// the expiry of the zone's signatures when it holds.
fn chain(root: &str, ds: &[DS], key_answer: &[Record], soa_answer: &[Record], now: u32) -> Result<u32, Broken> {
    let name = Name::from_ascii(format!("{}.", root.trim_end_matches('.'))).map_err(|_| Broken::NoKeys)?;
    let keys: Vec<&DNSKEY> = key_answer.iter().filter_map(|r| as_dnskey(r.data())).collect();
    if keys.is_empty() {
        return Err(Broken::NoKeys);
    }
    if let Some(d) = ds.iter().find(|d| !d.algorithm().is_supported()) {
        if !ds.iter().any(|d| d.algorithm().is_supported()) {
            return Err(Broken::Unsupported(format!("{:?}", d.algorithm())));
        }
    }
    let anchors: Vec<&DNSKEY> = keys.iter().copied().filter(|k| ds.iter().any(|d| d.covers(&name, k).unwrap_or(false))).collect();
    if anchors.is_empty() {
        return Err(Broken::NoMatch);
    }
    let key_set: Vec<&Record> = key_answer.iter().filter(|r| r.record_type() == RecordType::DNSKEY).collect();
    verified(&name, &rrsigs(key_answer, RecordType::DNSKEY), &anchors, &key_set, now, Broken::KeysUnsigned)?;
    let soa_set: Vec<&Record> = soa_answer.iter().filter(|r| r.record_type() == RecordType::SOA).collect();
    verified(&name, &rrsigs(soa_answer, RecordType::SOA), &keys, &soa_set, now, Broken::RecordsUnsigned)
}

/// The latest expiry among `sigs` that verify `set` with one of `keys` and are current at `now`;
/// otherwise why not: expired or not yet valid (when one verifies but is out of its window), else
/// `missing`.
fn verified(name: &Name, sigs: &[&RRSIG], keys: &[&DNSKEY], set: &[&Record], now: u32, missing: Broken) -> Result<u32, Broken> {
    let mut out_of_window: Option<Broken> = None;
    let mut best: Option<u32> = None;
    for sig in sigs {
        let Some(key) = keys.iter().find(|k| k.calculate_key_tag().ok() == Some(sig.key_tag()) && k.algorithm() == sig.algorithm()) else {
            continue;
        };
        if !key.algorithm().is_supported() {
            return Err(Broken::Unsupported(format!("{:?}", key.algorithm())));
        }
        if key.verify_rrsig(name, DNSClass::IN, sig, set.iter().copied()).is_err() {
            continue;
        }
        let (inception, expiration) = (sig.sig_inception().get(), sig.sig_expiration().get());
        if now > expiration {
            let later = match out_of_window {
                Some(Broken::Expired { at }) => at.max(expiration),
                _ => expiration,
            };
            out_of_window = Some(Broken::Expired { at: later });
        } else if now < inception {
            out_of_window.get_or_insert(Broken::NotYetValid);
        } else {
            best = Some(best.map_or(expiration, |b| b.max(expiration)));
        }
    }
    best.ok_or(out_of_window.unwrap_or(missing))
}

/// A signature time as a calendar date (UTC).
fn date(secs: u32) -> String {
    crate::net::cert::date(i64::from(secs))
}
