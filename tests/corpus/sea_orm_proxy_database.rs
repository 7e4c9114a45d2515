//! `ProxyDatabaseTrait`: SeaQL/sea-orm, `src/database/proxy.rs`.
//! Used through `dyn`: yes, `Arc<Mutex<Box<dyn ProxyDatabaseTrait>>>` in the proxy connection.
//! Shape: `Send + Sync + Debug`; empty default async bodies; owned arguments.

use std::sync::{Arc, Mutex};

#[derive(Debug, PartialEq)]
pub enum DbErr {
    Migration(String),
    Query(String),
}
#[derive(Debug, Default)]
pub struct SchemaManager {
    pub tables: Mutex<Vec<String>>,
}

use std::fmt::Debug;

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
}
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyRow {
    pub values: Vec<String>,
}
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyExecResult {
    pub rows_affected: u64,
}
#[derive(Debug, Default)]
pub struct Echo;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // SeaQL/sea-orm, `src/database/proxy.rs`.
    #[async_trait::async_trait]
    pub trait ProxyDatabaseTrait: Send + Sync + Debug {
        async fn query(&self, statement: Statement) -> Result<Vec<ProxyRow>, DbErr>;

        async fn execute(&self, statement: Statement) -> Result<ProxyExecResult, DbErr>;

        async fn begin(&self) {}

        async fn commit(&self) {}

        async fn rollback(&self) {}

        fn start_rollback(&self) {}

        async fn ping(&self) -> Result<(), DbErr> {
            Ok(())
        }
    }

    #[async_trait::async_trait]
    impl ProxyDatabaseTrait for Echo {
        async fn query(&self, statement: Statement) -> Result<Vec<ProxyRow>, DbErr> {
            Ok(vec![ProxyRow {
                values: vec![statement.sql],
            }])
        }

        async fn execute(&self, statement: Statement) -> Result<ProxyExecResult, DbErr> {
            Ok(ProxyExecResult { rows_affected: 1 })
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // SeaQL/sea-orm, `src/database/proxy.rs`.
    #[hybrid_dispatch::dyn_twin(DynProxyDatabaseTrait, send = SendDynProxyDatabaseTrait)]
    pub trait ProxyDatabaseTrait: Send + Sync + Debug {
        async fn query(&self, statement: Statement) -> Result<Vec<ProxyRow>, DbErr>;

        async fn execute(&self, statement: Statement) -> Result<ProxyExecResult, DbErr>;

        async fn begin(&self) {}

        async fn commit(&self) {}

        async fn rollback(&self) {}

        fn start_rollback(&self) {}

        async fn ping(&self) -> Result<(), DbErr> {
            Ok(())
        }
    }

    impl ProxyDatabaseTrait for Echo {
        async fn query(&self, statement: Statement) -> Result<Vec<ProxyRow>, DbErr> {
            Ok(vec![ProxyRow {
                values: vec![statement.sql],
            }])
        }

        async fn execute(&self, statement: Statement) -> Result<ProxyExecResult, DbErr> {
            Ok(ProxyExecResult { rows_affected: 1 })
        }
    }

    pub async fn run() {
        // sea-orm holds `Arc<Mutex<Box<dyn ProxyDatabaseTrait>>>`; tokio's `Mutex` here, so the guard
        // may be held across the `.await`.
        let db: Arc<tokio::sync::Mutex<Box<dyn SendDynProxyDatabaseTrait>>> =
            Arc::new(tokio::sync::Mutex::new(Box::new(Echo)));
        let guard = db.lock().await;
        let rows = guard
            .query(Statement {
                sql: "SELECT 1".into(),
            })
            .await
            .unwrap();
        assert_eq!(rows[0].values, vec!["SELECT 1".to_string()]);
        assert_eq!(
            guard
                .execute_send(Statement {
                    sql: "DELETE".into()
                })
                .await
                .unwrap()
                .rows_affected,
            1
        );
        assert_eq!(guard.ping().await, Ok(()));
    }
}
