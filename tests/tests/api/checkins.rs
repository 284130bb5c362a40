use huodong_tests::TestApp;
use huodong_tests::open::now;
use serde_json::json;

#[tokio::test]
async fn one_check_in_a_day_with_a_streak_and_a_milestone_reward() {
    let app = TestApp::spawn().await;
    let id = app
        .published(json!({
            "template": "checkin",
            "title": "每日签到",
            "starts_at": now() - 60,
            "ends_at": now() + 30 * 86_400,
            "prizes": [{"name": "签到礼 · 10 积分", "kind": "points", "points": 10, "probability": 0.0, "stock": 1}],
            "rules": {"checkin": {"milestones": [{"days": 1, "prize": 0}], "makeup_cost": 0, "makeup_limit": 2}},
        }))
        .await;
    let first = app.login(&id, "ck-1").await;
    let (status, reply) = app
        .post_json(
            &format!("/api/v1/activities/{id}/checkin"),
            Some(&first),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["result"]["streak"], 1);
    assert_eq!(reply["result"]["rewards"][0]["name"], "签到礼 · 10 积分");

    let (status, again) = app
        .post_json(
            &format!("/api/v1/activities/{id}/checkin"),
            Some(&first),
            &json!({}),
        )
        .await;
    assert_eq!((status, again["code"].as_i64()), (200, Some(2007)));

    let me = app.me(&first, &id).await;
    assert_eq!(me["checkin"]["checked_in_today"], true);
    assert_eq!(me["checkin"]["streak"], 1);
    assert_eq!(me["checkin"]["makeups_left"], 2);
    assert_eq!(me["prizes"].as_array().map(Vec::len), Some(1));

    // The milestone prize had stock 1: the next player checks in but gets no reward.
    let second = app.login(&id, "ck-2").await;
    let (_, reply) = app
        .post_json(
            &format!("/api/v1/activities/{id}/checkin"),
            Some(&second),
            &json!({}),
        )
        .await;
    assert_eq!(reply["result"]["rewards"], json!([]));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM checkins").await, 2);
    assert_eq!(
        app.scalar("SELECT stock_left FROM prizes WHERE name = '签到礼 · 10 积分'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_lottery_without_a_calendar_refuses_check_ins() {
    let app = TestApp::spawn().await;
    let token = app.login("demo_wheel", "ck").await;
    let (_, reply) = app
        .post_json(
            "/api/v1/activities/demo_wheel/checkin",
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(reply["code"], 1001);
}
