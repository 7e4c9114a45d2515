//! `Twin` for the twin objects (method names, layouts by index) and
//! `TwinOf<P>` (how the registry erases a counted implementor).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Cx;

impl Cx<'_> {
    /// `&[TwinMethod::new("name", false), …]`, one per twin method in
    /// index order; a `#[cfg]`-ed out method stays in the list (indexes do
    /// not move) and says it is absent.
    pub(crate) fn methods_list(&self) -> TokenStream {
        let p = &self.p;
        let methods = self.model.methods.iter().map(|m| {
            // `r#match` is `match` to a reader of statistics.
            let name = syn::ext::IdentExt::unraw(&m.ident).to_string();
            let is_async = m.is_async();
            let owner = self.owner();
            let method = quote!(#p::TwinMethod::new(#name, #is_async).owned_by(#owner));
            let method = if self.recycles(m) {
                quote!(#method.recycling())
            } else {
                method
            };
            if m.cfgs.is_empty() {
                method
            } else {
                let preds = m.cfgs.iter().map(|attr| match &attr.meta {
                    syn::Meta::List(list) => {
                        let tokens = &list.tokens;
                        quote!(cfg!(#tokens))
                    }
                    _ => quote!(true),
                });
                quote!(#method.present_if(#(#preds)&&*))
            }
        });
        // An inline `const` block: the list is `'static` in any position.
        quote!(const { &[#(#methods),*] })
    }
}

pub(crate) fn generate(cx: &Cx<'_>) -> TokenStream {
    let p = &cx.p;
    let space = &cx.names.space;
    let trait_path = &cx.trait_path;
    let base = &cx.opts.twin;
    let twin_args = cx.twin_args();
    let methods = cx.methods_list();
    let index = &cx.names.method;
    let mut twins = vec![(base, false)];
    if let Some(send) = &cx.opts.send {
        twins.push((send, true));
    }
    let mut out = TokenStream::new();
    for (twin, send) in twins {
        // A method whose where clause asks more of `Self` than the object
        // type has (`where Self: Sync`, added to a default body in `send`
        // mode, on the local twin's object) has no layout to report there.
        let arms: Vec<TokenStream> = cx
            .model
            .methods
            .iter()
            .filter(|m| m.is_async() && object_meets(cx, m, send))
            .map(|m| {
                let cfgs = &m.cfgs;
                let i = m.index;
                let layout = format_ident!("{}_layout", m.ident);
                quote!(#(#cfgs)* #i => ::core::option::Option::Some(<Self as #base #twin_args>::#layout(self)),)
            })
            .collect();
        let dyn_ty = cx.dyn_type(twin);
        let where_clause = cx.where_clause(&cx.inherited_preds(&dyn_ty));
        let impl_params = cx.dyn_impl_params(quote!());
        let (all_methods, supers) = if cx.model.supertwins.is_empty() {
            (methods.clone(), quote!(::core::option::Option::None))
        } else {
            out.extend(quote! {
                impl #impl_params #p::OwnMethods for #dyn_ty #where_clause {
                    const OWN: &'static [#p::TwinMethod] = #methods;
                }
            });
            supertwin_methods(cx)
        };
        out.extend(quote! {
            impl #impl_params #p::Twin for #dyn_ty #where_clause {
                type Cap = #space;
                const METHODS: &'static [#p::TwinMethod] = #all_methods;
                fn method_layout(&self, #index: usize) -> ::core::option::Option<#p::FutureLayout> {
                    match #index {
                        #(#arms)*
                        _ => #supers,
                    }
                }
                fn type_name(&self) -> &'static str {
                    <Self as #base #twin_args>::twin_type_name(self)
                }
            }
        });
        if cx.opts.inline_only {
            continue;
        }
        let bindings: Vec<TokenStream> = cx
            .model
            .assoc_types
            .iter()
            .map(|a| {
                let (ident, param) = (&a.ident, &a.param);
                quote!(#ident = #param)
            })
            .collect();
        let bound = super::with_bindings(trait_path, &bindings);
        let send_bound = if send && cx.model.send_twin_sync() {
            quote!(+ ::core::marker::Send + ::core::marker::Sync)
        } else if send {
            quote!(+ ::core::marker::Send)
        } else {
            quote!()
        };
        let plugin = &cx.names.plugin;
        let object = cx.object_lifetime();
        let impl_params = cx.dyn_impl_params(quote!(#plugin: #bound #send_bound + #object));
        out.extend(quote! {
            impl #impl_params #p::TwinOf<#plugin> for #dyn_ty #where_clause {
                #[inline]
                fn share(plugin: #p::Arc<#plugin>) -> #p::Arc<Self> {
                    plugin
                }
            }
        });
    }
    out
}

/// With supertwins, the twin's methods are its own, then each
/// supertwin's (`Joined` concatenates the lists at compile time): the
/// `METHODS` expression, and the `method_layout` fallback that hands an
/// index past the trait's own methods to the supertwin it falls in,
/// through an upcast of `self`.
fn supertwin_methods(cx: &Cx<'_>) -> (TokenStream, TokenStream) {
    let p = &cx.p;
    let index = &cx.names.method;
    let object = cx.object_lifetime();
    let own = cx.model.methods.len();
    let mut list = quote!(#p::Own<Self>);
    let mut steps = vec![quote! {
        if #index < #own {
            return ::core::option::Option::None;
        }
        let #index = #index - #own;
    }];
    for s in &cx.model.supertwins {
        let path = cx.supertwin_path(s, false).expect("a local twin");
        let ty = quote!(dyn #path + #object);
        list = quote!(#p::Joined<#list, #p::Methods<#ty>>);
        steps.push(quote! {
            if #index < <#ty as #p::Twin>::METHODS.len() {
                return #p::Twin::method_layout(self as &(#ty), #index);
            }
            let #index = #index - <#ty as #p::Twin>::METHODS.len();
        });
    }
    let fallback = quote!({
        #(#steps)*
        let _ = #index;
        ::core::option::Option::None
    });
    (quote!(<#list as #p::MethodList>::LIST), fallback)
}

/// Whether the twin object (`send`: the `Send` one, `Sync` too when
/// `send_twin_sync`) meets `m`'s where clause: `Self: Send`/`Sync` it
/// has, `Self: 'static` when its objects are `'static`, and what names only
/// the method's own lifetimes (`Self: 'a` and `'handler: 'fut` on `fn
/// run<'handler, 'fut>`: the layout erases them). Any other predicate
/// (`Self::Ctx: Send`, `T: Clone`) is not known of every object type: no
/// layout there.
fn object_meets(cx: &Cx<'_>, m: &crate::model::Method, send: bool) -> bool {
    let receiver = cx.receiver_outlives(m);
    let lt = cx.lifetimes_of(m);
    let own = super::erased::own_lifetimes(m);
    let is_own = |l: &syn::Lifetime| own.contains(&l.ident.to_string());
    lt.preds.iter().chain(receiver.as_ref()).all(|pred| {
        let t = match pred {
            syn::WherePredicate::Type(t) => t,
            syn::WherePredicate::Lifetime(l) => {
                return is_own(&l.lifetime) && l.bounds.iter().all(is_own);
            }
            _ => return false,
        };
        if !matches!(&t.bounded_ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self")) {
            return false;
        }
        t.bounds.iter().all(|bound| match bound {
            syn::TypeParamBound::Trait(t) => {
                let last = t.path.segments.last().map(|s| s.ident.to_string());
                match last.as_deref() {
                    Some("Sync") => {
                        (send && cx.model.send_twin_sync()) || cx.model.sync_supertrait
                    }
                    Some("Send") => send || cx.model.send_supertrait,
                    _ => false,
                }
            }
            syn::TypeParamBound::Lifetime(l) => {
                (l.ident == "static" && cx.model.static_objects) || is_own(l)
            }
            _ => false,
        })
    })
}
