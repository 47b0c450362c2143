//! Account management by admins.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, code, spawn_app};

#[tokio::test]
async fn admins_create_accounts_and_reset_passwords() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let new = json!({"username": "steward9", "display_name": "赵新", "role": "steward", "employee_no": "SH099",
                     "mobile": "13912345678", "password": "long-enough-1",
                     "team_id": app.get(Some(&admin), "/api/v1/users").await.1.as_array().unwrap().iter()
                        .find(|u| u["username"] == "steward1").unwrap()["team_id"]});
    let (status, body) = app.post(Some(&admin), "/api/v1/users", &new).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["role"], "steward");
    let (status, body) = app.post(Some(&admin), "/api/v1/users", &new).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "username_taken"));
    let mut weak = new.clone();
    weak["username"] = json!("steward10");
    weak["password"] = json!("short");
    let (status, body) = app.post(Some(&admin), "/api/v1/users", &weak).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "weak_password"));

    let (status, login) =
        app.post(None, "/api/v1/auth/login", &json!({"username": "steward9", "password": "long-enough-1"})).await;
    assert_eq!(status, StatusCode::OK);
    let token = login["token"].as_str().unwrap();
    let id = login["user"]["id"].as_str().unwrap();

    // A reset revokes the user's tokens; the new password works, the old does not.
    let res = app
        .client
        .put(app.url(&format!("/api/v1/users/{id}/password")))
        .bearer_auth(&admin)
        .json(&json!({"password": "another-long-2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(Some(token), "/api/v1/households").await.0, StatusCode::UNAUTHORIZED);
    let (status, _) =
        app.post(None, "/api/v1/auth/login", &json!({"username": "steward9", "password": "long-enough-1"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) =
        app.post(None, "/api/v1/auth/login", &json!({"username": "steward9", "password": "another-long-2"})).await;
    assert_eq!(status, StatusCode::OK);

    // Only admins.
    for user in ["hotline1", "lead1", "steward1"] {
        let token = app.login(user).await;
        assert_eq!(app.get(Some(&token), "/api/v1/users").await.0, StatusCode::FORBIDDEN);
        let mut other = new.clone();
        other["username"] = json!(format!("x{user}"));
        assert_eq!(app.post(Some(&token), "/api/v1/users", &other).await.0, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        app.post(None, "/api/v1/auth/login", &json!({"username": "steward1", "password": PASSWORD})).await.0,
        StatusCode::OK
    );
}
