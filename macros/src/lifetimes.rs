//! Rewrites of types the expansion needs: naming elided lifetimes (as
//! `async-trait` does), resolving elision in a result type, and replacing
//! `Self` with a type parameter in items that cannot say `Self`.

use proc_macro2::Span;
use syn::visit_mut::{self, VisitMut};
use syn::{Lifetime, Type, TypePath};

/// Names every elided lifetime of the types it visits `'life0`, `'life1`, …
pub(crate) struct NameElided {
    pub(crate) named: Vec<Lifetime>,
}

impl NameElided {
    pub(crate) fn new() -> Self {
        NameElided { named: Vec::new() }
    }

    pub(crate) fn fresh(&mut self, span: Span) -> Lifetime {
        let lifetime = Lifetime::new(&format!("'life{}", self.named.len()), span);
        self.named.push(lifetime.clone());
        lifetime
    }

    pub(crate) fn visit_type_mut(&mut self, ty: &mut Type) {
        FillElided(|span| self.fresh(span)).visit_type_mut(ty);
    }
}

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

/// Replaces `Self` with `param` and `Self::Assoc` with
/// `<param as Trait<…>>::Assoc`: for the helper functions nested in generated
/// methods, where `Self` is not in scope.
pub(crate) struct ReplaceSelf {
    pub(crate) param: Type,
    pub(crate) trait_path: syn::Path,
}

impl VisitMut for ReplaceSelf {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(TypePath { qself: None, path }) = ty {
            if path.segments.first().is_some_and(|s| s.ident == "Self") {
                if path.segments.len() == 1 {
                    *ty = self.param.clone();
                    return;
                }
                let rest: Vec<_> = path.segments.iter().skip(1).cloned().collect();
                let (param, trait_path) = (&self.param, &self.trait_path);
                *ty = syn::parse_quote!(<#param as #trait_path>::#(#rest)::*);
            }
        }
        visit_mut::visit_type_mut(self, ty);
    }
}
