//! A DNSSEC-signed zone on the testbed: a key minted for the test (ECDSA P-256, algorithm 13, as
//! most DNS providers sign today), the DS the parent would publish, and an RRSIG over every record
//! set, with the validity window the test chooses, so a good chain and each way of breaking it
//! (a DS left for a key that is gone, signatures no longer renewed) are served for real.
//!
//! The records are signed here rather than by hickory's own zone signer because that one always
//! signs from "now": an expired signature has to be made on purpose. The testbed is authoritative
//! for one zone, so the DS (which a parent zone holds) is answered by the same server.

use crate::dns::DnsError;
use hickory_proto::dnssec::crypto::EcdsaSigningKey;
use hickory_proto::dnssec::rdata::{DNSSECRData, DNSKEY, DS, RRSIG};
use hickory_proto::dnssec::{Algorithm, DigestType, SigSigner, SigningKey, TBS};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_server::store::in_memory::InMemoryAuthority;
use std::sync::Arc;

/// How the zone is signed, and how its chain breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// A DS matching the zone's key, and current signatures.
    Good,
    /// The DS names a key the zone no longer publishes (rolled at the DNS provider, never at the
    /// registrar).
    StaleDs,
    /// Signatures that expired two days ago (the provider stopped re-signing).
    Expired,
}

fn key(alg: Algorithm) -> Result<EcdsaSigningKey, DnsError> {
    let pkcs8 = EcdsaSigningKey::generate_pkcs8(alg).map_err(|e| DnsError::Signing(e.to_string()))?;
    EcdsaSigningKey::from_pkcs8(&pkcs8, alg).map_err(|e| DnsError::Signing(e.to_string()))
}

/// Adds the DNSKEY and DS to `auth` and signs every record set of it (the DS excepted: the parent
/// signs that one), the way `how` says.
pub(crate) fn sign(auth: &mut InMemoryAuthority, origin: &Name, ttl: u32, how: Signing) -> Result<(), DnsError> {
    let failed = |e: &dyn std::fmt::Display| DnsError::Signing(e.to_string());
    let alg = Algorithm::ECDSAP256SHA256;
    let signing = key(alg)?;
    let public = signing.to_public_key().map_err(|e| failed(&e))?;
    let dnskey = DNSKEY::new(true, true, false, public.clone());
    let ds = match how {
        Signing::StaleDs => {
            let gone = key(alg)?.to_public_key().map_err(|e| failed(&e))?;
            DS::from_key(&gone, origin, DigestType::SHA256).map_err(|e| failed(&e))?
        }
        _ => DS::from_key(&public, origin, DigestType::SHA256).map_err(|e| failed(&e))?,
    };
    auth.upsert_mut(Record::from_rdata(origin.clone(), ttl, RData::DNSSEC(DNSSECRData::DNSKEY(dnskey.clone()))), 1);
    auth.upsert_mut(Record::from_rdata(origin.clone(), ttl, RData::DNSSEC(DNSSECRData::DS(ds))), 1);
    let signer = SigSigner::dnssec(dnskey, Box::new(signing), origin.clone(), std::time::Duration::from_secs(14 * 86_400));
    let tag = signer.calculate_key_tag().map_err(|e| failed(&e))?;
    let now = time::OffsetDateTime::now_utc();
    let (inception, expiration) = match how {
        Signing::Expired => (now - time::Duration::days(30), now - time::Duration::days(2)),
        _ => (now - time::Duration::hours(1), now + time::Duration::days(14)),
    };
    for set in auth.records_get_mut().values_mut() {
        if set.record_type() == RecordType::DS {
            continue;
        }
        let mut signed = (**set).clone();
        let tbs = TBS::from_rrset(&signed, DNSClass::IN, inception, expiration, &signer).map_err(|e| failed(&e))?;
        let sig = signer.sign(&tbs).map_err(|e| failed(&e))?;
        let rrsig = RRSIG::new(
            signed.record_type(),
            alg,
            signed.name().num_labels(),
            signed.ttl(),
            expiration.unix_timestamp() as u32,
            inception.unix_timestamp() as u32,
            tag,
            origin.clone(),
            sig,
        );
        signed.insert_rrsig(Record::from_rdata(signed.name().clone(), signed.ttl(), RData::DNSSEC(DNSSECRData::RRSIG(rrsig))));
        *set = Arc::new(signed);
    }
    Ok(())
}
