//! A registry's RDAP server (RFC 9083) on the testbed: `GET /domain/NAME` answers a registration
//! with an expiry date and status codes the test chooses, in the shape registries publish.
//!
//! It runs as one more site of the product (`rdap.DOMAIN`), so the engine reaches it through the
//! same DNS, trust store and connect-to overrides as everything else; [`crate::Testbed::net_config`]
//! points the engine's RDAP questions at it when the product has it.

use crate::web::{Answer, Site};

/// The label of the registry's site in the product's zone.
pub const LABEL: &str = "rdap";

/// What the registry says about a domain.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Days from today to the expiry date (negative: already expired); `None` publishes none.
    pub days_left: Option<i64>,
    /// RDAP status codes (`client transfer prohibited`, `redemption period`…).
    pub statuses: Vec<String>,
}

impl Registration {
    /// A well-kept registration: a year left, locked against transfer and deletion.
    pub fn healthy() -> Registration {
        Registration::expiring(365, &["client transfer prohibited", "client delete prohibited"])
    }

    /// `days` left, with these statuses.
    pub fn expiring(days: i64, statuses: &[&str]) -> Registration {
        Registration { days_left: Some(days), statuses: statuses.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// The registry's JSON for `domain`.
    pub fn json(&self, domain: &str) -> String {
        let today = time::OffsetDateTime::now_utc();
        let mut events = vec![serde_json::json!({ "eventAction": "registration", "eventDate": "2021-03-01T10:00:00Z" })];
        if let Some(days) = self.days_left {
            let at = today + time::Duration::days(days);
            let date = format!("{:04}-{:02}-{:02}T04:00:00Z", at.year(), u8::from(at.month()), at.day());
            events.push(serde_json::json!({ "eventAction": "expiration", "eventDate": date }));
        }
        serde_json::json!({
            "objectClassName": "domain",
            "ldhName": domain.to_ascii_uppercase(),
            "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_1"],
            "status": self.statuses,
            "events": events,
            "entities": [{
                "objectClassName": "entity",
                "roles": ["registrar"],
                "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Testbed Registrar, Inc."]]]
            }]
        })
        .to_string()
    }
}

/// The registry's site for `domain`, answering `answer` at `/domain/DOMAIN` (a registration's
/// JSON, or anything hostile) and 404 for every other name, as a registry does.
pub fn site(domain: &str, answer: Answer) -> Site {
    let missing = Answer::page(&[("content-type", "application/rdap+json")], r#"{"errorCode":404,"title":"Not Found"}"#);
    let missing = match missing {
        Answer::Page { headers, body, .. } => Answer::Page { status: 404, headers, body },
        other => other,
    };
    Site::serving(
        &format!("{LABEL}.{domain}"),
        Answer::Paths { paths: vec![(format!("/domain/{domain}"), answer)], other: Box::new(missing) },
    )
}

/// The registry's site answering `registration` for `domain`.
pub fn serving(domain: &str, registration: &Registration) -> Site {
    site(domain, Answer::page(&[("content-type", "application/rdap+json")], &registration.json(domain)))
}
