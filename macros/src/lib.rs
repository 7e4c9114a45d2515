//! Procedural macros of [`hybrid-dispatch`](https://docs.rs/hybrid-dispatch):
//! use them through that crate (`hybrid_dispatch::dyn_twin`,
//! `hybrid_dispatch::service`), which documents them; the generated code
//! names items of `hybrid_dispatch` only.

mod check;
mod lifetimes;
mod model;
mod names;
mod options;
mod service;
mod shapes;
mod supertwin;
mod supertypes;
mod twin;

use proc_macro::TokenStream;

/// Generates the `dyn` twin of an async trait. Documented where users meet
/// it: `hybrid_dispatch::dyn_twin`.
#[proc_macro_attribute]
pub fn dyn_twin(args: TokenStream, item: TokenStream) -> TokenStream {
    let options = match syn::parse::<options::Options>(args) {
        Ok(options) => options,
        Err(err) => {
            let err = err.to_compile_error();
            let item = proc_macro2::TokenStream::from(item);
            return quote::quote!(#item #err).into();
        }
    };
    let item = match syn::parse::<syn::ItemTrait>(item.clone()) {
        Ok(item) => item,
        Err(_) => {
            return syn::Error::new(
                proc_macro2::Span::call_site(),
                "#[dyn_twin] goes on a trait definition: `#[dyn_twin(DynPlugin)] pub trait Plugin { async fn handle(&self, req: Request) -> Response; }`",
            )
            .to_compile_error()
            .into();
        }
    };
    #[cfg(not(feature = "alloc"))]
    if !options.inline_only {
        let err = syn::Error::new(
            options.twin.span(),
            format!(
                "#[dyn_twin] without `inline_only` needs hybrid-dispatch's `alloc` feature (a twin's future goes to the heap, a slot or a recycled buffer when it does not fit inline): enable `alloc`, or write `#[dyn_twin({}, inline_only)]` (every future inline; a future too large fails the build)",
                options.twin
            ),
        )
        .to_compile_error();
        return quote::quote!(#item #err).into();
    }
    twin::expand(&options, item).into()
}

/// `async fn call` in a `Service` impl (feature `nightly`). Documented where
/// users meet it: `hybrid_dispatch::service`.
#[proc_macro_attribute]
pub fn service(args: TokenStream, item: TokenStream) -> TokenStream {
    service::expand(args.into(), item.into()).into()
}

#[cfg(test)]
mod tests;
