//! `ManageConnection`: djc/bb8, `bb8/src/api.rs` (38d74f7^, before bb8 moved to native async fn).
//! Used through `dyn`: no, static-only: `Sized` supertrait (`Pool<M: ManageConnection>`).
//! Shape: `Sized + Send + Sync + 'static`; associated types with `Send + 'static` bounds.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug, Default)]
pub struct Counter(pub AtomicU32);

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // djc/bb8, `bb8/src/api.rs` (38d74f7^, before bb8 moved to native async fn).
    #[async_trait::async_trait]
    pub trait ManageConnection: Sized + Send + Sync + 'static {
        type Connection: Send + 'static;
        type Error: fmt::Debug + Send + 'static;

        async fn connect(&self) -> Result<Self::Connection, Self::Error>;
        async fn is_valid(&self, conn: &mut Self::Connection) -> Result<(), Self::Error>;
        fn has_broken(&self, conn: &mut Self::Connection) -> bool;
    }

    #[async_trait::async_trait]
    impl ManageConnection for Counter {
        type Connection = u32;
        type Error = String;

        async fn connect(&self) -> Result<u32, String> {
            Ok(self.0.fetch_add(1, Ordering::SeqCst))
        }
        async fn is_valid(&self, conn: &mut u32) -> Result<(), String> {
            Ok(())
        }
        fn has_broken(&self, conn: &mut u32) -> bool {
            false
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
#[cfg(any())] // BLOCKED: static-only; refused: "a trait with a `Sized` supertrait cannot have a `dyn` twin"
pub mod migrated {
    use super::*;

    // djc/bb8, `bb8/src/api.rs` (38d74f7^, before bb8 moved to native async fn).
    #[hybrid_dispatch::dyn_twin(DynManageConnection, send = SendDynManageConnection)]
    pub trait ManageConnection: Sized + Send + Sync + 'static {
        type Connection: Send + 'static;
        type Error: fmt::Debug + Send + 'static;

        async fn connect(&self) -> Result<Self::Connection, Self::Error>;
        async fn is_valid(&self, conn: &mut Self::Connection) -> Result<(), Self::Error>;
        fn has_broken(&self, conn: &mut Self::Connection) -> bool;
    }

    impl ManageConnection for Counter {
        type Connection = u32;
        type Error = String;

        async fn connect(&self) -> Result<u32, String> {
            Ok(self.0.fetch_add(1, Ordering::SeqCst))
        }
        async fn is_valid(&self, conn: &mut u32) -> Result<(), String> {
            Ok(())
        }
        fn has_broken(&self, conn: &mut u32) -> bool {
            false
        }
    }

    pub async fn run() {
        let manager = Counter::default();
        assert_eq!(manager.connect().await, Ok(0));
    }
}
