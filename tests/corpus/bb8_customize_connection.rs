//! `CustomizeConnection`: djc/bb8, `bb8/src/api.rs` (38d74f7^).
//! Used through `dyn`: yes, `Box<dyn CustomizeConnection<C, E>>` in `Builder`.
//! Shape: trait parameters with `Send + 'static` / `'static` bounds, `Debug + Send + Sync + 'static`
//! supertraits, a default body that ignores its `&mut C` argument.

use std::fmt;

#[derive(Debug)]
pub struct SetSearchPath(pub &'static str);
#[derive(Debug, Default)]
pub struct Conn {
    pub search_path: String,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // djc/bb8, `bb8/src/api.rs` (38d74f7^).
    #[async_trait::async_trait]
    pub trait CustomizeConnection<C: Send + 'static, E: 'static>:
        fmt::Debug + Send + Sync + 'static
    {
        async fn on_acquire(&self, _connection: &mut C) -> Result<(), E> {
            Ok(())
        }
    }

    #[async_trait::async_trait]
    impl CustomizeConnection<Conn, String> for SetSearchPath {
        async fn on_acquire(&self, connection: &mut Conn) -> Result<(), String> {
            connection.search_path = self.0.to_string();
            Ok(())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // djc/bb8, `bb8/src/api.rs` (38d74f7^).
    #[hybrid_dispatch::dyn_twin(DynCustomizeConnection, send = SendDynCustomizeConnection)]
    pub trait CustomizeConnection<C: Send + 'static, E: 'static>:
        fmt::Debug + Send + Sync + 'static
    {
        async fn on_acquire(&self, _connection: &mut C) -> Result<(), E> {
            Ok(())
        }
    }

    impl CustomizeConnection<Conn, String> for SetSearchPath {
        async fn on_acquire(&self, connection: &mut Conn) -> Result<(), String> {
            connection.search_path = self.0.to_string();
            Ok(())
        }
    }

    pub async fn run() {
        let customizer: Box<dyn SendDynCustomizeConnection<Conn, String>> =
            Box::new(SetSearchPath("app"));
        let mut conn = Conn::default();
        customizer.on_acquire(&mut conn).await.unwrap();
        assert_eq!(conn.search_path, "app");
    }
}
