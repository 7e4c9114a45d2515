//! [`Capacity`]: the promise an inline capacity makes (no padding bytes),
//! and the capacities the crate defines. Users reach all of this through
//! [`crate::space`].
//!
//! Part of the crate's one `unsafe` module (`future`): the trait is what
//! upholds **Padding-free buffer** (see `future/mod.rs`).

#![allow(
    unsafe_code,
    reason = "part of the crate's one unsafe module: the promise behind the inline buffers"
)]

use core::fmt;
#[cfg(feature = "alloc")]
use core::marker::PhantomData;

/// A type whose size and alignment are an inline buffer's: the `Cap`
/// parameter of every erased future, slot and `dyn` service.
///
/// A capacity is never a value: only its layout is used. The erased future
/// is written into a buffer of the capacity's type, and that buffer may be
/// moved (a handle returned from a call, moved into a `Vec`, moved before
/// its first poll). A move copies the buffer *as the capacity type*, and
/// such a typed copy need not keep the bytes that are padding in that type
/// (rust-lang/rust#99604): a capacity like `(u64, u8)` would lose 7 of the
/// future's bytes on every move. So a capacity must have no padding, and
/// this trait is that promise.
///
/// Implemented for the crate's capacities ([`S1`] … [`S64`] and
/// [`S15`], the default, the
/// over-aligned blocks [`Align16`], [`Align32`], [`Align64`]), for every
/// primitive integer, and for arrays of capacities (an array has no padding
/// between elements), so `[u64; 24]` (192 bytes) and `[Align64; 2]`
/// (128 bytes aligned to 64) just work. A padded type is refused at
/// compile time:
///
/// ```compile_fail
/// use hybrid_dispatch::InlineFuture;
///
/// // error: `(u64, u8)` cannot be an inline capacity: it has padding bytes
/// let fut = InlineFuture::<'_, u8, (u64, u8)>::new(async { 1 });
/// ```
///
/// # Safety
///
/// Implement it only for a `Sized` type with **no padding bytes**: every
/// byte of its size belongs to a field of primitive integer type (or to an
/// array or type that itself implements `Capacity`). `#[repr(C)]` or
/// `#[repr(transparent)]` structs whose fields add up to the size with no
/// gaps qualify; `#[repr(align(N))]` with a smaller field does not. Getting
/// it wrong corrupts stored futures when their handle moves: undefined
/// behaviour.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::{InlineFuture, capacity::{Align64, S4}};
///
/// let words = InlineFuture::<'_, u64, [u64; 3]>::new(async { 1u64 });
/// let aligned = InlineFuture::<'_, u64, [Align64; 2]>::new(async { 2u64 });
/// assert!(!words.is_heap() && !aligned.is_heap());
/// assert_eq!(core::mem::align_of::<[Align64; 2]>(), 64);
/// # let _ = InlineFuture::<'_, u64, S4>::new(async { 3u64 });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an inline capacity: it may have padding bytes, which moving the buffer would not keep",
    label = "not a `Capacity`",
    note = "use `hybrid_dispatch::capacity::{{S1, S2, S4, S8, S15, S16, S32, S64}}`, an integer array like `[u64; 24]`, or `[capacity::Align64; N]` for over-aligned futures",
    note = "a type of your own with no padding bytes may `unsafe impl hybrid_dispatch::capacity::Capacity`"
)]
pub unsafe trait Capacity: Sized + 'static {}

// SAFETY: primitive integers have no padding.
unsafe impl Capacity for u8 {}
// SAFETY: as above.
unsafe impl Capacity for u16 {}
// SAFETY: as above.
unsafe impl Capacity for u32 {}
// SAFETY: as above.
unsafe impl Capacity for u64 {}
// SAFETY: as above.
unsafe impl Capacity for u128 {}
// SAFETY: as above.
unsafe impl Capacity for usize {}
// SAFETY: as above.
unsafe impl Capacity for i8 {}
// SAFETY: as above.
unsafe impl Capacity for i16 {}
// SAFETY: as above.
unsafe impl Capacity for i32 {}
// SAFETY: as above.
unsafe impl Capacity for i64 {}
// SAFETY: as above.
unsafe impl Capacity for i128 {}
// SAFETY: as above.
unsafe impl Capacity for isize {}
// SAFETY: an array's size is its element's times its length (the element's
// size is a multiple of its alignment), so an array of padding-free
// elements has no padding.
unsafe impl<C: Capacity, const N: usize> Capacity for [C; N] {}

/// Defines one capacity of `$words` machine words.
macro_rules! words {
    ($($name:ident = $words:literal),+ $(,)?) => {$(
        #[doc = concat!("An inline capacity of ", stringify!($words), " machine words (",
                        stringify!($words), " × 8 bytes on 64-bit targets), word-aligned.")]
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("assert_eq!(core::mem::size_of::<hybrid_dispatch::capacity::", stringify!($name),
                        ">(), ", stringify!($words), " * core::mem::size_of::<usize>());")]
        /// ```
        #[repr(transparent)]
        pub struct $name {
            _words: [usize; $words],
        }

        // SAFETY: `repr(transparent)` over an array of `usize`: no padding.
        unsafe impl Capacity for $name {}

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({} bytes)", stringify!($name), core::mem::size_of::<Self>())
            }
        }
    )+};
}

words!(
    S1 = 1,
    S2 = 2,
    S4 = 4,
    S8 = 8,
    S15 = 15,
    S16 = 16,
    S32 = 32,
    S64 = 64
);

/// Defines one over-aligned block: `$align` bytes, aligned to `$align`.
macro_rules! blocks {
    ($($name:ident = $align:literal),+ $(,)?) => {$(
        #[doc = concat!("A block of ", stringify!($align), " bytes aligned to ", stringify!($align),
                        ": arrays of it are capacities for over-aligned futures.")]
        ///
        /// A future whose alignment exceeds a capacity's goes to the heap
        /// (or, for the inline-only erasure, fails the build); a capacity
        #[doc = concat!("made of `", stringify!($name), "` blocks keeps futures aligned up to ",
                        stringify!($align), " bytes inline.")]
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("use hybrid_dispatch::capacity::", stringify!($name), ";")]
        ///
        #[doc = concat!("assert_eq!(core::mem::size_of::<[", stringify!($name), "; 3]>(), 3 * ",
                        stringify!($align), ");")]
        #[doc = concat!("assert_eq!(core::mem::align_of::<[", stringify!($name), "; 3]>(), ",
                        stringify!($align), ");")]
        /// ```
        #[repr(C, align($align))]
        pub struct $name {
            _bytes: [u8; $align],
        }

        // SAFETY: `repr(C)` with one `[u8; N]` field whose size equals the
        // alignment: no padding.
        unsafe impl Capacity for $name {}

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(stringify!($name))
            }
        }
    )+};
}

blocks!(Align16 = 16, Align32 = 32, Align64 = 64);

// **Padding-free buffer** rests on these: every block is exactly its
// alignment in size, so it has no tail padding.
const _: () = {
    assert!(core::mem::size_of::<Align16>() == 16);
    assert!(core::mem::size_of::<Align32>() == 32);
    assert!(core::mem::size_of::<Align64>() == 64);
    assert!(core::mem::size_of::<S16>() == 16 * core::mem::size_of::<usize>());
};

/// The capacity used when none is named: 15 machine words, 120 bytes on
/// 64-bit targets, so that the handle ([`InlineFuture`](crate::InlineFuture):
/// a vtable pointer and the buffer) is exactly 128 bytes.
///
/// Why 128 for the handle: every `.await` of a returned future moves it
/// into the awaiting state machine, and on x86-64 a move of up to 128 bytes
/// is a few inline vector moves while a larger one is a call to `memcpy`.
/// `cargo bench -p benches --bench callgrind_dispatch` measures it (a 40-byte future
/// awaited inside an outer `async fn`): with one word more (a 136-byte
/// handle) an awaited call takes clearly more instructions, and pinned
/// where the call returns it (`pin!(svc.call_dyn(x)).await`) the handle is
/// not moved at all. `BENCHMARKS.md` ("What the numbers say") has the
/// counts.
///
/// What it keeps inline, from measured sizes of ordinary tokio-based
/// `async fn` futures (rustc 1.95, x86-64, release; `cargo run --release
/// --example real_world_usage` prints them):
///
/// | future | bytes | at 15 words |
/// |---|---|---|
/// | `oneshot::Receiver` awaited | 24 | inline |
/// | one `yield_now().await` | 40 | inline |
/// | `Notify::notified().await` | 80 | inline |
/// | borrowed `&str` input, one await, `format!` | 88 | inline |
/// | semaphore permit, then an inner `async fn` | 120 | inline |
/// | `RwLock::read().await` + `HashMap::get` | 128 | spills |
/// | `RwLock::write().await` + insert | 128 | spills |
/// | `time::sleep(..).await` | 136 | spills |
/// | `mpsc::Sender::send(..).await` | 184 | spills |
///
/// Five of the nine stay inline (eight words, 64 bytes, would keep two;
/// sixteen words would keep seven, at the price of a `memcpy` call on every
/// await of every erased future; thirty-two would keep all nine in a
/// 264-byte handle). A spill costs one allocation of the future's size
/// (counted, see [`Counted`](crate::Counted)); for services whose futures
/// are larger, pick the capacity with the `Cap` parameter of
/// [`DynService`](crate::DynService), use the reusable slot (`call_in`,
/// which never moves the future), and check the choice with
/// [`FutureLayout`](crate::layout::FutureLayout) or
/// [`assert_fits_inline!`](crate::assert_fits_inline).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::InlineFuture;
/// use hybrid_dispatch::capacity::DefaultCapacity;
///
/// assert_eq!(core::mem::size_of::<DefaultCapacity>(), 15 * core::mem::size_of::<usize>());
/// assert_eq!(core::mem::size_of::<InlineFuture<'static, u64>>(), 16 * core::mem::size_of::<usize>());
/// ```
pub type DefaultCapacity = S15;

/// The check that a capacity can hold a pointer: the storages with a heap
/// fallback (`InlineBox`, `ReusableSlot`) keep the address of a future that
/// does not fit in their buffer. An associated constant rather than an
/// inline `const` block so that it is evaluated, and reported, once per
/// capacity; the first function to mention it (the user's constructor call,
/// or the erasure method behind the user's `dyn` cast) is where the error
/// points. Public for the code `#[dyn_twin]` generates (through
/// `__private`): a twin's erasure methods name it, so that the error says
/// which twin method, made where (the user's cast), asked for the capacity.
#[cfg(feature = "alloc")]
#[derive(Debug)]
pub struct PointerRoom<Cap>(PhantomData<Cap>);

#[cfg(feature = "alloc")]
impl<Cap> PointerRoom<Cap> {
    /// Fails the build (when evaluated) if `Cap` cannot hold a pointer.
    pub const CHECK: () = assert!(
        core::mem::size_of::<Cap>() >= core::mem::size_of::<*mut u8>(),
        "this capacity is smaller than a pointer, which `InlineFuture`, `FutureSlot` and `DynService` keep in it for a future that does not fit (even when this one fits): use `capacity::S1` or larger, or the inline-only erasure (`InlineOnlyFuture`, `InlineOnlyService`), which never boxes"
    );
}
