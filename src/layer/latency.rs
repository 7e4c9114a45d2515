//! [`LatencyHistogram`]: lock-free latency buckets, and [`LatencySnapshot`],
//! a copy of them to read percentiles from. `core`-only.

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use core::time::Duration;

/// How many power-of-two buckets a [`LatencyHistogram`] keeps.
pub(crate) const BUCKETS: usize = 40;

/// A latency histogram made of relaxed atomics: cheap to record into from
/// many threads at once, readable at any time with
/// [`snapshot`](Self::snapshot).
///
/// Bucket `i` counts latencies of `2^i` to `2^(i+1) - 1` nanoseconds
/// (bucket 0 also takes 0 ns); the last bucket, from `2^39` ns (about nine
/// minutes), takes everything longer. Power-of-two buckets keep
/// [`record`](Self::record) to a leading-zeros count and three atomic adds,
/// at the price of quantiles that are only known to within a factor of two
/// ([`LatencySnapshot::quantile`] returns the bucket's upper bound). A
/// full HDR histogram would be more precise and allocate; this one is 43
/// words, fixed, `core`-only.
///
/// # Examples
///
/// ```
/// use core::time::Duration;
/// use hybrid_dispatch::layer::LatencyHistogram;
///
/// let histogram = LatencyHistogram::new();
/// histogram.record(Duration::from_micros(3));
/// histogram.record(Duration::from_micros(5));
/// let stats = histogram.snapshot();
/// assert_eq!(stats.count, 2);
/// assert_eq!(stats.max, Duration::from_micros(5));
/// assert_eq!(stats.mean(), Some(Duration::from_micros(4)));
/// ```
pub struct LatencyHistogram {
    buckets: [AtomicU64; BUCKETS],
    count: AtomicU64,
    cancelled: AtomicU64,
    total_nanos: AtomicU64,
    max_nanos: AtomicU64,
}

impl LatencyHistogram {
    /// An empty histogram. `const`, so it can be a `static` shared by many
    /// services.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::LatencyHistogram;
    ///
    /// static LATENCY: LatencyHistogram = LatencyHistogram::new();
    /// assert_eq!(LATENCY.snapshot().count, 0);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        LatencyHistogram {
            buckets: [const { AtomicU64::new(0) }; BUCKETS],
            count: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
            total_nanos: AtomicU64::new(0),
            max_nanos: AtomicU64::new(0),
        }
    }

    /// Records one completed call that took `latency`.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::time::Duration;
    /// use hybrid_dispatch::layer::LatencyHistogram;
    ///
    /// let histogram = LatencyHistogram::new();
    /// histogram.record(Duration::from_nanos(1000));
    /// assert_eq!(histogram.snapshot().buckets[9], 1); // 512..=1023 ns
    /// ```
    pub fn record(&self, latency: Duration) {
        // Saturate rather than wrap: a call longer than 584 years is not
        // worth a branch elsewhere.
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.buckets[bucket_of(nanos)].fetch_add(1, Relaxed);
        self.count.fetch_add(1, Relaxed);
        self.total_nanos.fetch_add(nanos, Relaxed);
        self.max_nanos.fetch_max(nanos, Relaxed);
    }

    /// Records one call dropped after it started and before it completed.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::LatencyHistogram;
    ///
    /// let histogram = LatencyHistogram::new();
    /// histogram.record_cancelled();
    /// assert_eq!(histogram.snapshot().cancelled, 1);
    /// ```
    pub fn record_cancelled(&self) {
        self.cancelled.fetch_add(1, Relaxed);
    }

    /// A copy of the counters. Each is read atomically, the set is not: a
    /// call completing meanwhile may be in `count` and not yet in a bucket.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::time::Duration;
    /// use hybrid_dispatch::layer::LatencyHistogram;
    ///
    /// let histogram = LatencyHistogram::new();
    /// histogram.record(Duration::from_micros(3));
    /// histogram.record(Duration::from_micros(5));
    /// let snapshot = histogram.snapshot();
    /// assert_eq!(snapshot.count, 2);
    /// assert_eq!(snapshot.total, Duration::from_micros(8));
    /// assert_eq!(snapshot.max, Duration::from_micros(5));
    /// assert_eq!(snapshot.buckets.iter().sum::<u64>(), 2);
    /// ```
    #[must_use]
    pub fn snapshot(&self) -> LatencySnapshot {
        LatencySnapshot {
            count: self.count.load(Relaxed),
            cancelled: self.cancelled.load(Relaxed),
            total: Duration::from_nanos(self.total_nanos.load(Relaxed)),
            max: Duration::from_nanos(self.max_nanos.load(Relaxed)),
            buckets: core::array::from_fn(|i| self.buckets[i].load(Relaxed)),
        }
    }

    /// Sets every counter back to zero and returns what they were.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::time::Duration;
    /// use hybrid_dispatch::layer::LatencyHistogram;
    ///
    /// let histogram = LatencyHistogram::new();
    /// histogram.record(Duration::from_nanos(5));
    /// assert_eq!(histogram.reset().count, 1);
    /// assert_eq!(histogram.snapshot().count, 0);
    /// ```
    pub fn reset(&self) -> LatencySnapshot {
        LatencySnapshot {
            count: self.count.swap(0, Relaxed),
            cancelled: self.cancelled.swap(0, Relaxed),
            total: Duration::from_nanos(self.total_nanos.swap(0, Relaxed)),
            max: Duration::from_nanos(self.max_nanos.swap(0, Relaxed)),
            buckets: core::array::from_fn(|i| self.buckets[i].swap(0, Relaxed)),
        }
    }
}

/// The bucket for a latency of `nanos`: the position of its highest set bit.
const fn bucket_of(nanos: u64) -> usize {
    let bit = 63 - (nanos | 1).leading_zeros() as usize;
    if bit < BUCKETS { bit } else { BUCKETS - 1 }
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

/// Lets [`Timed`](crate::layer::Timed) take the histogram by value, by
/// reference or through an `Arc` alike.
impl AsRef<LatencyHistogram> for LatencyHistogram {
    fn as_ref(&self) -> &LatencyHistogram {
        self
    }
}

impl fmt::Debug for LatencyHistogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LatencyHistogram")
            .field(&self.snapshot())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_powers_of_two() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(1), 0);
        assert_eq!(bucket_of(2), 1);
        assert_eq!(bucket_of(1023), 9);
        assert_eq!(bucket_of(1024), 10);
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
    }
}

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
