//! Rewrites of types the expansion needs: naming elided lifetimes (as
//! `async-trait` does) and resolving elision in a result type.

use proc_macro2::Span;
use syn::visit_mut::{self, VisitMut};
use syn::{Lifetime, Type};

/// Gives every elided lifetime of the types it visits the lifetime its
/// function returns (given the elided one's span). Lifetimes inside
/// `fn(&T)` pointers and `Fn(&T)` bounds are higher-ranked and stay elided.
pub(crate) struct FillElided<F: FnMut(Span) -> Lifetime>(pub(crate) F);

impl<F: FnMut(Span) -> Lifetime> VisitMut for FillElided<F> {
    fn visit_type_reference_mut(&mut self, ty: &mut syn::TypeReference) {
        if ty.lifetime.is_none() {
            ty.lifetime = Some((self.0)(ty.and_token.span));
        }
        visit_mut::visit_type_reference_mut(self, ty);
    }

    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if lifetime.ident == "_" {
            *lifetime = (self.0)(lifetime.span());
        }
    }

    fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}

    fn visit_parenthesized_generic_arguments_mut(
        &mut self,
        _: &mut syn::ParenthesizedGenericArguments,
    ) {
    }
}

/// Whether a type has an elided lifetime outside `fn` pointers and `Fn`
/// bounds.
pub(crate) fn has_elided(ty: &Type) -> bool {
    let mut ty = ty.clone();
    let mut found = false;
    FillElided(|span| {
        found = true;
        Lifetime::new("'_", span)
    })
    .visit_type_mut(&mut ty);
    found
}
