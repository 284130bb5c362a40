use huodong_tests::TestApp;

#[tokio::test]
async fn a_demo_activity_is_served_with_its_prizes() {
    let app = TestApp::spawn().await;
    let body = app.get_activity("demo_wheel").await;
    assert_eq!(body["code"], 0, "{body}");
    assert_eq!(body["msg"], "ok");
    let activity = &body["result"];
    assert_eq!(activity["id"], "demo_wheel");
    assert_eq!(activity["kind"], "wheel");
    assert_eq!(activity["title"], "双11 幸运大转盘");
    assert_eq!(activity["status"], "published");
    assert_eq!(activity["timezone"], "Asia/Shanghai");
    let prizes = activity["prizes"].as_array().expect("prizes");
    assert_eq!(prizes.len(), 5);
    assert_eq!(prizes[0]["name"], "一等奖 · 蓝牙耳机");
    assert_eq!(prizes[0]["stock_total"], 5);
    let total_ppm: i64 = prizes
        .iter()
        .map(|p| p["probability_ppm"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(total_ppm, 1_000_000, "the demo's odds add up to one draw");
}

#[tokio::test]
async fn the_list_shows_every_published_demo_activity() {
    let app = TestApp::spawn().await;
    let body: serde_json::Value = app
        .get("/api/v1/activities")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(body["code"], 0);
    let ids: Vec<&str> = body["result"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    for (id, ..) in huodong_server::seed::ACTIVITIES {
        assert!(ids.contains(id), "{id} missing from {ids:?}");
    }
}

#[tokio::test]
async fn an_unknown_activity_is_a_clear_404() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/activities/does_not_exist").await;
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["code"], 1004);
    assert_eq!(body["msg"], "活动不存在");
    assert_eq!(body["result"], "");
}

#[tokio::test]
async fn an_unknown_api_path_is_an_enveloped_404() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/nothing/here").await;
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["code"], 1004);
}

#[tokio::test]
async fn the_demo_calendar_offers_streak_rewards_not_lottery_prizes() {
    let app = TestApp::spawn().await;
    let body = app.get_activity("demo_checkin").await;
    let activity = &body["result"];
    let names: Vec<&str> = activity["prizes"]
        .as_array()
        .expect("prizes")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        names,
        vec!["连签 3 天 · 100 积分", "连签 7 天 · 50 元优惠券"]
    );
    assert_eq!(
        activity["rules"]["checkin"]["milestones"],
        serde_json::json!([{"days": 3, "prize": 0}, {"days": 7, "prize": 1}])
    );
    let token = app.login("demo_checkin", "demo-user").await;
    let (_, reply) = app
        .post_json(
            "/api/v1/activities/demo_checkin/checkin",
            Some(&token),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(reply["result"]["streak"], 1, "{reply}");
}
