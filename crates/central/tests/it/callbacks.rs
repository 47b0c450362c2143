//! The callback list (回访): generated through the real API from visits and
//! tickets pushed by the stewards, checked against hand counts; outcomes,
//! contradictions, coverage, satisfaction, the scorecard and the district
//! coverage reports.

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, code, spawn_app};
use crate::reports::{assign, gps, open, push, set_clock, ticket_event};

fn visit(app: &TestApp, steward: &str, household: &str, completed_at: &str, records: Value) -> (String, Value) {
    let id = Uuid::now_v7().to_string();
    let v = json!({
        "id": id, "household_id": household, "steward_id": app.user(steward), "ticket_id": null,
        "started_at": "2026-11-20T08:00:30Z", "completed_at": completed_at, "location": null,
        "corrects": null, "records": records
    });
    (id, v)
}

fn routine() -> Value {
    json!([{"kind": "routine_service", "note": "走访"}])
}

/// The work of 2026-11-20 (Shanghai; all times 08:xxZ = 16:xx CST):
///
/// - steward1: V1 seals the suspended A-0002's valve (a handled
///   suspension); V2 (with the contact card), V3, V4 routine visits to
///   A-0001; ticket T1 of A-0001 resolved at 08:15.
/// - steward2: V5 opens the new household B-0001's valve, card handed over.
/// - steward3: V6 a routine visit to C-0001.
///
/// Hand count of the plan: 1 suspension; strata steward1 visits (V2–V4,
/// quota ceil(0.9) = 1), steward1 tickets (T1, 1), steward2 visits (V5, 1),
/// steward3 visits (V6, 1): 4 sampled.
struct Work {
    v1: String,
    t1: String,
}

async fn work(app: &TestApp) -> Work {
    let (s1, s2, s3) = (app.login("steward1").await, app.login("steward2").await, app.login("steward3").await);
    let hotline = app.login("hotline1").await;
    let lead1 = app.login("lead1").await;
    let t1 = open(app, &hotline, "A-0001", "no_heat", "2026-11-20T08:00:00Z").await;
    set_clock(app, "2026-11-20T08:01:00Z");
    assign(app, &lead1, &t1, "steward1").await;
    set_clock(app, "2026-11-20T09:00:00Z");
    ticket_event(app, &s1, &t1, json!({"action": "accept"}), "2026-11-20T08:02:00Z").await;
    ticket_event(app, &s1, &t1, gps(117.11, 37.31), "2026-11-20T08:05:00Z").await;
    ticket_event(app, &s1, &t1, json!({"action": "resolve", "note": "排气后正常"}), "2026-11-20T08:15:00Z").await;

    let a1 = app.household("A-0001").await.to_string();
    let a2 = app.household("A-0002").await.to_string();
    let b1 = app.household("B-0001").await.to_string();
    let c1 = app.household("C-0001").await.to_string();
    let sealed = json!([{"kind": "suspension_valve_closure", "valve": {"state": "sealed", "seal_no": "SH2026-0042"}}]);
    let (v1, v) = visit(app, "steward1", &a2, "2026-11-20T08:10:00Z", sealed);
    push(app, &s1, "visit", v).await;
    let card = json!([{"kind": "routine_service", "note": "走访"}, {"kind": "contact_card_handed_over"}]);
    push(app, &s1, "visit", visit(app, "steward1", &a1, "2026-11-20T08:20:00Z", card).1).await;
    push(app, &s1, "visit", visit(app, "steward1", &a1, "2026-11-20T08:30:00Z", routine()).1).await;
    push(app, &s1, "visit", visit(app, "steward1", &a1, "2026-11-20T08:40:00Z", routine()).1).await;
    let opened = json!([{"kind": "new_household", "outside_pipes_ok": true, "valve_opened": true, "filter_reminder_given": true},
        {"kind": "contact_card_handed_over"}]);
    push(app, &s2, "visit", visit(app, "steward2", &b1, "2026-11-20T08:15:00Z", opened).1).await;
    push(app, &s3, "visit", visit(app, "steward3", &c1, "2026-11-20T08:50:00Z", routine()).1).await;
    // The next day's work is not on the 20th's list.
    set_clock(app, "2026-11-21T02:00:00Z");
    push(app, &s3, "visit", visit(app, "steward3", &c1, "2026-11-21T01:00:00Z", routine()).1).await;
    Work { v1, t1 }
}

async fn generate(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    app.post(Some(token), &format!("/api/v1/callbacks/generate?{query}"), &json!({})).await
}

fn list_of(v: &Value) -> Vec<Value> {
    v.as_array().unwrap().clone()
}

#[tokio::test]
async fn the_list_calls_every_suspension_and_samples_thirty_percent_per_steward_and_kind() {
    let app = spawn_app().await;
    let w = work(&app).await;
    let hotline = app.login("hotline1").await;

    let (status, body) = generate(&app, &hotline, "date=2026-11-20").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["suspensions"].as_u64(), body["sampled"].as_u64(), body["added"].as_u64()),
        (Some(1), Some(4), Some(5))
    );
    let mut strata: Vec<(String, String, u64, u64)> = body["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let who = ["steward1", "steward2", "steward3"]
                .into_iter()
                .find(|u| s["steward_id"] == json!(app.user(u)))
                .unwrap();
            (
                who.to_owned(),
                s["kind"].as_str().unwrap().to_owned(),
                s["population"].as_u64().unwrap(),
                s["quota"].as_u64().unwrap(),
            )
        })
        .collect();
    strata.sort();
    let st = |w: &str, k: &str, p, q| (w.to_owned(), k.to_owned(), p, q);
    assert_eq!(
        strata,
        [
            st("steward1", "ticket", 1, 1),
            st("steward1", "visit", 3, 1),
            st("steward2", "visit", 1, 1),
            st("steward3", "visit", 1, 1)
        ]
    );

    // Idempotent: the same day again adds nothing and lists the same ids.
    let (_, first) = app.get(Some(&hotline), "/api/v1/callbacks?date=2026-11-20").await;
    let (_, again) = generate(&app, &hotline, "date=2026-11-20").await;
    assert_eq!(again["added"], 0);
    let (_, second) = app.get(Some(&hotline), "/api/v1/callbacks?date=2026-11-20").await;
    assert_eq!(first, second);
    let list = list_of(&first);
    assert_eq!(list.len(), 5);
    let suspension = &list[0];
    assert_eq!(
        (suspension["reason"].as_str(), suspension["item_id"].as_str()),
        (Some("suspension_handled"), Some(w.v1.as_str()))
    );
    assert_eq!(suspension["resident_name"], "李四");
    assert_eq!(suspension["phone"], "13800000002", "the hotline sees the number it calls");
    assert_eq!(suspension["recorded_valve"]["state"], "sealed");
    assert_eq!(suspension["work_day"], "2026-11-20");
    assert!(suspension["address"].as_str().unwrap().starts_with("鑫隆帝景城"));
    assert!(list.iter().any(|c| c["kind"] == "ticket" && c["item_id"] == json!(w.t1)));
    let per_steward = |u: &str| list.iter().filter(|c| c["steward_id"] == json!(app.user(u))).count();
    assert_eq!((per_steward("steward1"), per_steward("steward2"), per_steward("steward3")), (3, 1, 1));

    // A period generates day by day: the 20th as before, the 21st anew.
    let (_, period) = generate(&app, &hotline, "from=2026-11-20&to=2026-11-21").await;
    assert_eq!(
        (period["suspensions"].as_u64(), period["sampled"].as_u64(), period["added"].as_u64()),
        (Some(1), Some(5), Some(1))
    );
    let (_, day21) = app.get(Some(&hotline), "/api/v1/callbacks?date=2026-11-21").await;
    assert_eq!(list_of(&day21).len(), 1);

    // Team leads see their own districts' callbacks; stewards none.
    let lead2 = app.login("lead2").await;
    let (status, mine) = app.get(Some(&lead2), "/api/v1/callbacks?from=2026-11-20&to=2026-11-21").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list_of(&mine).iter().all(|c| c["steward_id"] == json!(app.user("steward3"))));
    assert_eq!(list_of(&mine).len(), 2);
    let admin = app.login("admin").await;
    let (_, masked) = app.get(Some(&admin), "/api/v1/callbacks?date=2026-11-20").await;
    assert!(masked[0]["phone"].as_str().unwrap().contains("****"));
    let s1 = app.login("steward1").await;
    let (status, _) = app.get(Some(&s1), "/api/v1/callbacks").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (who, status_want) in [("steward1", StatusCode::FORBIDDEN), ("lead1", StatusCode::FORBIDDEN)] {
        let t = app.login(who).await;
        assert_eq!(generate(&app, &t, "date=2026-11-20").await.0, status_want, "{who}");
    }
    for (query, want) in
        [("", "bad_period"), ("date=2026-11-32", "bad_date"), ("from=2026-01-01&to=2027-12-31", "bad_period")]
    {
        let (status, body) = generate(&app, &hotline, query).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, want), "{query}");
    }
}

#[tokio::test]
async fn outcomes_contradictions_coverage_satisfaction_and_scorecard() {
    let app = spawn_app().await;
    let w = work(&app).await;
    let hotline = app.login("hotline1").await;
    generate(&app, &hotline, "date=2026-11-20").await;
    let (_, list) = app.get(Some(&hotline), "/api/v1/callbacks?date=2026-11-20").await;
    let list = list_of(&list);
    let id_of =
        |pred: &dyn Fn(&Value) -> bool| list.iter().find(|c| pred(c)).unwrap()["id"].as_str().unwrap().to_owned();
    let s1 = json!(app.user("steward1"));
    let suspension = id_of(&|c| c["item_id"] == json!(w.v1));
    let s1_visit = id_of(&|c| c["steward_id"] == s1 && c["kind"] == "visit" && c["reason"] == "sampled");
    let s1_ticket = id_of(&|c| c["kind"] == "ticket");
    let s2_visit = id_of(&|c| c["steward_id"] == json!(app.user("steward2")));
    let outcome = |id: &str| format!("/api/v1/callbacks/{id}/outcome");

    // The resident of the sealed valve says the heating works: flagged.
    set_clock(&app, "2026-11-21T03:00:00Z");
    let (status, body) = app
        .post(
            Some(&hotline),
            &outcome(&suspension),
            &json!({"reached": true, "satisfaction": 4, "heating_works": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["contradiction"]["code"], "shut_valve_but_heated");
    assert_eq!(body["contradiction"]["recorded"]["seal_no"], "SH2026-0042");
    assert_eq!(body["outcome"]["satisfaction"], 4);
    assert_eq!(body["outcome_at"], "2026-11-21T03:00:00Z");
    // Once reached, the outcome stands.
    let (status, body) = app.post(Some(&hotline), &outcome(&suspension), &json!({"reached": false})).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "outcome_recorded"));

    // Not reached, then reached on a second call.
    let (status, body) = app.post(Some(&hotline), &outcome(&s1_visit), &json!({"reached": false})).await;
    assert_eq!((status, &body["outcome"]["outcome"]), (StatusCode::OK, &json!("not_reached")));
    let (status, _) = app
        .post(
            Some(&hotline),
            &outcome(&s1_ticket),
            &json!({"reached": true, "satisfaction": 2, "complaint": "  来得慢  ", "heating_works": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = app
        .post(Some(&hotline), &outcome(&s2_visit), &json!({"reached": true, "satisfaction": 5, "heating_works": true}))
        .await;
    assert_eq!(body["contradiction"], Value::Null, "an opened valve and working heat agree");

    for (req, want) in [
        (json!({"reached": true}), (StatusCode::UNPROCESSABLE_ENTITY, "invalid")),
        (json!({"reached": true, "satisfaction": 6}), (StatusCode::UNPROCESSABLE_ENTITY, "invalid")),
        (json!({"reached": false, "satisfaction": 3}), (StatusCode::UNPROCESSABLE_ENTITY, "invalid")),
        (
            json!({"reached": true, "satisfaction": 3, "complaint": "冷".repeat(2001)}),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ),
        (json!({"satisfaction": 3}), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")),
    ] {
        let (status, body) = app.post(Some(&hotline), &outcome(&s1_visit), &req).await;
        assert_eq!((status, code(&body)), want, "{req}");
    }
    let (status, body) =
        app.post(Some(&hotline), &outcome(&Uuid::now_v7().to_string()), &json!({"reached": false})).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let lead1 = app.login("lead1").await;
    let (status, _) = app.post(Some(&lead1), &outcome(&s1_visit), &json!({"reached": false})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "hotline agents record outcomes");

    // Contradictions: the team lead of the district sees it, the other not.
    let (status, body) = app.get(Some(&lead1), "/api/v1/callbacks/contradictions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list_of(&body).len(), 1);
    assert_eq!(body[0]["id"], json!(suspension));
    let lead2 = app.login("lead2").await;
    let (_, body) = app.get(Some(&lead2), "/api/v1/callbacks/contradictions").await;
    assert_eq!(body, json!([]));
    let (_, pending) = app.get(Some(&hotline), "/api/v1/callbacks?date=2026-11-20&pending=true").await;
    assert_eq!(list_of(&pending).len(), 1, "only steward3's callback waits; a resident not reached has an outcome");
    assert_eq!(pending[0]["steward_id"], json!(app.user("steward3")));

    // Coverage against the targets (hand count): steward1 has 1 suspension
    // reached of 1, and of 4 other items (3 visits, 1 ticket) 1 reached:
    // 25% < 30%.
    let admin = app.login("admin").await;
    let (status, cov) = app.get(Some(&admin), "/api/v1/reports/callbacks?from=2026-11-20&to=2026-11-20").await;
    assert_eq!(status, StatusCode::OK, "{cov}");
    let row = |u: &str| {
        cov["rows"].as_array().unwrap().iter().find(|r| r["steward_id"] == json!(app.user(u))).cloned().unwrap()
    };
    let r1 = row("steward1");
    let n = |r: &Value, k: &str| r[k].as_u64().unwrap();
    assert_eq!(
        [
            n(&r1, "suspensions"),
            n(&r1, "suspensions_listed"),
            n(&r1, "suspensions_reached"),
            n(&r1, "work"),
            n(&r1, "sampled"),
            n(&r1, "sampled_reached")
        ],
        [1, 1, 1, 4, 2, 1]
    );
    assert_eq!((r1["suspension_coverage"].as_f64(), r1["meets_suspension_target"].as_bool()), (Some(1.0), Some(true)));
    assert_eq!((r1["sample_coverage"].as_f64(), r1["meets_sample_target"].as_bool()), (Some(0.25), Some(false)));
    assert_eq!(r1["steward_name"], "王steward1");
    let r3 = row("steward3");
    assert_eq!((n(&r3, "work"), n(&r3, "sampled"), n(&r3, "sampled_reached")), (1, 1, 0));
    assert_eq!(r3["meets_sample_target"], false);
    let total = &cov["total"];
    assert_eq!(
        [n(total, "suspensions"), n(total, "work"), n(total, "sampled"), n(total, "sampled_reached")],
        [1, 6, 4, 2]
    );

    // The second call reaches steward1's visit: 2 of 4 is 50%.
    let (status, _) = app.post(Some(&hotline), &outcome(&s1_visit), &json!({"reached": true, "satisfaction": 5})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, cov) = app.get(Some(&admin), "/api/v1/reports/callbacks?from=2026-11-20&to=2026-11-20").await;
    let r1 = cov["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["steward_id"] == json!(app.user("steward1")))
        .cloned()
        .unwrap();
    assert_eq!((r1["sample_coverage"].as_f64(), r1["meets_sample_target"].as_bool()), (Some(0.5), Some(true)));

    // Satisfaction: steward1 4, 2, 5 → mean 11/3; one complaint, one contradiction.
    let (_, sat) = app.get(Some(&admin), "/api/v1/reports/satisfaction").await;
    let s = sat["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["steward_id"] == json!(app.user("steward1")))
        .cloned()
        .unwrap();
    assert_eq!((n(&s, "called"), n(&s, "reached"), n(&s, "complaints"), n(&s, "contradictions")), (3, 3, 1, 1));
    assert_eq!(
        [n(&s, "score_1"), n(&s, "score_2"), n(&s, "score_3"), n(&s, "score_4"), n(&s, "score_5")],
        [0, 1, 0, 1, 1]
    );
    assert_eq!(s["satisfaction_mean"].as_f64(), Some(11.0 / 3.0));

    // The scorecard: steward1's own, their lead's, an admin's; not another lead's.
    let path = format!("/api/v1/stewards/{}/scorecard?from=2026-11-20&to=2026-11-20", app.user("steward1"));
    let steward1 = app.login("steward1").await;
    for (token, want) in [
        (&steward1, StatusCode::OK),
        (&lead1, StatusCode::OK),
        (&admin, StatusCode::OK),
        (&lead2, StatusCode::FORBIDDEN),
        (&hotline, StatusCode::FORBIDDEN),
    ] {
        assert_eq!(app.get(Some(token), &path).await.0, want);
    }
    let (_, card) = app.get(Some(&steward1), &path).await;
    assert_eq!((n(&card, "callbacks"), n(&card, "callbacks_called"), n(&card, "callbacks_reached")), (3, 3, 3));
    assert_eq!((n(&card, "complaints"), n(&card, "contradictions"), n(&card, "satisfaction_answers")), (1, 1, 3));
    assert_eq!(card["satisfaction_mean"].as_f64(), Some(11.0 / 3.0));
    assert_eq!(card["on_time_rate"].as_f64(), Some(1.0), "T1: arrived at 08:05, verified");
    assert_eq!(card["sla"]["met"], 1);
    let steward3 = app.login("steward3").await;
    assert_eq!(app.get(Some(&steward3), &path).await.0, StatusCode::FORBIDDEN);
    let (status, _) = app.get(Some(&admin), &format!("/api/v1/stewards/{}/scorecard", app.user("lead1"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a team lead has no steward scorecard");
}

#[tokio::test]
async fn suspension_check_and_contact_card_coverage_per_district() {
    let app = spawn_app().await;
    work(&app).await;
    let admin = app.login("admin").await;
    let (status, body) = app.get(Some(&admin), "/api/v1/reports/suspension-checks").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows: Vec<(String, u64, u64, u64, Option<f64>)> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_u64().unwrap();
            (r["code"].as_str().unwrap().into(), n("suspended"), n("checked"), n("sealed"), r["coverage"].as_f64())
        })
        .collect();
    assert_eq!(
        rows,
        [("SH-01".into(), 1, 1, 1, Some(1.0)), ("SH-02".into(), 0, 0, 0, None), ("SH-03".into(), 0, 0, 0, None)]
    );
    let (_, before) = app.get(Some(&admin), "/api/v1/reports/suspension-checks?to=2026-11-19").await;
    assert_eq!(before["rows"][0]["checked"], 0, "no closure recorded before the 20th");

    let (status, body) = app.get(Some(&admin), "/api/v1/reports/contact-cards").await;
    assert_eq!(status, StatusCode::OK);
    let rows: Vec<(String, String, u64, u64, Option<f64>)> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_u64().unwrap();
            (
                r["code"].as_str().unwrap().into(),
                r["name"].as_str().unwrap().into(),
                n("households"),
                n("with_card"),
                r["coverage"].as_f64(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("SH-01".into(), "鑫隆片区".into(), 2, 1, Some(0.5)),
            ("SH-02".into(), "豪门片区".into(), 1, 1, Some(1.0)),
            ("SH-03".into(), "东城片区".into(), 1, 0, Some(0.0)),
        ]
    );
    // A team lead sees the team's districts only, also as CSV.
    let lead2 = app.login("lead2").await;
    let res =
        app.client.get(app.url("/api/v1/reports/contact-cards?format=csv")).bearer_auth(&lead2).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0], "district_id,code,name,households,with_card,coverage");
    assert!(lines[1].contains(",SH-03,东城片区,1,0,0"), "{text}");
}

#[tokio::test]
async fn the_demo_seed_lists_every_handled_suspension_and_reports_every_ticket() {
    use steward_domain::visit::InspectionRecord;
    let (app, data) = crate::helpers::spawn_demo().await;
    let hotline = app.login("hotline1").await;
    let handled = data
        .visits
        .iter()
        .filter(|v| v.corrects().is_none())
        .filter(|v| v.records().iter().any(|r| matches!(r, InspectionRecord::SuspensionValveClosure { .. })))
        .count();
    assert!(handled > 0, "the demo handles suspensions");
    let mut listed = Vec::new();
    loop {
        let (status, page) =
            app.get(Some(&hotline), &format!("/api/v1/callbacks?limit=1000&offset={}", listed.len())).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let page = list_of(&page);
        let done = page.len() < 1000;
        listed.extend(page);
        if done {
            break;
        }
    }
    let suspensions = listed.iter().filter(|c| c["reason"] == "suspension_handled").count();
    assert_eq!(suspensions, handled, "every handled suspension is on the seeded list");
    assert!(listed.iter().any(|c| c["reason"] == "sampled"));

    // Generating the season again adds nothing.
    let first = data.visits.iter().map(|v| v.completed_at()).min().unwrap();
    let from = steward_domain::report::service_day(first);
    let to = steward_domain::report::service_day(data.config.as_of);
    let (status, again) = generate(&app, &hotline, &format!("from={from}&to={to}")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["added"], 0);
    assert_eq!(again["suspensions"].as_u64(), Some(handled as u64));

    // The SLA report counts every demo ticket once.
    let admin = app.login("admin").await;
    let (status, report) = app.get(Some(&admin), "/api/v1/reports/sla?by=district").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["total"]["tickets"].as_u64(), Some(data.tickets.len() as u64));
}
