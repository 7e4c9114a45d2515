//! Shapes of types and signatures the model asks about: `where Self:
//! Sized`, `-> impl Future<Output = T>` / `impl Stream<Item = T>`, a bare
//! `Self`, `impl Trait` in an argument.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{
    CapturedParam, GenericParam, Lifetime, ReturnType, Signature, Type, TypeParamBound,
    WherePredicate,
};

/// Whether a where clause says `Self: Sized` (`Sized`, `core::marker::Sized`,
/// `::std::marker::Sized`, …).
pub(crate) fn requires_sized(sig: &Signature) -> bool {
    sig.generics.where_clause.as_ref().is_some_and(|clause| {
        clause.predicates.iter().any(|predicate| match predicate {
            WherePredicate::Type(pred) => {
                is_self(&pred.bounded_ty)
                    && pred.bounds.iter().any(|bound| match bound {
                        TypeParamBound::Trait(t) => is_marker(&t.path, "Sized"),
                        _ => false,
                    })
            }
            _ => false,
        })
    })
}

/// `Sized`, `core::marker::Sized`, `::std::marker::Sized` (for `name`).
pub(crate) fn is_marker(path: &syn::Path, name: &str) -> bool {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [one] => one == name,
        [krate, marker, last] => {
            (krate == "core" || krate == "std") && marker == "marker" && last == name
        }
        _ => false,
    }
}

pub(crate) fn is_self(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self"))
}

/// What `-> impl Future<Output = T> + …` (or `impl Stream<Item = T>`)
/// declares.
pub(crate) struct ImplFuture {
    pub(crate) output: Type,
    /// `impl Stream<Item = T>`: `output` is the item type.
    pub(crate) stream: bool,
    pub(crate) send: bool,
    pub(crate) sync: Option<Span>,
    pub(crate) lifetime: Option<Lifetime>,
    /// `+ use<'a, Self>`: the lifetimes and parameters the future captures.
    pub(crate) capture: Option<syn::PreciseCapture>,
}

/// `Some(..)` if the return type is `impl Future<Output = T> (+ …)`.
pub(crate) fn impl_future(output: &ReturnType) -> Option<ImplFuture> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let Type::ImplTrait(imp) = &**ty else {
        return None;
    };
    let mut found = None;
    let mut stream = false;
    let mut send = false;
    let mut sync = None;
    let mut lifetime = None;
    let mut capture = None;
    for bound in &imp.bounds {
        match bound {
            TypeParamBound::Trait(t) => {
                let last = t.path.segments.last()?;
                if last.ident == "Send" {
                    send = true;
                }
                if last.ident == "Sync" {
                    sync = Some(last.ident.span());
                }
                if last.ident == "Stream" {
                    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                        for arg in &args.args {
                            if let syn::GenericArgument::AssocType(assoc) = arg {
                                if assoc.ident == "Item" {
                                    found = Some(assoc.ty.clone());
                                    stream = true;
                                }
                            }
                        }
                    }
                }
                if last.ident == "Future" {
                    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                        for arg in &args.args {
                            if let syn::GenericArgument::AssocType(assoc) = arg {
                                if assoc.ident == "Output" {
                                    found = Some(assoc.ty.clone());
                                }
                            }
                        }
                    }
                    if found.is_none() {
                        // `impl Future` without `Output`: the unit type.
                        found = Some(syn::parse_quote!(()));
                    }
                }
            }
            // `+ '_` is the receiver's lifetime, which the erased future
            // outlives anyway (`'fut`): only a named bound is kept.
            TypeParamBound::Lifetime(l) if l.ident != "_" => lifetime = Some(l.clone()),
            TypeParamBound::PreciseCapture(c) => capture = Some(c.clone()),
            _ => {}
        }
    }
    found.map(|output| ImplFuture {
        output,
        stream,
        send,
        sync,
        lifetime,
        capture,
    })
}

/// In an impl's copy of a method whose result says what it captures
/// (`-> impl Future<Output = T> + use<'a, Self>`), `Self`, which an impl
/// cannot name there, becomes the parameters its self type is made of
/// (`impl_params`, those of them not listed already): the impl's future
/// captures exactly what the trait's does.
pub(crate) fn capture_in_impl(sig: &mut Signature, impl_params: &syn::Generics) {
    let ReturnType::Type(_, ty) = &mut sig.output else {
        return;
    };
    let Type::ImplTrait(imp) = &mut **ty else {
        return;
    };
    for bound in &mut imp.bounds {
        let TypeParamBound::PreciseCapture(capture) = bound else {
            continue;
        };
        let is_self = |p: &CapturedParam| matches!(p, CapturedParam::Ident(i) if i == "Self");
        if !capture.params.iter().any(is_self) {
            continue;
        }
        let listed: Vec<CapturedParam> = capture
            .params
            .iter()
            .filter(|p| !is_self(p))
            .cloned()
            .chain(impl_params.params.iter().map(|p| match p {
                GenericParam::Lifetime(l) => CapturedParam::Lifetime(l.lifetime.clone()),
                GenericParam::Type(t) => CapturedParam::Ident(t.ident.clone()),
                GenericParam::Const(c) => CapturedParam::Ident(c.ident.clone()),
            }))
            .collect();
        // Lifetimes first, as `use<..>` lists them; each once.
        let name = |p: &CapturedParam| quote::ToTokens::to_token_stream(p).to_string();
        let mut params: Vec<CapturedParam> = Vec::new();
        for lifetimes in [true, false] {
            for p in &listed {
                let is_lifetime = matches!(p, CapturedParam::Lifetime(_));
                if is_lifetime == lifetimes && !params.iter().any(|q| name(q) == name(p)) {
                    params.push(p.clone());
                }
            }
        }
        capture.params = params.into_iter().collect();
    }
}

/// Finds a bare `Self` (not `Self::Assoc`) in a type: such an argument or
/// result makes a method not dyn-compatible.
pub(crate) struct BareSelf(pub(crate) Option<Span>);

impl<'ast> Visit<'ast> for BareSelf {
    fn visit_type_path(&mut self, ty: &'ast syn::TypePath) {
        if ty.qself.is_none() && ty.path.segments.len() == 1 && ty.path.segments[0].ident == "Self"
        {
            self.0.get_or_insert(ty.span());
        }
        syn::visit::visit_type_path(self, ty);
    }
}

/// Whether a type names a bare `Self`.
pub(crate) fn mentions_self(ty: &Type) -> bool {
    let mut bare_self = BareSelf(None);
    bare_self.visit_type(ty);
    bare_self.0.is_some()
}

/// Finds `impl Trait` in a type: an argument's (a generic method in
/// disguise) or inside a result.
pub(crate) struct ImplTraitArg(pub(crate) Option<Span>);

impl<'ast> Visit<'ast> for ImplTraitArg {
    fn visit_type_impl_trait(&mut self, ty: &'ast syn::TypeImplTrait) {
        self.0.get_or_insert(ty.span());
    }
}
