//! DMARC records (RFC 7489): tag=value pairs after `v=DMARC1`, parsed leniently and completely.
//!
//! Every tag is kept, and every problem is listed rather than the first one ending the parse, for
//! the same reason as SPF: the founder fixes them all at once. Pure; fuzzed by `dmarc_parse`.

use serde::Serialize;

/// A parsed DMARC record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Record {
    /// `p`: none, quarantine or reject (`None` when missing or unreadable).
    pub policy: Option<String>,
    /// `sp`: the policy for subdomains (inherits `p` when absent).
    pub subdomain_policy: Option<String>,
    /// `pct`: the share of failing mail the policy applies to (100 when absent).
    pub pct: u8,
    /// `adkim` / `aspf`: `r` (relaxed, the default) or `s` (strict).
    pub adkim: String,
    pub aspf: String,
    /// `rua` / `ruf`: where reports go (`mailto:` addresses).
    pub rua: Vec<String>,
    pub ruf: Vec<String>,
    /// What could not be read, in words.
    pub problems: Vec<String>,
}

/// Whether a TXT string is a DMARC record.
pub fn is_dmarc(txt: &str) -> bool {
    let t = txt.trim_start();
    t.get(..8).is_some_and(|v| v.eq_ignore_ascii_case("v=DMARC1")) && t[8..].trim_start().chars().next().is_none_or(|c| c == ';')
}

/// Parses a record's text (starting with `v=DMARC1`).
pub fn parse(txt: &str) -> Record {
    let mut r = Record { pct: 100, adkim: "r".into(), aspf: "r".into(), ..Record::default() };
    let mut first = true;
    for part in txt.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((tag, value)) = part.split_once('=') else {
            r.problems.push(format!("\"{part}\" is not a tag=value pair"));
            continue;
        };
        let (tag, value) = (tag.trim().to_ascii_lowercase(), value.trim());
        if first {
            first = false;
            if tag != "v" {
                r.problems.push("the record must start with v=DMARC1".into());
            }
            continue;
        }
        match tag.as_str() {
            "p" | "sp" => {
                let v = value.to_ascii_lowercase();
                if !matches!(v.as_str(), "none" | "quarantine" | "reject") {
                    r.problems.push(format!("{tag}={value} is not none, quarantine or reject"));
                    continue;
                }
                if tag == "p" {
                    r.policy = Some(v);
                } else {
                    r.subdomain_policy = Some(v);
                }
            }
            "pct" => match value.parse::<u8>() {
                Ok(n) if n <= 100 => r.pct = n,
                _ => r.problems.push(format!("pct={value} is not a number from 0 to 100")),
            },
            "adkim" | "aspf" => {
                let v = value.to_ascii_lowercase();
                if v != "r" && v != "s" {
                    r.problems.push(format!("{tag}={value} is not r (relaxed) or s (strict)"));
                } else if tag == "adkim" {
                    r.adkim = v;
                } else {
                    r.aspf = v;
                }
            }
            "rua" | "ruf" => {
                let list: Vec<String> = value.split(',').map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()).collect();
                for u in &list {
                    if !u.to_ascii_lowercase().starts_with("mailto:") {
                        r.problems.push(format!("{tag} destination \"{u}\" is not a mailto: address"));
                    }
                }
                if tag == "rua" {
                    r.rua = list;
                } else {
                    r.ruf = list;
                }
            }
            "fo" | "rf" | "ri" | "v" => {}
            other => r.problems.push(format!("unknown tag \"{other}\"")),
        }
    }
    if r.policy.is_none() && !r.problems.iter().any(|p| p.starts_with("p=")) {
        r.problems.push("the required p= tag (the policy) is missing".into());
    }
    r
}

/// The domain of a `mailto:` report address (`mailto:dmarc@reports.example!10m` → `reports.example`).
pub fn report_domain(uri: &str) -> Option<String> {
    let addr = uri.get(7..)?.split('!').next()?;
    let domain = addr.rsplit_once('@')?.1.trim().trim_end_matches('.').to_ascii_lowercase();
    (!domain.is_empty()).then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_record_is_read() {
        let r = parse("v=DMARC1; p=quarantine; sp=reject; pct=50; adkim=s; rua=mailto:d@acme.test,mailto:x@reports.example!10m; fo=1");
        assert_eq!(r.policy.as_deref(), Some("quarantine"));
        assert_eq!(r.subdomain_policy.as_deref(), Some("reject"));
        assert_eq!((r.pct, r.adkim.as_str(), r.aspf.as_str()), (50, "s", "r"));
        assert_eq!(r.rua.len(), 2);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(report_domain(&r.rua[1]).as_deref(), Some("reports.example"));
    }

    #[test]
    fn every_problem_is_listed() {
        let r = parse("v=DMARC1; p=maybe; pct=200; adkim=x; rua=https://x.example; color=blue; junk");
        assert_eq!(r.problems.len(), 6, "{:?}", r.problems);
        assert!(r.policy.is_none());
        assert!(is_dmarc("v=DMARC1; p=none") && is_dmarc("V=dmarc1") && !is_dmarc("v=DMARC10; p=none"));
    }

    #[test]
    fn arbitrary_input_never_panics() {
        for junk in ["", ";", "=", "v=DMARC1;;;", "v=DMARC1; rua=mailto:", "é=ü", "v=DMARC1; pct=-1"] {
            let _ = parse(junk);
        }
        assert_eq!(report_domain("mailto:"), None);
    }
}
