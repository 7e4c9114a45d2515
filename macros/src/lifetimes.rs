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

/// Type names that never hide a lifetime: primitives, and standard types
/// with none of their own (their type arguments are still looked at).
const NO_LIFETIME: &[&str] = &[
    "bool",
    "char",
    "str",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
    "String",
    "Vec",
    "VecDeque",
    "Box",
    "Arc",
    "Rc",
    "Option",
    "Result",
    "HashMap",
    "HashSet",
    "BTreeMap",
    "BTreeSet",
    "Duration",
    "Instant",
    "SystemTime",
    "PathBuf",
    "OsString",
    "Send",
    "Sync",
    "Unpin",
    "Any",
    "Error",
];

/// Whether `ty` may hold a lifetime that a path hides (`Window` for
/// `struct Window<'a>`), other than behind a reference. Such a lifetime
/// has no name to bound by the future's: the twin's signatures wrap the
/// argument in `Held<'fut, _>`, which says it outlives the future. One
/// behind a reference needs nothing (`&'life1 Ctx` implies `Ctx: 'life1`),
/// nor do `type_params` (the trait's, bounded by the future's lifetime),
/// `Self::X`, `fn` pointers and `Fn` bounds (higher-ranked), or a path that
/// names a lifetime (a type names all of its lifetimes or none).
pub(crate) fn may_hide_lifetime(ty: &Type, type_params: &[&syn::Ident]) -> bool {
    match ty {
        Type::Reference(_) | Type::BareFn(_) | Type::Never(_) | Type::Infer(_) => false,
        Type::Paren(t) => may_hide_lifetime(&t.elem, type_params),
        Type::Group(t) => may_hide_lifetime(&t.elem, type_params),
        Type::Ptr(t) => may_hide_lifetime(&t.elem, type_params),
        Type::Slice(t) => may_hide_lifetime(&t.elem, type_params),
        Type::Array(t) => may_hide_lifetime(&t.elem, type_params),
        Type::Tuple(t) => t.elems.iter().any(|t| may_hide_lifetime(t, type_params)),
        Type::Path(p) if p.qself.is_none() => path_may_hide(&p.path, type_params),
        Type::TraitObject(t) => t.bounds.iter().any(|bound| match bound {
            syn::TypeParamBound::Trait(t) => path_may_hide(&t.path, type_params),
            _ => false,
        }),
        // `<T as Trait>::X`, macros, anything else: unknown.
        _ => true,
    }
}

fn path_may_hide(path: &syn::Path, type_params: &[&syn::Ident]) -> bool {
    let first = &path.segments[0].ident;
    if first == "Self" || (path.segments.len() == 1 && type_params.contains(&first)) {
        return false;
    }
    let last = path.segments.last().expect("a path has a segment");
    let args = match &last.arguments {
        syn::PathArguments::None => Vec::new(),
        // `Fn(&T) -> U`: higher-ranked.
        syn::PathArguments::Parenthesized(_) => return false,
        syn::PathArguments::AngleBracketed(a) => a.args.iter().collect(),
    };
    let names_lifetime = args
        .iter()
        .any(|a| matches!(a, syn::GenericArgument::Lifetime(_)));
    let known = NO_LIFETIME.iter().any(|n| last.ident == n);
    if !known && !names_lifetime {
        return true;
    }
    args.iter().any(|a| match a {
        syn::GenericArgument::Type(t) => may_hide_lifetime(t, type_params),
        syn::GenericArgument::AssocType(t) => may_hide_lifetime(&t.ty, type_params),
        _ => false,
    })
}
