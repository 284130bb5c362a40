use huodong_tests::TestApp;
use serde_json::json;

#[tokio::test]
async fn a_ticket_is_exchanged_once_for_a_session() {
    let app = TestApp::spawn().await;
    let ticket = app
        .open_ok(
            "user/ticket",
            json!({"u_id": "u-1", "nickname": "小明", "activity_id": "demo_wheel"}),
        )
        .await;
    assert_eq!(ticket["expires_in"], 300);
    let t = ticket["ticket"].as_str().expect("ticket");
    assert_eq!(
        ticket["play_url"],
        format!("{}/a/demo_wheel?ticket={t}", app.base)
    );

    let (status, session) = app
        .post_json("/api/v1/session", None, &json!({"ticket": t}))
        .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["result"]["u_id"], "u-1");
    assert_eq!(session["result"]["nickname"], "小明");
    assert_eq!(session["result"]["activity_id"], "demo_wheel");
    let token = session["result"]["token"].as_str().expect("token");

    let (status, again) = app
        .post_json("/api/v1/session", None, &json!({"ticket": t}))
        .await;
    assert_eq!((status, again["code"].as_i64()), (401, Some(2006)));
    let (_, bogus) = app
        .post_json("/api/v1/session", None, &json!({"ticket": "nope"}))
        .await;
    assert_eq!(bogus["code"], 2005);

    let me = app.me(token, "demo_wheel").await;
    assert_eq!(me["u_id"], "u-1");
    assert_eq!(me["chances"]["today_left"], 3);
}

#[tokio::test]
async fn expired_tickets_and_missing_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let ticket = app
        .open_ok(
            "user/ticket",
            json!({"u_id": "u-2", "activity_id": "demo_wheel"}),
        )
        .await;
    huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query("UPDATE tickets SET expires_at = 0").execute(pool).await.map(|_| ())
    })
    .expect("expire");
    let (_, reply) = app
        .post_json(
            "/api/v1/session",
            None,
            &json!({"ticket": ticket["ticket"]}),
        )
        .await;
    assert_eq!(reply["code"], 2005);

    let (status, reply) = app.get_json("/api/v1/activities/demo_wheel/me", None).await;
    assert_eq!((status, reply["code"].as_i64()), (401, Some(1002)));
    let (status, _) = app
        .get_json("/api/v1/activities/demo_wheel/me", Some("forged"))
        .await;
    assert_eq!(status, 401);
    let (status, reply) = app
        .post_json("/api/v1/session", None, &json!({"tiket": "typo"}))
        .await;
    assert_eq!((status, reply["code"].as_i64()), (400, Some(1000)));
}
