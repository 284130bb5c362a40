use huodong_tests::TestApp;
use huodong_tests::open::lottery;
use serde_json::json;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn a_provably_fair_activity_can_be_re_run_from_public_data_after_it_ends() {
    let app = TestApp::spawn().await;
    let id = app
        .published(lottery(
            "可验证公平",
            json!([
                {"name": "大奖", "kind": "goods", "probability": 0.2, "stock": 3},
                {"name": "积分", "kind": "points", "points": 5, "probability": 0.5}
            ]),
            json!({"chances_per_day": 5, "provably_fair": true}),
        ))
        .await;
    let before = app.get_activity(&id).await;
    let commitment = before["result"]["fair_commitment"]
        .as_str()
        .expect("commitment")
        .to_owned();
    assert_eq!(commitment.len(), 64);
    assert!(
        before["result"]["fair_seed"].is_null(),
        "the seed stays secret while it runs"
    );
    let (_, early) = app
        .get_json(&format!("/api/v1/activities/{id}/verify"), None)
        .await;
    assert_eq!(early["code"], 1009);

    for n in 0..8 {
        let token = app.login(&id, &format!("fair-{n}")).await;
        for k in 0..5 {
            let (_, reply) = app.draw(&token, &id, &format!("k{k}")).await;
            assert_eq!(reply["code"], 0, "{reply}");
        }
    }
    app.open_ok("activity/end", json!({"activity_id": id}))
        .await;

    let after = app.get_activity(&id).await;
    let seed = after["result"]["fair_seed"]
        .as_str()
        .expect("seed revealed");
    let raw = hex::decode(seed).expect("hex seed");
    assert_eq!(hex::encode(Sha256::digest(raw)), commitment);

    let (status, report) = app
        .get_json(&format!("/api/v1/activities/{id}/verify"), None)
        .await;
    assert_eq!(status, 200, "{report}");
    let report = &report["result"];
    assert_eq!(report["draws_checked"], 40);
    assert_eq!(report["mismatches"], json!([]));
    assert_eq!(report["commitment_ok"], true);
    assert_eq!(report["stock_ok"], true);

    // Tampering with one recorded roll is caught.
    huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query("UPDATE draws SET roll = (roll + 1) % weight_total WHERE id = (SELECT MIN(id) FROM draws)")
            .execute(pool)
            .await
            .map(|_| ())
    })
    .expect("tamper");
    let (_, report) = app
        .get_json(&format!("/api/v1/activities/{id}/verify"), None)
        .await;
    assert_eq!(
        report["result"]["mismatches"].as_array().map(Vec::len),
        Some(1)
    );

    let (_, public) = app
        .get_json(&format!("/api/v1/activities/{id}/draws"), None)
        .await;
    let first = &public["result"][0];
    assert_eq!(first["player_ref"].as_str().map(str::len), Some(16));
    assert!(first.get("u_id").is_none(), "user ids stay private");
}
