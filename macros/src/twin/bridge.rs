//! The bridge: `impl Plugin for dyn DynPlugin` (`dyn SendDynPlugin` in
//! `send` mode), so that `P: Plugin + ?Sized` accepts a trait object and
//! `p.handle(x).await` reads the same on `&Echo` and on `&dyn DynPlugin`.
//!
//! No forwarding impls for `Box<P>` / `Arc<P>`, although coherence allows
//! them: with `Box<dyn DynPlugin>: Plugin`, the blanket impl would make
//! `Box<dyn DynPlugin>` a `DynPlugin<S>` for *every* capacity `S`, and
//! `boxed.handle_dyn(..)` would stop compiling (the method is found on the
//! `Box` before auto-deref reaches the object, with `S` ambiguous). Method
//! calls on `Box`/`Arc` reach the object by auto-deref; generic code takes
//! `&*boxed`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

use super::Cx;
use super::erased::named_sig;
use crate::model::Method;

pub(crate) fn generate(cx: &Cx<'_>) -> TokenStream {
    let trait_path = &cx.trait_path;
    let twin = match &cx.opts.send {
        Some(send) => send,
        None => &cx.opts.twin,
    };
    let base = &cx.opts.twin;
    let twin_args = cx.twin_args();
    let dyn_ty = cx.dyn_type(twin);
    let impl_params = cx.dyn_impl_params(quote!());
    let mut send_bounds = Vec::new();
    let mut items = Vec::new();
    for a in &cx.model.assoc_types {
        let (ident, param) = (&a.ident, &a.param);
        let (cfgs, _) = crate::model::split_attrs(&a.item.attrs);
        items.push(quote!(#(#cfgs)* type #ident = #param;));
    }
    for m in &cx.model.methods {
        let cfgs = &m.cfgs;
        let args = Cx::call_args(m);
        let mut sig = named_sig(m);
        let Some(output) = &m.output else {
            let via = format_ident!("{}_dyn", m.ident);
            items.push(quote! {
                #(#cfgs)* #[inline] #sig { <Self as #base #twin_args>::#via(self, #args) }
            });
            continue;
        };
        if sig.asyncness.take().is_some() {
            sig.output = syn::parse_quote!(-> impl ::core::future::Future<Output = #output>);
        }
        let (twin_trait, via) = match &cx.opts.send {
            Some(send) => (send, format_ident!("{}_send", m.ident)),
            None => (base, format_ident!("{}_dyn", m.ident)),
        };
        let call = quote!(<Self as #twin_trait #twin_args>::#via(self, #args));
        if cx.opts.send.is_some() && lazy(cx, m) {
            send_bounds.extend(captured_send_bounds(cx, m));
        }
        let body = if lazy(cx, m) {
            // An `async` block that calls the twin on its first poll and
            // pins the handle where the call writes it. Returning the
            // handle itself would have every `p.m(x).await` move it (128
            // bytes, just written: on x86-64 that move costs as much time
            // as the `Box` of `async-trait`); moving this block before its
            // first poll copies only its captures (the receiver and the
            // arguments). It also names every input lifetime, which a
            // single `impl Future + 'a` could not.
            quote!(async move { ::core::pin::pin!(#call).await })
        } else if cx.lifetimes_of(m).declared.len() > 1 {
            // Eager (see `lazy`), wrapped so the result names every input
            // lifetime.
            let future = &cx.names.future;
            quote!({
                let #future = #call;
                async move { #future.await }
            })
        } else {
            call
        };
        items.push(quote! {
            #(#cfgs)* #[inline] #sig { #body }
        });
    }
    let where_clause = cx.where_clause(&send_bounds);
    quote! {
        impl #impl_params #trait_path for #dyn_ty #where_clause {
            #(#items)*
        }
    }
}

/// In `send` mode the bridge's `async` block captures the arguments, so it
/// is `Send` only if they are. For an argument whose type names the trait's
/// type parameters or associated types (`keys: &[K]`, `item: Self::Item`),
/// the bridge impl says so (`for<'life1> &'life1 [K]: Send`): it exists for
/// the instantiations where the implementors' futures can be `Send` anyway,
/// and asks nothing of the trait.
fn captured_send_bounds(cx: &Cx<'_>, m: &Method) -> Vec<TokenStream> {
    let lt = cx.lifetimes_of(m);
    let declared = &lt.declared;
    let params: Vec<String> = cx
        .trait_type_params()
        .iter()
        .map(|i| i.to_string())
        .collect();
    lt.sig
        .inputs
        .iter()
        .skip(1)
        .filter_map(|input| match input {
            syn::FnArg::Typed(t) => Some(&*t.ty),
            syn::FnArg::Receiver(_) => None,
        })
        .filter(|ty| names_generic(ty, &params))
        .map(|ty| {
            let mut ty = ty.clone();
            AssocToParam(cx).visit_type_mut(&mut ty);
            if declared.is_empty() {
                quote!(#ty: ::core::marker::Send)
            } else {
                quote!(for<#(#declared),*> #ty: ::core::marker::Send)
            }
        })
        .collect()
}

fn names_generic(ty: &syn::Type, params: &[String]) -> bool {
    let mut finder = NamesGeneric {
        params,
        found: false,
    };
    finder.visit_type(ty);
    finder.found
}

/// `Self::Item` → the bridge impl's parameter for `Item`.
struct AssocToParam<'a, 'b>(&'a Cx<'b>);

impl VisitMut for AssocToParam<'_, '_> {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(p) = ty {
            if p.qself.is_none() && p.path.segments.len() == 2 && p.path.segments[0].ident == "Self" {
                let name = &p.path.segments[1].ident;
                if let Some(a) = self.0.model.assoc_types.iter().find(|a| &a.ident == name) {
                    let param = &a.param;
                    *ty = syn::parse_quote!(#param);
                    return;
                }
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

/// Whether the bridge may defer the call to the first poll: its `async`
/// block captures the receiver and the arguments. Not for a future the
/// trait declares `+ Send` in a local twin (the block would capture
/// `&dyn DynPlugin`, which is not `Sync`), nor for one it bounds by a
/// lifetime (`+ 'static`: the block would borrow the receiver). There the
/// handle is made eagerly and the `.await` moves it once. In `send` mode
/// the captures must be `Send`: see `captured_send_bounds`.
fn lazy(cx: &Cx<'_>, m: &Method) -> bool {
    if m.future_lifetime.is_some() {
        // `+ 'static` (or another declared bound): the block would borrow
        // the receiver; the handle itself has the declared lifetime.
        return false;
    }
    cx.opts.send.is_some() || !m.declared_send
}

/// Finds `Self` or one of the trait's type parameters in a type.
struct NamesGeneric<'a> {
    params: &'a [String],
    found: bool,
}

impl<'ast> Visit<'ast> for NamesGeneric<'_> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(first) = path.segments.first() {
            let first = first.ident.to_string();
            if first == "Self" || self.params.contains(&first) {
                self.found = true;
            }
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_qself(&mut self, _: &'ast syn::QSelf) {
        self.found = true;
    }
}
