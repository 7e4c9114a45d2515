//! The expansion of `#[dyn_twin]`. [`expand`] reads as the list of what is
//! generated; each generated item has its own file and `generate` function:
//!
//! | item | file |
//! |---|---|
//! | the user's trait, kept (rewritten for `send`), plus the observation hook | `user_trait.rs` |
//! | the `dyn` twin and its blanket impl; the `Send` twin and its blanket impl | `twin_trait.rs` (methods: `erased.rs`) |
//! | `impl Trait for dyn Twin` (the bridge) | `bridge.rs` |
//! | `impl Trait for CountedTwin<P>` (counting) | `counted.rs` |
//! | `Twin` and `TwinOf<P>` for the twin objects (registry glue) | `glue.rs` |

mod bridge;
mod counted;
mod erased;
mod glue;
mod twin_trait;
mod user_trait;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{GenericParam, Ident, ItemTrait, WherePredicate};

use crate::model::Model;
use crate::names::{Names, Taken};
use crate::options::Options;

pub(crate) use erased::{Lifetimes, generates_try};

/// Everything the generators share, read-only.
pub(crate) struct Cx<'a> {
    pub(crate) opts: &'a Options,
    /// The user's trait, after the `send` rewrite.
    pub(crate) item: &'a ItemTrait,
    pub(crate) model: &'a Model,
    pub(crate) names: &'a Names,
    /// How each twin method's lifetimes are written, by method index
    /// (`None` for sync methods).
    pub(crate) lifetimes: &'a [Option<Lifetimes>],
    /// `::hybrid_dispatch::__private`
    pub(crate) p: TokenStream,
    /// `Plugin<'x, T, N>` (or `Plugin`).
    pub(crate) trait_path: syn::Path,
    /// The trait's generic parameters, without defaults.
    pub(crate) params: Vec<GenericParam>,
    /// The trait's generic arguments: `'x, T, N`.
    pub(crate) args: Vec<TokenStream>,
    pub(crate) where_preds: Vec<WherePredicate>,
}

/// `#[dyn_twin(..)]` on `item`.
pub(crate) fn expand(opts: &Options, mut item: ItemTrait) -> TokenStream {
    user_trait::strip_patterns_without_body(&mut item);
    let mut names = Names::new(Taken::of(&item, opts));
    let mut model = match crate::model::read(&item, &mut names) {
        Ok(model) => model,
        // The trait as written, so that its other uses still resolve, plus
        // the errors.
        Err(err) => return with_error(&item, err),
    };
    if let Err(err) = crate::check::generated_names(opts, &item, &model) {
        return with_error(&item, err);
    }
    match crate::supertwin::read(&item, opts) {
        Ok(supertwins) => model.supertwins = supertwins,
        Err(err) => return with_error(&item, err),
    }
    if let Err(err) = crate::supertypes::read(&item, opts, &mut model, &mut names) {
        return with_error(&item, err);
    }
    if opts.send.is_some() {
        let written = item.clone();
        if let Err(err) = user_trait::rewrite_for_send(&mut item, &mut model) {
            return with_error(&written, err);
        }
    }
    let krate = &opts.krate;
    let p = quote!(#krate::__private);
    let lifetimes: Vec<Option<Lifetimes>> = model
        .methods
        .iter()
        .map(|m| {
            m.is_async()
                .then(|| erased::lifetimes(&item, m, &mut names, &p))
        })
        .collect();
    let cx = Cx::new(opts, &item, &model, &names, &lifetimes);

    let user_trait = user_trait::generate(&cx);
    let twin = twin_trait::generate(&cx, false);
    let send_twin = if opts.send.is_some() {
        twin_trait::generate(&cx, true)
    } else {
        TokenStream::new()
    };
    // The bridge would implement the trait for the twin objects, and so
    // its async supertraits: only their own attribute knows their methods.
    let bridge = if opts.bridge && model.supertwins.is_empty() {
        bridge::generate(&cx)
    } else {
        TokenStream::new()
    };
    let counted = if opts.inline_only {
        TokenStream::new()
    } else {
        counted::generate(&cx)
    };
    let glue = glue::generate(&cx);
    quote! {
        #user_trait
        #twin
        #send_twin
        #bridge
        #counted
        #glue
    }
}

fn with_error(item: &ItemTrait, err: syn::Error) -> TokenStream {
    let err = err.to_compile_error();
    quote!(#item #err)
}

impl<'a> Cx<'a> {
    fn new(
        opts: &'a Options,
        item: &'a ItemTrait,
        model: &'a Model,
        names: &'a Names,
        lifetimes: &'a [Option<Lifetimes>],
    ) -> Self {
        let krate = &opts.krate;
        let trait_ident = &item.ident;
        let (_, ty_generics, _) = item.generics.split_for_impl();
        let params = item
            .generics
            .params
            .iter()
            .cloned()
            .map(|mut param| {
                match &mut param {
                    GenericParam::Type(t) => {
                        t.eq_token = None;
                        t.default = None;
                    }
                    GenericParam::Const(c) => {
                        c.eq_token = None;
                        c.default = None;
                    }
                    GenericParam::Lifetime(_) => {}
                }
                param
            })
            .collect();
        let args = item
            .generics
            .params
            .iter()
            .map(|param| match param {
                GenericParam::Lifetime(l) => {
                    let l = &l.lifetime;
                    quote!(#l)
                }
                GenericParam::Type(t) => {
                    let i = &t.ident;
                    quote!(#i)
                }
                GenericParam::Const(c) => {
                    let i = &c.ident;
                    quote!(#i)
                }
            })
            .collect();
        let where_preds = item
            .generics
            .where_clause
            .as_ref()
            .map(|w| w.predicates.iter().cloned().collect())
            .unwrap_or_default();
        Cx {
            opts,
            item,
            model,
            names,
            lifetimes,
            p: quote!(#krate::__private),
            trait_path: syn::parse_quote!(#trait_ident #ty_generics),
            params,
            args,
            where_preds,
        }
    }

    pub(crate) fn trait_type_params(&self) -> Vec<&Ident> {
        self.params
            .iter()
            .filter_map(|p| match p {
                GenericParam::Type(t) => Some(&t.ident),
                _ => None,
            })
            .collect()
    }

    /// `<'x, T, N, Cap>`: a twin trait's arguments.
    pub(crate) fn twin_args(&self) -> TokenStream {
        let args = &self.args;
        let space = &self.names.space;
        quote!(<#(#args,)* #space>)
    }

    /// `where <the trait's predicates>, <extra>`.
    pub(crate) fn where_clause(&self, extra: &[TokenStream]) -> TokenStream {
        let preds = &self.where_preds;
        if preds.is_empty() && extra.is_empty() {
            TokenStream::new()
        } else {
            quote!(where #(#preds,)* #(#extra,)*)
        }
    }

    /// `dyn DynPlugin<T, Cap, Item = Item_> + 'dyn_twin` (or `+ 'static`
    /// when the trait's objects are `'static`).
    pub(crate) fn dyn_type(&self, twin: &Ident) -> TokenStream {
        let args = &self.args;
        let space = &self.names.space;
        let bindings = self.model.assoc_types.iter().map(|a| {
            let (ident, param) = (&a.ident, &a.param);
            quote!(#ident = #param)
        });
        let object = self.object_lifetime();
        quote!(dyn #twin<#(#args,)* #space, #(#bindings,)*> + #object)
    }

    /// What an impl on the twin object `dyn_ty` assumes of it for each
    /// `supertrait_types(ErrorType::Error)`: `dyn_ty: ErrorType<Error =
    /// Error_>`. The object implements its supertraits, but proving it
    /// from the object would ask of `Error_` the bounds the supertrait puts
    /// on its type, which the attribute cannot see.
    pub(crate) fn inherited_preds(&self, ty: &TokenStream) -> Vec<TokenStream> {
        self.model
            .assoc_types
            .iter()
            .filter_map(|a| {
                let supertrait = a.inherited.as_ref()?;
                let (ident, param) = (&a.ident, &a.param);
                let bound = with_binding(supertrait, quote!(#ident = #param));
                Some(quote!(#ty: #bound))
            })
            .collect()
    }

    /// A string naming the trait, the same wherever this expansion writes
    /// it: a counting wrapper registered for a subtrait's twin finds the
    /// trait's methods among its own by it.
    pub(crate) fn owner(&self) -> TokenStream {
        let name = format!("::{}", self.item.ident);
        quote!(::core::concat!(::core::module_path!(), #name))
    }

    /// The number the counting calls compare for [`owner`](Self::owner),
    /// a constant.
    pub(crate) fn owner_id(&self) -> TokenStream {
        let p = &self.p;
        let owner = self.owner();
        quote!(const { #p::owner_id(#owner) })
    }

    /// `DynNamed<u32, Cap, Item = u8>` (`send`: `SendDynNamed<..>`), the
    /// supertwin's twin, `None` for a `send` twin it does not name.
    pub(crate) fn supertwin_path(
        &self,
        s: &crate::supertwin::SuperTwin,
        send: bool,
    ) -> Option<TokenStream> {
        let path = if send { s.send.as_ref()? } else { &s.twin };
        let (args, bindings) = (&s.args, &s.bindings);
        let space = &self.names.space;
        Some(quote!(#path<#(#args,)* #space, #(#bindings,)*>))
    }

    /// The twin objects' lifetime in impls on them.
    pub(crate) fn object_lifetime(&self) -> TokenStream {
        if self.model.static_objects {
            quote!('static)
        } else {
            let l = &self.names.object;
            quote!(#l)
        }
    }

    /// Impl parameters for impls on the `dyn` types, with `extra` last.
    pub(crate) fn dyn_impl_params(&self, extra: TokenStream) -> TokenStream {
        let p = &self.p;
        let space = &self.names.space;
        let (lifetimes, others): (Vec<_>, Vec<_>) = self
            .params
            .iter()
            .partition(|p| matches!(p, GenericParam::Lifetime(_)));
        let object = if self.model.static_objects {
            quote!()
        } else {
            let l = &self.names.object;
            quote!(#l,)
        };
        // A `'static` object type names only `'static` types.
        let others = others.into_iter().map(|p| match p {
            GenericParam::Type(t) if self.model.static_objects => {
                let mut t = t.clone();
                t.bounds.push(syn::parse_quote!('static));
                t.colon_token.get_or_insert_with(Default::default);
                GenericParam::Type(t)
            }
            other => other.clone(),
        });
        // And so do its associated types (opendal's `Access: .. + 'static`
        // with `type Reader`).
        let assoc_params = self.model.assoc_types.iter().map(|a| {
            let param = &a.param;
            let mut bounds = a.item.bounds.clone();
            // `type Service: Service<Res = Self::Res>` (ntex, hyper's `type
            // Future: Future<Output = Result<Self::Response, Self::Error>>`):
            // here `Self` would be the object type, whose `Res` is this very
            // parameter list's (a cycle rustc overflowed on, or ran out of
            // memory); the parameter that stands for it says the same.
            for bound in &mut bounds {
                syn::visit_mut::VisitMut::visit_type_param_bound_mut(
                    &mut AssocToParam(self.model),
                    bound,
                );
            }
            if self.model.static_objects {
                bounds.push(syn::parse_quote!('static));
            }
            if bounds.is_empty() {
                quote!(#param)
            } else {
                quote!(#param: #bounds)
            }
        });
        quote!(<#object #(#lifetimes,)* #(#others,)* #space: #p::Capacity, #(#assoc_params,)* #extra>)
    }
}

/// Replaces `Self::X` for each associated type `X` of the trait with the
/// parameter that stands for it on the objects.
struct AssocToParam<'m>(&'m crate::model::Model);

impl syn::visit_mut::VisitMut for AssocToParam<'_> {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(p) = ty {
            // Not `<Self as Other>::X`: another trait's `X`, which may share
            // the name.
            let of_self = p.qself.is_none()
                && p.path.segments.len() == 2
                && p.path.segments[0].ident == "Self";
            let last = p.path.segments.last();
            if let (true, Some(last)) = (of_self, last) {
                if last.arguments.is_none() {
                    if let Some(a) = self.0.assoc_types.iter().find(|a| a.ident == last.ident) {
                        let param = &a.param;
                        *ty = syn::parse_quote!(#param);
                        return;
                    }
                }
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

/// `Path<Args, binding>`: a trait path with one more generic argument.
pub(crate) fn with_binding(path: &syn::Path, binding: TokenStream) -> TokenStream {
    with_bindings(path, &[binding])
}

/// `Path<Args, bindings..>`: a trait path with more generic arguments
/// (associated type bindings after its own arguments).
pub(crate) fn with_bindings(path: &syn::Path, bindings: &[TokenStream]) -> TokenStream {
    if bindings.is_empty() {
        return quote!(#path);
    }
    let mut path = path.clone();
    let last = path.segments.last_mut().expect("a trait name");
    let existing: Vec<TokenStream> = match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().map(|a| quote!(#a)).collect(),
        _ => Vec::new(),
    };
    last.arguments = syn::PathArguments::None;
    quote!(#path<#(#existing,)* #(#bindings),*>)
}
