//! What several audit tests share: a testbed product audited for some of its names.

use preflight_core::{audit, Area, AuditOptions, Domain, HostOrigin, Net, Report, Target};
use preflight_testbed::{Product, Testbed};

/// Audits `product` for its root and `labels` (all areas when `only` is empty).
pub async fn audit_product(product: Product, labels: &[&str], only: &[Area]) -> Report {
    let domain = product.domain.clone();
    let bed = Testbed::start(product).await.expect("testbed");
    let mut target = Target::bare(Domain::parse(&domain).expect("valid"));
    for l in labels {
        target.add_host(l, HostOrigin::Configured, true);
    }
    let net = Net::new(bed.net_config()).await.expect("net");
    audit(&net, &target, AuditOptions { only: only.to_vec(), ..AuditOptions::default() }).await
}
