//! The 30-minute clock through the API: `sla_status`, `due_at` and
//! `response_minutes` on every ticket returned, late offline arrivals, and
//! the service policy.

use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, code, spawn_app};

/// A fix `metres` due north of (lon, lat): along a meridian the haversine
/// distance is R·Δφ with R = 6 371 008.8 m.
pub fn north(lon: f64, lat: f64, metres: f64) -> Value {
    json!({"lon": lon, "lat": lat + (metres / 6_371_008.8_f64).to_degrees()})
}

pub fn mutation(kind: &str, payload: Value) -> Value {
    json!({"id": Uuid::now_v7(), "kind": kind, "payload": payload})
}

/// Pushes one ticket event as `steward`; returns the outcome.
pub async fn push_event(app: &TestApp, steward: &str, ticket: &str, event: Value) -> Value {
    let token = app.login(steward).await;
    let mut payload = json!({"id": Uuid::now_v7(), "ticket_id": ticket});
    payload.as_object_mut().unwrap().extend(event.as_object().unwrap().clone());
    let (status, body) =
        app.post(Some(&token), "/api/v1/sync/push", &json!({"mutations": [mutation("ticket_event", payload)]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["outcomes"][0].clone()
}

/// A GPS arrival 20 m from A-0001's building (117.11, 37.31).
pub fn gps_arrival(at: &str) -> Value {
    json!({"action": "arrive", "at": at, "proof": {"method": "gps", "at": north(117.11, 37.31, 20.0), "accuracy_m": 8.0}})
}

async fn ticket(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, body) = app.get(Some(token), &format!("/api/v1/tickets/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn mins(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

#[tokio::test]
async fn every_status_reaches_every_ticket_the_api_returns() {
    let app = spawn_app().await;
    let hotline = app.login("hotline1").await;
    let lead1 = app.login("lead1").await;
    let open = |account: &'static str, category: &'static str| json!({"account_no": account, "category": category, "description": "暖气不热"});

    // Created: on track, 30 minutes; consultation has no clock.
    let (status, created) = app.post(Some(&hotline), "/api/v1/tickets", &open("A-0001", "no_heat")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (&created["sla_status"], &created["response_minutes"], &created["due_at"]),
        (&json!("on_track"), &json!(30), &json!("2026-11-20T08:30:00Z"))
    );
    let (_, consult) = app.post(Some(&hotline), "/api/v1/tickets", &open("A-0002", "consultation")).await;
    assert_eq!((&consult["sla_status"], &consult["response_minutes"]), (&json!("not_applicable"), &Value::Null));
    let id = created["id"].as_str().unwrap().to_owned();

    // Assigned: the answer carries the clock too.
    let (status, assigned) = app
        .post(Some(&lead1), &format!("/api/v1/tickets/{id}/assign"), &json!({"steward_id": app.user("steward1")}))
        .await;
    assert_eq!(status, StatusCode::OK, "{assigned}");
    assert_eq!(assigned["sla_status"], "on_track");

    // 10:00 left: at risk, in get, list and pull alike.
    app.clock.advance(mins(20));
    assert_eq!(ticket(&app, &lead1, &id).await["sla_status"], "at_risk");
    let (_, list) = app.get(Some(&lead1), "/api/v1/tickets").await;
    let row = list.as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).unwrap().clone();
    assert_eq!((&row["sla_status"], &row["response_minutes"]), (&json!("at_risk"), &json!(30)));
    let steward1 = app.login("steward1").await;
    let (_, page) = app.get(Some(&steward1), "/api/v1/sync/pull?limit=1000").await;
    let doc = page["changes"].as_array().unwrap().iter().rev().find(|c| c["id"] == id.as_str()).unwrap();
    assert_eq!((&doc["data"]["sla_status"], &doc["data"]["response_minutes"]), (&json!("at_risk"), &json!(30)));

    // One second past the deadline: breached.
    app.clock.advance(mins(10) + SignedDuration::from_secs(1));
    assert_eq!(ticket(&app, &lead1, &id).await["sla_status"], "breached");

    // A verified arrival in time, synced late: met. An unverified one: met_unverified.
    assert_eq!(
        push_event(&app, "steward1", &id, json!({"action": "accept", "at": "2026-11-20T08:21:00Z"})).await["status"],
        "applied"
    );
    let outcome = push_event(&app, "steward1", &id, gps_arrival("2026-11-20T08:29:59Z")).await;
    assert_eq!(outcome["status"], "applied", "{outcome}");
    assert_eq!(ticket(&app, &lead1, &id).await["sla_status"], "met");

    let (_, other) = app.post(Some(&hotline), "/api/v1/tickets", &open("A-0002", "leak")).await;
    let other = other["id"].as_str().unwrap().to_owned();
    app.post(Some(&lead1), &format!("/api/v1/tickets/{other}/assign"), &json!({"steward_id": app.user("steward1")}))
        .await;
    push_event(&app, "steward1", &other, json!({"action": "accept", "at": "2026-11-20T08:31:00Z"})).await;
    app.clock.advance(mins(5));
    let manual = json!({"action": "arrive", "at": "2026-11-20T08:35:00Z", "proof": {"method": "manual", "reason": "桌面端无定位"}});
    assert_eq!(push_event(&app, "steward1", &other, manual).await["status"], "applied");
    let body = ticket(&app, &lead1, &other).await;
    assert_eq!((&body["sla_status"], &body["due_at"]), (&json!("met_unverified"), &json!("2026-11-20T09:00:01Z")));
}

#[tokio::test]
async fn the_best_eta_past_the_deadline_puts_a_ticket_at_risk_early() {
    let app = spawn_app().await;
    let id = app.dispatched_ticket("A-0001", "lead1", "steward1").await;
    let lead1 = app.login("lead1").await;
    // steward1's district centroid is the building itself: on track.
    assert_eq!(ticket(&app, &lead1, &id).await["sla_status"], "on_track");
    // steward1 accepts 10 km north: 40 minutes at 15 km/h, past the deadline with 29 minutes left.
    app.clock.advance(mins(1));
    let accept = json!({"action": "accept", "at": "2026-11-20T08:01:00Z", "location": north(117.11, 37.31, 10_000.0)});
    assert_eq!(push_event(&app, "steward1", &id, accept).await["status"], "applied");
    assert_eq!(ticket(&app, &lead1, &id).await["sla_status"], "at_risk");
}

#[tokio::test]
async fn an_offline_arrival_synced_three_hours_later_counts_at_its_own_time() {
    let app = spawn_app().await;
    let id = app.dispatched_ticket("A-0001", "lead1", "steward1").await;
    let lead1 = app.login("lead1").await;
    app.clock.advance(mins(2));
    push_event(&app, "steward1", &id, json!({"action": "accept", "at": "2026-11-20T08:02:00Z"})).await;
    // steward1 goes into a basement; the lead, hearing nothing, reassigns at 08:25.
    app.clock.advance(mins(23));
    let (status, _) = app
        .post(Some(&lead1), &format!("/api/v1/tickets/{id}/assign"), &json!({"steward_id": app.user("steward2")}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ticket(&app, &lead1, &id).await["sla_status"], "at_risk");
    // At 11:20 the device syncs the arrival it recorded at 08:20.
    app.clock.advance(mins(175));
    let outcome = push_event(&app, "steward1", &id, gps_arrival("2026-11-20T08:20:00Z")).await;
    assert_eq!(outcome["status"], "applied", "{outcome}");
    let body = ticket(&app, &lead1, &id).await;
    assert_eq!(body["sla_status"], "met", "the clock stopped at 08:20, no repair needed");
    assert_eq!((&body["status"], &body["assignee"]), (&json!("dispatched"), &json!(app.user("steward2"))));
    let events = body["events"].as_array().unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (&last["at"], &last["seq"], &last["status_after"]),
        (&json!("2026-11-20T08:20:00Z"), &json!(5), &json!("on_site"))
    );
    // An action after the reassignment is still refused as reassigned.
    let late = push_event(&app, "steward1", &id, json!({"action": "en_route", "at": "2026-11-20T08:30:00Z"})).await;
    assert_eq!(code(&late["error"]), "reassigned", "{late}");
    // An event before the report is refused with its reason.
    let before = push_event(&app, "steward1", &id, gps_arrival("2026-11-20T07:00:00Z")).await;
    assert_eq!(code(&before["error"]), "time_before_report", "{before}");
}

#[tokio::test]
async fn an_arrival_before_a_cancellation_is_kept_and_one_after_is_refused() {
    let app = spawn_app().await;
    let hotline = app.login("hotline1").await;
    let lead1 = app.login("lead1").await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let id = app.dispatched_ticket("A-0001", "lead1", "steward1").await;
        push_event(&app, "steward1", &id, json!({"action": "accept", "at": "2026-11-20T08:01:00Z"})).await;
        ids.push(id);
    }
    app.clock.advance(mins(40));
    for id in &ids {
        // The resident calls back at 08:40; the hotline cancels.
        let res = push_as(
            &app,
            &hotline,
            id,
            json!({"action": "cancel", "reason": "用户撤销", "at": "2026-11-20T08:40:00Z"}),
        )
        .await;
        assert_eq!(res["status"], "applied", "{res}");
    }
    let kept = push_event(&app, "steward1", &ids[0], gps_arrival("2026-11-20T08:20:00Z")).await;
    assert_eq!(kept["status"], "applied", "{kept}");
    let body = ticket(&app, &lead1, &ids[0]).await;
    assert_eq!((&body["status"], &body["sla_status"]), (&json!("cancelled"), &json!("met")));
    let refused = push_event(&app, "steward1", &ids[1], gps_arrival("2026-11-20T08:45:00Z")).await;
    assert_eq!(code(&refused["error"]), "illegal_transition", "{refused}");
    // Cancelled after its deadline without an arrival: breached stays breached.
    assert_eq!(ticket(&app, &lead1, &ids[1]).await["sla_status"], "breached");
}

async fn push_as(app: &TestApp, token: &str, ticket: &str, event: Value) -> Value {
    let mut payload = json!({"id": Uuid::now_v7(), "ticket_id": ticket});
    payload.as_object_mut().unwrap().extend(event.as_object().unwrap().clone());
    let (_, body) =
        app.post(Some(token), "/api/v1/sync/push", &json!({"mutations": [mutation("ticket_event", payload)]})).await;
    body["outcomes"][0].clone()
}

async fn put_policy(app: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    let res = app.client.put(app.url("/api/v1/sla/policy")).bearer_auth(token).json(body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn the_policy_is_seeded_read_by_all_changed_by_leads_and_reaches_devices() {
    let app = spawn_app().await;
    let steward1 = app.login("steward1").await;
    let (status, policy) = app.get(Some(&steward1), "/api/v1/sla/policy").await;
    assert_eq!(status, StatusCode::OK, "{policy}");
    // The seeded row is the domain's defaults.
    let defaults = serde_json::to_value(steward_domain::sla::ServicePolicy::default()).unwrap();
    for (k, v) in defaults.as_object().unwrap() {
        assert_eq!(&policy[k], v, "{k}");
    }
    assert_eq!(policy["updated_at"], Value::Null);
    let consult = policy["responses"].as_array().unwrap().iter().find(|r| r["category"] == "consultation").unwrap();
    assert_eq!(consult["response_minutes"], Value::Null);
    assert_eq!(app.get(None, "/api/v1/sla/policy").await.0, StatusCode::UNAUTHORIZED);

    // Devices get it from the feed from their first pull.
    let (_, page) = app.get(Some(&steward1), "/api/v1/sync/pull?limit=1000").await;
    let cursor = page["cursor"].as_str().unwrap().to_owned();
    let fed: Vec<&Value> = page["changes"].as_array().unwrap().iter().filter(|c| c["kind"] == "sla_policy").collect();
    assert_eq!(fed.len(), 1);
    assert_eq!(fed[0]["data"]["escalation_minutes"], 5);

    // Stewards and the hotline may not change it; bad values are 422 naming the field, and change nothing.
    let mut leak20 = policy.clone();
    leak20["responses"] = json!([{"category": "leak", "response_minutes": 20}]);
    leak20["escalation_minutes"] = json!(7);
    for user in ["steward1", "hotline1"] {
        let token = app.login(user).await;
        assert_eq!(put_policy(&app, &token, &leak20).await.0, StatusCode::FORBIDDEN, "{user}");
    }
    let lead1 = app.login("lead1").await;
    for (key, value, names) in [
        ("escalation_minutes", json!(0), "escalation_minutes"),
        ("speed_kmh", json!(-3), "speed_kmh"),
        ("geofence_m", json!(0), "geofence_m"),
        ("responses", json!([{"category": "leak", "response_minutes": 0}]), "responses"),
        ("incident_threshold", json!(0), "incident_threshold"),
        ("stale_minutes", json!("ten"), "expected u32"),
    ] {
        let mut bad = policy.clone();
        bad[key] = value;
        let (status, body) = put_policy(&app, &lead1, &bad).await;
        assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_policy"), "{key}: {body}");
        assert!(body["message"].as_str().unwrap().contains(names), "{body}");
    }
    assert_eq!(app.get(Some(&steward1), "/api/v1/sla/policy").await.1, policy);

    let (status, saved) = put_policy(&app, &lead1, &leak20).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["escalation_minutes"], 7);
    assert_eq!(saved["updated_by"], json!(app.user("lead1")));
    assert_eq!(saved["updated_at"], "2026-11-20T08:00:00Z");
    let leak = saved["responses"].as_array().unwrap().iter().find(|r| r["category"] == "leak").unwrap();
    assert_eq!(leak["response_minutes"], 20);
    assert_eq!(saved["responses"].as_array().unwrap().len(), 9, "every category listed");
    let (_, page) = app.get(Some(&steward1), &format!("/api/v1/sync/pull?cursor={cursor}")).await;
    let fed: Vec<&Value> = page["changes"].as_array().unwrap().iter().filter(|c| c["kind"] == "sla_policy").collect();
    assert_eq!((fed.len(), &fed[0]["data"]["escalation_minutes"]), (1, &json!(7)));

    // New leak tickets are due in 20 minutes.
    let hotline = app.login("hotline1").await;
    let (_, t) = app
        .post(
            Some(&hotline),
            "/api/v1/tickets",
            &json!({"account_no": "A-0001", "category": "leak", "description": "漏水"}),
        )
        .await;
    assert_eq!((&t["due_at"], &t["response_minutes"]), (&json!("2026-11-20T08:20:00Z"), &json!(20)));
}

#[tokio::test]
async fn a_scanned_door_tag_is_met_and_a_typed_one_is_unverified_for_review() {
    let app = spawn_app().await;
    let lead1 = app.login("lead1").await;
    let scanned = app.dispatched_ticket("A-0001", "lead1", "steward1").await;
    let typed = app.dispatched_ticket("A-0002", "lead1", "steward1").await;
    app.clock.advance(mins(5));
    for id in [&scanned, &typed] {
        let accept = json!({"action": "accept", "at": "2026-11-20T08:01:00Z"});
        assert_eq!(push_event(&app, "steward1", id, accept).await["status"], "applied");
    }
    let arrive = |method: &str, tag: &str| json!({"action": "arrive", "at": "2026-11-20T08:05:00Z", "proof": {"method": method, "tag": tag}});
    let outcome = push_event(&app, "steward1", &scanned, arrive("tag_scan", "HH:A-0001")).await;
    assert_eq!(outcome["status"], "applied", "{outcome}");
    // The right household's tag, but typed by hand: not proof.
    let outcome = push_event(&app, "steward1", &typed, arrive("tag_typed", "HH:A-0002")).await;
    assert_eq!(outcome["status"], "applied", "{outcome}");
    assert_eq!(ticket(&app, &lead1, &scanned).await["sla_status"], "met");
    assert_eq!(ticket(&app, &lead1, &typed).await["sla_status"], "met_unverified");

    let (status, a) = app.get(Some(&lead1), "/api/v1/alerts").await;
    assert_eq!(status, StatusCode::OK, "{a}");
    let review = a["arrival_review"].as_array().unwrap();
    assert_eq!(review.len(), 1, "only the typed tag is reviewed: {a}");
    assert_eq!(review[0]["ticket_id"], json!(typed));
    assert_eq!(review[0]["reason"], json!({"code": "tag_typed", "matches": true}));
    assert_eq!(review[0]["sla_status"], "met_unverified");
}
