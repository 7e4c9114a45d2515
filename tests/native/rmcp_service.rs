//! `Service`: modelcontextprotocol/rust-sdk (rmcp, the Model Context Protocol SDK),
//! `crates/rmcp/src/service.rs` (rmcp 3.1.4; snapshot 4a738b9d, file last changed in
//! d272389f, 2026-07-30).
//! Used through `dyn`: yes. `ServiceExt::into_dyn` makes a `Box<dyn DynService<R>>`, rmcp's
//! hand-written boxed twin ("to store the services in a collection"), and rmcp implements
//! `Service<R>` for that box so that `serve` (generic over `S: Service<R>`) takes it. Here the
//! twin replaces `DynService`, and the box impl is the project's, naming the twin instead.
//! Shape: native `fn m(&self, ..) -> impl Future<Output = T> + MaybeSendFuture + '_` (rmcp's
//! alias of `Send`, empty under its `local` feature); the trait is declared twice, under
//! `cfg(not(feature = "local"))` and `cfg(feature = "local")` (the `local` one has no `Send`
//! supertraits); this file keeps the default, non-`local` one. A trait generic over
//! `R: ServiceRole`, arguments of its associated types by value (`R::PeerReq`) and of a
//! generic struct (`RequestContext<R>`), a sync method returning `R::Info`, a sync default
//! method returning `Cow<'static, [ProtocolVersion]>`; `Send + Sync + 'static`.

use std::borrow::Cow;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

// rmcp's `MaybeSendFuture`, without the `local` feature.
pub trait MaybeSendFuture: Send {}
impl<T: Send> MaybeSendFuture for T {}

/// serde's bounds left out.
pub trait TransferObject: Debug + Clone + Send + Sync + 'static {}
impl<T: Debug + Clone + Send + Sync + 'static> TransferObject for T {}

/// The part of rmcp's `ServiceRole` this trait names.
pub trait ServiceRole: std::fmt::Debug + Send + Sync + 'static + Copy + Clone {
    type Req: TransferObject;
    type Resp: TransferObject;
    type Not: TransferObject;
    type PeerReq: TransferObject;
    type PeerResp: TransferObject;
    type PeerNot: TransferObject;
    type InitializeError;
    const IS_CLIENT: bool;
    type Info: TransferObject;
    type PeerInfo: TransferObject;
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorData {
    pub code: i32,
    pub message: String,
}
pub use ErrorData as McpError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolVersion(pub &'static str);
impl ProtocolVersion {
    pub const KNOWN_VERSIONS: &'static [ProtocolVersion] = &[
        ProtocolVersion("2024-11-05"),
        ProtocolVersion("2025-03-26"),
        ProtocolVersion("2025-06-18"),
    ];
}

#[derive(Debug, Clone)]
pub struct Peer<R: ServiceRole> {
    pub name: String,
    _role: PhantomData<R>,
}
#[derive(Debug, Clone)]
pub struct RequestContext<R: ServiceRole> {
    pub id: u64,
    pub peer: Peer<R>,
}
#[derive(Debug, Clone)]
pub struct NotificationContext<R: ServiceRole> {
    pub peer: Peer<R>,
}

#[derive(Debug, Clone, Copy)]
pub struct RoleServer;
#[derive(Debug, Clone, PartialEq)]
pub enum ClientRequest {
    Ping,
    CallTool { name: String, args: Vec<i64> },
}
#[derive(Debug, Clone, PartialEq)]
pub enum ServerResult {
    Empty,
    CallTool { content: String },
}
#[derive(Debug, Clone, PartialEq)]
pub enum ClientNotification {
    Initialized,
    Cancelled { request_id: u64 },
}
#[derive(Debug, Clone, PartialEq)]
pub struct ServerInfo {
    pub name: &'static str,
}
impl ServiceRole for RoleServer {
    type Req = ();
    type Resp = ServerResult;
    type Not = ();
    type PeerReq = ClientRequest;
    type PeerResp = ();
    type PeerNot = ClientNotification;
    type InitializeError = String;
    const IS_CLIENT: bool = false;
    type Info = ServerInfo;
    type PeerInfo = ();
}

/// A calculator tool server: counts notifications.
#[derive(Debug, Default)]
pub struct Calculator {
    pub notified: AtomicUsize,
}

fn context(id: u64) -> RequestContext<RoleServer> {
    RequestContext {
        id,
        peer: Peer {
            name: "client".into(),
            _role: PhantomData,
        },
    }
}
fn notification_context() -> NotificationContext<RoleServer> {
    NotificationContext {
        peer: Peer {
            name: "client".into(),
            _role: PhantomData,
        },
    }
}

/// The trait as the project declares it, natively, and an impl.
pub mod control {
    use super::*;

    // modelcontextprotocol/rust-sdk, `crates/rmcp/src/service.rs` (rmcp 3.1.4),
    // the `cfg(not(feature = "local"))` declaration.
    pub trait Service<R: ServiceRole>: Send + Sync + 'static {
        fn handle_request(
            &self,
            request: R::PeerReq,
            context: RequestContext<R>,
        ) -> impl Future<Output = Result<R::Resp, McpError>> + MaybeSendFuture + '_;
        fn handle_notification(
            &self,
            notification: R::PeerNot,
            context: NotificationContext<R>,
        ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_;
        fn get_info(&self) -> R::Info;
        fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
            Cow::Borrowed(ProtocolVersion::KNOWN_VERSIONS)
        }
    }

    impl Service<RoleServer> for Calculator {
        async fn handle_request(
            &self,
            request: <RoleServer as ServiceRole>::PeerReq,
            context: RequestContext<RoleServer>,
        ) -> Result<<RoleServer as ServiceRole>::Resp, McpError> {
            Ok(ServerResult::Empty)
        }
        async fn handle_notification(
            &self,
            notification: <RoleServer as ServiceRole>::PeerNot,
            context: NotificationContext<RoleServer>,
        ) -> Result<(), McpError> {
            Ok(())
        }
        fn get_info(&self) -> ServerInfo {
            ServerInfo { name: "calculator" }
        }
    }
}

/// The same trait under `#[dyn_twin]`, the impls unchanged, and calls through the `Send` twin.
/// (The `send` rewrite adds `+ Send` beside `MaybeSendFuture`, a `Send` alias, and allows
/// clippy's `implied_bounds_in_impls` there.)
pub mod migrated {
    use super::*;

    // modelcontextprotocol/rust-sdk, `crates/rmcp/src/service.rs` (rmcp 3.1.4),
    // the `cfg(not(feature = "local"))` declaration.
    #[hybrid_dispatch::dyn_twin(DynService, send = SendDynService)]
    pub trait Service<R: ServiceRole>: Send + Sync + 'static {
        fn handle_request(
            &self,
            request: R::PeerReq,
            context: RequestContext<R>,
        ) -> impl Future<Output = Result<R::Resp, McpError>> + MaybeSendFuture + '_;
        fn handle_notification(
            &self,
            notification: R::PeerNot,
            context: NotificationContext<R>,
        ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_;
        fn get_info(&self) -> R::Info;
        fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
            Cow::Borrowed(ProtocolVersion::KNOWN_VERSIONS)
        }
    }

    // rmcp's `impl<R: ServiceRole> Service<R> for Box<dyn DynService<R>>`, for the twin.
    impl<R: ServiceRole> Service<R> for Box<dyn SendDynService<R>> {
        fn handle_request(
            &self,
            request: R::PeerReq,
            context: RequestContext<R>,
        ) -> impl Future<Output = Result<R::Resp, McpError>> + MaybeSendFuture + '_ {
            SendDynService::handle_request_send(self.as_ref(), request, context)
        }

        fn handle_notification(
            &self,
            notification: R::PeerNot,
            context: NotificationContext<R>,
        ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
            SendDynService::handle_notification_send(self.as_ref(), notification, context)
        }

        fn get_info(&self) -> R::Info {
            DynService::get_info_dyn(self.as_ref())
        }

        fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
            DynService::supported_protocol_versions_dyn(self.as_ref())
        }
    }

    impl Service<RoleServer> for Calculator {
        async fn handle_request(
            &self,
            request: <RoleServer as ServiceRole>::PeerReq,
            context: RequestContext<RoleServer>,
        ) -> Result<<RoleServer as ServiceRole>::Resp, McpError> {
            match request {
                ClientRequest::Ping => Ok(ServerResult::Empty),
                ClientRequest::CallTool { name, args } if name == "sum" => {
                    Ok(ServerResult::CallTool {
                        content: format!("{}#{}", args.iter().sum::<i64>(), context.id),
                    })
                }
                ClientRequest::CallTool { name, .. } => Err(McpError {
                    code: -32601,
                    message: format!("no tool {name}"),
                }),
            }
        }
        async fn handle_notification(
            &self,
            notification: <RoleServer as ServiceRole>::PeerNot,
            context: NotificationContext<RoleServer>,
        ) -> Result<(), McpError> {
            self.notified.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        fn get_info(&self) -> ServerInfo {
            ServerInfo { name: "calculator" }
        }
    }

    fn sum(args: Vec<i64>) -> ClientRequest {
        ClientRequest::CallTool {
            name: "sum".into(),
            args,
        }
    }

    /// As rmcp's `serve` does: generic over `S: Service<R>`, and the service moved into a task.
    async fn serve_one<S: Service<RoleServer>>(service: S, request: ClientRequest) -> ServerResult {
        tokio::spawn(async move { service.handle_request(request, context(9)).await })
            .await
            .unwrap()
            .unwrap()
    }

    pub async fn run() {
        // `ServiceExt::into_dyn`: services of different types in one collection.
        let services: Vec<Box<dyn SendDynService<RoleServer>>> =
            vec![Box::new(Calculator::default())];
        let svc = &services[0];

        // The bridge, on the object.
        let result = (**svc).handle_request(sum(vec![1, 2]), context(1)).await;
        assert_eq!(
            result.unwrap(),
            ServerResult::CallTool {
                content: "3#1".into()
            }
        );
        // The twin's own methods, on the object.
        let err = (**svc)
            .handle_request_send(
                ClientRequest::CallTool {
                    name: "mul".into(),
                    args: vec![],
                },
                context(2),
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, -32601);
        (**svc)
            .handle_notification_send(ClientNotification::Initialized, notification_context())
            .await
            .unwrap();
        assert_eq!((**svc).get_info_dyn(), ServerInfo { name: "calculator" });
        assert_eq!(
            (**svc).supported_protocol_versions_dyn().len(),
            ProtocolVersion::KNOWN_VERSIONS.len()
        );

        // The box is a `Service` (rmcp's impl, above), so generic code takes it.
        let boxed: Box<dyn SendDynService<RoleServer>> = Box::new(Calculator::default());
        assert_eq!(
            boxed
                .handle_request(sum(vec![4]), context(3))
                .await
                .unwrap(),
            ServerResult::CallTool {
                content: "4#3".into()
            }
        );
        assert_eq!(
            serve_one(boxed, sum(vec![5, 5])).await,
            ServerResult::CallTool {
                content: "10#9".into()
            }
        );

        let shared: Arc<dyn SendDynService<RoleServer>> = Arc::new(Calculator::default());
        shared
            .handle_notification(
                ClientNotification::Cancelled { request_id: 1 },
                notification_context(),
            )
            .await
            .unwrap();
    }
}
