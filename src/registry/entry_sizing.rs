//! [`EntrySizing`]: where one registered service's futures go, and why.

use core::fmt;
use core::mem::{align_of, size_of};

use crate::FutureLayout;

/// One registered service's future layout against the registry's inline
/// capacity: whether its erased futures stay inline, and if not, why.
///
/// The layout is the service's future *type*, known without calling it, so
/// the answer holds for every call: a service either never allocates
/// through the registry or allocates `future_layout().size()` bytes on every
/// call. From [`Handle::sizing`](crate::Handle::sizing) or, for every
/// service at once, [`Registry::sizing`](crate::Registry::sizing).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Registry, service_fn, space::S4};
///
/// let registry: Registry<u64, [u64; 8], S4> = Registry::new();
/// let wide = registry.register("wide", service_fn(|x: u64| core::future::ready([x; 8]))).unwrap();
/// let sizing = wide.sizing();
/// assert!(!sizing.is_inline());
/// assert_eq!(sizing.future_layout().size(), 72);
/// assert_eq!(sizing.to_string(), "72 bytes, align 8: heap (72 bytes > capacity 32)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntrySizing {
    service_type_name: &'static str,
    future: FutureLayout,
    capacity: usize,
    capacity_align: usize,
}

impl EntrySizing {
    pub(super) fn new<Space>(service_type_name: &'static str, future: FutureLayout) -> Self {
        EntrySizing {
            service_type_name,
            future,
            capacity: size_of::<Space>(),
            capacity_align: align_of::<Space>(),
        }
    }

    /// The concrete service type, as [`core::any::type_name`] spells it.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// let echo = registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// assert!(echo.sizing().service_type_name().contains("ServiceFn"));
    /// ```
    #[must_use]
    pub fn service_type_name(&self) -> &'static str {
        self.service_type_name
    }

    /// The size, alignment and type of the service's future.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, u64> = Registry::new();
    /// let ready = registry.register("ready", service_fn(|x: u64| core::future::ready(x))).unwrap();
    /// assert_eq!(ready.sizing().future_layout().size(), 16);
    /// ```
    #[must_use]
    pub fn future_layout(&self) -> FutureLayout {
        self.future
    }

    /// Whether the service's futures are stored inline in the registry's
    /// capacity (they fit in size and alignment, or are zero-sized).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, u64> = Registry::new();
    /// let ready = registry.register("ready", service_fn(|x: u64| core::future::ready(x))).unwrap();
    /// assert!(ready.sizing().is_inline());
    /// ```
    #[must_use]
    pub fn is_inline(&self) -> bool {
        self.future
            .fits_capacity(self.capacity, self.capacity_align)
    }
}

/// `24 bytes, align 8: inline`, or the reason for the spill.
impl fmt::Display for EntrySizing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bytes, align {}: {}",
            self.future.size(),
            self.future.align(),
            SpillReason(self)
        )
    }
}

/// `inline`, or `heap` and why: the part of [`EntrySizing`]'s `Display` that
/// the sizing table prints in its own column.
pub(super) struct SpillReason<'a>(pub(super) &'a EntrySizing);

impl fmt::Display for SpillReason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let EntrySizing {
            future,
            capacity,
            capacity_align,
            ..
        } = *self.0;
        if self.0.is_inline() {
            f.write_str("inline")
        } else if future.size() > capacity {
            write!(f, "heap ({} bytes > capacity {capacity})", future.size())
        } else {
            write!(
                f,
                "heap (align {} > capacity align {capacity_align})",
                future.align()
            )
        }
    }
}
