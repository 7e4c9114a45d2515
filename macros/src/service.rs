//! `#[service]`: `async fn call` in an `impl Service<Req> for T`, expanded
//! to `type Future<'a> = impl Future<…>` (nightly `impl_trait_in_assoc_type`).
//! Without the `nightly` feature the attribute is a compile error that points
//! to what works on stable.

use proc_macro2::TokenStream;
#[cfg(feature = "nightly")]
use quote::quote;
#[cfg(feature = "nightly")]
use syn::{ImplItem, ItemImpl, ReturnType};

#[cfg(not(feature = "nightly"))]
pub(crate) fn expand(_args: TokenStream, item: TokenStream) -> TokenStream {
    let message = "#[service] (`async fn call` in a `Service` impl) needs nightly Rust: enable hybrid-dispatch's `nightly` feature and `#![feature(impl_trait_in_assoc_type)]`. \
                   On stable, build the service from a closure with `service_fn(|req| async move { … })`, \
                   or write your own trait with `async fn` methods and put `#[dyn_twin(DynName)]` on it";
    // Point at the impl, and keep nothing of it: its `async fn call` would
    // only add E0706-style noise under the real error.
    let span = item
        .clone()
        .into_iter()
        .next()
        .map_or_else(proc_macro2::Span::call_site, |t| t.span());
    quote::quote_spanned!(span=> ::core::compile_error!(#message);)
}

#[cfg(feature = "nightly")]
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return syn::Error::new_spanned(args, "#[service] takes no arguments").to_compile_error();
    }
    let mut imp: ItemImpl = match syn::parse2(item) {
        Ok(imp) => imp,
        Err(err) => {
            return syn::Error::new(
                err.span(),
                "#[service] goes on `impl Service<Req> for T { async fn call(&self, req: Req) -> Resp { … } }`",
            )
            .to_compile_error();
        }
    };
    let has_response = imp
        .items
        .iter()
        .any(|i| matches!(i, ImplItem::Type(t) if t.ident == "Response"));
    let Some(index) = imp
        .items
        .iter()
        .position(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "call"))
    else {
        return syn::Error::new_spanned(
            &imp.self_ty,
            "#[service] needs an `async fn call(&self, req: Req) -> Resp`",
        )
        .to_compile_error();
    };
    let ImplItem::Fn(call) = imp.items.remove(index) else {
        unreachable!("found above");
    };
    if call.sig.asyncness.is_none() {
        return syn::Error::new_spanned(&call.sig, "#[service] expects `async fn call`")
            .to_compile_error();
    }
    let output: syn::Type = match &call.sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };
    let inputs = &call.sig.inputs;
    let mut inputs_iter = inputs.iter();
    match inputs_iter.next() {
        Some(syn::FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none() => {}
        _ => {
            return syn::Error::new_spanned(&call.sig, "`call` takes `&self`").to_compile_error();
        }
    }
    let rest: Vec<_> = inputs_iter.collect();
    let attrs = &call.attrs;
    let stmts = &call.block.stmts;
    if !has_response {
        imp.items.push(syn::parse_quote!(type Response = #output;));
    }
    imp.items.push(syn::parse_quote!(
        type Future<'a> = impl ::core::future::Future<Output = #output> where Self: 'a;
    ));
    imp.items.push(syn::parse_quote!(
        #(#attrs)*
        fn call<'a>(&'a self, #(#rest),*) -> Self::Future<'a> {
            async move { #(#stmts)* }
        }
    ));
    quote!(#imp)
}
