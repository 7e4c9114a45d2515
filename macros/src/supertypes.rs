//! `supertrait_types(ErrorType::Error)`: associated types a supertrait
//! declares (`embedded_io_async::Read: ErrorType`, whose `type Error` the
//! trait's methods name as `Self::Error`). A twin object names every
//! associated type of its supertraits (`dyn DynRead<Error = E>`), which the
//! attribute cannot see in a name. Each is taken from the option, or, when
//! a method names `Self::X` and the trait declares no `X`, from the one
//! supertrait that can declare it; with several, one error asks for the
//! option.

use syn::visit::Visit;
use syn::{ItemTrait, Path, TypeParamBound};

use crate::model::{AssocType, Model};
use crate::names::Names;
use crate::options::Options;

/// Standard supertraits without associated types: never where `Self::X`
/// comes from.
const WITHOUT_TYPES: &[&str] = &[
    "Send",
    "Sync",
    "Unpin",
    "Any",
    "Debug",
    "Display",
    "Sized",
    "UnwindSafe",
    "RefUnwindSafe",
];

pub(crate) fn read(
    item: &ItemTrait,
    opts: &Options,
    model: &mut Model,
    names: &mut Names,
) -> Result<(), syn::Error> {
    for option in &opts.supertrait_types {
        let ident = &option.ident;
        let error = if item.supertraits.is_empty() {
            Some(format!(
                "`supertrait_types(..)` names associated types of the supertraits, and `{}` has none: remove the option",
                item.ident
            ))
        } else if model.assoc_types.iter().any(|a| a.ident == *ident) {
            Some(format!(
                "`{ident}` is the trait's own associated type, which the twin names already: remove it from `supertrait_types(..)`"
            ))
        } else {
            None
        };
        if let Some(error) = error {
            return Err(syn::Error::new(ident.span(), error));
        }
        push(model, names, option.supertrait.clone(), ident);
    }
    // `Self::X` in a method's signature, `X` not the trait's own nor listed.
    let mut mentioned = SelfTypes(Vec::new());
    for m in &model.methods {
        mentioned.visit_signature(&m.sig);
    }
    for m in &model.sized_methods {
        mentioned.visit_signature(&m.sig);
    }
    let candidates: Vec<&Path> = item
        .supertraits
        .iter()
        .enumerate()
        .filter_map(|(i, bound)| match bound {
            TypeParamBound::Trait(t)
                if !model.supertwins.iter().any(|s| s.position == i)
                    && !WITHOUT_TYPES
                        .iter()
                        .any(|w| t.path.segments.last().is_some_and(|s| s.ident == w)) =>
            {
                Some(&t.path)
            }
            _ => None,
        })
        .collect();
    for ident in mentioned.0 {
        // The trait's own, listed, or fixed by a supertrait's binding
        // (`Read: ErrorType<Error = io::Error>`: the object needs no name
        // for it).
        if model.assoc_types.iter().any(|a| a.ident == ident) || bound_by(item, &ident) {
            continue;
        }
        match candidates.as_slice() {
            [supertrait] => push(model, names, without_bindings(supertrait), &ident),
            // No supertrait declares it: the compiler says so of the
            // user's own signature.
            [] => {}
            _ => {
                return Err(syn::Error::new(
                    ident.span(),
                    format!(
                        "`Self::{ident}` is an associated type of a supertrait, which the twin objects must name (`dyn {twin}<{ident} = ..>`): say which supertrait declares it, `#[dyn_twin(.., supertrait_types(Supertrait::{ident}))]`",
                        twin = opts.twin,
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether a supertrait binds `ident` (`ErrorType<Error = io::Error>`).
fn bound_by(item: &ItemTrait, ident: &syn::Ident) -> bool {
    item.supertraits.iter().any(|bound| match bound {
        TypeParamBound::Trait(t) => t.path.segments.iter().any(|segment| {
            matches!(&segment.arguments, syn::PathArguments::AngleBracketed(args)
                if args.args.iter().any(|a| matches!(a, syn::GenericArgument::AssocType(b) if b.ident == *ident)))
        }),
        _ => false,
    })
}

fn push(model: &mut Model, names: &mut Names, supertrait: Path, ident: &syn::Ident) {
    model.assoc_types.push(AssocType {
        ident: ident.clone(),
        item: syn::parse_quote!(type #ident;),
        param: names.assoc_param(ident),
        inherited: Some(supertrait),
    });
}

/// `Backend<Item = u8>` as `Backend`: its other bindings stay the user's.
fn without_bindings(path: &Path) -> Path {
    let mut path = path.clone();
    if let Some(last) = path.segments.last_mut() {
        if let syn::PathArguments::AngleBracketed(args) = &mut last.arguments {
            args.args = args
                .args
                .iter()
                .filter(|a| !matches!(a, syn::GenericArgument::AssocType(_)))
                .cloned()
                .collect();
            if args.args.is_empty() {
                last.arguments = syn::PathArguments::None;
            }
        }
    }
    path
}

/// The `X` of every `Self::X`, once each, in order.
struct SelfTypes(Vec<syn::Ident>);

impl<'ast> Visit<'ast> for SelfTypes {
    fn visit_type_path(&mut self, ty: &'ast syn::TypePath) {
        let segments = &ty.path.segments;
        if ty.qself.is_none() && segments.len() >= 2 && segments[0].ident == "Self" {
            let ident = &segments[1].ident;
            if !self.0.contains(ident) {
                self.0.push(ident.clone());
            }
        }
        syn::visit::visit_type_path(self, ty);
    }
}
