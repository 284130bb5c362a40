//! The platform tier: merchants, the console's one-time SSO ticket, the
//! console API scoped to one merchant of one partner, figures and exports.

use huodong_tests::TestApp;
use huodong_tests::console::token_of;
use huodong_tests::open::{lottery, now};
use serde_json::{Value, json};

/// A lottery whose first `stock` draws win: probability 1, so the draws
/// after the stock runs out are "thanks" (out of stock).
fn sure_lottery(title: &str, stock: i64) -> Value {
    lottery(
        title,
        json!([{"name": "一等奖 · 耳机", "kind": "goods", "probability": 1.0, "stock": stock}]),
        json!({"chances_per_day": 3}),
    )
}

/// Creates and publishes an activity of the demo partner's merchant.
async fn merchant_activity(app: &TestApp, merchant: &str, mut body: Value) -> String {
    body["merchant_id"] = json!(merchant);
    let created = app.open_ok("activity/create", body).await;
    assert_eq!(created["merchant_id"], merchant);
    let id = created["activity_id"].as_str().expect("id").to_owned();
    app.open_ok("activity/publish", json!({"activity_id": id}))
        .await;
    id
}

fn code(reply: &(u16, Value)) -> (u16, i64) {
    (reply.0, reply.1["code"].as_i64().unwrap_or(-1))
}

#[tokio::test]
async fn merchants_are_created_renamed_and_listed_per_partner() {
    let app = TestApp::spawn().await;
    let first = app.merchant("shop-1", "一号店").await;
    assert_eq!(first["merchant_id"], "shop-1");
    let renamed = app.merchant("shop-1", "一号旗舰店").await;
    assert_eq!(renamed["name"], "一号旗舰店");
    assert_eq!(
        renamed["created_at"], first["created_at"],
        "the same merchant"
    );
    let generated = app
        .open_ok("merchant/create", json!({"name": "无编号门店"}))
        .await;
    assert!(
        generated["merchant_id"]
            .as_str()
            .unwrap_or("")
            .starts_with("mch_")
    );

    let page = app.open_ok("merchant/list", json!({"limit": 1})).await;
    assert_eq!(page["list"][0]["merchant_id"], "shop-1");
    assert_eq!(page["list"][0]["name"], "一号旗舰店");
    let rest = app
        .open_ok(
            "merchant/list",
            json!({"limit": 1, "cursor": page["next_cursor"]}),
        )
        .await;
    assert_eq!(rest["list"][0]["merchant_id"], generated["merchant_id"]);

    for (body, field) in [
        (
            json!({"merchant_id": "bad id!", "name": "x"}),
            "merchant_id",
        ),
        (json!({"merchant_id": "ok", "name": "  "}), "name"),
        (json!({"name": "长".repeat(61)}), "name"),
    ] {
        let reply = app.open("merchant/create", body.clone()).await;
        assert_eq!(reply["code"], 1001, "{body}: {reply}");
        assert!(
            reply["msg"].as_str().unwrap_or("").contains(field),
            "{reply}"
        );
    }
    // A merchant id is the partner's own: another partner may use the same.
    app.add_partner("other", "other-secret").await;
    let theirs = app
        .open_as(
            "other",
            "other-secret",
            "merchant/create",
            json!({"merchant_id": "shop-1", "name": "别家一号店"}),
        )
        .await;
    assert_eq!(theirs["code"], 0, "{theirs}");
    let mine = app.open_ok("merchant/list", json!({})).await;
    assert_eq!(mine["list"][0]["name"], "一号旗舰店");
    assert_eq!(mine["list"].as_array().map(Vec::len), Some(2));

    // Unknown merchants are not found, for activities and tickets alike.
    let mut body = sure_lottery("无主活动", 1);
    body["merchant_id"] = json!("nobody");
    assert_eq!(app.open("activity/create", body).await["code"], 1004);
    assert_eq!(
        app.open("console/ticket", json!({"merchant_id": "nobody"}))
            .await["code"],
        1004
    );
}

#[tokio::test]
async fn a_console_ticket_works_once_and_expires() {
    let app = TestApp::spawn().await;
    app.merchant("shop-1", "一号店").await;
    let issued = app
        .open_ok("console/ticket", json!({"merchant_id": "shop-1"}))
        .await;
    let ticket = issued["ticket"].as_str().expect("ticket").to_owned();
    assert_eq!(
        issued["console_url"],
        format!("{}/console/?ticket={ticket}", app.base)
    );
    assert_eq!(issued["expires_in"], 120);
    // Stored hashed: the ticket itself is nowhere in the database.
    let stored = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM console_tickets WHERE ticket_hash = '{ticket}'"
        ))
        .await;
    assert_eq!(stored, 0);

    let session = app.console_session(&ticket).await;
    assert_eq!(session.0, 200, "{}", session.1);
    assert_eq!(session.1["result"]["merchant"]["merchant_id"], "shop-1");
    assert_eq!(session.1["result"]["app_id"], "demo");
    let token = token_of(session);
    let (status, me) = app.console_get(&token, "/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["result"]["merchant"]["name"], "一号店");

    assert_eq!(
        code(&app.console_session(&ticket).await),
        (401, 2006),
        "used"
    );
    assert_eq!(code(&app.console_session("0badc0de").await), (401, 2005));
    assert_eq!(code(&app.console_session("").await), (401, 2005));

    let late = app
        .open_ok("console/ticket", json!({"merchant_id": "shop-1"}))
        .await;
    app.execute(&format!(
        "UPDATE console_tickets SET expires_at = {} WHERE used_at IS NULL",
        now() - 1
    ))
    .await;
    let expired = app
        .console_session(late["ticket"].as_str().expect("ticket"))
        .await;
    assert_eq!(code(&expired), (401, 2005), "expired");

    // A player's launch ticket is not a console ticket, nor the reverse.
    let player_ticket = app
        .open_ok(
            "user/ticket",
            json!({"u_id": "p1", "activity_id": "demo_wheel"}),
        )
        .await;
    let reply = app
        .console_session(player_ticket["ticket"].as_str().expect("ticket"))
        .await;
    assert_eq!(code(&reply), (401, 2005));

    // Without a token, with a wrong one, or after the session: 1002.
    assert_eq!(
        code(&app.get_json("/api/v1/console/me", None).await),
        (401, 1002)
    );
    assert_eq!(code(&app.console_get("nope", "/me").await), (401, 1002));
    app.execute(&format!(
        "UPDATE console_sessions SET expires_at = {}",
        now() - 1
    ))
    .await;
    assert_eq!(code(&app.console_get(&token, "/me").await), (401, 1002));
}

#[tokio::test]
async fn a_merchant_manages_its_activities_through_the_console() {
    let app = TestApp::spawn().await;
    app.merchant("shop-1", "一号店").await;
    let token = app.console_login("shop-1").await;

    let mut body = sure_lottery("门店大转盘", 5);
    body["starts_at"] = json!(now() + 3600);
    let (status, created) = app.console_post(&token, "/activities", body).await;
    assert_eq!(status, 200, "{created}");
    let info = &created["result"];
    assert_eq!(info["merchant_id"], "shop-1");
    assert_eq!(info["status"], "draft");
    let id = info["activity_id"].as_str().expect("id").to_owned();

    // The same validation as the open API, naming the field.
    let (status, refused) = app
        .console_post(&token, "/activities", sure_lottery(&"长".repeat(61), 1))
        .await;
    assert_eq!((status, refused["code"].as_i64()), (422, Some(1001)));
    assert!(refused["msg"].as_str().unwrap_or("").starts_with("title"));

    let (_, changed) = app
        .console_post(
            &token,
            &format!("/activities/{id}"),
            json!({"activity_id": id, "title": "门店周年庆", "theme": "minimal_dark"}),
        )
        .await;
    assert_eq!(changed["result"]["title"], "门店周年庆", "{changed}");
    assert_eq!(changed["result"]["theme"], "minimal_dark");

    let (_, published) = app
        .console_post(&token, &format!("/activities/{id}/publish"), json!({}))
        .await;
    assert_eq!(published["result"]["status"], "published", "{published}");
    let (_, got) = app.console_get(&token, &format!("/activities/{id}")).await;
    assert_eq!(got["result"]["prizes"][0]["stock_left"], 5);
    assert_eq!(got["result"]["title"], "门店周年庆");

    // The partner sees its merchant's activity through the open API too.
    let seen = app
        .open_ok("activity/get", json!({"activity_id": id}))
        .await;
    assert_eq!(seen["merchant_id"], "shop-1");

    let (_, list) = app.console_get(&token, "/activities").await;
    let list = list["result"]["list"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 1, "only the merchant's own: {list:?}");
    assert_eq!(list[0]["activity_id"], id.as_str());

    // Once started, the rules are locked here as in the open API.
    app.execute(&format!(
        "UPDATE activities SET starts_at = {} WHERE public_id = '{id}'",
        now() - 10
    ))
    .await;
    let (status, locked) = app
        .console_post(
            &token,
            &format!("/activities/{id}"),
            json!({"rules": {"chances_per_day": 9}}),
        )
        .await;
    assert_eq!(
        (status, locked["code"].as_i64()),
        (409, Some(1009)),
        "{locked}"
    );

    let (_, ended) = app
        .console_post(&token, &format!("/activities/{id}/end"), json!({}))
        .await;
    assert_eq!(ended["result"]["status"], "ended");
}

#[tokio::test]
async fn one_merchant_cannot_reach_another_merchants_activities_players_or_figures() {
    let app = TestApp::spawn().await;
    app.merchant("shop-a", "甲店").await;
    app.merchant("shop-b", "乙店").await;
    let theirs = merchant_activity(&app, "shop-b", sure_lottery("乙店抽奖", 2)).await;
    let player = app.login(&theirs, "b-player").await;
    let (status, won) = app.draw(&player, &theirs, "k1").await;
    assert_eq!(status, 200, "{won}");
    let mine = merchant_activity(&app, "shop-a", sure_lottery("甲店抽奖", 2)).await;

    // Another partner's merchant with the same merchant id as B.
    app.add_partner("other", "other-secret").await;
    let other = app
        .open_as(
            "other",
            "other-secret",
            "merchant/create",
            json!({"merchant_id": "shop-b", "name": "别家乙店"}),
        )
        .await;
    assert_eq!(other["code"], 0, "{other}");
    let ticket = app
        .open_as(
            "other",
            "other-secret",
            "console/ticket",
            json!({"merchant_id": "shop-b"}),
        )
        .await;
    let outsider = token_of(
        app.console_session(ticket["result"]["ticket"].as_str().expect("ticket"))
            .await,
    );
    let a = app.console_login("shop-a").await;

    // What a missing activity answers: another merchant's (or the partner's
    // own, demo_wheel) must answer exactly the same.
    let (_, missing) = app
        .console_get(&a, "/activities/act_0000000000000000")
        .await;
    assert_eq!(missing["code"], 1004);
    for (token, foreign) in [(&a, "shop-b"), (&outsider, "shop-a")] {
        for target in [theirs.as_str(), "demo_wheel"] {
            let gets = [
                format!("/activities/{target}"),
                format!("/activities/{target}/stats"),
                format!("/activities/{target}/records?type=participants"),
                format!("/activities/{target}/records?type=draws"),
                format!("/activities/{target}/winners"),
                format!("/activities/{target}/winners.csv"),
            ];
            for path in &gets {
                let reply = app.console_get(token, path).await;
                assert_eq!(code(&reply), (404, 1004), "GET {path}: {}", reply.1);
                assert_eq!(reply.1["msg"], missing["msg"], "no hint it exists");
            }
            let posts = [
                (format!("/activities/{target}"), json!({"title": "改掉"})),
                (format!("/activities/{target}/publish"), json!({})),
                (format!("/activities/{target}/end"), json!({})),
                (format!("/activities/{target}/export"), json!({})),
            ];
            for (path, body) in posts {
                let reply = app.console_post(token, &path, body).await;
                assert_eq!(code(&reply), (404, 1004), "POST {path}: {}", reply.1);
            }
        }
        // Nor can it create an activity for another merchant.
        let mut body = sure_lottery("冒名活动", 1);
        body["merchant_id"] = json!(foreign);
        let reply = app.console_post(token, "/activities", body).await;
        assert_eq!(code(&reply), (404, 1004), "{}", reply.1);
        // Its list holds none of them.
        let (_, list) = app.console_get(token, "/activities").await;
        let ids: Vec<&str> = list["result"]["list"]
            .as_array()
            .map(|l| l.iter().filter_map(|a| a["activity_id"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            !ids.contains(&theirs.as_str()) && !ids.contains(&"demo_wheel"),
            "{ids:?}"
        );
    }
    // An export link of A's own activity does not open B's.
    let (_, link) = app
        .console_post(&a, &format!("/activities/{mine}/export"), json!({}))
        .await;
    let url = link["result"]["url"].as_str().expect("url");
    let ticket = url.split("ticket=").nth(1).expect("ticket");
    let reply = app
        .get_json(
            &format!("/api/v1/console/activities/{theirs}/winners.csv?ticket={ticket}"),
            None,
        )
        .await;
    assert_eq!(code(&reply), (404, 1004));

    // B's activity, players and figures are as they were.
    let b = app.console_login("shop-b").await;
    let (_, got) = app.console_get(&b, &format!("/activities/{theirs}")).await;
    assert_eq!(got["result"]["title"], "乙店抽奖");
    assert_eq!(got["result"]["status"], "published");
    let (_, stats) = app
        .console_get(&b, &format!("/activities/{theirs}/stats"))
        .await;
    assert_eq!(stats["result"]["totals"]["draws"], 1);
    let (_, players) = app
        .console_get(
            &b,
            &format!("/activities/{theirs}/records?type=participants"),
        )
        .await;
    assert_eq!(players["result"]["list"][0]["u_id"], "b-player");
    // And the partner-level open API still reaches both merchants' activities.
    app.open_ok("activity/get", json!({"activity_id": theirs}))
        .await;
    app.open_ok("activity/get", json!({"activity_id": mine}))
        .await;
}

/// The local hour (Asia/Kolkata, UTC+5:30) that began before `t`.
fn kolkata_hour(t: i64) -> i64 {
    (t + 19_800).div_euclid(3600) * 3600 - 19_800
}

#[tokio::test]
async fn figures_are_exact_in_total_by_hour_and_by_day() {
    let app = TestApp::spawn().await;
    app.merchant("shop-1", "一号店").await;
    let mut body = sure_lottery("统计验证", 2);
    body["timezone"] = json!("Asia/Kolkata");
    body["starts_at"] = json!(now() - 2 * 86_400);
    let id = merchant_activity(&app, "shop-1", body).await;

    // Four views by three players; u1 draws three times (the first two win,
    // then the stock is out), u2 once; u3 only looks.
    let u1 = app.login(&id, "u1").await;
    app.login(&id, "u1").await;
    let u2 = app.login(&id, "u2").await;
    app.login(&id, "u3").await;
    for key in ["a", "b", "c"] {
        let (status, reply) = app.draw(&u1, &id, key).await;
        assert_eq!(status, 200, "{reply}");
    }
    let (_, last) = app.draw(&u2, &id, "d").await;
    assert!(last["result"]["prize"].is_null(), "out of stock: {last}");

    // Place them at known instants around local hour boundaries.
    let base = kolkata_hour(now() - 3 * 3600);
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(
            app.scalar(&format!(
                "SELECT d.id FROM draws d JOIN activities a ON a.id = d.activity_id \
                 WHERE a.public_id = '{id}' ORDER BY d.id LIMIT 1 OFFSET {n}"
            ))
            .await,
        );
    }
    for (draw, at) in ids
        .iter()
        .zip([base + 10, base + 3599, base + 3600, base - 1])
    {
        app.execute(&format!(
            "UPDATE draws SET created_at = {at} WHERE id = {draw}"
        ))
        .await;
    }
    app.execute(&format!(
        "UPDATE activity_views SET created_at = {}",
        base + 100
    ))
    .await;

    let stats = app
        .open_ok(
            "data/stats",
            json!({"activity_id": id, "from": base - 3600, "to": base + 7200}),
        )
        .await;
    assert_eq!(
        stats["totals"],
        json!({"views": 4, "participants": 2, "draws": 4, "wins": 2, "winners": 1, "checkins": 0})
    );
    assert_eq!(stats["timezone"], "Asia/Kolkata");
    assert_eq!(stats["prizes"][0]["stock"], 2);
    assert_eq!(stats["prizes"][0]["stock_left"], 0);
    assert_eq!(stats["prizes"][0]["won"], 2);
    assert_eq!(
        (stats["from"].as_i64(), stats["to"].as_i64()),
        (Some(base - 3600), Some(base + 7200))
    );
    let hours = stats["by_hour"].as_array().cloned().unwrap_or_default();
    let at: Vec<i64> = hours.iter().filter_map(|h| h["at"].as_i64()).collect();
    assert_eq!(at, vec![base - 3600, base, base + 3600]);
    let figures: Vec<Vec<i64>> = hours
        .iter()
        .map(|h| {
            [
                "views",
                "participants",
                "draws",
                "wins",
                "winners",
                "checkins",
            ]
            .iter()
            .map(|f| h[*f].as_i64().unwrap_or(-1))
            .collect()
        })
        .collect();
    assert_eq!(
        figures,
        vec![
            vec![0, 1, 1, 0, 0, 0],
            vec![4, 1, 2, 2, 1, 0],
            vec![0, 1, 1, 0, 0, 0],
        ],
        "views, participants, draws, wins, winners, check-ins per hour"
    );
    // Labels are the local clock: base is on a half hour in UTC.
    let label = hours[1]["label"].as_str().unwrap_or("");
    assert!(label.ends_with(":00"), "{label}");
    assert_eq!(base.rem_euclid(3600), 1800);

    // Days cover the window; what they add up to is the total.
    let days = stats["by_day"].as_array().cloned().unwrap_or_default();
    assert!(days.len() >= 3, "{days:?}");
    for field in ["views", "draws", "wins"] {
        let sum: i64 = days.iter().filter_map(|d| d[field].as_i64()).sum();
        assert_eq!(
            sum,
            stats["totals"][field].as_i64().unwrap_or(-1),
            "{field}"
        );
    }

    // A range too long or backwards is refused.
    for (from, to) in [(base, base - 1), (base, base + 745 * 3600)] {
        let reply = app
            .open(
                "data/stats",
                json!({"activity_id": id, "from": from, "to": to}),
            )
            .await;
        assert_eq!(reply["code"], 1001, "{reply}");
    }
}

#[tokio::test]
async fn the_open_api_and_the_console_show_the_same_figures() {
    let app = TestApp::spawn().await;
    app.merchant("shop-1", "一号店").await;
    let id = merchant_activity(&app, "shop-1", sure_lottery("同一组数字", 1)).await;
    for u in ["x1", "x2"] {
        let token = app.login(&id, u).await;
        app.draw(&token, &id, "only").await;
    }
    let token = app.console_login("shop-1").await;
    let (from, to) = (now() - 7200, now() + 3600);
    let open = app
        .open_ok(
            "data/stats",
            json!({"activity_id": id, "from": from, "to": to}),
        )
        .await;
    let (status, console) = app
        .console_get(
            &token,
            &format!("/activities/{id}/stats?from={from}&to={to}"),
        )
        .await;
    assert_eq!(status, 200, "{console}");
    assert_eq!(console["result"], open);
    assert_eq!(open["totals"]["draws"], 2);
    assert_eq!(open["totals"]["winners"], 1);
    // Without a range both default to the same 24 hours.
    let open = app.open_ok("data/stats", json!({"activity_id": id})).await;
    let (_, console) = app
        .console_get(&token, &format!("/activities/{id}/stats"))
        .await;
    assert_eq!(console["result"]["by_hour"], open["by_hour"]);
    assert_eq!(open["by_hour"].as_array().map(Vec::len), Some(24));
}

#[tokio::test]
async fn records_list_participants_and_check_ins() {
    let app = TestApp::spawn().await;
    let id = app
        .published(json!({
            "template": "checkin",
            "title": "每日签到",
            "starts_at": now() - 60,
            "ends_at": now() + 30 * 86_400,
            "prizes": [{"name": "签到礼", "kind": "points", "points": 10, "probability": 0.0}],
            "rules": {"checkin": {"milestones": [{"days": 1, "prize": 0}]}},
        }))
        .await;
    for u in ["c1", "c2", "c3"] {
        let token = app.login(&id, u).await;
        let (status, reply) = app
            .post_json(
                &format!("/api/v1/activities/{id}/checkin"),
                Some(&token),
                &json!({}),
            )
            .await;
        assert_eq!(status, 200, "{reply}");
    }
    let checkins = app.records(&id, "checkins").await;
    assert_eq!(checkins.len(), 3);
    assert_eq!(checkins[0]["u_id"], "c1");
    assert_eq!(checkins[0]["made_up"], false);
    let page = app
        .open_ok(
            "data/records",
            json!({"activity_id": id, "type": "checkins", "limit": 2}),
        )
        .await;
    let next = app
        .open_ok(
            "data/records",
            json!({"activity_id": id, "type": "checkins", "limit": 2, "cursor": page["next_cursor"]}),
        )
        .await;
    assert_eq!(next["list"][0]["u_id"], "c3");
    assert!(next["next_cursor"].is_null());

    let players = app.records(&id, "participants").await;
    let names: Vec<&str> = players.iter().filter_map(|p| p["u_id"].as_str()).collect();
    assert_eq!(names, ["c1", "c2", "c3"]);
    assert_eq!(players[0]["checkins"], 1);
    assert_eq!(players[0]["wins"], 1, "the streak reward");
    assert_eq!(players[0]["draws"], 0, "a streak reward is not a draw");

    let stats = app.open_ok("data/stats", json!({"activity_id": id})).await;
    assert_eq!(stats["totals"]["checkins"], 3);
    assert_eq!(stats["totals"]["participants"], 3);
    assert_eq!(stats["totals"]["views"], 3);

    let reply = app
        .open(
            "data/records",
            json!({"activity_id": id, "type": "nothing"}),
        )
        .await;
    assert_eq!(reply["code"], 1001);
    assert!(reply["msg"].as_str().unwrap_or("").contains("participants"));
}

#[tokio::test]
async fn winners_are_searched_and_exported_as_csv() {
    let app = TestApp::spawn().await;
    app.merchant("shop-1", "一号店").await;
    let id = merchant_activity(
        &app,
        "shop-1",
        lottery(
            "兑换码抽奖",
            json!([{"name": "咖啡券", "kind": "code", "probability": 1.0, "codes": ["CAFE-1", "CAFE-2", "CAFE-3"]}]),
            json!({}),
        ),
    )
    .await;
    let nicknames = [
        ("w1", "王小明, \"阿明\""),
        ("w2", "=HYPERLINK(\"x\")"),
        ("w3", "李雷"),
    ];
    for (u_id, nickname) in nicknames {
        let ticket = app
            .open_ok(
                "user/ticket",
                json!({"u_id": u_id, "nickname": nickname, "activity_id": id}),
            )
            .await;
        let token = token_of(
            app.post_json(
                "/api/v1/session",
                None,
                &json!({"ticket": ticket["ticket"]}),
            )
            .await,
        );
        let (status, reply) = app.draw(&token, &id, "once").await;
        assert_eq!(status, 200, "{reply}");
    }
    let token = app.console_login("shop-1").await;

    // Newest first, page by page; searched by nickname, u_id or prize.
    let (_, page) = app
        .console_get(&token, &format!("/activities/{id}/winners?limit=2"))
        .await;
    let page = &page["result"];
    assert_eq!(page["list"][0]["u_id"], "w3");
    assert_eq!(page["list"][1]["u_id"], "w2");
    let (_, rest) = app
        .console_get(
            &token,
            &format!(
                "/activities/{id}/winners?limit=2&cursor={}",
                page["next_cursor"].as_str().unwrap_or("")
            ),
        )
        .await;
    assert_eq!(rest["result"]["list"][0]["u_id"], "w1");
    assert_eq!(rest["result"]["list"][0]["code"], "CAFE-1");
    for (q, expected) in [
        ("%E9%98%BF%E6%98%8E", 1),
        ("W3", 1),
        ("%E5%92%96%E5%95%A1", 3),
        ("%25", 0),
    ] {
        let (_, found) = app
            .console_get(&token, &format!("/activities/{id}/winners?q={q}"))
            .await;
        assert_eq!(
            found["result"]["list"].as_array().map(Vec::len),
            Some(expected),
            "q={q}: {found}"
        );
    }

    // The export link downloads once, without a header.
    let (_, link) = app
        .console_post(&token, &format!("/activities/{id}/export"), json!({}))
        .await;
    let url = link["result"]["url"].as_str().expect("url").to_owned();
    assert!(url.starts_with(&format!(
        "{}/api/v1/console/activities/{id}/winners.csv?ticket=",
        app.base
    )));
    let response = app.client.get(&url).send().await.expect("CSV");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap_or("")
            .contains(&format!("winners-{id}.csv"))
    );
    let bytes = response.bytes().await.expect("body");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "a byte-order mark for Excel");
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "中奖编号,中奖时间,用户ID,昵称,奖品,奖品类型,兑换码,发放状态,备注,来源"
    );
    assert_eq!(
        lines.len(),
        5,
        "header, three winners, and the last CRLF: {text}"
    );
    assert!(
        lines[1].contains(",w1,\"王小明, \"\"阿明\"\"\",咖啡券,兑换码,CAFE-1,,,抽奖"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(",w2,\"'=HYPERLINK(\"\"x\"\")\",咖啡券,"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains(",w3,李雷,咖啡券,兑换码,CAFE-3,"),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], "");

    let again = app.get_json(&url.replace(&app.base, ""), None).await;
    assert_eq!(code(&again), (401, 2006), "the link works once");

    // With the bearer header, and a search.
    let response = app
        .client
        .get(app.url(&format!(
            "/api/v1/console/activities/{id}/winners.csv?q=%E6%9D%8E"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .expect("CSV");
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("text");
    assert_eq!(
        text.trim_start_matches('\u{feff}').split("\r\n").count(),
        3,
        "{text}"
    );
    assert!(text.contains("李雷"));
    // Without either: 1002.
    let reply = app
        .get_json(
            &format!("/api/v1/console/activities/{id}/winners.csv"),
            None,
        )
        .await;
    assert_eq!(code(&reply), (401, 1002));
}

#[tokio::test]
async fn the_console_page_may_be_framed_by_the_partner_of_its_ticket() {
    let dist = tempfile::tempdir().expect("dist");
    std::fs::create_dir(dist.path().join("console")).expect("console dir");
    std::fs::write(
        dist.path().join("console").join("index.html"),
        "<!DOCTYPE html><html lang=\"zh-CN\"><body></body></html>",
    )
    .expect("index");
    let path = dist.path().to_path_buf();
    let app = TestApp::spawn_with(move |config| config.dist_dir = path).await;
    app.open_ok(
        "partner/config",
        json!({"config": {"allowed_origins": ["https://admin.example.com"]}}),
    )
    .await;
    app.merchant("shop-1", "一号店").await;
    let issued = app
        .open_ok("console/ticket", json!({"merchant_id": "shop-1"}))
        .await;
    let url = issued["console_url"].as_str().expect("url");
    let csp = |response: reqwest::Response| {
        response
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        csp(app.client.get(url).send().await.expect("page")).as_deref(),
        Some("frame-ancestors 'self' https://admin.example.com")
    );
    assert_eq!(
        csp(app.get("/console/?ticket=unknown").await).as_deref(),
        Some("frame-ancestors 'self'")
    );
}

/// An activity with what the console's form does not show: a code pool, a
/// release plan, per-player caps and an anti-farming rule.
fn rich_lottery(title: &str) -> Value {
    let mut body = lottery(
        title,
        json!([
            {"name": "一等奖 · 耳机", "kind": "goods", "probability": 0.01, "stock": 10,
             "per_user_limit": 1, "release": {"every": "day", "amount": 2}, "value": 29900},
            {"name": "咖啡兑换码", "kind": "code", "probability": 0.1,
             "codes": ["CAFE-001", "CAFE-002", "CAFE-003"]},
            {"name": "50 积分", "kind": "points", "probability": 0.2, "points": 50},
            {"name": "满减券", "kind": "coupon", "probability": 0.2, "coupon_id": "C-88"}
        ]),
        json!({"chances_per_day": 3, "risk": {"ip_draws_max": 30, "ip_window_secs": 60}}),
    );
    body["starts_at"] = json!(now() + 3600);
    body
}

async fn codes_of(app: &TestApp, prize: &str) -> Vec<String> {
    huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_scalar(
            "SELECT c.code FROM prize_codes c JOIN prizes p ON p.id = c.prize_id \
             WHERE p.name = $1 ORDER BY c.id",
        )
        .bind(prize)
        .fetch_all(pool)
        .await
    })
    .expect("codes")
}

#[tokio::test]
async fn an_edit_keeps_the_code_pool_and_what_the_form_does_not_change() {
    let app = TestApp::spawn().await;
    app.merchant("shop-1", "一号店").await;
    let token = app.console_login("shop-1").await;
    let (status, created) = app
        .console_post(&token, "/activities", rich_lottery("周年庆"))
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["result"]["activity_id"]
        .as_str()
        .expect("id")
        .to_owned();

    // What an editor needs to show the prizes again.
    let (_, got) = app.console_get(&token, &format!("/activities/{id}")).await;
    let prizes = got["result"]["prizes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let named = |name: &str| {
        prizes
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {prizes:?}"))
    };
    assert_eq!(named("咖啡兑换码")["codes_total"], 3);
    assert_eq!(named("咖啡兑换码")["stock"], 3);
    assert_eq!(named("50 积分")["points"], 50);
    assert_eq!(named("满减券")["coupon_id"], "C-88");
    assert_eq!(named("一等奖 · 耳机")["value"], 29900);
    assert_eq!(named("一等奖 · 耳机")["codes_total"], Value::Null);

    // An edit that sends the code prize without its codes keeps the pool.
    let prizes_without_codes = json!([
        {"name": "一等奖 · 耳机", "kind": "goods", "probability": 0.02, "stock": 10,
         "per_user_limit": 1, "release": {"every": "day", "amount": 2}},
        {"name": "咖啡兑换码", "kind": "code", "probability": 0.1},
        {"name": "50 积分", "kind": "points", "probability": 0.2, "points": 50}
    ]);
    let (status, changed) = app
        .console_post(
            &token,
            &format!("/activities/{id}"),
            json!({"title": "周年庆 · 第二版", "prizes": prizes_without_codes}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        codes_of(&app, "咖啡兑换码").await,
        ["CAFE-001", "CAFE-002", "CAFE-003"]
    );
    let result = &changed["result"];
    assert_eq!(result["prizes"][1]["codes_total"], 3);
    assert_eq!(result["prizes"][1]["stock_left"], 3);
    assert_eq!(result["prizes"][0]["probability_ppm"], 20_000);
    assert_eq!(result["rules"]["risk"]["ip_draws_max"], 30, "{result}");

    // A code prize under a new name has no pool to keep: refused, nothing changed.
    let (status, refused) = app
        .console_post(
            &token,
            &format!("/activities/{id}"),
            json!({"title": "周年庆 · 第三版", "prizes": [
                {"name": "奶茶兑换码", "kind": "code", "probability": 0.1}
            ]}),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_i64()),
        (422, Some(1001)),
        "{refused}"
    );
    let msg = refused["msg"].as_str().unwrap_or("");
    assert!(
        msg.starts_with("prizes[0].codes") && msg.contains("奶茶兑换码"),
        "{msg}"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM prizes p JOIN activities a ON a.id = p.activity_id \
             WHERE a.public_id = '{id}' AND a.title = '周年庆 · 第二版'"
        ))
        .await,
        3
    );
    assert_eq!(codes_of(&app, "咖啡兑换码").await.len(), 3);

    // One pool never goes to two prizes: a code is handed out once.
    let (status, refused) = app
        .console_post(
            &token,
            &format!("/activities/{id}"),
            json!({"prizes": [
                {"name": "咖啡兑换码", "kind": "code", "probability": 0.1},
                {"name": "咖啡兑换码", "kind": "code", "probability": 0.1}
            ]}),
        )
        .await;
    assert_eq!((status, refused["code"].as_i64()), (422, Some(1001)));
    let msg = refused["msg"].as_str().unwrap_or("");
    assert!(
        msg.starts_with("prizes[1].codes") && msg.contains("已由第 1 个奖品沿用"),
        "{msg}"
    );
    assert_eq!(codes_of(&app, "咖啡兑换码").await.len(), 3);

    // Two prizes of one name, each with a pool: which to keep is not guessed.
    let (status, _) = app
        .console_post(
            &token,
            &format!("/activities/{id}"),
            json!({"prizes": [
                {"name": "咖啡兑换码", "kind": "code", "probability": 0.1},
                {"name": "咖啡兑换码", "kind": "code", "probability": 0.1, "codes": ["TWIN-1"]}
            ]}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, refused) = app
        .console_post(
            &token,
            &format!("/activities/{id}"),
            json!({"prizes": [{"name": "咖啡兑换码", "kind": "code", "probability": 0.1}]}),
        )
        .await;
    assert_eq!((status, refused["code"].as_i64()), (422, Some(1001)));
    assert!(
        refused["msg"]
            .as_str()
            .unwrap_or("")
            .contains("有多个名为「咖啡兑换码」"),
        "{refused}"
    );
    assert_eq!(
        codes_of(&app, "咖啡兑换码").await,
        ["CAFE-001", "CAFE-002", "CAFE-003", "TWIN-1"]
    );

    // New codes replace the pool.
    let (status, replaced) = app
        .console_post(
            &token,
            &format!("/activities/{id}"),
            json!({"prizes": [
                {"name": "咖啡兑换码", "kind": "code", "probability": 0.1, "codes": ["NEW-1", "NEW-2"]}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(codes_of(&app, "咖啡兑换码").await, ["NEW-1", "NEW-2"]);
    assert_eq!(replaced["result"]["prizes"][0]["codes_total"], 2);
}
