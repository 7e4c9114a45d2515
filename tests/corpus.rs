//! A corpus of real `#[async_trait]` traits, copied in shape from open-source
//! projects: each compiles under `async-trait` (`control`), and, where
//! `#[dyn_twin]` accepts it today, migrates with the README's one-line change
//! and makes one call through the `Send` twin (`migrated::run`). See
//! `tests/corpus/README.md` for the table and what blocks the others.
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

#[path = "corpus/actix_session_store.rs"]
mod actix_session_store;
#[path = "corpus/async_graphql_cache_storage.rs"]
mod async_graphql_cache_storage;
#[path = "corpus/async_graphql_extension.rs"]
mod async_graphql_extension;
#[path = "corpus/async_graphql_loader.rs"]
mod async_graphql_loader;
#[path = "corpus/axum_from_request_parts.rs"]
mod axum_from_request_parts;
#[path = "corpus/bb8_customize_connection.rs"]
mod bb8_customize_connection;
#[path = "corpus/bb8_manage_connection.rs"]
mod bb8_manage_connection;
#[path = "corpus/casbin_adapter.rs"]
mod casbin_adapter;
#[path = "corpus/datafusion_schema_provider.rs"]
mod datafusion_schema_provider;
#[path = "corpus/datafusion_table_provider.rs"]
mod datafusion_table_provider;
#[path = "corpus/datafusion_table_provider_factory.rs"]
mod datafusion_table_provider_factory;
#[path = "corpus/deadpool_manager.rs"]
mod deadpool_manager;
#[path = "corpus/hickory_authority.rs"]
mod hickory_authority;
#[path = "corpus/hickory_authority_object.rs"]
mod hickory_authority_object;
#[path = "corpus/object_store.rs"]
mod object_store;
#[path = "corpus/object_store_credential_provider.rs"]
mod object_store_credential_provider;
#[path = "corpus/object_store_multipart_store.rs"]
mod object_store_multipart_store;
#[path = "corpus/object_store_multipart_upload.rs"]
mod object_store_multipart_upload;
#[path = "corpus/object_store_signer.rs"]
mod object_store_signer;
#[path = "corpus/openraft_log_reader.rs"]
mod openraft_log_reader;
#[path = "corpus/openraft_network_factory.rs"]
mod openraft_network_factory;
#[path = "corpus/openraft_raft_network.rs"]
mod openraft_raft_network;
#[path = "corpus/pingora_background_service.rs"]
mod pingora_background_service;
#[path = "corpus/pingora_connection_filter.rs"]
mod pingora_connection_filter;
#[path = "corpus/pingora_handle_hit.rs"]
mod pingora_handle_hit;
#[path = "corpus/pingora_handle_miss.rs"]
mod pingora_handle_miss;
#[path = "corpus/pingora_health_check.rs"]
mod pingora_health_check;
#[path = "corpus/pingora_http_module.rs"]
mod pingora_http_module;
#[path = "corpus/pingora_proxy_http.rs"]
mod pingora_proxy_http;
#[path = "corpus/pingora_server_app.rs"]
mod pingora_server_app;
#[path = "corpus/pingora_service_discovery.rs"]
mod pingora_service_discovery;
#[path = "corpus/pingora_storage.rs"]
mod pingora_storage;
#[path = "corpus/pingora_tls_accept.rs"]
mod pingora_tls_accept;
#[path = "corpus/poem_acceptor.rs"]
mod poem_acceptor;
#[path = "corpus/poem_endpoint.rs"]
mod poem_endpoint;
#[path = "corpus/poem_from_request.rs"]
mod poem_from_request;
#[path = "corpus/reqwest_middleware.rs"]
mod reqwest_middleware;
#[path = "corpus/rocket_fairing.rs"]
mod rocket_fairing;
#[path = "corpus/rocket_route_handler.rs"]
mod rocket_route_handler;
#[path = "corpus/rocket_tls_resolver.rs"]
mod rocket_tls_resolver;
#[path = "corpus/sea_orm_connection.rs"]
mod sea_orm_connection;
#[path = "corpus/sea_orm_migration.rs"]
mod sea_orm_migration;
#[path = "corpus/sea_orm_proxy_database.rs"]
mod sea_orm_proxy_database;
#[path = "corpus/serenity_event_handler.rs"]
mod serenity_event_handler;
#[path = "corpus/serenity_framework.rs"]
mod serenity_framework;
#[path = "corpus/serenity_raw_event_handler.rs"]
mod serenity_raw_event_handler;
#[path = "corpus/tide_endpoint.rs"]
mod tide_endpoint;
#[path = "corpus/tide_middleware.rs"]
mod tide_middleware;
#[path = "corpus/tonic_health.rs"]
mod tonic_health;
#[path = "corpus/tower_sessions_expired_deletion.rs"]
mod tower_sessions_expired_deletion;
#[path = "corpus/tower_sessions_session_store.rs"]
mod tower_sessions_session_store;
#[path = "corpus/wasmtime_call_hook_handler.rs"]
mod wasmtime_call_hook_handler;
#[path = "corpus/wasmtime_input_stream.rs"]
mod wasmtime_input_stream;
#[path = "corpus/wasmtime_output_stream.rs"]
mod wasmtime_output_stream;
#[path = "corpus/wasmtime_pollable.rs"]
mod wasmtime_pollable;
#[path = "corpus/wasmtime_resource_limiter_async.rs"]
mod wasmtime_resource_limiter_async;
#[path = "corpus/zed_lsp_adapter_delegate.rs"]
mod zed_lsp_adapter_delegate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_connection_filter() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_connection_filter::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_service_discovery() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_service_discovery::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_health_check() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_health_check::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_storage() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_storage::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_handle_hit() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_handle_hit::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_handle_miss() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_handle_miss::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_http_module() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_http_module::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_tls_accept() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_tls_accept::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_background_service() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_background_service::migrated::run())
        .await
        .unwrap();
}

#[cfg(any())] // BLOCKED: tests/corpus/pingora_server_app.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_server_app() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_server_app::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_store() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(object_store::migrated::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_store_multipart_upload() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(object_store_multipart_upload::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_store_credential_provider() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(object_store_credential_provider::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_store_signer() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(object_store_signer::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_store_multipart_store() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(object_store_multipart_store::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_sessions_session_store() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(tower_sessions_session_store::migrated::run())
        .await
        .unwrap();
}

#[cfg(any())] // BLOCKED: tests/corpus/tower_sessions_expired_deletion.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_sessions_expired_deletion() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(tower_sessions_expired_deletion::migrated::run())
        .await
        .unwrap();
}

#[cfg(any())] // BLOCKED: tests/corpus/bb8_manage_connection.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bb8_manage_connection() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(bb8_manage_connection::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bb8_customize_connection() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(bb8_customize_connection::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadpool_manager() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(deadpool_manager::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_graphql_extension() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(async_graphql_extension::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_graphql_loader() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(async_graphql_loader::migrated::run())
        .await
        .unwrap();
}

#[cfg(any())] // BLOCKED: tests/corpus/async_graphql_cache_storage.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_graphql_cache_storage() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(async_graphql_cache_storage::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poem_endpoint() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(poem_endpoint::migrated::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poem_acceptor() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(poem_acceptor::migrated::run()).await.unwrap();
}

#[cfg(any())] // BLOCKED: tests/corpus/poem_from_request.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poem_from_request() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(poem_from_request::migrated::run())
        .await
        .unwrap();
}

#[cfg(any())] // BLOCKED: tests/corpus/axum_from_request_parts.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_from_request_parts() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(axum_from_request_parts::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openraft_raft_network() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(openraft_raft_network::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openraft_network_factory() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(openraft_network_factory::migrated::run())
        .await
        .unwrap();
}

#[cfg(any())] // BLOCKED: tests/corpus/openraft_log_reader.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openraft_log_reader() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(openraft_log_reader::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasmtime_pollable() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(wasmtime_pollable::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasmtime_input_stream() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(wasmtime_input_stream::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasmtime_output_stream() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(wasmtime_output_stream::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasmtime_resource_limiter_async() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(wasmtime_resource_limiter_async::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasmtime_call_hook_handler() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(wasmtime_call_hook_handler::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_event_handler() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(serenity_event_handler::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_raw_event_handler() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(serenity_raw_event_handler::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_framework() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(serenity_framework::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sea_orm_migration() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(sea_orm_migration::migrated::run())
        .await
        .unwrap();
}

#[cfg(any())] // BLOCKED: tests/corpus/sea_orm_connection.rs
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sea_orm_connection() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(sea_orm_connection::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sea_orm_proxy_database() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(sea_orm_proxy_database::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rocket_fairing() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(rocket_fairing::migrated::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rocket_route_handler() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(rocket_route_handler::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rocket_tls_resolver() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(rocket_tls_resolver::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reqwest_middleware() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(reqwest_middleware::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tide_middleware() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(tide_middleware::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tide_endpoint() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(tide_endpoint::migrated::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn casbin_adapter() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(casbin_adapter::migrated::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tonic_health() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(tonic_health::migrated::run()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zed_lsp_adapter_delegate() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(zed_lsp_adapter_delegate::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_session_store() {
    // `?Send`: the local twin, awaited on this thread.
    actix_session_store::migrated::run().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingora_proxy_http() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(pingora_proxy_http::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datafusion_table_provider() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(datafusion_table_provider::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datafusion_schema_provider() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(datafusion_schema_provider::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datafusion_table_provider_factory() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(datafusion_table_provider_factory::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hickory_authority_object() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(hickory_authority_object::migrated::run())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hickory_authority() {
    // Spawned: the calls through the `Send` twin make a `Send` future.
    tokio::spawn(hickory_authority::migrated::run())
        .await
        .unwrap();
}
