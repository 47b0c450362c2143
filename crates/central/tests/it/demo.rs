//! The 商河 demo data set, seeded as `seed-demo` does, served and scoped.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_demo;

#[tokio::test]
async fn the_demo_seeds_and_every_demo_account_works_in_scope() {
    let (app, data) = spawn_demo().await;
    for name in ["admin", "hotline1", "lead1", "lead2", "steward1"] {
        app.login(name).await;
    }
    let steward1 = data.staff_by_username("steward1").unwrap();
    let own: Vec<String> =
        data.districts.iter().filter(|d| d.steward_id == Some(steward1.id)).map(|d| d.id.to_string()).collect();
    assert!(!own.is_empty());
    let token = app.login("steward1").await;
    let (status, body) = app.get(Some(&token), "/api/v1/households?limit=1000").await;
    assert_eq!(status, StatusCode::OK);
    let list = body.as_array().unwrap();
    assert!(!list.is_empty());
    assert!(list.iter().all(|h| own.contains(&h["district_id"].as_str().unwrap().to_owned())));
    let expected = data.households.iter().filter(|h| own.contains(&h.district_id.to_string())).count().min(1000);
    assert_eq!(list.len(), expected);

    let (_, tickets) = app.get(Some(&token), "/api/v1/tickets?limit=1000").await;
    let mine = data.tickets.iter().filter(|t| t.ticket.assignee() == Some(steward1.id)).count().min(1000);
    assert_eq!(tickets.as_array().unwrap().len(), mine);
    assert!(tickets.as_array().unwrap().iter().all(|t| t["assignee"] == Value::String(steward1.id.to_string())));

    let (status, page) = app.get(Some(&token), "/api/v1/sync/pull?limit=500").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["changes"].as_array().unwrap().len(), 500);
    assert_eq!(page["has_more"], true);

    let res = app.client.get(app.url(&format!("/cards/{}.vcf", steward1.id))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains(&steward1.display_name));
}

/// The seeded positions: every steward on the team lead's map is somewhere
/// in their own district, seen minutes before the demo's "now"; a report
/// from the steward's device replaces the seeded one, even an older one.
#[tokio::test]
async fn every_demo_steward_has_a_last_known_position_in_their_district_until_their_device_reports() {
    use steward_domain::geometry::{LonLat, Placement, haversine_m};
    use steward_domain::org::Role;

    let (app, data) = spawn_demo().await;
    let index = data.district_index().unwrap();
    let as_of = data.config.as_of;
    let admin = app.login("admin").await;
    let (status, list) = app.get(Some(&admin), "/api/v1/stewards/positions").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    let stewards = data.staff.iter().filter(|s| s.role == Role::Steward).count();
    assert_eq!(list.len(), stewards);
    for row in list {
        let name = row["name"].as_str().unwrap();
        let p = &row["position"];
        assert!(p.is_object(), "{name} has no position: {row}");
        let at = LonLat::new(p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap()).unwrap();
        let own: Vec<String> = row["district_ids"].as_array().unwrap().iter().map(|d| d.to_string()).collect();
        assert!(!own.is_empty(), "{name} has no district");
        let inside =
            matches!(index.locate(at), Placement::Inside(d) if own.contains(&serde_json::json!(d).to_string()));
        // Or just outside it: within 300 m of one of its buildings.
        let near_own = data
            .buildings
            .iter()
            .filter(|b| {
                data.communities
                    .iter()
                    .any(|c| c.id == b.community_id && own.contains(&serde_json::json!(c.district_id).to_string()))
            })
            .any(|b| haversine_m(b.location, at) <= 300.0);
        assert!(inside || near_own, "{name} at {at:?} is not in or near their district");
        let seen: jiff::Timestamp = p["at"].as_str().unwrap().parse().unwrap();
        let age = as_of.duration_since(seen);
        assert!(age > jiff::SignedDuration::ZERO && age <= jiff::SignedDuration::from_mins(15), "{name}: {age:?}");
    }
    // The team lead sees their own team, each placed.
    let lead = app.login("lead1").await;
    let (_, team) = app.get(Some(&lead), "/api/v1/stewards/positions").await;
    let team = team.as_array().unwrap();
    assert!(!team.is_empty() && team.len() < list.len());
    assert!(team.iter().all(|r| r["position"].is_object()), "{team:?}");

    // steward1's device reports a visit it completed an hour before the
    // seeded position's time (it was offline): the map shows the report.
    let steward1 = data.staff_by_username("steward1").unwrap();
    let district = data.districts.iter().find(|d| d.steward_id == Some(steward1.id)).unwrap().id;
    let household = data.households.iter().find(|h| h.district_id == district).unwrap();
    let building = data.buildings.iter().find(|b| b.id == household.building_id).unwrap();
    let completed = as_of - jiff::SignedDuration::from_hours(1);
    let visit = serde_json::json!({
        "id": uuid::Uuid::now_v7(), "household_id": household.id, "steward_id": steward1.id, "ticket_id": null,
        "started_at": completed - jiff::SignedDuration::from_mins(5), "completed_at": completed,
        "location": {"lon": building.location.lon, "lat": building.location.lat}, "corrects": null,
        "records": [{"kind": "routine_service", "note": "走访"}]
    });
    let token = app.login("steward1").await;
    let batch = serde_json::json!({"device_id": uuid::Uuid::now_v7(), "mutations": [
        {"id": uuid::Uuid::now_v7(), "kind": "visit", "payload": visit}]});
    let (status, body) = app.post(Some(&token), "/api/v1/sync/push", &batch).await;
    assert_eq!((status, &body["outcomes"][0]["status"]), (StatusCode::OK, &serde_json::json!("applied")), "{body}");
    let (_, list) = app.get(Some(&admin), "/api/v1/stewards/positions").await;
    let row = list.as_array().unwrap().iter().find(|r| r["steward_id"] == serde_json::json!(steward1.id)).unwrap();
    let reported =
        LonLat::new(row["position"]["lon"].as_f64().unwrap(), row["position"]["lat"].as_f64().unwrap()).unwrap();
    assert!(haversine_m(reported, building.location) < 0.01, "{row}");
    assert_eq!(row["position"]["at"], serde_json::json!(completed), "{row}");

    // A seeded position never replaces a reported one, even a newer seed.
    let newer = steward_central::store::millis(as_of + jiff::SignedDuration::from_hours(1));
    let elsewhere = LonLat::new(117.0, 37.0).unwrap();
    let id = steward1.id;
    app.store
        .write(move |tx| tx.record_position(id, elsewhere, newer, steward_central::store::SEEDED_POSITION))
        .await
        .unwrap();
    let (_, list) = app.get(Some(&admin), "/api/v1/stewards/positions").await;
    let row = list.as_array().unwrap().iter().find(|r| r["steward_id"] == serde_json::json!(steward1.id)).unwrap();
    assert_eq!(row["position"]["at"], serde_json::json!(completed), "the device's report stays: {row}");
}
