//! Health, the OpenAPI document, and bad input of every kind: always a 4xx
//! `{code, message}`, never a 5xx, nothing written.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{code, spawn_app};

#[tokio::test]
async fn healthz_is_ok() {
    let app = spawn_app().await;
    let (status, body) = app.get(None, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn served_openapi_is_the_committed_one() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let served = res.text().await.unwrap();
    let committed = std::fs::read_to_string(steward_central::openapi::COMMITTED).unwrap();
    assert_eq!(served, committed, "crates/central/openapi.json is stale: run `steward-central openapi --write`");
    let doc: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in ["/api/v1/sync/push", "/api/v1/sync/pull", "/api/v1/tickets", "/cards/{steward_id}"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(doc["components"]["schemas"].get("Mutation").is_some());
}

#[tokio::test]
async fn bad_input_is_a_clean_4xx() {
    let app = spawn_app().await;
    let token = app.login("hotline1").await;
    let send = |body: &'static str, ctype: &'static str| {
        app.client.post(app.url("/api/v1/tickets")).bearer_auth(&token).header("content-type", ctype).body(body).send()
    };
    let cases = [
        (send("{not json", "application/json").await.unwrap(), StatusCode::BAD_REQUEST, "malformed_json"),
        (
            send(r#"{"account_no":"A-0001","category":"no_heat","description":42}"#, "application/json").await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            send(r#"{"account_no":"A-0001","category":"boiler_exploded","description":"x"}"#, "application/json")
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            send(r#"{"household_id":"not-a-uuid","category":"no_heat","description":"x"}"#, "application/json")
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (send("{}", "text/plain").await.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
    ];
    for (res, want, want_code) in cases {
        assert_eq!(res.status(), want);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(code(&body), want_code, "{body}");
        assert!(body["message"].as_str().is_some());
    }

    // Oversized bodies, with and without a content length.
    let big = format!(r#"{{"account_no":"A-0001","category":"no_heat","description":"{}"}}"#, "x".repeat(200_000));
    let res = app
        .client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(code(&body), "payload_too_large");

    // Bad UUIDs in paths, bad queries, unknown paths and methods.
    let (status, body) = app.get(Some(&token), "/api/v1/tickets/not-a-uuid").await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_path"));
    let (status, body) = app.get(Some(&token), "/api/v1/tickets?status=melted").await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_query"));
    let (status, body) = app.get(Some(&token), "/api/v1/tickets?limit=0").await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_limit"));
    let (status, body) = app.get(Some(&token), "/api/v1/nothing-here").await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let res = app.client.delete(app.url("/api/v1/tickets")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(code(&body), "method_not_allowed");

    // Nothing was written.
    let (_, list) = app.get(Some(&token), "/api/v1/tickets").await;
    assert_eq!(list.as_array().unwrap().len(), 0);
}
