//! `GET /api/v1/me`, the `staff_photo` mutation and a staff member's photo.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};

/// The smallest JPEG-looking bytes: the signature, then anything.
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01 a photo of the steward";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn set_photo(app: &TestApp, token: &str, staff: Value, sha256: Value) -> Value {
    let push = json!({"mutations": [{"id": Uuid::now_v7(), "kind": "staff_photo",
        "payload": {"staff_id": staff, "sha256": sha256}}]});
    let (status, body) = app.post(Some(token), "/api/v1/sync/push", &push).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["outcomes"][0].clone()
}

async fn upload(app: &TestApp, token: &str, bytes: &[u8], content_type: &str) {
    let res = app
        .client
        .put(app.url(&format!("/api/v1/attachments/{}", sha(bytes))))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn me_is_the_signed_in_users_profile_with_their_org_and_districts() {
    let app = spawn_app().await;
    let token = app.login("steward1").await;
    let (status, me) = app.get(Some(&token), "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["staff_id"], json!(app.user("steward1")));
    assert_eq!((me["username"].as_str(), me["role"].as_str()), (Some("steward1"), Some("steward")));
    assert_eq!(me["team"]["name"], "商河供暖管家服务A队");
    assert_eq!(me["centre_name"], "商河供热服务中心");
    assert_eq!(me["utility_name"], "济南热力集团");
    assert_eq!(me["district_ids"], json!([app.district("SH-01").await]));
    assert_eq!(me["photo"], Value::Null);

    // An admin has no team: the org names are null, not an error.
    let admin = app.login("admin").await;
    let (status, me) = app.get(Some(&admin), "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!((me["team"].clone(), me["district_ids"].clone()), (Value::Null, json!([])));

    // A bad or absent token is a clear 401.
    let (status, body) = app.get(Some("hst_nope"), "/api/v1/me").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")), "{body}");
}

#[tokio::test]
async fn a_steward_sets_their_photo_and_their_lead_sees_it_once_its_bytes_arrive() {
    let app = spawn_app().await;
    let steward = app.login("steward1").await;
    let me = json!(app.user("steward1"));
    // The name comes first (records go up before photos): applied at once.
    let outcome = set_photo(&app, &steward, me.clone(), json!(sha(JPEG))).await;
    assert_eq!(outcome["status"], "applied", "{outcome}");
    let (_, profile) = app.get(Some(&steward), "/api/v1/me").await;
    assert_eq!(profile["photo"], json!(sha(JPEG)));

    let lead = app.login("lead1").await;
    let path = format!("/api/v1/staff/{}/photo", app.user("steward1"));
    let (status, body) = app.get(Some(&lead), &path).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("no_photo")), "{body}");

    upload(&app, &steward, JPEG, "image/jpeg").await;
    let res = app.client.get(app.url(&path)).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.bytes().await.unwrap().as_ref(), JPEG);
    // The other team's lead does not see it.
    let other = app.login("lead2").await;
    assert_eq!(app.get(Some(&other), &path).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_bad_name_or_bytes_that_are_not_an_image_are_refused_with_a_code() {
    let app = spawn_app().await;
    let steward = app.login("steward1").await;
    let me = json!(app.user("steward1"));
    for (name, code) in [(json!("abc"), "bad_hash"), (json!("AB".repeat(32)), "bad_hash"), (json!(7), "invalid_photo")]
    {
        let outcome = set_photo(&app, &steward, me.clone(), name.clone()).await;
        assert_eq!((outcome["status"].as_str(), outcome["error"]["code"].as_str()), (Some("rejected"), Some(code)));
    }
    // Text bytes, even declared as a JPEG, and a text attachment are not a photo.
    let text = b"this is not a picture, only words".as_slice();
    upload(&app, &steward, text, "image/jpeg").await;
    let pdf = b"%PDF-1.4 a document".as_slice();
    upload(&app, &steward, pdf, "application/pdf").await;
    for bytes in [text, pdf] {
        let outcome = set_photo(&app, &steward, me.clone(), json!(sha(bytes))).await;
        assert_eq!(outcome["error"]["code"], "not_an_image", "{outcome}");
    }
    let (_, profile) = app.get(Some(&steward), "/api/v1/me").await;
    assert_eq!(profile["photo"], Value::Null, "a refused photo changes nothing");
    // Someone else's photo is refused.
    let outcome = set_photo(&app, &steward, json!(app.user("steward2")), json!(sha(JPEG))).await;
    assert_eq!(outcome["error"]["code"], "forbidden", "{outcome}");
}
