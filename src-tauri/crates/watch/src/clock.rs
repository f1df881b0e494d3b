//! The watcher's sense of time, injected so tests can run a two-minute outage in two seconds and
//! close the lid of a laptop that does not exist.
//!
//! Two readings matter and they differ on a real laptop: the wall clock (`now_ms`), which jumps
//! forward across a suspend, and the timers (`sleep`), which on Linux run on the monotonic clock
//! and stop while suspended. A timer that fires "late" on the wall clock is how a sleep is noticed.

use futures::future::BoxFuture;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where the watcher reads the time and waits.
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    /// Milliseconds since the Unix epoch, as the wall clock says.
    fn now_ms(&self) -> u64;
    /// Waits `ms` of this clock's time.
    fn sleep(&self, ms: u64) -> BoxFuture<'static, ()>;
}

/// Milliseconds since the Unix epoch on this machine's wall clock.
pub fn wall_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        wall_ms()
    }

    fn sleep(&self, ms: u64) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(Duration::from_millis(ms)))
    }
}

/// A clock that runs `speed` times faster than real time and can jump forward, as a wall clock does
/// across a suspend. The servers it talks to stay real; only the watcher's time is compressed.
#[derive(Debug)]
pub struct FastClock {
    started: Instant,
    origin_ms: u64,
    speed: u64,
    jumped_ms: AtomicU64,
}

impl FastClock {
    /// A clock that starts at `origin_ms` and runs `speed` times real time (at least 1).
    pub fn new(origin_ms: u64, speed: u64) -> FastClock {
        FastClock { started: Instant::now(), origin_ms, speed: speed.max(1), jumped_ms: AtomicU64::new(0) }
    }

    /// Moves the wall clock forward by `ms` at once, as a laptop waking up after `ms` asleep sees it.
    pub fn jump(&self, ms: u64) {
        self.jumped_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FastClock {
    fn now_ms(&self) -> u64 {
        self.origin_ms + self.started.elapsed().as_millis() as u64 * self.speed + self.jumped_ms.load(Ordering::SeqCst)
    }

    fn sleep(&self, ms: u64) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(Duration::from_millis(ms / self.speed)))
    }
}
