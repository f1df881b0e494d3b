//! `dns.ipv6`: whether each front door can be reached over IPv6, reported for information.
//!
//! Many mobile networks hand out only IPv6 addresses and reach IPv4-only sites through the
//! carrier's translation, which works but adds a hop; a site with an IPv6 address is reached
//! directly. Neither is a launch problem, so this passes either way and says which it is. The
//! addresses are the ones `dns.resolve` looked up (no extra query).

use super::Family;
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;

pub static IPV6: CheckDef = CheckDef {
    id: "dns.ipv6",
    area: Area::Dns,
    stage: Stage::Routing,
    impact: Impact::UserExperience,
    what: "whether the front doors have IPv6 addresses",
};

pub const FAMILY: Family = Family { name: "ipv6", checks: &[&IPV6], plan };

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    target
        .front_doors()
        .into_iter()
        .map(|h| {
            let (facts, host) = (facts.clone(), h.name.clone());
            PlannedCheck::new(&IPV6, &h.name, format!("Checking whether {host} has an IPv6 address"), async move {
                // No address at all, or no answer: dns.resolve says so once.
                let Ok(addrs) = facts.addresses(&host).await else { return Vec::new() };
                vec![judge(&host, addrs.v6.len(), addrs.v4.len())]
            })
        })
        .collect()
}

/// The finding from how many addresses of each family the name has (pure).
pub fn judge(host: &str, v6: usize, v4: usize) -> Finding {
    let base = Finding::new(&IPV6, host, Status::Pass).evidence(json!({ "ipv6": v6, "ipv4": v4 }));
    match (v6, v4) {
        (0, _) => base
            .title(format!("{host} has no IPv6 address; visitors on IPv6-only mobile networks still reach it through their carrier (information)."))
            .detail(format!("{v4} IPv4 address(es), no AAAA record. Most CDNs (Cloudflare, CloudFront, Vercel) add IPv6 for you when they are in front.")),
        (_, 0) => base.title(format!("{host} is reachable over IPv6 only; visitors on IPv4-only networks depend on translation (information).")).detail(format!("{v6} IPv6 address(es), no A record.")),
        _ => base.title(format!("{host} is reachable over both IPv6 and IPv4.")).detail(format!("{v6} IPv6 and {v4} IPv4 address(es).")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_information_either_way() {
        for (v6, v4, says) in [(0, 1, "no IPv6"), (2, 2, "both"), (1, 0, "IPv6 only")] {
            let f = judge("a.test", v6, v4);
            assert_eq!(f.status, Status::Pass);
            assert!(f.title.contains(says), "{}", f.title);
        }
    }
}
