//! `LanguageServer`: tower-lsp-community/tower-lsp-server, `src/server.rs` (tower-lsp-server
//! 0.23.0; snapshot 9322c75, 2026-07-25).
//! Used through `dyn`: no, generically (`LspService<S: LanguageServer>`), whose router
//! registers each method as a function item, `S::initialize`, `S::hover`, ...; an editor
//! front-end hosting several language backends would hold `Arc<dyn SendDynLanguageServer>`.
//! Shape: generated code. The project's `rpc!` `macro_rules!` expands each
//! `#[rpc(name = ..)] async fn` into `fn m(&self, params: P) -> impl
//! ::std::future::Future<Output = R> + Send` (a leading `::` path) with the method's `#[doc]`
//! lines kept, and each default body into `{ async $body }`: a non-`move` `async` block whose
//! first statement is `let _ = params;`; `Send + Sync + 'static`; methods without a result
//! (`Output = ()`) and without arguments (`shutdown(&self)`).

use std::sync::{Arc, Mutex};

/// `tower_lsp_server::jsonrpc::Error`, stubbed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: i64,
}
impl Error {
    pub fn method_not_found() -> Self {
        Error { code: -32601 }
    }
}
pub type Result<T> = std::result::Result<T, Error>;

/// `ls_types`, stubbed.
#[derive(Debug, Clone, Default)]
pub struct InitializeParams {
    pub root: String,
}
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitializeResult {
    pub hover_provider: bool,
    pub server_name: String,
}
#[derive(Debug, Clone, Default)]
pub struct InitializedParams {}
#[derive(Debug, Clone)]
pub struct DidOpenTextDocumentParams {
    pub uri: String,
    pub text: String,
}
#[derive(Debug, Clone)]
pub struct WillSaveTextDocumentParams {
    pub uri: String,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub new_text: String,
}
#[derive(Debug, Clone)]
pub struct HoverParams {
    pub uri: String,
    pub line: u32,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub contents: String,
}

// tower-lsp-community/tower-lsp-server, `src/server.rs`: the `rpc!` macro's output for six of
// the trait's methods (a user adds the attribute to the trait the macro emits).
/// Trait implemented by language server backends.
///
/// This interface allows servers adhering to the Language Server Protocol to be implemented in
/// a safe and easily testable way without exposing the low-level implementation details.
#[hybrid_dispatch::dyn_twin(DynLanguageServer, send = SendDynLanguageServer)]
pub trait LanguageServer: Send + Sync + 'static {
    /// The `initialize` request is the first request sent from the client to the server.
    ///
    /// This method is guaranteed to only execute once.
    fn initialize(
        &self,
        params: InitializeParams,
    ) -> impl ::std::future::Future<Output = Result<InitializeResult>> + Send;

    /// The `initialized` notification is sent from the client to the server after the client
    /// received the result of the initialize request.
    fn initialized(
        &self,
        params: InitializedParams,
    ) -> impl ::std::future::Future<Output = ()> + Send {
        async {
            let _ = params;
        }
    }

    /// The `shutdown` request asks the server to gracefully shut down, but to not exit.
    fn shutdown(&self) -> impl ::std::future::Future<Output = Result<()>> + Send;

    /// The `textDocument/didOpen` notification.
    fn did_open(
        &self,
        params: DidOpenTextDocumentParams,
    ) -> impl ::std::future::Future<Output = ()> + Send {
        async {
            let _ = params;
        }
    }

    /// The `textDocument/willSaveWaitUntil` request.
    fn will_save_wait_until(
        &self,
        params: WillSaveTextDocumentParams,
    ) -> impl ::std::future::Future<Output = Result<Option<Vec<TextEdit>>>> + Send {
        async {
            let _ = params;
            Err(Error::method_not_found())
        }
    }

    /// The `textDocument/hover` request.
    fn hover(
        &self,
        params: HoverParams,
    ) -> impl ::std::future::Future<Output = Result<Option<Hover>>> + Send {
        async {
            let _ = params;
            Err(Error::method_not_found())
        }
    }
}

/// A backend as the project's README writes one: `async fn`s, state behind a lock.
#[derive(Debug, Default)]
pub struct Backend {
    pub documents: Mutex<Vec<(String, String)>>,
    pub shut_down: Mutex<bool>,
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        Ok(InitializeResult {
            hover_provider: true,
            server_name: format!("backend for {}", params.root),
        })
    }

    async fn initialized(&self, _: InitializedParams) {}

    async fn shutdown(&self) -> Result<()> {
        *self.shut_down.lock().unwrap() = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.documents
            .lock()
            .unwrap()
            .push((params.uri, params.text));
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let documents = self.documents.lock().unwrap();
        Ok(documents
            .iter()
            .find(|(uri, _)| *uri == params.uri)
            .and_then(|(_, text)| text.lines().nth(params.line as usize))
            .map(|line| Hover {
                contents: line.to_string(),
            }))
    }
}

/// Generic code as the project's router is: it takes each method as a function item.
async fn hover_via_fn_item<S: LanguageServer + ?Sized>(
    server: &S,
    params: HoverParams,
) -> Result<Option<Hover>> {
    let method = S::hover;
    method(server, params).await
}

pub async fn run() {
    let server: Arc<dyn SendDynLanguageServer> = Arc::new(Backend::default());

    // Through the bridge.
    let init = server
        .initialize(InitializeParams {
            root: "/src".into(),
        })
        .await
        .unwrap();
    assert!(init.hover_provider);
    assert_eq!(init.server_name, "backend for /src");
    server.initialized(InitializedParams {}).await;
    server
        .did_open(DidOpenTextDocumentParams {
            uri: "file:///a.rs".into(),
            text: "fn main() {}\nlet x = 1;".into(),
        })
        .await;

    // Through the twin's methods.
    server
        .did_open_send(DidOpenTextDocumentParams {
            uri: "file:///b.rs".into(),
            text: "b".into(),
        })
        .await;
    let hover = server
        .hover_send(HoverParams {
            uri: "file:///a.rs".into(),
            line: 1,
        })
        .await
        .unwrap();
    assert_eq!(
        hover,
        Some(Hover {
            contents: "let x = 1;".into()
        })
    );

    // A default body (`async { let _ = params; Err(..) }`) through the twin and the bridge.
    let edits = server
        .will_save_wait_until_send(WillSaveTextDocumentParams {
            uri: "file:///a.rs".into(),
        })
        .await;
    assert_eq!(edits, Err(Error::method_not_found()));
    let edits = server
        .will_save_wait_until(WillSaveTextDocumentParams {
            uri: "file:///a.rs".into(),
        })
        .await;
    assert_eq!(edits, Err(Error::method_not_found()));

    // Spawned, shared.
    let shared = Arc::clone(&server);
    tokio::spawn(async move { shared.shutdown().await })
        .await
        .unwrap()
        .unwrap();
    server.shutdown_send().await.unwrap();
}

/// The router's way: `S::hover` as a function item, on the object. Awaited in place: inside
/// a spawned task, generic code handed the `'static` trait's object meets rustc's
/// "implementation of `LanguageServer` is not general enough" (docs, *Known limits*).
pub async fn run_generic() {
    let server: Arc<dyn SendDynLanguageServer> = Arc::new(Backend::default());
    server
        .did_open(DidOpenTextDocumentParams {
            uri: "file:///b.rs".into(),
            text: "b".into(),
        })
        .await;
    let hover = hover_via_fn_item(
        &*server,
        HoverParams {
            uri: "file:///b.rs".into(),
            line: 0,
        },
    )
    .await
    .unwrap();
    assert_eq!(hover.unwrap().contents, "b");
}
