//! The team lead's desk: dispatch candidates against hand-computed
//! distances, steward positions, alerts with escalation and breaches, and
//! station incidents.

use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use steward_domain::geometry::LonLat;
use steward_domain::ground::Station;
use steward_domain::ids::StationId;
use uuid::Uuid;

use crate::helpers::{START, TestApp, spawn_app};
use crate::sla::{mutation, north, push_event};

fn mins(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

/// 0.02° of longitude at 37.31° N, the distance between the centroids of
/// SH-01 and SH-02, by hand: 2R·asin(cos φ · sin(Δλ/2)), R = 6 371 008.8 m.
fn centroid_gap_m() -> f64 {
    2.0 * 6_371_008.8 * (37.31_f64.to_radians().cos() * (0.02_f64.to_radians() / 2.0).sin()).asin()
}

/// steward2 records a visit at B-0001 standing 1 500 m north of A-0001's
/// building, and says 3 records are still queued on the device.
async fn steward2_reports_a_position(app: &TestApp) {
    let token = app.login("steward2").await;
    let visit = json!({
        "id": Uuid::now_v7(), "household_id": app.household("B-0001").await, "steward_id": app.user("steward2"),
        "ticket_id": null, "started_at": "2026-11-20T08:00:30Z", "completed_at": "2026-11-20T08:01:00Z",
        "location": north(117.11, 37.31, 1_500.0), "corrects": null,
        "records": [{"kind": "routine_service", "note": "走访"}]
    });
    let batch = json!({"device_id": Uuid::now_v7(), "queued": 3, "mutations": [mutation("visit", visit)]});
    let (status, body) = app.post(Some(&token), "/api/v1/sync/push", &batch).await;
    assert_eq!((status, &body["outcomes"][0]["status"]), (StatusCode::OK, &json!("applied")), "{body}");
}

fn row<'a>(list: &'a Value, app: &TestApp, steward: &str) -> &'a Value {
    let id = json!(app.user(steward));
    list.as_array().unwrap().iter().find(|r| r["steward_id"] == id).unwrap_or_else(|| panic!("{steward} in {list}"))
}

#[tokio::test]
async fn candidates_are_ranked_by_eta_from_position_or_centroid_plus_load() {
    let app = spawn_app().await;
    let hotline = app.login("hotline1").await;
    let ticket = app.open_ticket(&hotline, "A-0001").await;
    // steward1 holds one open ticket: 10 minutes of load.
    app.dispatched_ticket("A-0002", "lead1", "steward1").await;
    app.clock.advance(mins(2));
    steward2_reports_a_position(&app).await;

    let lead1 = app.login("lead1").await;
    let (status, body) = app.get(Some(&lead1), &format!("/api/v1/tickets/{ticket}/candidates")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((&body["ticket_id"], &body["due_at"]), (&json!(ticket), &json!("2026-11-20T08:30:00Z")));
    let rows = body["candidates"].as_array().unwrap();
    let order: Vec<&Value> = rows.iter().map(|r| &r["steward_id"]).collect();
    assert_eq!(order, [&json!(app.user("steward2")), &json!(app.user("steward1"))]);
    // steward2: 1.5 km from the fix at 15 km/h = 250 m/min is 6 minutes.
    let s2 = &rows[0];
    assert!((s2["distance_km"].as_f64().unwrap() - 1.5).abs() < 1e-6, "{s2}");
    assert!((s2["eta_minutes"].as_f64().unwrap() - 6.0).abs() < 1e-6, "{s2}");
    assert_eq!(
        (&s2["meets_deadline"], &s2["stale"], &s2["queued"], &s2["open_tickets"], &s2["position_source"]),
        (&json!(true), &json!(false), &json!(3), &json!(0), &json!("last_fix"))
    );
    assert_eq!((&s2["last_seen_at"], &s2["name"]), (&json!("2026-11-20T08:02:00Z"), &json!("王steward2")));
    // steward1: never synced, no fix: from the centroid of SH-01, which is the
    // building itself (0 km), plus one open ticket.
    let s1 = &rows[1];
    assert!(s1["distance_km"].as_f64().unwrap() < 1e-6, "{s1}");
    assert!((s1["eta_minutes"].as_f64().unwrap() - 10.0).abs() < 1e-6, "{s1}");
    assert_eq!(
        (&s1["stale"], &s1["last_seen_at"], &s1["open_tickets"], &s1["position_source"]),
        (&json!(true), &Value::Null, &json!(1), &json!("district_centroid"))
    );

    // `limit` keeps the head of the same ranking.
    let (_, top) = app.get(Some(&lead1), &format!("/api/v1/tickets/{ticket}/candidates?limit=1")).await;
    assert_eq!(top["candidates"].as_array().unwrap().len(), 1);
    assert_eq!(top["candidates"][0]["steward_id"], json!(app.user("steward2")));
    let (status, bad) = app.get(Some(&lead1), &format!("/api/v1/tickets/{ticket}/candidates?limit=0")).await;
    assert_eq!((status, &bad["code"]), (StatusCode::BAD_REQUEST, &json!("bad_limit")));

    // 70 minutes on the fix is too old: steward2 ranks from SH-02's centroid,
    // 1 768.82 m away, 7.075 minutes; both are stale and past the deadline.
    app.clock.advance(mins(68));
    let (_, body) = app.get(Some(&lead1), &format!("/api/v1/tickets/{ticket}/candidates")).await;
    let s2 = &body["candidates"][0];
    assert_eq!(s2["steward_id"], json!(app.user("steward2")));
    let gap = centroid_gap_m();
    assert!((gap - 1_768.82).abs() < 0.01, "{gap}");
    assert!((s2["distance_km"].as_f64().unwrap() * 1000.0 - gap).abs() < 0.01, "{s2}");
    assert!((s2["eta_minutes"].as_f64().unwrap() - gap / 250.0).abs() < 1e-6, "{s2}");
    assert_eq!(
        (&s2["position_source"], &s2["stale"], &s2["meets_deadline"]),
        (&json!("district_centroid"), &json!(true), &json!(false))
    );
}

#[tokio::test]
async fn positions_show_the_team_with_fix_sync_and_load() {
    let app = spawn_app().await;
    app.dispatched_ticket("A-0002", "lead1", "steward1").await;
    app.clock.advance(mins(2));
    steward2_reports_a_position(&app).await;
    let lead1 = app.login("lead1").await;
    let (status, list) = app.get(Some(&lead1), "/api/v1/stewards/positions").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 2, "team A only: {list}");
    let s2 = row(&list, &app, "steward2");
    let fix = north(117.11, 37.31, 1_500.0);
    assert_eq!((&s2["position"]["lon"], &s2["position"]["lat"]), (&fix["lon"], &fix["lat"]));
    assert_eq!((&s2["position"]["at"], &s2["position"]["fresh"]), (&json!("2026-11-20T08:01:00Z"), &json!(true)));
    assert_eq!(
        (&s2["last_sync_at"], &s2["stale"], &s2["queued"]),
        (&json!("2026-11-20T08:02:00Z"), &json!(false), &json!(3))
    );
    let s1 = row(&list, &app, "steward1");
    assert_eq!((&s1["position"], &s1["stale"], &s1["open_tickets"]), (&Value::Null, &json!(true), &json!(1)));
    assert_eq!(s1["district_ids"], json!([app.district("SH-01").await]));
    // A pull is a sync too: steward1 is no longer stale; ten minutes later steward2 is.
    let steward1 = app.login("steward1").await;
    app.clock.advance(mins(5));
    app.get(Some(&steward1), "/api/v1/sync/pull").await;
    app.clock.advance(mins(5));
    let (_, list) = app.get(Some(&lead1), "/api/v1/stewards/positions").await;
    assert_eq!(row(&list, &app, "steward1")["stale"], false);
    assert_eq!(row(&list, &app, "steward2")["stale"], true);
    let admin = app.login("admin").await;
    assert_eq!(app.get(Some(&admin), "/api/v1/stewards/positions").await.1.as_array().unwrap().len(), 3);
}

fn ids(list: &Value) -> Vec<String> {
    let mut out: Vec<String> =
        list.as_array().unwrap().iter().map(|t| t["ticket_id"].as_str().unwrap().to_owned()).collect();
    out.sort();
    out
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn alerts_escalate_unaccepted_tickets_and_count_breaches_against_the_holder() {
    let app = spawn_app().await;
    let hotline = app.login("hotline1").await;
    let lead1 = app.login("lead1").await;
    let t1 = app.dispatched_ticket("A-0001", "lead1", "steward1").await;
    let t2 = app.dispatched_ticket("A-0002", "lead1", "steward1").await;
    let t3 = app.open_ticket(&hotline, "B-0001").await;
    app.clock.advance(mins(1));
    push_event(&app, "steward1", &t2, json!({"action": "accept", "at": "2026-11-20T08:01:00Z"})).await;

    app.clock.advance(mins(3));
    let (status, a) = app.get(Some(&lead1), "/api/v1/alerts").await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!((a["escalation_minutes"].as_i64(), ids(&a["unaccepted"]).len()), (Some(5), 0), "4 minutes is not yet 5");

    app.clock.advance(mins(2));
    let (_, a) = app.get(Some(&lead1), "/api/v1/alerts").await;
    assert_eq!(ids(&a["unaccepted"]), sorted(vec![t1.clone(), t3.clone()]));
    assert!(a["unaccepted"].as_array().unwrap().iter().all(|t| t["waiting_minutes"] == 6), "{a}");

    // An arrival entered by hand goes to the review list with its reason.
    app.clock.advance(mins(4));
    let manual = json!({"action": "arrive", "at": "2026-11-20T08:10:00Z", "proof": {"method": "manual", "reason": "地下室无GPS信号"}});
    assert_eq!(push_event(&app, "steward1", &t2, manual).await["status"], "applied");
    let (_, a) = app.get(Some(&lead1), "/api/v1/alerts").await;
    let review = a["arrival_review"].as_array().unwrap();
    assert_eq!(review.len(), 1, "{a}");
    assert_eq!((&review[0]["ticket_id"], &review[0]["steward_id"]), (&json!(t2), &json!(app.user("steward1"))));
    assert_eq!(review[0]["reason"], json!({"code": "manual_entry", "reason": "地下室无GPS信号"}));
    assert_eq!(review[0]["sla_status"], "met_unverified");

    app.clock.advance(mins(11));
    let (_, a) = app.get(Some(&lead1), "/api/v1/alerts").await;
    assert_eq!(ids(&a["at_risk"]), sorted(vec![t1.clone(), t3.clone()]));
    assert_eq!(a["at_risk"][0]["minutes_left"], 9);

    // Past the deadline; t1 then moves to steward2, but the breach is steward1's.
    app.clock.advance(mins(10));
    let (status, _) = app
        .post(Some(&lead1), &format!("/api/v1/tickets/{t1}/assign"), &json!({"steward_id": app.user("steward2")}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, a) = app.get(Some(&lead1), "/api/v1/alerts").await;
    assert_eq!(ids(&a["breached"]), sorted(vec![t1.clone(), t3.clone()]));
    let b = &a["breaches"];
    assert_eq!(b["by_steward"].as_array().unwrap().len(), 1, "{b}");
    assert_eq!(
        (&b["by_steward"][0]["steward_id"], &b["by_steward"][0]["breaches"]),
        (&json!(app.user("steward1")), &json!(1))
    );
    assert_eq!(b["undispatched"], 1, "t3 was never dispatched");
    assert_eq!(b["by_team"].as_array().unwrap().len(), 1);
    assert_eq!(b["by_team"][0]["breaches"], 2);
    // lead2's team B sees none of it; the window is validated.
    let lead2 = app.login("lead2").await;
    let (_, a) = app.get(Some(&lead2), "/api/v1/alerts").await;
    assert!(a["breached"].as_array().unwrap().is_empty() && a["unaccepted"].as_array().unwrap().is_empty(), "{a}");
    let (status, body) = app.get(Some(&lead1), "/api/v1/alerts?hours=0").await;
    assert_eq!((status, &body["code"]), (StatusCode::BAD_REQUEST, &json!("bad_hours")));
}

#[tokio::test]
async fn five_no_heat_tickets_from_one_station_in_thirty_minutes_are_one_incident() {
    let app = spawn_app().await;
    let start: jiff::Timestamp = START.parse().unwrap();
    let station = Station {
        id: StationId::new_v7(start, [7; 10]),
        name: "实验中学换热站".into(),
        location: LonLat::new(117.12, 37.31).unwrap(),
    };
    let station_id = station.id;
    app.store
        .write(move |tx| {
            tx.put_station(&station)?;
            for name in ["鑫隆帝景城", "豪门庄园"] {
                let mut c = tx.community_by_name(name)?.unwrap();
                c.station_id = Some(station.id);
                tx.put_community(&c)?;
            }
            Ok::<_, steward_central::store::StoreError>(())
        })
        .await
        .unwrap();
    let hotline = app.login("hotline1").await;
    let lead1 = app.login("lead1").await;
    let mut tickets = Vec::new();
    for account in ["A-0001", "B-0001", "A-0002", "C-0001", "B-0001"] {
        tickets.push((account, app.open_ticket(&hotline, account).await));
        app.clock.advance(mins(6));
    }
    // A leak from the same station does not count.
    app.post(
        Some(&hotline),
        "/api/v1/tickets",
        &json!({"account_no": "A-0001", "category": "leak", "description": "漏水"}),
    )
    .await;
    let (status, list) = app.get(Some(&lead1), "/api/v1/incidents").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list.as_array().unwrap().is_empty(), "four from the station (C-0001 is another): {list}");

    tickets.push(("A-0001", app.open_ticket(&hotline, "A-0001").await));
    let (_, list) = app.get(Some(&lead1), "/api/v1/incidents").await;
    let incidents = list.as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{list}");
    let fed: Vec<Value> = tickets.iter().filter(|(a, _)| *a != "C-0001").map(|(_, id)| json!(id)).collect();
    assert_eq!(incidents[0]["ticket_ids"], json!(fed), "in report order");
    assert_eq!(
        (&incidents[0]["station_id"], &incidents[0]["station_name"]),
        (&json!(station_id), &json!("实验中学换热站"))
    );
    assert_eq!(
        (&incidents[0]["first_at"], &incidents[0]["last_at"]),
        (&json!("2026-11-20T08:00:00Z"), &json!("2026-11-20T08:30:00Z"))
    );
    // lead2's district is fed by no station on record.
    let lead2 = app.login("lead2").await;
    assert!(app.get(Some(&lead2), "/api/v1/incidents").await.1.as_array().unwrap().is_empty());
    // The threshold is the policy's.
    let (_, mut policy) = app.get(Some(&lead1), "/api/v1/sla/policy").await;
    policy["incident_threshold"] = json!(6);
    let res = app.client.put(app.url("/api/v1/sla/policy")).bearer_auth(&lead1).json(&policy).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(app.get(Some(&lead1), "/api/v1/incidents").await.1.as_array().unwrap().is_empty());
}
