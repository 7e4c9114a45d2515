//! The twins' methods for one async method of the user's trait: the
//! signatures and bodies of `m_dyn` / `m_send` (erased into a handle),
//! `m_in` / `m_send_in` (into a caller's slot) and `m_layout`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{FnArg, GenericParam, Ident, ItemTrait, Lifetime, Signature, Type, WherePredicate};

use super::Cx;
use crate::check::{HOOK, POOL_HOOK, READY_HOOK};
use crate::lifetimes::{FillElided, has_elided, may_hide_lifetime};
use crate::model::Method;
use crate::names::Names;

/// How a twin method's lifetimes are written.
pub(crate) struct Lifetimes {
    /// Receiver, arguments and result with every lifetime named; no
    /// generics (`declared` re-declares them).
    pub(crate) sig: Signature,
    /// The result type with elided lifetimes resolved.
    pub(crate) output: Type,
    /// The method's lifetimes, declared and named here.
    pub(crate) declared: Vec<Lifetime>,
    /// Whether `fn m(&self, ..) -> Future<'_, T>` says it all.
    pub(crate) simple: bool,
    /// The future's lifetime: a generated `'fut`, or the one the trait
    /// declares (`-> impl Future<Output = T> + 'static`).
    pub(crate) fut: Lifetime,
    /// `fut` is generated, so declared after `declared`.
    pub(crate) declare_fut: bool,
    /// `'l: 'fut` for every lifetime, `T: 'fut` for every trait type.
    pub(crate) outlives: Vec<TokenStream>,
    /// The method's own where predicates.
    pub(crate) preds: Vec<WherePredicate>,
}

/// A signature whose receiver is the expansion's own `&self` / `&mut self`
/// (so that a `self` token from a `macro_rules!` caller never meets one of
/// ours) and whose arguments are plain names.
pub(crate) fn named_sig(m: &Method) -> Signature {
    let mut sig = m.sig.clone();
    let mut args = m.args.iter();
    for input in &mut sig.inputs {
        match input {
            FnArg::Receiver(_) => {
                *input = match &m.receiver.boxed {
                    Some(ty) => syn::parse_quote!(self: #ty),
                    None => {
                        let lifetime = &m.receiver.lifetime;
                        let mutability = m.receiver.mutable.then(|| quote!(mut));
                        syn::parse_quote!(&#lifetime #mutability self)
                    }
                };
            }
            FnArg::Typed(typed) => {
                let ident = &args.next().expect("one name per argument").ident;
                *typed.pat = syn::parse_quote!(#ident);
            }
        }
    }
    sig
}

/// Names every lifetime of `m` (elided ones as `async-trait` does,
/// `'life0`, …), decides the future's, and wraps each argument that may
/// hide a lifetime in `Held<'fut, _>` (`p` is the path of `__private`).
pub(crate) fn lifetimes(
    item: &ItemTrait,
    m: &Method,
    names: &mut Names,
    p: &TokenStream,
) -> Lifetimes {
    let output = m.output.clone().expect("async method");
    let mut sig = named_sig(m);
    sig.asyncness = None;
    let explicit: Vec<Lifetime> = sig
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Lifetime(l) => Some(l.lifetime.clone()),
            _ => None,
        })
        .collect();
    let mut named: Vec<Lifetime> = Vec::new();
    let receiver = match &m.receiver.lifetime {
        Some(l) => l.clone(),
        // `self: Box<Self>`: the future owns the receiver; an elided
        // lifetime in the result has no receiver to refer to.
        None if m.receiver.boxed.is_some() => names.fut.clone(),
        None => {
            let l = names.elided(0);
            named.push(l.clone());
            let mutability = m.receiver.mutable.then(|| quote!(mut));
            if let Some(first) = sig.inputs.first_mut() {
                *first = syn::parse_quote!(&#l #mutability self);
            }
            l
        }
    };
    let args_elided = m.args.iter().any(|a| has_elided(&a.ty));
    let type_params: Vec<&Ident> = item
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(&t.ident),
            _ => None,
        })
        .collect();
    // A lifetime hidden in a path (`w: Window` for `Window<'a>`) is one
    // the signature cannot name, so no `'hidden: 'fut` can be written;
    // `Held<'fut, Window>` is `Window`, and its definition,
    // `<&'fut Window as Hold>::Arg`, implies `Window: 'fut`: the method's
    // body may assume it and every caller proves it. Not needed for a
    // future bounded by a lifetime of its own (`+ 'static`), which cannot
    // hold such an argument.
    let mut held = false;
    for input in sig.inputs.iter_mut().skip(1) {
        if let FnArg::Typed(t) = input {
            FillElided(|_| {
                let l = names.elided(named.len());
                named.push(l.clone());
                l
            })
            .visit_type_mut(&mut t.ty);
            if m.future_lifetime.is_none() && may_hide_lifetime(&t.ty, &type_params) {
                let (ty, fut) = (&t.ty, &names.fut);
                *t.ty = syn::parse_quote!(#p::Held<#fut, #ty>);
                held = true;
            }
        }
    }
    let mut resolved = output;
    FillElided(|_| receiver.clone()).visit_type_mut(&mut resolved);
    let mut declared = explicit.clone();
    declared.extend(named);
    let trait_lifetimes: Vec<&Lifetime> = item
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Lifetime(l) => Some(&l.lifetime),
            _ => None,
        })
        .collect();
    let (fut, declare_fut, outlives) = match &m.future_lifetime {
        // `use<'_, Self>`: the receiver's lifetime, which the trait's
        // parameters are not known to outlive.
        Some(l) if m.captured_lifetime => {
            let l = if l.ident == "_" {
                receiver.clone()
            } else {
                l.clone()
            };
            let outlives = item
                .generics
                .params
                .iter()
                .filter_map(|p| match p {
                    GenericParam::Type(t) => {
                        let t = &t.ident;
                        Some(quote!(#t: #l))
                    }
                    GenericParam::Lifetime(t) => {
                        let t = &t.lifetime;
                        Some(quote!(#t: #l))
                    }
                    GenericParam::Const(_) => None,
                })
                .collect();
            (l, false, outlives)
        }
        // The trait bounds the future itself: nothing to add.
        Some(l) => (l.clone(), false, Vec::new()),
        None => {
            let fut = names.fut.clone();
            let mut outlives: Vec<TokenStream> = declared
                .iter()
                .chain(trait_lifetimes.iter().copied())
                .map(|l| quote!(#l: #fut))
                .collect();
            outlives.extend(item.generics.params.iter().filter_map(|p| match p {
                GenericParam::Type(t) => {
                    let t = &t.ident;
                    Some(quote!(#t: #fut))
                }
                _ => None,
            }));
            if m.receiver.boxed.is_some() {
                outlives.push(quote!(Self: #fut));
            }
            (fut, true, outlives)
        }
    };
    // The method's where predicates, and the bounds its lifetimes declare
    // inline (`fn apply<'e: 'm, 'm>`, as sqlx's `Migrate` writes them),
    // which `declared` re-declares bare.
    let mut preds: Vec<WherePredicate> = sig
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Lifetime(l) if !l.bounds.is_empty() => {
                let (lifetime, bounds) = (&l.lifetime, &l.bounds);
                Some(syn::parse_quote!(#lifetime: #bounds))
            }
            _ => None,
        })
        .collect();
    preds.extend(
        sig.generics
            .where_clause
            .iter()
            .flat_map(|w| w.predicates.iter().cloned()),
    );
    let simple = explicit.is_empty()
        && !args_elided
        && !held
        && item.generics.params.is_empty()
        && sig.generics.where_clause.is_none()
        && m.future_lifetime.is_none()
        && m.receiver.lifetime.is_none()
        && m.receiver.boxed.is_none();
    sig.generics.params.clear();
    sig.generics.lt_token = None;
    sig.generics.gt_token = None;
    sig.generics.where_clause = None;
    Lifetimes {
        sig,
        output: resolved,
        declared,
        simple,
        fut,
        declare_fut,
        outlives,
        preds,
    }
}

impl Cx<'_> {
    pub(crate) fn lifetimes_of(&self, m: &Method) -> &Lifetimes {
        self.lifetimes[m.index].as_ref().expect("an async method")
    }

    /// The arguments as a call passes them, each with its `#[cfg]`s.
    pub(crate) fn call_args(m: &Method) -> TokenStream {
        let args = m.args.iter().map(|a| {
            let (cfgs, ident) = (&a.cfgs, &a.ident);
            quote!(#(#cfgs)* #ident)
        });
        quote!(#(#args),*)
    }

    /// `fn m_dyn<lifetimes, 'fut>(…) -> Storage<'fut, T, Cap> where …`.
    pub(crate) fn erased_sig(
        &self,
        m: &Method,
        ident: &Ident,
        storage: &TokenStream,
    ) -> TokenStream {
        self.erased_sig_returning(m, ident, storage, None, |handle| handle)
    }

    /// `fn try_m_dyn<…>(&self, args: &mut Option<(A, B)>) ->
    /// Result<Storage<'fut, T, Cap>, AllocError> where …`: the arguments in
    /// an `Option` the caller keeps (one alone, not in a tuple; none: no
    /// `args`), which the method takes once the memory is there, so that a
    /// refused call leaves them with the caller. They are not given back in
    /// the error: its type would name them in the result, where a lifetime
    /// a path hides (`w: Window` for `Window<'a>`) would be elided to the
    /// receiver's instead of the argument's own.
    pub(crate) fn try_sig(&self, m: &Method, ident: &Ident, storage: &TokenStream) -> TokenStream {
        let p = &self.p;
        let args = &self.names.args;
        let lt = self.lifetimes_of(m);
        let mut sig = if lt.simple {
            let mut sig = named_sig(m);
            sig.asyncness = None;
            sig
        } else {
            lt.sig.clone()
        };
        let types: Vec<Type> = sig
            .inputs
            .iter()
            .filter_map(|input| match input {
                FnArg::Typed(t) => Some((*t.ty).clone()),
                FnArg::Receiver(_) => None,
            })
            .collect();
        let receiver = sig.inputs.first().cloned().expect("a receiver");
        sig.inputs.clear();
        sig.inputs.push(receiver);
        match types.as_slice() {
            [] => {}
            [one] => sig
                .inputs
                .push(syn::parse_quote!(#args: &mut ::core::option::Option<#one>)),
            many => sig
                .inputs
                .push(syn::parse_quote!(#args: &mut ::core::option::Option<(#(#many),*)>)),
        }
        self.erased_sig_returning(
            m,
            ident,
            storage,
            Some(&sig),
            |handle| quote!(::core::result::Result<#handle, #p::AllocError>),
        )
    }

    /// [`erased_sig`](Self::erased_sig) returning `wrap(handle type)`.
    /// With `inputs`, its inputs instead of the method's.
    fn erased_sig_returning(
        &self,
        m: &Method,
        ident: &Ident,
        storage: &TokenStream,
        inputs: Option<&Signature>,
        wrap: impl FnOnce(TokenStream) -> TokenStream,
    ) -> TokenStream {
        let space = &self.names.space;
        let lt = self.lifetimes_of(m);
        if lt.simple {
            let mut sig = named_sig(m);
            if let Some(other) = inputs {
                sig.inputs = other.inputs.clone();
            }
            sig.asyncness = None;
            sig.ident = ident.clone();
            let output = m.output.as_ref().expect("async");
            let handle = wrap(quote!(#storage<'_, #output, #space>));
            sig.output = syn::parse_quote!(-> #handle);
            return quote!(#sig);
        }
        let Lifetimes {
            sig,
            output,
            fut,
            outlives,
            preds,
            ..
        } = lt;
        let generics = self.method_generics(lt, None);
        let inputs = &inputs.unwrap_or(sig).inputs;
        let handle = wrap(quote!(#storage<#fut, #output, #space>));
        quote! {
            fn #ident #generics (#inputs) -> #handle
            where #(#preds,)* #(#outlives,)*
        }
    }

    /// `<'slot, declared…, 'fut>`.
    fn method_generics(&self, lt: &Lifetimes, slot: Option<&Lifetime>) -> TokenStream {
        let declared = &lt.declared;
        let fut = lt.declare_fut.then_some(&lt.fut);
        let all: Vec<&Lifetime> = slot.into_iter().chain(declared).chain(fut).collect();
        if all.is_empty() {
            TokenStream::new()
        } else {
            quote!(<#(#all),*>)
        }
    }

    /// `fn m_in<'slot, …>(&self, slot: Pin<&'slot mut FutureSlot<'fut, T, Cap>>, …)
    /// -> SlotFuture<'slot, dyn Future<Output = T> + 'fut, Cap>`.
    pub(crate) fn slot_sig(&self, m: &Method, ident: &Ident, send: bool) -> TokenStream {
        let p = &self.p;
        let space = &self.names.space;
        let slot = &self.names.slot;
        let slot_lt = &self.names.slot_lifetime;
        let lt = self.lifetimes_of(m);
        let Lifetimes {
            sig,
            output,
            fut,
            outlives,
            preds,
            ..
        } = lt;
        let mut inputs = sig.inputs.iter();
        let receiver = inputs.next();
        let rest: Vec<_> = inputs.collect();
        let (slot_ty, dyn_ty) = if send {
            (
                quote!(#p::SendFutureSlot<#fut, #output, #space>),
                quote!(dyn #p::Future<Output = #output> + ::core::marker::Send + #fut),
            )
        } else {
            (
                quote!(#p::FutureSlot<#fut, #output, #space>),
                quote!(dyn #p::Future<Output = #output> + #fut),
            )
        };
        let generics = self.method_generics(lt, Some(slot_lt));
        quote! {
            fn #ident #generics (
                #receiver,
                #slot: #p::Pin<&#slot_lt mut #slot_ty>,
                #(#rest),*
            ) -> #p::SlotFuture<#slot_lt, #dyn_ty, #space>
            where #(#preds,)* #(#outlives,)*
        }
    }

    /// `<Implementor as Plugin>::m(self, args…)`.
    fn forward(&self, m: &Method) -> TokenStream {
        let implementor = &self.names.implementor;
        let trait_path = &self.trait_path;
        let ident = &m.ident;
        let args = Self::call_args(m);
        quote!(<#implementor as #trait_path>::#ident(self, #args))
    }

    /// The body of `m_dyn` / `m_send`: build the erased future, tell the
    /// hook where it went.
    pub(crate) fn erase_body(&self, m: &Method, storage: &TokenStream) -> TokenStream {
        let p = &self.p;
        let implementor = &self.names.implementor;
        let space = &self.names.space;
        let (future, erasure) = (&self.names.future, &self.names.erasure);
        let trait_path = &self.trait_path;
        let hook = Ident::new(HOOK, proc_macro2::Span::call_site());
        let index = m.index;
        let call = self.forward(m);
        let call = if self.opts.assert_inline && !self.opts.inline_only {
            quote!(#p::assert_fits_inline::<#space, _>(#call))
        } else {
            call
        };
        let check = self.pointer_room_check();
        if m.receiver.hook_first() {
            // The future borrows `self` mutably (or owns it): the hook hears
            // first, with the placement the layout decides.
            let layout = self.layout_call(m);
            let predicted = if self.opts.inline_only {
                quote!(#p::inline_erasure(#layout))
            } else {
                quote!(#p::handle_erasure::<#space>(#layout))
            };
            quote! {
                #check
                <#implementor as #trait_path>::#hook(&*self, #index, #predicted);
                #storage::new(#call)
            }
        } else if let Some(maker) = self.recycling_maker(m, storage) {
            // Inline when it fits; else in the buffer a counting wrapper
            // lends (its hook; an ordinary implementor's lends none, and
            // the call compiles to `new`); else on the heap. The hook hears
            // where it went (first, for an inline future: see the maker).
            let pool_hook = Ident::new(POOL_HOOK, proc_macro2::Span::call_site());
            let ready = self.ready_call();
            let layout = self.layout_call(m);
            quote! {
                #check
                #p::#maker::<_, #space, _>(
                    #ready,
                    || <#implementor as #trait_path>::#pool_hook(self, #index, #layout),
                    |#erasure| <#implementor as #trait_path>::#hook(self, #index, #erasure),
                    move || #call,
                )
            }
        } else {
            let take = self.take_shard();
            quote! {
                #check
                #take
                let #future = #storage::new(#call);
                <#implementor as #trait_path>::#hook(self, #index, #future.erasure());
                #future
            }
        }
    }

    /// The body of `try_m_dyn` / `try_m_send`: the storage takes the
    /// memory the future needs (a buffer of the pool, or a box) before
    /// `make` runs, and `make` takes the arguments out of the caller's
    /// `args`; a refusal leaves them there, the method not called and the
    /// hook not told. `&mut self`: the hook hears inside `make`, after the
    /// memory and before the call, as `m_dyn`'s hears before the call.
    pub(crate) fn try_body(&self, m: &Method, storage: &TokenStream, name: &Ident) -> TokenStream {
        let p = &self.p;
        let ident_str = name.to_string();
        let implementor = &self.names.implementor;
        let space = &self.names.space;
        let erasure = &self.names.erasure;
        let args = &self.names.args;
        let trait_path = &self.trait_path;
        let hook = Ident::new(HOOK, proc_macro2::Span::call_site());
        let index = m.index;
        let idents: Vec<&Ident> = m.args.iter().map(|a| &a.ident).collect();
        let (check_args, take) = match idents.as_slice() {
            [] => (TokenStream::new(), TokenStream::new()),
            [one] => (
                quote!(#p::args_given(#args, #ident_str);),
                quote!(let #one = #p::lent(#args);),
            ),
            many => (
                quote!(#p::args_given(#args, #ident_str);),
                quote!(let (#(#many),*) = #p::lent(#args);),
            ),
        };
        let ident = &m.ident;
        let call = quote!(<#implementor as #trait_path>::#ident(self, #(#idents),*));
        let check = self.pointer_room_check();
        let send = storage.to_string().ends_with("SendInlineFuture");
        if m.receiver.hook_first() {
            let layout = self.layout_call(m);
            let maker = if send {
                quote!(try_new_send_inline_future)
            } else {
                quote!(try_new_inline_future)
            };
            return quote! {
                #check
                #check_args
                #p::#maker::<_, #space, _>(move || {
                    <#implementor as #trait_path>::#hook(&*self, #index, #p::handle_erasure::<#space>(#layout));
                    #take
                    #call
                })
            };
        }
        let maker = self
            .recycling_maker(m, storage)
            .expect("a `try_` method's storage recycles");
        let maker = format_ident!("try_{}", maker);
        let pool_hook = Ident::new(POOL_HOOK, proc_macro2::Span::call_site());
        let ready = self.ready_call();
        let layout = self.layout_call(m);
        quote! {
            #check
            #check_args
            #p::#maker::<_, #space, _>(
                #ready,
                || <#implementor as #trait_path>::#pool_hook(self, #index, #layout),
                |#erasure| <#implementor as #trait_path>::#hook(self, #index, #erasure),
                move || {
                    #take
                    #call
                },
            )
        }
    }

    /// `<Implementor as Plugin>::__dyn_twin_ready(&*self)`: whether the
    /// implementor's hooks count without a call out of line on this thread
    /// (a constant `true` once inlined, for one that does not count).
    fn ready_call(&self) -> TokenStream {
        let implementor = &self.names.implementor;
        let trait_path = &self.trait_path;
        let ready_hook = Ident::new(READY_HOOK, proc_macro2::Span::call_site());
        quote!(<#implementor as #trait_path>::#ready_hook(&*self))
    }

    /// What an erasure that does not go through a maker runs first: a
    /// counting implementor's counts never take a thread index (see
    /// `placed` in the crate's `__private`), so a thread that has none takes
    /// it here. Nothing for the inline-only storages (no counting wrapper).
    fn take_shard(&self) -> TokenStream {
        if self.opts.inline_only {
            return TokenStream::new();
        }
        let p = &self.p;
        let ready = self.ready_call();
        quote!(#p::take_shard(#ready);)
    }

    /// The `__private` constructor that lets a counting wrapper's pool
    /// hold a future that does not fit. `None` for the inline-only
    /// storages and under `assert_inline` (its futures always fit). A
    /// future the trait bounds itself (`+ 'static`) gets the `_arc` one: a
    /// buffer borrowed from the receiver would bound it shorter, so its
    /// buffer holds a count of the pool's `Arc` instead (only this path
    /// pays for the count).
    fn recycling_maker(&self, m: &Method, storage: &TokenStream) -> Option<Ident> {
        if !self.recycles(m) {
            return None;
        }
        let text = storage.to_string();
        let name = if text.ends_with("SendInlineFuture") {
            "send_inline_future"
        } else if text.ends_with("InlineFuture") {
            "inline_future"
        } else if text.ends_with("SendInlineStream") {
            "send_inline_stream"
        } else if text.ends_with("InlineStream") {
            "inline_stream"
        } else {
            return None;
        };
        // A future bounded by a lifetime the trait writes may outlive the
        // borrow of the implementor (`+ 'static`): its buffer keeps its pool
        // alive. One that lives for the receiver's borrow (`use<'_, Self>`)
        // cannot outlive the pool it borrows with it.
        let name = if m.future_lifetime.is_some() && !m.captured_lifetime {
            format_ident!("{name}_arc")
        } else {
            Ident::new(name, proc_macro2::Span::call_site())
        };
        Some(name)
    }

    /// Whether `m`'s erasure lends its futures (or streams) to a counting
    /// wrapper's recycled storage: `&self` methods, unless the storage is
    /// inline-only or `assert_inline` says they always fit. A future the
    /// trait bounds itself (`+ 'static`) recycles too, in buffers that keep
    /// their pool alive.
    pub(crate) fn recycles(&self, m: &Method) -> bool {
        m.is_async()
            && !m.receiver.hook_first()
            && !self.opts.inline_only
            && !self.opts.assert_inline
    }

    /// `<Implementor as DynPlugin<…>>::m_layout(&*self)`.
    fn layout_call(&self, m: &Method) -> TokenStream {
        let implementor = &self.names.implementor;
        let twin = &self.opts.twin;
        let twin_args = self.twin_args();
        let layout = format_ident!("{}_layout", m.ident);
        quote!(<#implementor as #twin #twin_args>::#layout(&*self))
    }

    /// `PointerRoom::<Cap>::CHECK`, named in the erasure methods of
    /// storages with a heap fallback (not `inline_only`): a capacity
    /// smaller than a pointer fails the build there (the storage checks it
    /// too), so the error says "while instantiating `<Echo as
    /// DynPlugin<u32>>::handle_dyn`" at the user's coercion to the twin,
    /// not at a function inside the storage.
    fn pointer_room_check(&self) -> TokenStream {
        if self.opts.inline_only {
            return TokenStream::new();
        }
        let p = &self.p;
        let space = &self.names.space;
        quote!(let () = #p::PointerRoom::<#space>::CHECK;)
    }

    /// The body of `m_in` / `m_send_in`.
    pub(crate) fn slot_body(&self, m: &Method) -> TokenStream {
        let p = &self.p;
        let implementor = &self.names.implementor;
        let trait_path = &self.trait_path;
        let future = &self.names.future;
        let layout = &self.names.layout;
        let slot = &self.names.slot;
        let hook = Ident::new(HOOK, proc_macro2::Span::call_site());
        let index = m.index;
        let call = self.forward(m);
        let check = self.pointer_room_check();
        let take = self.take_shard();
        if m.receiver.hook_first() {
            let layout_call = self.layout_call(m);
            quote! {
                #check
                let #layout = #layout_call;
                <#implementor as #trait_path>::#hook(&*self, #index, #p::slot_erasure(&#slot, #layout));
                #slot.put(#call)
            }
        } else {
            quote! {
                #check
                #take
                let #future = #slot.put(#call);
                <#implementor as #trait_path>::#hook(self, #index, #future.erasure());
                #future
            }
        }
    }

    /// `fn m_layout(&self) -> FutureLayout where …` (the method's
    /// predicates that name none of its own lifetimes).
    pub(crate) fn layout_sig(&self, m: &Method) -> TokenStream {
        let p = &self.p;
        let ident = format_ident!("{}_layout", m.ident);
        let own = own_lifetimes(m);
        let preds = self.lifetimes_of(m).preds.iter().filter(|pred| {
            let mut names = Vec::new();
            collect_lifetimes(quote!(#pred), &mut names);
            !names.iter().any(|n| own.contains(n))
        });
        let receiver = self.receiver_outlives(m);
        quote!(fn #ident(&self) -> #p::FutureLayout where #(#preds,)* #receiver)
    }

    /// `Self: 'a` for a receiver borrowed for a lifetime that is not the
    /// method's own (`&'static self`, `&'a self` with the trait's `'a`):
    /// the layout's closure makes such a reference, which needs it.
    pub(crate) fn receiver_outlives(&self, m: &Method) -> Option<syn::WherePredicate> {
        let lifetime = m.receiver.lifetime.as_ref()?;
        let own =
            m.sig.generics.params.iter().any(
                |p| matches!(p, GenericParam::Lifetime(l) if l.lifetime.ident == lifetime.ident),
            );
        (!own).then(|| syn::parse_quote!(Self: #lifetime))
    }

    /// The future's layout, from the types alone: a closure that would
    /// call the method (never called) gives the future's type. The
    /// receiver and arguments are locals of the closure, so that every
    /// lifetime is an inference variable (never higher-ranked), and each
    /// keeps its `#[cfg]`.
    pub(crate) fn layout_body(&self, m: &Method) -> TokenStream {
        let p = &self.p;
        let implementor = &self.names.implementor;
        let this = &self.names.this;
        let trait_path = &self.trait_path;
        let ident = &m.ident;
        let own = own_lifetimes(m);
        let receiver = match &m.receiver.boxed {
            Some(ty) => quote!(#ty),
            None => {
                let mutability = m.receiver.mutable.then(|| quote!(mut));
                let lifetime = self.receiver_outlives(m).and(m.receiver.lifetime.as_ref());
                quote!(&#lifetime #mutability #implementor)
            }
        };
        let lets = m.args.iter().map(|a| {
            let mut ty = a.ty.clone();
            EraseLifetimes(&own).visit_type_mut(&mut ty);
            let (cfgs, arg) = (&a.cfgs, &a.ident);
            quote!(#(#cfgs)* let #arg: #ty = #p::unreachable_value();)
        });
        let args = Self::call_args(m);
        let layout_of = if m.stream {
            quote!(stream_layout_of)
        } else {
            quote!(layout_of)
        };
        quote! {
            #p::#layout_of(|| {
                let #this: #receiver = #p::unreachable_value();
                #(#lets)*
                <#implementor as #trait_path>::#ident(#this, #args)
            })
        }
    }
}

/// The names of the method's own lifetime parameters (not in scope in
/// `m_layout`, which has none).
pub(crate) fn own_lifetimes(m: &Method) -> Vec<String> {
    m.sig
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Lifetime(l) => Some(l.lifetime.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Replaces the method's own lifetimes with `'_` (not in scope in
/// `m_layout`).
struct EraseLifetimes<'a>(&'a [String]);

impl VisitMut for EraseLifetimes<'_> {
    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if self.0.contains(&lifetime.ident.to_string()) {
            *lifetime = Lifetime::new("'_", lifetime.span());
        }
    }
}

pub(crate) fn collect_lifetimes(tokens: TokenStream, into: &mut Vec<String>) {
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            proc_macro2::TokenTree::Punct(p) if p.as_char() == '\'' => {
                if let Some(proc_macro2::TokenTree::Ident(i)) = tokens.peek() {
                    into.push(i.to_string());
                }
            }
            proc_macro2::TokenTree::Group(g) => collect_lifetimes(g.stream(), into),
            _ => {}
        }
    }
}

/// Whether `m` gets `try_m_dyn` (and `try_m_send`): with `try_methods`
/// (which `inline_only` and `assert_inline` refuse: they never allocate),
/// an async method that returns a future (not a stream), with a borrowed
/// receiver (a `self: Box<Self>` refused would be lost with its box) and
/// no `#[cfg]` on an argument (the `Option` of arguments is a type, whose
/// tuple cannot carry one).
pub(crate) fn generates_try(opts: &crate::options::Options, m: &Method) -> bool {
    opts.try_methods
        && m.is_async()
        && !m.stream
        && !opts.inline_only
        && !opts.assert_inline
        && m.receiver.boxed.is_none()
        && m.args.iter().all(|a| a.cfgs.is_empty())
}
