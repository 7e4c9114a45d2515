//! A second corpus: real traits that declare their async methods natively (`async fn` in a
//! trait, or `fn m(..) -> impl Future<Output = T> + Send` written by hand), copied in shape
//! from open-source projects: networking, pools, consensus, web and RPC; storage, embedded I/O,
//! data pipelines and job queues; a language server, cloud credentials, DNS, databases
//! (`tests/native/README.md` has the table). Each file holds
//! the trait as the project declares it (`control`), the same trait under `#[dyn_twin]` with
//! the project's impls unchanged, and `migrated::run()`, which calls through the twin. Where
//! `#[dyn_twin]` rejects the trait or its expansion does not compile, the `migrated` module
//! (and its test here) are compiled out with `#[cfg(any())] // BLOCKED: <first error>`.
#![cfg(all(feature = "std", feature = "macros"))]
#![allow(
    dead_code,
    reason = "stubs and unused default methods copied from the projects"
)]
#![allow(unused_variables, reason = "impls keep the projects' argument names")]
#![allow(unreachable_pub, reason = "traits and stubs keep the projects' `pub`")]
#![allow(
    unused_imports,
    reason = "some imports serve only a `migrated` module that is compiled out"
)]

#[path = "native/actix_session_store_native.rs"]
mod actix_session_store_native;
#[path = "native/apalis_storage.rs"]
mod apalis_storage;
#[path = "native/aws_credential_types_provide_credentials.rs"]
mod aws_credential_types_provide_credentials;
#[path = "native/aws_smithy_resolve_identity.rs"]
mod aws_smithy_resolve_identity;
#[path = "native/commonware_merkle_storage.rs"]
mod commonware_merkle_storage;
#[path = "native/commonware_p2p_receiver.rs"]
mod commonware_p2p_receiver;
#[path = "native/deadpool_manager_native.rs"]
mod deadpool_manager_native;
#[path = "native/embedded_hal_async_delay_ns.rs"]
mod embedded_hal_async_delay_ns;
#[path = "native/embedded_hal_async_spi_device.rs"]
mod embedded_hal_async_spi_device;
#[path = "native/embedded_io_async_read.rs"]
mod embedded_io_async_read;
#[path = "native/etl_destination.rs"]
mod etl_destination;
#[path = "native/etl_state_store.rs"]
mod etl_state_store;
#[path = "native/hyper_service.rs"]
mod hyper_service;
#[path = "native/iroh_protocol_handler.rs"]
mod iroh_protocol_handler;
#[path = "native/nativelink_running_actions_manager.rs"]
mod nativelink_running_actions_manager;
#[path = "native/ntex_service.rs"]
mod ntex_service;
#[path = "native/ntex_service_factory.rs"]
mod ntex_service_factory;
#[path = "native/numaflow_data_store.rs"]
mod numaflow_data_store;
#[path = "native/opendal_oio_write.rs"]
mod opendal_oio_write;
#[path = "native/opendal_service.rs"]
mod opendal_service;
#[path = "native/openraft_network_factory_v2.rs"]
mod openraft_network_factory_v2;
#[path = "native/openraft_network_v2.rs"]
mod openraft_network_v2;
#[path = "native/poem_endpoint_native.rs"]
mod poem_endpoint_native;
#[path = "native/rama_service.rs"]
mod rama_service;
#[path = "native/redis_aio_connection_like.rs"]
mod redis_aio_connection_like;
#[path = "native/reqwest_dns_resolve.rs"]
mod reqwest_dns_resolve;
#[path = "native/rmcp_service.rs"]
mod rmcp_service;
#[path = "native/sqlx_connection.rs"]
mod sqlx_connection;
#[path = "native/tower_lsp_server_language_server.rs"]
mod tower_lsp_server_language_server;
#[path = "native/trillium_handler.rs"]
mod trillium_handler;
#[path = "native/trillium_object_safe_handler.rs"]
mod trillium_object_safe_handler;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iroh_protocol_handler() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(iroh_protocol_handler::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadpool_manager_native() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(deadpool_manager_native::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openraft_network_factory_v2() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(openraft_network_factory_v2::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openraft_network_factory_v2_generic() {
    // Awaited in place: the same future, spawned, does not compile (see the file).
    openraft_network_factory_v2::migrated::run_generic().await;
}

#[cfg(any())] // BLOCKED: tests/native/openraft_network_factory_v2.rs (`run_generic_in_task`)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openraft_network_factory_v2_generic_in_task() {
    openraft_network_factory_v2::migrated::run_generic_in_task().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poem_endpoint_native() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(poem_endpoint_native::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_session_store_native() {
    // Awaited in place: the trait's futures are not `Send` (a `?Send` trait, local twin only).
    actix_session_store_native::migrated::run().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rmcp_service() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(rmcp_service::migrated::run()).await.unwrap();
}

#[cfg(any())] // BLOCKED: tests/native/rama_service.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rama_service() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(rama_service::migrated::run()).await.unwrap();
}

#[cfg(any())] // BLOCKED: tests/native/openraft_network_v2.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openraft_network_v2() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(openraft_network_v2::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_hal_async_delay_ns() {
    // Not `Send` (embedded executors): the local twin, awaited on this thread.
    embedded_hal_async_delay_ns::run().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_io_async_read() {
    // Not `Send` (embedded executors): the local twin, awaited on this thread.
    embedded_io_async_read::run().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opendal_oio_write() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(opendal_oio_write::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opendal_service() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(opendal_service::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commonware_merkle_storage() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(commonware_merkle_storage::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commonware_p2p_receiver() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(commonware_p2p_receiver::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etl_state_store() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(etl_state_store::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numaflow_data_store() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(numaflow_data_store::run()).await.unwrap();
}

#[cfg(any())] // BLOCKED: tests/native/apalis_storage.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apalis_storage() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(apalis_storage::migrated::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_hal_async_spi_device() {
    // Not `Send` (embedded executors): the local twin, awaited on this thread.
    embedded_hal_async_spi_device::run().await;
}

#[cfg(any())] // BLOCKED: tests/native/etl_destination.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etl_destination() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(etl_destination::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_lsp_server_language_server() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(tower_lsp_server_language_server::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_lsp_server_language_server_generic() {
    // Awaited in place: generic code handed the `'static` trait's object (see the file).
    tower_lsp_server_language_server::run_generic().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trillium_handler() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(trillium_handler::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trillium_object_safe_handler() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(trillium_object_safe_handler::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_aio_connection_like() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(redis_aio_connection_like::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_smithy_resolve_identity() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(aws_smithy_resolve_identity::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_credential_types_provide_credentials() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(aws_credential_types_provide_credentials::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ntex_service_factory() {
    // Awaited in place: the trait's futures are not `Send` (local twin only).
    ntex_service_factory::migrated::run().await;
}

#[cfg(any())] // BLOCKED: tests/native/ntex_service.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ntex_service() {
    // Awaited in place: the trait's futures are not `Send` (local twin only).
    ntex_service::migrated::run().await;
}

#[cfg(any())] // BLOCKED: tests/native/sqlx_connection.rs (refused)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlx_connection() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(sqlx_connection::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_service() {
    // Awaited in place: it holds an `Arc` of the object, which is not `Send` (the trait
    // says neither `Send` nor `Sync`); `run` spawns a boxed one.
    hyper_service::migrated::run().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reqwest_dns_resolve() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(reqwest_dns_resolve::run()).await.unwrap();
}

#[cfg(any())] // BLOCKED: tests/native/nativelink_running_actions_manager.rs (refused)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nativelink_running_actions_manager() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(nativelink_running_actions_manager::migrated::run())
        .await
        .unwrap();
}
