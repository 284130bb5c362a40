use huodong_tests::TestApp;
use huodong_tests::open::lottery;
use serde_json::json;

fn points() -> serde_json::Value {
    json!([{"name": "积分", "kind": "points", "points": 1, "probability": 1.0}])
}

#[tokio::test]
async fn blacklisted_users_and_addresses_cannot_draw() {
    let app = TestApp::spawn().await;
    let id = app
        .published(lottery("黑名单", points(), json!({"chances_per_day": 10})))
        .await;
    let token = app.login(&id, "farmer").await;
    let list = app
        .open_ok("risk/blacklist", json!({"activity_id": id, "action": "add", "kind": "u_id", "value": "farmer", "reason": "批量注册"}))
        .await;
    assert_eq!(list["blacklist"][0]["value"], "farmer");
    let (status, reply) = app.draw(&token, &id, "k1").await;
    assert_eq!(
        (status, reply["code"].as_i64()),
        (200, Some(2008)),
        "{reply}"
    );
    assert_eq!(reply["msg"], "你暂时无法参加此活动");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws").await,
        0,
        "nothing written"
    );

    app.open_ok(
        "risk/blacklist",
        json!({"activity_id": id, "action": "remove", "kind": "u_id", "value": "farmer"}),
    )
    .await;
    assert_eq!(app.draw(&token, &id, "k2").await.1["code"], 0);

    app.open_ok(
        "risk/blacklist",
        json!({"activity_id": id, "action": "add", "kind": "ip", "value": "127.0.0.1"}),
    )
    .await;
    let other = app.login(&id, "neighbour").await;
    assert_eq!(app.draw(&other, &id, "k").await.1["code"], 2008);

    for (body, expected) in [
        (
            json!({"activity_id": id, "action": "add", "kind": "phone", "value": "1"}),
            "kind",
        ),
        (
            json!({"activity_id": id, "action": "add", "kind": "ip", "value": "not-an-ip"}),
            "IP",
        ),
        (
            json!({"activity_id": id, "action": "purge", "kind": "u_id", "value": "x"}),
            "action",
        ),
    ] {
        let reply = app.open("risk/blacklist", body).await;
        assert_eq!(reply["code"], 1001, "{reply}");
        assert!(reply["msg"].as_str().unwrap_or("").contains(expected));
    }
}

#[tokio::test]
async fn too_many_draws_from_one_address_put_players_on_review_away_from_audited_prizes() {
    let app = TestApp::spawn().await;
    let id = app
        .published(lottery(
            "自动风控",
            json!([{"name": "审核大奖", "kind": "goods", "probability": 1.0, "stock": 100, "audit": true}]),
            json!({"chances_per_day": 5, "risk": {"ip_draws_max": 3, "ip_window_secs": 600}}),
        ))
        .await;
    let mut prizes = Vec::new();
    for n in 0..5 {
        let token = app.login(&id, &format!("same-ip-{n}")).await;
        let (_, reply) = app.draw(&token, &id, "k").await;
        assert_eq!(reply["code"], 0, "{reply}");
        prizes.push(!reply["result"]["prize"].is_null());
    }
    assert_eq!(
        prizes,
        vec![true, true, true, false, false],
        "from the fourth draw on the address is flagged"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws WHERE outcome = 'review'")
            .await,
        2
    );
    assert_eq!(
        app.scalar("SELECT stock_left FROM prizes WHERE name = '审核大奖'")
            .await,
        97
    );
    let list = app.open_ok("risk/list", json!({"activity_id": id})).await;
    let flagged: Vec<&str> = list["review"]
        .as_array()
        .expect("review")
        .iter()
        .filter_map(|e| e["value"].as_str())
        .collect();
    assert_eq!(flagged, vec!["same-ip-3", "same-ip-4"]);
}

#[tokio::test]
async fn draws_beyond_the_rate_limit_are_refused() {
    let app = TestApp::spawn_with(|config| config.draw_rate_per_user = 2).await;
    let id = app
        .published(lottery("限频", points(), json!({"chances_per_day": 10})))
        .await;
    let token = app.login(&id, "fast").await;
    assert_eq!(app.draw(&token, &id, "1").await.1["code"], 0);
    assert_eq!(app.draw(&token, &id, "2").await.1["code"], 0);
    let (status, reply) = app.draw(&token, &id, "3").await;
    assert_eq!((status, reply["code"].as_i64()), (429, Some(1029)));
    // A retry of an earlier press is answered from the record, not limited.
    assert_eq!(app.draw(&token, &id, "1").await.1["code"], 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM draws").await, 2);
}
