//! `huodong-partner`: the reference partner server, for demos and manual tests.

use std::net::SocketAddr;

use clap::Parser;

/// A reference partner server implementing every callback of the runtime.
#[derive(Debug, Parser)]
#[command(name = "huodong-partner", version)]
struct Args {
    /// Address and port to listen on.
    #[arg(long, env = "PARTNER_LISTEN", default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// The app id the runtime knows this partner by.
    #[arg(long, env = "PARTNER_APP_ID", default_value = "demo")]
    app_id: String,
    /// The shared secret (the runtime's partner secret).
    #[arg(long, env = "PARTNER_SECRET", default_value = "demo-secret-change-me")]
    secret: String,
    /// Points a new user starts with.
    #[arg(long, env = "PARTNER_STARTING_BALANCE", default_value_t = 1_000)]
    starting_balance: i64,
    /// The runtime's public URL (for the login page's tickets).
    #[arg(long, env = "PARTNER_RUNTIME_URL")]
    runtime_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let options = huodong_partner::Options {
        app_id: args.app_id.clone(),
        secret: args.secret,
        starting_balance: args.starting_balance,
        runtime_url: args.runtime_url,
    };
    let running = huodong_partner::spawn(args.listen, &options).await?;
    tracing::info!(url = %running.url(), app_id = %args.app_id, "reference partner listening");
    println!(
        "reference partner for app_id {} at {}",
        args.app_id,
        running.url()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
