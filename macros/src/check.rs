//! Method names the twins generate (`m_dyn`, `m_in`, `m_send`, …) must not
//! collide with the user's methods: on a concrete type with both traits in
//! scope a call would be ambiguous (E0034), and in a twin a name would be
//! defined twice.

use syn::{Ident, ItemTrait};

use crate::model::Model;
use crate::options::Options;

/// The hidden methods added to the user's trait: where each erased future
/// went, and the recycled storage a counting wrapper lends.
pub(crate) const HOOK: &str = "__dyn_twin_observe";
pub(crate) const POOL_HOOK: &str = "__dyn_twin_pool";
/// And whether the implementor's counting hooks can count on this thread
/// without calling out of line (always, for one that does not count).
pub(crate) const READY_HOOK: &str = "__dyn_twin_ready";
/// The twin's method naming the implementing type.
pub(crate) const TYPE_NAME: &str = "twin_type_name";

pub(crate) fn generated_names(
    opts: &Options,
    item: &ItemTrait,
    model: &Model,
) -> Result<(), syn::Error> {
    let user: Vec<(String, &Ident)> = item
        .items
        .iter()
        .filter_map(|i| match i {
            syn::TraitItem::Fn(f) => Some((
                syn::ext::IdentExt::unraw(&f.sig.ident).to_string(),
                &f.sig.ident,
            )),
            _ => None,
        })
        .collect();
    if let Some((name, ident)) = user
        .iter()
        .find(|(n, _)| n == TYPE_NAME || n == HOOK || n == POOL_HOOK || n == READY_HOOK)
    {
        return Err(syn::Error::new(
            ident.span(),
            format!(
                "#[dyn_twin] reserves the method name `{name}` for the twin: rename the trait's method"
            ),
        ));
    }
    if let Some(m) = model.methods.iter().find(|m| m.stream && opts.inline_only) {
        return Err(syn::Error::new(
            m.ident.span(),
            format!(
                "#[dyn_twin(.., inline_only)] erases futures only: `{}` returns a stream; drop `inline_only` (its stream is then stored inline when it fits, boxed otherwise), or add `where Self: Sized` to leave it out of the twin",
                m.ident
            ),
        ));
    }
    // Each generated name with the `#[cfg]`s of the method it comes from:
    // two declarations of one method under other `#[cfg]`s (async-graphql's
    // `Loader::load`, one per feature) are alternatives, not a collision.
    let mut generated: Vec<(String, &Ident, String)> = vec![];
    for m in &model.methods {
        // `r#match`'s twin methods are `match_dyn`, …
        let name = syn::ext::IdentExt::unraw(&m.ident).to_string();
        let cfgs = &m.cfgs;
        let cfgs = quote::quote!(#(#cfgs)*).to_string();
        let with_try = crate::twin::generates_try(opts, m);
        let mut push = |prefix: &str, suffix: &str| {
            generated.push((format!("{prefix}{name}{suffix}"), &m.ident, cfgs.clone()));
        };
        push("", "_dyn");
        if with_try {
            push("try_", "_dyn");
        }
        if m.is_async() {
            push("", "_layout");
            if !opts.inline_only && !m.stream {
                push("", "_in");
            }
            if opts.send.is_some() {
                push("", "_send");
                if with_try {
                    push("try_", "_send");
                }
                if !opts.inline_only && !m.stream {
                    push("", "_send_in");
                }
            }
        }
    }
    for (name, from, cfgs) in &generated {
        if user.iter().any(|(n, _)| n == name)
            || name == TYPE_NAME
            || name == HOOK
            || name == POOL_HOOK
            || name == READY_HOOK
        {
            return Err(syn::Error::new(
                from.span(),
                format!(
                    "#[dyn_twin] generates a twin method `{name}` for `{from}`, and the trait already has a method of that name (calling it on a concrete type would be ambiguous): rename one of them"
                ),
            ));
        }
        if generated
            .iter()
            .filter(|(n, _, c)| n == name && c == cfgs)
            .count()
            > 1
        {
            return Err(syn::Error::new(
                from.span(),
                format!(
                    "#[dyn_twin] would generate two twin methods named `{name}`: rename `{from}`"
                ),
            ));
        }
    }
    Ok(())
}
