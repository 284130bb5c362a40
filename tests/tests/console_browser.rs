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
