//! The attribute's arguments: `#[dyn_twin(DynPlugin, send = SendDynPlugin,
//! inline_only, assert_inline, bridge = false, crate = ::path)]`.

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
    /// Generate the impls of the trait for the twin objects and for
    /// `Box`/`Arc`.
    pub(crate) bridge: bool,
    /// The path generated code names the library by.
    pub(crate) krate: TokenStream,
}

const KNOWN: &str =
    "`send = SendName`, `inline_only`, `assert_inline`, `bridge = false`, `crate = path`";

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
            bridge: true,
            krate: quote!(::hybrid_dispatch),
        };
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
                "bridge" => {
                    input.parse::<Token![=]>()?;
                    options.bridge = input.parse::<LitBool>()?.value;
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
        if options.send.as_ref() == Some(&options.twin) {
            return Err(syn::Error::new(
                options.twin.span(),
                "the local twin and the `Send` twin need different names, e.g. `#[dyn_twin(DynPlugin, send = SendDynPlugin)]`",
            ));
        }
        Ok(options)
    }
}
