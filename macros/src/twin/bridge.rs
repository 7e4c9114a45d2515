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

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::visit::Visit;

use super::Cx;
use super::erased::named_sig;
use crate::model::Method;
use crate::shapes::capture_in_impl;

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
    // `use<.., Self>` in a result: `Self` is the object type, made of all
    // of these.
    let self_params: syn::Generics =
        syn::parse2(impl_params.clone()).expect("the impl's parameters parse");
    let mut send_bounds = Vec::new();
    let mut items = Vec::new();
    for a in cx
        .model
        .assoc_types
        .iter()
        .filter(|a| a.inherited.is_none())
    {
        let (ident, param) = (&a.ident, &a.param);
        let (cfgs, _) = crate::model::split_attrs(&a.item.attrs);
        items.push(quote!(#(#cfgs)* type #ident = #param;));
    }
    for m in &cx.model.methods {
        let cfgs = &m.cfgs;
        let args = Cx::call_args(m);
        let mut sig = named_sig(m);
        capture_in_impl(&mut sig, &self_params);
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
        if cx.opts.send.is_some() && lazy(cx, m) && !m.stream {
            send_bounds.extend(captured_send_bounds(cx, m));
        }
        let body = if m.stream {
            // A stream is made eagerly: a stream block would need a stream
            // macro, and the handle is what the caller polls item by item.
            call
        } else if lazy(cx, m) {
            // An `async` block that calls the twin on its first poll and
            // pins the handle where the call writes it. Returning the
            // handle itself would have every `p.m(x).await` move it (128
            // bytes, just written: on x86-64 that move costs as much time
            // as the `Box` of `async-trait`); moving this block before its
            // first poll copies only its captures (the receiver and the
            // arguments). It also names every input lifetime, which a
            // single `impl Future + 'a` could not.
            let block = quote!(async move { ::core::pin::pin!(#call).await });
            let checks = if cx.opts.send.is_some() {
                send_arguments(cx, m)
            } else {
                Vec::new()
            };
            if checks.is_empty() {
                block
            } else {
                quote!({ #(#checks)* #block })
            }
        } else if cx.lifetimes_of(m).declared.len() > 1 && !m.captured_lifetime {
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
    // A required `where Self: Sized` method: never callable on a trait
    // object, and omitted by newer compilers; rustc 1.86 (the MSRV) still
    // asks for it.
    for m in &cx.model.sized_methods {
        if m.has_default {
            continue;
        }
        let cfgs = &m.cfgs;
        let mut sig = m.sig.clone();
        capture_in_impl(&mut sig, &self_params);
        let mut names = m.args.iter();
        for input in &mut sig.inputs {
            if let syn::FnArg::Typed(typed) = input {
                let name = names.next().expect("one name per argument");
                *typed.pat = syn::parse_quote!(#name);
            }
        }
        let never = quote!(::core::unreachable!(
            "a `where Self: Sized` method is never called on a trait object"
        ));
        if sig.asyncness.take().is_some() {
            let output = match &sig.output {
                syn::ReturnType::Default => syn::parse_quote!(()),
                syn::ReturnType::Type(_, t) => (**t).clone(),
            };
            let output: syn::Type = output;
            sig.output = syn::parse_quote!(-> impl ::core::future::Future<Output = #output>);
        }
        // `-> impl Future<Output = T>` (and an `async fn`, whose future
        // would capture the arguments): `!` is no future, an `async` block
        // that panics and captures nothing is.
        let body = if crate::shapes::impl_future(&sig.output).is_some_and(|d| !d.stream) {
            quote!(async move { #never })
        } else {
            never
        };
        items.push(quote! {
            #(#cfgs)*
            #[allow(unused_variables, unreachable_code)]
            #sig {
                #body
            }
        });
    }
    if cx.model.static_objects {
        // `trait Route<'r>: 'static`: the object type, `dyn DynRoute<'r> +
        // 'static`, is `'static` (as the trait asks of its implementors)
        // only if `'r` is. The twin itself is for any `'r`.
        send_bounds.extend(cx.item.generics.lifetimes().map(|l| {
            let l = &l.lifetime;
            quote!(#l: 'static)
        }));
    }
    send_bounds.extend(cx.inherited_preds(&dyn_ty));
    let where_clause = cx.where_clause(&send_bounds);
    // `dead_code`: of such a required `async fn` (its future's hidden type
    // here, which only an allow on the impl reaches), rustc 1.95 warns that
    // it "cannot be used as its where bounds are not satisfied for the
    // `Self` type", which is this copy's point, at the user's return type.
    quote! {
        // `implied_bounds_in_impls`: the `send` rewrite's `+ Send` beside a
        // `Send` alias the user wrote (`+ MaybeSendFuture`).
        #[allow(deprecated, dead_code, clippy::implied_bounds_in_impls)]
        // Never offered to a user in an error ("the following other types
        // implement trait"): it names generated items.
        #[diagnostic::do_not_recommend]
        impl #impl_params #trait_path for #dyn_ty #where_clause {
            #(#items)*
        }
    }
}

/// In `send` mode the bridge's `async` block captures the arguments, so it
/// is `Send` only if they are. For an argument whose type names the trait's
/// type parameters or associated types, the bridge impl asks what the
/// capture needs of them: `K: Send` for one held by value or through
/// `&mut` (`req: Request`, `buf: &mut [K]`, `(K, u8)`), `K: Sync` for one
/// behind `&` (`keys: &[K]`), the same through the standard containers
/// whose `Send` and `Sync` are their elements' (`Option<K>`, `Vec<K>`,
/// `&HashMap<K, V>`), and both for one inside any other type (`Arc<K>`, a
/// type of the user's own: what their `Send` asks of `K` is theirs to say).
/// It exists for the instantiations where the implementors' futures can be
/// `Send` anyway, and asks nothing of the trait. (Bounding the argument
/// types themselves, `for<'a> &'a [K]: Send`, would be exact, but a
/// higher-ranked bound on `Next<'a, State>` asks `State: 'static`.)
fn captured_send_bounds(cx: &Cx<'_>, m: &Method) -> Vec<TokenStream> {
    let mut needs = Needs::default();
    for arg in &m.args {
        needs.visit(&arg.ty, false);
    }
    let params = cx
        .trait_type_params()
        .into_iter()
        .map(|t| (t.to_string(), quote!(#t)))
        .chain(cx.model.assoc_types.iter().map(|a| {
            let param = &a.param;
            (format!("Self::{}", a.ident), quote!(#param))
        }));
    let mut bounds = Vec::new();
    for (name, param) in params {
        let send = needs.send.contains(&name);
        let sync = needs.sync.contains(&name);
        match (send, sync) {
            (true, true) => {
                bounds.push(quote!(#param: ::core::marker::Send + ::core::marker::Sync));
            }
            (true, false) => bounds.push(quote!(#param: ::core::marker::Send)),
            (false, true) => bounds.push(quote!(#param: ::core::marker::Sync)),
            (false, false) => {}
        }
    }
    bounds
}

/// What capturing a value of a type asks of the names in it (`K`,
/// `Self::Item`): `send` for those held by value or through `&mut`, `sync`
/// for those behind `&`, through the standard containers too
/// ([`structural_args`]); a name inside any other type is in both.
#[derive(Default)]
struct Needs {
    send: Vec<String>,
    sync: Vec<String>,
}

impl Needs {
    /// `shared`: whether the value is reached through a `&`.
    fn visit(&mut self, ty: &syn::Type, shared: bool) {
        match ty {
            syn::Type::Reference(r) => self.visit(&r.elem, shared || r.mutability.is_none()),
            syn::Type::Paren(p) => self.visit(&p.elem, shared),
            syn::Type::Group(g) => self.visit(&g.elem, shared),
            syn::Type::Tuple(t) => t.elems.iter().for_each(|e| self.visit(e, shared)),
            syn::Type::Array(a) => self.visit(&a.elem, shared),
            syn::Type::Slice(s) => self.visit(&s.elem, shared),
            syn::Type::Path(p) if p.qself.is_none() => {
                let segments = &p.path.segments;
                let bare = segments.iter().all(|s| s.arguments.is_none());
                let name = match segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect::<Vec<_>>()[..]
                {
                    [ref one] if bare => Some(one.clone()),
                    [ref first, ref assoc] if bare && first == "Self" => {
                        Some(format!("Self::{assoc}"))
                    }
                    _ => None,
                };
                match (name, structural_args(p)) {
                    (Some(name), _) if shared => self.sync.push(name),
                    (Some(name), _) => self.send.push(name),
                    (None, Some(args)) => args.for_each(|arg| self.visit(arg, shared)),
                    (None, None) => self.inside(ty),
                }
            }
            _ => self.inside(ty),
        }
    }

    /// Every name mentioned anywhere in `ty`, which is not one of the
    /// shapes above: both bounds.
    fn inside(&mut self, ty: &syn::Type) {
        let mut mentioned = Mentioned::default();
        mentioned.visit_type(ty);
        let names = mentioned
            .idents
            .into_iter()
            .chain(mentioned.assoc.into_iter().map(|a| format!("Self::{a}")));
        for name in names {
            self.send.push(name.clone());
            self.sync.push(name);
        }
    }
}

/// The type arguments of a standard container whose `Send` and `Sync` are
/// its elements' (`Option<K>`, `Vec<K>`, `Box<K>`, `Pin<P>`, `Result<K,
/// E>`, `PhantomData<K>`, the collections of `std::collections`), named
/// alone or by a path from `std`, `alloc` or `core`: capturing one asks of
/// its elements what capturing them would. `None` for any other type
/// (`Arc<K>` is `Send` only if `K` is `Send + Sync`; a type of the user's
/// own says nothing the macro can see). A type of the user's own named as
/// one of these (`struct Vec<K>`) is taken for it: if its `Send` asks more,
/// the bridge's check of that argument says so, on the argument.
fn structural_args(p: &syn::TypePath) -> Option<impl Iterator<Item = &syn::Type>> {
    const STRUCTURAL: [&str; 13] = [
        "Option",
        "Result",
        "Vec",
        "VecDeque",
        "Box",
        "Pin",
        "PhantomData",
        "BTreeMap",
        "BTreeSet",
        "HashMap",
        "HashSet",
        "BinaryHeap",
        "LinkedList",
    ];
    let segments: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
    let (last, prefix) = segments.split_last()?;
    let from_std = match prefix.first() {
        None => p.path.leading_colon.is_none(),
        Some(first) => {
            ["std", "alloc", "core"]
                .iter()
                .any(|root| first.ident == root)
                && prefix.iter().all(|s| s.arguments.is_none())
        }
    };
    if p.qself.is_some() || !from_std || !STRUCTURAL.iter().any(|name| last.ident == name) {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    Some(args.args.iter().filter_map(|arg| match arg {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    }))
}

/// `send_argument(&arg);` for each argument the `Send` bridge's block
/// captures, spanned on the argument's name: an argument that is not
/// `Send` is then one error there, saying so, and not an error about the
/// block (the failed check keeps the compiler from checking the block's
/// `Send`). The captured parameters' bounds (`captured_send_bounds`) make
/// it pass for those.
fn send_arguments(cx: &Cx<'_>, m: &Method) -> Vec<TokenStream> {
    m.args
        .iter()
        .map(|arg| {
            let (cfgs, ident) = (&arg.cfgs, &arg.ident);
            let p = respan(cx.p.clone(), arg.span);
            quote_spanned!(arg.span=> #(#cfgs)* #p::send_argument(&#ident);)
        })
        .collect()
}

/// `tokens`, every one spanned at `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(g) = &token {
                let mut group = Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                token = TokenTree::Group(group);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
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
        return false;
    }
    cx.opts.send.is_some() || !m.declared_send
}

/// The single-segment paths (`K`) and `Self::X` associated types a type
/// names.
#[derive(Default)]
struct Mentioned {
    idents: Vec<String>,
    assoc: Vec<String>,
}

impl<'ast> Visit<'ast> for Mentioned {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        match segments.as_slice() {
            [one] => self.idents.push(one.clone()),
            [first, assoc] if first == "Self" => self.assoc.push(assoc.clone()),
            _ => {}
        }
        syn::visit::visit_path(self, path);
    }
}
