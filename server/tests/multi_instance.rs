//! Three server processes on one database: the rules hold across instances.
//! On PostgreSQL this is how a deployment scales out; on SQLite it shows that
//! several processes on one file keep the same guarantees.

use std::path::Path;

use huodong_tests::TestDb;
use huodong_tests::open::lottery;
use huodong_tests::process::ServerProcess;
use serde_json::json;

const USERS: usize = 500;
const STOCK: i64 = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_share_stock_and_limits_exactly() {
    let db = TestDb::create().await;
    let bin = Path::new(env!("CARGO_BIN_EXE_huodong-server"));
    // The first one migrates and seeds; then the other two join.
    let first = ServerProcess::start(bin, &db.url, true).await;
    let second = ServerProcess::start(bin, &db.url, true).await;
    let third = ServerProcess::start(bin, &db.url, false).await;
    let servers = [&first.api, &second.api, &third.api];

    let id = first
        .api
        .published(lottery(
            "三实例",
            json!([{"name": "大奖", "kind": "goods", "probability": 0.4, "stock": STOCK, "per_user_limit": 1}]),
            json!({"chances_per_day": 3}),
        ))
        .await;
    let mut tokens = Vec::with_capacity(USERS);
    for n in 0..USERS {
        tokens.push(servers[n % 3].login(&id, &format!("multi-{n}")).await);
    }
    let mut tasks = Vec::new();
    for (n, token) in tokens.iter().enumerate() {
        for k in 0..4 {
            // Each press goes to a different instance than the last.
            let api = servers[(n + k) % 3].clone();
            let (id, token) = (id.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                api.draw(&token, &id, &format!("k{k}")).await
            }));
        }
    }
    let (mut ok, mut refused, mut won) = (0, 0, 0);
    for task in tasks {
        let (status, reply) = task.await.expect("task");
        match reply["code"].as_i64() {
            Some(0) => {
                ok += 1;
                won += i64::from(reply["result"]["prize"]["name"] == "大奖");
            }
            Some(2004) => refused += 1,
            other => panic!("unexpected {status} {other:?}: {reply}"),
        }
    }
    assert_eq!((ok, refused), (USERS * 3, USERS));
    assert_eq!(won, STOCK);

    let pool = huodong_server::db::Db::connect(&db.url, 2)
        .await
        .expect("connect");
    let (left, awarded, over): (i64, i64, i64) = huodong_server::on_db!(&pool, p => {
        let left: i64 = sqlx::query_scalar("SELECT stock_left FROM prizes WHERE name = '大奖'").fetch_one(p).await.expect("left");
        let awarded: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM draws d JOIN prizes z ON z.id = d.prize_id WHERE z.name = '大奖'",
        )
        .fetch_one(p)
        .await
        .expect("awarded");
        let over: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT player_id FROM draws GROUP BY activity_id, player_id HAVING COUNT(*) > 3) x",
        )
        .fetch_one(p)
        .await
        .expect("over");
        (left, awarded, over)
    });
    assert_eq!(left + awarded, STOCK);
    assert_eq!(left, 0);
    assert_eq!(over, 0, "no user drew more than three times");
    pool.close().await;
}
