//! Benchmarks. Each prints its headline figures as `BENCH name=value unit`
//! lines, with a ratio against a baseline from the same run or a fixed budget.
//!
//! `huodong-bench draws` drives the server over HTTP (see `load.rs`).
//! `huodong-bench bundle` measures the release bundle in `dist/` (run
//! `trunk build --release` first): wasm + JS glue + CSS, gzip -9 and brotli 11.
//! `huodong-bench first-render` times the first render of an activity in a
//! cold headless Chromium against a static page (see `render.rs`).
//! `huodong-bench live` holds thousands of live-screen push-channel viewers
//! and times a draw's fan-out to the last of them (see `live.rs`).

mod live;
mod load;
mod render;

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use huodong_server::assets::{brotli, gzip};

/// The whole runtime must stay under this many brotli bytes.
const BROTLI_BUDGET_BYTES: usize = 200 * 1024;

#[derive(Parser)]
#[command(about = "Benchmarks of the activity runtime")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Size of the release bundle, compressed as the server sends it.
    Bundle {
        /// The built bundle.
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
    },
    /// Draw throughput and latency over HTTP against a no-op endpoint, on
    /// SQLite and (unless --no-postgres) on PostgreSQL.
    Draws {
        /// Concurrent clients.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Seconds per run.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Skip PostgreSQL.
        #[arg(long)]
        no_postgres: bool,
    },
    /// Time to first render of an activity in a cold headless Chromium,
    /// against a static HTML page (needs the bundle and Chromium).
    FirstRender {
        /// Cold starts of each page.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Live screen push channel: viewers one server holds, and the time from
    /// the host's draw to the last viewer receiving it, against a baseline.
    Live {
        /// Viewers (raise `ulimit -n` to about twice this).
        #[arg(long, default_value_t = 5000)]
        viewers: usize,
        /// Viewers of the baseline run in the same process.
        #[arg(long, default_value_t = 100)]
        baseline: usize,
        /// Draws per run.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// On PostgreSQL instead of SQLite.
        #[arg(long)]
        postgres: bool,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Bundle { dist } => bundle(dist),
        Command::Draws {
            clients,
            seconds,
            no_postgres,
        } => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(load::run(clients, seconds, !no_postgres)),
        Command::FirstRender { runs } => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(render::run(runs.max(1))),
        Command::Live {
            viewers,
            baseline,
            rounds,
            postgres,
        } => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(live::run(viewers, baseline, rounds, postgres)),
    }
}

fn bundle(dist: PathBuf) -> anyhow::Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dist)
        .with_context(|| {
            format!(
                "reading {} (run `trunk build --release` first)",
                dist.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css")
            )
        })
        .collect();
    files.sort();
    if !files
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "wasm"))
    {
        bail!(
            "no .wasm in {}: run `trunk build --release` first",
            dist.display()
        );
    }
    let (mut raw, mut gz, mut br) = (0usize, 0usize, 0usize);
    let (mut wasm_gz, mut wasm_br) = (0usize, 0usize);
    for path in &files {
        let bytes = std::fs::read(path)?;
        let (g, b) = (gzip(&bytes).len(), brotli(&bytes).len());
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!(
            "{name:<48} raw {:>8} B  gzip {:>7} B  brotli {:>7} B",
            bytes.len(),
            g,
            b
        );
        raw += bytes.len();
        gz += g;
        br += b;
        if name.ends_with(".wasm") {
            wasm_gz += g;
            wasm_br += b;
        }
    }
    println!("BENCH wasm_gzip_bytes={gz} bytes");
    println!("BENCH wasm_brotli_bytes={br} bytes");
    println!("BENCH bundle_raw_bytes={raw} bytes");
    println!("BENCH wasm_only_gzip_bytes={wasm_gz} bytes");
    println!("BENCH wasm_only_brotli_bytes={wasm_br} bytes");
    println!(
        "BENCH bundle_brotli_vs_budget={:.3} ratio (budget {} bytes)",
        br as f64 / BROTLI_BUDGET_BYTES as f64,
        BROTLI_BUDGET_BYTES
    );
    Ok(())
}
