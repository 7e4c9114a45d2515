//! The expansion of `#[dyn_twin]`: the user's trait (plus a hidden
//! observation hook), the twin(s), their blanket impls, layouts, slots, the
//! bridge impls, the counting impl and the registry glue.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{
    FnArg, GenericParam, Generics, Ident, ItemTrait, Lifetime, Pat, PatIdent, ReturnType,
    Signature, Type, WherePredicate,
};

use crate::lifetimes::{FillElided, NameElided, ReplaceSelf, has_elided};
use crate::model::{Method, Model, impl_future_output, receiver_lifetime, requires_sized};
use crate::options::Options;

/// The hidden method added to the user's trait.
const HOOK: &str = "__dyn_twin_observe";

/// Everything the generators share.
struct Cx<'a> {
    opts: &'a Options,
    item: &'a ItemTrait,
    model: &'a Model,
    /// `::hybrid_dispatch::__private`
    p: TokenStream,
    /// `Plugin<'x, T, N>` (or `Plugin`).
    trait_path: syn::Path,
    /// The trait's generic parameters, without defaults.
    params: Vec<GenericParam>,
    /// The trait's generic arguments: `'x, T, N`.
    args: Vec<TokenStream>,
    where_preds: Vec<WherePredicate>,
    /// The blanket impls' type parameter.
    implementor: Ident,
    hook: Ident,
}

pub(crate) fn expand(opts: &Options, mut item: ItemTrait) -> TokenStream {
    let model = match crate::model::read(&mut item, opts.send.is_some()) {
        Ok(model) => model,
        Err(err) => {
            // The trait as written, so that its other uses still resolve,
            // plus the errors.
            let err = err.to_compile_error();
            return quote!(#item #err);
        }
    };
    if let Err(err) = check_names(opts, &item, &model) {
        let err = err.to_compile_error();
        return quote!(#item #err);
    }
    let krate = &opts.krate;
    let trait_ident = &item.ident;
    let (_, ty_generics, _) = item.generics.split_for_impl();
    let trait_path: syn::Path = syn::parse_quote!(#trait_ident #ty_generics);
    let params: Vec<GenericParam> = item
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
    let implementor = if item
        .generics
        .params
        .iter()
        .any(|p| matches!(p, GenericParam::Type(t) if t.ident == "Implementor"))
    {
        format_ident!("__Implementor")
    } else {
        format_ident!("Implementor")
    };
    let cx = Cx {
        opts,
        item: &item,
        model: &model,
        p: quote!(#krate::__private),
        trait_path,
        params,
        args,
        where_preds,
        implementor,
        hook: Ident::new(HOOK, Span::call_site()),
    };

    let user_trait = cx.user_trait();
    let twin = cx.twin_trait(false);
    let send_twin = if opts.send.is_some() {
        cx.twin_trait(true)
    } else {
        TokenStream::new()
    };
    let bridges = if opts.bridge {
        cx.bridges()
    } else {
        TokenStream::new()
    };
    let counted = if opts.inline_only {
        TokenStream::new()
    } else {
        cx.counted_impl()
    };
    let glue = cx.registry_glue();
    quote! {
        #user_trait
        #twin
        #send_twin
        #bridges
        #counted
        #glue
    }
}

/// Generated names that would collide with the user's methods (E0034 on
/// concrete types, or a duplicate definition in the twin).
fn check_names(opts: &Options, item: &ItemTrait, model: &Model) -> Result<(), syn::Error> {
    let user: Vec<String> = item
        .items
        .iter()
        .filter_map(|i| match i {
            syn::TraitItem::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut generated: Vec<(String, &Ident)> = vec![];
    for m in &model.methods {
        let name = m.ident.to_string();
        generated.push((format!("{name}_dyn"), &m.ident));
        if m.output.is_some() {
            generated.push((format!("{name}_layout"), &m.ident));
            if !opts.inline_only {
                generated.push((format!("{name}_in"), &m.ident));
            }
            if opts.send.is_some() {
                generated.push((format!("{name}_send"), &m.ident));
                if !opts.inline_only {
                    generated.push((format!("{name}_send_in"), &m.ident));
                }
            }
        }
    }
    for (name, from) in &generated {
        if user.contains(name) || name == "twin_type_name" || name == HOOK {
            return Err(syn::Error::new(
                from.span(),
                format!(
                    "#[dyn_twin] generates a twin method `{name}` for `{from}`, and the trait already has a method of that name (calling it on a concrete type would be ambiguous): rename one of them"
                ),
            ));
        }
        if generated.iter().filter(|(n, _)| n == name).count() > 1 {
            return Err(syn::Error::new(
                from.span(),
                format!(
                    "#[dyn_twin] would generate two twin methods named `{name}`: rename `{from}`"
                ),
            ));
        }
    }
    if user.iter().any(|n| n == "twin_type_name" || n == HOOK) {
        return Err(syn::Error::new(
            item.ident.span(),
            "#[dyn_twin] reserves the method names `twin_type_name` and `__dyn_twin_observe`: rename the trait's method",
        ));
    }
    let twin_params_clash = item.generics.params.iter().any(|p| match p {
        GenericParam::Type(t) => t.ident == "Space",
        _ => false,
    });
    if twin_params_clash {
        return Err(syn::Error::new(
            item.generics.span_or_call_site(),
            "#[dyn_twin] adds a type parameter named `Space` (the inline capacity) to the twin: rename the trait's parameter",
        ));
    }
    Ok(())
}

trait SpanOrCallSite {
    fn span_or_call_site(&self) -> Span;
}

impl SpanOrCallSite for Generics {
    fn span_or_call_site(&self) -> Span {
        self.lt_token.map_or_else(Span::call_site, |lt| lt.span)
    }
}

/// A signature whose arguments are plain names (for forwarding bodies).
fn named_sig(sig: &Signature, names: &[Ident]) -> Signature {
    let mut sig = sig.clone();
    let mut names = names.iter();
    for input in &mut sig.inputs {
        if let FnArg::Typed(typed) = input {
            let ident = names.next().expect("one name per argument").clone();
            *typed.pat = Pat::Ident(PatIdent {
                attrs: vec![],
                by_ref: None,
                mutability: None,
                ident,
                subpat: None,
            });
        }
    }
    sig
}

/// The argument names of any method (`None` if one is a pattern).
fn arg_names(sig: &Signature) -> Option<Vec<Ident>> {
    sig.inputs
        .iter()
        .enumerate()
        .filter_map(|(i, input)| match input {
            FnArg::Typed(typed) => Some((i, typed)),
            FnArg::Receiver(_) => None,
        })
        .map(|(i, typed)| match &*typed.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
            Pat::Wild(_) => Some(format_ident!("__arg{}", i)),
            _ => None,
        })
        .collect()
}

/// The signature of an impl method for an `async fn` declared in the trait:
/// `fn m(..) -> impl Future<Output = T>`, so that impls can return a future
/// they did not write as `async`.
fn as_impl_future(sig: &Signature, output: &Type) -> Signature {
    let mut sig = sig.clone();
    if sig.asyncness.take().is_some() {
        sig.output = syn::parse_quote!(-> impl ::core::future::Future<Output = #output>);
    }
    sig
}

/// How a twin method's lifetimes are written.
struct Lifetimes {
    /// Receiver, arguments and result with every lifetime named.
    sig: Signature,
    /// The result type with elided lifetimes resolved.
    output: Type,
    /// The method's lifetimes, declared and named here.
    declared: Vec<Lifetime>,
    /// Whether `fn m(&self, ..) -> Future<'_, T>` says it all.
    simple: bool,
    /// The future's lifetime (`'fut`).
    fut: Lifetime,
    /// `'l: 'fut` for every lifetime, `T: 'fut` for every trait type.
    outlives: Vec<TokenStream>,
}

impl Cx<'_> {
    fn trait_type_params(&self) -> Vec<&Ident> {
        self.params
            .iter()
            .filter_map(|p| match p {
                GenericParam::Type(t) => Some(&t.ident),
                _ => None,
            })
            .collect()
    }

    fn trait_lifetimes(&self) -> Vec<&Lifetime> {
        self.params
            .iter()
            .filter_map(|p| match p {
                GenericParam::Lifetime(l) => Some(&l.lifetime),
                _ => None,
            })
            .collect()
    }

    fn lifetimes(&self, m: &Method) -> Lifetimes {
        let output = m.output.clone().expect("async method");
        let mut sig = named_sig(&m.sig, &m.args);
        sig.asyncness = None;
        let mut namer = NameElided::new();
        let explicit: Vec<Lifetime> = sig
            .generics
            .params
            .iter()
            .filter_map(|p| match p {
                GenericParam::Lifetime(l) => Some(l.lifetime.clone()),
                _ => None,
            })
            .collect();
        let receiver = match receiver_lifetime(&sig) {
            Some(l) => l,
            None => {
                let l = namer.fresh(Span::call_site());
                if let Some(FnArg::Receiver(r)) = sig.inputs.first_mut() {
                    r.reference.as_mut().expect("a reference receiver").1 = Some(l.clone());
                    let mutability = r.mutability;
                    *r.ty = syn::parse_quote!(&#l #mutability Self);
                }
                l
            }
        };
        let args_elided = sig.inputs.iter().skip(1).any(|input| match input {
            FnArg::Typed(t) => has_elided(&t.ty),
            FnArg::Receiver(_) => false,
        });
        for input in sig.inputs.iter_mut().skip(1) {
            if let FnArg::Typed(t) = input {
                namer.visit_type_mut(&mut t.ty);
            }
        }
        let mut resolved = output.clone();
        FillElided(|_| receiver.clone()).visit_type_mut(&mut resolved);
        let taken: Vec<String> = explicit
            .iter()
            .chain(self.trait_lifetimes())
            .map(|l| l.ident.to_string())
            .collect();
        let fut = if taken.iter().any(|n| n == "fut") {
            Lifetime::new("'__fut", Span::call_site())
        } else {
            Lifetime::new("'fut", Span::call_site())
        };
        let mut declared = explicit.clone();
        declared.extend(namer.named.iter().cloned());
        let mut outlives: Vec<TokenStream> = declared
            .iter()
            .chain(self.trait_lifetimes())
            .map(|l| quote!(#l: #fut))
            .collect();
        outlives.extend(self.trait_type_params().iter().map(|t| quote!(#t: #fut)));
        let simple = explicit.is_empty()
            && !args_elided
            && self.params.is_empty()
            && sig.generics.where_clause.is_none();
        // Strip the explicit lifetimes: `declared` re-declares them.
        sig.generics.params.clear();
        sig.generics.lt_token = None;
        sig.generics.gt_token = None;
        Lifetimes {
            sig,
            output: resolved,
            declared,
            simple,
            fut,
            outlives,
        }
    }

    /// The user's trait as it stays: rewritten for `send`, plus the hook.
    fn user_trait(&self) -> TokenStream {
        let mut item = self.item.clone();
        let p = &self.p;
        let hook = &self.hook;
        item.items.push(syn::parse_quote! {
            /// Hears where each future erased by the `dyn` twin went
            /// (generated by `#[dyn_twin]`; the default does nothing, the
            /// counting wrapper counts). Not for implementors to override.
            #[doc(hidden)]
            #[inline]
            fn #hook(&self, method: usize, erasure: #p::Erasure) {
                let _ = (method, erasure);
            }
        });
        if self.opts.send.is_none() {
            // The local twin is this trait's answer to the lint: its `Send`
            // variant is the `send = …` option.
            item.attrs
                .push(syn::parse_quote!(#[allow(async_fn_in_trait)]));
        }
        quote!(#item)
    }

    fn generics_decl(&self) -> TokenStream {
        let p = &self.p;
        let params = self.item.generics.params.iter();
        quote!(<#(#params,)* Space: #p::Capacity = #p::DefaultSpace>)
    }

    fn twin_args(&self) -> TokenStream {
        let args = &self.args;
        quote!(<#(#args,)* Space>)
    }

    fn where_clause(&self, extra: &[TokenStream]) -> TokenStream {
        let preds = &self.where_preds;
        if preds.is_empty() && extra.is_empty() {
            TokenStream::new()
        } else {
            quote!(where #(#preds,)* #(#extra,)*)
        }
    }

    /// `Item = __Item` bindings and their parameters, for impls on the
    /// `dyn` types.
    fn assoc_bindings(&self) -> (Vec<TokenStream>, Vec<TokenStream>) {
        self.model
            .assoc_types
            .iter()
            .map(|a| {
                let ident = &a.ident;
                let param = format_ident!("__{}", ident);
                let bounds = &a.item.bounds;
                let colon = if bounds.is_empty() {
                    quote!()
                } else {
                    quote!(:)
                };
                (quote!(#ident = #param), quote!(#param #colon #bounds))
            })
            .unzip()
    }

    /// `dyn DynPlugin<T, Space, Item = __Item> + 'dyn_twin`.
    fn dyn_type(&self, twin: &Ident) -> TokenStream {
        let args = &self.args;
        let (bindings, _) = self.assoc_bindings();
        quote!(dyn #twin<#(#args,)* Space, #(#bindings,)*> + 'dyn_twin)
    }

    /// Impl parameters for impls on the `dyn` types.
    fn dyn_impl_params(&self, extra: TokenStream) -> TokenStream {
        let p = &self.p;
        let (lifetimes, others): (Vec<_>, Vec<_>) = self
            .params
            .iter()
            .partition(|p| matches!(p, GenericParam::Lifetime(_)));
        let (_, assoc_params) = self.assoc_bindings();
        quote!(<'dyn_twin, #(#lifetimes,)* #(#others,)* Space: #p::Capacity, #(#assoc_params,)* #extra>)
    }

    fn twin_trait(&self, send: bool) -> TokenStream {
        let p = &self.p;
        let vis = &self.item.vis;
        let trait_ident = &self.item.ident;
        let twin = &self.opts.twin;
        let name = if send {
            self.opts.send.as_ref().expect("send twin")
        } else {
            twin
        };
        let generics = self.generics_decl();
        let twin_args = self.twin_args();
        let supertraits = if send {
            quote!(: #twin #twin_args + ::core::marker::Send + ::core::marker::Sync)
        } else if self.item.supertraits.is_empty() {
            quote!()
        } else {
            let s = &self.item.supertraits;
            quote!(: #s)
        };
        let where_clause = self.where_clause(&[]);
        let implementor = &self.implementor;
        let trait_path = &self.trait_path;
        let impl_params = &self.params;
        let impl_bound = if send {
            quote!(?::core::marker::Sized + #trait_path + ::core::marker::Send + ::core::marker::Sync)
        } else {
            quote!(?::core::marker::Sized + #trait_path)
        };

        let mut decls = Vec::new();
        let mut defs = Vec::new();
        if !send {
            for a in &self.model.assoc_types {
                let ident = &a.ident;
                let bounds = &a.item.bounds;
                let colon = a.item.colon_token;
                let (cfgs, docs) = crate::model::split_attrs(&a.item.attrs);
                let doc = format!("[`{trait_ident}::{ident}`].");
                let docs = if docs.is_empty() {
                    quote!(#[doc = #doc])
                } else {
                    quote!(#(#docs)*)
                };
                decls.push(quote!(#(#cfgs)* #docs type #ident #colon #bounds;));
                defs.push(quote!(#(#cfgs)* type #ident = <#implementor as #trait_path>::#ident;));
            }
        }
        for m in &self.model.methods {
            let (d, i) = if send {
                self.send_methods(m)
            } else {
                self.local_methods(m)
            };
            decls.push(d);
            defs.push(i);
        }
        if !send {
            decls.push(quote! {
                /// The implementing type's name, as `core::any::type_name`
                /// spells it: for diagnostics and the registry's reports.
                fn twin_type_name(&self) -> &'static str;
            });
            defs.push(quote! {
                fn twin_type_name(&self) -> &'static str {
                    ::core::any::type_name::<#implementor>()
                }
            });
        }
        let doc = if send {
            format!(
                "The `Send + Sync` `dyn` twin of [`{trait_ident}`] (generated by \
                 `#[dyn_twin]`): every method of `{twin}` plus `*_send` methods whose \
                 futures are `Send`, so `Arc<dyn {name}>` can move into `tokio::spawn`. \
                 Implemented for every `{trait_ident} + Send + Sync`; the trait declares \
                 its futures `Send`, so implementors' futures are checked where they are \
                 written."
            )
        } else {
            let storage = if self.opts.inline_only {
                "an `InlineOnlyFuture` (inline, or a build error: never the heap)"
            } else {
                "an `InlineFuture` (inline when it fits `Space`, on the heap otherwise)"
            };
            format!(
                "The `dyn` twin of [`{trait_ident}`] (generated by `#[dyn_twin]`): the same \
                 methods, callable through `dyn`, each future erased into {storage}. \
                 Implemented for every `{trait_ident}`; `{trait_ident}` is implemented for \
                 the twin object, so generic code accepts it."
            )
        };
        quote! {
            #[doc = #doc]
            #vis trait #name #generics #supertraits #where_clause {
                #(#decls)*
            }

            impl<#(#impl_params,)* Space: #p::Capacity, #implementor: #impl_bound> #name #twin_args for #implementor #where_clause {
                #(#defs)*
            }
        }
    }

    /// Observation and construction of one erased future, for `_dyn` and
    /// `_send` bodies.
    fn erase_body(&self, m: &Method, storage: TokenStream) -> TokenStream {
        let p = &self.p;
        let implementor = &self.implementor;
        let trait_path = &self.trait_path;
        let hook = &self.hook;
        let ident = &m.ident;
        let args = &m.args;
        let index = m.index;
        let twin = &self.opts.twin;
        let twin_args = self.twin_args();
        let layout = format_ident!("{}_layout", ident);
        let call = quote!(<#implementor as #trait_path>::#ident(self, #(#args),*));
        let call = if self.opts.assert_inline && !self.opts.inline_only {
            quote!(#p::assert_fits_inline::<Space, _>(#call))
        } else {
            call
        };
        if m.mutable {
            // The future borrows `self` mutably: the hook hears first, with
            // the placement the layout decides.
            let predicted = if self.opts.inline_only {
                quote!(#p::inline_erasure(<#implementor as #twin #twin_args>::#layout(&*self)))
            } else {
                quote!(#p::handle_erasure::<Space>(<#implementor as #twin #twin_args>::#layout(&*self)))
            };
            quote! {
                <#implementor as #trait_path>::#hook(&*self, #index, #predicted);
                #storage::new(#call)
            }
        } else {
            quote! {
                let future = #storage::new(#call);
                <#implementor as #trait_path>::#hook(self, #index, future.erasure());
                future
            }
        }
    }

    fn slot_body(&self, m: &Method, slot: &Ident) -> TokenStream {
        let p = &self.p;
        let implementor = &self.implementor;
        let trait_path = &self.trait_path;
        let hook = &self.hook;
        let ident = &m.ident;
        let args = &m.args;
        let index = m.index;
        let twin = &self.opts.twin;
        let twin_args = self.twin_args();
        let layout = format_ident!("{}_layout", ident);
        let call = quote!(<#implementor as #trait_path>::#ident(self, #(#args),*));
        if m.mutable {
            quote! {
                let layout = <#implementor as #twin #twin_args>::#layout(&*self);
                <#implementor as #trait_path>::#hook(&*self, #index, #p::slot_erasure(&#slot, layout));
                #slot.put(#call)
            }
        } else {
            quote! {
                let future = #slot.put(#call);
                <#implementor as #trait_path>::#hook(self, #index, future.erasure());
                future
            }
        }
    }

    /// `[`Plugin::m`] {what}`, after the method's own docs when `carry`.
    fn docs_for(&self, m: &Method, what: &str) -> TokenStream {
        self.docs(m, what, true)
    }

    fn docs(&self, m: &Method, what: &str, carry: bool) -> TokenStream {
        let trait_ident = &self.item.ident;
        let ident = &m.ident;
        let line = format!("[`{trait_ident}::{ident}`] {what}");
        if m.docs.is_empty() || !carry {
            quote!(#[doc = #line])
        } else {
            let docs = &m.docs;
            quote!(#(#docs)* #[doc = ""] #[doc = #line])
        }
    }

    /// The local twin's methods for one user method: (declarations, blanket
    /// impl definitions).
    fn local_methods(&self, m: &Method) -> (TokenStream, TokenStream) {
        let p = &self.p;
        let cfgs = &m.cfgs;
        let implementor = &self.implementor;
        let trait_path = &self.trait_path;
        let ident = &m.ident;
        let args = &m.args;
        let dyn_ident = format_ident!("{}_dyn", ident);
        let Some(_) = &m.output else {
            let mut sig = named_sig(&m.sig, &m.args);
            sig.ident = dyn_ident;
            let docs = self.docs_for(m, "through `dyn` (a plain call).");
            return (
                quote!(#(#cfgs)* #docs #sig;),
                quote!(#(#cfgs)* #[inline] #sig { <#implementor as #trait_path>::#ident(self, #(#args),*) }),
            );
        };
        let lt = self.lifetimes(m);
        // A future the trait declares `+ Send` (in a trait without the
        // `send` option) is erased into the `Send` storage: the bridge
        // `impl Plugin for dyn DynPlugin` must return a `Send` future then.
        let send = m.declared_send && self.opts.send.is_none();
        let (storage, storage_doc) = match (self.opts.inline_only, send) {
            (true, false) => (
                quote!(#p::InlineOnlyFuture),
                "through `dyn`: the future is stored inline in the returned `InlineOnlyFuture` (a future too large for `Space` fails the build).",
            ),
            (true, true) => (
                quote!(#p::SendInlineOnlyFuture),
                "through `dyn`: the `Send` future (the trait declares it so) is stored inline in the returned `SendInlineOnlyFuture` (a future too large for `Space` fails the build).",
            ),
            (false, false) => (
                quote!(#p::InlineFuture),
                "through `dyn`: the future is stored in the returned `InlineFuture`, inline when it fits `Space` (no allocation), on the heap otherwise.",
            ),
            (false, true) => (
                quote!(#p::SendInlineFuture),
                "through `dyn`: the `Send` future (the trait declares it so) is stored in the returned `SendInlineFuture`, inline when it fits `Space` (no allocation), on the heap otherwise.",
            ),
        };
        let mut out = Vec::new();
        let mut defs = Vec::new();

        // `m_dyn`
        let sig_dyn = self.erased_sig(m, &lt, &dyn_ident, &storage);
        let docs = self.docs_for(m, storage_doc);
        let body = self.erase_body(m, storage.clone());
        out.push(quote!(#(#cfgs)* #docs #[must_use = "futures do nothing unless you `.await` or poll them"] #sig_dyn;));
        defs.push(quote!(#(#cfgs)* #[inline] #sig_dyn { #body }));

        // `m_in`
        if !self.opts.inline_only {
            let (decl, def) = self.slot_method(
                m,
                &lt,
                &format_ident!("{}_in", ident),
                send,
                "through `dyn`, into a caller-owned `FutureSlot` where it is polled in place: no allocation once the slot has grown to the largest future it serves.",
            );
            out.push(decl);
            defs.push(def);
        }

        // `m_layout`
        let layout_ident = format_ident!("{}_layout", ident);
        let docs = self.docs(
            m,
            "called through `dyn` returns a future of this size and alignment, known without calling it (`fits::<Space>()` says whether it stays inline).",
            false,
        );
        let body = self.layout_body(m, &lt);
        out.push(quote!(#(#cfgs)* #docs fn #layout_ident(&self) -> #p::FutureLayout;));
        defs.push(quote!(#(#cfgs)* fn #layout_ident(&self) -> #p::FutureLayout { #body }));
        (quote!(#(#out)*), quote!(#(#defs)*))
    }

    fn send_methods(&self, m: &Method) -> (TokenStream, TokenStream) {
        let p = &self.p;
        let cfgs = &m.cfgs;
        if m.output.is_none() {
            return (TokenStream::new(), TokenStream::new());
        }
        let lt = self.lifetimes(m);
        let ident = &m.ident;
        let (storage, storage_doc) = if self.opts.inline_only {
            (
                quote!(#p::SendInlineOnlyFuture),
                "through `dyn`, `Send`: the future is stored inline in the returned `SendInlineOnlyFuture` (too large fails the build).",
            )
        } else {
            (
                quote!(#p::SendInlineFuture),
                "through `dyn`, `Send`: the future is stored in the returned `SendInlineFuture`, inline when it fits `Space`, on the heap otherwise.",
            )
        };
        let send_ident = format_ident!("{}_send", ident);
        let sig = self.erased_sig(m, &lt, &send_ident, &storage);
        let docs = self.docs_for(m, storage_doc);
        let body = self.erase_body(m, storage.clone());
        let mut out = vec![
            quote!(#(#cfgs)* #docs #[must_use = "futures do nothing unless you `.await` or poll them"] #sig;),
        ];
        let mut defs = vec![quote!(#(#cfgs)* #[inline] #sig { #body })];
        if !self.opts.inline_only {
            let (decl, def) = self.slot_method(
                m,
                &lt,
                &format_ident!("{}_send_in", ident),
                true,
                "through `dyn`, `Send`, into a caller-owned `SendFutureSlot` where it is polled in place.",
            );
            out.push(decl);
            defs.push(def);
        }
        (quote!(#(#out)*), quote!(#(#defs)*))
    }

    /// `m_in` or `m_send_in`: (declaration, blanket impl definition).
    fn slot_method(
        &self,
        m: &Method,
        lt: &Lifetimes,
        ident: &Ident,
        send: bool,
        what: &str,
    ) -> (TokenStream, TokenStream) {
        let cfgs = &m.cfgs;
        let slot = self.slot_ident(m);
        let sig = self.slot_sig(m, lt, ident, &slot, send);
        let docs = self.docs(m, what, false);
        let body = self.slot_body(m, &slot);
        (
            quote!(#(#cfgs)* #docs #[must_use = "futures do nothing unless you `.await` or poll them"] #sig;),
            quote!(#(#cfgs)* #[inline] #sig { #body }),
        )
    }

    fn slot_ident(&self, m: &Method) -> Ident {
        if m.args.iter().any(|a| a == "slot") {
            format_ident!("slot_")
        } else {
            format_ident!("slot")
        }
    }

    /// `fn m_dyn<lifetimes, 'fut>(…) -> Storage<'fut, T, Space> where …`.
    fn erased_sig(
        &self,
        m: &Method,
        lt: &Lifetimes,
        ident: &Ident,
        storage: &TokenStream,
    ) -> TokenStream {
        if lt.simple {
            let mut sig = named_sig(&m.sig, &m.args);
            sig.asyncness = None;
            sig.ident = ident.clone();
            let output = m.output.as_ref().expect("async");
            sig.output = syn::parse_quote!(-> #storage<'_, #output, Space>);
            return quote!(#sig);
        }
        let Lifetimes {
            sig,
            output,
            declared,
            fut,
            outlives,
            ..
        } = lt;
        let inputs = &sig.inputs;
        let preds = sig
            .generics
            .where_clause
            .as_ref()
            .map(|w| w.predicates.iter().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        quote! {
            fn #ident<#(#declared,)* #fut>(#inputs) -> #storage<#fut, #output, Space>
            where #(#preds,)* #(#outlives,)*
        }
    }

    fn slot_sig(
        &self,
        m: &Method,
        lt: &Lifetimes,
        ident: &Ident,
        slot: &Ident,
        send: bool,
    ) -> TokenStream {
        let p = &self.p;
        let _ = m;
        let Lifetimes {
            sig,
            output,
            declared,
            fut,
            outlives,
            ..
        } = lt;
        let mut inputs = sig.inputs.iter();
        let receiver = inputs.next();
        let rest: Vec<_> = inputs.collect();
        let preds = sig
            .generics
            .where_clause
            .as_ref()
            .map(|w| w.predicates.iter().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        let (slot_ty, dyn_ty) = if send {
            (
                quote!(#p::SendFutureSlot<#fut, #output, Space>),
                quote!(dyn #p::Future<Output = #output> + ::core::marker::Send + #fut),
            )
        } else {
            (
                quote!(#p::FutureSlot<#fut, #output, Space>),
                quote!(dyn #p::Future<Output = #output> + #fut),
            )
        };
        quote! {
            fn #ident<'slot, #(#declared,)* #fut>(
                #receiver,
                #slot: #p::Pin<&'slot mut #slot_ty>,
                #(#rest),*
            ) -> #p::SlotFuture<'slot, #dyn_ty, Space>
            where #(#preds,)* #(#outlives,)*
        }
    }

    /// The future's layout, from the types alone: a nested function with
    /// every lifetime named (so the closure below is not higher-ranked)
    /// infers the future type from a closure that would call the method.
    fn layout_body(&self, m: &Method, lt: &Lifetimes) -> TokenStream {
        let p = &self.p;
        let implementor = &self.implementor;
        let trait_path = &self.trait_path;
        let replace = |ty: &mut Type| {
            ReplaceSelf {
                param: syn::parse_quote!(#implementor),
                trait_path: trait_path.clone(),
            }
            .visit_type_mut(ty);
        };
        let mut arg_types = Vec::new();
        for input in lt.sig.inputs.iter().skip(1) {
            if let FnArg::Typed(t) = input {
                let mut ty = (*t.ty).clone();
                replace(&mut ty);
                arg_types.push(ty);
            }
        }
        let receiver_lt = receiver_lifetime(&lt.sig).expect("named above");
        let mutability = if m.mutable { quote!(mut) } else { quote!() };
        let (trait_lifetimes, trait_others): (Vec<_>, Vec<_>) = self
            .params
            .iter()
            .cloned()
            .partition(|p| matches!(p, GenericParam::Lifetime(_)));
        let other_args: Vec<TokenStream> = self
            .params
            .iter()
            .filter_map(|p| match p {
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
        let mut preds: Vec<WherePredicate> = self.where_preds.clone();
        if let Some(w) = &lt.sig.generics.where_clause {
            preds.extend(w.predicates.iter().cloned());
        }
        let mut preds: Vec<TokenStream> = preds
            .into_iter()
            .map(|mut pred| {
                ReplaceSelf {
                    param: syn::parse_quote!(#implementor),
                    trait_path: trait_path.clone(),
                }
                .visit_where_predicate_mut(&mut pred);
                quote!(#pred)
            })
            .collect();
        for l in &lt.declared {
            preds.push(quote!(#implementor: #l));
            for t in self.trait_type_params() {
                preds.push(quote!(#t: #l));
            }
        }
        let declared = &lt.declared;
        let args = &m.args;
        let ident = &m.ident;
        quote! {
            fn at<#(#declared,)* #(#trait_lifetimes,)* #(#trait_others,)* #implementor: ?::core::marker::Sized + #trait_path>() -> #p::FutureLayout
            where #(#preds,)*
            {
                #p::layout_of(|(this, #(#args,)*): (&#receiver_lt #mutability #implementor, #(#arg_types,)*)| {
                    <#implementor as #trait_path>::#ident(this, #(#args),*)
                })
            }
            at::<#(#other_args,)* #implementor>()
        }
    }

    /// `impl Plugin for dyn DynPlugin` (or `dyn SendDynPlugin` in `send`
    /// mode), and the forwarding impls for `Box` and `Arc`.
    fn bridges(&self) -> TokenStream {
        let trait_path = &self.trait_path;
        let (twin, storage_method) = match &self.opts.send {
            Some(send) => (send, "_send"),
            None => (&self.opts.twin, "_dyn"),
        };
        let twin_args = self.twin_args();
        let dyn_ty = self.dyn_type(twin);
        let impl_params = self.dyn_impl_params(quote!());
        let where_clause = self.where_clause(&[]);
        let base = &self.opts.twin;
        let mut items = Vec::new();
        for a in &self.model.assoc_types {
            let ident = &a.ident;
            let param = format_ident!("__{}", ident);
            items.push(quote!(type #ident = #param;));
        }
        for m in &self.model.methods {
            let cfgs = &m.cfgs;
            let args = &m.args;
            let sig = named_sig(&m.sig, &m.args);
            match &m.output {
                None => {
                    let via = format_ident!("{}_dyn", m.ident);
                    items.push(quote! {
                        #(#cfgs)* #[inline] #sig { <Self as #base #twin_args>::#via(self, #(#args),*) }
                    });
                }
                Some(output) => {
                    let sig = as_impl_future(&sig, output);
                    let via = format_ident!("{}{}", m.ident, storage_method);
                    let call = quote!(<Self as #twin #twin_args>::#via(self, #(#args),*));
                    // Usually an `async` block that calls the twin on its
                    // first poll and pins the handle where the call writes
                    // it. Returning the handle itself would have every
                    // `p.m(x).await` move it (128 bytes, just written: on
                    // x86-64 that move costs as much time as the `Box` of
                    // `async-trait`, measured in
                    // `examples/migrate_from_async_trait.rs`); moving this
                    // block before its first poll copies bytes nobody has
                    // written yet. It also names every input lifetime, which
                    // a single `impl Future + 'a` could not.
                    //
                    // Except for a future the trait declares `+ Send` in a
                    // local twin: the block would capture `&dyn DynPlugin`,
                    // which is not `Sync`, so the handle (a `Send` one) is
                    // made eagerly and returned, or moved into the block
                    // when the block is needed for its lifetimes.
                    let body = if m.declared_send && self.opts.send.is_none() {
                        if self.lifetimes(m).declared.len() > 1 {
                            quote!({
                                let future = #call;
                                async move { future.await }
                            })
                        } else {
                            call
                        }
                    } else {
                        quote!(async move { ::core::pin::pin!(#call).await })
                    };
                    items.push(quote! {
                        #(#cfgs)* #[inline] #sig { #body }
                    });
                }
            }
        }
        let dyn_bridge = quote! {
            impl #impl_params #trait_path for #dyn_ty #where_clause {
                #(#items)*
            }
        };
        // No forwarding impls for `Box<P>` / `Arc<P>`, although coherence
        // allows them: with `Box<dyn DynPlugin>: Plugin`, the blanket impl
        // makes `Box<dyn DynPlugin>` a `DynPlugin<S>` for *every* capacity
        // `S`, and `boxed.handle_dyn(..)` stops compiling (the method is
        // found on the `Box` before auto-deref reaches the object, with
        // `S` ambiguous). Without them, method calls on `Box`/`Arc` reach
        // the twin object, whose own methods win. Generic code takes
        // `&*boxed`.
        dyn_bridge
    }

    /// `impl Plugin for CountedTwin<P>`: counts calls per method and hears
    /// the erasures through the hook.
    fn counted_impl(&self) -> TokenStream {
        let p = &self.p;
        let implementor = &self.implementor;
        let trait_path = &self.trait_path;
        let params = &self.params;
        let where_clause = self.where_clause(&[]);
        let hook = &self.hook;
        let mut items = Vec::new();
        for a in &self.model.assoc_types {
            let ident = &a.ident;
            items.push(quote!(type #ident = <#implementor as #trait_path>::#ident;));
        }
        for m in &self.model.methods {
            let cfgs = &m.cfgs;
            let args = &m.args;
            let ident = &m.ident;
            let index = m.index;
            let mut sig = named_sig(&m.sig, &m.args);
            if let Some(output) = &m.output {
                sig = as_impl_future(&sig, output);
            }
            let this = if m.mutable {
                quote!(self.get_mut())
            } else {
                quote!(self.get_ref())
            };
            items.push(quote! {
                #(#cfgs)* #[inline] #sig {
                    #p::count_call(self, #index);
                    <#implementor as #trait_path>::#ident(#this, #(#args),*)
                }
            });
        }
        // Required `where Self: Sized` methods are forwarded too (the
        // wrapper is `Sized`); ones with a default keep it.
        for trait_item in &self.item.items {
            let syn::TraitItem::Fn(f) = trait_item else {
                continue;
            };
            if !requires_sized(&f.sig) || f.default.is_some() {
                continue;
            }
            let Some(names) = arg_names(&f.sig) else {
                return TokenStream::new();
            };
            let (cfgs, _) = crate::model::split_attrs(&f.attrs);
            let ident = &f.sig.ident;
            let mut sig = named_sig(&f.sig, &names);
            if let Some((output, _)) = impl_future_output(&sig.output).or_else(|| {
                sig.asyncness.map(|_| match &sig.output {
                    ReturnType::Default => (syn::parse_quote!(()), false),
                    ReturnType::Type(_, t) => ((**t).clone(), false),
                })
            }) {
                sig = as_impl_future(&sig, &output);
            }
            let call = match sig.inputs.first() {
                Some(FnArg::Receiver(r)) if r.colon_token.is_none() => {
                    match (&r.reference, r.mutability) {
                        (Some(_), None) => {
                            quote!(<#implementor as #trait_path>::#ident(self.get_ref(), #(#names),*))
                        }
                        (Some(_), Some(_)) => {
                            quote!(<#implementor as #trait_path>::#ident(self.get_mut(), #(#names),*))
                        }
                        (None, _) => {
                            quote!(<#implementor as #trait_path>::#ident(self.into_inner(), #(#names),*))
                        }
                    }
                }
                // `self: Box<Self>` and friends, or an associated function
                // (no wrapper to return): no counting impl for this trait.
                _ => return TokenStream::new(),
            };
            items.push(quote!(#(#cfgs)* #[inline] #sig { #call }));
        }
        items.push(quote! {
            #[inline]
            fn #hook(&self, method: usize, erasure: #p::Erasure) {
                #p::observe(self, method, erasure);
                <#implementor as #trait_path>::#hook(self.get_ref(), method, erasure);
            }
        });
        quote! {
            impl<#(#params,)* #implementor: #trait_path> #trait_path for #p::CountedTwin<#implementor> #where_clause {
                #(#items)*
            }
        }
    }

    /// `Twin` for the twin objects (method names, layouts by index), and
    /// `TwinOf<P>` (how the registry erases a counted implementor).
    fn registry_glue(&self) -> TokenStream {
        let p = &self.p;
        let trait_path = &self.trait_path;
        let base = &self.opts.twin;
        let twin_args = self.twin_args();
        let where_clause = self.where_clause(&[]);
        let methods: Vec<TokenStream> = self
            .model
            .methods
            .iter()
            .map(|m| {
                let name = m.ident.to_string();
                let is_async = m.output.is_some();
                quote!(#p::TwinMethod::new(#name, #is_async))
            })
            .collect();
        let arms: Vec<TokenStream> = self
            .model
            .methods
            .iter()
            .filter(|m| m.output.is_some())
            .map(|m| {
                let cfgs = &m.cfgs;
                let index = m.index;
                let layout = format_ident!("{}_layout", m.ident);
                quote!(#(#cfgs)* #index => ::core::option::Option::Some(<Self as #base #twin_args>::#layout(self)),)
            })
            .collect();
        let mut twins = vec![(base, false)];
        if let Some(send) = &self.opts.send {
            twins.push((send, true));
        }
        let mut out = TokenStream::new();
        for (twin, send) in twins {
            let dyn_ty = self.dyn_type(twin);
            let impl_params = self.dyn_impl_params(quote!());
            out.extend(quote! {
                impl #impl_params #p::Twin for #dyn_ty #where_clause {
                    type Space = Space;
                    const METHODS: &'static [#p::TwinMethod] = &[#(#methods),*];
                    fn method_layout(&self, index: usize) -> ::core::option::Option<#p::FutureLayout> {
                        match index {
                            #(#arms)*
                            _ => ::core::option::Option::None,
                        }
                    }
                    fn type_name(&self) -> &'static str {
                        <Self as #base #twin_args>::twin_type_name(self)
                    }
                }
            });
            if !self.opts.inline_only {
                let bindings: Vec<TokenStream> = self
                    .model
                    .assoc_types
                    .iter()
                    .map(|a| {
                        let ident = &a.ident;
                        let param = format_ident!("__{}", ident);
                        quote!(#ident = #param)
                    })
                    .collect();
                let bound = with_bindings(trait_path, &bindings);
                let send_bound = if send {
                    quote!(+ ::core::marker::Send + ::core::marker::Sync)
                } else {
                    quote!()
                };
                let plugin = format_ident!("__Plugin");
                let impl_params =
                    self.dyn_impl_params(quote!(#plugin: #bound #send_bound + 'dyn_twin));
                out.extend(quote! {
                    impl #impl_params #p::TwinOf<#plugin> for #dyn_ty #where_clause {
                        #[inline]
                        fn share(plugin: #p::Arc<#plugin>) -> #p::Arc<Self> {
                            plugin
                        }
                    }
                });
            }
        }
        out
    }
}

/// `Plugin<T>` + `Item = X` bindings: `Plugin<T, Item = X>`.
fn with_bindings(path: &syn::Path, bindings: &[TokenStream]) -> TokenStream {
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
