//! Headless Chromium through ChromeDriver, for tests that look at the page.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

/// A ChromeDriver child process and a browser session on it; both end on drop.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn find(binary: &str, fallbacks: &[&str]) -> String {
    if let Ok(path) = std::env::var(format!("HUODONG_{}", binary.to_uppercase())) {
        return path;
    }
    fallbacks
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| (*p).to_owned())
        .unwrap_or_else(|| {
            panic!(
                "{binary} is not installed: scripts/test.sh installs chromium and chromium-driver"
            )
        })
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with a fresh profile, with a
    /// window of `width`×`height` CSS pixels. Chromium's window is never
    /// narrower than 500 pixels, and its page is shorter than the window:
    /// [`Browser::phone`] gives the page an exact size.
    pub async fn start(width: u32, height: u32) -> Browser {
        Browser::launch(width, height, None).await
    }

    /// As [`Browser::start`], with the page emulating a phone's screen of
    /// exactly `width`×`height` CSS pixels (device pixel ratio 1).
    pub async fn phone(width: u32, height: u32) -> Browser {
        let metrics = serde_json::json!({
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0, "touch": false}
        });
        Browser::launch(width.max(500), height + 200, Some(metrics)).await
    }

    async fn launch(width: u32, height: u32, emulation: Option<serde_json::Value>) -> Browser {
        let driver_path = find("chromedriver", &["/usr/bin/chromedriver"]);
        let chromium = find("chromium", &["/usr/bin/chromium"]);
        let port = free_port();
        // Its own process group, so dropping the browser ends Chromium too.
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        if let Some(emulation) = emulation {
            caps["goog:chromeOptions"]["mobileEmulation"] = emulation;
        }
        let caps = match caps {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("capabilities are an object"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(err) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => panic!("no WebDriver session after 20 s: {err}"),
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Saves a PNG screenshot under `target/screenshots/` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = crate::workspace_root().join("target").join("screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        let path = path.canonicalize().unwrap_or(path);
        println!("screenshot saved: {}", path.display());
        path
    }

    /// Ends the browser session (the driver ends on drop).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // ChromeDriver and the Chromium processes it started share its group.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
