//! The attribute's arguments: `#[dyn_twin(DynPlugin, send = SendDynPlugin,
//! inline_only, assert_inline, try_methods, bridge = false, crate = ::path,
//! supertwin(Named = DynNamed, send = SendDynNamed),
//! supertrait_types(ErrorType::Error))]`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitBool, Path, Token};

/// What the attribute was asked for.
pub(crate) struct Options {
    /// The local twin's name (`DynPlugin`).
    pub(crate) twin: Ident,
    /// The `Send + Sync` twin's name, when asked for (`send = SendDynPlugin`).
    pub(crate) send: Option<Ident>,
    /// Futures are stored inline or the build fails; no heap path, no slots,
    /// no `alloc`.
    pub(crate) inline_only: bool,
    /// Keep the heap fallback in the types, but fail the build when an
    /// implementor's future does not fit.
    pub(crate) assert_inline: bool,
    /// Generate `try_m_dyn` / `try_m_send`: calls that return an
    /// `AllocError` instead of aborting when the future's memory is refused.
    pub(crate) try_methods: bool,
    /// Generate the impls of the trait for the twin objects and for
    /// `Box`/`Arc`.
    pub(crate) bridge: bool,
    /// The path generated code names the library by.
    pub(crate) krate: TokenStream,
    /// Async supertraits with twins of their own, by the supertrait's name.
    pub(crate) supertwins: Vec<SuperTwinOption>,
    /// `supertrait_types(ErrorType::Error)`: associated types the supertraits declare
    /// (`embedded_io_async::Read: ErrorType` with `type Error`), which the
    /// twin objects name (`dyn DynRead<Error = E>`) and the attribute cannot
    /// see.
    pub(crate) supertrait_types: Vec<SupertraitType>,
}

/// `ErrorType::Error` in `supertrait_types(..)`: the supertrait as the
/// trait's header names it, and its associated type.
pub(crate) struct SupertraitType {
    pub(crate) supertrait: Path,
    pub(crate) ident: Ident,
}

impl Parse for SupertraitType {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        const SHAPE: &str =
            "write `supertrait_types(ErrorType::Error)`: the supertrait, then its associated type";
        let mut supertrait: Path = input
            .parse()
            .map_err(|err| syn::Error::new(err.span(), SHAPE))?;
        let last = supertrait.segments.pop().expect("a path has a segment");
        if supertrait.segments.is_empty() || !last.value().arguments.is_none() {
            return Err(syn::Error::new(last.value().ident.span(), SHAPE));
        }
        let ident = last.into_value().ident;
        // `ErrorType::` without the separator it leaves behind.
        let trailing = supertrait
            .segments
            .pop()
            .expect("a segment before the type");
        supertrait.segments.push(trailing.into_value());
        Ok(SupertraitType { supertrait, ident })
    }
}

/// `supertwin(Named = DynNamed, send = SendDynNamed)`: the supertrait
/// `Named` (itself under `#[dyn_twin]`) is carried by the twins as its
/// twins, `DynNamed` (and `SendDynNamed` by the `Send` twin).
pub(crate) struct SuperTwinOption {
    /// The supertrait's name, as written in the trait's header.
    pub(crate) supertrait: Ident,
    pub(crate) twin: Path,
    pub(crate) send: Option<Path>,
}

impl Parse for SuperTwinOption {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        const SHAPE: &str = "write `supertwin(Named = DynNamed)`, or `supertwin(Named = DynNamed, send = SendDynNamed)` for a `send` twin: the async supertrait, then its twins' names";
        let supertrait: Ident = input
            .parse()
            .map_err(|err| syn::Error::new(err.span(), SHAPE))?;
        // Missing parts are reported on the supertrait's name.
        input
            .parse::<Token![=]>()
            .map_err(|_| syn::Error::new(supertrait.span(), SHAPE))?;
        let twin: Path = input
            .parse()
            .map_err(|_| syn::Error::new(supertrait.span(), SHAPE))?;
        let mut send = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: Ident = input.parse()?;
            if key != "send" {
                return Err(syn::Error::new(key.span(), SHAPE));
            }
            input.parse::<Token![=]>()?;
            send = Some(input.parse()?);
        }
        if !input.is_empty() {
            return Err(input.error(SHAPE));
        }
        Ok(SuperTwinOption {
            supertrait,
            twin,
            send,
        })
    }
}

const KNOWN: &str = "`send = SendName`, `inline_only`, `assert_inline`, `try_methods`, `bridge = false`, `crate = path`, `supertwin(Super = DynSuper)`, `supertrait_types(ErrorType::Error)`";

impl Parse for Options {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                "#[dyn_twin] needs the twin's name: write `#[dyn_twin(DynPlugin)]` \
                 (and `send = SendDynPlugin` for the `Send + Sync` twin)",
            ));
        }
        let twin: Ident = input.parse().map_err(|err| {
            syn::Error::new(
                err.span(),
                "the first argument of #[dyn_twin] is the twin trait's name, e.g. `#[dyn_twin(DynPlugin)]`",
            )
        })?;
        let mut options = Options {
            twin,
            send: None,
            inline_only: false,
            assert_inline: false,
            try_methods: false,
            bridge: true,
            krate: quote!(::hybrid_dispatch),
            supertwins: Vec::new(),
            supertrait_types: Vec::new(),
        };
        let mut try_key: Option<Ident> = None;
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: Ident = if input.peek(Token![crate]) {
                let token: Token![crate] = input.parse()?;
                Ident::new("crate", token.span)
            } else {
                input.parse()?
            };
            match key.to_string().as_str() {
                "send" => {
                    input.parse::<Token![=]>()?;
                    options.send = Some(input.parse()?);
                }
                "inline_only" => options.inline_only = true,
                "assert_inline" => options.assert_inline = true,
                "try_methods" => {
                    options.try_methods = true;
                    try_key = Some(key.clone());
                }
                "bridge" => {
                    input.parse::<Token![=]>()?;
                    options.bridge = input.parse::<LitBool>()?.value;
                }
                "supertwin" => {
                    let content;
                    syn::parenthesized!(content in input);
                    let option: SuperTwinOption = content.parse()?;
                    if options
                        .supertwins
                        .iter()
                        .any(|s| s.supertrait == option.supertrait)
                    {
                        return Err(syn::Error::new(
                            option.supertrait.span(),
                            format!("`supertwin({} = …)` is given twice", option.supertrait),
                        ));
                    }
                    options.supertwins.push(option);
                }
                "supertrait_types" => {
                    let content;
                    syn::parenthesized!(content in input);
                    let types = content.parse_terminated(SupertraitType::parse, Token![,])?;
                    if types.is_empty() {
                        return Err(syn::Error::new(
                            key.span(),
                            "`supertrait_types(..)` lists the associated types the supertraits declare, e.g. `supertrait_types(ErrorType::Error)`",
                        ));
                    }
                    for t in types {
                        if options.supertrait_types.iter().any(|s| s.ident == t.ident) {
                            return Err(syn::Error::new(
                                t.ident.span(),
                                format!("`{}` is listed twice in `supertrait_types(..)`", t.ident),
                            ));
                        }
                        options.supertrait_types.push(t);
                    }
                }
                "crate" => {
                    input.parse::<Token![=]>()?;
                    let path: Path = input.parse()?;
                    options.krate = quote!(#path);
                }
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown #[dyn_twin] option `{other}`; the options are {KNOWN}"),
                    ));
                }
            }
        }
        if let Some(key) = try_key {
            let why = if options.inline_only {
                Some("`inline_only`: its futures are stored inline or the build fails")
            } else if options.assert_inline {
                Some("`assert_inline`: every implementor's future fits inline or the build fails")
            } else {
                None
            };
            if let Some(why) = why {
                return Err(syn::Error::new(
                    key.span(),
                    format!(
                        "`try_methods` adds calls that return an error when a future's memory is refused, but this twin's calls never allocate ({why}): drop `try_methods`"
                    ),
                ));
            }
        }
        if options.send.as_ref() == Some(&options.twin) {
            return Err(syn::Error::new(
                options.twin.span(),
                "the local twin and the `Send` twin need different names, e.g. `#[dyn_twin(DynPlugin, send = SendDynPlugin)]`",
            ));
        }
        Ok(options)
    }
}
