//! Correctness under load: many players drawing at once on a hot prize.

use std::sync::Arc;

use huodong_tests::TestApp;
use huodong_tests::open::lottery;
use serde_json::json;

const USERS: usize = 500;
const DRAWS_PER_USER: usize = 4;
const STOCK: i64 = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_concurrent_draws_never_oversell_or_exceed_a_limit() {
    let app = Arc::new(TestApp::spawn().await);
    let id = app
        .published(lottery(
            "压力测试",
            json!([
                {"name": "一等奖", "kind": "goods", "probability": 0.5, "stock": STOCK, "per_user_limit": 1},
                {"name": "积分", "kind": "points", "points": 1, "probability": 0.5}
            ]),
            json!({"chances_per_day": 3, "chances_total": 3}),
        ))
        .await;
    let mut tokens = Vec::with_capacity(USERS);
    for n in 0..USERS {
        tokens.push(app.login(&id, &format!("load-{n}")).await);
    }
    // Every user presses four times at once: one press more than allowed.
    let mut tasks = Vec::with_capacity(USERS * DRAWS_PER_USER);
    for token in &tokens {
        for k in 0..DRAWS_PER_USER {
            let (app, id, token) = (app.clone(), id.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                app.draw(&token, &id, &format!("press-{k}")).await
            }));
        }
    }
    let (mut ok, mut no_chance, mut won) = (0, 0, 0);
    for task in tasks {
        let (status, reply) = task.await.expect("task");
        match reply["code"].as_i64() {
            Some(0) => {
                ok += 1;
                if reply["result"]["prize"]["name"] == "一等奖" {
                    won += 1;
                }
            }
            Some(2004) => no_chance += 1,
            other => panic!("unexpected answer {status} {other:?}: {reply}"),
        }
    }
    assert_eq!(ok, USERS * 3, "each user drew exactly their three chances");
    assert_eq!(no_chance, USERS);
    assert_eq!(won, STOCK, "exactly the stock was won");
    let stock_left = app
        .scalar("SELECT stock_left FROM prizes WHERE name = '一等奖'")
        .await;
    let awarded = app
        .scalar("SELECT COUNT(*) FROM draws d JOIN prizes p ON p.id = d.prize_id WHERE p.name = '一等奖'")
        .await;
    assert_eq!(
        stock_left + awarded,
        STOCK,
        "stock left + prizes won = stock at start"
    );
    assert_eq!(stock_left, 0);
    let over_cap = app
        .scalar(
            "SELECT COUNT(*) FROM (SELECT player_id FROM draws d JOIN prizes p ON p.id = d.prize_id \
             WHERE p.name = '一等奖' GROUP BY player_id HAVING COUNT(*) > 1) x",
        )
        .await;
    assert_eq!(over_cap, 0, "no user won the capped prize twice");
    let over_limit = app
        .scalar("SELECT COUNT(*) FROM (SELECT player_id FROM draws GROUP BY player_id HAVING COUNT(*) > 3) x")
        .await;
    assert_eq!(over_limit, 0, "no user drew more than allowed");
}

/// A big prize's stock split over stock slots (PostgreSQL; on SQLite the
/// same test runs on the single counter): 600 concurrent draws on stock 300
/// give exactly 300 wins, and the stock left is exactly zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stock_slots_never_oversell() {
    const BIG: i64 = 300;
    let app = Arc::new(TestApp::spawn().await);
    let id = app
        .published(lottery(
            "分槽库存",
            json!([{"name": "人人有份", "kind": "goods", "probability": 1.0, "stock": BIG}]),
            json!({"chances_per_day": 2}),
        ))
        .await;
    let slots = app.scalar("SELECT COUNT(*) FROM stock_slots").await;
    match app.state.db.backend() {
        huodong_server::db::Backend::Postgres => assert_eq!(slots, 16, "split on publish"),
        huodong_server::db::Backend::Sqlite => assert_eq!(slots, 0),
    }
    let mut tokens = Vec::new();
    for n in 0..300 {
        tokens.push(app.login(&id, &format!("slot-{n}")).await);
    }
    let mut tasks = Vec::new();
    for token in &tokens {
        for k in 0..2 {
            let (app, id, token) = (app.clone(), id.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                app.draw(&token, &id, &format!("k{k}")).await
            }));
        }
    }
    let mut won = 0;
    for task in tasks {
        let (status, reply) = task.await.expect("task");
        assert_eq!(reply["code"], 0, "{status} {reply}");
        won += i64::from(reply["result"]["prize"]["name"] == "人人有份");
    }
    assert_eq!(won, BIG, "exactly the stock was won");
    let left = app
        .scalar(
            "SELECT p.stock_left + COALESCE((SELECT CAST(SUM(s.remaining) AS BIGINT) FROM stock_slots s \
             WHERE s.prize_id = p.id), 0) FROM prizes p WHERE p.name = '人人有份'",
        )
        .await;
    assert_eq!(left, 0);
    let info = app
        .open_ok("activity/get", json!({"activity_id": id}))
        .await;
    assert_eq!(info["prizes"][0]["stock_left"], 0, "{info}");
}

/// Draws that fail after they wrote (the code pool holds fewer codes than the
/// prize's stock, so handing out a code fails once the pool is empty) among
/// concurrent draws and same-key retries: each failure leaves nothing behind
/// (no draw, no chance spent, no draw number, the stock back), the others are
/// kept, and both presses of one key get one answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_draw_failing_after_it_wrote_leaves_nothing_among_concurrent_draws() {
    const PLAYERS: usize = 40;
    let app = Arc::new(TestApp::spawn().await);
    let id = app
        .published(lottery(
            "兑换码不足",
            json!([{"name": "会员兑换码", "kind": "code", "probability": 1.0,
                    "codes": ["C-1", "C-2", "C-3", "C-4", "C-5", "C-6"]}]),
            json!({"chances_per_day": 5}),
        ))
        .await;
    app.execute("DELETE FROM prize_codes WHERE code IN ('C-4', 'C-5', 'C-6')")
        .await;
    let mut tokens = Vec::with_capacity(PLAYERS);
    for n in 0..PLAYERS {
        tokens.push(app.login(&id, &format!("pool-{n}")).await);
    }
    let mut tasks = Vec::new();
    for token in &tokens {
        // Two presses of one key, at once.
        for _ in 0..2 {
            let (app, id, token) = (app.clone(), id.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                app.draw(&token, &id, "press").await.1
            }));
        }
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("task"));
    }
    let (mut codes, mut refused) = (Vec::new(), 0);
    for pair in answers.chunks(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert_eq!(a["code"], b["code"], "one key, one answer: {a} {b}");
        match a["code"].as_i64() {
            Some(0) => {
                assert_eq!(a["result"]["draw_id"], b["result"]["draw_id"]);
                codes.push(
                    a["result"]["prize"]["code"]
                        .as_str()
                        .expect("a code")
                        .to_owned(),
                );
            }
            Some(1009) => refused += 1,
            other => panic!("unexpected answer {other:?}: {a}"),
        }
    }
    codes.sort();
    assert_eq!(
        codes,
        vec!["C-1", "C-2", "C-3"],
        "each code handed out once"
    );
    assert_eq!(refused, PLAYERS - 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM draws").await, 3);
    assert_eq!(
        app.scalar("SELECT stock_left FROM prizes WHERE name = '会员兑换码'")
            .await,
        3,
        "the failed draws gave their stock back"
    );
    assert_eq!(
        app.scalar("SELECT CAST(COALESCE(SUM(draws_used), 0) AS BIGINT) FROM player_days")
            .await,
        3,
        "only kept draws spent a chance"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM player_activity WHERE draw_seq > 0 OR draws_used > 0")
            .await,
        3,
        "only kept draws took a draw number"
    );
}
