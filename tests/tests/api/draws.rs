use huodong_tests::TestApp;
use huodong_tests::open::{lottery, now};
use serde_json::json;

#[tokio::test]
async fn a_draw_is_recorded_with_its_odds_and_a_retry_returns_the_same_draw() {
    let app = TestApp::spawn().await;
    let id = app
        .published(lottery(
            "必中",
            json!([{"name": "100 积分", "kind": "points", "points": 100, "probability": 1.0}]),
            json!({"chances_per_day": 2}),
        ))
        .await;
    let token = app.login(&id, "p-1").await;
    let (status, first) = app.draw(&token, &id, "press-1").await;
    assert_eq!(status, 200, "{first}");
    let result = &first["result"];
    assert_eq!(result["seq"], 1);
    assert_eq!(result["prize"]["name"], "100 积分");
    assert_eq!(result["chances"]["today_left"], 1);

    let (_, retry) = app.draw(&token, &id, "press-1").await;
    assert_eq!(
        retry["result"]["draw_id"], result["draw_id"],
        "same key, same draw"
    );
    assert_eq!(
        retry["result"]["chances"]["today_left"], 1,
        "no second chance taken"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM draws").await, 1);
    let odds: String = huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_scalar("SELECT odds FROM draws").fetch_one(pool).await
    })
    .expect("odds");
    assert!(odds.contains(",1000000,"), "odds recorded: {odds}");

    let me = app.me(&token, &id).await;
    assert_eq!(me["prizes"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn chances_run_out_per_day_and_in_total() {
    let app = TestApp::spawn().await;
    let id = app
        .published(lottery(
            "机会",
            json!([{"name": "积分", "kind": "points", "points": 1, "probability": 0.5}]),
            json!({"chances_per_day": 5, "chances_total": 2}),
        ))
        .await;
    let token = app.login(&id, "p-2").await;
    for key in ["a", "b"] {
        let (_, reply) = app.draw(&token, &id, key).await;
        assert_eq!(reply["code"], 0, "{reply}");
    }
    let (status, reply) = app.draw(&token, &id, "c").await;
    assert_eq!(
        (status, reply["code"].as_i64()),
        (200, Some(2004)),
        "{reply}"
    );
    assert_eq!(reply["msg"], "抽奖机会已用完");
    let me = app.me(&token, &id).await;
    assert_eq!(
        me["chances"],
        json!({"today_left": 0, "extra_left": 0, "total_left": 0})
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws").await,
        2,
        "the refused draw wrote nothing"
    );
}

#[tokio::test]
async fn a_prize_out_of_stock_becomes_thanks_and_codes_are_handed_out_once() {
    let app = TestApp::spawn().await;
    let id = app
        .published(lottery(
            "兑换码",
            json!([{"name": "会员兑换码", "kind": "code", "probability": 1.0, "codes": ["CODE-A", "CODE-B"]}]),
            json!({"chances_per_day": 10}),
        ))
        .await;
    let mut codes = Vec::new();
    for n in 0..3 {
        let token = app.login(&id, &format!("c-{n}")).await;
        let (_, reply) = app.draw(&token, &id, "k").await;
        assert_eq!(reply["code"], 0, "{reply}");
        if let Some(code) = reply["result"]["prize"]["code"].as_str() {
            codes.push(code.to_owned());
        } else {
            assert!(
                reply["result"]["prize"].is_null(),
                "out of stock reads as thanks"
            );
        }
    }
    codes.sort();
    assert_eq!(codes, vec!["CODE-A", "CODE-B"]);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws WHERE outcome = 'out_of_stock'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT stock_left FROM prizes WHERE name = '会员兑换码'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_per_user_cap_stops_a_second_win() {
    let app = TestApp::spawn().await;
    let id = app
        .published(lottery(
            "限中一次",
            json!([{"name": "耳机", "kind": "goods", "probability": 1.0, "stock": 100, "per_user_limit": 1}]),
            json!({"chances_per_day": 3}),
        ))
        .await;
    let token = app.login(&id, "cap").await;
    let mut won = 0;
    for key in ["1", "2", "3"] {
        let (_, reply) = app.draw(&token, &id, key).await;
        assert_eq!(reply["code"], 0);
        won += i32::from(!reply["result"]["prize"].is_null());
    }
    assert_eq!(won, 1);
    assert_eq!(
        app.scalar("SELECT stock_left FROM prizes WHERE name = '耳机'")
            .await,
        99
    );
}

#[tokio::test]
async fn draws_outside_the_window_or_unpublished_are_refused() {
    let app = TestApp::spawn().await;
    let prizes = json!([{"name": "积分", "kind": "points", "points": 1, "probability": 0.5}]);
    let mut later = lottery("未开始", prizes.clone(), json!({}));
    later["starts_at"] = json!(now() + 3600);
    let not_started = app.published(later).await;
    let token = app.login(&not_started, "w").await;
    assert_eq!(app.draw(&token, &not_started, "k").await.1["code"], 2001);

    let draft = app
        .open_ok(
            "activity/create",
            lottery("草稿", prizes.clone(), json!({})),
        )
        .await;
    let draft = draft["activity_id"].as_str().expect("id").to_owned();
    let token = app.login(&draft, "w").await;
    assert_eq!(app.draw(&token, &draft, "k").await.1["code"], 2003);

    let ended = app.published(lottery("已结束", prizes, json!({}))).await;
    let token = app.login(&ended, "w").await;
    app.open_ok("activity/end", json!({"activity_id": ended}))
        .await;
    assert_eq!(app.draw(&token, &ended, "k").await.1["code"], 2002);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM draws").await, 0);
}

#[tokio::test]
async fn bad_draw_requests_are_refused() {
    let app = TestApp::spawn().await;
    let token = app.login("demo_wheel", "bad").await;
    let (status, reply) = app.draw(&token, "demo_wheel", "").await;
    assert_eq!((status, reply["code"].as_i64()), (422, Some(1001)));
    let (status, reply) = app.draw(&token, "demo_wheel", &"k".repeat(65)).await;
    assert_eq!((status, reply["code"].as_i64()), (422, Some(1001)));
    let (status, reply) = app.draw(&token, "no_such", "k").await;
    assert_eq!((status, reply["code"].as_i64()), (404, Some(1004)));
    let response = app
        .client
        .post(app.url("/api/v1/activities/demo_wheel/draw"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"idempotency_key\": ")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 400);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM draws").await, 0);
}

#[tokio::test]
async fn a_release_plan_holds_back_stock_until_its_period() {
    let app = TestApp::spawn().await;
    let id = app
        .published(lottery(
            "每日限量",
            json!([{"name": "每日大奖", "kind": "goods", "probability": 1.0, "stock": 5,
                    "release": {"every": "day", "amount": 2}}]),
            json!({"chances_per_day": 1}),
        ))
        .await;
    let got = app.get_activity(&id).await;
    assert_eq!(
        got["result"]["prizes"][0]["release"],
        json!({"every": "day", "amount": 2})
    );
    let mut won = 0;
    for n in 0..4 {
        let token = app.login(&id, &format!("r-{n}")).await;
        let (_, reply) = app.draw(&token, &id, "k").await;
        assert_eq!(reply["code"], 0, "{reply}");
        won += i32::from(!reply["result"]["prize"].is_null());
    }
    assert_eq!(won, 2, "only today's two are winnable on the first day");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws WHERE outcome = 'not_released'")
            .await,
        2
    );
    assert_eq!(
        app.scalar("SELECT stock_left FROM prizes WHERE name = '每日大奖'")
            .await,
        3
    );
}

#[tokio::test]
async fn a_retry_after_the_activity_ended_still_gets_its_draw() {
    let app = TestApp::spawn().await;
    let id = app
        .published(lottery(
            "重试",
            json!([{"name": "积分", "kind": "points", "points": 1, "probability": 1.0}]),
            json!({"chances_per_day": 1}),
        ))
        .await;
    let token = app.login(&id, "retry").await;
    let (_, first) = app.draw(&token, &id, "once").await;
    app.open_ok("activity/end", json!({"activity_id": id}))
        .await;
    let (_, retry) = app.draw(&token, &id, "once").await;
    assert_eq!(retry["code"], 0, "{retry}");
    assert_eq!(retry["result"]["draw_id"], first["result"]["draw_id"]);
    assert_eq!(app.draw(&token, &id, "new").await.1["code"], 2002);
}

#[tokio::test]
async fn a_finished_task_grants_extra_chances_once_per_biz_id() {
    let app = TestApp::spawn().await;
    let id = app
        .published(lottery(
            "任务加次数",
            json!([{"name": "积分", "kind": "points", "points": 1, "probability": 1.0}]),
            json!({"chances_per_day": 1}),
        ))
        .await;
    let token = app.login(&id, "tasker").await;
    assert_eq!(app.draw(&token, &id, "a").await.1["code"], 0);
    assert_eq!(app.draw(&token, &id, "b").await.1["code"], 2004);

    let task = json!({"u_id": "tasker", "activity_id": id, "task_id": "share", "biz_id": "order-1", "chances": 2});
    let first = app.open_ok("task/complete", task.clone()).await;
    assert_eq!(first["granted"], true);
    assert_eq!(first["chances"]["extra_left"], 2);
    let again = app.open_ok("task/complete", task).await;
    assert_eq!(again["granted"], false, "the same biz_id grants once");
    assert_eq!(again["chances"]["extra_left"], 2);

    assert_eq!(
        app.draw(&token, &id, "c").await.1["result"]["chances"]["extra_left"],
        1
    );
    assert_eq!(
        app.draw(&token, &id, "d").await.1["result"]["chances"]["extra_left"],
        0
    );
    assert_eq!(app.draw(&token, &id, "e").await.1["code"], 2004);

    let bad = app
        .open("task/complete", json!({"u_id": "tasker", "activity_id": id, "task_id": "t", "biz_id": "x", "chances": 0}))
        .await;
    assert_eq!(bad["code"], 1001);
}
