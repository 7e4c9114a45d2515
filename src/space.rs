//! Inline capacities: how many bytes an erased future may take before it
//! spills to the heap.
//!
//! A capacity is a type whose size and alignment are the buffer's
//! (`S4` = 4 machine words, 32 bytes on 64-bit targets, aligned to a word).
//! Any `Sized` type works as a capacity, e.g. `[u64; 24]` for 192 bytes;
//! the ones here are the usual sizes. (`InlineFuture` needs room for at
//! least one pointer, its heap fallback.)
//!
//! # Examples
//!
//! ```
//! use hybrid_dispatch::{DynService, service_fn, space::{S4, S32}};
//!
//! let svc = service_fn(|x: u64| core::future::ready([x; 8])); // a 72-byte future
//! let small: &dyn DynService<u64, [u64; 8], S4> = &svc;
//! let large: &dyn DynService<u64, [u64; 8], S32> = &svc;
//! assert!(small.call_dyn(1).is_heap());
//! assert!(!large.call_dyn(1).is_heap());
//! ```

use core::fmt;

/// Defines one capacity of `$words` machine words.
macro_rules! spaces {
    ($($name:ident = $words:literal),+ $(,)?) => {$(
        #[doc = concat!("An inline capacity of ", stringify!($words), " machine words (",
                        stringify!($words), " × 8 bytes on 64-bit targets), word-aligned.")]
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("assert_eq!(core::mem::size_of::<hybrid_dispatch::space::", stringify!($name),
                        ">(), ", stringify!($words), " * core::mem::size_of::<usize>());")]
        /// ```
        pub struct $name {
            _words: [usize; $words],
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({} bytes)", stringify!($name), core::mem::size_of::<Self>())
            }
        }
    )+};
}

spaces!(S1 = 1, S2 = 2, S4 = 4, S8 = 8, S16 = 16, S32 = 32, S64 = 64);

/// The capacity used when none is named: 16 machine words, 128 bytes on
/// 64-bit targets.
///
/// Chosen from measured sizes of ordinary tokio-based `async fn` futures
/// (rustc 1.95, x86-64, release; `cargo run --release --example
/// real_world_usage` prints a few):
///
/// | future | bytes |
/// |---|---|
/// | `oneshot::Receiver` awaited | 24 |
/// | one `yield_now().await` | 40 |
/// | `Notify::notified().await` | 80 |
/// | borrowed `&str` input, one await, `format!` | 88 |
/// | semaphore permit, then an inner `async fn` | 120 |
/// | `RwLock::read().await` + `HashMap::get` | 128 |
/// | `time::sleep(..).await` | 136 |
/// | `RwLock::write().await` + insert | 128 |
/// | `mpsc::Sender::send(..).await` | 184 |
///
/// Eight words (64 bytes) would keep only the first two inline; sixteen keep
/// seven of the nine. Thirty-two would keep all, but every erased future's
/// handle would then carry 256 bytes, and a handle that is moved copies its
/// whole buffer (see the "moved once" rows of `benches/dispatch.rs`). Pick
/// your own with the `Space` parameter of
/// [`DynService`](crate::DynService) when your futures differ, and check it
/// with [`FutureLayout`](crate::FutureLayout) or
/// [`assert_fits_inline!`](crate::assert_fits_inline).
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::space::DefaultSpace;
///
/// assert_eq!(core::mem::size_of::<DefaultSpace>(), 16 * core::mem::size_of::<usize>());
/// ```
pub type DefaultSpace = S16;
