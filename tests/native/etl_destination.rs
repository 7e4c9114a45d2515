//! `Destination`: supabase/etl, `crates/etl/src/destination/base.rs` (read at cd49f6f8,
//! 2026-07).
//! Used through `dyn`: no, generically (`D: Destination + Clone + Send + Sync + 'static`, the
//! `PipelineDestination` capability); the project ships BigQuery, Iceberg, ClickHouse and
//! DuckLake destinations in `etl-destinations`, chosen from configuration, which a
//! `Arc<dyn SendDynDestination>` would hold.
//! Shape: no supertraits; an associated function without a receiver (`fn name() ->
//! &'static str`); default bodies written as `async` blocks that capture nothing
//! (`async { Ok(()) }`); arguments `&ReplicatedTableSchema` and owned one-shot senders.

use std::future::Future;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EtlError(pub &'static str);
pub type EtlResult<T> = Result<T, EtlError>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicatedTableSchema {
    pub name: String,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow(pub Vec<String>);
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Insert(TableRow),
    Commit,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestinationWriteStatus {
    Accepted,
    Durable,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteEventsDurability {
    MayDefer,
    RequireDurable,
}

/// `destination/async_result.rs`: the destination reports completion through a one-shot
/// channel.
#[derive(Debug)]
pub struct AsyncResult<T> {
    tx: Option<tokio::sync::oneshot::Sender<EtlResult<T>>>,
}
impl<T> AsyncResult<T> {
    pub fn new() -> (Self, tokio::sync::oneshot::Receiver<EtlResult<T>>) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        (Self { tx: Some(tx) }, rx)
    }
    pub fn send(mut self, result: EtlResult<T>) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(result);
        }
    }
}
pub type WriteTableRowsResult<T = DestinationWriteStatus> = AsyncResult<T>;
pub type DropTableForCopyResult<T = ()> = AsyncResult<T>;
pub type WriteEventsResult<T = DestinationWriteStatus> = AsyncResult<T>;

/// A destination as the project's docs write `NoopDestination`, counting rows.
#[derive(Clone, Default)]
pub struct CountingDestination {
    pub rows: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

#[cfg(any())] // BLOCKED: refused: "the associated function `name` has no `self`, so it cannot be called through `dyn`: add `where Self: Sized` to leave it out of the twin, or take `&self`"
mod migrated {
    use super::*;

    // supabase/etl, `crates/etl/src/destination/base.rs`.
    #[hybrid_dispatch::dyn_twin(DynDestination, send = SendDynDestination)]
    pub trait Destination {
        fn name() -> &'static str;

        fn shutdown(&self) -> impl Future<Output = EtlResult<()>> + Send {
            async { Ok(()) }
        }

        fn startup(&self) -> impl Future<Output = EtlResult<()>> + Send {
            async { Ok(()) }
        }

        fn drop_table_for_copy(
            &self,
            replicated_table_schema: &ReplicatedTableSchema,
            async_result: DropTableForCopyResult<()>,
        ) -> impl Future<Output = EtlResult<()>> + Send;

        fn write_table_rows(
            &self,
            replicated_table_schema: &ReplicatedTableSchema,
            table_rows: Vec<TableRow>,
            async_result: WriteTableRowsResult,
        ) -> impl Future<Output = EtlResult<()>> + Send;

        fn write_events(
            &self,
            events: Vec<Event>,
            durability: WriteEventsDurability,
            async_result: WriteEventsResult,
        ) -> impl Future<Output = EtlResult<()>> + Send;
    }

    impl Destination for CountingDestination {
        fn name() -> &'static str {
            "counting"
        }

        async fn drop_table_for_copy(
            &self,
            _replicated_table_schema: &ReplicatedTableSchema,
            async_result: DropTableForCopyResult<()>,
        ) -> EtlResult<()> {
            async_result.send(Ok(()));
            Ok(())
        }

        async fn write_table_rows(
            &self,
            _replicated_table_schema: &ReplicatedTableSchema,
            table_rows: Vec<TableRow>,
            async_result: WriteTableRowsResult,
        ) -> EtlResult<()> {
            self.rows
                .fetch_add(table_rows.len(), std::sync::atomic::Ordering::Relaxed);
            async_result.send(Ok(DestinationWriteStatus::Durable));
            Ok(())
        }

        async fn write_events(
            &self,
            events: Vec<Event>,
            _durability: WriteEventsDurability,
            async_result: WriteEventsResult,
        ) -> EtlResult<()> {
            async_result.send(Ok(DestinationWriteStatus::Accepted));
            Ok(())
        }
    }

    pub async fn run() {
        use std::sync::Arc;
        let destination = CountingDestination::default();
        let rows = Arc::clone(&destination.rows);
        let dest: Arc<dyn SendDynDestination> = Arc::new(destination);
        dest.startup().await.unwrap();
        let schema = ReplicatedTableSchema {
            name: "public.users".into(),
        };
        let (result, rx) = WriteTableRowsResult::new();
        dest.write_table_rows(&schema, vec![TableRow(vec!["1".into()])], result)
            .await
            .unwrap();
        assert_eq!(rx.await.unwrap(), Ok(DestinationWriteStatus::Durable));
        let (result, rx) = WriteEventsResult::new();
        dest.write_events_send(vec![Event::Commit], WriteEventsDurability::MayDefer, result)
            .await
            .unwrap();
        assert_eq!(rx.await.unwrap(), Ok(DestinationWriteStatus::Accepted));
        dest.shutdown_send().await.unwrap();
        assert_eq!(rows.load(std::sync::atomic::Ordering::Relaxed), 1);
    }
}
