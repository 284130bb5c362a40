//! A server process killed with SIGKILL in the middle of partner calls loses
//! nothing: after a restart every event and prize is delivered, each id with
//! one effect, and the points of a paid draw cut short are refunded.

use std::path::Path;

use huodong_partner::Mode;
use huodong_shared::partner::Callback;
use huodong_tests::TestDb;
use huodong_tests::open::lottery;
use huodong_tests::partner::{configure, eventually};
use huodong_tests::process::ServerProcess;
use serde_json::json;

const FLAGS: &[&str] = &[
    "--outbox-lease-ms",
    "2500",
    "--outbox-retry-base-ms",
    "200",
    "--points-guard-secs",
    "3",
];

async fn pending(db: &TestDb) -> i64 {
    db.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_delivery_loses_nothing_and_doubles_nothing() {
    let db = TestDb::create().await;
    let bin = Path::new(env!("CARGO_BIN_EXE_huodong-server"));
    let mut server = ServerProcess::start_with(bin, &db.url, true, FLAGS).await;
    let partner = huodong_partner::spawn(([127, 0, 0, 1], 0).into(), &Default::default())
        .await
        .expect("partner");
    configure(&server.api, &partner, 2_000).await;
    let id = server
        .api
        .published(lottery(
            "断电也不丢",
            json!([{"name": "满 100 减 20 优惠券", "kind": "coupon", "coupon_id": "110", "probability": 0.5, "stock": 100}]),
            json!({"chances_per_day": 4}),
        ))
        .await;
    // Every coupon and event call hangs past the timeout: the process dies
    // while they are in flight.
    {
        let mut ledger = partner.partner.ledger();
        ledger.set_mode(Callback::CouponIssue, Mode::Hang { ms: 1_500 }, None);
        ledger.set_mode(Callback::Events, Mode::Hang { ms: 1_500 }, None);
    }
    let mut winners = 0;
    for n in 0..4 {
        let token = server.api.login(&id, &format!("crash-{n}")).await;
        for k in 0..4 {
            let (_, reply) = server.api.draw(&token, &id, &format!("k{k}")).await;
            assert_eq!(reply["code"], 0, "{reply}");
            winners += i64::from(!reply["result"]["prize"].is_null());
        }
    }
    // A paid draw whose deduction is in flight when the process dies.
    let paid = server
        .api
        .published(lottery(
            "积分抽奖",
            json!([{"name": "纪念徽章", "kind": "goods", "probability": 0.2, "stock": 1000}]),
            json!({"points_cost": 10}),
        ))
        .await;
    partner
        .partner
        .ledger()
        .set_mode(Callback::PointsDeduct, Mode::Hang { ms: 1_000 }, Some(1));
    let token = server.api.login(&paid, "crash-paid").await;
    let request = server
        .api
        .client
        .post(server.api.url(&format!("/api/v1/activities/{paid}/draw")))
        .bearer_auth(&token)
        .json(&json!({"idempotency_key": "p"}));
    // Its answer never comes: the process is killed first.
    let in_flight = tokio::spawn(request.send());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    server.kill();
    let _ = in_flight.await;
    assert!(pending(&db).await > 0, "work was left in flight");

    partner.partner.ledger().modes.clear();
    let restarted = ServerProcess::start_with(bin, &db.url, false, FLAGS).await;
    eventually("everything delivered after the restart", 60, || async {
        pending(&db).await == 0
    })
    .await;
    let issued_draws = db
        .scalar("SELECT COUNT(*) FROM draws WHERE delivery = 'issued'")
        .await;
    let ledger = partner.partner.ledger();
    // 5 views + 16 participations + one win event per winner; each id once.
    assert_eq!(ledger.events.len() as i64, 5 + 16 + winners);
    assert_eq!(ledger.issued.len() as i64, winners);
    assert_eq!(issued_draws, winners);
    // The paid draw never happened: whatever the partner deducted is back.
    assert_eq!(ledger.deducted_net(), 0);
    assert_eq!(
        ledger.balances.get("crash-paid").copied().unwrap_or(1_000),
        1_000
    );
    drop(ledger);
    drop(restarted);
}
