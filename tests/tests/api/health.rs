use huodong_tests::{Backend, TestApp};

#[tokio::test]
async fn healthz_answers_ok_and_names_the_backend() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    let expected = match Backend::from_env() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["status"], "ok");
    assert_eq!(body["db"], expected);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.get("/healthz").await;
    }
    app.get("/api/v1/activities/nope").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/plain")
    );
    let text = response.text().await.expect("text");
    assert!(
        text.contains(
            r#"huodong_http_requests_total{method="GET",route="/healthz",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"huodong_http_requests_total{method="GET",route="/api/v1/activities/{id}",status="404"} 1"#),
        "{text}"
    );
    assert!(text.contains("huodong_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    let id = response
        .headers()
        .get("x-request-id")
        .expect("x-request-id");
    assert_eq!(id.to_str().map(str::len).unwrap_or(0), 36, "a UUID");
    let echoed = app
        .get_with("/healthz", &[("x-request-id", "trace-me-42")])
        .await;
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test]
async fn restarting_on_the_same_database_migrates_and_seeds_once() {
    let app = TestApp::spawn().await;
    let url = app.state.config.database_url();
    // A second server on the same database, as after a restart or a second instance.
    let mut config = app.state.config.clone();
    config.database_url = Some(url);
    let second = huodong_server::build_state(config)
        .await
        .expect("second start");
    let count: i64 = huodong_server::on_db!(&second.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM activities").fetch_one(pool).await
    })
    .expect("count");
    assert_eq!(count as usize, huodong_server::seed::ACTIVITIES.len());
    second.db.close().await;
}

#[tokio::test]
async fn metrics_report_the_sqlite_draw_writers_batches() {
    let app = TestApp::spawn().await;
    let token = app.login("demo_wheel", "metrics-1").await;
    for k in 0..3 {
        let (_, reply) = app.draw(&token, "demo_wheel", &format!("m{k}")).await;
        assert_eq!(reply["code"], 0, "{reply}");
    }
    let text = app.get("/metrics").await.text().await.expect("text");
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
    };
    match Backend::from_env() {
        Backend::Sqlite => {
            assert_eq!(value("huodong_draw_batch_size_sum"), Some(3.0), "{text}");
            let batches = value("huodong_draw_batch_size_count").unwrap_or(0.0);
            assert!((1.0..=3.0).contains(&batches), "{text}");
            let syncs = value("huodong_draw_batch_sync_seconds_count").unwrap_or(0.0);
            assert!((1.0..=batches).contains(&syncs), "{text}");
        }
        // PostgreSQL draws run one transaction each, without the writer.
        Backend::Postgres => {
            assert_eq!(value("huodong_draw_batch_size_count"), Some(0.0), "{text}")
        }
    }
}
