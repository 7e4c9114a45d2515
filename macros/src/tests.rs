//! Pinned expansions: each `tests/expand/NAME.rs` (a trait with its
//! `#[dyn_twin(..)]` attribute) expands, formatted, to
//! `tests/expand/NAME.expanded.rs`, so a change to the generated items shows
//! in review as a diff of that file. Re-pin after an intended change with
//! `HYBRID_DISPATCH_BLESS=1 cargo test -p hybrid-dispatch-macros`.

use std::path::Path;

use quote::ToTokens;

/// The attribute's arguments and the trait, from a case file.
fn read_case(path: &Path) -> (proc_macro2::TokenStream, syn::ItemTrait) {
    let source = std::fs::read_to_string(path).expect("case file");
    let mut item: syn::ItemTrait = syn::parse_str(&source).expect("a trait");
    let attr = item.attrs.remove(0);
    let args = match attr.meta {
        syn::Meta::List(list) => list.tokens,
        _ => panic!("#[dyn_twin(..)] with arguments"),
    };
    (args, item)
}

fn expand_case(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let (args, item) = read_case(&dir.join(format!("{name}.rs")));
    let options: crate::options::Options = syn::parse2(args).expect("options");
    let expanded = crate::twin::expand(&options, item);
    let file: syn::File = syn::parse2(expanded.into_token_stream()).expect("items");
    let pretty = prettyplease::unparse(&file);
    let pinned = dir.join(format!("{name}.expanded.rs"));
    if std::env::var_os("HYBRID_DISPATCH_BLESS").is_some() {
        std::fs::write(&pinned, &pretty).expect("write the pinned expansion");
    }
    let expected = std::fs::read_to_string(&pinned).unwrap_or_default();
    assert!(
        expected == pretty,
        "the expansion of tests/expand/{name}.rs changed; review it and re-pin with HYBRID_DISPATCH_BLESS=1:\n{pretty}"
    );
    pretty
}

#[test]
fn plugin_expansion_is_pinned() {
    let pretty = expand_case("plugin");
    // The hook is added to the user's trait, hidden.
    assert!(pretty.contains("fn __dyn_twin_observe("));
    assert!(pretty.contains("impl<'dyn_twin, Cap: ::hybrid_dispatch::__private::Capacity> Plugin"));
}

#[test]
fn send_expansion_is_pinned() {
    let pretty = expand_case("job_send");
    // The trait's futures are declared `Send`; default bodies become
    // `async move` blocks.
    assert!(pretty.contains("+ ::core::marker::Send"));
    assert!(pretty.contains("async move"));
    assert!(pretty.contains("pub trait SendDynJob"));
}

#[test]
fn inline_only_expansion_needs_no_alloc() {
    let pretty = expand_case("tiny_inline_only");
    for alloc_only in [
        "InlineFuture<",
        "FutureSlot",
        "Box",
        "Arc",
        "CountedTwin",
        "TwinOf",
        "handle_erasure",
    ] {
        assert!(
            !pretty.contains(alloc_only),
            "an inline_only expansion names `{alloc_only}`, which needs `alloc`"
        );
    }
    assert!(pretty.contains("InlineOnlyFuture"));
}

#[test]
fn try_methods_expansion_is_pinned() {
    let pretty = expand_case("store_try");
    // Each future-returning method gets its `try_` calls, the boxed
    // receiver none; the arguments come in the caller's `Option`.
    for name in [
        "try_load_dyn",
        "try_load_send",
        "try_flush_dyn",
        "try_stat_send",
    ] {
        assert!(pretty.contains(&format!("fn {name}")), "{name}");
    }
    assert!(!pretty.contains("try_close"));
    assert!(pretty.contains("(&'life1 str, ::hybrid_dispatch::__private::Held<'fut, Page>)"));
    // Without the option, none (the other pinned cases).
    assert!(!expand_case("plugin").contains("try_"));
}

#[test]
fn precise_capture_expansion_is_pinned() {
    let pretty = expand_case("archive_capture");
    // In the impls, `Self` in `use<..>` is what the self type is made of:
    // the object's parameters in the bridge, the implementor in the
    // counting wrapper.
    assert!(pretty.contains("use<'_, 'dyn_twin, Cap>"));
    assert!(pretty.contains("use<'a, 'b, 'dyn_twin, Cap>"));
    assert!(pretty.contains("use<'_, Implementor>"));
    // `use<'_, Self>`: the future lives for the receiver's borrow, not the
    // key's.
    assert!(pretty.contains("fn len_of_send<'life0, 'life1>("));
}

#[test]
fn supertrait_types_expansion_is_pinned() {
    let pretty = expand_case("read_supertype");
    // `Self::Error` is `ErrorType`'s (the one supertrait): the objects name
    // it, the impls on them assume the object implements `ErrorType` with
    // it, and the counting wrapper's is the implementor's.
    assert!(
        pretty.contains(
            "dyn SendDynRead<Cap, Error = Error_> + 'dyn_twin: ErrorType<Error = Error_>"
        )
    );
    assert!(pretty.contains(">: ErrorType<Error = <Implementor as ErrorType>::Error>"));
    assert!(!pretty.contains("type Error"));
}

#[test]
fn generated_code_has_no_unsafe() {
    for name in [
        "plugin",
        "job_send",
        "tiny_inline_only",
        "store_try",
        "archive_capture",
    ] {
        assert!(!expand_case(name).contains("unsafe"), "{name}");
    }
}

#[test]
fn stream_expansion_is_pinned() {
    let pretty = expand_case("log_stream");
    // Erased into the stream storage, with no slot variant.
    assert!(pretty.contains("InlineStream<"));
    assert!(!pretty.contains("lines_in"));
}

#[test]
fn supertwin_expansion_is_pinned() {
    let pretty = expand_case("greeter_supertwin");
    // The twins carry the supertrait's twins, the other supertraits as
    // written; no bridge (it would need `Named` for the object).
    assert!(pretty.contains(">: DynNamed<Cap> + Send {"));
    assert!(pretty.contains("+ ::core::marker::Sync + SendDynNamed<Cap> {"));
    assert!(!pretty.contains("Greeter for dyn"));
    assert!(pretty.contains("__private::Joined<"));
}
