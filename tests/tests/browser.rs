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

#[tokio::test]
async fn the_wheel_spins_onto_the_prize_the_server_drew() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(390, 844).await;
    open_as(&app, &browser, "demo_wheel", "wheel-fan", "转盘达人").await;
    let c = &browser.client;
    let button = c
        .find(Locator::Css("[data-testid=draw-button]"))
        .await
        .expect("the wheel renders for the signed-in player");
    let chances = c
        .find(Locator::Css("[data-testid=chances]"))
        .await
        .expect("three chances today");
    assert!(chances.text().await.expect("text").contains('3'));
    browser.screenshot("wheel-ready").await;
    button.click().await.expect("press 抽奖");
    let dialog = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=result]"))
        .await
        .expect("the result shows after the spin");
    let shown = c
        .find(Locator::Css("[data-testid=result-prize]"))
        .await
        .expect("prize line")
        .text()
        .await
        .expect("text");
    let won = dialog.attr("data-won").await.expect("attr") == Some("true".into());
    browser.screenshot("wheel-result").await;

    // What the server recorded is what the dialog says.
    let recorded = recorded_prize(&app, "wheel-fan").await;
    match &recorded {
        Some(name) if name != "谢谢参与" => {
            assert!(won, "the dialog says so");
            assert_eq!(&shown, name);
        }
        _ => assert!(!won && shown.contains("下次好运"), "{shown}"),
    }

    // The wheel stopped with that prize's segment under the pointer.
    let style = c
        .find(Locator::Css("[data-testid=wheel]"))
        .await
        .expect("wheel")
        .attr("style")
        .await
        .expect("style")
        .unwrap_or_default();
    let degrees: f64 = style
        .split("rotate(")
        .nth(1)
        .and_then(|s| s.split("deg").next())
        .and_then(|n| n.parse().ok())
        .expect("a rotation");
    let names: Vec<String> = {
        let mut names = Vec::new();
        for li in c
            .find_all(Locator::Css("[data-testid=prize-list] .prize-name"))
            .await
            .expect("prize names")
        {
            names.push(li.text().await.expect("text"));
        }
        names
    };
    let width = 360.0 / names.len() as f64;
    let under_pointer = ((360.0 - degrees.rem_euclid(360.0)).rem_euclid(360.0) / width) as usize;
    let expected = recorded.unwrap_or_else(|| "谢谢参与".into());
    assert_eq!(names[under_pointer], expected, "rotation {degrees}");

    c.find(Locator::Css("[data-testid=result] button"))
        .await
        .expect("close")
        .click()
        .await
        .expect("close the dialog");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@data-testid='chances'][contains(., '剩余 2 次机会')]",
        ))
        .await
        .expect("one chance fewer");
    if won {
        let mine = c
            .find(Locator::Css("[data-testid=my-prizes]"))
            .await
            .expect("my prizes")
            .text()
            .await
            .expect("text");
        assert!(mine.contains(&expected), "{mine}");
    }
    browser.screenshot("wheel-after").await;
}

#[tokio::test]
async fn the_nine_grid_light_stops_on_the_prize_the_server_drew() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(390, 844).await;
    open_as(&app, &browser, "demo_nine_grid", "grid-fan", "九宫格玩家").await;
    let c = &browser.client;
    let button = c
        .find(Locator::Css("[data-testid=draw-button]"))
        .await
        .expect("the grid renders");
    let cells = c
        .find_all(Locator::Css("[data-testid=grid-cell]"))
        .await
        .expect("cells");
    assert_eq!(cells.len(), 8);
    browser.screenshot("nine-grid-ready").await;
    button.click().await.expect("press 抽奖");
    let shown = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=result-prize]"))
        .await
        .expect("the result shows when the light stops")
        .text()
        .await
        .expect("text");
    browser.screenshot("nine-grid-result").await;
    let recorded = recorded_prize(&app, "grid-fan").await;
    let expected = recorded.clone().unwrap_or_else(|| "谢谢参与".into());
    match &recorded {
        Some(name) if name != "谢谢参与" => assert_eq!(&shown, name),
        _ => assert!(shown.contains("下次好运"), "{shown}"),
    }
    // The lit cell shows that prize (its name, split at " · ").
    let lit = c
        .find(Locator::Css("[data-testid=grid-cell].lit"))
        .await
        .expect("one lit cell")
        .text()
        .await
        .expect("text")
        .replace('\n', " · ");
    assert_eq!(lit, expected);
}

/// Opens a demo activity with a fresh ticket for `u_id` (shown as
/// `nickname`) and waits until its game shows three chances.
async fn open_as(app: &TestApp, browser: &Browser, activity: &str, u_id: &str, nickname: &str) {
    let ticket = app
        .open_ok(
            "user/ticket",
            serde_json::json!({"u_id": u_id, "nickname": nickname, "activity_id": activity}),
        )
        .await;
    let c = &browser.client;
    c.goto(ticket["play_url"].as_str().expect("play_url"))
        .await
        .expect("open with a fresh ticket");
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(
            "//*[@data-testid='chances'][contains(., '剩余 3 次机会')]",
        ))
        .await
        .expect("the game renders for the signed-in player, with three chances");
}

/// The prize the server recorded for `u_id`'s one draw (`None`: nothing).
async fn recorded_prize(app: &TestApp, u_id: &str) -> Option<String> {
    huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_scalar(
            "SELECT p.name FROM draws d JOIN players pl ON pl.id = d.player_id \
             LEFT JOIN prizes p ON p.id = d.prize_id WHERE pl.u_id = $1",
        )
        .bind(u_id)
        .fetch_one(pool)
        .await
    })
    .expect("exactly one recorded draw")
}

/// Opens a demo activity with a fresh ticket for `u_id`, presses `control`,
/// and checks the result dialog against the draw the server recorded.
async fn play_once(app: &TestApp, browser: &Browser, activity: &str, u_id: &str, control: &str) {
    open_as(app, browser, activity, u_id, "试玩").await;
    let c = &browser.client;
    browser.screenshot(&format!("{activity}-ready")).await;
    c.find(Locator::Css(control))
        .await
        .expect("the control")
        .click()
        .await
        .expect("play");
    let shown = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=result-prize]"))
        .await
        .expect("the result shows")
        .text()
        .await
        .expect("text");
    browser.screenshot(&format!("{activity}-result")).await;
    let recorded = recorded_prize(app, u_id).await;
    match &recorded {
        Some(name) if name != "谢谢参与" => assert_eq!(&shown, name),
        _ => assert!(shown.contains("下次好运"), "{shown}"),
    }
}

#[tokio::test]
async fn the_golden_egg_cracks_open_on_the_prize_the_server_drew() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(390, 844).await;
    play_once(
        &app,
        &browser,
        "demo_golden_egg",
        "egg-fan",
        "[data-testid=egg]:nth-child(2)",
    )
    .await;
    let cracked = browser
        .client
        .find_all(Locator::Css("[data-testid=egg].cracked"))
        .await
        .expect("eggs");
    assert_eq!(cracked.len(), 1, "the chosen egg is cracked");
}

#[tokio::test]
async fn the_slot_machine_stops_on_the_prize_the_server_drew() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(390, 844).await;
    play_once(
        &app,
        &browser,
        "demo_slot",
        "slot-fan",
        "[data-testid=draw-button]",
    )
    .await;
    let won: Option<String> = huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_scalar(
            "SELECT p.kind FROM draws d JOIN players pl ON pl.id = d.player_id \
             LEFT JOIN prizes p ON p.id = d.prize_id WHERE pl.u_id = 'slot-fan'",
        )
        .fetch_one(pool)
        .await
    })
    .expect("one draw");
    // The symbols under the window: three of a kind exactly when it won.
    let mut shown = Vec::new();
    for reel in browser
        .client
        .find_all(Locator::Css("[data-testid=reel] .reel-strip"))
        .await
        .expect("reels")
    {
        let style = reel.attr("style").await.expect("style").unwrap_or_default();
        let offset: usize = style
            .split("translateY(-")
            .nth(1)
            .and_then(|s| s.split("px").next())
            .and_then(|n| n.parse().ok())
            .expect("an offset");
        let symbols = reel
            .find_all(Locator::Css(".reel-symbol"))
            .await
            .expect("symbols");
        shown.push(symbols[offset / 72].text().await.expect("text"));
    }
    let three = shown.iter().all(|s| *s == shown[0]);
    let won = won.is_some_and(|k| k != "thanks");
    assert_eq!(three, won, "{shown:?}");
}

#[tokio::test]
async fn the_scratch_card_reveals_the_prize_the_server_drew_when_scratched() {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};

    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(390, 844).await;
    open_as(&app, &browser, "demo_scratch", "scratch-fan", "刮刮乐玩家").await;
    let c = &browser.client;
    let card = c
        .find(Locator::Css(".scratch-cover"))
        .await
        .expect("the coating");
    browser.screenshot("demo_scratch-ready").await;
    // Scratch row by row across the card with the mouse button held.
    let mut mouse = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element: card.clone(),
        duration: None,
        x: -140.0,
        y: -65.0,
    });
    mouse = mouse.then(PointerAction::Down {
        button: MOUSE_BUTTON_LEFT,
    });
    for row in 0..8 {
        let y = -65.0 + f64::from(row) * 18.0;
        let x = if row % 2 == 0 { 140.0 } else { -140.0 };
        mouse = mouse.then(PointerAction::MoveToElement {
            element: card.clone(),
            duration: Some(Duration::from_millis(120)),
            x,
            y,
        });
    }
    mouse = mouse.then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    });
    c.perform_actions(mouse).await.expect("scratch");
    let shown = c
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=result-prize]"))
        .await
        .expect("the card is revealed once scratched")
        .text()
        .await
        .expect("text");
    browser.screenshot("demo_scratch-result").await;
    let recorded = recorded_prize(&app, "scratch-fan").await;
    match &recorded {
        Some(name) if name != "谢谢参与" => assert_eq!(&shown, name),
        _ => assert!(shown.contains("下次好运"), "{shown}"),
    }
}

#[tokio::test]
async fn an_expired_session_is_dropped_instead_of_leaving_the_player_stuck() {
    let app = TestApp::spawn_with_bundle().await;
    let ticket = app
        .open_ok(
            "user/ticket",
            serde_json::json!({"u_id": "sleepy", "nickname": "隔天再来", "activity_id": "demo_wheel"}),
        )
        .await;
    let browser = Browser::start(390, 844).await;
    let c = &browser.client;
    c.goto(ticket["play_url"].as_str().expect("play_url"))
        .await
        .expect("open");
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=player]"))
        .await
        .expect("signed in");
    // The next day: the stored token is no longer valid on the server.
    c.execute(
        "const k = 'huodong.session.demo_wheel'; const s = JSON.parse(sessionStorage.getItem(k)); \
         s.token = 'expired-token'; sessionStorage.setItem(k, JSON.stringify(s));",
        vec![],
    )
    .await
    .expect("script");
    c.refresh().await.expect("reload");
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=anonymous]"))
        .await
        .expect("the dead session is dropped: the page asks to come in through the partner");
    let stored = c
        .execute(
            "return sessionStorage.getItem('huodong.session.demo_wheel');",
            vec![],
        )
        .await
        .expect("script");
    assert!(stored.is_null(), "{stored}");
}
