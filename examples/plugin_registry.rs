//! A plugin registry: four plugins with different future sizes behind one
//! `dyn` type, a mixed workload from many tasks on a multi-threaded tokio
//! runtime, then each plugin's statistics and the sizing report, which
//! show which plugin spilled to the heap and why.
//!
//! Run with `cargo run --release --example plugin_registry`.

use std::time::Instant;

use hybrid_dispatch::{Error, Registry, service_fn};

/// Every plugin takes a document and returns a line of output.
type Plugins = Registry<String, String>;

fn register_plugins(plugins: &Plugins) -> Result<(), Error> {
    // A ready future: a few words, no state machine at all.
    plugins.register("echo", service_fn(|doc: String| core::future::ready(doc)))?;

    // One await, holding only the document.
    plugins.register(
        "upper",
        service_fn(|doc: String| async move {
            tokio::task::yield_now().await;
            doc.to_uppercase()
        }),
    )?;

    // Holds a 64-byte digest state across an await: still fits 128 bytes.
    plugins.register(
        "checksum",
        service_fn(|doc: String| async move {
            let mut state = [0u8; 64];
            for (i, byte) in doc.bytes().enumerate() {
                state[i % 64] ^= byte;
            }
            tokio::task::yield_now().await;
            let sum: u32 = state.iter().map(|&b| u32::from(b)).sum();
            format!("{sum:08x}")
        }),
    )?;

    // Deliberately too large: renders into a 1 KiB page buffer that lives
    // across an await, so its future cannot fit the default 128 bytes and
    // every call allocates.
    plugins.register(
        "render",
        service_fn(|doc: String| async move {
            let mut page = [b' '; 1024];
            let len = doc.len().min(page.len());
            page[..len].copy_from_slice(&doc.as_bytes()[..len]);
            tokio::task::yield_now().await;
            let used = page.iter().filter(|&&b| b != b' ').count();
            format!("rendered {used} glyphs")
        }),
    )?;
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> Result<(), Error> {
    const TASKS: usize = 8;
    const CALLS_PER_TASK: usize = 5_000;

    let plugins = Plugins::new();
    register_plugins(&plugins)?;
    println!("plugins: {}\n", plugins.names().join(", "));

    // A mixed workload: each task resolves the hot plugins once (handles)
    // and calls the rest by name; the mix differs from task to task.
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let plugins = plugins.clone();
            tokio::spawn(async move {
                let echo = plugins.handle("echo")?;
                let upper = plugins.handle("upper")?;
                let mut bytes = 0;
                for i in 0..CALLS_PER_TASK {
                    let doc = format!("document {i} from task {task}");
                    let out = match (i + task) % 10 {
                        0..=3 => echo.call(doc).await,
                        4..=6 => upper.call(doc).await,
                        7 | 8 => plugins.call("checksum", doc)?.await,
                        _ => plugins.call("render", doc)?.await,
                    };
                    bytes += out.len();
                }
                Ok::<_, Error>(bytes)
            })
        })
        .collect();
    let mut output_bytes = 0;
    for task in tasks {
        output_bytes += task.await.expect("task panicked")?;
    }
    println!(
        "{} calls from {TASKS} tasks in {:.1?} ({output_bytes} bytes of output)\n",
        TASKS * CALLS_PER_TASK,
        started.elapsed()
    );

    // Bad input is an error value, not a panic.
    match plugins.call("translate", "hola".into()) {
        Err(err) => println!("calling an unknown plugin: {err}\n"),
        Ok(_) => unreachable!("no plugin is called translate"),
    }

    println!("per-plugin statistics:\n{}", plugins.stats());
    let sizing = plugins.sizing();
    println!("sizing report:\n{sizing}");
    for name in sizing.spilled() {
        let entry = sizing.get(name).expect("listed by the report");
        let stats = plugins.stats();
        let stats = stats.get(name).expect("registered");
        println!("{name} spilled: its future is {entry}.");
        println!(
            "  each of its {} calls allocated {} bytes ({} in total); to keep it inline, \
             hold its page in a Vec or use a capacity of at least {} bytes.",
            stats.calls,
            entry.future_layout().size(),
            stats.heap_bytes,
            entry.future_layout().size(),
        );
    }
    Ok(())
}
