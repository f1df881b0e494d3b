//! A stored measurement as a `performance.p95` finding, the form the launch checklist and the handover
//! read: fast enough passes, too slow or failing fails, and a measurement that got no answer at all
//! is `error` (from one computer, a server that is down and a laptop that is offline look alike).

use crate::measure::{Measurement, Verdict};
use crate::stats::ms_words;
use preflight_core::checks::performance::P95;
use preflight_core::{Finding, Status};
use serde_json::json;

const WHY: &str =
    "People feel a wait above a second, on phones most of all: a slow login or chat start loses them before they see the product.";

/// The finding for `m`, measured at `at_ms`.
pub fn finding(m: &Measurement, at_ms: i64) -> Finding {
    let subject = url::Url::parse(&m.url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_else(|| m.url.clone());
    let judged = m.judged();
    let evidence = json!({
        "endpoint": m.name,
        "url": m.url,
        "kind": m.kind,
        "target_ms": m.target_ms,
        "p50_ms": judged.map(|p| p.p50_ms),
        "p95_ms": judged.map(|p| p.p95_ms),
        "samples": judged.map(|p| p.samples),
        "measured_at_ms": at_ms,
    });
    let base = Finding::new(&P95, subject, Status::Pass).title(m.says.clone()).evidence(evidence);
    match m.verdict {
        Verdict::FastEnough => base,
        Verdict::TooSlow => {
            let setup = m.phases.dns_ms + m.phases.connect_ms + m.phases.tls_ms;
            let fix: &[&str] = if m.phases.ttfb_ms >= setup {
                &[
                    "Find what this endpoint waits on before it answers: a database query without an index, a call to another service, work that could wait.",
                    "Cache reads that repeat (plans, prompts, settings) for a few minutes, and move slow work to a background job.",
                    "Measure again in Preflight (Speed → Measure again) to see the difference.",
                ]
            } else {
                &[
                    "Serve this address from a CDN close to your users, so the connection is set up nearby.",
                    "Remove redirects in front of it and keep connections open (HTTP/2, keep-alive).",
                    "Measure again in Preflight (Speed → Measure again) to see the difference.",
                ]
            };
            base.status(Status::Fail)
                .why(WHY)
                .detail(format!(
                    "A new connection's time, medians: DNS {}, connect {}, TLS {}, server {}.",
                    ms_words(m.phases.dns_ms),
                    ms_words(m.phases.connect_ms),
                    ms_words(m.phases.tls_ms),
                    ms_words(m.phases.ttfb_ms)
                ))
                .fix(fix.iter().copied())
        }
        Verdict::Failing => base.status(Status::Fail).why(WHY).fix([
            "Open the address in a browser and check what it answers; fix the error before its speed.",
            "If it needs a login, give Preflight the credential (an [[endpoints]] entry with a keychain secret).",
        ]),
        Verdict::Unknown => base
            .status(Status::Error)
            .why("Until it answers, Preflight cannot tell whether this action is fast enough.")
            .detail(m.first_error.clone().unwrap_or_default())
            .fix(["Check that this computer is online and the address is right, then measure again."]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{judge, Phases};
    use crate::stats::Percentiles;
    use crate::Kind;
    use std::collections::BTreeMap;

    fn measured(p95: f64, statuses: &[(u16, u32)], errors: u32) -> Measurement {
        let warm = (!statuses.is_empty()).then(|| Percentiles {
            samples: 50,
            p50_ms: p95 / 2.0,
            p90_ms: p95,
            p95_ms: p95,
            p99_ms: p95,
            max_ms: p95,
            warnings: vec![],
        });
        let mut m = Measurement {
            name: "login".into(),
            url: "https://app.acme.test/login".into(),
            method: "GET".into(),
            kind: Kind::CachedRead,
            target_ms: 400,
            warm,
            cold: None,
            phases: Phases { dns_ms: 1.0, connect_ms: 1.0, tls_ms: 2.0, ttfb_ms: p95, transfer_ms: 0.5 },
            first_token: None,
            histogram: vec![],
            statuses: statuses.iter().copied().collect::<BTreeMap<_, _>>(),
            errors,
            first_error: (errors > 0).then(|| "timed out".to_owned()),
            verdict: Verdict::Unknown,
            says: String::new(),
        };
        (m.verdict, m.says) = judge(&m, None);
        m
    }

    #[test]
    fn each_verdict_has_its_status() {
        let fast = finding(&measured(120.0, &[(200, 50)], 0), 7);
        assert_eq!((fast.status, fast.subject.as_str(), fast.evidence["p95_ms"].as_f64()), (Status::Pass, "app.acme.test", Some(120.0)));
        let slow = finding(&measured(900.0, &[(200, 50)], 0), 7);
        assert_eq!(slow.status, Status::Fail);
        assert!(slow.fix.iter().any(|f| f.contains("database")), "the server's own time: {:?}", slow.fix);
        assert_eq!(finding(&measured(100.0, &[(500, 50)], 0), 7).status, Status::Fail, "wrong answers fail");
        let unreached = finding(&measured(0.0, &[], 3), 7);
        assert_eq!(unreached.status, Status::Error, "no answer at all is never a fail: {}", unreached.title);
    }
}
