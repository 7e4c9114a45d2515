//! [`LatencySnapshot`]: a copy of a [`LatencyHistogram`](crate::layer::LatencyHistogram).

use core::time::Duration;

use crate::layer::latency_histogram::BUCKETS;

/// The counters of a [`LatencyHistogram`](crate::layer::LatencyHistogram)
/// at one moment.
///
/// # Examples
///
/// ```
/// use core::time::Duration;
/// use hybrid_dispatch::layer::LatencyHistogram;
///
/// let histogram = LatencyHistogram::new();
/// for micros in [1, 2, 3, 100] {
///     histogram.record(Duration::from_micros(micros));
/// }
/// let stats = histogram.snapshot();
/// assert_eq!(stats.count, 4);
/// // Quantiles are bucket upper bounds: right to within a factor of two.
/// let p50 = stats.quantile(0.5).unwrap();
/// assert!(p50 >= Duration::from_micros(2) && p50 < Duration::from_micros(4));
/// assert!(stats.quantile(1.0).unwrap() >= Duration::from_micros(100));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LatencySnapshot {
    /// Calls that completed (and were timed).
    pub count: u64,
    /// Calls dropped after their first poll, before completing: not timed.
    pub cancelled: u64,
    /// The sum of the completed calls' latencies.
    pub total: Duration,
    /// The longest completed call.
    pub max: Duration,
    /// `buckets[i]`: completed calls of `2^i` to `2^(i+1) - 1` ns (the last
    /// bucket has no upper bound).
    pub buckets: [u64; BUCKETS],
}

impl LatencySnapshot {
    /// The mean latency of completed calls, `None` when there were none.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::LatencyHistogram;
    ///
    /// assert_eq!(LatencyHistogram::new().snapshot().mean(), None);
    /// ```
    #[must_use]
    pub fn mean(&self) -> Option<Duration> {
        let count = u32::try_from(self.count).ok()?;
        self.total.checked_div(count)
    }

    /// An upper bound on the `q`-quantile (`0.0..=1.0`) of completed calls:
    /// the upper edge of the bucket holding it, or [`max`](Self::max) when
    /// that is lower. `None` when no call completed.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::time::Duration;
    /// use hybrid_dispatch::layer::LatencyHistogram;
    ///
    /// let histogram = LatencyHistogram::new();
    /// histogram.record(Duration::from_nanos(700));
    /// assert_eq!(histogram.snapshot().quantile(0.99), Some(Duration::from_nanos(700)));
    /// ```
    #[must_use]
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        if self.count == 0 {
            return None;
        }
        // Truncating float-to-int casts saturate, so any `q` is safe here.
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64) as u64).clamp(1, self.count);
        let mut seen = 0;
        for (i, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let upper = if i + 1 == BUCKETS {
                    u64::MAX
                } else {
                    (1u64 << (i + 1)) - 1
                };
                return Some(Duration::from_nanos(upper).min(self.max));
            }
        }
        // Only reachable when a concurrent `record` has bumped `count` but
        // not yet its bucket.
        Some(self.max)
    }
}
