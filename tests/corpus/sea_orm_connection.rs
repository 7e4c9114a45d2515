//! `ConnectionTrait`: SeaQL/sea-orm, `src/database/connection.rs`.
//! Used through `dyn`: no, static-only: generic methods (`execute<S: StatementBuilder>`, ...);
//! callers take `C: ConnectionTrait` / `&impl ConnectionTrait`.
//! Shape: `Sync` supertrait only; generic async methods with default bodies calling `self`.

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

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DbBackend {
    Postgres,
    Sqlite,
}
impl DbBackend {
    pub fn build<S: StatementBuilder>(&self, stmt: &S) -> Statement {
        Statement { sql: stmt.sql() }
    }
    pub fn support_returning(&self) -> bool {
        matches!(self, DbBackend::Postgres)
    }
}
/// `Sync` as in sea-orm (`src/database/statement.rs`).
pub trait StatementBuilder: Sync {
    fn sql(&self) -> String;
}
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
}
#[derive(Debug, PartialEq)]
pub struct ExecResult {
    pub rows_affected: u64,
}
#[derive(Debug, PartialEq)]
pub struct QueryResult;
pub struct Select(pub &'static str);
impl StatementBuilder for Select {
    fn sql(&self) -> String {
        self.0.to_string()
    }
}
pub struct MockConn;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // SeaQL/sea-orm, `src/database/connection.rs`.
    #[async_trait::async_trait]
    pub trait ConnectionTrait: Sync {
        fn get_database_backend(&self) -> DbBackend;

        async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr>;

        async fn execute<S: StatementBuilder>(&self, stmt: &S) -> Result<ExecResult, DbErr> {
            let db_backend = self.get_database_backend();
            let stmt = db_backend.build(stmt);
            self.execute_raw(stmt).await
        }

        async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr>;

        async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr>;

        async fn query_one<S: StatementBuilder>(
            &self,
            stmt: &S,
        ) -> Result<Option<QueryResult>, DbErr> {
            let db_backend = self.get_database_backend();
            let stmt = db_backend.build(stmt);
            self.query_one_raw(stmt).await
        }

        async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr>;

        async fn query_all<S: StatementBuilder>(
            &self,
            stmt: &S,
        ) -> Result<Vec<QueryResult>, DbErr> {
            let db_backend = self.get_database_backend();
            let stmt = db_backend.build(stmt);
            self.query_all_raw(stmt).await
        }

        fn support_returning(&self) -> bool {
            let db_backend = self.get_database_backend();
            db_backend.support_returning()
        }

        fn is_mock_connection(&self) -> bool {
            false
        }
    }

    #[async_trait::async_trait]
    impl ConnectionTrait for MockConn {
        fn get_database_backend(&self) -> DbBackend {
            DbBackend::Sqlite
        }

        async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
            Ok(ExecResult {
                rows_affected: stmt.sql.len() as u64,
            })
        }

        async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
            Ok(ExecResult { rows_affected: 0 })
        }

        async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
            Ok(Some(QueryResult))
        }

        async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
            Ok(vec![QueryResult])
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
#[cfg(any())] // BLOCKED: static-only; refused: "the generic method `execute` cannot be called through `dyn`" (also `query_one`, `query_all`)
pub mod migrated {
    use super::*;

    // SeaQL/sea-orm, `src/database/connection.rs`.
    #[hybrid_dispatch::dyn_twin(DynConnectionTrait, send = SendDynConnectionTrait)]
    pub trait ConnectionTrait: Sync {
        fn get_database_backend(&self) -> DbBackend;

        async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr>;

        async fn execute<S: StatementBuilder>(&self, stmt: &S) -> Result<ExecResult, DbErr> {
            let db_backend = self.get_database_backend();
            let stmt = db_backend.build(stmt);
            self.execute_raw(stmt).await
        }

        async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr>;

        async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr>;

        async fn query_one<S: StatementBuilder>(
            &self,
            stmt: &S,
        ) -> Result<Option<QueryResult>, DbErr> {
            let db_backend = self.get_database_backend();
            let stmt = db_backend.build(stmt);
            self.query_one_raw(stmt).await
        }

        async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr>;

        async fn query_all<S: StatementBuilder>(
            &self,
            stmt: &S,
        ) -> Result<Vec<QueryResult>, DbErr> {
            let db_backend = self.get_database_backend();
            let stmt = db_backend.build(stmt);
            self.query_all_raw(stmt).await
        }

        fn support_returning(&self) -> bool {
            let db_backend = self.get_database_backend();
            db_backend.support_returning()
        }

        fn is_mock_connection(&self) -> bool {
            false
        }
    }

    impl ConnectionTrait for MockConn {
        fn get_database_backend(&self) -> DbBackend {
            DbBackend::Sqlite
        }

        async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
            Ok(ExecResult {
                rows_affected: stmt.sql.len() as u64,
            })
        }

        async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
            Ok(ExecResult { rows_affected: 0 })
        }

        async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
            Ok(Some(QueryResult))
        }

        async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
            Ok(vec![QueryResult])
        }
    }

    pub async fn run() {
        let conn = MockConn;
        assert_eq!(
            conn.execute(&Select("SELECT 1"))
                .await
                .unwrap()
                .rows_affected,
            8
        );
    }
}
