//! [`SizingReport`]: for every registered service, its future's layout,
//! whether it fits the registry's capacity and why not ([`EntrySizing`]),
//! and the smallest standard capacity that would keep them all inline.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::mem::{align_of, size_of};

use crate::capacity::{S1, S2, S4, S8, S15, S16, S32, S64};
use crate::layout::FutureLayout;
use crate::registry::table::{Table, short_type_name};

/// One of the crate's capacity types: its name, size and alignment (the
/// erasure's rule is [`FutureLayout::fits_capacity`] of those).
struct StandardSpace {
    name: &'static str,
    bytes: usize,
    align: usize,
}

impl StandardSpace {
    const fn of<Cap>(name: &'static str) -> Self {
        StandardSpace {
            name,
            bytes: size_of::<Cap>(),
            align: align_of::<Cap>(),
        }
    }

    fn fits(&self, layout: FutureLayout) -> bool {
        layout.fits_capacity(self.bytes, self.align)
    }
}

/// The standard capacities, smallest first.
const SPACES: [StandardSpace; 8] = [
    StandardSpace::of::<S1>("S1"),
    StandardSpace::of::<S2>("S2"),
    StandardSpace::of::<S4>("S4"),
    StandardSpace::of::<S8>("S8"),
    StandardSpace::of::<S15>("S15"),
    StandardSpace::of::<S16>("S16"),
    StandardSpace::of::<S32>("S32"),
    StandardSpace::of::<S64>("S64"),
];

/// Where each registered service's futures go, from
/// [`Registry::sizing`](crate::Registry::sizing): each future's size and
/// alignment, whether it fits the registry's inline capacity, and the
/// smallest capacity that would keep every registered future inline.
/// `Display` prints it as a table.
///
/// The report is about types, not calls: it is exact before the first call,
/// a service listed as `recycled` allocates only when its pool has no idle
/// buffer, and one listed as `heap` allocates its future's size on every
/// call.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Registry, service_fn};
///
/// let registry: Registry<u64, u64> = Registry::new();
/// registry.register("small", service_fn(|x: u64| async move { x })).unwrap();
/// registry
///     .register("large", service_fn(|x: u64| async move {
///         let scratch = [x; 40]; // 320 bytes held across an await
///         core::future::ready(()).await;
///         scratch.iter().sum()
///     }))
///     .unwrap();
///
/// let sizing = registry.sizing();
/// assert_eq!(sizing.capacity(), 120);
/// assert!(!sizing.all_inline());
/// assert_eq!(sizing.spilled().collect::<Vec<_>>(), ["large"]);
/// assert!(sizing.required_capacity() > 320);
/// assert_eq!(sizing.smallest_space(), Some("S64"));
/// print!("{sizing}");
/// // capacity: 120 bytes, align 8 (S15)
/// // service  future bytes  align  placement                    service type
/// // large             ...      8  recycled (... bytes > capacity 120; up to 256 idle buffers of ... bytes)  ServiceFn<...>
/// // small             ...      8  inline                       ServiceFn<...>
/// // every future inline needs 336 bytes, align 8: capacity::S64 (512 bytes)
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizingReport {
    capacity: usize,
    capacity_align: usize,
    space_type_name: &'static str,
    entries: Vec<(String, EntrySizing)>,
}

impl SizingReport {
    pub(crate) fn new<Cap>(entries: Vec<(String, EntrySizing)>) -> Self {
        SizingReport {
            capacity: size_of::<Cap>(),
            capacity_align: align_of::<Cap>(),
            space_type_name: core::any::type_name::<Cap>(),
            entries,
        }
    }

    /// The registry's inline capacity in bytes (`size_of::<Cap>()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, capacity::S4};
    ///
    /// assert_eq!(Registry::<u8, u8, S4>::new().sizing().capacity(), 32);
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The alignment of the registry's inline buffer (`align_of::<Cap>()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::Registry;
    ///
    /// let align = Registry::<u8, u8>::new().sizing().capacity_align();
    /// assert_eq!(align, core::mem::align_of::<usize>());
    /// ```
    #[must_use]
    pub fn capacity_align(&self) -> usize {
        self.capacity_align
    }

    /// Each service's name and sizing, in name order.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// for (name, sizing) in registry.sizing().iter() {
    ///     println!("{name}: {sizing}");
    /// }
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &EntrySizing)> {
        self.entries
            .iter()
            .map(|(name, sizing)| (name.as_str(), sizing))
    }

    /// The sizing of the service named `name`, if it was registered when
    /// the report was made.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u8, u8> = Registry::new();
    /// registry.register("echo", service_fn(|x: u8| async move { x })).unwrap();
    /// assert!(registry.sizing().get("echo").unwrap().is_inline());
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&EntrySizing> {
        self.entries
            .binary_search_by(|(entry, _)| entry.as_str().cmp(name))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// Whether every registered service's futures stay inline.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::Registry;
    ///
    /// assert!(Registry::<u8, u8>::new().sizing().all_inline());
    /// ```
    #[must_use]
    pub fn all_inline(&self) -> bool {
        self.entries.iter().all(|(_, sizing)| sizing.is_inline())
    }

    /// The names of the services whose futures go to the heap.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, [u64; 32]> = Registry::new();
    /// registry.register("wide", service_fn(|x: u64| core::future::ready([x; 32]))).unwrap();
    /// registry.register("zero", service_fn(|_: u64| core::future::ready([0; 32]))).unwrap();
    /// // Both futures hold a 256-byte array, more than the default 120 bytes.
    /// assert_eq!(registry.sizing().spilled().collect::<Vec<_>>(), ["wide", "zero"]);
    /// ```
    pub fn spilled(&self) -> impl Iterator<Item = &str> {
        self.iter()
            .filter(|(_, sizing)| !sizing.is_inline())
            .map(|(name, _)| name)
    }

    /// The smallest inline capacity, in bytes, that would keep every
    /// registered future inline: the largest future's size (zero-sized
    /// futures need none). It must also be aligned to
    /// [`required_align`](Self::required_align).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, [u64; 4]> = Registry::new();
    /// registry.register("ready", service_fn(|x: u64| core::future::ready([x; 4]))).unwrap();
    /// assert_eq!(registry.sizing().required_capacity(), 48); // 40, and the counters pointer
    /// ```
    #[must_use]
    pub fn required_capacity(&self) -> usize {
        self.nonzero_layouts()
            .map(|layout| layout.size())
            .max()
            .unwrap_or(0)
    }

    /// The alignment an inline buffer needs to keep every registered future
    /// inline: the largest alignment among the (non-zero-sized) futures.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, u64> = Registry::new();
    /// registry.register("ready", service_fn(|x: u64| core::future::ready(x))).unwrap();
    /// assert_eq!(registry.sizing().required_align(), 8);
    /// ```
    #[must_use]
    pub fn required_align(&self) -> usize {
        self.nonzero_layouts()
            .map(|layout| layout.align())
            .max()
            .unwrap_or(1)
    }

    /// The name of the smallest of the crate's capacity types
    /// ([`capacity::S1`](crate::capacity::S1) to [`capacity::S64`](crate::capacity::S64))
    /// that would keep every registered future inline, or `None` if even
    /// `S64` is too small or not aligned enough (then a capacity such as
    /// `[u64; 96]` or `[capacity::Align64; 2]` will do; the report's last line
    /// names one).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, [u64; 4]> = Registry::new();
    /// assert_eq!(registry.sizing().smallest_space(), Some("S1"));
    /// registry.register("ready", service_fn(|x: u64| core::future::ready([x; 4]))).unwrap();
    /// assert_eq!(registry.sizing().smallest_space(), Some("S8")); // 40 bytes: S4 holds 32
    /// ```
    #[must_use]
    pub fn smallest_space(&self) -> Option<&'static str> {
        self.smallest().map(|space| space.name)
    }

    fn smallest(&self) -> Option<&'static StandardSpace> {
        SPACES.iter().find(|space| {
            self.entries
                .iter()
                .all(|(_, sizing)| space.fits(sizing.future_layout()))
        })
    }

    fn nonzero_layouts(&self) -> impl Iterator<Item = FutureLayout> + '_ {
        self.entries
            .iter()
            .map(|(_, sizing)| sizing.future_layout())
            .filter(|layout| layout.size() != 0)
    }

    /// The report's last line: what it would take to keep everything inline.
    fn verdict(&self) -> String {
        let (size, align) = (self.required_capacity(), self.required_align());
        let need = format!("every future inline needs {size} bytes, align {align}");
        match self.smallest() {
            Some(space) => format!("{need}: capacity::{} ({} bytes)", space.name, space.bytes),
            None if align > align_of::<usize>() && align <= 64 => format!(
                "{need}: no capacity::S* type is aligned to {align}; use [capacity::Align{align}; {}]",
                size.div_ceil(align)
            ),
            None if align > align_of::<usize>() => format!(
                "{need}: no space type is aligned to {align}; use a padding-free #[repr(C, align({align}))] capacity (unsafe impl capacity::Capacity)"
            ),
            None => format!(
                "{need}: larger than capacity::S64 ({} bytes); use e.g. [usize; {}]",
                size_of::<S64>(),
                size.div_ceil(size_of::<usize>())
            ),
        }
    }
}

impl fmt::Display for SizingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "capacity: {} bytes, align {} ({})",
            self.capacity,
            self.capacity_align,
            short_type_name(self.space_type_name)
        )?;
        let mut table = Table::new(
            [
                "service",
                "future bytes",
                "align",
                "placement",
                "service type",
            ],
            [false, true, true, false, false],
        );
        for (name, sizing) in self.iter() {
            let layout = sizing.future_layout();
            table.row([
                name.to_string(),
                layout.size().to_string(),
                layout.align().to_string(),
                SpillReason(sizing).to_string(),
                short_type_name(sizing.service_type_name()),
            ]);
        }
        table.fmt(f)?;
        writeln!(f, "{}", self.verdict())
    }
}

/// One registered service's future layout against the registry's inline
/// capacity: whether its erased futures stay inline, and if not, why.
///
/// The layout is the service's future *type*, known without calling it, so
/// the answer holds for every call: a service's futures are inline on every
/// call, or in a buffer recycled from its entry's pool on every call
/// (allocating only when no idle buffer is left), or — with recycling off —
/// in a box of `future_layout().size()` bytes on every call. From [`Handle::sizing`](crate::Handle::sizing) or, for every
/// service at once, [`Registry::sizing`](crate::Registry::sizing).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Registry, service_fn, capacity::S4};
///
/// let registry: Registry<u64, [u64; 8], S4> = Registry::new();
/// let wide = registry.register("wide", service_fn(|x: u64| core::future::ready([x; 8]))).unwrap();
/// let sizing = wide.sizing();
/// assert!(!sizing.is_inline());
/// // A 72-byte future, and the entry's counters pointer beside it.
/// assert_eq!(sizing.future_layout().size(), 80);
/// assert_eq!(
///     sizing.to_string(),
///     "80 bytes, align 8: recycled (80 bytes > capacity 32; up to 256 idle buffers of 88 bytes)",
/// );
///
/// // Without recycling, every call boxes its future.
/// let boxing: Registry<u64, [u64; 8], S4> = Registry::with_max_idle(0);
/// let wide = boxing.register("wide", service_fn(|x: u64| core::future::ready([x; 8]))).unwrap();
/// assert_eq!(wide.sizing().to_string(), "80 bytes, align 8: heap (80 bytes > capacity 32)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntrySizing {
    service_type_name: &'static str,
    future: FutureLayout,
    capacity: usize,
    capacity_align: usize,
    /// For a registry entry that recycles: the bound on its idle buffers
    /// and one buffer's size.
    recycling: Option<(usize, usize)>,
}

impl EntrySizing {
    pub(crate) fn new<Cap>(service_type_name: &'static str, future: FutureLayout) -> Self {
        EntrySizing {
            service_type_name,
            future,
            capacity: size_of::<Cap>(),
            capacity_align: align_of::<Cap>(),
            recycling: None,
        }
    }

    /// The same sizing, for an entry whose futures go to a pool keeping
    /// at most `max_idle` buffers of `buffer_bytes` (when they do not fit).
    pub(crate) fn with_pool(mut self, max_idle: usize, buffer_bytes: usize) -> Self {
        if !self.is_inline() && max_idle != 0 {
            self.recycling = Some((max_idle, buffer_bytes));
        }
        self
    }

    /// Whether the service's futures go to buffers recycled from the
    /// entry's pool: they do not fit inline, and the registry recycles
    /// (see [`Registry::with_max_idle`](crate::Registry::with_max_idle)).
    /// Such an entry allocates only when its pool has no idle buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, [u64; 32]> = Registry::new();
    /// let wide = registry.register("wide", service_fn(|x: u64| core::future::ready([x; 32]))).unwrap();
    /// assert!(wide.sizing().is_recycled());
    /// assert!(wide.sizing().to_string().contains("recycled"));
    /// ```
    #[must_use]
    pub fn is_recycled(&self) -> bool {
        self.recycling.is_some()
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
    /// // A 16-byte future, and the entry's counters pointer beside it.
    /// assert_eq!(ready.sizing().future_layout().size(), 24);
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
            recycling,
            ..
        } = *self.0;
        if self.0.is_inline() {
            return f.write_str("inline");
        }
        let place = if recycling.is_some() {
            "recycled"
        } else {
            "heap"
        };
        if future.size() > capacity {
            write!(f, "{place} ({} bytes > capacity {capacity}", future.size())?;
        } else {
            write!(
                f,
                "{place} (align {} > capacity align {capacity_align}",
                future.align()
            )?;
        }
        match recycling {
            Some((max_idle, bytes)) => {
                write!(f, "; up to {max_idle} idle buffers of {bytes} bytes)")
            }
            None => f.write_str(")"),
        }
    }
}
