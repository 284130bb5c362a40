//! Embedding: a partner page on another origin includes `embed.js`; the
//! activity runs in the iframe it makes, and the documented postMessage
//! protocol (ready, resize, result, share, close) reaches the page — from the
//! runtime's exact origin only, to the page's exact origin only. The
//! `frame-ancestors` policy lets the partner's allowed origins frame the
//! activity and no one else.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::Query;
use axum::response::Html;
use axum::routing::get;
use fantoccini::{Client, Locator};
use huodong_tests::TestApp;
use huodong_tests::browser::Browser;
use serde_json::{Value, json};

/// A partner page on its own origin. `/host?play=URL` embeds `URL` with
/// `embed.js`; `/raw?src=URL` frames `URL` directly (no script). Both keep
/// every `huodong:*` event (and every raw message) in `window.seen`.
async fn partner_site(runtime: String) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let host = move |Query(q): Query<std::collections::HashMap<String, String>>| {
        let runtime = runtime.clone();
        async move {
            let play = q.get("play").cloned().unwrap_or_default();
            Html(format!(
                r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>partner</title></head><body>
<h1>合作方页面</h1><div id="huodong"></div>
<script>
window.seen = [];
var el = document.getElementById("huodong");
["ready","resize","result","share","close"].forEach(function (t) {{
  el.addEventListener("huodong:" + t, function (e) {{ window.seen.push(e.detail); }});
}});
</script>
<script src="{runtime}/embed.js" data-target="#huodong" data-src="{play}"></script>
</body></html>"##
            ))
        }
    };
    let raw = |Query(q): Query<std::collections::HashMap<String, String>>| async move {
        let src = q.get("src").cloned().unwrap_or_default();
        Html(format!(
            r#"<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<script>window.seen = []; window.addEventListener("message", function (e) {{ window.seen.push(e.data); }});</script>
<iframe id="f" src="{src}" style="width:400px;height:700px"></iframe></body></html>"#
        ))
    };
    let app = Router::new()
        .route("/host", get(host))
        .route("/raw", get(raw));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

async fn seen(c: &Client) -> Vec<Value> {
    let v = c
        .execute("return window.seen || [];", vec![])
        .await
        .expect("read window.seen");
    v.as_array().cloned().unwrap_or_default()
}

async fn wait_for(c: &Client, kind: &str, secs: u64) -> Value {
    for _ in 0..secs * 10 {
        if let Some(m) = seen(c).await.into_iter().find(|m| m["type"] == kind) {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no `{kind}` message within {secs} s; seen: {:?}",
        seen(c).await
    );
}

async fn play_url(app: &TestApp, activity: &str, u_id: &str) -> String {
    let ticket = app
        .open_ok(
            "user/ticket",
            json!({"u_id": u_id, "nickname": "嵌入", "activity_id": activity}),
        )
        .await;
    ticket["play_url"].as_str().expect("play_url").to_owned()
}

#[tokio::test]
async fn an_embedded_activity_talks_to_its_host_page_by_exact_origin() {
    let app = TestApp::spawn_with_bundle().await;
    let runtime = format!("http://{}", app.addr);
    let site = partner_site(runtime.clone()).await;
    let host_origin = format!("http://{site}");
    app.api
        .open_ok(
            "partner/config",
            json!({"config": {"allowed_origins": [host_origin.clone()]}}),
        )
        .await;

    // The player page names exactly the allowed origin as a frame ancestor.
    let page = app.api.get("/a/demo_wheel").await;
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(csp, format!("frame-ancestors 'self' {host_origin}"));

    let browser = Browser::start(800, 1000).await;
    let c = &browser.client;
    let play = play_url(&app, "demo_wheel", "embed-user").await;
    c.goto(&format!("{host_origin}/host?play={}", urlencode(&play)))
        .await
        .expect("open the partner page");

    let ready = wait_for(c, "ready", 20).await;
    assert_eq!(ready["source"], "huodong");
    assert_eq!(ready["activity"], "demo_wheel");
    wait_for(c, "resize", 10).await;
    // The content grows as the player's state arrives: the frame follows
    // the latest `resize`.
    let mut sized = (0.0, -1.0);
    for _ in 0..50 {
        let height = seen(c)
            .await
            .iter()
            .rev()
            .filter(|m| m["type"] == "resize")
            .find_map(|m| m["height"].as_f64())
            .unwrap_or(0.0);
        let frame_height = c
            .execute(
                "return document.querySelector('iframe[data-huodong]').getBoundingClientRect().height;",
                vec![],
            )
            .await
            .expect("frame height")
            .as_f64()
            .unwrap_or(0.0);
        sized = (height, frame_height);
        if (frame_height - height).abs() <= 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (height, frame_height) = sized;
    assert!(
        height > 600.0,
        "the frame is sized to the activity: {height}"
    );
    assert!(
        (frame_height - height).abs() <= 1.0,
        "embed.js resized the frame to {height}, it is {frame_height}"
    );
    let src = c
        .execute(
            "return document.querySelector('iframe[data-huodong]').src;",
            vec![],
        )
        .await
        .expect("src");
    assert!(
        src.as_str()
            .unwrap_or_default()
            .contains(&format!("embed={}", urlencode(&host_origin))),
        "the frame knows its host's origin: {src}"
    );
    browser.screenshot("embed-host-page").await;

    // Play inside the frame.
    let frame = c
        .find(Locator::Css("iframe[data-huodong]"))
        .await
        .expect("the frame");
    frame.enter_frame().await.expect("into the frame");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::XPath(
            "//*[@data-testid='chances'][contains(., '剩余 3 次机会')]",
        ))
        .await
        .expect("signed in inside the frame");
    c.find(Locator::Css("[data-testid=draw-button]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("draw");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=result]"))
        .await
        .expect("the dialog");
    c.find(Locator::Css("[data-testid=result] button"))
        .await
        .expect("ok")
        .click()
        .await
        .expect("close the dialog");
    c.find(Locator::Css("[data-testid=share]"))
        .await
        .expect("share button")
        .click()
        .await
        .expect("share");
    c.enter_parent_frame().await.expect("back to the page");

    let result = wait_for(c, "result", 10).await;
    let recorded: Option<String> = huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_scalar(
            "SELECT p.name FROM draws d JOIN players pl ON pl.id = d.player_id \
             LEFT JOIN prizes p ON p.id = d.prize_id WHERE pl.u_id = $1",
        )
        .bind("embed-user")
        .fetch_one(pool)
        .await
    })
    .expect("one draw");
    match &recorded {
        Some(name) if name != "谢谢参与" => {
            assert_eq!(result["won"], true);
            assert_eq!(result["prize"], name.as_str());
        }
        _ => assert_eq!(result["won"], false),
    }
    assert!(
        result.get("code").is_none(),
        "redeem codes never leave the frame"
    );
    let share = wait_for(c, "share", 10).await;
    assert_eq!(share["url"], format!("{runtime}/a/demo_wheel"));

    // Close: the host hears it and embed.js removes the frame.
    let frame = c
        .find(Locator::Css("iframe[data-huodong]"))
        .await
        .expect("the frame");
    frame.enter_frame().await.expect("into the frame");
    c.find(Locator::Css("[data-testid=close]"))
        .await
        .expect("a close button when embedded")
        .click()
        .await
        .expect("close");
    c.enter_parent_frame().await.expect("back");
    wait_for(c, "close", 10).await;
    let frames = c
        .execute("return document.querySelectorAll('iframe').length;", vec![])
        .await
        .expect("count");
    assert_eq!(frames, json!(0), "the frame is gone");
    browser.close().await;
}

#[tokio::test]
async fn a_page_that_is_not_allowed_cannot_frame_the_activity_nor_hear_it() {
    let app = TestApp::spawn_with_bundle().await;
    let runtime = format!("http://{}", app.addr);
    let allowed = partner_site(runtime.clone()).await;
    let stranger = partner_site(runtime.clone()).await;
    app.api
        .open_ok(
            "partner/config",
            json!({"config": {"allowed_origins": [format!("http://{allowed}")]}}),
        )
        .await;
    let browser = Browser::start(800, 900).await;
    let c = &browser.client;

    // An origin the partner did not allow: frame-ancestors blocks the frame.
    let play = play_url(&app, "demo_wheel", "stranger-1").await;
    c.goto(&format!("http://{stranger}/host?play={}", urlencode(&play)))
        .await
        .expect("open");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        seen(c).await.is_empty(),
        "a blocked frame says nothing: {:?}",
        seen(c).await
    );

    // The allowed page framing the activity while claiming another origin
    // as its host: the activity posts to that exact origin only, so this page
    // hears nothing (no message is ever sent to "*").
    let play = play_url(&app, "demo_wheel", "stranger-2").await;
    let src = format!("{play}&embed={}", urlencode(&format!("http://{stranger}")));
    c.goto(&format!("http://{allowed}/raw?src={}", urlencode(&src)))
        .await
        .expect("open");
    let frame = c.find(Locator::Css("#f")).await.expect("frame");
    frame.enter_frame().await.expect("into the frame");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=activity-title]"))
        .await
        .expect("the activity loads in the allowed page");
    c.enter_parent_frame().await.expect("back");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        seen(c).await.is_empty(),
        "messages for another origin never arrive: {:?}",
        seen(c).await
    );
    browser.close().await;
}

fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[tokio::test]
async fn the_merchant_preview_shows_an_activity_in_a_theme_in_phone_and_pc_frames() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(1280, 1000).await;
    let c = &browser.client;
    c.goto(&app.url("/preview/demo_wheel?theme=minimal_dark"))
        .await
        .expect("open the preview");
    let chips = c
        .find_all(Locator::Css("nav a[data-theme-id]"))
        .await
        .expect("theme chips");
    assert!(
        chips.len() >= 12,
        "every theme to pick from: {}",
        chips.len()
    );
    for testid in ["phone-frame", "pc-frame"] {
        let frame = c
            .find(Locator::Css(&format!("[data-testid={testid}]")))
            .await
            .expect("a frame");
        frame.enter_frame().await.expect("into the frame");
        c.wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("[data-testid=preview]"))
            .await
            .expect("the activity renders in preview mode");
        let theme = c
            .execute(
                "return document.documentElement.getAttribute('data-theme');",
                vec![],
            )
            .await
            .expect("theme");
        assert_eq!(theme, json!("minimal_dark"), "{testid}");
        let background = c
            .execute(
                "return getComputedStyle(document.body).backgroundColor;",
                vec![],
            )
            .await
            .expect("background");
        assert_ne!(
            background,
            json!("rgb(255, 244, 230)"),
            "{testid}: the theme's colours, not the default's"
        );
        if testid == "phone-frame" {
            // The game renders, and a press explains it is a preview.
            c.find(Locator::Css("[data-testid=draw-button]"))
                .await
                .expect("the wheel's button")
                .click()
                .await
                .expect("press");
            let dialog = c
                .wait()
                .at_most(Duration::from_secs(5))
                .for_element(Locator::Css("[data-testid=result]"))
                .await
                .expect("a dialog");
            assert!(dialog.text().await.expect("text").contains("预览模式"));
        }
        c.enter_parent_frame().await.expect("back");
    }
    browser.screenshot("preview-minimal_dark").await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws").await,
        0,
        "a preview never draws"
    );
    let unknown = app.api.get("/preview/demo_wheel?theme=nope").await;
    assert_eq!(unknown.status().as_u16(), 404);
    browser.close().await;
}

#[tokio::test]
async fn the_player_page_speaks_english_when_the_partner_asks() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(800, 1000).await;
    let c = &browser.client;
    let play = play_url(&app, "demo_nine_grid", "english-user").await;
    c.goto(&format!("{play}&lang=en"))
        .await
        .expect("open in English");
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(
            "//*[@data-testid='chances'][contains(., '3 chances left')]",
        ))
        .await
        .expect("chances in English");
    let lang = c
        .execute("return document.documentElement.lang;", vec![])
        .await
        .expect("lang");
    assert_eq!(lang, json!("en"));
    let page = c
        .find(Locator::Css("main.shell"))
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    for words in [
        "Nine-grid",
        "Prizes",
        "My prizes",
        "Share with friends",
        "Rules",
    ] {
        assert!(page.contains(words), "{words} in: {page}");
    }
    let url = c.current_url().await.expect("url");
    assert_eq!(
        url.query(),
        Some("lang=en"),
        "the ticket is gone, the language stays"
    );
    browser.screenshot("nine_grid-english").await;
    browser.close().await;
}
