//! Game rounds (quiz, red envelopes, memory flip): start, finish judged on the
//! server clock, one draw per round. The tests do not wait: a round is aged
//! by moving its recorded start back in the database.

use std::sync::Arc;

use huodong_tests::TestApp;
use huodong_tests::open::now;
use serde_json::{Value, json};

/// A published game activity of `template` with `game` settings and one
/// prize every passing round wins.
fn game_activity(template: &str, game: Value, rules: Value) -> Value {
    let mut rules = rules;
    rules["game"] = game;
    json!({
        "template": template,
        "title": "游戏",
        "starts_at": now() - 60,
        "ends_at": now() + 86_400,
        "rules": rules,
        "prizes": [{"name": "100 积分", "kind": "points", "points": 100, "probability": 1.0}],
    })
}

/// Red envelopes: 20 s, at least 5, pass 20, at most 60 and 4 a second.
fn envelopes() -> Value {
    json!({"duration_secs": 20, "min_secs": 5, "pass_score": 20, "max_score": 60, "max_rate": 4})
}

fn quiz() -> Value {
    json!({
        "duration_secs": 60, "min_secs": 0, "pass_score": 2, "max_score": 3, "max_rate": 1,
        "questions": [
            {"text": "“双11”是哪一天？", "options": ["11 月 1 日", "11 月 11 日"], "answer": 1},
            {"text": "一年有几个季节？", "options": ["两个", "三个", "四个"], "answer": 2},
            {"text": "1 + 1 = ?", "options": ["2", "3"], "answer": 0}
        ]
    })
}

/// Starts a round; the envelope (refusals included).
async fn start(app: &TestApp, token: &str, id: &str) -> Value {
    app.post_json(
        &format!("/api/v1/activities/{id}/game/start"),
        Some(token),
        &json!({}),
    )
    .await
    .1
}

async fn started(app: &TestApp, token: &str, id: &str) -> String {
    let reply = start(app, token, id).await;
    assert_eq!(reply["code"], 0, "{reply}");
    reply["result"]["round_id"]
        .as_str()
        .expect("round_id")
        .to_owned()
}

async fn finish(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    app.post_json(
        &format!("/api/v1/activities/{id}/game/finish"),
        Some(token),
        &body,
    )
    .await
}

/// Moves a round's start `secs` seconds back: it has been played that long.
async fn age(app: &TestApp, round: &str, secs: i64) {
    let sql = format!(
        "UPDATE game_rounds SET started_ms = started_ms - {} WHERE id = '{round}'",
        secs * 1000
    );
    huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query(&sql).execute(pool).await.map(|r| r.rows_affected())
    })
    .map(|n| assert_eq!(n, 1, "round {round} exists"))
    .expect("age the round");
}

async fn round_state(app: &TestApp, round: &str) -> String {
    let sql = format!("SELECT state FROM game_rounds WHERE id = '{round}'");
    huodong_server::on_db!(&app.state.db, pool => {
        sqlx::query_scalar::<_, String>(&sql).fetch_one(pool).await
    })
    .expect("round state")
}

#[tokio::test]
async fn a_passing_round_draws_a_failing_one_is_thanks_and_each_spends_a_chance() {
    let app = TestApp::spawn().await;
    let id = app
        .published(game_activity(
            "red_envelope",
            envelopes(),
            json!({"chances_per_day": 2}),
        ))
        .await;
    let token = app.login(&id, "g-1").await;
    // No body at all is accepted too.
    let response = app
        .client
        .post(app.url(&format!("/api/v1/activities/{id}/game/start")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("start answered");
    let round: Value = response.json().await.expect("JSON");
    assert_eq!(round["code"], 0, "{round}");
    let result = &round["result"];
    assert_eq!(
        (
            &result["duration_secs"],
            &result["pass_score"],
            &result["max_score"]
        ),
        (&json!(20), &json!(20), &json!(60))
    );
    assert!(result["seed"].is_u64());
    assert_eq!(result["questions"], json!([]));
    let round = result["round_id"].as_str().expect("round id").to_owned();
    assert_eq!(round.len(), 32, "128 random bits");
    assert_eq!(
        app.me(&token, &id).await["chances"]["today_left"],
        2,
        "starting spends nothing"
    );

    age(&app, &round, 10).await;
    let (status, passed) = finish(&app, &token, &id, json!({"round_id": round, "score": 30})).await;
    assert_eq!(status, 200, "{passed}");
    assert_eq!(passed["code"], 0, "{passed}");
    let passed = &passed["result"];
    assert_eq!(
        (&passed["score"], &passed["passed"]),
        (&json!(30), &json!(true))
    );
    assert_eq!(passed["draw"]["prize"]["name"], "100 积分");
    assert_eq!(passed["draw"]["chances"]["today_left"], 1);

    let second = started(&app, &token, &id).await;
    age(&app, &second, 10).await;
    let (_, failed) = finish(&app, &token, &id, json!({"round_id": second, "score": 19})).await;
    assert_eq!(failed["code"], 0, "{failed}");
    let failed = &failed["result"];
    assert_eq!(
        (&failed["score"], &failed["passed"]),
        (&json!(19), &json!(false))
    );
    assert!(
        failed["draw"]["prize"].is_null(),
        "a failed round is thanks"
    );
    assert_eq!(failed["draw"]["chances"]["today_left"], 0);

    assert_eq!(app.scalar("SELECT COUNT(*) FROM draws").await, 2);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws WHERE roll = -1 AND outcome = 'thanks' AND prize_id IS NULL AND odds <> '[]'")
            .await,
        1,
        "the failed round's chance is recorded as thanks with the odds"
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM game_rounds WHERE state = 'done' AND draw_key = 'game-' || id"
        )
        .await,
        2
    );
    assert_eq!(
        app.me(&token, &id).await["prizes"].as_array().map(Vec::len),
        Some(1)
    );

    // No chance left: no new round.
    let refused = start(&app, &token, &id).await;
    assert_eq!(refused["code"], 2004, "{refused}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM game_rounds").await, 2);
}

#[tokio::test]
async fn implausible_rounds_are_rejected_for_good_and_spend_nothing() {
    let app = TestApp::spawn().await;
    let id = app
        .published(game_activity(
            "red_envelope",
            envelopes(),
            json!({"chances_per_day": 10}),
        ))
        .await;
    let token = app.login(&id, "g-cheat").await;

    // Too fast: 5 s at least.
    let quick = started(&app, &token, &id).await;
    let (status, reply) = finish(&app, &token, &id, json!({"round_id": quick, "score": 10})).await;
    assert_eq!(
        (status, reply["code"].as_i64()),
        (200, Some(2011)),
        "{reply}"
    );
    assert!(
        reply["msg"]
            .as_str()
            .is_some_and(|m| m.contains("用时过短")),
        "{reply}"
    );
    assert_eq!(round_state(&app, &quick).await, "rejected");
    // The round is dead, even once it would be old enough.
    age(&app, &quick, 10).await;
    let (_, again) = finish(&app, &token, &id, json!({"round_id": quick, "score": 10})).await;
    assert_eq!(again["code"], 2011, "{again}");
    assert!(
        again["msg"]
            .as_str()
            .is_some_and(|m| m.contains("用时过短"))
    );

    // (seconds played, score, why)
    let cases: &[(i64, i64, &str)] = &[
        (10, 61, "得分超出上限"),
        (10, -1, "得分无效"),
        // 4 a second: 6 s (and one in the player's favour) is 28 at most.
        (6, 40, "得分速度超出常人"),
        // 20 s and 30 s of grace.
        (51, 30, "超出时间"),
    ];
    for &(secs, score, why) in cases {
        let round = started(&app, &token, &id).await;
        age(&app, &round, secs).await;
        let (_, reply) = finish(
            &app,
            &token,
            &id,
            json!({"round_id": round, "score": score}),
        )
        .await;
        assert_eq!(reply["code"], 2011, "{secs} s, {score}: {reply}");
        assert!(
            reply["msg"].as_str().is_some_and(|m| m.contains(why)),
            "{secs} s, {score}: {reply} should say {why}"
        );
        assert_eq!(round_state(&app, &round).await, "rejected");
    }
    // Just inside every bound: 28 in 6 s counts.
    let fine = started(&app, &token, &id).await;
    age(&app, &fine, 6).await;
    let (_, reply) = finish(&app, &token, &id, json!({"round_id": fine, "score": 28})).await;
    assert_eq!(reply["code"], 0, "{reply}");

    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws").await,
        1,
        "only the plausible round drew"
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM game_rounds WHERE state = 'rejected' AND reason IS NOT NULL"
        )
        .await,
        5
    );
    assert_eq!(app.me(&token, &id).await["chances"]["today_left"], 9);
}

#[tokio::test]
async fn a_quiz_is_scored_by_the_server_and_its_answers_stay_secret() {
    let app = TestApp::spawn().await;
    let id = app
        .published(game_activity("quiz", quiz(), json!({"chances_per_day": 3})))
        .await;
    let view = app.get_activity(&id).await;
    assert_eq!(view["result"]["rules"]["game"]["pass_score"], 2);
    assert!(
        !view.to_string().contains("answer"),
        "the public rules do not carry the answers: {view}"
    );

    let token = app.login(&id, "g-quiz").await;
    let round = start(&app, &token, &id).await;
    let questions = &round["result"]["questions"];
    assert_eq!(questions.as_array().map(Vec::len), Some(3));
    assert_eq!(questions[1]["options"], json!(["两个", "三个", "四个"]));
    assert!(!round.to_string().contains("answer"), "{round}");
    let round_id = round["result"]["round_id"].as_str().expect("id").to_owned();
    age(&app, &round_id, 5).await;

    // One answer per question, each an option.
    for answers in [json!([1, 2]), json!([1, 2, 0, 0]), json!([1, 3, 0])] {
        let (status, reply) = finish(
            &app,
            &token,
            &id,
            json!({"round_id": round_id, "answers": answers}),
        )
        .await;
        assert_eq!(
            (status, reply["code"].as_i64()),
            (422, Some(1001)),
            "{reply}"
        );
    }
    assert_eq!(
        round_state(&app, &round_id).await,
        "open",
        "a malformed answer list changes nothing"
    );

    // Two right of three; the score sent is ignored.
    let (_, reply) = finish(
        &app,
        &token,
        &id,
        json!({"round_id": round_id, "score": 3, "answers": [1, 0, 0]}),
    )
    .await;
    assert_eq!(reply["code"], 0, "{reply}");
    assert_eq!(
        (&reply["result"]["score"], &reply["result"]["passed"]),
        (&json!(2), &json!(true))
    );
    assert_eq!(reply["result"]["draw"]["prize"]["name"], "100 积分");

    // One right answer does not pass.
    let second = started(&app, &token, &id).await;
    age(&app, &second, 5).await;
    let (_, reply) = finish(
        &app,
        &token,
        &id,
        json!({"round_id": second, "score": 3, "answers": [0, 0, 1]}),
    )
    .await;
    assert_eq!(
        (&reply["result"]["score"], &reply["result"]["passed"]),
        (&json!(0), &json!(false))
    );
    assert!(reply["result"]["draw"]["prize"].is_null());

    // Three right answers in no time is faster than one a second.
    let third = started(&app, &token, &id).await;
    let (_, reply) = finish(
        &app,
        &token,
        &id,
        json!({"round_id": third, "answers": [1, 2, 0]}),
    )
    .await;
    assert_eq!(reply["code"], 2011, "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_round_finishes_once_however_often_and_concurrently_it_is_sent() {
    let app = Arc::new(TestApp::spawn().await);
    let id = app
        .published(game_activity(
            "memory_flip",
            json!({"duration_secs": 90, "min_secs": 8, "pass_score": 8, "max_score": 8, "max_rate": 1}),
            json!({"chances_per_day": 5}),
        ))
        .await;
    let token = app.login(&id, "g-race").await;
    let round = started(&app, &token, &id).await;
    age(&app, &round, 20).await;
    let mut tasks = Vec::new();
    for n in 0..20 {
        let (app, id, token, round) = (app.clone(), id.clone(), token.clone(), round.clone());
        // Different scores race too: the first claimed one counts for all.
        let score = if n % 2 == 0 { 8 } else { 7 };
        tasks.push(tokio::spawn(async move {
            finish(
                &app,
                &token,
                &id,
                json!({"round_id": round, "score": score}),
            )
            .await
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        let (status, reply) = task.await.expect("task");
        assert_eq!((status, reply["code"].as_i64()), (200, Some(0)), "{reply}");
        results.push(reply["result"].clone());
    }
    assert!(
        results.iter().all(|r| r == &results[0]),
        "every finish answers the same result: {results:?}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM draws").await,
        1,
        "exactly one draw"
    );
    assert_eq!(round_state(&app, &round).await, "done");

    // Later, again: the same answer, no new draw.
    let (_, again) = finish(&app, &token, &id, json!({"round_id": round, "score": 0})).await;
    assert_eq!(again["result"], results[0]);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM draws").await, 1);
    assert_eq!(app.me(&token, &id).await["chances"]["today_left"], 4);
}

#[tokio::test]
async fn a_refused_draw_leaves_the_round_open_to_finish_later_with_its_first_score() {
    let app = TestApp::spawn().await;
    let id = app
        .published(game_activity(
            "red_envelope",
            envelopes(),
            json!({"chances_per_day": 1}),
        ))
        .await;
    let token = app.login(&id, "g-later").await;
    // Two rounds started while one chance is left.
    let first = started(&app, &token, &id).await;
    let second = started(&app, &token, &id).await;
    age(&app, &first, 10).await;
    age(&app, &second, 10).await;
    let (_, reply) = finish(&app, &token, &id, json!({"round_id": first, "score": 30})).await;
    assert_eq!(reply["code"], 0, "{reply}");
    let (_, refused) = finish(&app, &token, &id, json!({"round_id": second, "score": 25})).await;
    assert_eq!(refused["code"], 2004, "{refused}");
    assert_eq!(
        round_state(&app, &second).await,
        "open",
        "not done without a draw"
    );

    // A task grants a chance: the round completes with the score it was finished with.
    app.open_ok(
        "task/complete",
        json!({"u_id": "g-later", "activity_id": id, "task_id": "share", "biz_id": "b-1"}),
    )
    .await;
    let (_, reply) = finish(&app, &token, &id, json!({"round_id": second, "score": 5})).await;
    assert_eq!(reply["code"], 0, "{reply}");
    assert_eq!(
        (&reply["result"]["score"], &reply["result"]["passed"]),
        (&json!(25), &json!(true))
    );
    assert_eq!(round_state(&app, &second).await, "done");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM draws").await, 2);
}

#[tokio::test]
async fn rounds_belong_to_their_player_and_activity_and_games_refuse_like_draws() {
    let app = TestApp::spawn().await;
    let id = app
        .published(game_activity(
            "red_envelope",
            envelopes(),
            json!({"chances_per_day": 3}),
        ))
        .await;
    let owner = app.login(&id, "g-owner").await;
    let other = app.login(&id, "g-other").await;
    let round = started(&app, &owner, &id).await;
    age(&app, &round, 10).await;
    for (token, round_id) in [
        (&other, round.as_str()),
        (&owner, "0123456789abcdef0123456789abcdef"),
    ] {
        let (status, reply) =
            finish(&app, token, &id, json!({"round_id": round_id, "score": 30})).await;
        assert_eq!(
            (status, reply["code"].as_i64()),
            (404, Some(1004)),
            "{reply}"
        );
    }
    // A round of another game is not a round of this one.
    let elsewhere = started(&app, &owner, "demo_red_envelope").await;
    age(&app, &elsewhere, 16).await;
    let (_, reply) = finish(
        &app,
        &owner,
        &id,
        json!({"round_id": elsewhere, "score": 30}),
    )
    .await;
    assert_eq!(reply["code"], 1004, "{reply}");
    assert_eq!(round_state(&app, &round).await, "open");

    // Not a game: no rounds; a game: no plain draws.
    let wheel = app.login("demo_wheel", "g-owner").await;
    assert_eq!(start(&app, &wheel, "demo_wheel").await["code"], 1001);
    let (_, reply) = app.draw(&owner, &id, "k").await;
    assert_eq!(reply["code"], 1001, "{reply}");

    // Blacklisted, or not started: refused at the start, nothing written.
    app.open_ok(
        "risk/blacklist",
        json!({"activity_id": id, "action": "add", "kind": "u_id", "value": "g-other", "reason": "刷分"}),
    )
    .await;
    assert_eq!(start(&app, &other, &id).await["code"], 2008);
    let mut later = game_activity("red_envelope", envelopes(), json!({}));
    later["starts_at"] = json!(now() + 3600);
    let later = app.published(later).await;
    let token = app.login(&later, "g-early").await;
    assert_eq!(start(&app, &token, &later).await["code"], 2001);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM game_rounds").await, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM draws").await, 0);
}

#[tokio::test]
async fn the_demo_games_are_seeded_and_playable() {
    let app = TestApp::spawn().await;
    let token = app.login("demo_quiz", "g-demo").await;
    let round = start(&app, &token, "demo_quiz").await;
    assert_eq!(
        round["result"]["questions"].as_array().map(Vec::len),
        Some(5)
    );
    assert_eq!(round["result"]["pass_score"], 3);
    for (id, max) in [("demo_red_envelope", 60), ("demo_memory_flip", 8)] {
        let round = start(&app, &token, id).await;
        assert_eq!(round["result"]["max_score"], max, "{round}");
    }
}

#[tokio::test]
async fn bad_game_rules_are_refused_with_the_field_named_and_nothing_written() {
    let app = TestApp::spawn().await;
    let activities = app.scalar("SELECT COUNT(*) FROM activities").await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut game = envelopes();
        f(&mut game);
        game
    };
    let quiz_with = |f: &dyn Fn(&mut Value)| {
        let mut game = quiz();
        f(&mut game);
        game
    };
    let q = |text: &str, options: Value, answer: i64| json!({"text": text, "options": options, "answer": answer});
    let many: Vec<Value> = (0..51).map(|_| q("题", json!(["a", "b"]), 0)).collect();
    let cases: Vec<(&str, Option<Value>, &str)> = vec![
        ("quiz", None, "rules.game: 游戏类活动须设置游戏规则"),
        ("red_envelope", None, "rules.game"),
        (
            "wheel",
            Some(envelopes()),
            "rules.game: 只有答题、接红包、翻牌",
        ),
        (
            "red_envelope",
            Some(with(&|g| g["duration_secs"] = json!(4))),
            "rules.game.duration_secs",
        ),
        (
            "red_envelope",
            Some(with(&|g| g["duration_secs"] = json!(601))),
            "rules.game.duration_secs",
        ),
        (
            "red_envelope",
            Some(with(&|g| g["min_secs"] = json!(21))),
            "rules.game.min_secs",
        ),
        (
            "red_envelope",
            Some(with(&|g| g["min_secs"] = json!(-1))),
            "rules.game.min_secs",
        ),
        (
            "red_envelope",
            Some(with(&|g| g["max_score"] = json!(0))),
            "rules.game.max_score",
        ),
        (
            "red_envelope",
            Some(with(&|g| g["max_score"] = json!(100_001))),
            "rules.game.max_score",
        ),
        (
            "red_envelope",
            Some(with(&|g| g["pass_score"] = json!(0))),
            "rules.game.pass_score",
        ),
        (
            "red_envelope",
            Some(with(&|g| g["pass_score"] = json!(61))),
            "rules.game.pass_score",
        ),
        (
            "red_envelope",
            Some(with(&|g| g["max_rate"] = json!(0))),
            "rules.game.max_rate",
        ),
        (
            "memory_flip",
            Some(with(&|g| {
                g["questions"] = json!([q("题", json!(["a", "b"]), 0)])
            })),
            "rules.game.questions",
        ),
        (
            "quiz",
            Some(quiz_with(&|g| g["questions"] = json!([]))),
            "rules.game.questions",
        ),
        (
            "quiz",
            Some(quiz_with(&|g| {
                g["questions"] = json!(many.clone());
                g["max_score"] = json!(51);
            })),
            "rules.game.questions",
        ),
        (
            "quiz",
            Some(quiz_with(&|g| g["questions"][0]["text"] = json!("  "))),
            "rules.game.questions[0].text",
        ),
        (
            "quiz",
            Some(quiz_with(&|g| {
                g["questions"][1]["text"] = json!("长".repeat(201))
            })),
            "rules.game.questions[1].text",
        ),
        (
            "quiz",
            Some(quiz_with(&|g| g["questions"][0]["options"] = json!(["a"]))),
            "rules.game.questions[0].options",
        ),
        (
            "quiz",
            Some(quiz_with(&|g| {
                g["questions"][0]["options"] = json!(["1", "2", "3", "4", "5", "6", "7"])
            })),
            "rules.game.questions[0].options",
        ),
        (
            "quiz",
            Some(quiz_with(&|g| g["questions"][2]["options"][1] = json!(""))),
            "rules.game.questions[2].options[1]",
        ),
        (
            "quiz",
            Some(quiz_with(&|g| {
                g["questions"][2]["options"][0] = json!("长".repeat(101))
            })),
            "rules.game.questions[2].options[0]",
        ),
        (
            "quiz",
            Some(quiz_with(&|g| g["questions"][1]["answer"] = json!(3))),
            "rules.game.questions[1].answer",
        ),
        (
            "quiz",
            Some(quiz_with(&|g| g["max_score"] = json!(5))),
            "rules.game.max_score: 答题的满分须等于题目数量（3）",
        ),
    ];
    for (template, game, expected) in cases {
        let mut body = game_activity(template, json!(null), json!({}));
        match game {
            Some(game) => body["rules"]["game"] = game,
            None => {
                body["rules"].as_object_mut().expect("rules").remove("game");
            }
        }
        let reply = app.open("activity/create", body).await;
        assert_eq!(reply["code"], 1001, "{template} {expected}: {reply}");
        let msg = reply["msg"].as_str().unwrap_or("");
        assert!(msg.contains(expected), "{msg} should name {expected}");
    }
    // A field the game does not have is a parse error naming it.
    let reply = app
        .open(
            "activity/create",
            game_activity("red_envelope", with(&|g| g["speed"] = json!(2)), json!({})),
        )
        .await;
    assert_eq!(reply["code"], 1000, "{reply}");
    assert!(
        reply["msg"]
            .as_str()
            .is_some_and(|m| m.contains("rules.game")),
        "{reply}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM activities").await,
        activities,
        "nothing written"
    );

    // Once the game has started its rules are locked like its prizes.
    let id = app
        .published(game_activity("red_envelope", envelopes(), json!({})))
        .await;
    let reply = app
        .open(
            "activity/update",
            json!({"activity_id": id, "rules": {"game": with(&|g| g["pass_score"] = json!(1))}}),
        )
        .await;
    assert_eq!(reply["code"], 1009, "{reply}");
    let info = app
        .open_ok("activity/get", json!({"activity_id": id}))
        .await;
    assert_eq!(info["rules"]["game"]["pass_score"], 20);
}

#[tokio::test]
async fn a_provably_fair_game_verifies_with_the_failed_rounds_left_out() {
    let app = TestApp::spawn().await;
    let id = app
        .published(game_activity(
            "red_envelope",
            envelopes(),
            json!({"chances_per_day": 4, "provably_fair": true}),
        ))
        .await;
    let token = app.login(&id, "g-fair").await;
    for score in [30, 3, 40, 0] {
        let round = started(&app, &token, &id).await;
        age(&app, &round, 10).await;
        let (_, reply) = finish(
            &app,
            &token,
            &id,
            json!({"round_id": round, "score": score}),
        )
        .await;
        assert_eq!(reply["code"], 0, "{reply}");
    }
    app.open_ok("activity/end", json!({"activity_id": id}))
        .await;
    let (status, report) = app
        .get_json(&format!("/api/v1/activities/{id}/verify"), None)
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["result"]["draws_checked"], 2, "{report}");
    assert_eq!(report["result"]["mismatches"], json!([]), "{report}");
}
