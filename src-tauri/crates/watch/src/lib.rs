//! The uptime watcher (issue 8), Tauri-free so the tray and `preflight watch` share it.
//!
//! Built in slices. This first one is the part every other builds on and that false alarms come
//! from: the per-monitor state machine ([`state`]), pure and driven by an injected clock, so the
//! rules (confirmation before DOWN, recovery after successes, paused while this machine is offline
//! or just woke up) are tested to the millisecond without waiting. The scheduler, the probes, the
//! store and the notifications come next and only feed it observations. The HTTP probe and the
//! connectivity guard ([`probe`]) turn the network into those observations.

pub mod probe;
pub mod state;
