//! The household register: scope, filters and phone redaction.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

fn accounts(v: &serde_json::Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|h| h["account_no"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn lists_are_scoped_filtered_and_redacted() {
    let app = spawn_app().await;
    let steward1 = app.login("steward1").await;
    let (status, body) = app.get(Some(&steward1), "/api/v1/households").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(accounts(&body), ["A-0001", "A-0002"]);
    assert_eq!(body[0]["phone"], "13800000001");
    assert_eq!(body[0]["phone_masked"], false);
    assert_eq!(body[0]["address"], "鑫隆帝景城 1号楼 1单元 101室");
    assert_eq!(body[0]["district_id"], serde_json::json!(app.district("SH-01").await));

    let lead1 = app.login("lead1").await;
    assert_eq!(accounts(&app.get(Some(&lead1), "/api/v1/households").await.1), ["A-0001", "A-0002", "B-0001"]);
    let q = app.get(Some(&lead1), "/api/v1/households?q=%E7%8E%8B%E4%BA%94").await.1; // 王五
    assert_eq!(accounts(&q), ["B-0001"]);
    let d2 = app.district("SH-02").await;
    assert_eq!(accounts(&app.get(Some(&lead1), &format!("/api/v1/households?district={d2}")).await.1), ["B-0001"]);

    let admin = app.login("admin").await;
    let all = app.get(Some(&admin), "/api/v1/households").await.1;
    assert_eq!(accounts(&all), ["A-0001", "A-0002", "B-0001", "C-0001"]);
    assert_eq!(all[0]["phone"], "138****0001");
    assert_eq!(all[0]["phone_masked"], true);

    let hotline = app.login("hotline1").await;
    let one = app.get(Some(&hotline), &format!("/api/v1/households/{}", app.household("C-0001").await)).await.1;
    assert_eq!(one["phone"], "13800000004");
    assert_eq!(one["status"], "active");
    assert_eq!(one["valve"]["state"], "open");
}
