//! The OpenAPI document against the routes the server really serves: the
//! route tables the routers are built from are all documented, and every
//! documented path and method is answered by a handler (not the fallback's
//! 404 "接口不存在", not a 405).

use huodong_server::routes::paths;
use huodong_tests::TestApp;
use serde_json::{Value, json};

#[tokio::test]
async fn every_open_and_console_route_is_documented_and_every_documented_path_answers() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("application/json")
    );
    let doc: Value = response.json().await.expect("JSON");
    assert!(
        doc["openapi"].as_str().unwrap_or("").starts_with("3."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["servers"][0]["url"], app.base.as_str());
    let documented = doc["paths"].as_object().cloned().unwrap_or_default();

    let served = paths(&huodong_server::open::endpoints())
        .into_iter()
        .chain(paths(&huodong_server::console::routes()));
    let mut count = 0;
    for (method, path) in served {
        let method = method.as_str().to_lowercase();
        assert!(
            documented
                .get(&path)
                .is_some_and(|item| item.get(&method).is_some()),
            "{method} {path} is served but not documented"
        );
        count += 1;
    }
    assert!(count >= 29, "{count} routes");

    // Redirects are answers too: do not follow them.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut probed = 0;
    for (path, item) in &documented {
        for method in ["get", "post"] {
            if item.get(method).is_none() {
                continue;
            }
            let url = app.url(&path.replace("{id}", "demo_wheel"));
            let request = match method {
                "get" => client.get(&url),
                _ => client.post(&url).json(&json!({})),
            };
            let response = request.send().await.expect("answered");
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            assert_ne!(status, 405, "{method} {path}: the method is not served");
            assert!(
                !(status == 404 && body.contains("接口不存在")),
                "{method} {path}: no such route ({body})"
            );
            probed += 1;
        }
    }
    assert!(probed >= count, "{probed} documented operations");
}

#[tokio::test]
async fn the_document_describes_bodies_answers_and_tokens() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .expect("JSON");
    let stats = &doc["paths"]["/open/v1/data/stats"]["post"];
    let body = &stats["requestBody"]["content"]["application/json"]["schema"]["allOf"];
    assert_eq!(body[0]["$ref"], "#/components/schemas/SignedFields");
    assert_eq!(body[1]["$ref"], "#/components/schemas/StatsQuery");
    let ok = &stats["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(
        ok["properties"]["result"]["$ref"],
        "#/components/schemas/Stats"
    );
    assert_eq!(
        stats["responses"]["default"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorEnvelope"
    );
    let schemas = &doc["components"]["schemas"];
    for name in [
        "CreateActivity",
        "ActivityInfo",
        "Rules",
        "PrizeInput",
        "Figures",
        "Merchant",
        "ConsoleTicket",
        "Winner",
    ] {
        assert!(schemas[name].is_object(), "{name}");
    }
    // Enums are their wire names.
    let kinds = schemas["PrizeKind"]["enum"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(kinds.contains(&json!("goods")), "{kinds:?}");
    let me = &doc["paths"]["/api/v1/console/me"]["get"];
    assert_eq!(me["security"][0]["console_token"], json!([]));
    assert_eq!(
        doc["components"]["securitySchemes"]["console_token"]["scheme"],
        "bearer"
    );
    let csv = &doc["paths"]["/api/v1/console/activities/{id}/winners.csv"]["get"];
    assert!(
        csv["responses"]["200"]["content"]["text/csv"].is_object(),
        "{csv}"
    );
}
