//! `ResourceLimiterAsync`: bytecodealliance/wasmtime, `crates/wasmtime/src/runtime/limits.rs`.
//! Used through `dyn`: yes, `&mut dyn ResourceLimiterAsync` returned by the store's limiter closure
//! (`runtime/store.rs`).
//! Shape: `Send` only; `&mut self` async methods; sync default methods using crate constants and
//! `log::debug!`.

pub type Error = String;
pub type Result<T, E = Error> = std::result::Result<T, E>;
pub const DEFAULT_INSTANCE_LIMIT: usize = 10000;
pub const DEFAULT_TABLE_LIMIT: usize = 10000;
pub const DEFAULT_MEMORY_LIMIT: usize = 10000;
pub mod crate_ {
    pub type Error = super::Error;
}
pub mod log {
    macro_rules! debug {
        ($($t:tt)*) => {{
            let _ = format!($($t)*);
        }};
    }
    pub(crate) use debug;
}

pub struct MemoryCap {
    pub max: usize,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // bytecodealliance/wasmtime, `crates/wasmtime/src/runtime/limits.rs`.
    #[async_trait::async_trait]
    pub trait ResourceLimiterAsync: Send {
        async fn memory_growing(
            &mut self,
            current: usize,
            desired: usize,
            maximum: Option<usize>,
        ) -> Result<bool>;

        fn memory_grow_failed(&mut self, error: crate_::Error) -> Result<()> {
            log::debug!("ignoring memory growth failure error: {error:?}");
            Ok(())
        }

        async fn table_growing(
            &mut self,
            current: usize,
            desired: usize,
            maximum: Option<usize>,
        ) -> Result<bool>;

        fn table_grow_failed(&mut self, error: crate_::Error) -> Result<()> {
            log::debug!("ignoring table growth failure error: {error:?}");
            Ok(())
        }

        fn instances(&self) -> usize {
            DEFAULT_INSTANCE_LIMIT
        }

        fn tables(&self) -> usize {
            DEFAULT_TABLE_LIMIT
        }

        fn memories(&self) -> usize {
            DEFAULT_MEMORY_LIMIT
        }
    }

    #[async_trait::async_trait]
    impl ResourceLimiterAsync for MemoryCap {
        async fn memory_growing(
            &mut self,
            current: usize,
            desired: usize,
            maximum: Option<usize>,
        ) -> Result<bool> {
            Ok(desired <= self.max)
        }

        async fn table_growing(
            &mut self,
            current: usize,
            desired: usize,
            maximum: Option<usize>,
        ) -> Result<bool> {
            Ok(true)
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // bytecodealliance/wasmtime, `crates/wasmtime/src/runtime/limits.rs`.
    #[hybrid_dispatch::dyn_twin(DynResourceLimiterAsync, send = SendDynResourceLimiterAsync)]
    pub trait ResourceLimiterAsync: Send {
        async fn memory_growing(
            &mut self,
            current: usize,
            desired: usize,
            maximum: Option<usize>,
        ) -> Result<bool>;

        fn memory_grow_failed(&mut self, error: crate_::Error) -> Result<()> {
            log::debug!("ignoring memory growth failure error: {error:?}");
            Ok(())
        }

        async fn table_growing(
            &mut self,
            current: usize,
            desired: usize,
            maximum: Option<usize>,
        ) -> Result<bool>;

        fn table_grow_failed(&mut self, error: crate_::Error) -> Result<()> {
            log::debug!("ignoring table growth failure error: {error:?}");
            Ok(())
        }

        fn instances(&self) -> usize {
            DEFAULT_INSTANCE_LIMIT
        }

        fn tables(&self) -> usize {
            DEFAULT_TABLE_LIMIT
        }

        fn memories(&self) -> usize {
            DEFAULT_MEMORY_LIMIT
        }
    }

    impl ResourceLimiterAsync for MemoryCap {
        async fn memory_growing(
            &mut self,
            current: usize,
            desired: usize,
            maximum: Option<usize>,
        ) -> Result<bool> {
            Ok(desired <= self.max)
        }

        async fn table_growing(
            &mut self,
            current: usize,
            desired: usize,
            maximum: Option<usize>,
        ) -> Result<bool> {
            Ok(true)
        }
    }

    pub async fn run() {
        let mut limiter: Box<dyn SendDynResourceLimiterAsync> =
            Box::new(MemoryCap { max: 1 << 20 });
        assert!(limiter.memory_growing(0, 1 << 16, None).await.unwrap());
        assert!(!limiter.memory_growing_send(0, 1 << 21, None).await.unwrap());
    }
}
