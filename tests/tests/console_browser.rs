//! The merchant console in Chromium: a merchant opens it from the partner's
//! SSO link, creates an activity from a template (the editor explaining a
//! mistake first), previews it, publishes it and exports its winners; and
//! the console embedded in an iframe of another origin signs in through its
//! ticket.

use std::time::Duration;

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use fantoccini::{Client, Locator};
use huodong_tests::TestApp;
use huodong_tests::browser::Browser;
use serde_json::json;

async fn console_url(app: &TestApp, name: &str) -> (String, String) {
    let merchant = app
        .api
        .open_ok("merchant/create", json!({ "name": name }))
        .await;
    let id = merchant["merchant_id"]
        .as_str()
        .expect("merchant_id")
        .to_owned();
    let ticket = app
        .api
        .open_ok("console/ticket", json!({ "merchant_id": id }))
        .await;
    (
        id,
        ticket["console_url"]
            .as_str()
            .expect("console_url")
            .to_owned(),
    )
}

async fn wait(c: &Client, css: &str) -> fantoccini::elements::Element {
    match c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(found) => found,
        Err(e) => {
            let source = c.source().await.unwrap_or_default();
            let page = source
                .find("<body")
                .map_or(source.as_str(), |at| &source[at..])
                .chars()
                .take(3000)
                .collect::<String>();
            panic!("{css}: {e}\npage: {page}")
        }
    }
}

#[tokio::test]
async fn a_merchant_creates_previews_publishes_and_exports_through_the_console() {
    let app = TestApp::spawn_with_bundle().await;
    let (merchant_id, url) = console_url(&app, "星巴克 · 南京西路店").await;
    let browser = Browser::start(1280, 1000).await;
    let c = &browser.client;
    c.goto(&url).await.expect("open the console");
    let who = wait(c, "[data-testid=merchant]").await;
    assert_eq!(who.text().await.expect("text"), "星巴克 · 南京西路店");
    let address = c.current_url().await.expect("url");
    assert!(address.query().is_none(), "the ticket left the address bar");

    wait(c, "[data-testid=new-activity]")
        .await
        .click()
        .await
        .expect("new");
    wait(c, "[data-testid=gallery] [data-kind=wheel]")
        .await
        .click()
        .await
        .expect("the wheel template");
    // A mistake first: odds over 100 % are explained before anything is sent.
    let percent = wait(c, "[data-testid=prize-row] [data-field=prize-percent]").await;
    percent.clear().await.expect("clear");
    percent.send_keys("99").await.expect("type");
    wait(c, "[data-testid=save]")
        .await
        .click()
        .await
        .expect("save");
    let problems = wait(c, "[data-testid=problems]").await;
    assert!(problems.text().await.expect("text").contains("需要修改"));
    let body = c
        .find(Locator::Css("[data-testid=editor]"))
        .await
        .expect("form");
    assert!(
        body.text().await.expect("text").contains("超过了 100%"),
        "the odds problem is explained"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM activities WHERE merchant_id IS NOT NULL")
            .await,
        0
    );

    percent.clear().await.expect("clear");
    percent.send_keys("1").await.expect("type");
    let title = wait(c, "[data-field=title]").await;
    title.clear().await.expect("clear");
    title.send_keys("门店周年庆大转盘").await.expect("type");
    wait(c, "[data-testid=save]")
        .await
        .click()
        .await
        .expect("save");

    let heading = wait(c, "[data-testid=detail-title]").await;
    assert_eq!(heading.text().await.expect("text"), "门店周年庆大转盘");
    assert_eq!(
        wait(c, "[data-testid=status]")
            .await
            .text()
            .await
            .expect("s"),
        "草稿"
    );
    let preview = wait(c, "[data-testid=preview]").await;
    let src = preview.attr("src").await.expect("src").unwrap_or_default();
    assert!(src.starts_with("/preview/"), "{src}");
    browser.screenshot("console-draft").await;

    wait(c, "[data-testid=publish]")
        .await
        .click()
        .await
        .expect("publish");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@data-testid='status'][contains(., '已发布')]",
        ))
        .await
        .expect("published");
    let (status, owner): (String, String) = huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_as(
            "SELECT a.status, m.public_id FROM activities a JOIN merchants m ON m.id = a.merchant_id \
             WHERE a.title = $1",
        )
        .bind("门店周年庆大转盘")
        .fetch_one(pool)
        .await
    })
    .expect("the activity, the merchant's");
    assert_eq!(
        (status.as_str(), owner.as_str()),
        ("published", merchant_id.as_str())
    );

    wait(c, "[data-testid=export]")
        .await
        .click()
        .await
        .expect("export");
    let link = wait(c, "[data-testid=download]").await;
    let href = link.attr("href").await.expect("href").expect("a link");
    let csv = reqwest::get(&href).await.expect("download");
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.expect("csv");
    assert!(text.starts_with('\u{feff}'), "UTF-8 with BOM for Excel");
    browser.screenshot("console-published").await;
    browser.close().await;
}

#[tokio::test]
async fn the_console_embedded_in_another_origin_signs_in_through_its_ticket() {
    let app = TestApp::spawn_with_bundle().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let site = listener.local_addr().expect("addr");
    // The partner's back office is an allowed origin: the console's
    // frame-ancestors names it for this partner's tickets.
    app.api
        .open_ok(
            "partner/config",
            json!({"config": {"allowed_origins": [format!("http://{site}")]}}),
        )
        .await;
    let (_, url) = console_url(&app, "合作方商户").await;
    let page = format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><h1>合作方后台</h1>
<iframe id="console" src="{url}" style="width:1200px;height:800px;border:0"></iframe></body></html>"#
    );
    let host = Router::new().route("/admin", get(move || async move { Html(page.clone()) }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, host).await;
    });
    let browser = Browser::start(1280, 1000).await;
    let c = &browser.client;
    c.goto(&format!("http://{site}/admin"))
        .await
        .expect("open the back office");
    let frame = wait(c, "#console").await;
    frame.enter_frame().await.expect("into the console");
    let who = wait(c, "[data-testid=merchant]").await;
    assert_eq!(who.text().await.expect("text"), "合作方商户");
    wait(c, "[data-testid=new-activity]").await;
    c.enter_parent_frame().await.expect("back");
    browser.screenshot("console-embedded").await;
    browser.close().await;
}

/// The prize rows of the editor.
async fn rows(c: &Client) -> Vec<fantoccini::elements::Element> {
    c.find_all(Locator::Css("[data-testid=prize-row]"))
        .await
        .expect("prize rows")
}

/// The element matching `css` inside `within`.
async fn inside(
    within: &fantoccini::elements::Element,
    css: &str,
) -> fantoccini::elements::Element {
    within
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

async fn click(c: &Client, css: &str) {
    wait(c, css).await.click().await.expect(css);
}

async fn stored(app: &TestApp, sql: &str) -> String {
    huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_scalar::<_, String>(sql).fetch_one(pool).await
    })
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn an_edit_in_the_console_keeps_the_code_pool_and_adds_a_code_prize() {
    let app = TestApp::spawn_with_bundle().await;
    let (merchant_id, url) = console_url(&app, "街角咖啡").await;
    // Made by the partner's server, with what the console's form does not show.
    let created = app
        .api
        .open_ok(
            "activity/create",
            json!({
                "template": "wheel", "title": "街角咖啡周年庆", "merchant_id": merchant_id,
                "starts_at": huodong_tests::open::now() + 3600,
                "ends_at": huodong_tests::open::now() + 86_400 * 7,
                "rules": {"chances_per_day": 3, "risk": {"ip_draws_max": 30, "ip_window_secs": 60}},
                "prizes": [
                    {"name": "一等奖 · 咖啡机", "kind": "goods", "probability": 0.01, "stock": 7,
                     "per_user_limit": 1, "release": {"every": "day", "amount": 1}},
                    {"name": "拿铁兑换码", "kind": "code", "probability": 0.1,
                     "codes": ["LATTE-01", "LATTE-02", "LATTE-03"]},
                    {"name": "50 积分", "kind": "points", "probability": 0.2, "points": 50}
                ]
            }),
        )
        .await;
    let id = created["activity_id"].as_str().expect("id").to_owned();

    let browser = Browser::start(1280, 1000).await;
    let c = &browser.client;
    c.goto(&url).await.expect("open the console");
    click(c, &format!("[data-activity='{id}']")).await;
    click(c, "[data-testid=edit]").await;
    wait(c, "[data-testid=prize-row]").await;
    let latte = rows(c)
        .await
        .into_iter()
        .nth(1)
        .expect("the code prize's row");
    let counts = inside(&latte, "[data-testid=codes-count]").await;
    assert_eq!(counts.text().await.expect("text"), "现有码池 3 个");
    let title = wait(c, "[data-field=title]").await;
    title.clear().await.expect("clear");
    title
        .send_keys("街角咖啡周年庆 · 加码")
        .await
        .expect("type");
    click(c, "[data-testid=save]").await;
    let heading = wait(c, "[data-testid=detail-title]").await;
    assert_eq!(heading.text().await.expect("text"), "街角咖啡周年庆 · 加码");
    let codes = || async {
        huodong_server::on_db!(&app.state.db, pool => {
            sqlx::query_scalar::<_, String>(
                "SELECT c.code FROM prize_codes c JOIN prizes p ON p.id = c.prize_id \
                 WHERE p.name = $1 ORDER BY c.id",
            )
            .bind("拿铁兑换码")
            .fetch_all(pool)
            .await
        })
        .expect("codes")
    };
    assert_eq!(codes().await, ["LATTE-01", "LATTE-02", "LATTE-03"]);
    let rules = stored(
        &app,
        &format!("SELECT rules FROM activities WHERE public_id = '{id}'"),
    )
    .await;
    assert!(
        rules.contains("ip_draws_max"),
        "the anti-farming rule kept: {rules}"
    );
    let (limit, every, points): (Option<i64>, Option<String>, Option<i64>) =
        huodong_server::on_db!(&app.state.db, pool => {
            sqlx::query_as(
                "SELECT g.per_user_limit, g.release_every, pt.points FROM prizes g, prizes pt \
                 WHERE g.name = '一等奖 · 咖啡机' AND pt.name = '50 积分'",
            )
            .fetch_one(pool)
            .await
        })
        .expect("prizes");
    assert_eq!(
        (limit, every.as_deref(), points),
        (Some(1), Some("day"), Some(50))
    );

    // A new code prize: its codes are asked for before anything is sent.
    click(c, "[data-testid=edit]").await;
    click(c, "[data-testid=add-prize]").await;
    let row = rows(c).await.pop().expect("the new row");
    let name = inside(&row, "[data-field=prize-name]").await;
    name.send_keys("美式兑换码").await.expect("type");
    inside(&row, "select")
        .await
        .select_by_value("code")
        .await
        .expect("code kind");
    click(c, "[data-testid=save]").await;
    let form = wait(c, "[data-testid=editor]").await;
    assert!(
        form.text().await.expect("text").contains("须填写兑换码"),
        "the missing codes are explained"
    );
    let row = rows(c).await.pop().expect("the new row");
    let stock = inside(&row, "[data-field=prize-stock]").await;
    // Emptied as a person does (WebDriver's clear sends no input event):
    // a code prize's stock is then the number of its codes.
    stock.send_keys("\u{e003}").await.expect("backspace");
    inside(&row, "[data-field=prize-codes]")
        .await
        .send_keys("AMERICANO-1\nAMERICANO-2\n")
        .await
        .expect("type codes");
    let limit = inside(&row, "[data-field=prize-limit]").await;
    limit.send_keys("1").await.expect("type");
    let typed = rows(c).await.pop().expect("row");
    let count = inside(&typed, "[data-testid=codes-count]").await;
    assert_eq!(count.text().await.expect("text"), "已填 2 个");
    browser.screenshot("console-code-prize").await;
    click(c, "[data-testid=save]").await;
    wait(c, "[data-testid=detail-title]").await;
    let (stock, limit): (Option<i64>, Option<i64>) = huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_as("SELECT stock_total, per_user_limit FROM prizes WHERE name = '美式兑换码'")
            .fetch_one(pool)
            .await
    })
    .expect("the new prize");
    assert_eq!((stock, limit), (Some(2), Some(1)));
    assert_eq!(codes().await, ["LATTE-01", "LATTE-02", "LATTE-03"]);
    browser.close().await;
}

async fn retype(c: &Client, css: &str, text: &str) {
    let field = wait(c, css).await;
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

async fn rules_of(app: &TestApp, title: &str) -> serde_json::Value {
    let rules = stored(
        app,
        &format!("SELECT rules FROM activities WHERE title = '{title}'"),
    )
    .await;
    serde_json::from_str(&rules).expect("rules JSON")
}

#[tokio::test]
async fn the_console_edits_check_in_and_game_rules() {
    let app = TestApp::spawn_with_bundle().await;
    let (_, url) = console_url(&app, "社区超市").await;
    let browser = Browser::start(1280, 1400).await;
    let c = &browser.client;
    c.goto(&url).await.expect("open the console");

    click(c, "[data-testid=new-activity]").await;
    click(c, "[data-testid=gallery] [data-kind=checkin]").await;
    wait(c, "[data-testid=checkin-rules]").await;
    retype(c, "[data-field=title]", "超市每日签到").await;
    retype(c, "[data-field=makeup_cost]", "30").await;
    retype(c, "[data-field=makeup_limit]", "5").await;
    click(c, "[data-testid=add-milestone]").await;
    let milestones = c
        .find_all(Locator::Css("[data-testid=milestone]"))
        .await
        .expect("milestones");
    assert_eq!(milestones.len(), 3, "the template's two and the new one");
    let third = &milestones[2];
    let days = inside(third, "[data-field=milestone-days]").await;
    assert_eq!(
        days.prop("value").await.expect("value").as_deref(),
        Some("14"),
        "the next streak doubles the last"
    );
    inside(third, "[data-field=milestone-prize]")
        .await
        .select_by_value("1")
        .await
        .expect("the 7-day prize");
    // A streak of 0 days is explained before anything is sent.
    let first = inside(&milestones[0], "[data-field=milestone-days]").await;
    first.send_keys("\u{e003}0").await.expect("type 0");
    click(c, "[data-testid=save]").await;
    let form = wait(c, "[data-testid=editor]").await;
    assert!(
        form.text()
            .await
            .expect("text")
            .contains("第 1 个连签奖励的天数须为 1 到 366 的整数"),
        "the streak's problem is explained"
    );
    browser.screenshot("console-checkin-rules").await;
    first.send_keys("\u{e003}3").await.expect("type 3");
    click(c, "[data-testid=save]").await;
    wait(c, "[data-testid=detail-title]").await;
    let rules = rules_of(&app, "超市每日签到").await;
    assert_eq!(
        rules["checkin"],
        json!({"milestones": [{"days": 3, "prize": 0}, {"days": 7, "prize": 1}, {"days": 14, "prize": 1}],
               "makeup_cost": 30, "makeup_limit": 5}),
        "{rules}"
    );
    // The template's prizes award the points their names say.
    let points: Vec<(String, i64)> = huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_as(
            "SELECT p.name, p.points FROM prizes p JOIN activities a ON a.id = p.activity_id \
             WHERE a.title = '超市每日签到' ORDER BY p.position",
        )
            .fetch_all(pool)
            .await
    })
    .expect("prizes");
    assert_eq!(
        points,
        [
            ("连签 3 天 · 100 积分".to_owned(), 100),
            ("连签 7 天 · 300 积分".to_owned(), 300)
        ]
    );

    // A game's pass score above what the game can score is explained.
    click(c, ".brand").await;
    click(c, "[data-testid=new-activity]").await;
    click(c, "[data-testid=gallery] [data-kind=red_envelope]").await;
    wait(c, "[data-testid=game-rules]").await;
    retype(c, "[data-field=title]", "超市接红包").await;
    retype(c, "[data-field=game_pass]", "999").await;
    click(c, "[data-testid=save]").await;
    let form = wait(c, "[data-testid=editor]").await;
    assert!(
        form.text()
            .await
            .expect("text")
            .contains("本游戏最高 60 分"),
        "the pass score's problem is explained"
    );
    retype(c, "[data-field=game_pass]", "25").await;
    retype(c, "[data-field=game_secs]", "30").await;
    click(c, "[data-testid=save]").await;
    wait(c, "[data-testid=detail-title]").await;
    let rules = rules_of(&app, "超市接红包").await;
    assert_eq!(
        (
            &rules["game"]["pass_score"],
            &rules["game"]["duration_secs"],
            &rules["game"]["max_score"]
        ),
        (&json!(25), &json!(30), &json!(60)),
        "{rules}"
    );
    browser.close().await;
}
