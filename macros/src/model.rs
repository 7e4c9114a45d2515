//! Reads the user's trait into what the expansion needs, and refuses the
//! shapes a `dyn` twin cannot have, each with a spanned error that says how
//! to fix it.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{
    Attribute, FnArg, GenericParam, Ident, ItemTrait, Lifetime, Pat, ReturnType, Signature,
    TraitItem, TraitItemFn, TraitItemType, Type, TypeParamBound, WherePredicate,
};

/// One method of the user's trait that the twin carries.
pub(crate) struct Method {
    /// Position among the twin's methods: the index the observation hook
    /// and `Twin::METHODS` use.
    pub(crate) index: usize,
    pub(crate) ident: Ident,
    /// `#[cfg]` attributes: put on every item generated for the method.
    pub(crate) cfgs: Vec<Attribute>,
    /// Doc comments, carried to the twin's method.
    pub(crate) docs: Vec<Attribute>,
    /// The signature as the trait declares it after the attribute ran
    /// (`async fn` rewritten to `impl Future + Send` in `send` mode).
    pub(crate) sig: Signature,
    /// `&mut self` rather than `&self`.
    pub(crate) mutable: bool,
    /// The argument names, in order (receiver excluded).
    pub(crate) args: Vec<Ident>,
    /// `Some(output)` for an async method (the future's `Output`).
    pub(crate) output: Option<Type>,
    /// The trait as written declares the future `+ Send`.
    pub(crate) declared_send: bool,
}

/// An associated type of the user's trait.
pub(crate) struct AssocType {
    pub(crate) ident: Ident,
    pub(crate) item: TraitItemType,
}

/// The trait, read.
pub(crate) struct Model {
    pub(crate) methods: Vec<Method>,
    pub(crate) assoc_types: Vec<AssocType>,
}

/// Whether a where clause says `Self: Sized`.
pub(crate) fn requires_sized(sig: &Signature) -> bool {
    sig.generics.where_clause.as_ref().is_some_and(|clause| {
        clause.predicates.iter().any(|predicate| match predicate {
            WherePredicate::Type(pred) => {
                is_self(&pred.bounded_ty)
                    && pred.bounds.iter().any(|bound| match bound {
                        TypeParamBound::Trait(t) => t.path.is_ident("Sized"),
                        _ => false,
                    })
            }
            _ => false,
        })
    })
}

fn is_self(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self"))
}

/// `Some(Output)` if the return type is `impl Future<Output = T> (+ …)`.
pub(crate) fn impl_future_output(output: &ReturnType) -> Option<(Type, bool)> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let Type::ImplTrait(imp) = &**ty else {
        return None;
    };
    let mut found = None;
    let mut send = false;
    for bound in &imp.bounds {
        if let TypeParamBound::Trait(t) = bound {
            let last = t.path.segments.last()?;
            if last.ident == "Send" {
                send = true;
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
    }
    found.map(|ty| (ty, send))
}

/// Finds a bare `Self` (not `Self::Assoc`) in a type: such an argument or
/// result makes a method not dyn-compatible.
struct BareSelf(Option<Span>);

impl<'ast> Visit<'ast> for BareSelf {
    fn visit_type_path(&mut self, ty: &'ast syn::TypePath) {
        if ty.qself.is_none() && ty.path.segments.len() == 1 && ty.path.segments[0].ident == "Self"
        {
            self.0.get_or_insert(ty.span());
        }
        syn::visit::visit_type_path(self, ty);
    }
}

/// Finds `impl Trait` in argument position.
struct ImplTraitArg(Option<Span>);

impl<'ast> Visit<'ast> for ImplTraitArg {
    fn visit_type_impl_trait(&mut self, ty: &'ast syn::TypeImplTrait) {
        self.0.get_or_insert(ty.span());
    }
}

fn err(span: Span, message: impl core::fmt::Display) -> syn::Error {
    syn::Error::new(span, message)
}

/// Reads `item`; in `send` mode, rewrites its async methods to return
/// `impl Future<Output = T> + Send` (in place, so the trait the user keeps
/// is the rewritten one).
pub(crate) fn read(item: &mut ItemTrait, send: bool) -> Result<Model, syn::Error> {
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    if let Some(unsafety) = &item.unsafety {
        push(err(
            unsafety.span(),
            "#[dyn_twin] does not support `unsafe trait`: the twin would have to be unsafe to implement too; remove `unsafe` or write the twin by hand",
        ));
    }
    for bound in &item.supertraits {
        if let TypeParamBound::Trait(t) = bound {
            if t.path.is_ident("Sized") {
                push(err(
                    t.span(),
                    "a trait with a `Sized` supertrait cannot have a `dyn` twin: remove `: Sized` (put `where Self: Sized` on the methods that need it)",
                ));
            }
        }
    }
    let mut model = Model {
        methods: Vec::new(),
        assoc_types: Vec::new(),
    };
    for trait_item in &mut item.items {
        match trait_item {
            TraitItem::Fn(method) => match read_method(method, model.methods.len(), send) {
                Ok(Some(m)) => model.methods.push(m),
                // `where Self: Sized`: left out of the twin.
                Ok(None) => {}
                Err(e) => push(e),
            },
            TraitItem::Type(ty) => {
                if !ty.generics.params.is_empty() || ty.generics.where_clause.is_some() {
                    push(err(
                        ty.span(),
                        "#[dyn_twin] does not support generic associated types: a `dyn` twin cannot name them; use a plain associated type or a method",
                    ));
                } else {
                    model.assoc_types.push(AssocType {
                        ident: ty.ident.clone(),
                        item: ty.clone(),
                    });
                }
            }
            TraitItem::Const(c) => push(err(
                c.span(),
                "#[dyn_twin] does not support associated consts: they make a trait not dyn-compatible; use a method returning the value (`fn limit(&self) -> usize`)",
            )),
            other => push(err(
                other.span(),
                "#[dyn_twin] does not support this trait item: only methods and associated types",
            )),
        }
    }
    match errors {
        Some(e) => Err(e),
        None => Ok(model),
    }
}

fn read_method(
    method: &mut TraitItemFn,
    index: usize,
    send: bool,
) -> Result<Option<Method>, syn::Error> {
    if requires_sized(&method.sig) {
        // Not callable on a trait object: left out of the twin, kept in the trait.
        return Ok(None);
    }
    let sig = &method.sig;
    let fix_sized = "or add `where Self: Sized` to keep it out of the twin";
    if let Some(unsafety) = &sig.unsafety {
        return Err(err(
            unsafety.span(),
            format!(
                "#[dyn_twin] does not support `unsafe fn` in the twin: make `{}` safe, {fix_sized}",
                sig.ident
            ),
        ));
    }
    if let Some(abi) = &sig.abi {
        return Err(err(
            abi.span(),
            format!(
                "#[dyn_twin] does not support an `extern` ABI on `{}`: remove it, {fix_sized}",
                sig.ident
            ),
        ));
    }
    if let Some(variadic) = &sig.variadic {
        return Err(err(
            variadic.span(),
            "#[dyn_twin] does not support variadic methods",
        ));
    }
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(_) => {}
            GenericParam::Type(_) | GenericParam::Const(_) => {
                return Err(err(
                    param.span(),
                    format!(
                        "the generic method `{}` cannot be called through `dyn`: add `where Self: Sized` to leave it out of the twin, or make it non-generic (take `&dyn Trait` or `Box<dyn Trait>` instead of a type parameter)",
                        sig.ident
                    ),
                ));
            }
        }
    }
    let mut inputs = sig.inputs.iter();
    let mutable = match inputs.next() {
        Some(FnArg::Receiver(receiver)) => {
            if receiver.reference.is_none() || receiver.colon_token.is_some() {
                return Err(err(
                    receiver.span(),
                    format!(
                        "#[dyn_twin] supports `&self` and `&mut self` receivers; `{}` takes `self` by value or through another type: take `&self`, or add `where Self: Sized` to leave it out of the twin",
                        sig.ident
                    ),
                ));
            }
            receiver.mutability.is_some()
        }
        _ => {
            return Err(err(
                sig.ident.span(),
                format!(
                    "the associated function `{}` has no `self`, so it cannot be called through `dyn`: add `where Self: Sized` to leave it out of the twin, or take `&self`",
                    sig.ident
                ),
            ));
        }
    };
    let mut args = Vec::new();
    for (i, input) in inputs.enumerate() {
        let FnArg::Typed(typed) = input else {
            unreachable!("only the first input can be a receiver");
        };
        let name = match &*typed.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
            Pat::Wild(_) => Ident::new(&format!("__arg{i}"), typed.pat.span()),
            other => {
                return Err(err(
                    other.span(),
                    format!(
                        "#[dyn_twin] does not support patterns in arguments (in `{}`): bind a name (`arg: {}`) and destructure it in the body",
                        sig.ident,
                        quote::ToTokens::to_token_stream(&typed.ty)
                    ),
                ));
            }
        };
        let mut impl_trait = ImplTraitArg(None);
        impl_trait.visit_type(&typed.ty);
        if let Some(span) = impl_trait.0 {
            return Err(err(
                span,
                format!(
                    "`impl Trait` in an argument makes `{}` generic, so it cannot be called through `dyn`: take `&dyn Trait` or a concrete type, or add `where Self: Sized` to leave it out of the twin",
                    sig.ident
                ),
            ));
        }
        let mut bare_self = BareSelf(None);
        bare_self.visit_type(&typed.ty);
        if let Some(span) = bare_self.0 {
            return Err(err(
                span,
                format!(
                    "`{}` takes `Self` as an argument, so it cannot be called through `dyn`: add `where Self: Sized` to leave it out of the twin",
                    sig.ident
                ),
            ));
        }
        args.push(name);
    }
    let declared_send = impl_future_output(&sig.output).is_some_and(|(_, send)| send);
    let output = if sig.asyncness.is_some() {
        Some(match &sig.output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, ty) => (**ty).clone(),
        })
    } else {
        impl_future_output(&sig.output).map(|(ty, _)| ty)
    };
    if output.is_none() {
        if let ReturnType::Type(_, ty) = &sig.output {
            if let Type::ImplTrait(imp) = &**ty {
                return Err(err(
                    imp.span(),
                    format!(
                        "`{}` returns an `impl Trait` that is not a future; a `dyn` twin can only erase futures: return a concrete type, or add `where Self: Sized` to leave it out of the twin",
                        sig.ident
                    ),
                ));
            }
        }
    }
    let returned = match &output {
        Some(ty) => Some(ty.clone()),
        None => match &sig.output {
            ReturnType::Type(_, ty) => Some((**ty).clone()),
            ReturnType::Default => None,
        },
    };
    if let Some(ty) = returned {
        let mut bare_self = BareSelf(None);
        bare_self.visit_type(&ty);
        if let Some(span) = bare_self.0 {
            return Err(err(
                span,
                format!(
                    "`{}` returns `Self`, so it cannot be called through `dyn`: add `where Self: Sized` to leave it out of the twin",
                    sig.ident
                ),
            ));
        }
    }
    let (cfgs, docs) = split_attrs(&method.attrs);
    if send {
        if let Some(out) = &output {
            rewrite_send(method, out);
        }
    }
    Ok(Some(Method {
        index,
        ident: method.sig.ident.clone(),
        cfgs,
        docs,
        sig: method.sig.clone(),
        mutable,
        args,
        output,
        declared_send,
    }))
}

/// `async fn m(..) -> T { body }` becomes
/// `fn m(..) -> impl Future<Output = T> + Send { async move { body } }`, and
/// `-> impl Future<Output = T>` gains `+ Send` (trait-variant's rewrite,
/// applied to the trait itself).
fn rewrite_send(method: &mut TraitItemFn, output: &Type) {
    let sig = &mut method.sig;
    if sig.asyncness.take().is_some() {
        sig.output = syn::parse_quote!(
            -> impl ::core::future::Future<Output = #output> + ::core::marker::Send
        );
        if let Some(body) = &mut method.default {
            let stmts = &body.stmts;
            *body = syn::parse_quote!({ async move { #(#stmts)* } });
        }
    } else if impl_future_output(&sig.output).is_some_and(|(_, send)| !send) {
        if let ReturnType::Type(_, ty) = &mut sig.output {
            if let Type::ImplTrait(imp) = &mut **ty {
                imp.bounds.push(syn::parse_quote!(::core::marker::Send));
            }
        }
    }
}

/// `#[cfg]`s and doc comments, the attributes carried to generated items.
pub(crate) fn split_attrs(attrs: &[Attribute]) -> (Vec<Attribute>, Vec<Attribute>) {
    let cfgs = attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .cloned()
        .collect();
    let docs = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect();
    (cfgs, docs)
}

/// The lifetime of `&'a self`, if named.
pub(crate) fn receiver_lifetime(sig: &Signature) -> Option<Lifetime> {
    match sig.inputs.first() {
        Some(FnArg::Receiver(r)) => r.reference.as_ref().and_then(|(_, lt)| lt.clone()),
        _ => None,
    }
}
