//! A server process killed with SIGKILL in the middle of a burst of draws:
//! every draw it answered is in the database after the restart (on SQLite it
//! answers only once the batch's commit is synced), nothing it did not finish
//! is half there (chances, draw numbers and stock agree with the draws
//! recorded), and a retry of an answered key gets the same draw back.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use huodong_tests::TestDb;
use huodong_tests::open::lottery;
use huodong_tests::process::ServerProcess;
use serde_json::json;

const PLAYERS: usize = 60;
const STOCK: i64 = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_burst_keeps_every_answered_draw_and_nothing_half_done() {
    let db = TestDb::create().await;
    let bin = Path::new(env!("CARGO_BIN_EXE_huodong-server"));
    let mut server = ServerProcess::start(bin, &db.url, true).await;
    let id = server
        .api
        .published(lottery(
            "断电抽奖",
            json!([{"name": "保温杯", "kind": "goods", "probability": 0.3, "stock": STOCK}]),
            json!({"chances_per_day": 1000}),
        ))
        .await;
    let mut tokens = Vec::with_capacity(PLAYERS);
    for n in 0..PLAYERS {
        tokens.push(server.api.login(&id, &format!("burst-{n}")).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (n, token) in tokens.iter().enumerate() {
        let (api, id, token, stop) = (server.api.clone(), id.clone(), token.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            // (key, draw id) of every draw answered.
            let mut answered = Vec::new();
            let mut k = 0;
            while !stop.load(Ordering::Relaxed) {
                let key = format!("p{n}-k{k}");
                k += 1;
                let sent = api
                    .client
                    .post(api.url(&format!("/api/v1/activities/{id}/draw")))
                    .bearer_auth(&token)
                    .json(&json!({ "idempotency_key": key }))
                    .send()
                    .await;
                // An error: the process is gone.
                let Ok(response) = sent else { break };
                let Ok(reply) = response.json::<serde_json::Value>().await else {
                    break;
                };
                assert_eq!(reply["code"], 0, "{reply}");
                answered.push((key, reply["result"]["draw_id"].clone()));
            }
            answered
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    server.kill();
    stop.store(true, Ordering::Relaxed);
    let mut answered = Vec::new();
    for (n, task) in tasks.into_iter().enumerate() {
        for (key, draw_id) in task.await.expect("task") {
            answered.push((n, key, draw_id.as_i64().expect("a draw id")));
        }
    }
    assert!(answered.len() > 100, "the burst drew: {}", answered.len());

    let ids: Vec<String> = answered.iter().map(|(_, _, d)| d.to_string()).collect();
    let kept = db
        .scalar(&format!(
            "SELECT COUNT(*) FROM draws WHERE id IN ({})",
            ids.join(",")
        ))
        .await;
    assert_eq!(kept, answered.len() as i64, "every answered draw is kept");
    let recorded = db.scalar("SELECT COUNT(*) FROM draws").await;
    assert!(recorded >= kept);
    let spent = db
        .scalar("SELECT CAST(COALESCE(SUM(draws_used), 0) AS BIGINT) FROM player_activity")
        .await;
    let numbered = db
        .scalar("SELECT CAST(COALESCE(SUM(draw_seq), 0) AS BIGINT) FROM player_activity")
        .await;
    assert_eq!(
        spent, recorded,
        "a chance spent for each draw recorded, no more"
    );
    assert_eq!(
        numbered, recorded,
        "a draw number for each draw recorded, no gap"
    );
    let left = db
        .scalar("SELECT stock_left FROM prizes WHERE name = '保温杯'")
        .await;
    let won = db
        .scalar("SELECT COUNT(*) FROM draws d JOIN prizes p ON p.id = d.prize_id WHERE p.name = '保温杯'")
        .await;
    assert_eq!(
        left + won,
        STOCK,
        "stock left + prizes won = stock at start"
    );

    // After a restart, a retry of an answered key is that same draw.
    let restarted = ServerProcess::start(bin, &db.url, false).await;
    let (n, key, draw_id) = answered.last().expect("an answered draw").clone();
    let (_, reply) = restarted.api.draw(&tokens[n], &id, &key).await;
    assert_eq!(reply["code"], 0, "{reply}");
    assert_eq!(reply["result"]["draw_id"], draw_id);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM draws").await, recorded);
}
