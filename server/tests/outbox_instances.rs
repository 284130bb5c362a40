//! Three server processes on one database deliver the outbox together: every
//! event arrives, and each row is taken by one worker at a time (`FOR UPDATE
//! SKIP LOCKED` on PostgreSQL, the single write lock on SQLite), so a healthy
//! partner sees each event posted exactly once.

use std::path::Path;

use huodong_partner::Mode;
use huodong_shared::partner::Callback;
use huodong_tests::TestDb;
use huodong_tests::open::lottery;
use huodong_tests::partner::{configure, eventually};
use huodong_tests::process::ServerProcess;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_deliver_each_event_once() {
    let db = TestDb::create().await;
    let bin = Path::new(env!("CARGO_BIN_EXE_huodong-server"));
    let first = ServerProcess::start(bin, &db.url, true).await;
    let second = ServerProcess::start(bin, &db.url, false).await;
    let third = ServerProcess::start(bin, &db.url, false).await;
    let servers = [&first.api, &second.api, &third.api];
    let partner = huodong_partner::spawn(([127, 0, 0, 1], 0).into(), &Default::default())
        .await
        .expect("partner");
    // Slow acknowledgements keep rows in flight while other workers poll.
    partner
        .partner
        .ledger()
        .set_mode(Callback::Events, Mode::Hang { ms: 30 }, None);
    configure(&first.api, &partner, 2_000).await;
    let id = first
        .api
        .published(lottery(
            "多实例推送",
            json!([{"name": "纪念徽章", "kind": "goods", "probability": 0.2, "stock": 1000}]),
            json!({"chances_per_day": 5}),
        ))
        .await;
    let mut tasks = Vec::new();
    for n in 0..12 {
        let api = servers[n % 3].clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let token = api.login(&id, &format!("many-{n}")).await;
            for k in 0..5 {
                let (_, reply) = api.draw(&token, &id, &format!("k{k}")).await;
                assert_eq!(reply["code"], 0, "{reply}");
            }
        }));
    }
    for task in tasks {
        task.await.expect("player");
    }
    eventually("every event delivered", 60, || async {
        db.scalar("SELECT COUNT(*) FROM outbox WHERE status <> 'done'")
            .await
            == 0
    })
    .await;
    let rows = db.scalar("SELECT COUNT(*) FROM outbox").await;
    let wins = db
        .scalar("SELECT COUNT(*) FROM draws WHERE prize_id IS NOT NULL")
        .await;
    assert_eq!(rows, 12 + 60 + wins);
    let ledger = partner.partner.ledger();
    assert_eq!(ledger.events.len() as i64, rows);
    assert_eq!(ledger.event_posts as i64, rows, "an event was posted twice");
}
