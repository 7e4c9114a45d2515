//! [`AllocError`]: a future needed memory and the allocator had none.

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
