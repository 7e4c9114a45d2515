//! [`Inspected`]: what an [`Inspect`](crate::layer::Inspect) hook sees.

/// One event seen by an [`Inspect`](crate::layer::Inspect) hook: a request
/// going in or a response coming out.
///
/// One enum rather than two closures, so a single hook can keep shared state
/// (a log prefix, a span) for both directions without `Rc`/`Arc`.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::Inspected;
///
/// fn log(event: Inspected<'_, u32, u64>) -> String {
///     match event {
///         Inspected::Request(req) => format!("-> {req}"),
///         Inspected::Response(resp) => format!("<- {resp}"),
///     }
/// }
/// assert_eq!(log(Inspected::Request(&1)), "-> 1");
/// ```
#[derive(Debug)]
pub enum Inspected<'a, Req, Resp> {
    /// A request, seen in [`call`](crate::Service::call) before the inner
    /// service gets it.
    Request(&'a Req),
    /// A response, seen when the inner future completes, before the caller
    /// gets it.
    Response(&'a Resp),
}

// By hand: a derive would require `Req: Clone, Resp: Clone`.
impl<Req, Resp> Clone for Inspected<'_, Req, Resp> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Req, Resp> Copy for Inspected<'_, Req, Resp> {}
