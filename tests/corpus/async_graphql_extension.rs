//! `Extension`: async-graphql/async-graphql, `src/extensions/mod.rs`.
//! Used through `dyn`: yes, `Arc<dyn Extension>` (returned by `ExtensionFactory::create`).
//! Shape: `Sync + Send + 'static`; every method takes `ctx: &ExtensionContext<'_>` (a `'_`
//! nested inside a borrowed argument) and a `Next*<'_>` by value; default bodies forward to
//! `next.run(..)`; `subscribe` is sync with its own lifetime `'s`.

use std::sync::Arc;

use futures_util::stream::BoxStream;

#[derive(Debug, Default)]
pub struct ExtensionContext<'a> {
    pub schema_env: &'a str,
}
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Response {
    pub data: String,
}
#[derive(Debug, Default)]
pub struct Request;
#[derive(Debug, Default)]
pub struct ExecutableDocument;
#[derive(Debug, Default)]
pub struct Variables;
#[derive(Debug, Default)]
pub struct ValidationResult;
#[derive(Debug)]
pub struct ServerError;
pub type ServerResult<T> = Result<T, ServerError>;
#[derive(Debug)]
pub struct Value;
#[derive(Debug)]
pub struct ResolveInfo<'a> {
    pub path: &'a str,
}

pub struct NextRequest<'a>(pub &'a str);
impl NextRequest<'_> {
    pub async fn run(self, ctx: &ExtensionContext<'_>) -> Response {
        Response {
            data: self.0.to_string(),
        }
    }
}
pub struct NextSubscribe<'a>(pub &'a str);
impl NextSubscribe<'_> {
    pub fn run<'s>(
        self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
    ) -> BoxStream<'s, Response> {
        stream
    }
}
pub struct NextPrepareRequest<'a>(pub &'a str);
impl NextPrepareRequest<'_> {
    pub async fn run(self, ctx: &ExtensionContext<'_>, request: Request) -> ServerResult<Request> {
        Ok(request)
    }
}
pub struct NextParseQuery<'a>(pub &'a str);
impl NextParseQuery<'_> {
    pub async fn run(
        self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
    ) -> ServerResult<ExecutableDocument> {
        Ok(ExecutableDocument)
    }
}
pub struct NextValidation<'a>(pub &'a str);
impl NextValidation<'_> {
    pub async fn run(
        self,
        ctx: &ExtensionContext<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        Ok(ValidationResult)
    }
}
pub struct NextExecute<'a>(pub &'a str);
impl NextExecute<'_> {
    pub async fn run(self, ctx: &ExtensionContext<'_>, operation_name: Option<&str>) -> Response {
        Response {
            data: format!("{}:{}", self.0, operation_name.unwrap_or("-")),
        }
    }
}
pub struct NextResolve<'a>(pub &'a str);
impl NextResolve<'_> {
    pub async fn run(
        self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
    ) -> ServerResult<Option<Value>> {
        Ok(None)
    }
}

pub struct Tracing;

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // async-graphql/async-graphql, `src/extensions/mod.rs`.
    #[async_trait::async_trait]
    pub trait Extension: Sync + Send + 'static {
        async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
            next.run(ctx).await
        }

        fn subscribe<'s>(
            &self,
            ctx: &ExtensionContext<'_>,
            stream: BoxStream<'s, Response>,
            next: NextSubscribe<'_>,
        ) -> BoxStream<'s, Response> {
            next.run(ctx, stream)
        }

        async fn prepare_request(
            &self,
            ctx: &ExtensionContext<'_>,
            request: Request,
            next: NextPrepareRequest<'_>,
        ) -> ServerResult<Request> {
            next.run(ctx, request).await
        }

        async fn parse_query(
            &self,
            ctx: &ExtensionContext<'_>,
            query: &str,
            variables: &Variables,
            next: NextParseQuery<'_>,
        ) -> ServerResult<ExecutableDocument> {
            next.run(ctx, query, variables).await
        }

        async fn validation(
            &self,
            ctx: &ExtensionContext<'_>,
            next: NextValidation<'_>,
        ) -> Result<ValidationResult, Vec<ServerError>> {
            next.run(ctx).await
        }

        async fn execute(
            &self,
            ctx: &ExtensionContext<'_>,
            operation_name: Option<&str>,
            next: NextExecute<'_>,
        ) -> Response {
            next.run(ctx, operation_name).await
        }

        async fn resolve(
            &self,
            ctx: &ExtensionContext<'_>,
            info: ResolveInfo<'_>,
            next: NextResolve<'_>,
        ) -> ServerResult<Option<Value>> {
            next.run(ctx, info).await
        }
    }

    #[async_trait::async_trait]
    impl Extension for Tracing {
        async fn execute(
            &self,
            ctx: &ExtensionContext<'_>,
            operation_name: Option<&str>,
            next: NextExecute<'_>,
        ) -> Response {
            let mut resp = next.run(ctx, operation_name).await;
            resp.data.push_str(" traced");
            resp
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // async-graphql/async-graphql, `src/extensions/mod.rs`.
    #[hybrid_dispatch::dyn_twin(DynExtension, send = SendDynExtension)]
    pub trait Extension: Sync + Send + 'static {
        async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
            next.run(ctx).await
        }

        fn subscribe<'s>(
            &self,
            ctx: &ExtensionContext<'_>,
            stream: BoxStream<'s, Response>,
            next: NextSubscribe<'_>,
        ) -> BoxStream<'s, Response> {
            next.run(ctx, stream)
        }

        async fn prepare_request(
            &self,
            ctx: &ExtensionContext<'_>,
            request: Request,
            next: NextPrepareRequest<'_>,
        ) -> ServerResult<Request> {
            next.run(ctx, request).await
        }

        async fn parse_query(
            &self,
            ctx: &ExtensionContext<'_>,
            query: &str,
            variables: &Variables,
            next: NextParseQuery<'_>,
        ) -> ServerResult<ExecutableDocument> {
            next.run(ctx, query, variables).await
        }

        async fn validation(
            &self,
            ctx: &ExtensionContext<'_>,
            next: NextValidation<'_>,
        ) -> Result<ValidationResult, Vec<ServerError>> {
            next.run(ctx).await
        }

        async fn execute(
            &self,
            ctx: &ExtensionContext<'_>,
            operation_name: Option<&str>,
            next: NextExecute<'_>,
        ) -> Response {
            next.run(ctx, operation_name).await
        }

        async fn resolve(
            &self,
            ctx: &ExtensionContext<'_>,
            info: ResolveInfo<'_>,
            next: NextResolve<'_>,
        ) -> ServerResult<Option<Value>> {
            next.run(ctx, info).await
        }
    }

    impl Extension for Tracing {
        async fn execute(
            &self,
            ctx: &ExtensionContext<'_>,
            operation_name: Option<&str>,
            next: NextExecute<'_>,
        ) -> Response {
            let mut resp = next.run(ctx, operation_name).await;
            resp.data.push_str(" traced");
            resp
        }
    }

    pub async fn run() {
        let ext: Arc<dyn SendDynExtension> = Arc::new(Tracing);
        let ctx = ExtensionContext {
            schema_env: "schema",
        };
        let resp = ext.execute(&ctx, Some("Q"), NextExecute("exec")).await;
        assert_eq!(resp.data, "exec:Q traced");
        assert_eq!(ext.request_send(&ctx, NextRequest("req")).await.data, "req");
    }
}
