use huodong_server::seed::{DEMO_APP_ID, DEMO_SECRET};
use huodong_tests::TestApp;
use huodong_tests::open::{lottery, now, signed_body};
use serde_json::{Value, json};

fn one_prize(stock: i64) -> Value {
    json!([{"name": "一等奖 · 蓝牙耳机", "kind": "goods", "probability": 0.5, "stock": stock}])
}

#[tokio::test]
async fn a_partner_creates_publishes_reads_and_ends_an_activity() {
    let app = TestApp::spawn().await;
    let created = app
        .open_ok(
            "activity/create",
            lottery("周年庆大转盘", one_prize(3), json!({"chances_per_day": 2})),
        )
        .await;
    let id = created["activity_id"].as_str().expect("id");
    assert!(id.starts_with("act_"));
    assert_eq!(created["status"], "draft");
    assert_eq!(created["weight_total"], 1_000_000);
    assert_eq!(created["prizes"][0]["probability_ppm"], 500_000);
    assert_eq!(created["prizes"][0]["stock_left"], 3);
    assert_eq!(created["play_url"], format!("{}/a/{id}", app.base));
    assert_eq!(created["rules_url"], format!("{}/a/{id}/rules", app.base));

    let published = app
        .open_ok("activity/publish", json!({"activity_id": id}))
        .await;
    assert_eq!(published["status"], "published");
    let again = app
        .open_ok("activity/publish", json!({"activity_id": id}))
        .await;
    assert_eq!(again["status"], "published", "publishing twice is harmless");

    let got = app
        .open_ok("activity/get", json!({"activity_id": id}))
        .await;
    assert_eq!(got["title"], "周年庆大转盘");
    assert_eq!(got["rules"]["chances_per_day"], 2);

    let ended = app
        .open_ok("activity/end", json!({"activity_id": id}))
        .await;
    assert_eq!(ended["status"], "ended");
    let republish = app
        .open("activity/publish", json!({"activity_id": id}))
        .await;
    assert_eq!(republish["code"], 1009);
}

#[tokio::test]
async fn prizes_and_odds_lock_once_the_activity_starts() {
    let app = TestApp::spawn().await;
    let mut body = lottery("规则锁定", one_prize(3), json!({}));
    body["starts_at"] = json!(now() + 3600);
    let created = app.open_ok("activity/create", body).await;
    let id = created["activity_id"].as_str().expect("id").to_owned();
    app.open_ok("activity/publish", json!({"activity_id": id}))
        .await;
    // Before the start a published activity may still change.
    let changed = app
        .open_ok(
            "activity/update",
            json!({"activity_id": id, "prizes": one_prize(9), "starts_at": now() - 10}),
        )
        .await;
    assert_eq!(changed["prizes"][0]["stock"], 9);
    // Now it has started: prizes, odds and rules are locked, the title is not.
    let refused = app
        .open(
            "activity/update",
            json!({"activity_id": id, "prizes": one_prize(1000)}),
        )
        .await;
    assert_eq!(refused["code"], 1009, "{refused}");
    assert!(refused["msg"].as_str().unwrap_or("").contains("已锁定"));
    let refused = app
        .open(
            "activity/update",
            json!({"activity_id": id, "rules": {"chances_per_day": 99}}),
        )
        .await;
    assert_eq!(refused["code"], 1009);
    let renamed = app
        .open_ok(
            "activity/update",
            json!({"activity_id": id, "title": "新标题"}),
        )
        .await;
    assert_eq!(renamed["title"], "新标题");
    assert_eq!(renamed["prizes"][0]["stock"], 9);
}

#[tokio::test]
async fn bad_signatures_timestamps_nonces_and_apps_are_refused() {
    let app = TestApp::spawn().await;
    let get = json!({"activity_id": "demo_wheel"});
    let good = signed_body(DEMO_APP_ID, DEMO_SECRET, get.clone());
    let (status, reply) = app.open_raw("activity/get", &good).await;
    assert_eq!((status, reply["code"].as_i64()), (200, Some(0)), "{reply}");

    // The same nonce again: a replay.
    let (_, reply) = app.open_raw("activity/get", &good).await;
    assert_eq!(reply["code"], 7102);

    let mut wrong_secret = signed_body(DEMO_APP_ID, "not-the-secret", get.clone());
    let (status, reply) = app.open_raw("activity/get", &wrong_secret).await;
    assert_eq!((status, reply["code"].as_i64()), (401, Some(7100)));
    wrong_secret.remove("sign");
    assert_eq!(
        app.open_raw("activity/get", &wrong_secret).await.1["code"],
        7100,
        "no sign"
    );

    let mut empty = signed_body(DEMO_APP_ID, DEMO_SECRET, get.clone());
    empty.insert("sign".into(), json!(""));
    assert_eq!(
        app.open_raw("activity/get", &empty).await.1["code"],
        7100,
        "empty sign"
    );

    let mut truncated = signed_body(DEMO_APP_ID, DEMO_SECRET, get.clone());
    let sign = truncated["sign"].as_str().expect("sign")[..40].to_owned();
    truncated.insert("sign".into(), json!(sign));
    assert_eq!(
        app.open_raw("activity/get", &truncated).await.1["code"],
        7100,
        "truncated sign"
    );

    let mut tampered = signed_body(DEMO_APP_ID, DEMO_SECRET, get.clone());
    tampered.insert("activity_id".into(), json!("demo_slot"));
    assert_eq!(
        app.open_raw("activity/get", &tampered).await.1["code"],
        7100,
        "tampered body"
    );

    let mut stale = get.clone();
    stale["timestamp"] = json!(now() - 301);
    let (_, reply) = app
        .open_raw(
            "activity/get",
            &signed_body(DEMO_APP_ID, DEMO_SECRET, stale),
        )
        .await;
    assert_eq!(reply["code"], 7101);

    let (_, reply) = app
        .open_raw(
            "activity/get",
            &signed_body("nobody", DEMO_SECRET, get.clone()),
        )
        .await;
    assert_eq!(reply["code"], 7103);
}

#[tokio::test]
async fn malformed_bodies_get_a_clear_code() {
    let app = TestApp::spawn().await;
    let cases: Vec<(&str, &str)> = vec![
        ("{not json", "不是合法的 JSON"),
        ("[1, 2]", "须为 JSON 对象"),
        ("{}", "缺少 app_id"),
        (r#"{"app_id": "demo"}"#, "缺少 timestamp"),
        (r#"{"app_id": "demo", "timestamp": 1}"#, "缺少 nonce"),
    ];
    for (body, expected) in cases {
        let response = app.post_raw("/open/v1/activity/create", body).await;
        assert_eq!(response.status(), 400, "{body}");
        let reply: Value = response.json().await.expect("json");
        assert_eq!(reply["code"], 1000, "{body}: {reply}");
        assert!(
            reply["msg"].as_str().unwrap_or("").contains(expected),
            "{body}: {reply}"
        );
    }
}

#[tokio::test]
async fn absurd_values_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let before = app.scalar("SELECT COUNT(*) FROM activities").await;
    let prizes_before = app.scalar("SELECT COUNT(*) FROM prizes").await;
    let base = lottery("正常标题", one_prize(3), json!({}));
    let with = |path: &[&str], value: Value| {
        let mut body = base.clone();
        let mut slot = &mut body;
        for key in &path[..path.len() - 1] {
            slot = &mut slot[*key];
        }
        slot[path[path.len() - 1]] = value;
        body
    };
    let cases: Vec<(Value, i64, &str)> = vec![
        (
            with(
                &["prizes"],
                json!([{"name": "a", "kind": "goods", "probability": 0.1, "stock": -1}]),
            ),
            1001,
            "prizes[0].stock",
        ),
        (
            with(
                &["prizes"],
                json!([{"name": "a", "kind": "points", "points": 1, "probability": 0.7}, {"name": "b", "kind": "points", "points": 1, "probability": 0.4}]),
            ),
            1001,
            "概率之和超过 100%",
        ),
        (with(&["title"], json!("长".repeat(61))), 1001, "title"),
        (with(&["title"], json!("   ")), 1001, "title"),
        (with(&["ends_at"], json!(0)), 1001, "ends_at"),
        (with(&["timezone"], json!("Mars/Base")), 1001, "timezone"),
        (
            with(&["rules"], json!({"chances_per_day": -1})),
            1001,
            "rules.chances_per_day",
        ),
        (with(&["template"], json!("roulette")), 1000, "template"),
        (
            with(&["rules"], json!({"surprise": true})),
            1000,
            "surprise",
        ),
        (
            with(
                &["prizes"],
                json!([{"name": "券", "kind": "coupon", "probability": 0.1, "stock": 5}]),
            ),
            1001,
            "coupon_id",
        ),
    ];
    for (body, code, expected) in cases {
        let reply = app.open("activity/create", body.clone()).await;
        assert_eq!(reply["code"], code, "{body}: {reply}");
        assert!(
            reply["msg"].as_str().unwrap_or("").contains(expected),
            "{expected}: {reply}"
        );
    }
    // A 1 MB title never reaches the parser.
    let huge = signed_body(
        DEMO_APP_ID,
        DEMO_SECRET,
        with(&["title"], json!("x".repeat(1 << 20))),
    );
    let (status, reply) = app.open_raw("activity/create", &huge).await;
    assert_eq!(
        (status, reply["code"].as_i64()),
        (413, Some(1013)),
        "{reply}"
    );

    assert_eq!(app.scalar("SELECT COUNT(*) FROM activities").await, before);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM prizes").await,
        prizes_before
    );
}

#[tokio::test]
async fn a_partner_cannot_see_another_partners_activity() {
    let app = TestApp::spawn().await;
    huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query("INSERT INTO partners (app_id, name, secret, created_at) VALUES ('other', '别家', 'other-secret', 0)")
            .execute(pool)
            .await
            .map(|_| ())
    })
    .expect("second partner");
    let body = signed_body(
        "other",
        "other-secret",
        json!({"activity_id": "demo_wheel"}),
    );
    let (status, reply) = app.open_raw("activity/get", &body).await;
    assert_eq!((status, reply["code"].as_i64()), (404, Some(1004)));
    let body = signed_body(
        "other",
        "other-secret",
        json!({"u_id": "1", "activity_id": "demo_wheel"}),
    );
    assert_eq!(app.open_raw("user/ticket", &body).await.1["code"], 1004);
}
