//! A test certificate authority minted per testbed with rcgen: nothing on disk, nothing shared
//! between runs, and every flavour of broken certificate a real site can have.

use rcgen::{BasicConstraints, Certificate, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

/// How a leaf certificate should be (mis)issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertKind {
    /// Valid for the site's name, 90 days like Let's Encrypt.
    Valid,
    /// Valid for the name, but runs out in this many days (negative: already expired).
    ExpiresIn(i64),
    /// Valid dates, but issued for other names.
    WrongName(Vec<String>),
    /// Signed by itself.
    SelfSigned,
    /// Issued by an intermediate of the test CA, served without that intermediate.
    MissingIntermediate,
    /// Issued by a private CA nobody trusts, served with its full chain.
    PrivateCa,
}

/// A leaf certificate chain and its key, ready for rustls.
#[derive(Debug)]
pub struct Issued {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

/// The name the testbed's CA goes by unless a test chooses another.
pub const DEFAULT_NAME: &str = "Preflight Testbed CA";

/// The testbed's certificate authority.
pub struct TestCa {
    cert: Certificate,
    key: KeyPair,
}

/// Why minting failed (only with impossible parameters; surfaced rather than unwrapped).
#[derive(Debug, thiserror::Error)]
#[error("could not mint a test certificate: {0}")]
pub struct PkiError(#[from] rcgen::Error);

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

fn ca_params(name: &str) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.distinguished_name.push(DnType::OrganizationName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(400);
    params.not_after = now + Duration::days(3650);
    Ok(params)
}

impl TestCa {
    pub fn new() -> Result<TestCa, PkiError> {
        TestCa::named(DEFAULT_NAME)
    }

    /// A CA whose certificates name `name` as their issuer (a test of CAA matching mints one that
    /// calls itself after a public authority; it is trusted only by the test's own client).
    pub fn named(name: &str) -> Result<TestCa, PkiError> {
        let key = KeyPair::generate()?;
        let cert = ca_params(name)?.self_signed(&key)?;
        Ok(TestCa { cert, key })
    }

    /// The CA certificate in PEM, for `--ca-file`.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// The CA certificate in DER, for `NetConfig::extra_roots`.
    pub fn der(&self) -> Vec<u8> {
        self.cert.der().to_vec()
    }

    /// Issues a certificate for `name` as `kind` says.
    pub fn issue(&self, name: &str, kind: &CertKind) -> Result<Issued, PkiError> {
        let names = match kind {
            CertKind::WrongName(others) => others.clone(),
            _ => vec![name.to_owned()],
        };
        let mut params = CertificateParams::new(names.clone())?;
        params.distinguished_name.push(DnType::CommonName, names.first().cloned().unwrap_or_default());
        let now = OffsetDateTime::now_utc();
        let (not_before, not_after) = match kind {
            CertKind::ExpiresIn(days) => (now + Duration::days(days - 90), now + Duration::days(*days)),
            _ => (now - Duration::days(30), now + Duration::days(60)),
        };
        params.not_before = not_before;
        params.not_after = not_after;
        let key = KeyPair::generate()?;
        let chain = match kind {
            CertKind::SelfSigned => vec![params.self_signed(&key)?.der().clone()],
            CertKind::MissingIntermediate => {
                let ikey = KeyPair::generate()?;
                let intermediate = ca_params("Preflight Testbed Intermediate")?.signed_by(&ikey, &self.cert, &self.key)?;
                vec![params.signed_by(&key, &intermediate, &ikey)?.der().clone()]
            }
            CertKind::PrivateCa => {
                let pkey = KeyPair::generate()?;
                let private = ca_params("Private Office CA")?.self_signed(&pkey)?;
                vec![params.signed_by(&key, &private, &pkey)?.der().clone(), private.der().clone()]
            }
            _ => vec![params.signed_by(&key, &self.cert, &self.key)?.der().clone(), self.cert.der().clone()],
        };
        Ok(Issued { chain, key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())) })
    }
}
