//! Percentiles from an HDR histogram, with the sample count and a plain warning when the sample is
//! too small for the percentile shown (a p99 from 20 requests is the second-slowest one, not a p99).

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Milliseconds as a founder reads them: one decimal under 10 ms, whole above.
pub fn ms_words(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// Requests needed before a percentile means what it says.
const ENOUGH: [(f64, u64, &str); 2] = [(95.0, 20, "p95"), (99.0, 100, "p99")];

/// The distribution of one measure, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Percentiles {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub samples: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Why a percentile shown may not mean much (too few samples).
    pub warnings: Vec<String>,
}

/// One bar of a latency histogram: how many requests took from `from_ms` up to `to_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Bar {
    pub from_ms: f64,
    pub to_ms: f64,
    pub count: u32,
}

/// How many bars a histogram is drawn with: enough to see a long tail, few enough to read.
pub const BARS: usize = 24;

/// Microsecond values, recorded into an HDR histogram (3 significant digits: 0.1 % error), from
/// 1 µs to an hour. Creating one only fails on invalid constant bounds; then nothing is recorded.
#[derive(Debug, Clone)]
pub struct Recorder(Option<Histogram<u64>>);

impl Default for Recorder {
    fn default() -> Self {
        Recorder(Histogram::new_with_bounds(1, 3_600_000_000, 3).ok())
    }
}

impl Recorder {
    pub fn record_us(&mut self, us: u64) {
        if let Some(h) = &mut self.0 {
            let _ = h.record(us.max(1));
        }
    }

    /// Adds `other`'s values to this one's.
    pub fn merge(&mut self, other: &Recorder) {
        if let (Some(a), Some(b)) = (&mut self.0, &other.0) {
            let _ = a.add(b);
        }
    }

    pub fn len(&self) -> u64 {
        self.0.as_ref().map_or(0, |h| h.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values in `n` equal-width bars from the fastest to the slowest (one bar when they are
    /// all alike); empty with no samples. Widths are whole microseconds, so every value lands in
    /// exactly one bar and the counts add up to [`Recorder::len`].
    pub fn bars(&self, n: usize) -> Vec<Bar> {
        let Some(h) = self.0.as_ref().filter(|h| !h.is_empty()) else { return Vec::new() };
        // Each value as the lowest of its HDR bucket (3 significant digits), so equal values land
        // on one point.
        let (lo, hi) = (h.min(), h.lowest_equivalent(h.max()));
        let n = (n.max(1) as u64).min(hi - lo + 1);
        let width = (hi - lo) / n + 1;
        let mut counts = vec![0u32; n as usize];
        for v in h.iter_recorded() {
            let at = h.lowest_equivalent(v.value_iterated_to()).clamp(lo, hi);
            let i = (((at - lo) / width) as usize).min(counts.len() - 1);
            counts[i] = counts[i].saturating_add(u32::try_from(v.count_at_value()).unwrap_or(u32::MAX));
        }
        let ms = |us: u64| (us as f64 / 100.0).round() / 10.0;
        counts
            .into_iter()
            .enumerate()
            .map(|(i, count)| {
                let from = lo + width * i as u64;
                Bar { from_ms: ms(from), to_ms: ms((from + width).min(hi.max(from + 1))), count }
            })
            .collect()
    }

    /// The percentiles, or None with no samples.
    pub fn percentiles(&self) -> Option<Percentiles> {
        let h = self.0.as_ref().filter(|h| !h.is_empty())?;
        let ms = |us: u64| (us as f64 / 100.0).round() / 10.0;
        let n = h.len();
        let warnings = ENOUGH
            .iter()
            .filter(|(_, need, _)| n < *need)
            .map(|(_, need, name)| format!("{name} from {n} requests is a rough figure: it needs at least {need} to mean what it says."))
            .collect();
        Some(Percentiles {
            samples: n,
            p50_ms: ms(h.value_at_quantile(0.50)),
            p90_ms: ms(h.value_at_quantile(0.90)),
            p95_ms: ms(h.value_at_quantile(0.95)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            max_ms: ms(h.max()),
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_distribution() {
        let mut r = Recorder::default();
        for ms in 1..=100u64 {
            r.record_us(ms * 1000);
        }
        let p = r.percentiles().unwrap_or_else(|| panic!("samples"));
        assert_eq!((p.samples, p.p50_ms, p.p95_ms, p.max_ms), (100, 50.0, 95.0, 100.0));
        assert!(p.warnings.is_empty(), "100 samples are enough for p99");
        let mut few = Recorder::default();
        few.record_us(5000);
        assert_eq!(few.percentiles().map(|p| p.warnings.len()), Some(2));
        assert!(Recorder::default().percentiles().is_none());
    }

    #[test]
    fn bars_hold_every_value_once() {
        let mut r = Recorder::default();
        for ms in 1..=100u64 {
            r.record_us(ms * 1000);
        }
        r.record_us(400_000);
        let bars = r.bars(BARS);
        assert_eq!(bars.len(), BARS);
        assert_eq!(bars.iter().map(|b| b.count).sum::<u32>(), 101);
        assert_eq!(bars.first().map(|b| b.from_ms), Some(1.0));
        assert_eq!(bars.last().map(|b| b.count), Some(1), "the one slow request is the tail");
        let mut same = Recorder::default();
        same.record_us(5000);
        same.record_us(5000);
        assert_eq!(same.bars(BARS).iter().map(|b| b.count).collect::<Vec<_>>(), [2]);
        assert!(Recorder::default().bars(BARS).is_empty());
    }
}
