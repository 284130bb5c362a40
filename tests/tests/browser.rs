//! The first end-to-end browser test: the server serves the real release
//! bundle, Chromium runs it, a Leptos component renders data that came from the
//! server, and a screenshot is saved.

use std::time::Duration;

use fantoccini::Locator;
use huodong_tests::TestApp;
use huodong_tests::browser::Browser;

#[tokio::test]
async fn the_demo_activity_renders_from_the_bundle_with_server_data() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(390, 844).await;
    let c = &browser.client;

    c.goto(&app.url("/a/demo_wheel"))
        .await
        .expect("open activity");
    let title = c
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=activity-title]"))
        .await
        .expect("the activity title renders");
    assert_eq!(title.text().await.expect("title text"), "双11 幸运大转盘");
    let prizes = c
        .find_all(Locator::Css("[data-testid=prize-list] li"))
        .await
        .expect("prizes");
    assert_eq!(prizes.len(), 5);
    assert!(
        prizes[0]
            .text()
            .await
            .expect("text")
            .contains("一等奖 · 蓝牙耳机")
    );
    let shot = browser.screenshot("foundation-activity").await;
    assert!(
        std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0) > 10_000,
        "a real picture"
    );

    c.goto(&app.url("/")).await.expect("open home");
    let list = c
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=activity-list]"))
        .await
        .expect("the list renders");
    assert!(
        list.text()
            .await
            .expect("text")
            .contains("九宫格 · 天天抽好礼")
    );
    browser.screenshot("foundation-home").await;

    c.goto(&app.url("/a/demo_wheel/rules"))
        .await
        .expect("open rules");
    let chances = c
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=rules-chances]"))
        .await
        .expect("the rules page renders");
    assert_eq!(chances.text().await.expect("text"), "每人每天 3 次");
    let body = c
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text");
    assert!(
        body.contains("归入「谢谢参与」"),
        "the rules say where an empty prize's odds go"
    );
    browser.screenshot("foundation-rules").await;

    c.goto(&app.url("/a/no_such_activity"))
        .await
        .expect("open missing");
    let error = c
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=error]"))
        .await
        .expect("the error renders");
    assert_eq!(
        error.attr("data-code").await.expect("attr").as_deref(),
        Some("1004")
    );
    assert!(error.text().await.expect("text").contains("活动不存在"));
    browser.close().await;
}

#[tokio::test]
async fn a_shared_link_without_a_ticket_signs_in_through_the_partner() {
    let app = TestApp::spawn_with_bundle().await;
    let partner = huodong_partner::spawn(
        ([127, 0, 0, 1], 0).into(),
        &huodong_partner::Options {
            runtime_url: Some(format!("http://{}", app.addr)),
            ..Default::default()
        },
    )
    .await
    .expect("the reference partner starts");
    app.open_ok(
        "partner/config",
        serde_json::json!({"config": {
            "callbacks": partner.callbacks(),
            "login_url": format!("{}/login", partner.url()),
        }}),
    )
    .await;
    let browser = Browser::start(390, 844).await;
    let c = &browser.client;
    // A shared link: no ticket, no session. The page sends the player to the
    // partner's sign-in, which sends them back with a ticket.
    c.goto(&app.url("/a/demo_wheel"))
        .await
        .expect("open the shared link");
    let player = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=player]"))
        .await
        .expect("signed in after the round trip");
    let greeting = player.text().await.expect("text");
    assert!(greeting.contains("你好，玩家"), "{greeting}");
    let url = c.current_url().await.expect("url");
    assert_eq!(url.path(), "/a/demo_wheel");
    assert!(
        url.query().is_none(),
        "the spent ticket left the address bar: {url}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM tickets WHERE used_at IS NOT NULL")
            .await,
        1
    );
    browser.screenshot("partner-login-signed-in").await;

    // A reload keeps the session of this tab: no second sign-in.
    c.refresh().await.expect("reload");
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=player]"))
        .await
        .expect("still signed in");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM tickets").await,
        1,
        "no second ticket"
    );
}
