//! [`ServiceExt`]: every middleware as a method on any service.

use crate::layer::counted::Counted;
use crate::layer::inspect::{Inspect, Inspected};
#[cfg(feature = "std")]
use crate::layer::latency::LatencyHistogram;
use crate::layer::map_request::MapRequest;
use crate::layer::map_response::MapResponse;
#[cfg(feature = "std")]
use crate::layer::timed::Timed;
use crate::service::Service;

/// Methods that wrap a [`Service`] in this crate's middleware, so that a
/// stack reads in call order: `svc.map_request(..).timed()`. Implemented for
/// every service.
///
/// Each method *moves* the service into the wrapper and returns it; the
/// wrapper is again a `Service`, with a named future, so chains stay
/// allocation-free on the static path and erase through
/// [`DynService`](crate::DynService) like any service. The last wrapper
/// applied is the outermost: it sees the request first and the response
/// last.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::Inspected;
/// use hybrid_dispatch::ServiceExt;
/// use hybrid_dispatch::{DynService, Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let svc = service_fn(|x: u64| async move { x * 2 })
///     .map_request(|s: &str| s.len() as u64)
///     .map_response(|x| format!("{x} bytes, doubled"))
///     .timed();
/// assert_eq!(block_on(svc.call("hello")), "10 bytes, doubled");
/// assert_eq!(svc.stats().count, 1);
///
/// // Still just a service: erase it like any other.
/// let erased: &dyn for<'r> DynService<&'r str, String> = &svc;
/// let fut = erased.call_dyn("hi");
/// assert!(!fut.is_heap());
/// assert_eq!(block_on(fut), "4 bytes, doubled");
/// ```
pub trait ServiceExt<Req>: Service<Req> + Sized {
    /// Applies `f` to each request before this service sees it
    /// ([`MapRequest`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::ServiceExt;
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// let svc = service_fn(|x: u64| async move { x }).map_request(|x: u8| u64::from(x));
    /// # drop(svc.call(1));
    ///
    /// // A borrowed request: the closure works for every lifetime.
    /// let len = service_fn(|n: usize| async move { n }).map_request(|s: &str| s.len());
    /// let owned = String::from("abc");
    /// # drop(len.call(&owned));
    /// ```
    // No `F: Fn(R) -> Req` bound here, unlike `map_response`: with one, a
    // closure `|s: &str| ..` is inferred for a single lifetime and the
    // result is no `Service<&'r str>` for every `'r`. The request type must
    // be written in the closure anyway, so the bound would not help
    // inference either.
    fn map_request<F>(self, f: F) -> MapRequest<Self, F> {
        MapRequest::new(self, f)
    }

    /// Applies `f` to each response ([`MapResponse`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::ServiceExt;
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// let svc = service_fn(|x: u64| async move { x }).map_response(|x| x > 10);
    /// # drop(svc.call(1));
    /// ```
    fn map_response<F, R>(self, f: F) -> MapResponse<Self, F>
    where
        F: Fn(Self::Response) -> R,
    {
        MapResponse::new(self, f)
    }

    /// Shows each request and response to `f` ([`Inspect`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Inspected;
    /// use hybrid_dispatch::ServiceExt;
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// let svc = service_fn(|x: u64| async move { x }).inspect(|event| match event {
    ///     Inspected::Request(req) => println!("call({req})"),
    ///     Inspected::Response(resp) => println!("-> {resp}"),
    /// });
    /// # drop(svc.call(1));
    /// ```
    fn inspect<F>(self, f: F) -> Inspect<Self, F>
    where
        F: Fn(Inspected<'_, Req, Self::Response>),
    {
        Inspect::new(self, f)
    }

    /// Times each call into a histogram of its own ([`Timed`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::ServiceExt;
    /// use hybrid_dispatch::service_fn;
    ///
    /// let svc = service_fn(|x: u64| async move { x }).timed();
    /// assert_eq!(svc.stats().count, 0);
    /// ```
    #[cfg(feature = "std")]
    fn timed(self) -> Timed<Self> {
        Timed::new(self)
    }

    /// Times each call into `histogram`: an `Arc<LatencyHistogram>` or a
    /// `&'static LatencyHistogram` to read from outside ([`Timed`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::LatencyHistogram;
    /// use hybrid_dispatch::ServiceExt;
    /// use hybrid_dispatch::service_fn;
    ///
    /// static LATENCY: LatencyHistogram = LatencyHistogram::new();
    /// let svc = service_fn(|x: u64| async move { x }).timed_with(&LATENCY);
    /// # let _ = svc;
    /// ```
    #[cfg(feature = "std")]
    fn timed_with<H>(self, histogram: H) -> Timed<Self, H>
    where
        H: AsRef<LatencyHistogram>,
    {
        Timed::with_histogram(self, histogram)
    }

    /// Counts calls and erasures ([`Counted`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::ServiceExt;
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// let svc = service_fn(|x: u64| async move { x }).counted();
    /// drop(svc.call(1));
    /// assert_eq!(svc.stats().calls, 1);
    /// ```
    fn counted(self) -> Counted<Self> {
        Counted::new(self)
    }
}

impl<S: Service<Req>, Req> ServiceExt<Req> for S {}
