//! What the flows' tests share: the test account's keys and the loopback app of a product.
#![allow(dead_code)]

use preflight_core::net::Net;
use preflight_flows::Keys;
use preflight_testbed::apps::{sign_in, Behaviour, EMAIL};
use preflight_testbed::{Answer, Product, Site, Testbed};
use preflight_vault::Sensitive;
use std::collections::HashMap;

/// Keys from a map instead of the keychain.
pub struct MapKeys(pub HashMap<String, String>);

impl Keys for MapKeys {
    fn get(&self, name: &str) -> Result<Option<Sensitive<String>>, String> {
        Ok(self.0.get(name).cloned().map(Sensitive::new))
    }
}

/// The test account with `password`, and the chat API's token.
pub fn keys(password: &str) -> MapKeys {
    MapKeys(HashMap::from([
        ("test-user".to_owned(), EMAIL.to_owned()),
        ("test-password".to_owned(), password.to_owned()),
        ("chat-token".to_owned(), "tok-live-1".to_owned()),
    ]))
}

/// `app.DOMAIN` serving the sign-in app, and a network pointed at it.
pub async fn bed(domain: &str, behaviour: Behaviour) -> (Testbed, Net) {
    let site = Site::serving(&format!("app.{domain}"), Answer::App(sign_in(behaviour)));
    let bed = Testbed::start(Product::healthy(domain, &[""]).site(site)).await.expect("testbed");
    let net = Net::new(bed.net_config()).await.expect("net");
    (bed, net)
}
