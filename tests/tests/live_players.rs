//! The live draw on players' phones: three players open a live activity with
//! their tickets (joining the pool), the host starts and stops a round, and
//! every phone shows the same winners — the ones the database recorded — while
//! each winner's phone, and only theirs, says so at once.

use std::time::Duration;

use fantoccini::Locator;
use huodong_tests::TestApp;
use huodong_tests::browser::Browser;
use huodong_tests::open::now;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_phones_watch_a_live_draw_and_the_winners_are_told() {
    let app = TestApp::spawn_with_bundle().await;
    let id = app
        .published(json!({
            "template": "live",
            "title": "年会现场抽奖",
            "starts_at": now() - 60,
            "ends_at": now() + 3600,
            "theme": "spring_festival",
            "prizes": [{"name": "一等奖 · 蓝牙耳机", "kind": "goods", "stock": 2}]
        }))
        .await;
    let players = [("p-1", "小红"), ("p-2", "小明"), ("p-3", "小刚")];
    let mut phones = Vec::new();
    for (u_id, nickname) in players {
        let ticket = app
            .open_ok(
                "user/ticket",
                json!({"u_id": u_id, "nickname": nickname, "activity_id": id}),
            )
            .await;
        let phone = Browser::phone(390, 844).await;
        phone
            .client
            .goto(ticket["play_url"].as_str().expect("play_url"))
            .await
            .expect("open the live activity");
        phone
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("[data-testid=live-wait]"))
            .await
            .expect("the phone waits for the draw");
        phones.push((u_id, phone));
    }
    for (_, phone) in &phones {
        phone
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::XPath(
                "//*[@data-testid='live-pool'][contains(., '3 人参与')]",
            ))
            .await
            .expect("every phone sees the pool of three");
    }

    let host = app.open_ok("live/host", json!({"activity_id": id})).await;
    let token = host["token"].as_str().expect("token").to_owned();
    let (status, reply) = app
        .post_json(
            &format!("/api/v1/live/{id}/start"),
            Some(&token),
            &json!({"count": 2}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    for (_, phone) in &phones {
        phone
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(
                "//*[@data-testid='live-phase'][contains(., '正在抽取')]",
            ))
            .await
            .expect("every phone sees the names rolling");
    }
    let (status, reply) = app
        .post_json(&format!("/api/v1/live/{id}/stop"), Some(&token), &json!({}))
        .await;
    assert_eq!(status, 200, "{reply}");

    let won: Vec<(String, String)> = huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_as(
            "SELECT pl.u_id, pl.nickname FROM draws d JOIN players pl ON pl.id = d.player_id \
             WHERE d.prize_id IS NOT NULL ORDER BY pl.nickname",
        )
        .fetch_all(pool)
        .await
    })
    .expect("the recorded winners");
    assert_eq!(won.len(), 2, "two winners recorded");
    let mut expected: Vec<String> = won.iter().map(|w| w.1.clone()).collect();
    expected.sort();

    for (u_id, phone) in &phones {
        let c = &phone.client;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("[data-testid=live-winners] li"))
            .await
            .expect("the winners on the phone");
        let mut names = Vec::new();
        for li in c
            .find_all(Locator::Css("[data-testid=live-winners] li"))
            .await
            .expect("names")
        {
            names.push(li.text().await.expect("name"));
        }
        names.sort();
        assert_eq!(names, expected, "{u_id} sees the recorded winners");
        let winner = won.iter().any(|w| w.0 == *u_id);
        if winner {
            let dialog = c
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("[data-testid=result][data-won=true]"))
                .await
                .expect("a winner is told at once");
            assert!(
                dialog
                    .text()
                    .await
                    .expect("text")
                    .contains("一等奖 · 蓝牙耳机"),
                "with the prize"
            );
            phone.screenshot("live-phone-winner").await;
        } else {
            tokio::time::sleep(Duration::from_millis(800)).await;
            assert!(
                c.find(Locator::Css("[data-testid=result]")).await.is_err(),
                "{u_id} did not win and is not told so"
            );
            phone.screenshot("live-phone-watcher").await;
        }
    }
    for (_, phone) in phones {
        phone.close().await;
    }
}
