//! Hotline intake, the 30-minute clock, idempotency and dispatch.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{START, code, spawn_app};

#[tokio::test]
async fn intake_sets_due_at_thirty_minutes_after_the_report() {
    let app = spawn_app().await;
    let hotline = app.login("hotline1").await;
    let (status, body) = app
        .post(
            Some(&hotline),
            "/api/v1/tickets",
            &json!({"account_no": "A-0001", "category": "leak", "description": "厨房暖气片漏水",
                    "reported_at": "2026-11-20T07:45:10Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["reported_at"], "2026-11-20T07:45:10Z");
    assert_eq!(body["due_at"], "2026-11-20T08:15:10Z");
    assert_eq!(body["status"], "new");
    assert_eq!(body["category"], "leak");
    assert_eq!(body["district_id"], json!(app.district("SH-01").await));

    // Without reported_at the server's time is the report time.
    let (_, body) = app
        .post(
            Some(&hotline),
            "/api/v1/tickets",
            &json!({"household_id": app.household("C-0001").await, "category": "no_heat", "description": "不热"}),
        )
        .await;
    assert_eq!(body["reported_at"], START);
    assert_eq!(body["due_at"], "2026-11-20T08:30:00Z");

    let (status, body) = app
        .post(
            Some(&hotline),
            "/api/v1/tickets",
            &json!({"account_no": "NOPE-1", "category": "no_heat", "description": "x"}),
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, body) = app
        .post(
            Some(&hotline),
            "/api/v1/tickets",
            &json!({"account_no": "A-0001", "category": "no_heat", "description": " "}),
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));
}

#[tokio::test]
async fn intake_is_idempotent_on_external_ref_even_concurrently() {
    let app = spawn_app().await;
    let hotline = app.login("hotline1").await;
    let body = json!({"account_no": "B-0001", "category": "valve", "description": "阀门拧不动", "external_ref": "HL-2026-0001"});
    let (first, second) = tokio::join!(
        app.post(Some(&hotline), "/api/v1/tickets", &body),
        app.post(Some(&hotline), "/api/v1/tickets", &body)
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED]);
    assert_eq!(first.1["id"], second.1["id"]);
    let (status, again) = app.post(Some(&hotline), "/api/v1/tickets", &body).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &first.1["id"]));
    let (_, list) = app.get(Some(&hotline), "/api/v1/tickets").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn dispatch_reassign_list_filters_and_events() {
    let app = spawn_app().await;
    let id = app.dispatched_ticket("A-0001", "lead1", "steward1").await;
    let other = {
        let hotline = app.login("hotline1").await;
        app.open_ticket(&hotline, "C-0001").await
    };
    let lead1 = app.login("lead1").await;

    let (status, body) = app.get(Some(&lead1), &format!("/api/v1/tickets/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "dispatched");
    assert_eq!(body["assignee"], json!(app.user("steward1")));
    let events = body["events"].as_array().unwrap();
    assert_eq!(
        events.iter().map(|e| e["action"]["action"].as_str().unwrap()).collect::<Vec<_>>(),
        ["open", "dispatch"]
    );

    // Reassign within the team; to a steward of another team is refused; to the same steward is a conflict.
    let assign = |steward: &str| json!({"steward_id": app.user(steward), "reason": "更近"});
    let (status, body) = app.post(Some(&lead1), &format!("/api/v1/tickets/{id}/assign"), &assign("steward3")).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    let (status, body) = app.post(Some(&lead1), &format!("/api/v1/tickets/{id}/assign"), &assign("steward1")).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "same_steward"));
    let (status, body) = app.post(Some(&lead1), &format!("/api/v1/tickets/{id}/assign"), &assign("steward2")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["assignee"], json!(app.user("steward2")));
    let (status, body) = app.post(Some(&lead1), &format!("/api/v1/tickets/{id}/assign"), &assign("hotline1")).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "not_a_steward"));

    // Filters.
    let admin = app.login("admin").await;
    let ids = |v: serde_json::Value| {
        v.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(ids(app.get(Some(&admin), "/api/v1/tickets?status=new").await.1), vec![other.clone()]);
    assert_eq!(ids(app.get(Some(&admin), "/api/v1/tickets?status=dispatched").await.1), vec![id.clone()]);
    let d3 = app.district("SH-03").await;
    assert_eq!(ids(app.get(Some(&admin), &format!("/api/v1/tickets?district={d3}")).await.1), vec![other.clone()]);
    let s2 = app.user("steward2");
    assert_eq!(ids(app.get(Some(&admin), &format!("/api/v1/tickets?steward={s2}")).await.1), vec![id.clone()]);

    // The old steward no longer sees it; the new one does.
    let steward1 = app.login("steward1").await;
    assert_eq!(app.get(Some(&steward1), &format!("/api/v1/tickets/{id}")).await.0, StatusCode::NOT_FOUND);
    let steward2 = app.login("steward2").await;
    assert_eq!(ids(app.get(Some(&steward2), "/api/v1/tickets").await.1), vec![id.clone()]);
}
