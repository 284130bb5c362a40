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

/// Waits up to `secs` for `css`.
async fn wait_for(browser: &Browser, css: &str, secs: u64) -> fantoccini::elements::Element {
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("{css} within {secs} s: {err}"))
}

/// Clicks the element `css` (it must be there).
async fn press(browser: &Browser, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("{css}: {err}"))
        .click()
        .await
        .unwrap_or_else(|err| panic!("click {css}: {err}"));
}

/// The result dialog once it shows: `data-won` and its text.
async fn result_dialog(browser: &Browser, secs: u64) -> (bool, String) {
    let dialog = wait_for(browser, "[data-testid=result]", secs).await;
    let won = dialog.attr("data-won").await.expect("data-won") == Some("true".into());
    (won, dialog.text().await.expect("dialog text"))
}

/// The one game round `u_id` played: score, passed, state.
async fn round_of(app: &TestApp, u_id: &str) -> (i64, bool, String) {
    huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_as::<_, (i64, bool, String)>(
            "SELECT r.score, r.passed, r.state FROM game_rounds r \
             JOIN players pl ON pl.id = r.player_id WHERE pl.u_id = $1",
        )
        .bind(u_id)
        .fetch_one(pool)
        .await
    })
    .expect("exactly one finished round")
}

/// The dialog of a scored round shows the draw the server recorded for
/// `u_id`: the prize's name, or the "thanks" line (`miss`).
async fn dialog_matches_the_draw(app: &TestApp, u_id: &str, won: bool, text: &str, miss: &str) {
    match recorded_prize(app, u_id).await {
        Some(name) if name != "谢谢参与" => {
            assert!(won, "{text}");
            assert!(text.contains(&name), "{name}: {text}");
        }
        _ => assert!(!won && text.contains(miss), "{text}"),
    }
}

/// Today in the demo activities' zone (Asia/Shanghai), as `yyyymmdd`.
fn today_cn() -> i64 {
    let zone = huodong_server::clock::zone("Asia/Shanghai").expect("zone");
    huodong_server::clock::local_day(huodong_tests::open::now(), &zone)
}

#[tokio::test]
async fn the_check_in_calendar_checks_in_today_and_makes_up_a_missed_day_for_points() {
    let app = TestApp::spawn_with_bundle().await;
    // Make-ups cost the demo's 20 partner points: the reference partner keeps them.
    let partner = huodong_tests::partner::connect(&app, 3000).await;
    let browser = Browser::start(390, 844).await;
    open_as(&app, &browser, "demo_checkin", "ck-fan", "签到达人").await;
    let c = &browser.client;
    let today = today_cn();

    // This month, today marked and not yet checked in.
    let title = wait_for(&browser, ".calendar-title", 5).await;
    assert_eq!(
        title.text().await.expect("text"),
        format!("{} 年 {} 月", today / 10_000, today / 100 % 100)
    );
    let marked = c
        .find(Locator::Css("[data-testid=day].today"))
        .await
        .expect("today is marked");
    assert_eq!(
        marked.attr("data-day").await.expect("attr"),
        Some(today.to_string())
    );
    assert!(!has_class(&marked, "done").await);
    browser.screenshot("checkin-ready").await;

    press(&browser, "[data-testid=checkin-button]").await;
    let (_, text) = result_dialog(&browser, 10).await;
    assert!(text.contains("签到成功"), "{text}");
    assert!(text.contains("已连续签到 1 天"), "{text}");
    press(&browser, "[data-testid=result] button").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[data-testid=day].today.done"))
        .await
        .expect("today is done");
    let streak = c
        .find(Locator::Css("[data-testid=streak]"))
        .await
        .expect("streak")
        .text()
        .await
        .expect("text");
    assert_eq!(streak, "已连续签到 1 天");
    let button = c
        .find(Locator::Css("[data-testid=checkin-button]"))
        .await
        .expect("button");
    assert_eq!(button.text().await.expect("text"), "今日已签到");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM checkins WHERE day = {today} AND NOT made_up"
        ))
        .await,
        1
    );

    // Make-up: the demo started yesterday, so yesterday was missed (shown in
    // last month's page on the 1st).
    let yesterday = huodong_server::clock::previous_day(today).expect("yesterday");
    if yesterday / 100 != today / 100 {
        press(&browser, "[data-testid=prev-month]").await;
    }
    let missed = c
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("[data-testid=day].missed"))
        .await
        .expect("a missed day");
    assert_eq!(
        missed.attr("data-day").await.expect("attr"),
        Some(yesterday.to_string())
    );
    missed.click().await.expect("pick the missed day");
    let makeup = wait_for(&browser, "[data-testid=makeup-button]", 5).await;
    let offer = makeup.text().await.expect("text");
    assert!(offer.contains("消耗 20 积分"), "{offer}");
    browser.screenshot("checkin-makeup").await;
    makeup.click().await.expect("make it up");
    let (_, text) = result_dialog(&browser, 10).await;
    assert!(text.contains("已连续签到 2 天"), "{text}");
    press(&browser, "[data-testid=result] button").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!(
            "[data-testid=day][data-day='{yesterday}'].done"
        )))
        .await
        .expect("yesterday is done");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM checkins WHERE day = {yesterday} AND made_up"
        ))
        .await,
        1
    );
    assert_eq!(partner.partner.ledger().deducted_net(), 20);
    browser.screenshot("checkin-after").await;
}

/// Whether `element` has the class `name`.
async fn has_class(element: &fantoccini::elements::Element, name: &str) -> bool {
    element
        .attr("class")
        .await
        .ok()
        .flatten()
        .is_some_and(|c| c.split_whitespace().any(|c| c == name))
}

/// The demo quiz's right answers, from its rules in the database.
async fn quiz_answers(app: &TestApp) -> Vec<usize> {
    let rules: String = huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_scalar("SELECT rules FROM activities WHERE public_id = 'demo_quiz'")
            .fetch_one(pool)
            .await
    })
    .expect("the quiz's rules");
    let rules: serde_json::Value = serde_json::from_str(&rules).expect("JSON rules");
    rules["game"]["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| q["answer"].as_u64().expect("answer") as usize)
        .collect()
}

/// Plays the demo quiz as `u_id`, answering with `pick(question, right answer)`
/// one question every 1.1 s (the round must last 5 s, one right answer a
/// second at most); the dialog's `data-won` and text.
async fn play_quiz(
    app: &TestApp,
    browser: &Browser,
    u_id: &str,
    pick: impl Fn(usize) -> usize,
) -> (bool, String) {
    let answers = quiz_answers(app).await;
    open_as(app, browser, "demo_quiz", u_id, "答题玩家").await;
    press(browser, "[data-testid=start-round]").await;
    for (i, right) in answers.iter().enumerate() {
        let question = wait_for(
            browser,
            &format!("[data-testid=question][data-index='{i}']"),
            10,
        )
        .await;
        if i == 0 {
            browser.screenshot("demo_quiz-question").await;
        }
        tokio::time::sleep(Duration::from_millis(1100)).await;
        question
            .find(Locator::Css(&format!(
                "[data-testid=option][data-option='{}']",
                pick(*right)
            )))
            .await
            .expect("the option")
            .click()
            .await
            .expect("answer");
    }
    result_dialog(browser, 10).await
}

#[tokio::test]
async fn the_quiz_passes_on_right_answers_and_draws() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(390, 844).await;
    let (won, text) = play_quiz(&app, &browser, "quiz-fan", |right| right).await;
    browser.screenshot("demo_quiz-result").await;
    assert!(text.contains("本局得分 5"), "{text}");
    assert_eq!(round_of(&app, "quiz-fan").await, (5, true, "done".into()));
    dialog_matches_the_draw(&app, "quiz-fan", won, &text, "下次好运").await;
}

#[tokio::test]
async fn the_quiz_fails_on_wrong_answers_without_a_prize() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(390, 844).await;
    // Every question has four options: the next one is wrong.
    let (won, text) = play_quiz(&app, &browser, "quiz-miss", |right| (right + 1) % 4).await;
    browser.screenshot("demo_quiz-failed").await;
    assert!(!won);
    assert!(text.contains("本局得分 0"), "{text}");
    assert!(text.contains("没有达到抽奖分数"), "{text}");
    assert_eq!(round_of(&app, "quiz-miss").await, (0, false, "done".into()));
    assert_eq!(recorded_prize(&app, "quiz-miss").await, None, "thanks");
}

#[tokio::test]
async fn memory_flip_finds_every_pair_at_a_human_pace_and_draws() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(390, 844).await;
    open_as(&app, &browser, "demo_memory_flip", "flip-fan", "翻牌玩家").await;
    let c = &browser.client;
    press(&browser, "[data-testid=start-round]").await;
    wait_for(&browser, "[data-testid=card]", 10).await;
    let cards = c
        .find_all(Locator::Css("[data-testid=card]"))
        .await
        .expect("cards");
    assert_eq!(cards.len(), 16);

    // Turns card `i` and reads its face once it is up.
    let turn = |i: usize| {
        let card = cards[i].clone();
        async move {
            card.click().await.expect("turn a card");
            for _ in 0..100 {
                if has_class(&card, "up").await {
                    return card.attr("data-face").await.expect("attr").expect("face");
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            panic!("card {i} did not turn up");
        }
    };
    // What the player has seen, and the pairs found; at most a pair every
    // 1.1 s (the server allows one a second, the round at least 8 s).
    let mut seen: Vec<Option<String>> = vec![None; 16];
    let mut found = [false; 16];
    let mut pairs = 0;
    let mut last_pair = std::time::Instant::now();
    let pace = Duration::from_millis(1100);
    while pairs < 8 {
        let open = |k: usize, seen: &[Option<String>]| !found[k] && seen[k].is_none();
        let known_pair = (0..16).find(|&a| {
            !found[a]
                && seen[a].is_some()
                && (0..16).any(|b| b != a && !found[b] && seen[b] == seen[a])
        });
        let a = known_pair
            .or_else(|| (0..16).find(|&k| open(k, &seen)))
            .expect("a card to turn");
        let face = turn(a).await;
        seen[a] = Some(face.clone());
        let b = (0..16)
            .find(|&k| k != a && !found[k] && seen[k].as_deref() == Some(&face))
            .or_else(|| (0..16).find(|&k| k != a && open(k, &seen)))
            .expect("a second card");
        let since = last_pair.elapsed();
        if since < pace {
            tokio::time::sleep(pace - since).await;
        }
        let other = turn(b).await;
        seen[b] = Some(other.clone());
        if other == face {
            found[a] = true;
            found[b] = true;
            pairs += 1;
            last_pair = std::time::Instant::now();
            if pairs == 4 {
                browser.screenshot("demo_memory_flip-playing").await;
            }
        } else {
            // Both turn back down before the next turn counts.
            for _ in 0..100 {
                if !has_class(&cards[a], "up").await && !has_class(&cards[b], "up").await {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    let (won, text) = result_dialog(&browser, 10).await;
    browser.screenshot("demo_memory_flip-result").await;
    assert!(text.contains("本局得分 8"), "{text}");
    assert_eq!(round_of(&app, "flip-fan").await, (8, true, "done".into()));
    dialog_matches_the_draw(&app, "flip-fan", won, &text, "下次好运").await;
}

#[tokio::test]
async fn red_envelopes_caught_for_the_whole_round_are_scored_and_drawn() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::start(390, 844).await;
    open_as(
        &app,
        &browser,
        "demo_red_envelope",
        "envelope-fan",
        "红包达人",
    )
    .await;
    let c = &browser.client;
    press(&browser, "[data-testid=start-round]").await;
    wait_for(&browser, "[data-testid=envelope]", 10).await;
    let started = std::time::Instant::now();
    let mut clicks = 0;
    let mut shot = false;
    // Catch what falls until the 20 s round ends and the dialog shows.
    while c
        .find_all(Locator::Css("[data-testid=result]"))
        .await
        .expect("find")
        .is_empty()
    {
        assert!(
            started.elapsed() < Duration::from_secs(35),
            "the round never ended"
        );
        if !shot && started.elapsed() > Duration::from_secs(3) {
            browser.screenshot("demo_red_envelope-playing").await;
            shot = true;
        }
        for envelope in c
            .find_all(Locator::Css("[data-testid=envelope]"))
            .await
            .expect("find")
        {
            // Gone or moved on meanwhile: the next one.
            if envelope.click().await.is_ok() {
                clicks += 1;
            }
        }
    }
    let (won, text) = result_dialog(&browser, 5).await;
    browser.screenshot("demo_red_envelope-result").await;
    let (score, passed, state) = round_of(&app, "envelope-fan").await;
    println!("{clicks} clicks, {score} caught");
    assert_eq!(state, "done");
    assert!(text.contains(&format!("本局得分 {score}")), "{text}");
    assert!(score >= 20, "a steady hand catches enough: {score}");
    assert_eq!(passed, score >= 20);
    dialog_matches_the_draw(&app, "envelope-fan", won, &text, "下次好运").await;
}

/// Signs `u_id` in to a demo `activity` with a fresh ticket, then opens the
/// page again in `theme` (a ticket's address loses `&theme=`: the spent
/// ticket is taken out of the address bar with the whole query before the
/// theme applies) and waits for the game.
async fn open_in_theme(app: &TestApp, browser: &Browser, activity: &str, u_id: &str, theme: &str) {
    open_as(app, browser, activity, u_id, "看看").await;
    let c = &browser.client;
    c.goto(&app.url(&format!("/a/{activity}?theme={theme}")))
        .await
        .expect("open in the theme");
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(
            "//*[@data-testid='chances'][contains(., '剩余 3 次机会')]",
        ))
        .await
        .expect("the game renders for the signed-in player");
    let applied = c
        .execute("return document.documentElement.dataset.theme;", vec![])
        .await
        .expect("script");
    assert_eq!(applied, serde_json::json!(theme), "{activity}");
}

#[tokio::test]
async fn every_kind_in_two_themes_on_a_phone_screenshots() {
    let app = TestApp::spawn_with_bundle().await;
    let browser = Browser::phone(390, 844).await;
    let c = &browser.client;
    for theme in ["spring_festival", "minimal_dark"] {
        for kind in [
            "wheel",
            "nine_grid",
            "scratch",
            "golden_egg",
            "slot",
            "checkin",
            "quiz",
            "red_envelope",
            "memory_flip",
        ] {
            let activity = format!("demo_{kind}");
            let u_id = format!("look-{kind}-{theme}");
            open_in_theme(&app, &browser, &activity, &u_id, theme).await;
            let shot = browser.screenshot(&format!("{kind}-{theme}")).await;
            assert!(std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0) > 10_000);
            // The boards that only show once played: a round under way (it
            // spends nothing), the check-in's dialog.
            let playing = match kind {
                "quiz" => Some("[data-testid=question]"),
                "memory_flip" => Some("[data-testid=card]"),
                "red_envelope" => Some("[data-testid=envelope]"),
                _ => None,
            };
            if let Some(board) = playing {
                press(&browser, "[data-testid=start-round]").await;
                wait_for(&browser, board, 10).await;
                if kind == "memory_flip" {
                    for card in [0, 1] {
                        press(
                            &browser,
                            &format!("[data-testid=card]:nth-child({})", card + 1),
                        )
                        .await;
                    }
                    // Past the turn's transition, before they turn back.
                    tokio::time::sleep(Duration::from_millis(350)).await;
                } else if kind == "red_envelope" {
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                }
                c.execute(
                    "document.querySelector('.round-board').scrollIntoView()",
                    vec![],
                )
                .await
                .expect("scroll");
                browser.screenshot(&format!("{kind}-{theme}-playing")).await;
            } else if kind == "checkin" {
                press(&browser, "[data-testid=checkin-button]").await;
                wait_for(&browser, "[data-testid=result]", 10).await;
                browser.screenshot(&format!("{kind}-{theme}-result")).await;
            }
        }
    }
}
