//! Reads the user's trait into what the expansion needs, and refuses the
//! shapes a `dyn` twin cannot have, each with one error spanned on the
//! user's token that says how to fix it. Everything the generators need to
//! decide is decided here; they only write tokens.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{
    Attribute, FnArg, GenericParam, Ident, ItemTrait, Lifetime, Pat, ReturnType, Signature,
    TraitItem, TraitItemFn, TraitItemType, Type, TypeParamBound,
};

use crate::lifetimes::has_elided;
use crate::names::Names;
use crate::shapes::{BareSelf, ImplTraitArg, impl_future, is_marker, is_self, requires_sized};

/// One argument of a method (the receiver excluded).
pub(crate) struct Arg {
    /// The name generated code forwards it by: the user's, or a fresh
    /// one for `_`.
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// `#[cfg]` attributes: carried wherever the argument is named.
    pub(crate) cfgs: Vec<Attribute>,
    /// Declared `mut x`.
    pub(crate) mutable: bool,
    /// The user's name (or `_`): where an error about the argument points.
    pub(crate) span: Span,
}

/// The receiver of a twin method: `&self` or `&mut self`, maybe with a
/// named lifetime (`&'a self`, `&'static self`), or `self: Box<Self>`.
pub(crate) struct Receiver {
    pub(crate) mutable: bool,
    pub(crate) lifetime: Option<Lifetime>,
    /// `self: Box<Self>`, with the box type as written.
    pub(crate) boxed: Option<Type>,
}

impl Receiver {
    /// The future cannot borrow `self` (`&mut self`, or owns it:
    /// `self: Box<Self>`): the hook hears before the call.
    pub(crate) fn hook_first(&self) -> bool {
        self.mutable || self.boxed.is_some()
    }
}

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
    pub(crate) receiver: Receiver,
    pub(crate) args: Vec<Arg>,
    /// `Some(output)` for an async method (the future's `Output`).
    pub(crate) output: Option<Type>,
    /// The trait as written declares the future `+ Send`.
    pub(crate) declared_send: bool,
    /// The trait as written bounds the future by a lifetime
    /// (`-> impl Future<Output = T> + 'static`): the twin's future has it.
    pub(crate) future_lifetime: Option<Lifetime>,
    /// `future_lifetime` comes from `use<'_, Self>` (the receiver's), not
    /// a bound the trait writes: nothing says the trait's type parameters
    /// outlive it, so the twin's signatures do.
    pub(crate) captured_lifetime: bool,
    /// The method returns `impl Stream<Item = T>` (then `output` is `T`):
    /// erased into an `InlineStream`, with no slot variant.
    pub(crate) stream: bool,
}

impl Method {
    pub(crate) fn is_async(&self) -> bool {
        self.output.is_some()
    }

    /// An async method whose future borrows `self` shared (`&self`,
    /// `&'a self`): `Send` only if the implementor is `Sync`.
    pub(crate) fn shares_self(&self) -> bool {
        self.is_async() && !self.receiver.mutable && self.receiver.boxed.is_none()
    }
}

/// An associated type of the user's trait.
pub(crate) struct AssocType {
    pub(crate) ident: Ident,
    pub(crate) item: TraitItemType,
    /// The impl parameter that stands for it on the twin objects.
    pub(crate) param: Ident,
    /// A supertrait's (`supertrait_types(ErrorType::Error)`), with that
    /// supertrait: the twin objects name it, the twins and the impls of the
    /// trait do not declare it.
    pub(crate) inherited: Option<syn::Path>,
}

/// A method left out of the twin (`where Self: Sized`), which the counting
/// wrapper still forwards.
pub(crate) struct SizedMethod {
    pub(crate) cfgs: Vec<Attribute>,
    pub(crate) has_default: bool,
    pub(crate) sig: Signature,
    pub(crate) args: Vec<Ident>,
    pub(crate) receiver: SizedReceiver,
}

/// How a `where Self: Sized` method takes `self`.
pub(crate) enum SizedReceiver {
    Ref,
    Mut,
    Value,
    Boxed,
    /// Another pointer to `Self` (`self: &Arc<Self>`, `self: Pin<&mut
    /// Self>`) on a method with a default body: not forwarded, the
    /// counting wrapper runs the default on itself. With what a `Send`
    /// future holding that pointer asks of `Self`.
    Other(PointerNeeds),
    /// An associated function (no `self`).
    None,
}

/// What a value holding a pointer to `Self` needs of `Self` to be `Send`.
#[derive(Clone, Copy)]
pub(crate) enum PointerNeeds {
    /// `Pin<&mut Self>`, `Pin<Box<Self>>`: a unique pointer.
    Send,
    /// `Pin<&Self>`: a shared reference.
    Sync,
    /// `Arc<Self>`, `&Arc<Self>` and every other pointer: shared and
    /// owning, as an `Arc` is.
    SendSync,
    /// `Rc<Self>`, `&Rc<Self>`, `Pin<Rc<Self>>`: never `Send`.
    Never,
}

/// The trait, read.
pub(crate) struct Model {
    pub(crate) methods: Vec<Method>,
    pub(crate) sized_methods: Vec<SizedMethod>,
    pub(crate) assoc_types: Vec<AssocType>,
    /// The trait's objects are `'static` (a `'static` or `Any` supertrait):
    /// impls on them name `dyn Twin + 'static`.
    pub(crate) static_objects: bool,
    /// `Sync` (or `Send`) is among the supertraits: default bodies under
    /// `send` need no extra bound.
    pub(crate) sync_supertrait: bool,
    pub(crate) send_supertrait: bool,
    /// Async supertraits carried as their twins (`supertwin(..)`).
    pub(crate) supertwins: Vec<crate::supertwin::SuperTwin>,
}

impl Model {
    /// Whether the `Send` twin is also `Sync`. Yes when an async method
    /// takes `&self`: its futures are shared borrows of the implementor,
    /// and the twin object is meant to be shared (`Arc<dyn SendDynPlugin>`
    /// into `tokio::spawn`, the bridge's block holding `&self`). A trait
    /// whose async methods all take `&mut self` or `self: Box<Self>` needs
    /// only `Send` (a `&mut` borrow or a box of a `Send` value is `Send`),
    /// so a `Send`-only implementor (`Cell` inside, like an acceptor or a
    /// connection) has a `Send` twin, `Box<dyn SendDynX>` moves into a
    /// task; sharing one across threads needs a `Mutex`, as it would anyway
    /// for `&mut self` calls.
    pub(crate) fn send_twin_sync(&self) -> bool {
        self.methods.iter().any(Method::shares_self)
    }
}

/// Standard supertraits that make a trait not dyn-compatible.
const NOT_DYN_COMPATIBLE: &[&str] = &[
    "Clone",
    "Copy",
    "Default",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
];

fn err(span: Span, message: impl core::fmt::Display) -> syn::Error {
    syn::Error::new(span, message)
}

/// Reads `item`: the twin's methods and associated types, and what the
/// supertraits imply. Refuses what a twin cannot carry.
pub(crate) fn read(item: &ItemTrait, names: &mut Names) -> Result<Model, syn::Error> {
    let mut errors: Vec<syn::Error> = Vec::new();
    if let Some(unsafety) = &item.unsafety {
        errors.push(err(
            unsafety.span(),
            "#[dyn_twin] does not support `unsafe trait`: the twin would have to be unsafe to implement too; remove `unsafe` or write the twin by hand",
        ));
    }
    let mut model = Model {
        methods: Vec::new(),
        sized_methods: Vec::new(),
        assoc_types: Vec::new(),
        static_objects: false,
        sync_supertrait: false,
        send_supertrait: false,
        supertwins: Vec::new(),
    };
    for bound in &item.supertraits {
        match bound {
            TypeParamBound::Trait(t) => {
                if is_marker(&t.path, "Sized") {
                    errors.push(err(
                        t.span(),
                        "a trait with a `Sized` supertrait cannot have a `dyn` twin: remove `: Sized` (put `where Self: Sized` on the methods that need it)",
                    ));
                }
                let last = t.path.segments.last().map(|s| s.ident.to_string());
                if let Some(name) = last.as_deref().filter(|n| NOT_DYN_COMPATIBLE.contains(n)) {
                    errors.push(err(
                        t.span(),
                        format!(
                            "`{name}` is not dyn-compatible (it needs `Self: Sized` or names `Self`), so a trait with it as a supertrait cannot be a trait object and #[dyn_twin] cannot give it a `dyn` twin: remove `{name}` from the supertraits (for cloneable trait objects, the `dyn-clone` crate's `DynClone` is dyn-compatible), or keep the trait static and drop #[dyn_twin]"
                        ),
                    ));
                }
                // `Storage: Backend<Request<Self::Job>>` (apalis): a
                // supertrait's arguments naming `Self` make the trait not
                // dyn-compatible, with or without a twin.
                // Its generic arguments only: a binding, `Iterator<Item =
                // Self::Out>`, is allowed.
                let mut self_path = SelfPath(None);
                for segment in &t.path.segments {
                    if let syn::PathArguments::AngleBracketed(args) = &segment.arguments {
                        for arg in &args.args {
                            if let syn::GenericArgument::Type(ty) = arg {
                                self_path.visit_type(ty);
                            }
                        }
                    }
                }
                if let Some(span) = self_path.0 {
                    errors.push(err(
                        span,
                        format!(
                            "the supertrait `{}` names `Self` in its arguments, so the trait cannot be a trait object (a `dyn` type has no `Self` to put there) and #[dyn_twin] cannot give it a `dyn` twin: name a type there instead (an associated type's bound, or a generic parameter of the trait), or keep the trait static and drop #[dyn_twin]",
                            last.as_deref().unwrap_or_default()
                        ),
                    ));
                }
                match last.as_deref() {
                    Some("Any") => model.static_objects = true,
                    Some("Sync") => model.sync_supertrait = true,
                    Some("Send") => model.send_supertrait = true,
                    _ => {}
                }
            }
            TypeParamBound::Lifetime(l) if l.ident == "static" => model.static_objects = true,
            _ => {}
        }
    }
    if !errors.is_empty() {
        // The trait cannot be a trait object at all: one error says so;
        // its methods' shapes do not matter.
        return Err(combine(errors));
    }
    for trait_item in &item.items {
        match trait_item {
            TraitItem::Fn(method) => {
                if requires_sized(&method.sig) {
                    // Not callable on a trait object: left out of the twin,
                    // kept in the trait, forwarded by the counting wrapper.
                    match read_sized(method, names) {
                        Ok(m) => model.sized_methods.push(m),
                        Err(e) => errors.push(e),
                    }
                    continue;
                }
                match read_method(method, model.methods.len(), &item.generics, names) {
                    Ok(m) => model.methods.push(m),
                    Err(e) => errors.push(e),
                }
            }
            TraitItem::Type(ty) => {
                if !ty.generics.params.is_empty() || ty.generics.where_clause.is_some() {
                    errors.push(err(
                        ty.span(),
                        "#[dyn_twin] does not support generic associated types: a `dyn` twin cannot name them; use a plain associated type or a method",
                    ));
                } else if let Some(span) = {
                    // `type Database: Database<Connection = Self>` (sqlx's
                    // `Connection`): on the objects `Self` would be the object
                    // type itself, which no implementor's type can be.
                    let mut bare_self = crate::shapes::BareSelf(None);
                    for bound in &ty.bounds {
                        bare_self.visit_type_param_bound(bound);
                    }
                    bare_self.0
                } {
                    errors.push(err(
                        span,
                        format!(
                            "#[dyn_twin] cannot erase an associated type whose bounds name `Self` (`{}`): on the `dyn` twin `Self` is the trait object, which no implementor's type can stand for; bound it without `Self`, or keep the trait static and drop #[dyn_twin]",
                            ty.ident
                        ),
                    ));
                } else {
                    model.assoc_types.push(AssocType {
                        ident: ty.ident.clone(),
                        item: ty.clone(),
                        param: names.assoc_param(&ty.ident),
                        inherited: None,
                    });
                }
            }
            TraitItem::Const(c) => errors.push(err(
                c.span(),
                "#[dyn_twin] does not support associated consts: they make a trait not dyn-compatible; use a method returning the value (`fn limit(&self) -> usize`)",
            )),
            other => errors.push(err(
                other.span(),
                "#[dyn_twin] does not support this trait item: only methods and associated types",
            )),
        }
    }
    if errors.is_empty() {
        Ok(model)
    } else {
        Err(combine(errors))
    }
}

fn combine(errors: Vec<syn::Error>) -> syn::Error {
    let mut errors = errors.into_iter();
    let mut all = errors.next().expect("at least one error");
    for e in errors {
        all.combine(e);
    }
    all
}

/// A `where Self: Sized` method, for the counting wrapper to forward.
fn read_sized(method: &TraitItemFn, names: &mut Names) -> Result<SizedMethod, syn::Error> {
    let receiver = match method.sig.inputs.first() {
        Some(FnArg::Receiver(r)) => match (&r.reference, r.mutability, r.colon_token) {
            (Some(_), None, None) => SizedReceiver::Ref,
            (Some(_), Some(_), None) => SizedReceiver::Mut,
            (None, _, None) => SizedReceiver::Value,
            (_, _, Some(_)) => match receiver_type(&r.ty) {
                Some(ReceiverType::Ref) => SizedReceiver::Ref,
                Some(ReceiverType::Mut) => SizedReceiver::Mut,
                Some(ReceiverType::Boxed) => SizedReceiver::Boxed,
                Some(ReceiverType::Value) => SizedReceiver::Value,
                // With a default body, the counting wrapper runs the body on
                // itself; without one, it would have nothing to run.
                None if method.default.is_some() => SizedReceiver::Other(pointer_needs(&r.ty)),
                None => {
                    return Err(err(
                        r.ty.span(),
                        format!(
                            "#[dyn_twin] forwards `where Self: Sized` methods through its counting wrapper, which cannot forward a `{}` receiver to the implementor: give `{}` a default body (the wrapper then runs it), or take `self`, `&self`, `&mut self` or `self: Box<Self>`",
                            receiver_text(r),
                            method.sig.ident
                        ),
                    ));
                }
            },
        },
        _ => SizedReceiver::None,
    };
    let mut args = Vec::new();
    for (i, input) in method.sig.inputs.iter().enumerate() {
        if let FnArg::Typed(typed) = input {
            match &*typed.pat {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    args.push(p.ident.clone())
                }
                Pat::Wild(_) => args.push(names.wildcard_arg(i)),
                other => {
                    return Err(pattern_error(other, &method.sig.ident, &typed.ty));
                }
            }
        }
    }
    let (cfgs, _) = split_attrs(&method.attrs);
    Ok(SizedMethod {
        cfgs,
        has_default: method.default.is_some(),
        sig: method.sig.clone(),
        args,
        receiver,
    })
}

enum ReceiverType {
    Ref,
    Mut,
    Boxed,
    Value,
}

/// What `Send` of a value holding `ty`, a pointer to `Self` that
/// [`receiver_type`] does not know, needs of `Self`: `Pin<P>` needs what
/// `P` needs; an `Rc<Self>` (also behind `&` or `Pin`) is never `Send`;
/// anything else is taken to be shared and owning (`Arc<Self>`).
fn pointer_needs(ty: &Type) -> PointerNeeds {
    let pinned = wrapped(ty, "Pin");
    let pointer = pinned.unwrap_or(match ty {
        Type::Reference(r) => &r.elem,
        ty => ty,
    });
    if wrapped(pointer, "Rc").is_some_and(is_self) {
        return PointerNeeds::Never;
    }
    match pinned.and_then(receiver_type) {
        Some(ReceiverType::Mut | ReceiverType::Boxed) => PointerNeeds::Send,
        Some(ReceiverType::Ref) => PointerNeeds::Sync,
        _ => PointerNeeds::SendSync,
    }
}

/// `self: &Self`, `self: &mut Self`, `self: Box<Self>`, `self: Self`.
fn receiver_type(ty: &Type) -> Option<ReceiverType> {
    match ty {
        Type::Reference(r) if is_self(&r.elem) => Some(if r.mutability.is_some() {
            ReceiverType::Mut
        } else {
            ReceiverType::Ref
        }),
        ty if is_self(ty) => Some(ReceiverType::Value),
        ty => wrapped(ty, "Box")
            .filter(|inner| is_self(inner))
            .map(|_| ReceiverType::Boxed),
    }
}

/// `T` of `ty` when `ty` is the path `…::Wrapper<T>` (by its last segment's
/// name, as a receiver names `Box` or `Pin`).
fn wrapped<'t>(ty: &'t Type, wrapper: &str) -> Option<&'t Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if p.qself.is_some() || last.ident != wrapper {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

fn pattern_error(pat: &Pat, method: &Ident, ty: &Type) -> syn::Error {
    err(
        pat.span(),
        format!(
            "#[dyn_twin] does not support patterns in arguments (in `{method}`): bind a name (`arg: {}`) and destructure it in the body",
            quote::ToTokens::to_token_stream(ty)
        ),
    )
}

fn read_method(
    method: &TraitItemFn,
    index: usize,
    trait_generics: &syn::Generics,
    names: &mut Names,
) -> Result<Method, syn::Error> {
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
    let receiver = match inputs.next() {
        Some(FnArg::Receiver(receiver)) => {
            let read = match (&receiver.reference, receiver.colon_token) {
                (Some((_, lifetime)), None) => Some(Receiver {
                    mutable: receiver.mutability.is_some(),
                    lifetime: lifetime.clone(),
                    boxed: None,
                }),
                (_, Some(_)) => match &*receiver.ty {
                    Type::Reference(r) if is_self(&r.elem) => Some(Receiver {
                        mutable: r.mutability.is_some(),
                        lifetime: r.lifetime.clone(),
                        boxed: None,
                    }),
                    ty if matches!(receiver_type(ty), Some(ReceiverType::Boxed)) => {
                        Some(Receiver {
                            mutable: false,
                            lifetime: None,
                            boxed: Some(ty.clone()),
                        })
                    }
                    _ => None,
                },
                (None, None) => None,
            };
            match read {
                Some(receiver) => receiver,
                None => {
                    return Err(err(
                        receiver.span(),
                        format!(
                            "#[dyn_twin] supports `&self`, `&mut self` and `self: Box<Self>` receivers; `{}` takes `{}`, which the twin cannot pass on ({}): take one of those, or add `where Self: Sized` to leave it out of the twin",
                            sig.ident,
                            receiver_text(receiver),
                            if receiver.colon_token.is_some() {
                                "the registries' counting wrapper holds the implementor, and cannot make that pointer to it from one to itself"
                            } else {
                                "a call by value cannot go through `dyn`"
                            },
                        ),
                    ));
                }
            }
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
        let (ident, mutable, span) = match &*typed.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => (
                pat.ident.clone(),
                pat.mutability.is_some(),
                pat.ident.span(),
            ),
            Pat::Wild(w) => (names.wildcard_arg(i), false, w.underscore_token.span),
            other => return Err(pattern_error(other, &sig.ident, &typed.ty)),
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
        let (cfgs, _) = split_attrs(&typed.attrs);
        args.push(Arg {
            ident,
            ty: (*typed.ty).clone(),
            cfgs,
            mutable,
            span,
        });
    }
    let declared = impl_future(&sig.output);
    if let Some(span) = declared.as_ref().and_then(|d| d.sync) {
        return Err(err(
            span,
            format!(
                "#[dyn_twin] cannot erase a future declared `Sync` (in `{}`): its storage is not `Sync` (a future is only ever polled through `&mut`, so `Sync` gains nothing); remove `+ Sync`, or add `where Self: Sized` to keep the method out of the twin",
                sig.ident
            ),
        ));
    }
    let declared_send = declared.as_ref().is_some_and(|d| d.send);
    let mut future_lifetime = declared.as_ref().and_then(|d| d.lifetime.clone());
    let mut captured_lifetime = false;
    if let Some(capture) = declared.as_ref().and_then(|d| d.capture.as_ref()) {
        if future_lifetime.is_none() {
            future_lifetime = precise_capture(sig, trait_generics, &receiver, &args, capture)?;
            captured_lifetime = future_lifetime.is_some();
        }
    }
    let stream = sig.asyncness.is_none() && declared.as_ref().is_some_and(|d| d.stream);
    let output = if sig.asyncness.is_some() {
        Some(match &sig.output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, ty) => (**ty).clone(),
        })
    } else {
        declared.map(|d| d.output)
    };
    if output.is_none() {
        if let ReturnType::Type(_, ty) = &sig.output {
            if let Type::ImplTrait(imp) = &**ty {
                return Err(err(
                    imp.span(),
                    format!(
                        "`{}` returns an `impl Trait` that is neither a future nor a stream; a `dyn` twin erases `impl Future<Output = T>` and `impl Stream<Item = T>`: return one of those or a concrete type, or add `where Self: Sized` to leave it out of the twin",
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
        // `-> Result<impl Stream, E>`, `-> Option<impl Iterator>`: the
        // implementor's type, which no `dyn` method can name.
        let mut nested = ImplTraitArg(None);
        nested.visit_type(&ty);
        if let Some(span) = nested.0 {
            return Err(err(
                span,
                format!(
                    "`{}` returns an `impl Trait` inside its result, which a `dyn` twin cannot name (each implementor's type differs): return a concrete type or a `Box<dyn Trait>` there, or add `where Self: Sized` to leave it out of the twin",
                    sig.ident
                ),
            ));
        }
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
    Ok(Method {
        index,
        ident: sig.ident.clone(),
        cfgs,
        docs,
        sig: sig.clone(),
        receiver,
        args,
        output,
        declared_send,
        future_lifetime,
        captured_lifetime,
        stream,
    })
}

/// What a future that lists its captures (`+ use<'a, Self>`) means for the
/// twin, whose erased future lives for a lifetime every captured one
/// outlives:
///
/// * it captures every lifetime its arguments name or elide (`'a` and `'b`
///   of `fn m<'a, 'b>(&'a self, k: &'b str)`): as without `use<..>`
///   (`None`);
/// * it captures the receiver's and no other (`use<'_, Self>` on
///   `fn m(&self, key: &str)`): as `+ '_` (`Some`), the receiver's lifetime
///   being the future's, the arguments' free to end before it;
/// * else one error on the `use<..>`.
fn precise_capture(
    sig: &Signature,
    trait_generics: &syn::Generics,
    receiver: &Receiver,
    args: &[Arg],
    capture: &syn::PreciseCapture,
) -> Result<Option<Lifetime>, syn::Error> {
    let listed: Vec<&Lifetime> = capture
        .params
        .iter()
        .filter_map(|p| match p {
            syn::CapturedParam::Lifetime(l) => Some(l),
            _ => None,
        })
        .collect();
    let is_listed = |l: &Lifetime| listed.iter().any(|m| m.ident == l.ident);
    let method_lifetimes: Vec<&Lifetime> = sig.generics.lifetimes().map(|l| &l.lifetime).collect();
    // `'_` in the list is the receiver's elided lifetime (the result's, by
    // elision); `self: Box<Self>` has none.
    let receiver_lifetime = match (&receiver.lifetime, &receiver.boxed) {
        (_, Some(_)) => None,
        (Some(l), None) => Some(l.clone()),
        (None, None) => Some(Lifetime::new("'_", Span::call_site())),
    };
    let receiver_listed = receiver_lifetime.as_ref().is_none_or(&is_listed);
    // With `self: Box<Self>`, `'_` is the one argument's lifetime elided.
    let elided_listed = receiver.boxed.is_some() && listed.iter().any(|l| l.ident == "_");
    let elided_argument = args.iter().find(|a| !elided_listed && has_elided(&a.ty));
    let left_out: Option<String> = method_lifetimes
        .iter()
        .find(|l| {
            !is_listed(l)
                && receiver_lifetime
                    .as_ref()
                    .is_none_or(|r| r.ident != l.ident)
        })
        .map(|l| format!("`{l}`"))
        .or_else(|| elided_argument.map(|a| format!("the lifetime of `{}`", a.ident)));
    if receiver_listed && left_out.is_none() {
        return Ok(None);
    }
    // The trait's own lifetimes are the object type's, whichever it lists.
    let of_trait = |l: &Lifetime| {
        trait_generics
            .lifetimes()
            .any(|t| t.lifetime.ident == l.ident)
    };
    let others_listed = listed.iter().any(|l| {
        l.ident != "static"
            && !of_trait(l)
            && receiver_lifetime
                .as_ref()
                .is_none_or(|r| r.ident != l.ident)
    });
    if receiver_listed && !others_listed && receiver.boxed.is_none() {
        return Ok(receiver_lifetime);
    }
    let name = &sig.ident;
    let receiver_name = match &receiver.lifetime {
        Some(l) => format!("`{l}`"),
        None => "`'_`".into(),
    };
    let message = if receiver.boxed.is_some() {
        format!(
            "#[dyn_twin]: the future of `{name}` leaves {} out of `use<..>`, and with `self: Box<Self>` the `dyn` twin's future captures every lifetime of the arguments: name them and list them in `use<..>`, or leave `use<..>` out",
            left_out.expect("a lifetime left out")
        )
    } else if receiver_listed {
        format!(
            "#[dyn_twin]: the future of `{name}` captures some of its arguments' lifetimes but not {}, and the `dyn` twin's future captures all of them or only the receiver's: name them all and list them in `use<..>`, or list only the receiver's ({receiver_name}), or leave `use<..>` out",
            left_out.expect("a lifetime left out")
        )
    } else {
        format!(
            "#[dyn_twin]: the future of `{name}` leaves the receiver's lifetime out of `use<..>`, and the `dyn` twin's future borrows `self`: add {receiver_name} to `use<..>`, bound the future `+ 'static`, or leave `use<..>` out"
        )
    };
    Err(err(capture.span(), message))
}

/// `#[cfg]`s, and doc comments with `#[deprecated]`: the attributes carried
/// to generated items.
pub(crate) fn split_attrs(attrs: &[Attribute]) -> (Vec<Attribute>, Vec<Attribute>) {
    let cfgs = attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .cloned()
        .collect();
    let docs = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc") || a.path().is_ident("deprecated"))
        .cloned()
        .collect();
    (cfgs, docs)
}

/// A receiver as written, for a message: `self`, `mut self`, or
/// `self: Arc<Self>`.
fn receiver_text(receiver: &syn::Receiver) -> String {
    match (&receiver.reference, receiver.colon_token) {
        (_, Some(_)) => {
            let ty = &receiver.ty;
            format!("self: {}", quote::quote!(#ty))
                .replace(" < ", "<")
                .replace(" >", ">")
                .replace("& ", "&")
        }
        (None, None) if receiver.mutability.is_some() => "mut self".into(),
        _ => "self".into(),
    }
}

/// Finds `Self` or `Self::X` in a type.
struct SelfPath(Option<Span>);

impl<'ast> Visit<'ast> for SelfPath {
    fn visit_type_path(&mut self, ty: &'ast syn::TypePath) {
        if ty.qself.is_none() && ty.path.segments.first().is_some_and(|s| s.ident == "Self") {
            self.0.get_or_insert(ty.span());
        }
        syn::visit::visit_type_path(self, ty);
    }
}
