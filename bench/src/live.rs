//! The live screen benchmark: how many push-channel viewers one server holds,
//! and how long a host's draw takes to reach the last of them.
//!
//! The real server (`TestApp`) on loopback; each viewer is a raw TCP
//! connection that writes the SSE request and reads lines (cheaper than an
//! HTTP client, so the clients leave the two cores to the server). All
//! viewers connect and get their first `pool` event (subscribed); then the
//! host starts (every viewer sees `rolling`) and, at t₀, stops: a viewer's
//! figure is the time from t₀ until it read `event: winners`. A run with
//! `--baseline` viewers in the same process gives the ratio.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use huodong_tests::TestApp;
use huodong_tests::db::Backend;
use huodong_tests::open::now;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Notify, mpsc};

/// What the viewers of one activity saw over the rounds.
struct Fanout {
    viewers: usize,
    /// Per round, each viewer's receive time after t₀, ms (sorted).
    rounds: Vec<Vec<f64>>,
    /// The host's stop request, answered, ms, per round.
    stop_ms: Vec<f64>,
}

impl Fanout {
    fn all(&self) -> Vec<f64> {
        let mut all: Vec<f64> = self.rounds.iter().flatten().copied().collect();
        all.sort_by(f64::total_cmp);
        all
    }

    /// The median over rounds of the last viewer's time.
    fn last_ms(&self) -> f64 {
        let mut last: Vec<f64> = self
            .rounds
            .iter()
            .map(|r| r.last().copied().unwrap_or(0.0))
            .collect();
        last.sort_by(f64::total_cmp);
        last[last.len() / 2]
    }
}

fn pct(sorted: &[f64], q: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

/// The soft limit on open files, from /proc (Linux).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One viewer: connects, subscribes (then lets the next one connect: the
/// listen backlog is finite), then reports when it reads each
/// `event: winners` (and counts `event: rolling`).
async fn viewer(
    permit: tokio::sync::OwnedSemaphorePermit,
    addr: std::net::SocketAddr,
    path: String,
    subscribed: Arc<AtomicUsize>,
    rolling: Arc<AtomicUsize>,
    ready: Arc<Notify>,
    winners: mpsc::UnboundedSender<Instant>,
) -> anyhow::Result<()> {
    let mut stream = TcpStream::connect(addr).await.context("connect")?;
    stream
        .write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nConnection: keep-alive\r\n\r\n"
            )
            .as_bytes(),
        )
        .await?;
    let mut lines = BufReader::new(stream).lines();
    let mut permit = Some(permit);
    while let Some(line) = lines.next_line().await? {
        match line.as_str() {
            "event: pool" if permit.is_some() => {
                permit = None;
                subscribed.fetch_add(1, Ordering::Relaxed);
                ready.notify_one();
            }
            "event: rolling" => {
                rolling.fetch_add(1, Ordering::Relaxed);
                ready.notify_one();
            }
            "event: winners" => {
                let _ = winners.send(Instant::now());
            }
            _ => {}
        }
    }
    Ok(())
}

async fn wait_until(
    counter: &AtomicUsize,
    target: usize,
    ready: &Notify,
    what: &str,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    while counter.load(Ordering::Relaxed) < target {
        if Instant::now() > deadline {
            bail!(
                "only {} of {target} viewers {what} after 120 s",
                counter.load(Ordering::Relaxed)
            );
        }
        let _ = tokio::time::timeout(Duration::from_millis(50), ready.notified()).await;
    }
    Ok(())
}

/// `viewers` viewers of a new activity; `rounds` draws.
async fn fanout(app: &TestApp, viewers: usize, rounds: usize) -> anyhow::Result<Fanout> {
    let id = app
        .published(json!({
            "template": "live", "title": format!("大屏 {viewers}"),
            "starts_at": now() - 60, "ends_at": now() + 86_400,
            "prizes": [{"name": "红包", "kind": "points", "points": 8, "stock": 100_000}],
            "rules": {"live": {"allow_repeat_winners": true}}
        }))
        .await;
    let host = app.open_ok("live/host", json!({"activity_id": id})).await;
    let token = host["token"].as_str().context("token")?.to_owned();
    for n in 0..20 {
        app.login(&id, &format!("bench-live-{n}")).await;
    }
    let path = format!("/api/v1/live/{id}/stream");
    let subscribed = Arc::new(AtomicUsize::new(0));
    let rolling = Arc::new(AtomicUsize::new(0));
    let ready = Arc::new(Notify::new());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let connecting = Arc::new(tokio::sync::Semaphore::new(256));
    let started = Instant::now();
    for _ in 0..viewers {
        let (subscribed, rolling, ready, tx) = (
            subscribed.clone(),
            rolling.clone(),
            ready.clone(),
            tx.clone(),
        );
        let (path, addr, connecting) = (path.clone(), app.addr, connecting.clone());
        tokio::spawn(async move {
            let Ok(permit) = connecting.acquire_owned().await else {
                return;
            };
            if let Err(err) = viewer(permit, addr, path, subscribed, rolling, ready, tx).await {
                eprintln!("viewer: {err:#}");
            }
        });
    }
    drop(tx);
    wait_until(&subscribed, viewers, &ready, "subscribed").await?;
    let connect_s = started.elapsed().as_secs_f64();
    let mut fan = Fanout {
        viewers,
        rounds: Vec::new(),
        stop_ms: Vec::new(),
    };
    for round in 1..=rounds {
        let (_, start) = app
            .post_json(
                &format!("/api/v1/live/{id}/start"),
                Some(&token),
                &json!({"count": 5}),
            )
            .await;
        anyhow::ensure!(start["code"] == 0, "start: {start}");
        wait_until(&rolling, viewers * round, &ready, "saw rolling").await?;
        // Let the rolling frames settle before the clock starts.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let t0 = Instant::now();
        let (_, stop) = app
            .post_json(&format!("/api/v1/live/{id}/stop"), Some(&token), &json!({}))
            .await;
        fan.stop_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(stop["code"] == 0, "stop: {stop}");
        let mut times = Vec::with_capacity(viewers);
        while times.len() < viewers {
            let at = tokio::time::timeout(Duration::from_secs(60), rx.recv())
                .await
                .context("viewers waiting for winners after 60 s")?
                .context("the viewers ended")?;
            times.push(at.saturating_duration_since(t0).as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        fan.rounds.push(times);
    }
    println!(
        "live: {viewers} viewers connected and subscribed in {connect_s:.1} s; stop answered in {:?} ms",
        fan.stop_ms
            .iter()
            .map(|m| (m * 10.0).round() / 10.0)
            .collect::<Vec<_>>()
    );
    Ok(fan)
}

/// `huodong-bench live`.
pub async fn run(
    viewers: usize,
    baseline: usize,
    rounds: usize,
    postgres: bool,
) -> anyhow::Result<()> {
    let need = (2 * (viewers + baseline) + 512) as u64;
    if let Some(limit) = open_files_limit()
        && limit < need
    {
        bail!(
            "{viewers} viewers need about {need} open files in this process (server and clients); \
             the limit is {limit}: raise it with `ulimit -n {need}`"
        );
    }
    let backend = if postgres {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let app = TestApp::spawn_on(backend).await;
    let rounds = rounds.max(1);
    let small = fanout(&app, baseline, rounds).await?;
    let big = fanout(&app, viewers, rounds).await?;
    let report = |name: &str, f: &Fanout| {
        let all = f.all();
        println!(
            "BENCH {name}={:.1}/{:.1}/{:.1} ms",
            pct(&all, 0.5),
            pct(&all, 0.99),
            all.last().copied().unwrap_or(0.0)
        );
    };
    println!("BENCH live_viewers={} viewers", big.viewers);
    report("live_fanout_ms", &big);
    report(&format!("live_fanout_{}_ms", small.viewers), &small);
    println!(
        "BENCH live_fanout_{}_vs_{}={:.2} ratio",
        big.viewers,
        small.viewers,
        big.last_ms() / small.last_ms().max(0.001)
    );
    if let Some(mb) = rss_mb() {
        println!("BENCH live_rss_mb={mb:.0} MB");
    }
    Ok(())
}
