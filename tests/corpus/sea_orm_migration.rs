//! `MigrationTrait`: SeaQL/sea-orm, `sea-orm-migration/src/lib.rs`.
//! Used through `dyn`: yes, `Vec<Box<dyn MigrationTrait>>` returned by `MigratorTrait::migrations`.
//! Shape: a user (non-async) supertrait `MigrationName`; a default async body ignoring its
//! argument; a sync default method.

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

pub trait MigrationName {
    fn name(&self) -> &str;
}
pub struct CreatePost;
impl MigrationName for CreatePost {
    fn name(&self) -> &str {
        "m20220101_000001_create_post"
    }
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // SeaQL/sea-orm, `sea-orm-migration/src/lib.rs`.
    #[async_trait::async_trait]
    pub trait MigrationTrait: MigrationName + Send + Sync {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr>;

        async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
            Err(DbErr::Migration("We Don't Do That Here".to_owned()))
        }

        fn use_transaction(&self) -> Option<bool> {
            None
        }
    }

    #[async_trait::async_trait]
    impl MigrationTrait for CreatePost {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            manager.tables.lock().unwrap().push("post".into());
            Ok(())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // SeaQL/sea-orm, `sea-orm-migration/src/lib.rs`.
    #[hybrid_dispatch::dyn_twin(DynMigrationTrait, send = SendDynMigrationTrait)]
    pub trait MigrationTrait: MigrationName + Send + Sync {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr>;

        async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
            Err(DbErr::Migration("We Don't Do That Here".to_owned()))
        }

        fn use_transaction(&self) -> Option<bool> {
            None
        }
    }

    impl MigrationTrait for CreatePost {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            manager.tables.lock().unwrap().push("post".into());
            Ok(())
        }
    }

    pub async fn run() {
        let migrations: Vec<Box<dyn SendDynMigrationTrait>> = vec![Box::new(CreatePost)];
        let manager = SchemaManager::default();
        for m in &migrations {
            m.up(&manager).await.unwrap();
            assert!(m.down_send(&manager).await.is_err());
        }
        assert_eq!(*manager.tables.lock().unwrap(), vec!["post".to_string()]);
    }
}
