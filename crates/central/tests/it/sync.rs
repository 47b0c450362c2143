//! Push (outcomes, dedup, concurrency) and pull (paging, scope, removals).

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, code, spawn_app};

fn visit(app: &TestApp, household: impl serde::Serialize, steward: &str) -> Value {
    json!({
        "id": Uuid::now_v7(),
        "household_id": household,
        "steward_id": app.user(steward),
        "ticket_id": null,
        "started_at": "2026-11-20T08:01:00Z",
        "completed_at": "2026-11-20T08:11:00Z",
        "location": {"lon": 117.111, "lat": 37.311},
        "corrects": null,
        "records": [
            {"kind": "suspension_valve_closure", "valve": {"state": "sealed", "seal_no": "F2026-0001"}},
            {"kind": "contact_card_handed_over"}
        ]
    })
}

fn mutation(kind: &str, payload: Value) -> Value {
    json!({"id": Uuid::now_v7(), "kind": kind, "payload": payload, "device_time": "2026-11-20T08:11:05Z"})
}

fn statuses(body: &Value) -> Vec<String> {
    body["outcomes"].as_array().unwrap().iter().map(|o| o["status"].as_str().unwrap().to_owned()).collect()
}

async fn pull_all(app: &TestApp, token: &str, cursor: &str, limit: u32) -> (Vec<Value>, String) {
    let mut cursor = cursor.to_owned();
    let mut all = Vec::new();
    loop {
        let (status, page) = app.get(Some(token), &format!("/api/v1/sync/pull?cursor={cursor}&limit={limit}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let changes = page["changes"].as_array().unwrap();
        assert!(changes.len() <= limit as usize);
        let next = page["cursor"].as_str().unwrap().to_owned();
        assert!(next.parse::<i64>().unwrap() >= cursor.parse::<i64>().unwrap_or(0));
        all.extend(changes.iter().cloned());
        cursor = next;
        if !page["has_more"].as_bool().unwrap() {
            return (all, cursor);
        }
    }
}

#[tokio::test]
async fn a_batch_pushed_twice_concurrently_applies_once() {
    let app = spawn_app().await;
    let token = app.login("steward1").await;
    let household = app.household("A-0002").await;
    let batch =
        json!({"device_id": Uuid::now_v7(), "mutations": [mutation("visit", visit(&app, household, "steward1"))]});
    let (a, b) = tokio::join!(
        app.post(Some(&token), "/api/v1/sync/push", &batch),
        app.post(Some(&token), "/api/v1/sync/push", &batch)
    );
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
    let mut both = [statuses(&a.1), statuses(&b.1)].concat();
    both.sort();
    assert_eq!(both, ["applied", "duplicate"]);
    let (_, again) = app.post(Some(&token), "/api/v1/sync/push", &batch).await;
    assert_eq!(statuses(&again), ["duplicate"]);
    let counts = app.store.read(|db| db.counts()).await.unwrap();
    assert!(counts.contains(&("visits", 1)), "{counts:?}");
    // The sealed valve reached the register.
    let (_, h) = app.get(Some(&token), &format!("/api/v1/households/{household}")).await;
    assert_eq!(h["valve"], json!({"state": "sealed", "seal_no": "F2026-0001"}));
}

#[tokio::test]
async fn one_bad_mutation_does_not_sink_the_rest() {
    let app = spawn_app().await;
    let token = app.login("steward1").await;
    let own = app.household("A-0001").await;
    let foreign = app.household("C-0001").await;
    let mut empty = visit(&app, own, "steward1");
    empty["records"] = json!([]);
    let batch = json!({"mutations": [
        mutation("visit", visit(&app, own, "steward1")),
        mutation("teleport", json!({})),
        {"kind": "visit", "payload": {}},
        mutation("visit", empty),
        mutation("visit", visit(&app, foreign, "steward1")),
        mutation("visit", visit(&app, own, "steward2")),
        mutation("visit", visit(&app, own, "steward1")),
    ]});
    let (status, body) = app.post(Some(&token), "/api/v1/sync/push", &batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(statuses(&body), ["applied", "rejected", "rejected", "rejected", "rejected", "rejected", "applied"]);
    let codes: Vec<&str> = body["outcomes"].as_array().unwrap()[1..6].iter().map(|o| code(&o["error"])).collect();
    assert_eq!(codes, ["unknown_kind", "invalid_mutation", "invalid_visit", "not_found", "forbidden"]);
    assert!(body["outcomes"][2]["id"].is_null());
    let counts = app.store.read(|db| db.counts()).await.unwrap();
    assert!(counts.contains(&("visits", 2)), "{counts:?}");
}

#[tokio::test]
async fn ticket_events_are_pushed_through_the_domain_rules() {
    let app = spawn_app().await;
    let id = app.dispatched_ticket("A-0001", "lead1", "steward1").await;
    let event = |action: Value| {
        let mut p = json!({"id": Uuid::now_v7(), "ticket_id": id, "at": "2026-11-20T08:05:00Z"});
        p.as_object_mut().unwrap().extend(action.as_object().unwrap().clone());
        mutation("ticket_event", p)
    };
    let steward1 = app.login("steward1").await;
    let steward2 = app.login("steward2").await;
    let (_, body) = app
        .post(Some(&steward2), "/api/v1/sync/push", &json!({"mutations": [event(json!({"action": "accept"}))]}))
        .await;
    assert_eq!(code(&body["outcomes"][0]["error"]), "not_found");
    let batch = json!({"mutations": [
        event(json!({"action": "accept"})),
        event(json!({"action": "close"})),
        event(json!({"action": "arrive", "proof": {"method": "gps", "at": {"lon": 117.11, "lat": 37.31}, "accuracy_m": 8.0}})),
    ]});
    let (_, body) = app.post(Some(&steward1), "/api/v1/sync/push", &batch).await;
    assert_eq!(statuses(&body), ["applied", "rejected", "applied"]);
    assert_eq!(code(&body["outcomes"][1]["error"]), "forbidden");
    let (_, ticket) = app.get(Some(&steward1), &format!("/api/v1/tickets/{id}")).await;
    assert_eq!(ticket["status"], "on_site");
    assert_eq!(ticket["events"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn pull_pages_through_the_scoped_feed() {
    let app = spawn_app().await;
    let token = app.login("steward1").await;
    let (all, cursor) = pull_all(&app, &token, "", 2).await;
    let d1 = app.district("SH-01").await.to_string();
    let mut kinds: Vec<&str> = all.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, ["building", "community", "district", "household", "sla_policy", "unit"]);
    let households: Vec<&str> =
        all.iter().filter(|c| c["kind"] == "household").map(|c| c["data"]["account_no"].as_str().unwrap()).collect();
    assert_eq!(households, ["A-0001", "A-0002"]);
    assert!(all.iter().filter(|c| c["kind"] == "household").all(|c| c["data"]["district_id"] == d1.as_str()));
    assert!(all.iter().filter(|c| c["kind"] == "district").all(|c| c["id"] == d1.as_str()));
    // Nothing new: an empty page at the same cursor.
    let (again, same) = pull_all(&app, &token, &cursor, 2).await;
    assert!(again.is_empty());
    assert_eq!(same, cursor);
    // The admin sees every household, phones masked.
    let admin = app.login("admin").await;
    let (all, _) = pull_all(&app, &admin, "0", 1000).await;
    let phones: Vec<&str> =
        all.iter().filter(|c| c["kind"] == "household").map(|c| c["data"]["phone"].as_str().unwrap()).collect();
    assert_eq!(phones.len(), 4);
    assert!(phones.iter().all(|p| p.contains("****")), "{phones:?}");
}

#[tokio::test]
async fn a_reassigned_ticket_arrives_as_a_removal() {
    let app = spawn_app().await;
    let id = app.dispatched_ticket("A-0001", "lead1", "steward1").await;
    let steward1 = app.login("steward1").await;
    let (changes, cursor) = pull_all(&app, &steward1, "0", 100).await;
    let tickets: Vec<&Value> = changes.iter().filter(|c| c["kind"] == "ticket").collect();
    assert_eq!(tickets.len(), 1, "only the dispatch, not the unassigned opening: {tickets:?}");
    assert_eq!(tickets[0]["op"], "upsert");
    assert_eq!(tickets[0]["data"]["assignee"], json!(app.user("steward1")));

    let lead1 = app.login("lead1").await;
    let (status, _) = app
        .post(Some(&lead1), &format!("/api/v1/tickets/{id}/assign"), &json!({"steward_id": app.user("steward2")}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (changes, _) = pull_all(&app, &steward1, &cursor, 100).await;
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0]["id"].as_str().unwrap(), changes[0]["op"].as_str().unwrap()), (id.as_str(), "remove"));
    assert!(changes[0]["data"].is_null());
    let steward2 = app.login("steward2").await;
    let (changes, _) = pull_all(&app, &steward2, &cursor, 100).await;
    assert_eq!(changes.iter().filter(|c| c["id"] == id.as_str() && c["op"] == "upsert").count(), 1);
}

#[tokio::test]
async fn an_action_on_a_ticket_reassigned_while_offline_is_rejected_as_reassigned() {
    let app = spawn_app().await;
    let id = app.dispatched_ticket("A-0001", "lead1", "steward1").await;
    let lead1 = app.login("lead1").await;
    let (status, _) = app
        .post(
            Some(&lead1),
            &format!("/api/v1/tickets/{id}/assign"),
            &json!({"steward_id": app.user("steward2"), "reason": "steward1 is unreachable"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // steward1's device, offline, accepted the ticket and recorded a visit for it.
    let household = app.household("A-0001").await;
    let mut v = visit(&app, household, "steward1");
    v["ticket_id"] = json!(id);
    let accept = json!({"id": Uuid::now_v7(), "ticket_id": id, "action": "accept", "at": "2026-11-20T08:05:00Z"});
    let batch = json!({"mutations": [mutation("ticket_event", accept), mutation("visit", v)]});
    let steward1 = app.login("steward1").await;
    let (_, body) = app.post(Some(&steward1), "/api/v1/sync/push", &batch).await;
    assert_eq!(statuses(&body), ["rejected", "applied"]);
    assert_eq!(code(&body["outcomes"][0]["error"]), "reassigned");
    // The visit is kept, attributed to steward1, and the lead sees the ticket unmoved.
    let counts = app.store.read(|db| db.counts()).await.unwrap();
    assert!(counts.contains(&("visits", 1)), "{counts:?}");
    let (_, ticket) = app.get(Some(&lead1), &format!("/api/v1/tickets/{id}")).await;
    assert_eq!(
        (ticket["status"].as_str(), ticket["assignee"].clone()),
        (Some("dispatched"), json!(app.user("steward2")))
    );
    // A steward who never held it still learns nothing about it.
    let steward3 = app.login("steward3").await;
    let accept = json!({"id": Uuid::now_v7(), "ticket_id": id, "action": "accept", "at": "2026-11-20T08:05:00Z"});
    let (_, body) =
        app.post(Some(&steward3), "/api/v1/sync/push", &json!({"mutations": [mutation("ticket_event", accept)]})).await;
    assert_eq!(code(&body["outcomes"][0]["error"]), "not_found");
}

#[tokio::test]
async fn every_answer_carries_the_server_time() {
    let app = spawn_app().await;
    let token = app.login("steward1").await;
    let (_, push) = app.post(Some(&token), "/api/v1/sync/push", &json!({"mutations": []})).await;
    let (_, pull) = app.get(Some(&token), "/api/v1/sync/pull").await;
    assert_eq!(push["server_time"], json!(crate::helpers::START));
    assert_eq!(pull["server_time"], json!(crate::helpers::START));
}

#[tokio::test]
async fn bad_cursors_and_limits_are_400() {
    let app = spawn_app().await;
    let token = app.login("steward1").await;
    for q in ["cursor=abc", "cursor=-1", "cursor=99999999", "limit=0", "limit=5000", "limit=x"] {
        let (status, body) = app.get(Some(&token), &format!("/api/v1/sync/pull?{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
        assert!(["bad_cursor", "bad_limit"].contains(&code(&body)));
    }
}
