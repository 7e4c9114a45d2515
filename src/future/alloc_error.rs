//! [`AllocError`]: a future needed memory and the allocator had none; [`OutOfMemory`]: the same for a call, with its request given back.

use core::fmt;

use crate::layout::FutureLayout;

/// The allocator could not provide memory for an erased future: what the
/// `try_` constructors return instead of aborting the process
/// ([`InlineBox::try_new_boxed`](crate::future::InlineBox::try_new_boxed),
/// [`InlineBox::try_new_recycled`](crate::future::InlineBox::try_new_recycled)).
///
/// The future was not built (or, for `try_new_boxed`, was dropped
/// unpolled); nothing else changed.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::future::AllocError;
/// use hybrid_dispatch::layout::FutureLayout;
///
/// let error = AllocError::new(FutureLayout::of::<[u64; 128]>());
/// assert_eq!(error.layout().size(), 1024);
/// assert!(error.to_string().starts_with("could not allocate 1024 bytes"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocError {
    layout: FutureLayout,
}

impl AllocError {
    /// The error for a future of `layout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::AllocError;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let error = AllocError::new(FutureLayout::of::<[u8; 4096]>());
    /// assert_eq!(error.layout().size(), 4096);
    /// ```
    #[must_use]
    pub const fn new(layout: FutureLayout) -> Self {
        AllocError { layout }
    }

    /// The layout of the future that could not be stored.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::AllocError;
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let layout = FutureLayout::of::<[u64; 16]>();
    /// let error = AllocError::new(layout);
    /// assert_eq!(error.layout(), layout);
    /// assert_eq!((error.layout().size(), error.layout().align()), (128, 8));
    /// ```
    #[must_use]
    pub const fn layout(&self) -> FutureLayout {
        self.layout
    }
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not allocate {} bytes (alignment {}) for a future of type {}",
            self.layout.size(),
            self.layout.align(),
            self.layout.type_name()
        )
    }
}

impl core::error::Error for AllocError {}

/// A call whose future needed memory when the allocator had none: what the
/// `try_` calls return instead of aborting the process
/// ([`SendDynService::try_call_send`](crate::SendDynService::try_call_send),
/// [`Recycled::try_call`](crate::Recycled::try_call),
/// [`Handle::try_call`](crate::Handle::try_call), …).
///
/// The memory is asked for before the service is called, so a refused call
/// called nothing, counted nothing, and gives its request back
/// ([`into_request`](Self::into_request)): it can be retried, queued or
/// answered with an error by the caller.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::future::{AllocError, OutOfMemory};
/// use hybrid_dispatch::layout::FutureLayout;
///
/// let refused = OutOfMemory::new(AllocError::new(FutureLayout::of::<[u8; 4096]>()), "GET /");
/// assert_eq!(refused.error().layout().size(), 4096);
/// assert!(refused.to_string().starts_with("could not allocate 4096 bytes"));
/// assert!(refused.to_string().ends_with("; the service was not called"));
/// // `Debug` shows the error, not the request (which need not be `Debug`).
/// assert!(format!("{refused:?}").starts_with("OutOfMemory { error: AllocError {"));
/// assert_eq!(refused.into_request(), "GET /");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory<Req> {
    error: AllocError,
    request: Req,
}

impl<Req> OutOfMemory<Req> {
    /// The error for a call of `request` that could not get `error`'s
    /// memory.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::{AllocError, OutOfMemory};
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let refused = OutOfMemory::new(AllocError::new(FutureLayout::of::<[u64; 64]>()), 7u32);
    /// assert_eq!(*refused.request(), 7);
    /// ```
    #[must_use]
    pub const fn new(error: AllocError, request: Req) -> Self {
        OutOfMemory { error, request }
    }

    /// What could not be allocated: the future's layout.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::{AllocError, OutOfMemory};
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let error = AllocError::new(FutureLayout::of::<[u64; 64]>());
    /// assert_eq!(OutOfMemory::new(error, ()).error(), error);
    /// ```
    #[must_use]
    pub const fn error(&self) -> AllocError {
        self.error
    }

    /// The request the refused call was given, not passed to the service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::{AllocError, OutOfMemory};
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let refused = OutOfMemory::new(AllocError::new(FutureLayout::of::<[u64; 64]>()), vec![1, 2]);
    /// assert_eq!(refused.request().len(), 2);
    /// ```
    #[must_use]
    pub const fn request(&self) -> &Req {
        &self.request
    }

    /// The request back, to retry the call or answer it otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::future::{AllocError, OutOfMemory};
    /// use hybrid_dispatch::layout::FutureLayout;
    ///
    /// let refused = OutOfMemory::new(AllocError::new(FutureLayout::of::<[u64; 64]>()), String::from("job"));
    /// let job: String = refused.into_request();
    /// assert_eq!(job, "job");
    /// ```
    #[must_use]
    pub fn into_request(self) -> Req {
        self.request
    }
}

/// Shows the error, not the request (which need not be `Debug`), as
/// `std::sync::mpsc::TrySendError` does.
impl<Req> fmt::Debug for OutOfMemory<Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutOfMemory")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<Req> fmt::Display for OutOfMemory<Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; the service was not called", self.error)
    }
}

impl<Req> core::error::Error for OutOfMemory<Req> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.error)
    }
}
