//! The draw benchmark: the real server over HTTP on loopback, many concurrent
//! clients, a no-op endpoint as the baseline measured in the same run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use huodong_tests::db::Backend;
use huodong_tests::open::lottery;
use huodong_tests::{Api, TestApp};
use serde_json::{Value, json};

/// What one run measured.
pub struct Figures {
    /// Requests answered per second.
    pub rps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Answers that were not success.
    pub errors: u64,
    /// CPU time of the whole process (server and clients) per answer, µs.
    pub cpu_us: f64,
    /// Share of the machine's cores busy during the run.
    pub busy: f64,
}

/// CPU time this process has used (user + system), seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15; `rest` starts at field 3.
    (ticks(11) + ticks(12)) / 100.0
}

/// Runs `request` from `clients` concurrent loops for `duration`.
async fn drive<F, Fut>(clients: usize, duration: Duration, request: F) -> Figures
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let counter = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let cpu_at_start = cpu_seconds();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (request, counter, errors) = (request.clone(), counter.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if !request(n).await {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                latencies.push(t.elapsed().as_micros() as u64);
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap_or_default());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_at_start;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    all.sort_unstable();
    let pct = |q: f64| {
        all.get(((all.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    Figures {
        rps: all.len() as f64 / elapsed,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        errors: errors.load(Ordering::Relaxed),
        cpu_us: cpu * 1e6 / all.len().max(1) as f64,
        busy: cpu / elapsed / cores,
    }
}

fn print(name: &str, f: &Figures, baseline: Option<&Figures>) {
    println!("BENCH {name}_rps={:.0} req/s", f.rps);
    println!("BENCH {name}_p50={:.2} ms", f.p50_ms);
    println!("BENCH {name}_p99={:.2} ms", f.p99_ms);
    println!("BENCH {name}_cpu_per_req={:.1} us", f.cpu_us);
    println!("BENCH {name}_cpu_busy={:.2} ratio", f.busy);
    if f.errors > 0 {
        println!("BENCH {name}_errors={} count", f.errors);
    }
    if let Some(b) = baseline {
        println!("BENCH {name}_vs_noop={:.3} ratio", f.rps / b.rps);
    }
}

async fn ping(api: Api, clients: usize, duration: Duration) -> Figures {
    let url = api.url("/api/v1/ping");
    drive(clients, duration, move |_| {
        let (client, url) = (api.client.clone(), url.clone());
        async move { matches!(client.get(&url).send().await, Ok(r) if r.status().is_success()) }
    })
    .await
}

/// Draws in activity `id` by `tokens`' players; prints the figures as
/// `name` (and the writer's batches, on SQLite).
async fn draws(
    name: &str,
    api: Api,
    id: String,
    tokens: Arc<Vec<String>>,
    load: Load<'_>,
) -> Figures {
    let before = batch_totals(&api).await;
    let figures = drive(load.clients, load.duration, {
        let api = api.clone();
        move |n| {
            let (api, id, tokens) = (api.clone(), id.clone(), tokens.clone());
            async move {
                // As lean as the no-op's client: the body written as text, the
                // answer checked for the envelope's success code unparsed.
                let token = &tokens[(n as usize) % tokens.len()];
                let sent = api
                    .client
                    .post(api.url(&format!("/api/v1/activities/{id}/draw")))
                    .bearer_auth(token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(format!(r#"{{"idempotency_key":"bench-{n}"}}"#))
                    .send()
                    .await;
                match sent {
                    Ok(response) => matches!(response.bytes().await,
                        Ok(body) if body.starts_with(br#"{"code":0,"#)),
                    Err(_) => false,
                }
            }
        }
    })
    .await;
    print(name, &figures, load.noop);
    print_batches(name, before, batch_totals(&api).await);
    figures
}

/// How hard to drive, and the no-op figures to compare with.
#[derive(Clone, Copy)]
struct Load<'a> {
    clients: usize,
    duration: Duration,
    noop: Option<&'a Figures>,
}

/// The SQLite draw writer's totals from `/metrics`: batches, draws, seconds
/// in statements, seconds committing, syncs, seconds syncing.
async fn batch_totals(api: &Api) -> [f64; 6] {
    let text = match api.client.get(api.url("/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    [
        value("huodong_draw_batch_size_count"),
        value("huodong_draw_batch_size_sum"),
        value("huodong_draw_batch_statements_seconds_sum"),
        value("huodong_draw_batch_commit_seconds_sum"),
        value("huodong_draw_batch_sync_seconds_count"),
        value("huodong_draw_batch_sync_seconds_sum"),
    ]
}

/// Prints what the writer's batches looked like between two totals.
fn print_batches(name: &str, before: [f64; 6], after: [f64; 6]) {
    let [batches, draws, statements, commit, syncs, sync] =
        std::array::from_fn::<f64, 6, _>(|i| after[i] - before[i]);
    if batches < 1.0 {
        return;
    }
    println!("BENCH {name}_batch_size={:.1} draws", draws / batches);
    println!(
        "BENCH {name}_batch_statements={:.1} us/draw",
        statements * 1e6 / draws.max(1.0)
    );
    println!("BENCH {name}_batch_commit={:.0} us", commit * 1e6 / batches);
    println!("BENCH {name}_sync={:.0} us", sync * 1e6 / syncs.max(1.0));
    println!(
        "BENCH {name}_batches_per_sync={:.2} batches",
        batches / syncs.max(1.0)
    );
}

async fn activity(app: &TestApp, title: &str, prizes: Value) -> String {
    app.published(lottery(title, prizes, json!({"chances_per_day": 1000})))
        .await
}

async fn players(app: &TestApp, id: &str, n: usize) -> Arc<Vec<String>> {
    let mut tokens = Vec::with_capacity(n);
    for i in 0..n {
        tokens.push(app.login(id, &format!("bench-{i}")).await);
    }
    Arc::new(tokens)
}

/// One backend: hot prize with small stock, unlimited prize, and (a hot row)
/// a prize every draw takes from.
async fn backend(
    name: &str,
    backend: Backend,
    clients: usize,
    duration: Duration,
    noop: Option<&Figures>,
) -> Figures {
    let app = TestApp::spawn_on(backend).await;
    let users = 300;
    let hot = activity(
        &app,
        "热门小库存",
        json!([{"name": "大奖", "kind": "goods", "probability": 0.5, "stock": 10}]),
    )
    .await;
    let tokens = players(&app, &hot, users).await;
    let load = Load {
        clients,
        duration,
        noop,
    };
    let hot_figures = draws(
        &format!("draw_{name}_hot"),
        app.api.clone(),
        hot.clone(),
        tokens,
        load,
    )
    .await;
    let left = app
        .scalar("SELECT stock_left FROM prizes WHERE name = '大奖'")
        .await;
    let won = app
        .scalar(
            "SELECT COUNT(*) FROM draws d JOIN prizes p ON p.id = d.prize_id WHERE p.name = '大奖'",
        )
        .await;
    println!(
        "BENCH draw_{name}_oversold={} count",
        (won + left - 10).max(0)
    );

    let open = activity(
        &app,
        "不限量",
        json!([{"name": "积分", "kind": "points", "points": 1, "probability": 0.5}]),
    )
    .await;
    let tokens = players(&app, &open, users).await;
    draws(
        &format!("draw_{name}_unlimited"),
        app.api.clone(),
        open,
        tokens,
        load,
    )
    .await;

    let row = activity(
        &app,
        "热点行",
        json!([{"name": "人人有份", "kind": "goods", "probability": 1.0, "stock": 1_000_000_000}]),
    )
    .await;
    let tokens = players(&app, &row, users).await;
    let row_figures = draws(
        &format!("draw_{name}_hot_row"),
        app.api.clone(),
        row,
        tokens,
        load,
    )
    .await;
    if backend == Backend::Postgres {
        // The same hot row without stock slots: one `UPDATE prizes SET
        // stock_left = stock_left - 1 WHERE … stock_left > 0` per draw.
        drop(app);
        let single = TestApp::spawn_on_with(backend, |config| config.stock_slots = 0).await;
        let row = activity(
            &single,
            "热点行",
            json!([{"name": "人人有份", "kind": "goods", "probability": 1.0, "stock": 1_000_000_000}]),
        )
        .await;
        let tokens = players(&single, &row, users).await;
        let single_figures = draws(
            &format!("draw_{name}_hot_row_single"),
            single.api.clone(),
            row,
            tokens,
            load,
        )
        .await;
        println!(
            "BENCH draw_{name}_hot_row_slots_vs_single={:.2} ratio",
            row_figures.rps / single_figures.rps.max(1.0)
        );
    }
    hot_figures
}

/// Runs the whole benchmark.
pub async fn run(clients: usize, seconds: u64, postgres: bool) -> anyhow::Result<()> {
    let duration = Duration::from_secs(seconds);
    println!(
        "# {clients} concurrent clients, {seconds} s per run, server and clients in one process on loopback"
    );
    let app = TestApp::spawn_on(Backend::Sqlite).await;
    let noop = ping(app.api.clone(), clients, duration).await;
    print("noop", &noop, None);
    drop(app);
    backend("sqlite", Backend::Sqlite, clients, duration, Some(&noop)).await;
    if postgres {
        backend("pg", Backend::Postgres, clients, duration, Some(&noop)).await;
    }
    Ok(())
}
