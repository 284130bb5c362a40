//! The server as a child process, for multi-instance and crash tests.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Api;

/// A running `huodong-server` process; killed on drop.
pub struct ServerProcess {
    /// A client for it.
    pub api: Api,
    child: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl ServerProcess {
    /// Starts `bin` on `database_url` and waits until `/healthz` answers.
    pub async fn start(bin: &Path, database_url: &str, seed_demo: bool) -> ServerProcess {
        ServerProcess::start_with(bin, database_url, seed_demo, &[]).await
    }

    /// As [`ServerProcess::start`], with extra command-line flags.
    pub async fn start_with(
        bin: &Path,
        database_url: &str,
        seed_demo: bool,
        extra: &[&str],
    ) -> ServerProcess {
        let port = free_port();
        let mut command = Command::new(bin);
        command
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database-url")
            .arg(database_url)
            .arg("--dist-dir")
            .arg("/nonexistent")
            // Load tests send everything from one address.
            .args(["--draw-rate-per-user", "0", "--draw-rate-per-ip", "0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if seed_demo {
            command.arg("--seed-demo");
        }
        command.args(extra);
        let child = command.spawn().expect("server process starts");
        let server = ServerProcess {
            api: Api::new(format!("http://127.0.0.1:{port}")),
            child,
        };
        let started = Instant::now();
        loop {
            if let Ok(response) = server
                .api
                .client
                .get(server.api.url("/healthz"))
                .send()
                .await
                && response.status().is_success()
            {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server on port {port} did not come up"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the process at once (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
