//! The partner integration over real HTTP with the reference partner: every
//! callback, the seed error codes, signatures both ways, outages, retries and
//! the points ledger.

use huodong_partner::Mode;
use huodong_shared::partner::Callback;
use huodong_shared::sign;
use huodong_tests::TestApp;
use huodong_tests::open::{lottery, now, signed_body};
use huodong_tests::partner::{configure, connect, eventually};
use serde_json::{Value, json};

/// A lottery whose only prize is `prize`, always drawn.
fn sure_thing(title: &str, prize: Value, rules: Value) -> Value {
    lottery(title, json!([prize]), rules)
}

/// A plain lottery prize, for activities where the prize does not matter.
fn small_prize() -> Value {
    json!([{"name": "纪念徽章", "kind": "goods", "probability": 0.2, "stock": 1000}])
}

/// Stock left of the activity's coupon prize.
async fn coupon_stock(app: &TestApp, activity: &str) -> i64 {
    app.scalar(&format!(
        "SELECT p.stock_left FROM prizes p JOIN activities a ON a.id = p.activity_id \
         WHERE a.public_id = '{activity}' AND p.kind = 'coupon'"
    ))
    .await
}

fn coupon(stock: i64) -> Value {
    json!({"name": "满 100 减 20 优惠券", "kind": "coupon", "coupon_id": "110", "probability": 1.0, "stock": stock})
}

async fn outbox_pending(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        .await
}

#[tokio::test]
async fn partner_config_is_validated_and_never_answers_the_secret() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 1500).await;
    let read = app.open("partner/config", json!({})).await;
    assert_eq!(read["code"], 0, "{read}");
    assert_eq!(read["result"]["timeout_ms"], 1500);
    assert_eq!(
        read["result"]["callbacks"]["coupon_issue"],
        format!("{}/coupon/issue", partner.url())
    );
    assert!(
        !read.to_string().contains("demo-secret-change-me"),
        "the secret leaked: {read}"
    );

    for (config, field) in [
        (
            json!({"callbacks": {"events": "ftp://x"}}),
            "callbacks.events",
        ),
        (json!({"timeout_ms": 5}), "timeout_ms"),
        (json!({"allowed_origins": ["*"]}), "allowed_origins"),
        (
            json!({"allowed_origins": ["https://a.example.com/path"]}),
            "allowed_origins",
        ),
        (json!({"login_url": "javascript:alert(1)"}), "login_url"),
    ] {
        let reply = app
            .open("partner/config", json!({ "config": config }))
            .await;
        assert_eq!(reply["code"], 1001, "{reply}");
        assert!(
            reply["msg"].as_str().unwrap_or("").contains(field),
            "{reply}"
        );
    }
    // Refused changes left the settings as they were.
    let again = app.open_ok("partner/config", json!({})).await;
    assert_eq!(again["timeout_ms"], 1500);
}

#[tokio::test]
async fn the_coupon_list_pages_through_the_partner_as_in_the_seed_contract() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 1500).await;
    let page = app
        .open_ok("partner/coupons", json!({"page": 2, "page_size": 3}))
        .await;
    assert_eq!(page["count"], 4);
    assert_eq!(page["title"]["name"], "名称");
    assert_eq!(page["ignore"], "id");
    assert_eq!(page["list"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["list"][0]["id"], "113");

    partner.partner.ledger().set_mode(
        Callback::CouponList,
        Mode::Error {
            code: 9003,
            msg: "coupon list err".into(),
        },
        Some(1),
    );
    let failed = app.open("partner/coupons", json!({"page": 1})).await;
    assert_eq!(
        (failed["code"].as_i64(), failed["msg"].as_str()),
        (Some(9003), Some("coupon list err"))
    );

    // A wrong secret on our side: the partner refuses the signature (7100).
    let stranger = huodong_partner::spawn(
        ([127, 0, 0, 1], 0).into(),
        &huodong_partner::Options {
            secret: "another-secret".into(),
            ..Default::default()
        },
    )
    .await
    .expect("partner");
    configure(&app, &stranger, 1500).await;
    let refused = app.open("partner/coupons", json!({"page": 1})).await;
    assert_eq!(refused["code"], 9003, "{refused}");
    assert_eq!(refused["msg"], "token error");
    assert_eq!(stranger.partner.ledger().bad_signatures, 1);
}

#[tokio::test]
async fn a_won_coupon_is_issued_once_and_its_cd_key_shown() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 1500).await;
    let id = app
        .published(sure_thing(
            "优惠券抽奖",
            coupon(5),
            json!({"chances_per_day": 3}),
        ))
        .await;
    let token = app.login(&id, "coupon-fan").await;
    let (_, reply) = app.draw(&token, &id, "k1").await;
    assert_eq!(reply["code"], 0, "{reply}");
    let prize = &reply["result"]["prize"];
    assert_eq!(prize["delivery"], "issued", "{reply}");
    assert_eq!(prize["note"], "全场通用，满 100 元可用");
    let cd_key = prize["code"].as_str().expect("cd_key").to_owned();

    // A retry of the same draw answers the same coupon; nothing is issued twice.
    let (_, retry) = app.draw(&token, &id, "k1").await;
    assert_eq!(retry["result"]["prize"]["code"], cd_key.as_str());
    let me = app.me(&token, &id).await;
    assert_eq!(me["prizes"][0]["code"], cd_key.as_str());
    {
        let ledger = partner.partner.ledger();
        assert_eq!(ledger.issued.len(), 1);
        let issued = ledger.issued.values().next().expect("issued");
        assert_eq!(
            (
                issued.u_id.as_str(),
                issued.coupon_id.as_str(),
                issued.cd_key.as_str()
            ),
            ("coupon-fan", "110", cd_key.as_str())
        );
    }
    // view, participate and win events arrive, each once.
    eventually("events delivered", 10, || async {
        partner.partner.ledger().events.len() == 3
    })
    .await;
    let kinds: Vec<String> = partner
        .partner
        .ledger()
        .events
        .values()
        .map(|e| e.kind.clone())
        .collect();
    for kind in ["view", "participate", "win"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let deliveries = app.records(&id, "deliveries").await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["status"], "done");
    assert_eq!(deliveries[0]["result"]["cd_key"], cd_key.as_str());
}

#[tokio::test]
async fn a_partner_error_keeps_the_prize_pending_and_retries_until_issued() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 1500).await;
    let id = app
        .published(sure_thing("重试发券", coupon(5), json!({})))
        .await;
    partner.partner.ledger().set_mode(
        Callback::CouponIssue,
        Mode::Error {
            code: 9004,
            msg: "send coupon err".into(),
        },
        Some(3),
    );
    let token = app.login(&id, "patient").await;
    let (_, reply) = app.draw(&token, &id, "k").await;
    let prize = &reply["result"]["prize"];
    assert_eq!(prize["delivery"], "pending", "{reply}");
    assert_eq!(prize["note"], "send coupon err");
    eventually("the coupon issued after retries", 20, || async {
        app.me(&token, &id).await["prizes"][0]["delivery"] == "issued"
    })
    .await;
    let me = app.me(&token, &id).await;
    assert!(
        me["prizes"][0]["code"]
            .as_str()
            .is_some_and(|c| c.len() == 10)
    );
    let deliveries = app.records(&id, "deliveries").await;
    assert_eq!(deliveries[0]["attempts"], 4, "{deliveries:?}");
    assert_eq!(partner.partner.ledger().issued.len(), 1);
    assert_eq!(coupon_stock(&app, &id).await, 4);
}

#[tokio::test]
async fn an_unknown_user_gets_the_partner_message_and_the_coupon_goes_back_to_stock() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 1500).await;
    let id = app
        .published(sure_thing("无此用户", coupon(5), json!({})))
        .await;
    partner
        .partner
        .ledger()
        .unknown_users
        .insert("ghost".into());
    let token = app.login(&id, "ghost").await;
    let (_, reply) = app.draw(&token, &id, "k").await;
    let prize = &reply["result"]["prize"];
    assert_eq!(prize["delivery"], "failed", "{reply}");
    assert_eq!(prize["note"], "no user");
    assert_eq!(
        coupon_stock(&app, &id).await,
        5,
        "the refused coupon is back in stock"
    );
    let deliveries = app.records(&id, "deliveries").await;
    assert_eq!(deliveries[0]["status"], "failed");
}

#[tokio::test]
async fn a_points_prize_is_added_through_the_partner_once() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 1500).await;
    let id = app
        .published(sure_thing(
            "积分大奖",
            json!({"name": "88 积分", "kind": "points", "points": 88, "probability": 1.0}),
            json!({"chances_per_day": 2}),
        ))
        .await;
    let token = app.login(&id, "pointy").await;
    for key in ["a", "b", "b"] {
        let (_, reply) = app.draw(&token, &id, key).await;
        assert_eq!(reply["result"]["prize"]["delivery"], "issued", "{reply}");
    }
    let ledger = partner.partner.ledger();
    assert_eq!(ledger.adds.len(), 2);
    assert_eq!(ledger.balances.get("pointy"), Some(&(1_000 + 2 * 88)));
}

#[tokio::test]
async fn paid_draws_deduct_refund_and_always_balance() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 800).await;
    let id = app
        .published(lottery(
            "积分抽奖",
            small_prize(),
            json!({"chances_per_day": 3, "points_cost": 100}),
        ))
        .await;
    let rich = app.login(&id, "rich").await;
    partner.partner.ledger().balances.insert("poor".into(), 50);
    let poor = app.login(&id, "poor").await;

    for key in ["r1", "r2"] {
        let (_, reply) = app.draw(&rich, &id, key).await;
        assert_eq!(reply["code"], 0, "{reply}");
    }
    // A retry pays nothing more.
    let (_, retry) = app.draw(&rich, &id, "r2").await;
    assert_eq!(retry["code"], 0);
    assert_eq!(partner.partner.ledger().balances.get("rich"), Some(&800));

    // Not enough points: the partner's message reaches the player.
    let (_, reply) = app.draw(&poor, &id, "p1").await;
    assert_eq!(reply["code"], 8001, "{reply}");
    assert_eq!(reply["msg"], "积分不足：需要 100 积分，当前 50 积分");

    // The partner deducts but answers too late: the draw is refused and the
    // deduction refunded.
    partner
        .partner
        .ledger()
        .set_mode(Callback::PointsDeduct, Mode::Hang { ms: 1_500 }, Some(1));
    let (_, reply) = app.draw(&rich, &id, "r3").await;
    assert_eq!(reply["code"], 2010, "{reply}");
    eventually("the refund sent", 10, || async {
        partner.partner.ledger().refunds.len() == 1
    })
    .await;
    // The refund overtook the slow deduction, which the partner then refuses
    // (had it come first, the refund would have given the points back).
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    assert_eq!(partner.partner.ledger().deductions.len(), 2);
    assert_eq!(partner.partner.ledger().balances.get("rich"), Some(&800));

    // The third chance still works; then no chances: refused before paying.
    let (_, reply) = app.draw(&rich, &id, "r4").await;
    assert_eq!(reply["code"], 0, "{reply}");
    let (_, reply) = app.draw(&rich, &id, "r5").await;
    assert_eq!(reply["code"], 2004, "{reply}");

    let draws = app.scalar("SELECT COUNT(*) FROM draws").await;
    assert_eq!(draws, 3);
    assert_eq!(partner.partner.ledger().deducted_net(), draws * 100);
    assert_eq!(partner.partner.ledger().balances.get("rich"), Some(&700));
    eventually("the outbox drained", 10, || async {
        outbox_pending(&app).await == 0
    })
    .await;
}

#[tokio::test]
async fn the_condition_check_decides_before_play_with_the_partner_message() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 1500).await;
    let id = app
        .published(lottery(
            "会员专享",
            small_prize(),
            json!({"condition_check": true}),
        ))
        .await;
    partner
        .partner
        .ledger()
        .denied_users
        .insert("visitor".into());
    let visitor = app.login(&id, "visitor").await;
    let member = app.login(&id, "member").await;
    let (_, refused) = app.draw(&visitor, &id, "v").await;
    assert_eq!(
        (refused["code"].as_i64(), refused["msg"].as_str()),
        (Some(2009), Some("本活动仅限会员参与，开通会员后再来吧"))
    );
    let (_, allowed) = app.draw(&member, &id, "m").await;
    assert_eq!(allowed["code"], 0, "{allowed}");
    // Answers are cached briefly: a second draw does not ask again.
    let calls = |p: &huodong_partner::Running| p.partner.ledger().calls.get("condition").copied();
    let before = calls(&partner);
    let (_, refused_again) = app.draw(&visitor, &id, "v2").await;
    assert_eq!(refused_again["code"], 2009);
    assert_eq!(calls(&partner), before);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM draws").await, 1);
}

#[tokio::test]
async fn events_survive_a_partner_outage_and_arrive_once_each() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 500).await;
    let id = app
        .published(lottery(
            "断线重连",
            small_prize(),
            json!({"chances_per_day": 5}),
        ))
        .await;
    let addr = partner.addr;
    let state = partner.partner.clone();
    partner.stop();
    drop(partner);

    let token = app.login(&id, "steady").await;
    for k in 0..5 {
        let (_, reply) = app.draw(&token, &id, &format!("k{k}")).await;
        assert_eq!(reply["code"], 0, "{reply}");
    }
    // While the partner is down, attempts fail and are rescheduled.
    eventually("failed attempts recorded", 10, || async {
        app.scalar("SELECT COUNT(*) FROM outbox WHERE attempts > 0 AND status = 'pending'")
            .await
            > 0
    })
    .await;
    let back = huodong_partner::spawn_with(addr, state)
        .await
        .expect("the partner comes back on its address");
    eventually("all events delivered", 30, || async {
        outbox_pending(&app).await == 0
    })
    .await;
    let events = app.records(&id, "events").await;
    let wins = app
        .scalar("SELECT COUNT(*) FROM draws WHERE prize_id IS NOT NULL")
        .await;
    // 1 view + 5 participate + a win event per win, each id once.
    assert_eq!(events.len() as i64, 6 + wins);
    let ledger = back.partner.ledger();
    assert_eq!(ledger.events.len(), events.len());
    assert!(ledger.event_posts as usize >= events.len());
    assert!(events.iter().all(|e| e["status"] == "done"), "{events:?}");
    assert!(events.iter().any(|e| e["attempts"].as_i64() > Some(1)));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 1500).await;
    partner.partner.ledger().set_mode(
        Callback::Events,
        Mode::Fail {
            status: 503,
            retry_after: Some(3),
        },
        Some(1),
    );
    let id = app
        .published(lottery("稍后再试", small_prize(), json!({})))
        .await;
    let _token = app.login(&id, "waiter").await;
    eventually("the first attempt refused", 10, || async {
        app.scalar("SELECT COUNT(*) FROM outbox WHERE attempts = 1 AND last_error IS NOT NULL")
            .await
            == 1
    })
    .await;
    let wait = app
        .scalar("SELECT next_at - created_at FROM outbox WHERE attempts = 1")
        .await;
    // The base delay is 200 ms in tests; the partner asked for 3 s.
    assert!((2_900..10_000).contains(&wait), "waited {wait} ms");
}

#[tokio::test]
async fn calls_not_acknowledged_within_the_horizon_are_dead_and_prizes_released() {
    let app = TestApp::spawn_with(|config| config.outbox_horizon_secs = 1).await;
    let partner = connect(&app, 300).await;
    partner.partner.ledger().set_mode(
        Callback::CouponIssue,
        Mode::Fail {
            status: 500,
            retry_after: None,
        },
        None,
    );
    let id = app
        .published(sure_thing("一直失败", coupon(3), json!({})))
        .await;
    let token = app.login(&id, "unlucky").await;
    let (_, reply) = app.draw(&token, &id, "k").await;
    assert_eq!(reply["result"]["prize"]["delivery"], "pending", "{reply}");
    eventually("the delivery marked dead", 15, || async {
        app.records(&id, "deliveries").await[0]["status"] == "dead"
    })
    .await;
    let me = app.me(&token, &id).await;
    assert_eq!(me["prizes"][0]["delivery"], "failed");
    assert!(
        me["prizes"][0]["note"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    assert_eq!(coupon_stock(&app, &id).await, 3);
    assert!(partner.partner.ledger().issued.is_empty());
}

#[tokio::test]
async fn the_partner_refuses_bad_signatures_and_replayed_nonces() {
    let partner = huodong_partner::spawn(([127, 0, 0, 1], 0).into(), &Default::default())
        .await
        .expect("partner");
    let client = reqwest::Client::new();
    let url = format!("{}/events", partner.url());
    let event = json!({"event_id": "e1", "type": "view", "u_id": "u", "activity_id": "a", "at": now(), "data": null});
    let mut good = match event {
        Value::Object(map) => map,
        _ => unreachable!(),
    };
    good.insert("timestamp".into(), json!(now()));
    good.insert("nonce".into(), json!("n-1"));
    sign::sign_in_place("demo-secret-change-me", &mut good);
    let post = |body: serde_json::Map<String, Value>| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let reply: Value = client
                .post(url)
                .json(&body)
                .send()
                .await
                .expect("post")
                .json()
                .await
                .expect("json");
            reply["code"].as_i64()
        }
    };
    let sign_of = good["sign"].as_str().unwrap_or_default().to_owned();
    for bad in ["", &sign_of[..sign_of.len() / 2], "00"] {
        let mut body = good.clone();
        body.insert("sign".into(), json!(bad));
        assert_eq!(post(body).await, Some(7100), "sign {bad:?}");
    }
    let mut unsigned = good.clone();
    unsigned.remove("sign");
    assert_eq!(post(unsigned).await, Some(7100));
    assert_eq!(post(good.clone()).await, Some(0));
    assert_eq!(post(good).await, Some(7100), "a replayed nonce");
    let ledger = partner.partner.ledger();
    assert_eq!((ledger.events.len(), ledger.bad_signatures), (1, 5));
}

#[tokio::test]
async fn the_runtime_refuses_empty_and_truncated_signatures() {
    let app = TestApp::spawn().await;
    let good = signed_body("demo", "demo-secret-change-me", json!({}));
    let sign_of = good["sign"].as_str().unwrap_or_default().to_owned();
    for bad in ["", &sign_of[..10]] {
        let mut body = good.clone();
        body.insert("sign".into(), json!(bad));
        let (_, reply) = app.open_raw("partner/config", &body).await;
        assert_eq!(reply["code"], 7100, "sign {bad:?}: {reply}");
    }
}

#[tokio::test]
async fn make_up_check_ins_cost_points_within_the_limit() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 1500).await;
    let id = app
        .published(json!({
            "template": "checkin",
            "title": "补签日历",
            "starts_at": now() - 5 * 86_400,
            "ends_at": now() + 30 * 86_400,
            "prizes": [{"name": "连签 3 天 · 30 积分", "kind": "points", "points": 30, "probability": 0.0, "stock": 10}],
            "rules": {"checkin": {"milestones": [{"days": 3, "prize": 0}], "makeup_cost": 20, "makeup_limit": 2}},
        }))
        .await;
    let token = app.login(&id, "late").await;
    let path = format!("/api/v1/activities/{id}/checkin");
    let (_, today) = app.post_json(&path, Some(&token), &json!({})).await;
    assert_eq!(today["result"]["streak"], 1, "{today}");
    let day = today["result"]["day"].as_i64().expect("day");
    let me = app.me(&token, &id).await;
    let days_back = |n: usize| -> i64 {
        (0..n).fold(day, |d, _| {
            huodong_server::clock::previous_day(d).expect("a day before")
        })
    };
    let makeup = format!("{path}/makeup");
    let (_, first) = app
        .post_json(&makeup, Some(&token), &json!({"day": days_back(1)}))
        .await;
    assert_eq!(first["code"], 0, "{first}");
    assert_eq!(first["result"]["streak"], 2);
    let (_, second) = app
        .post_json(&makeup, Some(&token), &json!({"day": days_back(2)}))
        .await;
    assert_eq!(second["result"]["streak"], 3, "{second}");
    assert_eq!(
        second["result"]["rewards"][0]["name"],
        "连签 3 天 · 30 积分"
    );
    let (_, third) = app
        .post_json(&makeup, Some(&token), &json!({"day": days_back(3)}))
        .await;
    assert_eq!(third["code"], 2004, "the limit: {third}");
    let (_, today_again) = app
        .post_json(&makeup, Some(&token), &json!({"day": day}))
        .await;
    assert_eq!(today_again["code"], 1001, "{today_again}");
    assert_eq!(me["checkin"]["makeups_left"], 2);
    assert_eq!(app.me(&token, &id).await["checkin"]["makeups_left"], 0);
    eventually("the streak reward added", 10, || async {
        partner.partner.ledger().adds.len() == 1
    })
    .await;
    let ledger = partner.partner.ledger();
    assert_eq!(ledger.deducted_net(), 2 * 20);
    assert_eq!(ledger.balances.get("late"), Some(&(1_000 - 40 + 30)));
}

#[tokio::test]
async fn winner_audit_awards_approved_winners_and_falls_back_for_refused_ones() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 800).await;
    let id = app
        .published(lottery(
            "审核大奖",
            json!([
                {"name": "iPhone 大奖", "kind": "goods", "probability": 1.0, "stock": 2, "audit": true},
                {"name": "安慰奖 · 10 积分", "kind": "points", "points": 10, "probability": 0.0, "stock": 5},
            ]),
            json!({"audit_fallback": 1}),
        ))
        .await;
    let grand_stock = || async {
        app.scalar(&format!(
            "SELECT p.stock_left FROM prizes p JOIN activities a ON a.id = p.activity_id \
             WHERE a.public_id = '{id}' AND p.position = 0"
        ))
        .await
    };
    partner
        .partner
        .ledger()
        .audit_refused
        .insert("suspicious".into());

    let good = app.login(&id, "honest").await;
    let (_, reply) = app.draw(&good, &id, "k").await;
    assert_eq!(reply["result"]["prize"]["name"], "iPhone 大奖", "{reply}");
    assert_eq!(reply["result"]["prize"]["delivery"], Value::Null);
    assert_eq!(grand_stock().await, 1);

    let bad = app.login(&id, "suspicious").await;
    let (_, reply) = app.draw(&bad, &id, "k").await;
    assert_eq!(
        reply["result"]["prize"]["name"], "安慰奖 · 10 积分",
        "a refused winner gets the fallback: {reply}"
    );
    assert_eq!(reply["result"]["prize"]["delivery"], "issued");
    assert_eq!(
        grand_stock().await,
        1,
        "the audited prize went back to stock"
    );

    // The audit callback is down: the prize waits, reserved, then is awarded.
    partner.partner.ledger().set_mode(
        Callback::Audit,
        Mode::Fail {
            status: 503,
            retry_after: None,
        },
        Some(2),
    );
    let patient = app.login(&id, "patient").await;
    let (_, reply) = app.draw(&patient, &id, "k").await;
    assert_eq!(reply["result"]["prize"]["delivery"], "audit", "{reply}");
    assert_eq!(
        grand_stock().await,
        0,
        "reserved while the audit is pending"
    );
    eventually("the audit approved after the outage", 20, || async {
        app.me(&patient, &id).await["prizes"][0]["delivery"].is_null()
    })
    .await;
    let me = app.me(&patient, &id).await;
    assert_eq!(me["prizes"][0]["name"], "iPhone 大奖");
    let outcomes = app.records(&id, "draws").await;
    let outcomes: Vec<&str> = outcomes
        .iter()
        .filter_map(|d| d["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["won", "audit_refused", "won"]);
    assert_eq!(grand_stock().await, 0);
    let ledger = partner.partner.ledger();
    assert_eq!(ledger.adds.len(), 1);
    assert!(ledger.calls.get("audit").is_some_and(|n| *n >= 5));
}

#[tokio::test]
async fn a_player_without_a_ticket_signs_in_through_the_partner_login() {
    let app = TestApp::spawn().await;
    let runtime = format!("http://{}", app.addr);
    let partner = huodong_partner::spawn(
        ([127, 0, 0, 1], 0).into(),
        &huodong_partner::Options {
            runtime_url: Some(runtime.clone()),
            ..Default::default()
        },
    )
    .await
    .expect("partner");
    let id = app
        .published(lottery("分享链接", small_prize(), json!({})))
        .await;
    // Without a login URL there is nowhere to send the player.
    let (status, reply) = app
        .get_json(&format!("/api/v1/activities/{id}/login"), None)
        .await;
    assert_eq!(
        (status, reply["code"].as_i64()),
        (404, Some(1004)),
        "{reply}"
    );

    let login_url = format!("{}/login", partner.url());
    app.open_ok(
        "partner/config",
        json!({"config": {"callbacks": partner.callbacks(), "login_url": login_url}}),
    )
    .await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let location = |response: &reqwest::Response| {
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .expect("a redirect")
    };
    let first = browser
        .get(format!("{runtime}/api/v1/activities/{id}/login"))
        .send()
        .await
        .expect("runtime answers");
    assert_eq!(first.status().as_u16(), 303);
    let to_partner = location(&first);
    assert!(to_partner.starts_with(&login_url), "{to_partner}");
    let back = reqwest::Url::parse(&to_partner).expect("url");
    let redirect_url = back
        .query_pairs()
        .find(|(k, _)| k == "redirect_url")
        .map(|(_, v)| v.into_owned());
    assert_eq!(redirect_url, Some(format!("{runtime}/a/{id}")));

    // The partner signs the user in and sends them back with a ticket.
    let second = browser
        .get(format!("{to_partner}&u_id=returning-user"))
        .send()
        .await
        .expect("partner answers");
    let play_url = location(&second);
    assert!(
        play_url.starts_with(&format!("{runtime}/a/{id}?ticket=")),
        "{play_url}"
    );
    let ticket = play_url.rsplit("ticket=").next().expect("ticket");
    let (status, session) = app
        .post_json("/api/v1/session", None, &json!({"ticket": ticket}))
        .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["result"]["u_id"], "returning-user");

    // The partner's login page never sends players elsewhere.
    let evil = browser
        .get(format!(
            "{}/login?redirect_url=https://evil.example/a/{id}&activity_id={id}",
            partner.url()
        ))
        .send()
        .await
        .expect("partner answers");
    assert_eq!(evil.status().as_u16(), 400);
}

#[tokio::test]
async fn pages_may_be_framed_only_by_the_partner_origins() {
    let dist = tempfile::tempdir().expect("dist");
    std::fs::write(
        dist.path().join("index.html"),
        "<!DOCTYPE html><html lang=\"zh-CN\"><body></body></html>",
    )
    .expect("index");
    let path = dist.path().to_path_buf();
    let app = TestApp::spawn_with(move |config| config.dist_dir = path).await;
    let _partner = connect(&app, 1000).await;
    let id = app
        .published(lottery("嵌入", small_prize(), json!({})))
        .await;
    let csp = |response: reqwest::Response| {
        response
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        csp(app.get(&format!("/a/{id}")).await).as_deref(),
        Some("frame-ancestors 'self' https://shop.example.com")
    );
    assert_eq!(
        csp(app.get("/").await).as_deref(),
        Some("frame-ancestors 'self'")
    );
}

#[tokio::test]
async fn the_partner_may_decide_outcomes_but_not_break_stock() {
    let app = TestApp::spawn().await;
    let partner = connect(&app, 800).await;
    let id = app
        .published(lottery(
            "指定中奖",
            json!([
                {"name": "锦鲤大奖", "kind": "goods", "probability": 0.0, "stock": 1},
                {"name": "纪念徽章", "kind": "goods", "probability": 1.0, "stock": 100},
            ]),
            json!({"partner_decides": true, "chances_per_day": 2}),
        ))
        .await;
    let info = app
        .open_ok("activity/get", json!({"activity_id": id}))
        .await;
    let koi = info["prizes"][0]["prize_id"].as_i64().expect("prize id");
    {
        let mut ledger = partner.partner.ledger();
        for u in ["chosen", "also-chosen"] {
            ledger.decisions.insert(
                u.into(),
                huodong_shared::partner::DecideAnswer {
                    decision: "prize".into(),
                    prize_id: Some(koi),
                },
            );
        }
        ledger.decisions.insert(
            "nobody".into(),
            huodong_shared::partner::DecideAnswer {
                decision: "none".into(),
                prize_id: None,
            },
        );
    }
    let prize_of = |reply: &Value| reply["result"]["prize"]["name"].clone();
    let chosen = app.login(&id, "chosen").await;
    let (_, reply) = app.draw(&chosen, &id, "k").await;
    assert_eq!(prize_of(&reply), "锦鲤大奖", "{reply}");
    // The same choice again: the stock is gone, the runtime says no.
    let also = app.login(&id, "also-chosen").await;
    let (_, reply) = app.draw(&also, &id, "k").await;
    assert_eq!(prize_of(&reply), Value::Null, "{reply}");
    let nobody = app.login(&id, "nobody").await;
    let (_, reply) = app.draw(&nobody, &id, "k").await;
    assert_eq!(prize_of(&reply), Value::Null, "{reply}");
    // "draw": the runtime's own odds.
    let regular = app.login(&id, "regular").await;
    let (_, reply) = app.draw(&regular, &id, "k").await;
    assert_eq!(prize_of(&reply), "纪念徽章", "{reply}");
    // The callback down: the runtime draws.
    partner.partner.ledger().set_mode(
        Callback::Decide,
        Mode::Fail {
            status: 500,
            retry_after: None,
        },
        None,
    );
    let (_, reply) = app.draw(&chosen, &id, "k2").await;
    assert_eq!(reply["code"], 0, "{reply}");
    let draws = app.records(&id, "draws").await;
    let outcomes: Vec<&str> = draws.iter().filter_map(|d| d["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["won", "out_of_stock", "thanks", "won", "won"]);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws WHERE roll = -1")
            .await,
        3,
        "partner-decided draws are recorded as such"
    );
}
