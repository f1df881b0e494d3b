//! `web.security_txt`: `/.well-known/security.txt` (RFC 9116) tells someone who finds a hole in the
//! product where to report it. Absent, it is the founder's call (most early products have none);
//! present, it needs a `Contact` and an `Expires` in the future, or researchers are told to trust a
//! file its owner stopped looking after.
//!
//! Read once per product, on the host the root domain lands on (where visitors end up).

use super::{could_not_check, root_landing, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::cert::date;
use crate::net::Request;
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;
use url::Url;

pub static SECURITY_TXT: CheckDef = CheckDef {
    id: "web.security_txt",
    area: Area::Web,
    stage: Stage::Edge,
    impact: Impact::DataExposure,
    what: "whether /.well-known/security.txt says where to report a security problem, and is not expired",
};

pub const FAMILY: Family = Family { name: "security.txt", checks: &[&SECURITY_TXT], plan };

/// The most of the file read: real ones are a few hundred bytes.
const FILE_BYTES: usize = 32 * 1024;

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let (facts, domain) = (facts.clone(), target.domain.to_string());
    let label = format!("Reading security.txt of {domain}");
    vec![PlannedCheck::new(&SECURITY_TXT, &domain.clone(), label, async move { vec![check(&facts, &domain).await] })]
}

async fn check(facts: &Facts, domain: &str) -> Finding {
    let what = format!("the security.txt of {domain}");
    let skipped = format!("security.txt was not checked because https://{domain} does not open a page.");
    let host = match root_landing(facts, &SECURITY_TXT, domain, &what, skipped).await {
        Ok(url) => url.host_str().unwrap_or(domain).to_owned(),
        Err(f) => return f,
    };
    let Ok(url) = Url::parse(&format!("https://{host}/.well-known/security.txt")) else {
        return Finding::new(&SECURITY_TXT, domain, Status::Error).title(format!("{host} cannot be turned into a web address."));
    };
    let resp = match facts.send_bounded(&Request::get(url.clone()), FILE_BYTES).await {
        Ok(r) => r,
        Err(e) if e.is_inconclusive() => return could_not_check(Finding::new(&SECURITY_TXT, domain, Status::Error), &what, &e),
        Err(_) => return absent(domain, &url, None),
    };
    let text = String::from_utf8_lossy(&resp.body);
    let is_file = resp.status == 200 && !text.trim_start().starts_with('<');
    if !is_file {
        return absent(domain, &url, Some(resp.status));
    }
    let today = date(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64));
    judge(domain, &url, &text, &today)
}

fn absent(domain: &str, url: &Url, status: Option<u16>) -> Finding {
    Finding::new(&SECURITY_TXT, domain, Status::Manual)
        .title(format!("{domain} has no security.txt, so someone who finds a security hole has no address to tell you."))
        .why("Researchers who find a problem look there first; without it, the report may never reach you.")
        .detail(format!("{url} answered {}.", status.map_or("nothing usable".to_owned(), |s| s.to_string())))
        .evidence(json!({ "url": url.as_str(), "status": status }))
        .fix([
            format!(
                "Publish {url} with two lines: Contact: mailto:security@{domain} and Expires: a date within a year (YYYY-MM-DDT00:00:00Z)."
            ),
            "Put a reminder in your calendar to move the Expires date forward before it passes.".to_owned(),
        ])
}

/// The verdict on a published file, `today` as YYYY-MM-DD (pure).
pub fn judge(domain: &str, url: &Url, text: &str, today: &str) -> Finding {
    let field = |name: &str| {
        text.lines()
            .filter_map(|l| l.trim().split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    let (contact, expires) = (field("Contact"), field("Expires"));
    let base =
        Finding::new(&SECURITY_TXT, domain, Status::Pass).evidence(json!({ "url": url.as_str(), "contact": contact, "expires": expires }));
    let fix = [format!("Edit {url}: a Contact line (mailto: or https:) and an Expires date within the next year.")];
    let Some(contact) = contact else {
        return base
            .status(Status::Warn)
            .title(format!("{domain}'s security.txt has no Contact line, so it does not say where to report a problem."))
            .fix(fix);
    };
    // RFC 3339 starts with the date, so the first ten characters compare as text.
    let day = expires.as_deref().map(|e| e.chars().take(10).collect::<String>()).filter(|d| d.len() == 10 && d.as_bytes()[4] == b'-');
    match day {
        None => base
            .status(Status::Warn)
            .title(format!("{domain}'s security.txt has no valid Expires date, which RFC 9116 requires."))
            .why("Without it, a researcher cannot tell whether anyone still reads the address it gives.")
            .fix(fix),
        Some(d) if d.as_str() < today => base
            .status(Status::Warn)
            .title(format!("{domain}'s security.txt expired on {d}, so researchers are told not to trust it."))
            .fix(fix),
        Some(d) => base.title(format!("{domain}'s security.txt says where to report a problem ({contact}), until {d}.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(text: &str) -> Status {
        judge("a.test", &Url::parse("https://a.test/.well-known/security.txt").expect("url"), text, "2026-12-05").status
    }

    #[test]
    fn a_file_needs_a_contact_and_an_expiry_still_to_come() {
        assert_eq!(verdict("Contact: mailto:security@a.test\nExpires: 2027-06-30T00:00:00.000Z\n"), Status::Pass);
        assert_eq!(verdict("Contact: mailto:security@a.test\nExpires: 2025-01-01T00:00:00Z\n"), Status::Warn, "expired");
        assert_eq!(verdict("Contact: mailto:security@a.test\n"), Status::Warn, "no Expires");
        assert_eq!(verdict("Expires: 2027-06-30T00:00:00Z\n"), Status::Warn, "no Contact");
        assert_eq!(verdict("# comment\ncontact: https://a.test/report\nexpires: 2026-12-05T10:00:00Z"), Status::Pass, "today still counts");
    }
}
