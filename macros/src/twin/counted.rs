//! `impl Plugin for CountedTwin<P>`: every method forwards to `P` and
//! counts the call; the hook hears where each erased future went.
//!
//! The wrapper implements the user's trait only where it can: the impl is
//! bounded by `CountedTwin<P>: <the trait's supertraits>`, so a supertrait
//! the wrapper does not implement (a foreign trait, say) leaves the trait
//! valid and only this impl (and so counting) unavailable, never a build
//! error in the user's trait.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, GenericParam, ReturnType, TypeParamBound, WherePredicate};

use super::Cx;
use super::erased::{collect_lifetimes, named_sig, own_lifetimes};
use crate::check::{HOOK, POOL_HOOK, READY_HOOK};
use crate::model::{SizedMethod, SizedReceiver};
use crate::shapes::{capture_in_impl, mentions_self};

pub(crate) fn generate(cx: &Cx<'_>) -> TokenStream {
    let p = &cx.p;
    let implementor = &cx.names.implementor;
    let trait_path = &cx.trait_path;
    let params = &cx.params;
    let hook = syn::Ident::new(HOOK, proc_macro2::Span::call_site());
    let (method, erasure) = (&cx.names.method, &cx.names.erasure);
    let counted = quote!(#p::CountedTwin<#implementor>);
    let owner = cx.owner_id();
    let mut extra = Vec::new();
    if !cx.item.supertraits.is_empty() {
        let supertraits = &cx.item.supertraits;
        extra.push(quote!(#counted: #supertraits));
    }
    // `supertrait_types(ErrorType::Error)`: the wrapper's is the
    // implementor's, as the forwarded methods' results say.
    for a in &cx.model.assoc_types {
        if let Some(supertrait) = &a.inherited {
            let ident = &a.ident;
            let bound = super::with_binding(
                supertrait,
                quote!(#ident = <#implementor as #supertrait>::#ident),
            );
            extra.push(quote!(#counted: #bound));
        }
    }
    // `use<.., Self>` in a result: `Self` is the wrapper, made of the
    // implementor.
    let self_params: syn::Generics = syn::parse_quote!(<#implementor>);
    let mut items = Vec::new();
    for a in cx
        .model
        .assoc_types
        .iter()
        .filter(|a| a.inherited.is_none())
    {
        let ident = &a.ident;
        let (cfgs, _) = crate::model::split_attrs(&a.item.attrs);
        items.push(quote!(#(#cfgs)* type #ident = <#implementor as #trait_path>::#ident;));
    }
    for m in &cx.model.methods {
        let cfgs = &m.cfgs;
        let args = Cx::call_args(m);
        let ident = &m.ident;
        let index = m.index;
        let mut sig = named_sig(m);
        capture_in_impl(&mut sig, &self_params);
        if let Some(output) = &m.output {
            if sig.asyncness.take().is_some() {
                sig.output = syn::parse_quote!(-> impl ::core::future::Future<Output = #output>);
            }
        }
        // `where Self: Sync` on the method (added in `send` mode for a
        // default body) says it of the wrapper; the forwarded call needs it
        // of `P`.
        extra.extend(
            self_bounds(&sig, &own_lifetimes(m))
                .into_iter()
                .map(|b| quote!(#implementor: #b)),
        );
        if tracks(m) {
            // The implementor's future, in a `Tracked` that borrows the
            // method's counters for as long as the future borrows `self`:
            // the call is counted as started, then as ended, however.
            let this = &cx.names.this;
            let track = if m.receiver.mutable {
                quote!(track_mut)
            } else {
                quote!(track_ref)
            };
            items.push(quote! {
                #(#cfgs)* #[inline] #sig {
                    #p::#track(self, #owner, #index, |#this| <#implementor as #trait_path>::#ident(#this, #args))
                }
            });
            continue;
        }
        let this = if m.receiver.boxed.is_some() {
            // `P` takes `Box<P>`: the wrapper's box is unwrapped and `P`
            // boxed again (an allocation; the counters live on in the
            // registry entry that shares them).
            quote!(#p::Box::new((*self).into_inner()))
        } else if m.receiver.mutable {
            quote!(self.get_mut())
        } else {
            quote!(self.get_ref())
        };
        items.push(quote! {
            #(#cfgs)* #[inline] #sig {
                #p::count_call(&*self, #owner, #index);
                <#implementor as #trait_path>::#ident(#this, #args)
            }
        });
    }
    for m in &cx.model.sized_methods {
        items.push(forward_sized(cx, m, &self_params));
    }
    items.push(quote! {
        #[inline]
        fn #hook(&self, #method: usize, #erasure: #p::Erasure) {
            #p::observe(self, #owner, #method, #erasure);
            <#implementor as #trait_path>::#hook(self.get_ref(), #method, #erasure);
        }
    });
    let pool_hook = syn::Ident::new(POOL_HOOK, proc_macro2::Span::call_site());
    let layout = &cx.names.layout;
    items.push(quote! {
        #[inline]
        fn #pool_hook(&self, #method: usize, #layout: #p::FutureLayout) -> ::core::option::Option<&#p::Pool> {
            #p::counted_pool(self, #owner, #method, #layout)
        }
    });
    let ready_hook = syn::Ident::new(READY_HOOK, proc_macro2::Span::call_site());
    items.push(quote! {
        #[inline]
        fn #ready_hook(&self) -> ::core::primitive::bool {
            #p::counted_ready(self, #owner)
        }
    });
    let where_clause = cx.where_clause(&extra);
    quote! {
        #[allow(deprecated, clippy::implied_bounds_in_impls)]
        // Never offered to a user in an error ("the following other types
        // implement trait"): it names generated items.
        #[diagnostic::do_not_recommend]
        impl<#(#params,)* #implementor: #trait_path> #trait_path for #counted #where_clause {
            #(#items)*
        }
    }
}

/// Whether the wrapper tracks the method's future (counts how the call
/// ended, in a `Tracked` that borrows the counters): an async method (not a
/// stream) whose future borrows `self`, which is every `async fn` with a
/// `&self` or `&mut self` receiver and every `-> impl Future` that names no
/// lifetime or the receiver's own. Not a future declared `+ 'static` (or
/// `+ 'a` for another lifetime), which cannot hold a borrow of the
/// counters, nor `self: Box<Self>`.
fn tracks(m: &crate::model::Method) -> bool {
    if !m.is_async() || m.stream || m.receiver.boxed.is_some() {
        return false;
    }
    match (&m.future_lifetime, &m.receiver.lifetime) {
        (None, _) => true,
        (Some(future), _) if future.ident == "static" => false,
        (Some(future), None) => future.ident == "_",
        (Some(future), Some(receiver)) => future.ident == receiver.ident || future.ident == "_",
    }
}

/// The bounds a method's where clause puts on `Self` that the impl can
/// say of `P`: not `Sized`, nor one that names the method's own lifetimes
/// (`where Self: 'a` on `fn m<'a>(&'a self)`, aws-credential-types'
/// `provide_credentials`; a twin's method has no other parameters), which
/// the impl's header cannot name. The method's where clause keeps that
/// one, and from `CountedTwin<P>: 'a` the compiler knows `P: 'a`.
fn self_bounds(sig: &syn::Signature, own: &[String]) -> Vec<TokenStream> {
    self_predicates(sig)
        .filter_map(|bounds| {
            let bounds: Vec<&TypeParamBound> = bounds
                .filter(|b| {
                    let mut names = Vec::new();
                    collect_lifetimes(quote!(#b), &mut names);
                    !is_sized(b) && !names.iter().any(|n| own.contains(n))
                })
                .collect();
            (!bounds.is_empty()).then(|| quote!(#(#bounds)+*))
        })
        .collect()
}

/// The bounds of each `Self: ..` predicate of the method's where clause.
fn self_predicates(
    sig: &syn::Signature,
) -> impl Iterator<Item = impl Iterator<Item = &TypeParamBound>> {
    sig.generics
        .where_clause
        .iter()
        .flat_map(|clause| &clause.predicates)
        .filter_map(|pred| match pred {
            WherePredicate::Type(t)
                if matches!(&t.bounded_ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self")) =>
            {
                Some(t.bounds.iter())
            }
            _ => None,
        })
}

fn is_sized(bound: &TypeParamBound) -> bool {
    matches!(bound, TypeParamBound::Trait(t) if t.path.segments.last().is_some_and(|s| s.ident == "Sized"))
}

/// Whether the method's where clause asks of `Self` more than `Sized` and
/// what the trait's supertraits already say (`Send`, `Sync`, `'static`):
/// what `P: Trait` does not imply.
fn asks_more_of_self(sig: &syn::Signature, model: &crate::model::Model) -> bool {
    self_predicates(sig).flatten().any(|bound| match bound {
        TypeParamBound::Trait(t) => {
            match t
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .as_deref()
            {
                Some("Sized") => false,
                Some("Send") => !model.send_supertrait,
                Some("Sync") => !model.sync_supertrait,
                _ => true,
            }
        }
        TypeParamBound::Lifetime(l) => !(l.ident == "static" && model.static_objects),
        _ => true,
    })
}

/// A `where Self: Sized` method, forwarded too (the wrapper is `Sized`), so
/// that `P`'s override runs, not the trait's default.
fn forward_sized(cx: &Cx<'_>, m: &SizedMethod, self_params: &syn::Generics) -> TokenStream {
    let p = &cx.p;
    let implementor = &cx.names.implementor;
    let trait_path = &cx.trait_path;
    let cfgs = &m.cfgs;
    let ident = &m.sig.ident;
    let mut sig = m.sig.clone();
    capture_in_impl(&mut sig, self_params);
    let mut names = m.args.iter();
    for input in &mut sig.inputs {
        if let FnArg::Typed(typed) = input {
            let name = names.next().expect("one name per argument");
            *typed.pat = syn::parse_quote!(#name);
        }
    }
    if sig.asyncness.take().is_some() {
        let output = match &sig.output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, t) => (**t).clone(),
        };
        sig.output = syn::parse_quote!(-> impl ::core::future::Future<Output = #output>);
    }
    if matches!(m.receiver, SizedReceiver::Other(_)) {
        // `self: &Arc<Self>` (nativelink's `RunningActionsManager`): the
        // wrapper cannot make that pointer to `P`; the default runs on the
        // wrapper (`read_sized` refuses such a method without one).
        return TokenStream::new();
    }
    if m.has_default && asks_more_of_self(&m.sig, cx.model) {
        // `where Self: Sized + Send + Sync + 'static` (a `fn boxed(self) ->
        // Box<dyn SendDynPlugin>` helper) on a trait that does not say
        // `Send`: the wrapper meeting it says nothing of `P` (and an impl's
        // method cannot ask more of `P` than the trait asks of `Self`), so
        // `P`'s cannot be called; the default runs on the wrapper.
        return TokenStream::new();
    }
    let names = &m.args;
    let returns_self = matches!(&sig.output, ReturnType::Type(_, t) if matches!(&**t, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self")));
    // A constructor (no receiver) that makes a `Self` the wrapper can
    // wrap: `-> Self`, `-> Result<Self, E>`, `-> Option<Self>`, async or
    // not (sqlx's `Connection::connect`). `P`'s is called, and what it
    // made is wrapped, counting from zero.
    let plain_inputs = !m
        .sig
        .inputs
        .iter()
        .any(|i| matches!(i, FnArg::Typed(t) if mentions_self(&t.ty)))
        && m.sig
            .generics
            .params
            .iter()
            .all(|g| matches!(g, GenericParam::Lifetime(_)));
    if matches!(m.receiver, SizedReceiver::None) && plain_inputs {
        if let ReturnType::Type(_, output) = &m.sig.output {
            if let Some(kind) = constructed(output) {
                let this = &cx.names.this;
                let methods = cx.methods_list();
                let new = quote!(#p::counted_new(#this, #methods));
                let path = quote!(<#implementor as #trait_path>::#ident);
                let made = if m.sig.asyncness.is_some() {
                    quote!(#path(#(#names),*).await)
                } else {
                    quote!(#path(#(#names),*))
                };
                let wrapped = match kind {
                    Constructed::Bare => quote!({ let #this = #made; #new }),
                    Constructed::Mapped => quote!(#made.map(|#this| #new)),
                };
                let body = if m.sig.asyncness.is_some() {
                    quote!(async move { #wrapped })
                } else {
                    wrapped
                };
                return quote!(#(#cfgs)* #[inline] #sig { #body });
            }
        }
    }
    let other_self = m
        .sig
        .inputs
        .iter()
        .any(|i| matches!(i, FnArg::Typed(t) if mentions_self(&t.ty)))
        || (!returns_self && matches!(&sig.output, ReturnType::Type(_, t) if mentions_self(t)));
    if other_self && m.has_default {
        // `Self` in an argument or in the result (`-> Option<Self>`): `P`'s
        // method takes or makes a `P`, not the wrapper; the default stays.
        return TokenStream::new();
    }
    let has_impl_trait_arg = m
        .sig
        .inputs
        .iter()
        .any(|i| matches!(i, FnArg::Typed(t) if matches!(*t.ty, syn::Type::ImplTrait(_))));
    let turbofish: Vec<TokenStream> = m
        .sig
        .generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Type(t) => {
                let i = &t.ident;
                Some(quote!(#i))
            }
            GenericParam::Const(c) => {
                let i = &c.ident;
                Some(quote!(#i))
            }
            GenericParam::Lifetime(_) => None,
        })
        .collect();
    let turbofish = if turbofish.is_empty() || has_impl_trait_arg {
        quote!()
    } else {
        quote!(::<#(#turbofish),*>)
    };
    let path = quote!(<#implementor as #trait_path>::#ident #turbofish);
    let call = match m.receiver {
        SizedReceiver::Ref => quote!(#path(self.get_ref(), #(#names),*)),
        SizedReceiver::Mut => quote!(#path(self.get_mut(), #(#names),*)),
        SizedReceiver::Value => quote!(#path(self.into_inner(), #(#names),*)),
        SizedReceiver::Boxed => {
            quote!(#path(#p::Box::new((*self).into_inner()), #(#names),*))
        }
        SizedReceiver::None if returns_self => {
            // A constructor: `P`'s, wrapped, counting from zero.
            let methods = cx.methods_list();
            quote!(#p::counted_new(#path(#(#names),*), #methods))
        }
        SizedReceiver::None => quote!(#path(#(#names),*)),
        SizedReceiver::Other(_) => unreachable!("returned above"),
    };
    quote!(#(#cfgs)* #[inline] #sig { #call })
}

/// How a constructor's result holds the `Self` it made.
enum Constructed {
    /// `Self`.
    Bare,
    /// `Result<Self, E>` or `Option<Self>`: mapped.
    Mapped,
}

/// Whether `output` is a `Self` the counting wrapper can wrap (see
/// [`Constructed`]).
fn constructed(output: &syn::Type) -> Option<Constructed> {
    let syn::Type::Path(path) = output else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    if path.path.is_ident("Self") {
        return Some(Constructed::Bare);
    }
    let last = path.path.segments.last()?;
    if last.ident != "Result" && last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(syn::Type::Path(first))
            if first.qself.is_none() && first.path.is_ident("Self") =>
        {
            Some(Constructed::Mapped)
        }
        _ => None,
    }
}
