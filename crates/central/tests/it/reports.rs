//! The reports against hand-counted fixtures, built through the real API:
//! tickets by hotline intake and dispatch, the stewards' ticket events and
//! visits by sync push.

use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, code, spawn_app};

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Moves the test's clock forward to `at`.
pub fn set_clock(app: &TestApp, at: &str) {
    let now = {
        use steward_central::Clock;
        app.clock.now()
    };
    let by = ts(at).duration_since(now);
    assert!(by >= SignedDuration::ZERO, "the clock only moves forward");
    app.clock.advance(by);
}

/// Pushes one mutation and asserts it was applied.
pub async fn push(app: &TestApp, token: &str, kind: &str, payload: Value) {
    let body = json!({"mutations": [{"id": Uuid::now_v7(), "kind": kind, "payload": payload}]});
    let (status, out) = app.post(Some(token), "/api/v1/sync/push", &body).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["outcomes"][0]["status"], "applied", "{out}");
}

pub async fn ticket_event(app: &TestApp, token: &str, ticket: &str, action: Value, at: &str) {
    let mut payload = json!({"id": Uuid::now_v7(), "ticket_id": ticket, "at": at});
    for (k, v) in action.as_object().unwrap() {
        payload[k] = v.clone();
    }
    push(app, token, "ticket_event", payload).await;
}

/// A GPS proof at the household's building (117.11, 37.31 for A-0001).
pub fn gps(lon: f64, lat: f64) -> Value {
    json!({"action": "arrive", "proof": {"method": "gps", "at": {"lon": lon, "lat": lat}, "accuracy_m": 10.0}})
}

pub fn manual() -> Value {
    json!({"action": "arrive", "proof": {"method": "manual", "reason": "桌面端无定位"}})
}

/// Opens a ticket reported at `reported_at`, as the hotline.
pub async fn open(app: &TestApp, hotline: &str, account: &str, category: &str, reported_at: &str) -> String {
    let (status, body) = app
        .post(
            Some(hotline),
            "/api/v1/tickets",
            &json!({"account_no": account, "category": category, "description": "回访测试", "reported_at": reported_at}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

pub async fn assign(app: &TestApp, lead: &str, ticket: &str, steward: &str) {
    let (status, body) = app
        .post(Some(lead), &format!("/api/v1/tickets/{ticket}/assign"), &json!({"steward_id": app.user(steward)}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Six tickets with hand-known outcomes (times UTC; Shanghai is UTC+8):
///
/// | ticket | household | category     | steward  | arrival                  | status at 17:00Z |
/// |--------|-----------|--------------|----------|--------------------------|------------------|
/// | T1     | A-0001    | no_heat      | steward1 | 08:10 GPS at the door    | met, 10 min      |
/// | T2     | A-0002    | leak         | steward1 | 08:25 manual             | met_unverified, 25 min |
/// | T3     | C-0001    | no_heat      | steward3 | 08:40 GPS at the door    | breached, 40 min |
/// | T4     | B-0001    | valve        | steward2 | none                     | breached         |
/// | T5     | A-0001    | consultation | nobody   | none                     | not_applicable   |
/// | T6     | C-0001    | no_heat      | steward3 | 16:50 GPS (Nov 21 CST)   | met, 20 min      |
///
/// T1–T5 are reported at 08:00Z (2026-11-20 16:00 CST), T6 at 16:30Z
/// (2026-11-21 00:30 CST).
pub async fn sla_fixture(app: &TestApp) -> Vec<String> {
    let hotline = app.login("hotline1").await;
    let (lead1, lead2) = (app.login("lead1").await, app.login("lead2").await);
    let (s1, s2, s3) = (app.login("steward1").await, app.login("steward2").await, app.login("steward3").await);
    let _ = s2;
    let r = "2026-11-20T08:00:00Z";
    let t1 = open(app, &hotline, "A-0001", "no_heat", r).await;
    let t2 = open(app, &hotline, "A-0002", "leak", r).await;
    let t3 = open(app, &hotline, "C-0001", "no_heat", r).await;
    let t4 = open(app, &hotline, "B-0001", "valve", r).await;
    let t5 = open(app, &hotline, "A-0001", "consultation", r).await;
    set_clock(app, "2026-11-20T08:01:00Z");
    assign(app, &lead1, &t1, "steward1").await;
    assign(app, &lead1, &t2, "steward1").await;
    assign(app, &lead2, &t3, "steward3").await;
    assign(app, &lead1, &t4, "steward2").await;
    set_clock(app, "2026-11-20T08:45:00Z");
    let accept = json!({"action": "accept"});
    for (tok, t) in [(&s1, &t1), (&s1, &t2), (&s3, &t3)] {
        ticket_event(app, tok, t, accept.clone(), "2026-11-20T08:02:00Z").await;
    }
    ticket_event(app, &s1, &t1, gps(117.11, 37.31), "2026-11-20T08:10:00Z").await;
    ticket_event(app, &s1, &t2, manual(), "2026-11-20T08:25:00Z").await;
    ticket_event(app, &s3, &t3, gps(117.17, 37.31), "2026-11-20T08:40:00Z").await;

    set_clock(app, "2026-11-20T16:31:00Z");
    let t6 = open(app, &hotline, "C-0001", "no_heat", "2026-11-20T16:30:00Z").await;
    assign(app, &lead2, &t6, "steward3").await;
    set_clock(app, "2026-11-20T17:00:00Z");
    ticket_event(app, &s3, &t6, accept.clone(), "2026-11-20T16:32:00Z").await;
    ticket_event(app, &s3, &t6, gps(117.17, 37.31), "2026-11-20T16:50:00Z").await;
    vec![t1, t2, t3, t4, t5, t6]
}

/// (key, tickets, met, met_unverified, breached, not_applicable, on_time_rate, median_s, p90_s)
type Line = (String, u64, u64, u64, u64, u64, Option<f64>, Option<f64>, Option<f64>);

fn id_of(row: &Value) -> String {
    row["key"].as_str().unwrap().to_owned()
}

fn line(row: &Value) -> Line {
    let n = |k: &str| row[k].as_u64().unwrap();
    (
        row["key"].as_str().unwrap().to_owned(),
        n("tickets"),
        n("met"),
        n("met_unverified"),
        n("breached"),
        n("not_applicable"),
        row["on_time_rate"].as_f64(),
        row["median_response_s"].as_f64(),
        row["p90_response_s"].as_f64(),
    )
}

fn l(key: &str, counts: [u64; 5], rate: Option<f64>, median_min: Option<f64>, p90_min: Option<f64>) -> Line {
    let [t, m, mu, b, na] = counts;
    (key.to_owned(), t, m, mu, b, na, rate, median_min.map(|m| m * 60.0), p90_min.map(|m| m * 60.0))
}

async fn report(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = app.get(Some(token), &format!("/api/v1/reports/sla?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

#[tokio::test]
async fn sla_report_matches_hand_counts_in_every_grouping() {
    let app = spawn_app().await;
    let tickets = sla_fixture(&app).await;
    let admin = app.login("admin").await;
    let id = |u: &str| app.user(u).to_string();

    // The ticket API judges each ticket the same way.
    let mut statuses = Vec::new();
    for t in &tickets {
        let (_, body) = app.get(Some(&admin), &format!("/api/v1/tickets/{t}")).await;
        statuses.push(body["sla_status"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(statuses, ["met", "met_unverified", "breached", "breached", "not_applicable", "met"]);

    let body = report(&app, &admin, "by=steward").await;
    let mut got: Vec<Line> = body["rows"].as_array().unwrap().iter().map(line).collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let mut want = vec![
        l(&id("steward1"), [2, 1, 1, 0, 0], Some(1.0), Some(17.5), Some(25.0)),
        l(&id("steward2"), [1, 0, 0, 1, 0], Some(0.0), None, None),
        l(&id("steward3"), [2, 1, 0, 1, 0], Some(0.5), Some(30.0), Some(40.0)),
        l("", [1, 0, 0, 0, 1], None, None, None),
    ];
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, want);
    assert_eq!(line(&body["total"]), l("total", [6, 2, 1, 2, 1], Some(0.6), Some(22.5), Some(40.0)));
    let names: Vec<&str> = body["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"王steward1") && names.contains(&"未派单"), "{names:?}");
    assert_eq!(body["as_of"], "2026-11-20T17:00:00Z");

    // Days in Asia/Shanghai: T6 at 16:30Z is already 21 November there.
    let body = report(&app, &admin, "by=day").await;
    let got: Vec<Line> = body["rows"].as_array().unwrap().iter().map(line).collect();
    assert_eq!(
        got,
        vec![
            l("2026-11-20", [5, 1, 1, 2, 1], Some(0.5), Some(25.0), Some(40.0)),
            l("2026-11-21", [1, 1, 0, 0, 0], Some(1.0), Some(20.0), Some(20.0)),
        ]
    );
    let body = report(&app, &admin, "by=day&from=2026-11-21&to=2026-11-21").await;
    assert_eq!(line(&body["total"]), l("total", [1, 1, 0, 0, 0], Some(1.0), Some(20.0), Some(20.0)));
    let body = report(&app, &admin, "by=day&to=2026-11-20").await;
    assert_eq!(body["total"]["tickets"], 5);

    let body = report(&app, &admin, "by=category").await;
    let got: Vec<(String, u64, String)> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["key"].as_str().unwrap().into(), r["tickets"].as_u64().unwrap(), r["name"].as_str().unwrap().into())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("consultation".into(), 1, "咨询".into()),
            ("leak".into(), 1, "漏水".into()),
            ("no_heat".into(), 3, "不热 / 温度低".into()),
            ("valve".into(), 1, "阀门".into()),
        ]
    );
    let no_heat = body["rows"].as_array().unwrap().iter().find(|r| r["key"] == "no_heat").unwrap();
    assert_eq!(line(no_heat), l("no_heat", [3, 2, 0, 1, 0], Some(2.0 / 3.0), Some(20.0), Some(40.0)));

    let body = report(&app, &admin, "by=district").await;
    let d = |code: &str| {
        body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"].as_str().unwrap().starts_with(code))
            .cloned()
            .unwrap()
    };
    assert_eq!(d("SH-01")["tickets"], 3);
    assert_eq!(d("SH-01")["name"], "SH-01 鑫隆片区");
    assert_eq!(d("SH-02")["breached"], 1);
    assert_eq!(line(&d("SH-03")), l(&id_of(&d("SH-03")), [2, 1, 0, 1, 0], Some(0.5), Some(30.0), Some(40.0)));

    let body = report(&app, &admin, "by=team").await;
    let teams: Vec<(String, u64)> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_owned(), r["tickets"].as_u64().unwrap()))
        .collect();
    let mut teams = teams;
    teams.sort();
    assert_eq!(teams, [("商河供暖管家服务A队".to_owned(), 4), ("商河供暖管家服务B队".to_owned(), 2)]);

    // A team lead sees the team's districts only.
    let lead1 = app.login("lead1").await;
    let body = report(&app, &lead1, "by=steward").await;
    assert_eq!(line(&body["total"]), l("total", [4, 1, 1, 1, 1], Some(2.0 / 3.0), Some(17.5), Some(25.0)));
    let lead2 = app.login("lead2").await;
    let body = report(&app, &lead2, "by=district").await;
    assert_eq!(line(&body["total"]), l("total", [2, 1, 0, 1, 0], Some(0.5), Some(30.0), Some(40.0)));

    // Later, nothing changes for settled tickets; the totals are the same.
    set_clock(&app, "2026-11-22T00:00:00Z");
    let body = report(&app, &admin, "by=steward").await;
    assert_eq!(line(&body["total"]), l("total", [6, 2, 1, 2, 1], Some(0.6), Some(22.5), Some(40.0)));
}

#[tokio::test]
async fn a_running_clock_is_on_track_then_at_risk_then_breached() {
    let app = spawn_app().await;
    let hotline = app.login("hotline1").await;
    let admin = app.login("admin").await;
    open(&app, &hotline, "A-0001", "no_heat", "2026-11-20T08:00:00Z").await;
    for (at, key) in [
        ("2026-11-20T08:19:00Z", "on_track"),
        ("2026-11-20T08:20:00Z", "at_risk"),
        ("2026-11-20T08:30:01Z", "breached"),
    ] {
        set_clock(&app, at);
        let body = report(&app, &admin, "by=category").await;
        assert_eq!(body["total"][key], 1, "{at}: {body}");
        assert_eq!(body["total"]["tickets"], 1);
    }
}

#[tokio::test]
async fn sla_report_as_csv_has_a_header_and_chinese_names() {
    let app = spawn_app().await;
    sla_fixture(&app).await;
    let admin = app.login("admin").await;
    let res =
        app.client.get(app.url("/api/v1/reports/sla?by=category&format=csv")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("sla.csv"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 byte-order mark for spreadsheets");
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&header[..4], ["key", "name", "tickets", "met"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5, "four categories and the total");
    let no_heat = rows.iter().find(|r| &r[0] == "no_heat").unwrap();
    assert_eq!(&no_heat[1], "不热 / 温度低");
    assert_eq!(&no_heat[2], "3");
    let total = rows.last().unwrap();
    assert_eq!((&total[0], &total[1], &total[2]), ("total", "合计", "6"));
    let rate_col = header.iter().position(|h| h == "on_time_rate").unwrap();
    assert_eq!(&total[rate_col], "0.6");
    let consultation = rows.iter().find(|r| &r[0] == "consultation").unwrap();
    assert_eq!(&consultation[rate_col], "", "no judged ticket, no rate");
}

#[tokio::test]
async fn report_access_and_bad_input() {
    let app = spawn_app().await;
    for user in ["steward1", "hotline1"] {
        let token = app.login(user).await;
        for path in ["sla", "callbacks", "satisfaction", "suspension-checks", "contact-cards"] {
            let (status, body) = app.get(Some(&token), &format!("/api/v1/reports/{path}")).await;
            assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"), "{user} {path}");
        }
    }
    let (status, _) = app.get(None, "/api/v1/reports/sla").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let admin = app.login("admin").await;
    for (query, want) in [
        ("by=week", "bad_group"),
        ("format=xlsx", "bad_format"),
        ("from=2026-13-01", "bad_date"),
        ("from=2026-11-21&to=2026-11-20", "bad_period"),
    ] {
        let (status, body) = app.get(Some(&admin), &format!("/api/v1/reports/sla?{query}")).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, want), "{query}");
    }
    let (status, body) = app.get(Some(&admin), "/api/v1/reports/sla").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["rows"], json!([]));
    assert_eq!(body["total"]["tickets"], 0);
    assert_eq!(body["total"]["on_time_rate"], Value::Null);
}
