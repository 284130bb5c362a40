//! The live big screen in Chromium: a host runs a draw from the host page
//! while three big-screen pages watch; every screen shows the same winners
//! (the ones recorded in the database), and the 1920×1080 screen is saved to
//! `target/screenshots/live-screen.png`.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::response::IntoResponse;
use axum::routing::get;
use fantoccini::{Client, Locator};
use huodong_tests::TestApp;
use huodong_tests::browser::Browser;
use huodong_tests::open::now;
use serde_json::{Value, json};

const NAMES: [&str; 14] = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄强",
    "周杰伦粉丝",
    "吴霞",
    "徐明",
    "孙丽",
    "马超",
    "胡歌",
];

/// A server of avatar pictures (players' avatars live on the partner's CDN).
async fn avatars() -> SocketAddr {
    async fn avatar(Path(n): Path<String>) -> impl IntoResponse {
        let n: usize = n.trim_end_matches(".svg").parse().unwrap_or(0);
        let hue = (n * 47) % 360;
        let svg = format!(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'><rect width='64' height='64' fill='hsl({hue},70%,55%)'/>\
             <circle cx='32' cy='25' r='12' fill='#fff' fill-opacity='.9'/><ellipse cx='32' cy='58' rx='20' ry='16' fill='#fff' fill-opacity='.9'/></svg>"
        );
        ([("content-type", "image/svg+xml")], svg)
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().route("/avatar/{n}", get(avatar));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Evaluates `script` until it returns something other than null/false.
async fn until(c: &Client, script: &str, what: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let value = c.execute(script, vec![]).await.expect("script runs");
        if !(value.is_null() || value == Value::Bool(false)) {
            return value;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The winners a screen shows: `(draw_id, name)`, sorted.
async fn shown(c: &Client, round: i64) -> Vec<(i64, String)> {
    let script = format!(
        "var r = document.getElementById('reel');
         if (r.getAttribute('data-round') !== '{round}') return null;
         return Array.from(document.querySelectorAll('[data-testid=winner]')).map(function(e) {{
           return [+e.getAttribute('data-draw-id'), e.querySelector('.name').textContent];
         }});"
    );
    let value = until(c, &script, "the winners on screen").await;
    let mut list: Vec<(i64, String)> = serde_json::from_value(value).expect("pairs");
    list.sort();
    list
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_draws_live_while_three_screens_show_the_same_winners() {
    let app = TestApp::spawn().await;
    let pictures = avatars().await;
    let id = app
        .published(json!({
            "template": "live",
            "title": "2026 年度盛典 · 现场抽奖",
            "starts_at": now() - 60,
            "ends_at": now() + 3600,
            "theme": "spring_festival",
            "prizes": [
                {"name": "特等奖 · 华为 Mate 手机", "kind": "goods", "stock": 1},
                {"name": "一等奖 · 蓝牙耳机", "kind": "goods", "stock": 3},
                {"name": "二等奖 · 保温杯", "kind": "goods", "stock": 10},
                {"name": "三等奖 · 100 积分", "kind": "points", "points": 100, "stock": 30}
            ]
        }))
        .await;
    for (n, name) in NAMES.iter().enumerate() {
        let mut body =
            json!({"u_id": format!("1380000{n:04}"), "nickname": name, "activity_id": id});
        if n % 3 != 2 {
            body["avatar"] = json!(format!("http://{pictures}/avatar/{n}.svg"));
        }
        let ticket = app.open_ok("user/ticket", body).await;
        let (status, _) = app
            .post_json(
                "/api/v1/session",
                None,
                &json!({"ticket": ticket["ticket"]}),
            )
            .await;
        assert_eq!(status, 200);
    }
    let host = app.open_ok("live/host", json!({"activity_id": id})).await;
    let host_url = host["host_url"].as_str().expect("host_url").to_owned();
    let (_, state) = app.get_json(&format!("/api/v1/live/{id}"), None).await;
    let tiers: Vec<i64> = state["result"]["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .map(|t| t["prize_id"].as_i64().expect("id"))
        .collect();

    // Three big screens: one at exactly 1920×1080, two smaller windows (the
    // stage scales to fit).
    let screens = [
        Browser::phone(1920, 1080).await,
        Browser::start(1280, 800).await,
        Browser::start(1024, 700).await,
    ];
    for screen in &screens {
        let c = &screen.client;
        c.goto(&app.url(&format!("/live/{id}")))
            .await
            .expect("open screen");
        until(
            c,
            "return document.body.getAttribute('data-connected') === '1' && document.getElementById('pool-count').textContent === '14';",
            "the screen connected with the pool",
        )
        .await;
    }
    // The waiting screen, before any round.
    screens[0].screenshot("live-screen-waiting").await;

    let host_browser = Browser::start(1600, 1000).await;
    let h = &host_browser.client;
    h.goto(&host_url).await.expect("open host page");
    h.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=host-controls]"))
        .await
        .expect("host controls");
    let address = h.current_url().await.expect("url");
    assert!(
        !address.as_str().contains("token"),
        "the token leaves the address bar (the screen may be projected): {address}"
    );

    // Round 1: 一等奖, 3 winners, with the buttons.
    h.find(Locator::Css(&format!("#tier option[value='{}']", tiers[1])))
        .await
        .expect("tier option")
        .click()
        .await
        .expect("pick tier");
    let count = h.find(Locator::Css("#count")).await.expect("count");
    count.clear().await.expect("clear");
    count.send_keys("3").await.expect("type count");
    h.find(Locator::Css("[data-testid=start]"))
        .await
        .expect("start")
        .click()
        .await
        .expect("press start");
    for screen in &screens {
        until(
            &screen.client,
            "return document.getElementById('stage').getAttribute('data-phase') === 'rolling' && document.querySelectorAll('#reel .card').length === 3;",
            "names rolling",
        )
        .await;
    }
    screens[0].screenshot("live-screen-rolling").await;
    until(
        h,
        "return !document.getElementById('stop').disabled;",
        "stop enabled",
    )
    .await;
    h.find(Locator::Css("[data-testid=stop]"))
        .await
        .expect("stop")
        .click()
        .await
        .expect("press stop");
    let mut seen = Vec::new();
    for screen in &screens {
        seen.push(shown(&screen.client, 1).await);
    }
    assert_eq!(seen[0].len(), 3, "{seen:?}");
    assert!(
        seen.iter().all(|s| *s == seen[0]),
        "the same winners on every screen: {seen:?}"
    );
    // They are the draws recorded for the tier.
    let ids: Vec<String> = seen[0].iter().map(|(d, _)| d.to_string()).collect();
    let recorded = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM draws WHERE source = 'live' AND prize_id = {} AND id IN ({})",
            tiers[1],
            ids.join(",")
        ))
        .await;
    assert_eq!(recorded, 3);
    for (_, name) in &seen[0] {
        assert!(NAMES.contains(&name.as_str()), "{name}");
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let shot = screens[0].screenshot("live-screen").await;
    assert!(std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0) > 20_000);
    host_browser.screenshot("live-host").await;

    // Round 2 from the keyboard (a presenter's clicker): space starts the
    // next tier with winners left (二等奖 after picking it), space stops.
    h.find(Locator::Css(&format!("#tier option[value='{}']", tiers[2])))
        .await
        .expect("tier option")
        .click()
        .await
        .expect("pick tier");
    h.execute("document.activeElement.blur();", vec![])
        .await
        .expect("blur");
    let body = h.find(Locator::Css("body")).await.expect("body");
    body.send_keys(" ").await.expect("space");
    until(
        h,
        "return document.getElementById('stage').getAttribute('data-phase') === 'rolling';",
        "rolling from the keyboard",
    )
    .await;
    body.send_keys(" ").await.expect("space");
    let mut seen = Vec::new();
    for screen in &screens {
        seen.push(shown(&screen.client, 2).await);
    }
    assert_eq!(seen[0].len(), 10, "all of 二等奖: {seen:?}");
    assert!(seen.iter().all(|s| *s == seen[0]));
    tokio::time::sleep(Duration::from_millis(900)).await;
    screens[0].screenshot("live-screen-ten").await;

    for screen in screens {
        screen.close().await;
    }
    host_browser.close().await;
}
