//! The attribute's arguments: `#[dyn_twin(DynPlugin, send = SendDynPlugin,
//! inline_only, assert_inline, try_methods, bridge = false, crate = ::path,
//! supertwin(Named = DynNamed, send = SendDynNamed))]`.

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

const KNOWN: &str = "`send = SendName`, `inline_only`, `assert_inline`, `try_methods`, `bridge = false`, `crate = path`, `supertwin(Super = DynSuper)`";

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
