//! SPF records (RFC 7208), parsed into terms, never rejected wholesale.
//!
//! A record with one bad term is a permanent error for a receiving server, but an audit that stops
//! there tells the founder about one problem at a time. So the parser keeps every term it can read
//! and lists the ones it cannot, and the evaluation (`checks::spf`) reports all of them in one run.
//! Pure and allocation-bounded by the input: the fuzz target `spf_parse` runs it on arbitrary bytes.

use serde::Serialize;

/// What a matching mechanism yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

impl Qualifier {
    pub fn symbol(self) -> &'static str {
        match self {
            Qualifier::Pass => "+",
            Qualifier::Fail => "-",
            Qualifier::SoftFail => "~",
            Qualifier::Neutral => "?",
        }
    }
}

/// One mechanism.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mechanism {
    All,
    Include { domain: String },
    A { domain: Option<String> },
    Mx { domain: Option<String> },
    Ptr { domain: Option<String> },
    Ip4 { net: String },
    Ip6 { net: String },
    Exists { domain: String },
}

impl Mechanism {
    /// Whether evaluating it costs a DNS query that counts against the limit of 10.
    pub fn queries_dns(&self) -> bool {
        matches!(
            self,
            Mechanism::Include { .. } | Mechanism::A { .. } | Mechanism::Mx { .. } | Mechanism::Ptr { .. } | Mechanism::Exists { .. }
        )
    }
}

/// One term of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "term", rename_all = "snake_case")]
pub enum Term {
    Directive {
        qualifier: Qualifier,
        mechanism: Mechanism,
        text: String,
    },
    Redirect {
        domain: String,
    },
    Explanation {
        domain: String,
    },
    /// A modifier this parser does not know (allowed by the RFC, ignored by receivers).
    Unknown {
        name: String,
    },
}

/// A parsed record: the terms read and the text of the ones that could not be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Record {
    pub terms: Vec<Term>,
    pub invalid: Vec<String>,
}

impl Record {
    /// The `all` directive's qualifier, if there is one.
    pub fn all(&self) -> Option<Qualifier> {
        self.terms.iter().find_map(|t| match t {
            Term::Directive { qualifier, mechanism: Mechanism::All, .. } => Some(*qualifier),
            _ => None,
        })
    }
    pub fn redirect(&self) -> Option<&str> {
        self.terms.iter().find_map(|t| match t {
            Term::Redirect { domain } => Some(domain.as_str()),
            _ => None,
        })
    }
}

/// Whether a TXT string is an SPF record (`v=spf1` followed by a space or nothing).
pub fn is_spf(txt: &str) -> bool {
    let t = txt.trim_start();
    // `get`, not indexing: a TXT record is arbitrary bytes, and byte 6 may fall inside a character
    // (found by the fuzz target `spf_parse`).
    t.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("v=spf1"))
        && t.get(6..).is_some_and(|rest| rest.chars().next().is_none_or(|c| c == ' '))
}

/// Parses an SPF record's text (starting with `v=spf1`).
pub fn parse(txt: &str) -> Record {
    let mut out = Record::default();
    let body = txt.trim_start().get(6..).unwrap_or_default();
    for word in body.split_ascii_whitespace() {
        match term(word) {
            Some(t) => out.terms.push(t),
            None => out.invalid.push(word.to_owned()),
        }
    }
    out
}

fn term(word: &str) -> Option<Term> {
    // Modifiers are name=value with a name that starts with a letter.
    if let Some((name, value)) = word.split_once('=') {
        if name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return match name.to_ascii_lowercase().as_str() {
                "redirect" => domain_spec(value).map(|domain| Term::Redirect { domain }),
                "exp" => domain_spec(value).map(|domain| Term::Explanation { domain }),
                _ => Some(Term::Unknown { name: name.to_owned() }),
            };
        }
    }
    let (qualifier, rest) = match word.chars().next()? {
        '+' => (Qualifier::Pass, &word[1..]),
        '-' => (Qualifier::Fail, &word[1..]),
        '~' => (Qualifier::SoftFail, &word[1..]),
        '?' => (Qualifier::Neutral, &word[1..]),
        _ => (Qualifier::Pass, word),
    };
    let (name, arg) = match rest.find([':', '/']) {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let target = |arg: Option<&str>| -> Option<Option<String>> {
        match arg {
            None => Some(None),
            Some(a) if a.starts_with('/') => cidr(a).then_some(None),
            Some(a) => {
                let a = &a[1..];
                let (d, c) = a.find('/').map_or((a, None), |i| (&a[..i], Some(&a[i..])));
                if c.is_some_and(|c| !cidr(c)) {
                    return None;
                }
                domain_spec(d).map(Some)
            }
        }
    };
    let required = |arg: Option<&str>| arg.and_then(|a| a.strip_prefix(':')).and_then(domain_spec);
    let mechanism = match name.to_ascii_lowercase().as_str() {
        "all" if arg.is_none() => Mechanism::All,
        "include" => Mechanism::Include { domain: required(arg)? },
        "exists" => Mechanism::Exists { domain: required(arg)? },
        "a" => Mechanism::A { domain: target(arg)? },
        "mx" => Mechanism::Mx { domain: target(arg)? },
        "ptr" if arg.is_none_or(|a| a.starts_with(':')) => {
            Mechanism::Ptr { domain: arg.and_then(|a| a.strip_prefix(':')).and_then(domain_spec) }
        }
        "ip4" => {
            let net = arg?.strip_prefix(':')?;
            let (ip, len) = net.split_once('/').map_or((net, None), |(i, l)| (i, Some(l)));
            ip.parse::<std::net::Ipv4Addr>().ok()?;
            if len.is_some_and(|l| l.parse::<u8>().map_or(true, |n| n > 32)) {
                return None;
            }
            Mechanism::Ip4 { net: net.to_owned() }
        }
        "ip6" => {
            let net = arg?.strip_prefix(':')?;
            let (ip, len) = net.split_once('/').map_or((net, None), |(i, l)| (i, Some(l)));
            ip.parse::<std::net::Ipv6Addr>().ok()?;
            if len.is_some_and(|l| l.parse::<u8>().map_or(true, |n| n > 128)) {
                return None;
            }
            Mechanism::Ip6 { net: net.to_owned() }
        }
        _ => return None,
    };
    Some(Term::Directive { qualifier, mechanism, text: word.to_owned() })
}

/// `/24`, `//64` or `/24//64`.
fn cidr(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        ["", v4] => v4.parse::<u8>().is_ok_and(|n| n <= 32),
        ["", "", v6] => v6.parse::<u8>().is_ok_and(|n| n <= 128),
        ["", v4, "", v6] => v4.parse::<u8>().is_ok_and(|n| n <= 32) && v6.parse::<u8>().is_ok_and(|n| n <= 128),
        _ => false,
    }
}

/// A domain-spec: a domain name, possibly with macros (`%{d}`); lower-cased, trailing dot dropped.
fn domain_spec(s: &str) -> Option<String> {
    let s = s.trim_end_matches('.');
    let ok = !s.is_empty() && s.len() <= 253 && s.chars().all(|c| c.is_ascii_alphanumeric() || "-._%{}+=,".contains(c));
    ok.then(|| s.to_ascii_lowercase())
}

/// The `include:` domains of the SPF record(s) among a name's TXT strings: who the domain says
/// sends for it.
pub fn includes(txts: &[String]) -> Vec<String> {
    txts.iter()
        .filter(|t| is_spf(t))
        .flat_map(|t| parse(t).terms)
        .filter_map(|t| match t {
            Term::Directive { mechanism: Mechanism::Include { domain }, .. } => Some(domain),
            _ => None,
        })
        .collect()
}

/// Whether a domain-spec uses macros, so it names a different domain for each message and cannot
/// be followed by an audit.
pub fn has_macro(domain: &str) -> bool {
    domain.contains('%')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_recognised_by_their_version() {
        assert!(is_spf("v=spf1 -all"));
        assert!(is_spf("V=SPF1"));
        assert!(!is_spf("v=spf10 -all"));
        assert!(!is_spf("google-site-verification=abc"));
    }

    #[test]
    fn every_term_kind_is_read() {
        let r = parse("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mail.acme.test/24 include:_spf.google.com exists:%{i}.x.test ptr ~all redirect=other.test exp=why.test foo=bar");
        assert!(r.invalid.is_empty(), "{:?}", r.invalid);
        assert_eq!(r.terms.len(), 11);
        assert_eq!(r.all(), Some(Qualifier::SoftFail));
        assert_eq!(r.redirect(), Some("other.test"));
        let dns = r.terms.iter().filter(|t| matches!(t, Term::Directive { mechanism, .. } if mechanism.queries_dns())).count();
        assert_eq!(dns, 5, "a, mx, include, exists, ptr");
    }

    #[test]
    fn bad_terms_are_listed_and_the_rest_kept() {
        let r = parse("v=spf1 include: ip4:999.1.1.1 ip4:10.0.0.0/33 a/200 bogus include:_spf.good.test -all");
        assert_eq!(r.invalid, ["include:", "ip4:999.1.1.1", "ip4:10.0.0.0/33", "a/200", "bogus"]);
        assert_eq!(r.terms.len(), 2, "the good include and -all survive");
        assert_eq!(r.all(), Some(Qualifier::Fail));
    }

    #[test]
    fn arbitrary_input_never_panics() {
        // The fuzzer's first find: a multi-byte character across byte 6.
        assert!(!is_spf("\u{10} [\u{35d}\u{a5}\0  "));
        assert!(!is_spf("v=spf\u{e9}"));
        for junk in [
            "",
            "v=spf1",
            "v=spf1 +",
            "v=spf1 ~",
            "v=spf1 :",
            "v=spf1 /",
            "v=spf1 a:/",
            "v=spf1 ip6:",
            "v=spf1 =x",
            "v=spf1 é:ü",
            "v=spf1 ip4:1.1.1.1//",
        ] {
            let _ = parse(junk);
        }
    }
}
