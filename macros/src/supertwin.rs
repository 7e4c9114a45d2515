//! `supertwin(Named = DynNamed)`: an async supertrait that has twins of its
//! own. The attribute cannot see that a supertrait is async (it sees a
//! name), and a twin that kept `Named` as its supertrait would not be
//! dyn-compatible; named here, the twins carry `DynNamed` (and the `Send`
//! twin `SendDynNamed`) instead, so a `dyn DynGreeter` upcasts to a
//! `dyn DynNamed` and calls `Named`'s methods through it.

use syn::spanned::Spanned;
use syn::{GenericArgument, ItemTrait, Path, PathArguments, TypeParamBound};

use crate::options::Options;

/// A supertrait the twins carry as its twins.
pub(crate) struct SuperTwin {
    /// Its position among the trait's supertraits.
    pub(crate) position: usize,
    /// `DynNamed`, as the user named it.
    pub(crate) twin: Path,
    /// `SendDynNamed`, for the `Send` twin.
    pub(crate) send: Option<Path>,
    /// The supertrait's generic arguments (`Named<u32>`: `u32`), given to
    /// its twins before the capacity.
    pub(crate) args: Vec<GenericArgument>,
    /// Its associated type bindings (`Named<Item = u8>`), given after.
    pub(crate) bindings: Vec<GenericArgument>,
}

/// Matches each `supertwin(..)` option with a supertrait of `item`.
pub(crate) fn read(item: &ItemTrait, opts: &Options) -> Result<Vec<SuperTwin>, syn::Error> {
    let mut out = Vec::new();
    for option in &opts.supertwins {
        let found = item
            .supertraits
            .iter()
            .enumerate()
            .find_map(|(i, b)| match b {
                TypeParamBound::Trait(t)
                    if t.path.segments.last().map(|s| &s.ident) == Some(&option.supertrait) =>
                {
                    Some((i, t))
                }
                _ => None,
            });
        let Some((position, bound)) = found else {
            return Err(syn::Error::new(
                option.supertrait.span(),
                format!(
                    "`{name}` is not a supertrait of `{trait_}`: `supertwin({name} = …)` names an async supertrait of the trait (`trait {trait_}: {name}`) and that supertrait's own twin",
                    name = option.supertrait,
                    trait_ = item.ident,
                ),
            ));
        };
        if let (Some(send), None) = (&option.send, &opts.send) {
            return Err(syn::Error::new(
                send.span(),
                format!(
                    "`send = …` in `supertwin(..)` names the supertrait's `Send` twin, for this trait's `Send` twin: add `send = SendDyn{}` to #[dyn_twin] too, or drop it here",
                    item.ident
                ),
            ));
        }
        if bound.lifetimes.is_some() || !matches!(bound.modifier, syn::TraitBoundModifier::None) {
            return Err(syn::Error::new(
                bound.span(),
                "a supertwin's supertrait is a plain trait path (`Named` or `Named<T>`): no `for<'a>` or `?`",
            ));
        }
        let (mut args, mut bindings) = (Vec::new(), Vec::new());
        if let Some(last) = bound.path.segments.last() {
            match &last.arguments {
                PathArguments::AngleBracketed(a) => {
                    for arg in &a.args {
                        match arg {
                            GenericArgument::AssocType(_) | GenericArgument::AssocConst(_) => {
                                bindings.push(arg.clone())
                            }
                            _ => args.push(arg.clone()),
                        }
                    }
                }
                PathArguments::Parenthesized(p) => {
                    return Err(syn::Error::new(
                        p.span(),
                        "a supertwin's supertrait takes angle-bracketed arguments (`Named<T>`)",
                    ));
                }
                PathArguments::None => {}
            }
        }
        out.push(SuperTwin {
            position,
            twin: option.twin.clone(),
            send: option.send.clone(),
            args,
            bindings,
        });
    }
    Ok(out)
}
