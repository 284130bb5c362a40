//! The live big-screen lottery: host tokens, N winners per tier drawn from
//! the pool exactly, nobody twice unless allowed, and the push channel (every
//! viewer the same winners, resumption by event id, and a viewer of another
//! instance on the same database).

use std::collections::HashSet;
use std::time::Duration;

use huodong_tests::open::now;
use huodong_tests::sse::SseClient;
use huodong_tests::{Api, TestApp};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);

/// A published live activity with `tiers` and `rules`.
async fn live(app: &Api, tiers: Value, rules: Value) -> String {
    app.published(json!({
        "template": "live",
        "title": "年会抽奖",
        "starts_at": now() - 60,
        "ends_at": now() + 86_400,
        "rules": rules,
        "prizes": tiers,
    }))
    .await
}

fn three_tiers() -> Value {
    json!([
        {"name": "一等奖 · 蓝牙耳机", "kind": "goods", "stock": 3},
        {"name": "二等奖 · 保温杯", "kind": "goods", "stock": 5},
        {"name": "三等奖 · 积分", "kind": "points", "points": 100, "stock": 50}
    ])
}

/// A host token for the activity.
async fn host_token(app: &Api, id: &str) -> String {
    let host = app.open_ok("live/host", json!({"activity_id": id})).await;
    assert!(
        host["host_url"]
            .as_str()
            .is_some_and(|u| u.contains(&format!("/live/{id}/host?token="))),
        "{host}"
    );
    host["token"].as_str().expect("token").to_owned()
}

/// Joins `u_id` to the pool (a ticket exchanged for a session); its token.
async fn join(app: &Api, id: &str, u_id: &str) -> String {
    let ticket = app
        .open_ok(
            "user/ticket",
            json!({"u_id": u_id, "nickname": format!("观众{u_id}"), "activity_id": id}),
        )
        .await;
    let (status, session) = app
        .post_json(
            "/api/v1/session",
            None,
            &json!({"ticket": ticket["ticket"]}),
        )
        .await;
    assert_eq!(status, 200, "{session}");
    session["result"]["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// A host call; the status and envelope.
async fn host(app: &Api, id: &str, token: Option<&str>, what: &str, body: Value) -> (u16, Value) {
    app.post_json(&format!("/api/v1/live/{id}/{what}"), token, &body)
        .await
}

/// Start then stop: the winners' u_ids (as the test named them: `观众<u_id>`).
async fn round(app: &Api, id: &str, token: &str, tier: i64, count: i64) -> Value {
    let (_, started) = host(
        app,
        id,
        Some(token),
        "start",
        json!({"tier": tier, "count": count}),
    )
    .await;
    assert_eq!(started["code"], 0, "{started}");
    let (_, stopped) = host(app, id, Some(token), "stop", json!({})).await;
    stopped
}

fn names(reply: &Value) -> Vec<String> {
    reply["result"]["winners"]
        .as_array()
        .expect("winners")
        .iter()
        .map(|w| {
            w["name"]
                .as_str()
                .expect("name")
                .trim_start_matches("观众")
                .to_owned()
        })
        .collect()
}

async fn tier_ids(app: &Api, id: &str) -> Vec<i64> {
    let (_, state) = app.get_json(&format!("/api/v1/live/{id}"), None).await;
    state["result"]["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .map(|t| t["prize_id"].as_i64().expect("prize_id"))
        .collect()
}

#[tokio::test]
async fn the_host_token_is_required_and_scoped_to_its_activity() {
    let app = TestApp::spawn().await;
    let a = live(&app, three_tiers(), json!({})).await;
    let b = live(&app, three_tiers(), json!({})).await;
    let token_a = host_token(&app, &a).await;
    let token_b = host_token(&app, &b).await;
    let start = json!({});

    let (status, reply) = host(&app, &a, None, "start", start.clone()).await;
    assert_eq!(
        (status, reply["code"].as_i64()),
        (401, Some(1002)),
        "{reply}"
    );
    let (status, reply) = host(&app, &a, Some("not-a-token"), "start", start.clone()).await;
    assert_eq!(
        (status, reply["code"].as_i64()),
        (401, Some(1002)),
        "{reply}"
    );
    let (status, reply) = host(&app, &a, Some(&token_b), "start", start.clone()).await;
    assert_eq!(
        (status, reply["code"].as_i64()),
        (403, Some(1003)),
        "{reply}"
    );
    // A player's session is not a host token.
    let player = join(&app, &a, "p1").await;
    let (status, _) = host(&app, &a, Some(&player), "stop", start.clone()).await;
    assert_eq!(status, 401);
    let (status, reply) = host(&app, &a, Some(&token_a), "start", start.clone()).await;
    assert_eq!((status, reply["code"].as_i64()), (200, Some(0)), "{reply}");
    assert_eq!(reply["result"]["phase"], "rolling");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM live_hosts WHERE length(token_hash) = 64")
            .await,
        2,
        "tokens are stored hashed"
    );

    // The host page checks a token in its address; the screen is public.
    let page = app.get(&format!("/live/{a}/host?token={token_b}")).await;
    assert_eq!(page.status(), 403);
    let page = app.get(&format!("/live/{a}/host?token={token_a}")).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let html = page.text().await.expect("html");
    assert!(html.contains("host-controls") && html.contains("join-qr"));
    let screen = app.get(&format!("/live/{a}")).await;
    assert_eq!(screen.status(), 200);
    let html = screen.text().await.expect("html");
    assert!(html.contains(r#"data-theme="double11""#) && !html.contains("host-controls"));

    // Only live activities have host links and screens.
    let wheel = app
        .published(huodong_tests::open::lottery(
            "转盘",
            json!([{"name": "奖", "kind": "points", "points": 1, "probability": 0.5}]),
            json!({}),
        ))
        .await;
    let reply = app.open("live/host", json!({"activity_id": wheel})).await;
    assert_eq!(reply["code"], 1001, "{reply}");
    assert_eq!(app.get(&format!("/live/{wheel}")).await.status(), 404);
    // Live settings only on live activities; no provably-fair pool draws.
    let mut body = huodong_tests::open::lottery(
        "转盘",
        json!([{"name": "奖", "kind": "points", "points": 1, "probability": 0.5}]),
        json!({"live": {"allow_repeat_winners": true}}),
    );
    let reply = app.open("activity/create", body.clone()).await;
    assert_eq!(reply["code"], 1001, "{reply}");
    body["template"] = json!("live");
    body["rules"] = json!({"provably_fair": true});
    let reply = app.open("activity/create", body.clone()).await;
    assert_eq!(reply["code"], 1001, "{reply}");
    // A tier needs a number of winners.
    body["rules"] = json!({});
    body["prizes"] = json!([{"name": "奖", "kind": "points", "points": 1}]);
    let reply = app.open("activity/create", body).await;
    assert_eq!(reply["code"], 1001, "{reply}");
    assert!(
        reply["msg"].as_str().is_some_and(|m| m.contains("stock")),
        "{reply}"
    );
}

#[tokio::test]
async fn winners_are_exactly_n_from_the_pool_within_stock_and_never_twice() {
    let app = TestApp::spawn().await;
    let id = live(&app, three_tiers(), json!({})).await;
    let token = host_token(&app, &id).await;
    let tiers = tier_ids(&app, &id).await;
    let mut players = Vec::new();
    for n in 0..20 {
        players.push(join(&app, &id, &format!("{n:02}")).await);
    }
    // A ticket never exchanged is not in the pool; a blacklisted joiner is
    // never drawn.
    app.open_ok("user/ticket", json!({"u_id": "absent", "activity_id": id}))
        .await;
    app.open_ok(
        "risk/blacklist",
        json!({"activity_id": id, "action": "add", "kind": "u_id", "value": "19"}),
    )
    .await;
    let (_, state) = app.get_json(&format!("/api/v1/live/{id}"), None).await;
    assert_eq!(state["result"]["pool"]["count"], 20, "{state}");

    // Players do not draw a live activity themselves.
    let (_, reply) = app.draw(&players[0], &id, "k").await;
    assert_eq!(reply["code"], 1001, "{reply}");
    // Stop before start: nothing to stop.
    let (status, reply) = host(&app, &id, Some(&token), "stop", json!({"tier": tiers[0]})).await;
    assert_eq!(
        (status, reply["code"].as_i64()),
        (409, Some(1009)),
        "{reply}"
    );

    let mut everyone: Vec<String> = Vec::new();
    let first = round(&app, &id, &token, tiers[0], 3).await;
    assert_eq!(first["code"], 0, "{first}");
    let first = names(&first);
    assert_eq!(first.len(), 3, "exactly N");
    everyone.extend(first);
    // Ten asked, five in stock: five.
    let second = round(&app, &id, &token, tiers[1], 10).await;
    let second = names(&second);
    assert_eq!(second.len(), 5, "never more than the stock");
    everyone.extend(second);
    // Fifty asked and in stock, but only 20 − 1 blacklisted − 8 winners are eligible.
    let third = round(&app, &id, &token, tiers[2], 50).await;
    let third = names(&third);
    assert_eq!(third.len(), 11, "everyone eligible, once");
    everyone.extend(third);

    let unique: HashSet<&String> = everyone.iter().collect();
    assert_eq!(unique.len(), everyone.len(), "nobody twice: {everyone:?}");
    let pool: HashSet<String> = (0..19).map(|n| format!("{n:02}")).collect();
    assert!(everyone.iter().all(|w| pool.contains(w)), "{everyone:?}");

    // Nobody left to draw; a tier drawn out says so.
    let reply = round(&app, &id, &token, tiers[2], 1).await;
    assert_eq!(reply["code"], 1009, "{reply}");
    let (_, reply) = host(&app, &id, Some(&token), "stop", json!({"tier": tiers[0]})).await;
    assert_eq!(
        reply["code"], 1009,
        "still rolling after a refused stop: {reply}"
    );
    let (_, reply) = host(&app, &id, Some(&token), "stop", json!({"cancel": true})).await;
    assert_eq!(reply["code"], 0, "{reply}");

    // Recorded as draws: stock taken exactly, auditable rolls, in `me`.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws WHERE source = 'live'")
            .await,
        19
    );
    assert_eq!(
        app.scalar("SELECT COUNT(DISTINCT player_id) FROM draws WHERE source = 'live'")
            .await,
        19
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws WHERE source = 'live' AND (roll < 0 OR roll >= weight_total)")
            .await,
        0
    );
    let left = |n: usize| format!("SELECT stock_left FROM prizes WHERE id = {}", tiers[n]);
    assert_eq!(app.scalar(&left(0)).await, 0);
    assert_eq!(app.scalar(&left(1)).await, 0);
    assert_eq!(app.scalar(&left(2)).await, 50 - 11);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM live_rounds").await, 3);
    let me = app.me(&players[0], &id).await;
    let won = me["prizes"].as_array().expect("prizes").len();
    assert_eq!(
        won,
        usize::from(everyone.contains(&"00".to_owned())),
        "{me}"
    );
}

#[tokio::test]
async fn repeat_winners_only_when_allowed_and_never_twice_in_a_round() {
    let app = TestApp::spawn().await;
    let id = live(
        &app,
        json!([
            {"name": "红包", "kind": "points", "points": 8, "stock": 100},
            {"name": "限一次", "kind": "points", "points": 8, "stock": 100, "per_user_limit": 1}
        ]),
        json!({"live": {"allow_repeat_winners": true}}),
    )
    .await;
    let token = host_token(&app, &id).await;
    let tiers = tier_ids(&app, &id).await;
    for n in 0..3 {
        join(&app, &id, &format!("r{n}")).await;
    }
    for _ in 0..3 {
        let reply = round(&app, &id, &token, tiers[0], 5).await;
        let mut got = names(&reply);
        assert_eq!(got.len(), 3, "the whole pool, each once: {reply}");
        got.sort();
        assert_eq!(got, ["r0", "r1", "r2"]);
    }
    let reply = round(&app, &id, &token, tiers[1], 2).await;
    assert_eq!(names(&reply).len(), 2);
    let reply = round(&app, &id, &token, tiers[1], 2).await;
    assert_eq!(names(&reply).len(), 1, "the per-user cap of the tier holds");
}

#[tokio::test]
async fn every_viewer_gets_the_same_winners_and_a_reconnect_gets_what_it_missed() {
    let app = TestApp::spawn().await;
    let id = live(&app, three_tiers(), json!({})).await;
    let token = host_token(&app, &id).await;
    let tiers = tier_ids(&app, &id).await;
    for n in 0..8 {
        join(&app, &id, &format!("v{n}")).await;
    }
    let path = format!("/api/v1/live/{id}/stream");
    let mut viewers = Vec::new();
    for _ in 0..3 {
        let mut viewer = SseClient::connect(&app, &path, None).await;
        let pool = viewer.next_of("pool", WAIT).await;
        assert_eq!(pool.data["count"], 8);
        assert_eq!(pool.id, None);
        viewers.push(viewer);
    }

    let (_, started) = host(
        &app,
        &id,
        Some(&token),
        "start",
        json!({"tier": tiers[0], "count": 2}),
    )
    .await;
    assert_eq!(started["code"], 0, "{started}");
    let mut rolling_id = 0;
    for viewer in &mut viewers {
        let rolling = viewer.next_of("rolling", WAIT).await;
        assert_eq!(rolling.data["tier"]["prize_id"], tiers[0]);
        assert_eq!(rolling.data["names"].as_array().map(Vec::len), Some(8));
        rolling_id = rolling.id.expect("stored events have ids");
    }
    // One viewer drops out while the names roll.
    let dropped = viewers.pop().expect("a viewer");
    drop(dropped);
    let (_, stopped) = host(&app, &id, Some(&token), "stop", json!({})).await;
    assert_eq!(stopped["code"], 0, "{stopped}");
    let drawn = &stopped["result"]["winners"];
    assert_eq!(drawn.as_array().map(Vec::len), Some(2));
    let mut winners_id = 0;
    for viewer in &mut viewers {
        let winners = viewer.next_of("winners", WAIT).await;
        assert_eq!(&winners.data["winners"], drawn, "the same winners");
        assert_eq!(winners.data["tier"]["stock_left"], 1);
        winners_id = winners.id.expect("id");
        assert_eq!(winners_id, rolling_id + 1);
    }
    // The draw ids are the winners' draws, and a winner knows themself.
    let (_, me_state) = app.get_json(&format!("/api/v1/live/{id}"), None).await;
    assert_eq!(me_state["result"]["phase"], "idle");

    // It reconnects with Last-Event-ID: the pool, then exactly what it missed.
    let mut back = SseClient::connect(&app, &path, Some(rolling_id)).await;
    let first = back.next().await.expect("an event");
    assert_eq!(first.event, "pool");
    let missed = back.next().await.expect("an event");
    assert_eq!(
        (missed.event.as_str(), missed.id),
        ("winners", Some(winners_id))
    );
    assert_eq!(&missed.data["winners"], drawn);
    let more = back.drain(Duration::from_millis(600)).await;
    assert!(
        more.iter().all(|e| e.event == "pool"),
        "nothing else was missed: {more:?}"
    );
    // `?after=` does the same; a new screen gets everything so far.
    let mut late = SseClient::connect(&app, &format!("{path}?after={rolling_id}"), None).await;
    assert_eq!(late.next_of("winners", WAIT).await.id, Some(winners_id));
    let mut fresh = SseClient::connect(&app, &path, None).await;
    let replay: Vec<(String, Option<i64>)> = fresh
        .drain(Duration::from_millis(600))
        .await
        .into_iter()
        .map(|e| (e.event, e.id))
        .collect();
    assert_eq!(
        replay,
        [
            ("pool".to_owned(), None),
            ("rolling".to_owned(), Some(rolling_id)),
            ("winners".to_owned(), Some(winners_id))
        ]
    );

    // A newcomer joining shows in the pool of every viewer.
    join(&app, &id, "late").await;
    for viewer in &mut viewers {
        let mut pool = viewer.next_of("pool", WAIT).await;
        while pool.data["count"] == 8 {
            pool = viewer.next_of("pool", WAIT).await;
        }
        assert_eq!(pool.data["count"], 9, "{:?}", pool.data);
        assert_eq!(pool.data["newest"][0]["name"], "观众late");
    }
    // Cancel pushes `stopped`.
    host(&app, &id, Some(&token), "start", json!({})).await;
    let (_, reply) = host(&app, &id, Some(&token), "stop", json!({"cancel": true})).await;
    assert_eq!(reply["code"], 0, "{reply}");
    for viewer in &mut viewers {
        viewer.next_of("stopped", WAIT).await;
    }
}

#[tokio::test]
async fn a_viewer_of_another_instance_sees_the_winners_drawn_through_the_first() {
    let app = TestApp::spawn().await;
    // A second server on the same database, with its own hub and pool.
    let url = app.state.config.database_url();
    let mut config = huodong_server::config::Config::for_tests(url);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    config.listen = listener.local_addr().expect("addr");
    config.dist_dir = app.state.config.dist_dir.clone();
    config.public_dir = app.state.config.public_dir.clone();
    let second = huodong_server::build_state(config).await.expect("state");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let other = Api::new(format!("http://{}", listener.local_addr().expect("addr")));
    tokio::spawn(huodong_server::serve(listener, second, async {
        let _ = stop_rx.await;
    }));

    let id = live(&app, three_tiers(), json!({})).await;
    let token = host_token(&app, &id).await;
    let tiers = tier_ids(&app, &id).await;
    for n in 0..4 {
        // Joining through either instance.
        let api: &Api = if n % 2 == 0 { &app } else { &other };
        join(api, &id, &format!("m{n}")).await;
    }
    let path = format!("/api/v1/live/{id}/stream");
    let mut on_b = SseClient::connect(&other, &path, None).await;
    assert_eq!(on_b.next_of("pool", WAIT).await.data["count"], 4);
    let mut on_a = SseClient::connect(&app, &path, None).await;
    on_a.next_of("pool", WAIT).await;

    let (_, started) = host(
        &app,
        &id,
        Some(&token),
        "start",
        json!({"tier": tiers[1], "count": 3}),
    )
    .await;
    assert_eq!(started["code"], 0, "{started}");
    on_b.next_of("rolling", WAIT).await;
    let (_, stopped) = host(&app, &id, Some(&token), "stop", json!({})).await;
    assert_eq!(stopped["code"], 0, "{stopped}");
    let drawn = &stopped["result"]["winners"];
    let seen_b = on_b.next_of("winners", WAIT).await;
    let seen_a = on_a.next_of("winners", WAIT).await;
    assert_eq!(&seen_b.data["winners"], drawn);
    assert_eq!(
        seen_a, seen_b,
        "the same event, the same id, on both instances"
    );
    // The host may drive from the other instance too.
    let (_, started) = host(
        &other,
        &id,
        Some(&token),
        "start",
        json!({"tier": tiers[2], "count": 1}),
    )
    .await;
    assert_eq!(started["code"], 0, "{started}");
    assert_eq!(on_a.next_of("rolling", WAIT).await.data["round"], 2);
    let _ = stop_tx.send(());
}

/// The demo big screen is seeded: its screen page, its tiers, a host link,
/// and a round drawn from the people who joined.
#[tokio::test]
async fn the_demo_big_screen_is_seeded_and_draws() {
    let app = TestApp::spawn().await;
    let id = huodong_server::seed::DEMO_LIVE;
    let screen = app.get(&format!("/live/{id}")).await;
    assert_eq!(screen.status(), 200);
    let page = screen.text().await.expect("page");
    assert!(page.contains("年会大屏抽奖"), "{page}");
    let tiers = tier_ids(&app, id).await;
    assert_eq!(tiers.len(), 3);
    let token = host_token(&app, id).await;
    for u in ["demo-a", "demo-b"] {
        join(&app, id, u).await;
    }
    let stopped = round(&app, id, &token, tiers[0], 1).await;
    assert_eq!(stopped["code"], 0, "{stopped}");
    let winners = names(&stopped);
    assert_eq!(winners.len(), 1, "{stopped}");
    assert!(["demo-a", "demo-b"].contains(&winners[0].as_str()));
}

/// Host tokens past their expiry are refused and swept away; a live one stays.
#[tokio::test]
async fn expired_host_tokens_are_refused_and_swept() {
    let app = TestApp::spawn().await;
    let id = huodong_server::seed::DEMO_LIVE;
    let tiers = tier_ids(&app, id).await;
    let start = json!({"tier": tiers[0], "count": 1});
    let token = host_token(&app, id).await;
    let stale = host_token(&app, id).await;
    app.execute(&format!(
        "UPDATE live_hosts SET expires_at = 1 WHERE token_hash = '{}'",
        huodong_server::ids::sha256_hex(stale.as_bytes())
    ))
    .await;
    let (_, without) = host(&app, id, None, "start", start.clone()).await;
    let (_, refused) = host(&app, id, Some(&stale), "start", start.clone()).await;
    assert_ne!(refused["code"], 0, "{refused}");
    assert_eq!(
        refused["code"], without["code"],
        "as if it had no token: {refused}"
    );
    huodong_server::open::sweep_expired(&app.state.db)
        .await
        .expect("sweep");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM live_hosts").await, 1);
    let (_, started) = host(&app, id, Some(&token), "start", start).await;
    assert_eq!(started["code"], 0, "{started}");
}
