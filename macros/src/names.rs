//! Hygiene: every name the expansion introduces (generic parameters,
//! lifetimes, locals, argument names) is spelled here once, and made fresh
//! against every identifier the user's trait contains, so that no generated
//! name can capture a user's name (`layout`, `slot`, `Cap`, …) or be
//! captured by one.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Ident, ItemTrait, Lifetime};

use crate::options::Options;

/// Identifiers already taken: the user's, and those handed out.
pub(crate) struct Taken(HashSet<String>);

impl Taken {
    /// Every identifier in the trait (types, arguments, lifetimes, paths)
    /// and the attribute's own names.
    pub(crate) fn of(item: &ItemTrait, opts: &Options) -> Self {
        let mut taken = HashSet::new();
        collect(item.to_token_stream(), &mut taken);
        taken.insert(opts.twin.to_string());
        if let Some(send) = &opts.send {
            taken.insert(send.to_string());
        }
        Taken(taken)
    }

    fn fresh_str(&mut self, base: &str) -> String {
        let mut name = base.to_owned();
        let mut n = 0;
        while self.0.contains(&name) {
            n += 1;
            name = format!("{base}_{n}");
        }
        self.0.insert(name.clone());
        name
    }

    /// `base`, or `base_1`, `base_2`, … if the user's trait has it.
    pub(crate) fn ident(&mut self, base: &str) -> Ident {
        Ident::new(&self.fresh_str(base), Span::call_site())
    }

    /// `'base`, or `'base_1`, … likewise (lifetimes are their own
    /// namespace).
    pub(crate) fn lifetime(&mut self, base: &str) -> Lifetime {
        Lifetime::new(&self.fresh_str(&format!("'{base}")), Span::call_site())
    }
}

/// Identifiers as `name`, lifetimes as `'name` (their own namespace).
fn collect(tokens: TokenStream, into: &mut HashSet<String>) {
    let mut after_quote = false;
    for token in tokens {
        let is_quote = matches!(&token, TokenTree::Punct(p) if p.as_char() == '\'');
        match token {
            TokenTree::Ident(ident) if after_quote => {
                into.insert(format!("'{ident}"));
            }
            TokenTree::Ident(ident) => {
                into.insert(ident.to_string());
            }
            TokenTree::Group(group) => collect(group.stream(), into),
            TokenTree::Punct(_) | TokenTree::Literal(_) => {}
        }
        after_quote = is_quote;
    }
}

/// The names generated items use, each fresh. The public ones (`space`,
/// the twin traits' parameter) read well in docs; the others are
/// implementation detail.
pub(crate) struct Names {
    /// The twins' capacity parameter (`Cap`).
    pub(crate) space: Ident,
    /// The blanket impls' implementor parameter (`Implementor`).
    pub(crate) implementor: Ident,
    /// `TwinOf<P>`'s plugin parameter.
    pub(crate) plugin: Ident,
    /// The lifetime of the twin objects in impls on them (`'dyn_twin`).
    pub(crate) object: Lifetime,
    /// A twin future's lifetime (`'fut`).
    pub(crate) fut: Lifetime,
    /// A slot borrow's lifetime (`'slot`).
    pub(crate) slot_lifetime: Lifetime,
    /// The slot argument of `m_in` (`slot`).
    pub(crate) slot: Ident,
    /// Locals: the erased future, its layout, the receiver in layout
    /// closures; the hook's arguments.
    pub(crate) future: Ident,
    pub(crate) layout: Ident,
    pub(crate) this: Ident,
    pub(crate) method: Ident,
    pub(crate) erasure: Ident,
    /// A `try_` method's arguments, in the caller's `Option`.
    pub(crate) args: Ident,
    taken: Taken,
    lifetimes: Vec<Lifetime>,
}

impl Names {
    pub(crate) fn new(mut taken: Taken) -> Self {
        Names {
            space: taken.ident("Cap"),
            implementor: taken.ident("Implementor"),
            plugin: taken.ident("P"),
            object: taken.lifetime("dyn_twin"),
            fut: taken.lifetime("fut"),
            slot_lifetime: taken.lifetime("slot"),
            slot: taken.ident("slot"),
            future: taken.ident("future"),
            layout: taken.ident("layout"),
            this: taken.ident("this"),
            method: taken.ident("method"),
            erasure: taken.ident("erasure"),
            args: taken.ident("args"),
            taken,
            lifetimes: Vec::new(),
        }
    }

    /// The name given to an elided lifetime: the `n`-th of a method's
    /// (`'life0`, `'life1`, … as `async-trait` names them), fresh, and the
    /// same for the same `n` in every method.
    pub(crate) fn elided(&mut self, n: usize) -> Lifetime {
        while self.lifetimes.len() <= n {
            let next = format!("life{}", self.lifetimes.len());
            let lifetime = self.taken.lifetime(&next);
            self.lifetimes.push(lifetime);
        }
        self.lifetimes[n].clone()
    }

    /// A name for the `index`-th argument when the user wrote `_`.
    pub(crate) fn wildcard_arg(&mut self, index: usize) -> Ident {
        self.taken.ident(&format!("__arg{index}"))
    }

    /// The parameter standing for associated type `assoc` in impls on the
    /// twin objects (`dyn DynPlugin<Item = Item_>`).
    pub(crate) fn assoc_param(&mut self, assoc: &Ident) -> Ident {
        self.taken.ident(&format!("{assoc}_"))
    }
}
