//! Two server processes on one database (PostgreSQL in a scaled-out
//! deployment; the run's backend here): a big screen watching instance B sees
//! the winners the host draws through instance A, with the same event ids,
//! and a screen that reconnects to A after B dies resumes where it was.

use std::path::Path;
use std::time::Duration;

use huodong_tests::TestDb;
use huodong_tests::open::now;
use huodong_tests::process::ServerProcess;
use huodong_tests::sse::SseClient;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screen_on_instance_b_sees_winners_drawn_through_instance_a() {
    let db = TestDb::create().await;
    let bin = Path::new(env!("CARGO_BIN_EXE_huodong-server"));
    let a = ServerProcess::start(bin, &db.url, true).await;
    let mut b = ServerProcess::start(bin, &db.url, false).await;

    let id = a
        .api
        .published(json!({
            "template": "live", "title": "两实例", "starts_at": now() - 60, "ends_at": now() + 3600,
            "prizes": [{"name": "一等奖", "kind": "goods", "stock": 2}]
        }))
        .await;
    let host = a.api.open_ok("live/host", json!({"activity_id": id})).await;
    let token = host["token"].as_str().expect("token").to_owned();
    for n in 0..6 {
        // Viewers join through both instances.
        let api = if n % 2 == 0 { &a.api } else { &b.api };
        api.login(&id, &format!("x{n}")).await;
    }
    let path = format!("/api/v1/live/{id}/stream");
    let mut screen = SseClient::connect(&b.api, &path, None).await;
    assert_eq!(screen.next_of("pool", WAIT).await.data["count"], 6);

    let start = a
        .api
        .post_json(
            &format!("/api/v1/live/{id}/start"),
            Some(&token),
            &json!({}),
        )
        .await
        .1;
    assert_eq!(start["code"], 0, "{start}");
    let rolling = screen.next_of("rolling", WAIT).await;
    let stop = a
        .api
        .post_json(&format!("/api/v1/live/{id}/stop"), Some(&token), &json!({}))
        .await
        .1;
    assert_eq!(stop["code"], 0, "{stop}");
    let winners = screen.next_of("winners", WAIT).await;
    assert_eq!(winners.data["winners"], stop["result"]["winners"]);
    assert_eq!(winners.data["winners"].as_array().map(Vec::len), Some(2));
    assert_eq!(winners.id, Some(rolling.id.expect("id") + 1));

    // B dies; the screen comes back on A with its last id and misses nothing.
    b.kill();
    let cancel_start = a
        .api
        .post_json(
            &format!("/api/v1/live/{id}/start"),
            Some(&token),
            &json!({}),
        )
        .await
        .1;
    assert_eq!(cancel_start["code"], 0, "{cancel_start}");
    let mut back = SseClient::connect(&a.api, &path, winners.id).await;
    let again = back.next_of("rolling", WAIT).await;
    assert_eq!(again.id, Some(winners.id.expect("id") + 1));
    assert_eq!(again.data["round"], 2);
}
