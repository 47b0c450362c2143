//! Login, token expiry and revocation.

use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{PASSWORD, code, spawn_app};

#[tokio::test]
async fn every_role_logs_in_and_gets_its_user() {
    let app = spawn_app().await;
    for (name, role) in
        [("admin", "admin"), ("hotline1", "hotline_agent"), ("lead1", "team_lead"), ("steward1", "steward")]
    {
        let (status, body) = app
            .post(
                None,
                "/api/v1/auth/login",
                &json!({"username": name, "password": PASSWORD, "device_id": uuid::Uuid::now_v7()}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["user"]["role"], role);
        assert_eq!(body["user"]["id"], json!(app.user(name)));
        assert!(body["token"].as_str().unwrap().starts_with("hst_"));
        assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    }
    let (_, body) = app.post(None, "/api/v1/auth/login", &json!({"username": "steward1", "password": PASSWORD})).await;
    assert_eq!(body["user"]["district_ids"], json!([app.district("SH-01").await]));
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_are_401() {
    let app = spawn_app().await;
    for (user, pw) in [("steward1", "wrong"), ("nobody", PASSWORD), ("steward1", "")] {
        let (status, body) = app.post(None, "/api/v1/auth/login", &json!({"username": user, "password": pw})).await;
        assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"));
    }
    let (status, body) = app.get(None, "/api/v1/households").await;
    assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"));
    let (status, _) = app.get(Some("hst_forged"), "/api/v1/households").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_expire() {
    let app = spawn_app().await;
    let token = app.login("steward1").await;
    assert_eq!(app.get(Some(&token), "/api/v1/households").await.0, StatusCode::OK);
    app.clock.advance(SignedDuration::from_hours(24 * 7 + 1));
    assert_eq!(app.get(Some(&token), "/api/v1/households").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_and_admin_revocation_stop_tokens_at_once() {
    let app = spawn_app().await;
    let token = app.login("steward1").await;
    let res = app.client.post(app.url("/api/v1/auth/logout")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(Some(&token), "/api/v1/households").await.0, StatusCode::UNAUTHORIZED);

    // A lost phone: the admin revokes that device's tokens; the other device keeps working.
    let (lost, kept) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let app = &app;
    let login = |device: Uuid| {
        let body = json!({"username": "steward1", "password": PASSWORD, "device_id": device});
        async move { app.post(None, "/api/v1/auth/login", &body).await }
    };
    let lost_token = login(lost).await.1["token"].as_str().unwrap().to_owned();
    let kept_token = login(kept).await.1["token"].as_str().unwrap().to_owned();
    let admin = app.login("admin").await;
    let (status, body) = app
        .post(Some(&admin), "/api/v1/auth/revoke", &json!({"user_id": app.user("steward1"), "device_id": lost}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"], 1);
    assert_eq!(app.get(Some(&lost_token), "/api/v1/households").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(Some(&kept_token), "/api/v1/households").await.0, StatusCode::OK);

    // All of a user's tokens.
    let (_, body) = app.post(Some(&admin), "/api/v1/auth/revoke", &json!({"user_id": app.user("steward1")})).await;
    assert_eq!(body["revoked"], 1);
    assert_eq!(app.get(Some(&kept_token), "/api/v1/households").await.0, StatusCode::UNAUTHORIZED);
}
