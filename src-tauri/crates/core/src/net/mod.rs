//! Everything that touches the network, behind one [`NetConfig`].
//!
//! Checks never open sockets themselves: they call [`Net`], which resolves through the configured
//! nameservers, honours connect-to overrides, trusts the configured roots, and puts a deadline and a
//! size bound on every operation. That single seam is what lets every test run the real code against
//! loopback servers.

pub mod cert;
pub mod config;
pub mod connect;
pub mod error;
pub mod http;
pub mod overrides;
pub mod resolve;
pub mod tls;

pub use config::{ConnectTo, Limits, NetConfig, Timeouts};
pub use error::NetError;
pub use http::{Client, Response};
pub use overrides::Overrides;
pub use resolve::{Addresses, Resolver};

/// The network handle one audit shares among its checks (cheap to clone).
#[derive(Debug, Clone)]
pub struct Net {
    pub client: Client,
}

impl Net {
    pub fn new(cfg: NetConfig) -> Result<Net, NetError> {
        let resolver = Resolver::new(&cfg)?;
        Ok(Net { client: Client::new(cfg, resolver)? })
    }
    pub fn config(&self) -> &NetConfig {
        self.client.config()
    }
    pub fn resolver(&self) -> &Resolver {
        self.client.resolver()
    }
}
