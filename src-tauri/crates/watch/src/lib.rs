//! The uptime watcher (issue 8), Tauri-free so the tray and `preflight watch` share it.
//!
//! ```text
//!  Monitor tasks (one each, jittered, bounded by probe slots)
//!     │  probe::run ──► Outcome ──► Guard (only on failure: is *this machine* online?)
//!     │                                 │
//!     └──► Tracker::observe (state: UP/PENDING/DOWN/PAUSED, confirmation, wake grace)
//!              │
//!           dispatcher ──► Recorder (samples, rollups, incidents, deploys in SQLite)
//!              │       ──► Notifier (grouping, recovery, reminders, mute)
//!              ▼
//!           Event stream ──► front end (tray, notifications, `--format jsonl`)
//! ```
//!
//! The rules that keep it from crying wolf live in [`state`] (pure, on an injected [`clock`]);
//! the scheduler in [`schedule`] only feeds it observations.

pub mod channels;
pub mod clock;
mod dispatch;
pub mod event;
pub mod guard;
pub mod notice;
pub mod probe;
pub mod record;
pub mod schedule;
pub mod state;
pub mod vantage;

pub use clock::wall_ms;
pub use clock::{Clock, FastClock, SystemClock};
pub use event::Event;
pub use guard::{references_from, Reference, DEFAULT_REFERENCES};
pub use notice::{Notice, NoticeKind};
pub use schedule::{AfterDeploy, Auditor, Monitor, Overall, Secrets, Settings, Walked, Walker, Watcher};
pub use state::{Rules, State};
