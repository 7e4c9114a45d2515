//! The UI tests of `hybrid-dispatch` (its `tests/`): every compile-time
//! error a user can hit, pinned with trybuild. This library is empty; the
//! package exists so that trybuild builds the cases with only what they use.
#![no_std]
