//! The launch checklist: the roadmap's seven stages as the founder walks them, decided from the
//! audit's evidence and the founder's own ticks, with the risk list, what changed between two
//! audits, and the handover document.
//!
//! Everything here is pure and offline: the words come from the bundled `data/checklist.toml`
//! ([`content`]), the evidence from reports and records the caller has already loaded. The flow
//! crate gathers those from the history database and the CLI and the desktop app render what this
//! crate builds, so the three can never disagree on an item's state.

pub mod content;
pub mod diff;
pub mod handover;
pub mod platform;
pub mod risks;
pub mod state;
pub mod walk;

pub use content::{content, Content, ContentError, SettingsSection};
pub use diff::{between, Diff, Movement, RunRef};
pub use risks::Risk;
pub use state::{DecidedBy, ItemState};
pub use walk::{Checklist, Inputs, Item, Score, StageView, Tick};
