//! Measurement: a future's size and alignment ([`FutureLayout`]), whether it
//! fits a capacity ([`fits_inline`]), where an erased one went ([`Erasure`],
//! [`Placement`]), and the compile-time check
//! [`assert_fits_inline!`](crate::assert_fits_inline).

use core::fmt;
use core::future::Future;
use core::mem::{align_of, size_of};
use core::pin::Pin;
use core::task::{Context, Poll};

use pin_project_lite::pin_project;

/// The size, alignment and type of a future, known without creating it.
///
/// Every erased future remembers its `FutureLayout`, and you can ask for a
/// service's future layout before calling it ([`FutureLayout::of_service`]),
/// so a spill to the heap is never a mystery: it is the layout that did not
/// fit the capacity.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{service_fn, layout::FutureLayout, capacity::{S2, S8}};
///
/// let svc = service_fn(|x: u64| async move { [x; 6].iter().sum::<u64>() });
/// let layout = FutureLayout::of_service_val(&svc, &0u64);
/// assert!(layout.size() > 0);
/// assert!(layout.fits::<S8>());
/// println!("{layout}");
/// ```
#[derive(Clone, Copy)]
pub struct FutureLayout {
    size: usize,
    align: usize,
    // A function rather than a `&'static str`: `type_name` is not yet a
    // `const fn` on stable, and the layout of every erased future is built
    // at compile time (see `future/vtable.rs`).
    type_name: fn() -> &'static str,
}

impl FutureLayout {
    /// The layout of the type `F`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let layout = FutureLayout::of::<core::future::Ready<u32>>();
    /// assert_eq!(layout.size(), 8);
    /// assert_eq!(layout.align(), 4);
    /// ```
    #[must_use]
    pub const fn of<F>() -> Self {
        FutureLayout {
            size: size_of::<F>(),
            align: align_of::<F>(),
            type_name: core::any::type_name::<F>,
        }
    }

    /// The layout of `F` [`Tracked`] in counters of type `C` (what a
    /// registry entry stores per call: the future and a pointer to its
    /// counters), named for `F`.
    #[cfg(feature = "std")]
    pub(crate) const fn tracked<'a, F, C: ?Sized + Counts + 'a>() -> Self {
        FutureLayout {
            size: size_of::<Tracked<'a, F, C>>(),
            align: align_of::<Tracked<'a, F, C>>(),
            type_name: core::any::type_name::<F>,
        }
    }

    /// The layout of `value`'s type: for futures whose type cannot be
    /// named, such as an `async fn`'s or an `async` block's.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// async fn hold() -> u8 { let buffer = [1u8; 64]; core::future::ready(()).await; buffer[0] }
    /// assert!(FutureLayout::of_val(&hold()).size() >= 64);
    /// ```
    #[must_use]
    pub const fn of_val<F>(_value: &F) -> Self {
        Self::of::<F>()
    }

    /// Size in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(hybrid_dispatch::layout::FutureLayout::of::<[u8; 40]>().size(), 40);
    /// ```
    #[must_use]
    pub const fn size(&self) -> usize {
        self.size
    }

    /// Alignment in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(hybrid_dispatch::layout::FutureLayout::of::<u64>().align(), 8);
    /// ```
    #[must_use]
    pub const fn align(&self) -> usize {
        self.align
    }

    /// The future's type, as [`core::any::type_name`] spells it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(hybrid_dispatch::layout::FutureLayout::of::<u64>().type_name(), "u64");
    /// ```
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        (self.type_name)()
    }

    /// Whether a future of this layout is stored without allocating in the
    /// inline capacity `Cap` (see [`fits_inline`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{layout::FutureLayout, capacity::S4};
    ///
    /// assert!(FutureLayout::of::<[u64; 4]>().fits::<S4>());
    /// assert!(!FutureLayout::of::<[u64; 5]>().fits::<S4>());
    /// ```
    #[must_use]
    pub const fn fits<Cap>(&self) -> bool {
        self.fits_capacity(size_of::<Cap>(), align_of::<Cap>())
    }

    /// Whether a future of this layout is stored without allocating in an
    /// inline buffer of `size` bytes aligned to `align`.
    ///
    /// Zero-sized futures always fit: they need no storage at all, whatever
    /// their alignment.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// assert!(FutureLayout::of::<u64>().fits_capacity(8, 8));
    /// assert!(!FutureLayout::of::<u128>().fits_capacity(16, 8));
    /// ```
    #[must_use]
    pub const fn fits_capacity(&self, size: usize, align: usize) -> bool {
        self.size == 0 || (self.size <= size && self.align <= align)
    }
}

impl fmt::Debug for FutureLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FutureLayout")
            .field("size", &self.size)
            .field("align", &self.align)
            .field("type_name", &self.type_name())
            .finish()
    }
}

impl fmt::Display for FutureLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bytes, align {} ({})",
            self.size,
            self.align,
            self.type_name()
        )
    }
}

impl PartialEq for FutureLayout {
    fn eq(&self, other: &Self) -> bool {
        // Compare names, not function pointers: the same function may have
        // several addresses across codegen units.
        self.size == other.size
            && self.align == other.align
            && self.type_name() == other.type_name()
    }
}

impl Eq for FutureLayout {}

/// Whether a value of type `F` is stored without allocating in inline
/// capacity `Cap`: it fits in size and alignment, or it is zero-sized.
///
/// A `const fn`, so it can fail a build; see
/// [`assert_fits_inline!`](crate::assert_fits_inline).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{layout::fits_inline, capacity::S1};
///
/// const _: () = assert!(fits_inline::<u64, S1>());
/// assert!(!fits_inline::<u128, S1>());
/// // Zero-sized, over-aligned: still no allocation.
/// #[repr(align(64))]
/// struct Aligned;
/// assert!(fits_inline::<Aligned, S1>());
/// ```
#[must_use]
pub const fn fits_inline<F, Cap>() -> bool {
    FutureLayout::of::<F>().fits::<Cap>()
}

/// Where an erased future was put.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Counted, DynService, service_fn, layout::Placement};
///
/// let svc = Counted::new(service_fn(|x: u8| core::future::ready(x)));
/// let erased: &dyn DynService<u8, u8> = &svc;
/// drop(erased.call_dyn(1));
/// drop(erased.call_boxed(1));
/// assert_eq!((svc.stats().inline, svc.stats().heap), (1, 1));
/// # let _ = Placement::Inline;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Placement {
    /// In an inline buffer (of the returned handle or of a reusable slot):
    /// no allocation.
    Inline,
    /// In a heap allocation made for this call.
    Heap,
    /// In the heap buffer a [`FutureSlot`](crate::FutureSlot) keeps and
    /// reuses. No allocation for this call, unless the buffer had to grow
    /// for it ([`Erasure::allocated_bytes`] says so).
    SlotHeap,
    /// In a buffer taken from a
    /// [`RecyclePool`](crate::future::RecyclePool) and given back when the
    /// future is dropped. No allocation for this call, unless the pool had
    /// no idle buffer ([`Erasure::allocated_bytes`] says so).
    Recycled,
}

/// How a call ended, as the registries count it (beside where its
/// future went, [`Placement`]): a [`CallStats`](crate::registry::CallStats)
/// has one counter per outcome.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layout::Outcome;
///
/// assert_ne!(Outcome::Completed, Outcome::Cancelled);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Its future was dropped before it returned `Ready`.
    Cancelled,
    /// Its future returned `Ready`.
    Completed,
    /// The call panicked: in `Service::call`, or in its future's `poll`.
    Panicked,
}

impl Placement {
    /// `inline`, `heap` or `slot_heap`: how spans name it.
    #[cfg(feature = "tracing")]
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Placement::Inline => "inline",
            Placement::Heap => "heap",
            Placement::SlotHeap => "slot_heap",
            Placement::Recycled => "recycled",
        }
    }
}

#[cfg(feature = "alloc")]
impl Placement {
    pub(crate) const fn of_handle(heap: bool) -> Self {
        if heap {
            Placement::Heap
        } else {
            Placement::Inline
        }
    }

    /// Where an erased handle's future is, from its vtable's place.
    pub(crate) const fn of_header(boxed: bool, pooled: bool) -> Self {
        if pooled {
            Placement::Recycled
        } else {
            Placement::of_handle(boxed)
        }
    }

    pub(crate) const fn of_slot(heap: bool) -> Self {
        if heap {
            Placement::SlotHeap
        } else {
            Placement::Inline
        }
    }
}

/// Where one erased future went: reported to
/// [`Service::observe_erasure`](crate::Service::observe_erasure) on every
/// call made through `dyn`.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{Counted, DynService, service_fn, capacity::S1};
///
/// let svc = Counted::new(service_fn(|x: u64| core::future::ready([x; 4])));
/// let erased: &dyn DynService<u64, [u64; 4], S1> = &svc;
/// let fut = erased.call_dyn(3);
/// assert!(fut.is_heap());
/// assert_eq!(svc.stats().heap, 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Erasure {
    layout: FutureLayout,
    placement: Placement,
    /// Bytes this call allocated for the future (0: none).
    allocated: usize,
}

impl Erasure {
    /// An erasure that allocated exactly when it went to the heap (a box of
    /// the future's size).
    pub(crate) const fn new(layout: FutureLayout, placement: Placement) -> Self {
        let allocated = match placement {
            Placement::Heap => layout.size(),
            Placement::Inline | Placement::SlotHeap | Placement::Recycled => 0,
        };
        Erasure {
            layout,
            placement,
            allocated,
        }
    }

    /// An erasure into a recycled buffer; `allocated` is the buffer's size
    /// when the pool had none idle, 0 otherwise.
    #[cfg(feature = "std")]
    pub(crate) const fn recycled(layout: FutureLayout, allocated: usize) -> Self {
        Erasure {
            layout,
            placement: Placement::Recycled,
            allocated,
        }
    }

    /// An erasure into a slot whose heap buffer grew to `bytes` for it.
    #[cfg(feature = "alloc")]
    pub(crate) const fn slot_grown(layout: FutureLayout, bytes: usize) -> Self {
        Erasure {
            layout,
            placement: Placement::SlotHeap,
            allocated: bytes,
        }
    }

    /// The erased future's layout.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{InlineFuture, layout::FutureLayout};
    ///
    /// let ready = core::future::ready([0u64; 4]);
    /// let layout = FutureLayout::of_val(&ready);
    /// let fut = InlineFuture::<'_, [u64; 4]>::new(ready);
    /// assert_eq!(fut.erasure().layout(), layout);
    /// assert_eq!(fut.erasure().layout().size(), core::mem::size_of::<core::future::Ready<[u64; 4]>>());
    /// ```
    #[must_use]
    pub const fn layout(&self) -> FutureLayout {
        self.layout
    }

    /// Where the future was put.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{InlineFuture, layout::Placement, capacity::S1};
    ///
    /// let small = InlineFuture::<'_, u8, S1>::new(core::future::ready(1u8));
    /// assert_eq!(small.erasure().placement(), Placement::Inline);
    /// let large = InlineFuture::<'_, [u64; 4], S1>::new(core::future::ready([0u64; 4]));
    /// assert_eq!(large.erasure().placement(), Placement::Heap); // larger than 8 bytes
    /// ```
    #[must_use]
    pub const fn placement(&self) -> Placement {
        self.placement
    }

    /// Whether the future went to a heap allocation of its own
    /// ([`Placement::Heap`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{InlineFuture, capacity::S1};
    ///
    /// let small = InlineFuture::<'_, u8, S1>::new(core::future::ready(1u8));
    /// assert!(!small.erasure().is_heap());
    /// let large = InlineFuture::<'_, [u64; 4], S1>::new(core::future::ready([0u64; 4]));
    /// assert!(large.erasure().is_heap());
    /// assert_eq!(large.erasure().allocated_bytes(), large.erasure().layout().size());
    /// ```
    #[must_use]
    pub const fn is_heap(&self) -> bool {
        matches!(self.placement, Placement::Heap)
    }

    /// How many bytes this call allocated for the future: its size when it
    /// went to the heap, the slot's new buffer size when a
    /// [`FutureSlot`](crate::FutureSlot) had to grow for it, 0 otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::pin::pin;
    /// use hybrid_dispatch::{FutureSlot, capacity::S1};
    ///
    /// let mut slot = pin!(FutureSlot::<'_, [u8; 32], S1>::new());
    /// let first = slot.as_mut().put(core::future::ready([0u8; 32])).erasure();
    /// let second = slot.as_mut().put(core::future::ready([0u8; 32])).erasure();
    /// assert_eq!(first.allocated_bytes(), first.layout().size()); // the slot grew
    /// assert_eq!(second.allocated_bytes(), 0); // and was reused
    /// ```
    #[must_use]
    pub const fn allocated_bytes(&self) -> usize {
        self.allocated
    }
}

/// Fails the build when a service's future would not fit inline.
///
/// `assert_fits_inline!(Service, Request)` checks against the
/// [default capacity](crate::capacity::DefaultCapacity);
/// `assert_fits_inline!(Service, Request, Cap)` against `Cap`. The
/// service type must be `'static` (it is named in a constant).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{assert_fits_inline, ServiceFn, capacity::S2};
/// use core::future::Ready;
///
/// type Small = ServiceFn<fn(u64) -> Ready<u64>>;
/// assert_fits_inline!(Small, u64);
/// assert_fits_inline!(Small, u64, S2);
/// ```
///
/// A future larger than the capacity is a compile error:
///
/// ```compile_fail
/// use hybrid_dispatch::{assert_fits_inline, ServiceFn, capacity::S2};
/// use core::future::Ready;
///
/// type Large = ServiceFn<fn(u64) -> Ready<[u64; 32]>>;
/// assert_fits_inline!(Large, u64, S2); // error: the future of `Large` is larger than `S2`
/// ```
///
/// and so is one aligned more strictly than the capacity, even when it is
/// small enough:
///
/// ```compile_fail
/// use hybrid_dispatch::{assert_fits_inline, ServiceFn, capacity::S16};
/// use core::future::Ready;
///
/// #[repr(align(64))]
/// struct Aligned(u8);
/// type Over = ServiceFn<fn(u64) -> Ready<Aligned>>; // 128 bytes, align 64
/// assert_fits_inline!(Over, u64, S16); // 128 bytes, align 8
/// ```
#[macro_export]
macro_rules! assert_fits_inline {
    // Internal. Size and alignment are checked apart, and the message names
    // the types: the fixes differ, and a constant's message cannot print
    // the sizes themselves.
    (@check $service:ty, $request:ty, $space:ty, $space_name:expr) => {
        const _: () = {
            let layout = $crate::layout::FutureLayout::of::<
                <$service as $crate::Service<$request>>::Future<'static>,
            >();
            ::core::assert!(
                layout.fits_capacity(::core::mem::size_of::<$space>(), ::core::primitive::usize::MAX),
                "{}",
                ::core::concat!(
                    "assert_fits_inline!: the future of `", ::core::stringify!($service),
                    "` is larger than ", $space_name,
                    ", so it would spill to the heap: use a larger capacity or make the future smaller; `FutureLayout::of_service::<",
                    ::core::stringify!($service), ", ", ::core::stringify!($request),
                    ">()` gives its size",
                ),
            );
            ::core::assert!(
                layout.fits_capacity(::core::primitive::usize::MAX, ::core::mem::align_of::<$space>()),
                "{}",
                ::core::concat!(
                    "assert_fits_inline!: the future of `", ::core::stringify!($service),
                    "` is aligned more strictly than ", $space_name,
                    ", so it would spill to the heap: use a capacity of over-aligned blocks, like `[capacity::Align64; N]`",
                ),
            );
        };
    };
    ($service:ty, $request:ty $(,)?) => {
        $crate::assert_fits_inline!(@check $service, $request, $crate::capacity::DefaultCapacity, "the default capacity (`capacity::DefaultCapacity`)");
    };
    ($service:ty, $request:ty, $space:ty $(,)?) => {
        $crate::assert_fits_inline!(@check $service, $request, $space, ::core::concat!("`", ::core::stringify!($space), "`"));
    };
}

// ------------------------------------------------------------ tracked calls

/// What a [`Tracked`] future counts into: a registry entry's counters, or
/// one method's counters of a [`CountedTwin`](crate::twin::CountedTwin).
/// Sealed: implemented by this crate only.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layout::{Counts, Tracked};
///
/// // Code generic over what a tracked call counts into.
/// fn counting<F, C: Counts + ?Sized>(call: Tracked<'_, F, C>) -> Tracked<'_, F, C> {
///     call
/// }
/// fn twin_call<F>(call: hybrid_dispatch::twin::Tracked<'_, F>) -> hybrid_dispatch::twin::Tracked<'_, F> {
///     counting(call)
/// }
/// # let _ = twin_call::<core::future::Ready<u8>>;
/// ```
pub trait Counts: sealed_impl::Sealed {
    /// Counts a call as started.
    #[doc(hidden)]
    fn started(&self);
    /// Counts the end of a call.
    #[doc(hidden)]
    fn finished(&self, outcome: Outcome);
}

/// The seal: a public trait in a private module, for the implementors in
/// this crate (the twin's counters are in `twin`).
pub(crate) mod sealed_impl {
    #[allow(unreachable_pub)] // the seal of `Counts`, never nameable outside
    pub trait Sealed {}
}

pin_project! {
    /// The future of a tracked call (a measurement, like [`Placement`]):
    /// the callee's future and a reference to the counters it counts into.
    /// The call is counted as started when this future is made (or just
    /// before), and as completed, cancelled or panicked when it returns
    /// `Ready`, is dropped before that, or panics in `poll`. It is the one
    /// tracked-call type of both registries:
    ///
    /// * a [`RegistryFuture`](crate::registry::RegistryFuture) (a call
    ///   through a [`Handle`](crate::Handle)) is an erased
    ///   [`SendInlineFuture`](crate::SendInlineFuture) holding a `Tracked`
    ///   service future: the counters' pointer is inside the erased
    ///   future, so the handle is the size a plain `call_send`'s is;
    /// * a [`twin::Tracked`](crate::twin::Tracked) is a `Tracked`
    ///   implementor's future, made by a
    ///   [`CountedTwin`](crate::twin::CountedTwin) *before* its erasure:
    ///   the pointer is inside the erased future (one pointer larger than
    ///   the implementor's).
    ///
    /// The end is counted once: when `poll` returns `Ready`, when `poll`
    /// unwinds, or when the future is dropped before either (counted as
    /// the drop begins, before the callee's own destructor runs, so a
    /// destructor that panics is counted too).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let registry: Registry<u64, u64> = Registry::new();
    /// let double = registry.register("double", service_fn(|x: u64| async move { x * 2 })).unwrap();
    ///
    /// let fut = double.call(21); // the service's future, `Tracked` inside the erased one
    /// assert!(!fut.is_heap());
    /// assert_eq!(double.stats().in_flight, 1);
    /// assert_eq!(block_on(fut), 42);
    /// assert_eq!(double.stats().completed, 1);
    ///
    /// drop(double.call(1)); // dropped before `Ready`: cancelled
    /// assert_eq!(double.stats().cancelled, 1);
    /// assert_eq!(double.stats().in_flight, 0);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Tracked<'a, F, C>
    where
        C: ?Sized,
        C: Counts,
    {
        #[pin]
        pub(crate) future: F,
        // `Some` until the end is counted: then `None`, so that it is
        // counted once.
        counters: Option<&'a C>,
    }

    impl<'a, F, C> PinnedDrop for Tracked<'a, F, C>
    where
        C: ?Sized,
        C: Counts,
    {
        fn drop(this: Pin<&mut Self>) {
            if let Some(counters) = this.project().counters.take() {
                counters.finished(Outcome::Cancelled);
            }
        }
    }
}

impl<'a, F, C: ?Sized + Counts> Tracked<'a, F, C> {
    /// `future`, of a call its caller already counted as started in
    /// `counters`, or not counted (`None`).
    #[cfg(feature = "alloc")]
    #[inline(always)]
    pub(crate) fn new(future: F, counters: Option<&'a C>) -> Self {
        Tracked { future, counters }
    }

    /// `future`, of a call its caller already counted as started.
    #[cfg(feature = "std")]
    #[inline(always)]
    pub(crate) fn started(future: F, counters: &'a C) -> Self {
        Tracked {
            future,
            counters: Some(counters),
        }
    }
}

impl<F: Future, C: ?Sized + Counts> Future for Tracked<'_, F, C> {
    type Output = F::Output;

    // Always: the thin wrapper of every tracked call's two polls, which a
    // registry handle's erased poll called out of line (13 instructions of
    // a call at 40 bytes, measured with callgrind).
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        // Counts the call as panicked if `F::poll` unwinds (and takes the
        // counters, so that the drop that follows counts nothing more).
        let mut guard = PanicGuard {
            counters: this.counters,
            armed: true,
        };
        let poll = this.future.poll(cx);
        guard.armed = false;
        if poll.is_ready() {
            if let Some(counters) = guard.counters.take() {
                counters.finished(Outcome::Completed);
            }
        }
        poll
    }
}

/// See [`Tracked::poll`].
struct PanicGuard<'r, 'a, C: ?Sized + Counts> {
    counters: &'r mut Option<&'a C>,
    armed: bool,
}

impl<C: ?Sized + Counts> Drop for PanicGuard<'_, '_, C> {
    #[inline]
    fn drop(&mut self) {
        if self.armed {
            if let Some(counters) = self.counters.take() {
                counters.finished(Outcome::Panicked);
            }
        }
    }
}

impl<F, C: ?Sized + Counts> fmt::Debug for Tracked<'_, F, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tracked")
            .field("future", &core::any::type_name::<F>())
            .field("counting", &self.counters.is_some())
            .finish()
    }
}
