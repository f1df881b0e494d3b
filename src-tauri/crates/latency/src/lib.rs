//! Endpoint latency: how fast a product's key endpoints answer one user, phase by phase, with
//! percentiles from HDR histograms, cold and warm, and the first token of a streamed chat answer.
//!
//! Every request goes through the engine's `Net`, so `--connect-to`, `--ca-file` and the deadlines
//! apply and tests reach loopback servers with injected delays. Load tests and the mobile view
//! build on this crate, and `finding` turns a stored run into the launch checklist's `performance.p95`.

pub mod finding;
pub mod load;
pub mod measure;
pub mod mobile;
pub mod stats;

pub use finding::finding;
pub use load::{Bounds, LoadResult, Step};
pub use measure::{measure, public_url, Measurement, Phases, Plan, Probe, Verdict};
pub use mobile::{first_visit, MobileView, MOBILE_RTT_MS};
/// What an endpoint does and its p95 target, declared once in the engine.
pub use preflight_core::EndpointKind as Kind;
pub use stats::{ms_words, Bar, Percentiles, Recorder};
