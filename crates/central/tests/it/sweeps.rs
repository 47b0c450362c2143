//! Sweep campaigns: opened by a team lead or an admin, expanded into planned
//! visits per steward in stairwell order, progress against hand counts.

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{code, spawn_app};
use crate::reports::{push, set_clock};

fn visit(steward: Value, household: &str, completed_at: &str, records: Value) -> Value {
    json!({
        "id": Uuid::now_v7(), "household_id": household, "steward_id": steward, "ticket_id": null,
        "started_at": completed_at, "completed_at": completed_at, "location": null,
        "corrects": null, "records": records
    })
}

fn counts(row: &Value) -> [u64; 4] {
    ["planned", "done", "open", "overdue"].map(|k| row[k].as_u64().unwrap())
}

#[tokio::test]
async fn a_sweep_plans_visits_by_stairwell_and_tracks_progress() {
    let app = spawn_app().await;
    let (admin, lead1, lead2) = (app.login("admin").await, app.login("lead1").await, app.login("lead2").await);
    let s1 = app.login("steward1").await;
    let (sh01, sh02) = (app.district("SH-01").await, app.district("SH-02").await);
    let a1 = app.household("A-0001").await.to_string();

    // Last season's leaflet: before the sweep, so it does not count.
    push(
        &app,
        &s1,
        "visit",
        visit(
            json!(app.user("steward1")),
            &a1,
            "2026-11-20T07:30:00Z",
            json!([{"kind": "leaflet_handed_over", "title": "注水通知"}]),
        ),
    )
    .await;

    // Water filling over SH-01 and SH-02: A-0001, A-0002 (steward1, the
    // same building, units 1 and 2), B-0001 (steward2).
    let body = json!({"kind": "water_filling", "title": "二次网注水留人", "deadline": "2026-11-21T08:00:00Z",
        "district_ids": [sh01, sh02]});
    let (status, sweep) = app.post(Some(&admin), "/api/v1/sweeps", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{sweep}");
    assert_eq!(
        (sweep["planned"].as_u64(), sweep["done"].as_u64(), sweep["kind_label"].as_str()),
        (Some(3), Some(0), Some("注水留人通知"))
    );
    let id = sweep["id"].as_str().unwrap().to_owned();

    // The planned visits reach the stewards' devices through the change feed.
    let planned_of = |pulled: &Value| -> Vec<(String, u64)> {
        pulled["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == "planned_visit" && c["data"]["sweep_id"] == json!(id))
            .map(|c| (c["data"]["household_id"].as_str().unwrap().to_owned(), c["data"]["seq"].as_u64().unwrap()))
            .collect()
    };
    let (_, pulled) = app.get(Some(&s1), "/api/v1/sync/pull?limit=1000").await;
    let a2 = app.household("A-0002").await.to_string();
    assert_eq!(planned_of(&pulled), [(a1.clone(), 1), (a2, 2)], "unit 1 before unit 2");
    let s2 = app.login("steward2").await;
    let (_, pulled) = app.get(Some(&s2), "/api/v1/sync/pull?limit=1000").await;
    assert_eq!(planned_of(&pulled), [(app.household("B-0001").await.to_string(), 1)]);
    let s3 = app.login("steward3").await;
    let (_, pulled) = app.get(Some(&s3), "/api/v1/sync/pull?limit=1000").await;
    assert_eq!(planned_of(&pulled), []);

    // A suspension check over SH-01 by its lead covers the suspended A-0002 only.
    let (status, check) = app
        .post(Some(&lead1), "/api/v1/sweeps", &json!({"kind": "suspension_check", "title": "报停阀门检查", "deadline": "2026-11-21T08:00:00Z", "district_ids": [sh01]}))
        .await;
    assert_eq!((status, check["planned"].as_u64()), (StatusCode::CREATED, Some(1)));

    // The work: a leak check at A-0001 after the opening.
    set_clock(&app, "2026-11-20T09:00:00Z");
    push(
        &app,
        &s1,
        "visit",
        visit(
            json!(app.user("steward1")),
            &a1,
            "2026-11-20T08:30:00Z",
            json!([{"kind": "leak_check", "leak_found": false, "resident_present": true, "valve_closed": false}]),
        ),
    )
    .await;

    let progress = |by: &str| format!("/api/v1/sweeps/{id}/progress?by={by}");
    let (status, p) = app.get(Some(&admin), &progress("building")).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let rows: Vec<(String, [u64; 4])> =
        p["rows"].as_array().unwrap().iter().map(|r| (r["name"].as_str().unwrap().to_owned(), counts(r))).collect();
    assert_eq!(rows, [("豪门庄园 2号楼".to_owned(), [1, 0, 1, 0]), ("鑫隆帝景城 1号楼".to_owned(), [2, 1, 1, 0])]);
    assert_eq!(counts(&p["total"]), [3, 1, 2, 0]);
    assert_eq!(p["total"]["progress"].as_f64(), Some(1.0 / 3.0));

    // Past the deadline the open ones are overdue.
    set_clock(&app, "2026-11-21T08:00:01Z");
    let (_, p) = app.get(Some(&admin), &progress("steward")).await;
    let rows: Vec<(String, [u64; 4])> =
        p["rows"].as_array().unwrap().iter().map(|r| (r["name"].as_str().unwrap().to_owned(), counts(r))).collect();
    assert_eq!(rows, [("王steward1".to_owned(), [2, 1, 0, 1]), ("王steward2".to_owned(), [1, 0, 0, 1])]);
    let (_, p) = app.get(Some(&admin), &progress("district")).await;
    let names: Vec<&str> = p["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["SH-01 鑫隆片区", "SH-02 豪门片区"]);
    assert_eq!(counts(&p["total"]), [3, 1, 0, 2]);

    // Scope: a steward sees their own planned visits; another team's lead nothing.
    let (_, mine) = app.get(Some(&s1), "/api/v1/sweeps").await;
    let water = mine.as_array().unwrap().iter().find(|s| s["id"] == json!(id)).unwrap();
    assert_eq!(
        (water["planned"].as_u64(), water["done"].as_u64(), water["overdue"].as_u64()),
        (Some(2), Some(1), Some(1))
    );
    let (_, theirs) = app.get(Some(&lead2), "/api/v1/sweeps").await;
    assert_eq!(theirs, json!([]));
    assert_eq!(app.get(Some(&lead2), &progress("building")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(Some(&s3), "/api/v1/sweeps").await.1, json!([]));

    // As CSV.
    let res = app
        .client
        .get(app.url(&format!("{}&format=csv", progress("building"))))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let text = res.text().await.unwrap();
    assert!(text.contains("鑫隆帝景城 1号楼,2,1,0,1"), "{text}");

    // Refusals.
    let hotline = app.login("hotline1").await;
    let ok_body = |areas: Value| {
        let mut b = json!({"kind": "illegal_use", "title": "违法用热排查", "deadline": "2026-12-01T00:00:00Z"});
        for (k, v) in areas.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let cases = [
        (&hotline, ok_body(json!({"district_ids": [sh01]})), StatusCode::FORBIDDEN, "forbidden"),
        (&lead2, ok_body(json!({"district_ids": [sh01]})), StatusCode::NOT_FOUND, "not_found"),
        (&lead1, ok_body(json!({"community_ids": [Uuid::now_v7()]})), StatusCode::NOT_FOUND, "not_found"),
        (&lead1, ok_body(json!({})), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        (
            &lead1,
            json!({"kind": "painting", "title": "x", "deadline": "2026-12-01T00:00:00Z", "district_ids": [sh01]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            &lead1,
            json!({"kind": "illegal_use", "title": "x", "deadline": "2026-11-01T00:00:00Z", "district_ids": [sh01]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            &lead1,
            json!({"kind": "illegal_use", "title": " ", "deadline": "2026-12-01T00:00:00Z", "district_ids": [sh01]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
    ];
    for (token, body, status, want) in cases {
        let (got, out) = app.post(Some(token), "/api/v1/sweeps", &body).await;
        assert_eq!((got, code(&out)), (status, want), "{body}");
    }
    // A lead's sweep over a community of their district: 豪门庄园 in SH-02.
    let (_, hh) = app.get(Some(&admin), &format!("/api/v1/households/{}", app.household("B-0001").await)).await;
    let (status, by_community) =
        app.post(Some(&lead1), "/api/v1/sweeps", &ok_body(json!({"community_ids": [hh["community_id"]]}))).await;
    assert_eq!((status, by_community["planned"].as_u64()), (StatusCode::CREATED, Some(1)));
    // The sweep report: every sweep in scope with its progress there.
    let (status, report) = app.get(Some(&admin), "/api/v1/reports/sweeps").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let water = report["rows"].as_array().unwrap().iter().find(|r| r["id"] == json!(id)).cloned().unwrap();
    assert_eq!(
        (water["planned"].as_u64(), water["done"].as_u64(), water["overdue"].as_u64()),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(report["rows"].as_array().unwrap().len(), 3);
    let (_, report) = app.get(Some(&lead2), "/api/v1/reports/sweeps").await;
    assert_eq!(report["rows"], json!([]));
    let res = app.client.get(app.url("/api/v1/reports/sweeps?format=csv")).bearer_auth(&lead1).send().await.unwrap();
    let text = res.text().await.unwrap();
    assert!(text.contains(",water_filling,注水留人通知,二次网注水留人,"), "{text}");
    assert_eq!(app.get(Some(&s1), "/api/v1/reports/sweeps").await.0, StatusCode::FORBIDDEN);
    let (status, body) = app.get(Some(&admin), &format!("/api/v1/sweeps/{id}/progress?by=unit")).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_group"));
    let (status, _) = app.get(Some(&admin), &format!("/api/v1/sweeps/{}/progress", Uuid::now_v7())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
