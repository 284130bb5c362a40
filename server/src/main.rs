//! The `huodong-server` binary: parse the configuration, open the database,
//! migrate, seed the demo if asked, serve until SIGINT or SIGTERM.

use clap::Parser;
use huodong_server::config::Config;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    huodong_server::telemetry::init(config.log_format);
    huodong_server::run(config).await
}
