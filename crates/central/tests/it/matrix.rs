//! The authorisation matrix: every endpoint × every role × own / other
//! district. Household A-0001 lies in SH-01 (steward1, team A of lead1);
//! C-0001 in SH-03 (steward3, team B of lead2).

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::spawn_app;

const ROLES: [&str; 6] = ["admin", "hotline1", "lead1", "lead2", "steward1", "steward3"];

/// Whether `user` may see the ground and tickets of the district of `target`.
fn sees(user: &str, target: &str) -> bool {
    match user {
        "admin" | "hotline1" => true,
        "lead1" | "steward1" => target == "A-0001",
        _ => target == "C-0001",
    }
}

fn is_steward(user: &str) -> bool {
    user.starts_with("steward")
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn no_one_reads_or_writes_outside_their_scope() {
    let app = spawn_app().await;
    let mut failures: Vec<String> = Vec::new();
    let mut check = |what: String, ok: bool| {
        if !ok {
            failures.push(what);
        }
    };
    let targets = ["A-0001", "C-0001"];
    let steward_of = |target: &str| if target == "A-0001" { "steward1" } else { "steward3" };
    let lead_of = |target: &str| if target == "A-0001" { "lead1" } else { "lead2" };
    let other_steward_of = |target: &str| if target == "A-0001" { "steward2" } else { "steward3" };

    let mut households = std::collections::HashMap::new();
    let mut tickets = std::collections::HashMap::new();
    for t in targets {
        households.insert(t, app.household(t).await.to_string());
        tickets.insert(t, app.dispatched_ticket(t, lead_of(t), steward_of(t)).await);
    }

    // A ticket in steward1's district held by another steward of the team:
    // a steward sees the tickets assigned to them, not those of the district.
    let held_by_other = app.dispatched_ticket("A-0001", "lead1", "steward2").await;

    for user in ROLES {
        let token = app.login(user).await;
        let tok = Some(token.as_str());
        let (_, hh_list) = app.get(tok, "/api/v1/households").await;
        let (_, ticket_list) = app.get(tok, "/api/v1/tickets").await;
        let (_, pulled) = app.get(tok, "/api/v1/sync/pull?limit=1000").await;
        let pulled_ids: Vec<String> = pulled["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["op"] == "upsert")
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        {
            let visible = matches!(user, "admin" | "hotline1" | "lead1");
            let tag = |endpoint: &str| format!("{user} × {endpoint} × ticket of SH-01 held by steward2");
            let (status, _) = app.get(tok, &format!("/api/v1/tickets/{held_by_other}")).await;
            let want = if visible { StatusCode::OK } else { StatusCode::NOT_FOUND };
            check(tag(&format!("GET ticket → {status}")), status == want);
            check(tag("GET tickets lists it"), ids(&ticket_list).contains(&held_by_other) == visible);
            check(tag("pull carries it"), pulled_ids.contains(&held_by_other) == visible);
            let accept = json!({"mutations": [{"id": Uuid::now_v7(), "kind": "ticket_event",
                "payload": {"id": Uuid::now_v7(), "ticket_id": held_by_other, "action": "accept", "at": "2026-11-20T08:09:00Z"}}]});
            let (_, body) = app.post(tok, "/api/v1/sync/push", &accept).await;
            let want = if visible { "forbidden" } else { "not_found" };
            check(tag(&format!("push accept → {}", body["outcomes"][0])), body["outcomes"][0]["error"]["code"] == want);
        }
        for target in targets {
            let visible = sees(user, target);
            let hh = &households[target];
            let ticket = &tickets[target];
            let tag = |endpoint: &str| format!("{user} × {endpoint} × {target}");

            let (status, body) = app.get(tok, &format!("/api/v1/households/{hh}")).await;
            let want = if visible { StatusCode::OK } else { StatusCode::NOT_FOUND };
            check(tag(&format!("GET household → {status}")), status == want);
            if visible {
                let masked = user == "admin";
                check(
                    tag("phone redaction"),
                    body["phone_masked"] == masked && body["phone"].as_str().unwrap().contains("****") == masked,
                );
            }
            check(tag("GET households lists it"), ids(&hh_list).contains(hh) == visible);
            check(tag("pull carries the household"), pulled_ids.contains(hh) == visible);

            let (status, _) = app.get(tok, &format!("/api/v1/tickets/{ticket}")).await;
            let want = if visible { StatusCode::OK } else { StatusCode::NOT_FOUND };
            check(tag(&format!("GET ticket → {status}")), status == want);
            check(tag("GET tickets lists it"), ids(&ticket_list).contains(ticket) == visible);
            check(tag("pull carries the ticket"), pulled_ids.contains(ticket) == visible);

            let (status, _) = app
                .post(
                    tok,
                    "/api/v1/tickets",
                    &json!({"account_no": target, "category": "no_heat", "description": "不热"}),
                )
                .await;
            let want = match (is_steward(user), visible) {
                (true, _) => StatusCode::FORBIDDEN,
                (false, true) => StatusCode::CREATED,
                (false, false) => StatusCode::NOT_FOUND,
            };
            check(tag(&format!("POST ticket → {status}")), status == want);

            let hotline = app.login("hotline1").await;
            let fresh = app.open_ticket(&hotline, target).await;
            let (status, _) = app
                .post(
                    tok,
                    &format!("/api/v1/tickets/{fresh}/assign"),
                    &json!({"steward_id": app.user(other_steward_of(target))}),
                )
                .await;
            let want = match user {
                "admin" => StatusCode::OK,
                "lead1" | "lead2" if visible => StatusCode::OK,
                "lead1" | "lead2" => StatusCode::NOT_FOUND,
                _ => StatusCode::FORBIDDEN,
            };
            check(tag(&format!("POST assign → {status}")), status == want);

            // Dispatch candidates: team leads of the ticket's district and admins.
            let (status, body) = app.get(tok, &format!("/api/v1/tickets/{ticket}/candidates")).await;
            let want = match user {
                "admin" => StatusCode::OK,
                "lead1" | "lead2" if visible => StatusCode::OK,
                "lead1" | "lead2" => StatusCode::NOT_FOUND,
                _ => StatusCode::FORBIDDEN,
            };
            check(tag(&format!("GET candidates → {status}")), status == want);
            if status == StatusCode::OK {
                // Only the stewards of the ticket's team are ranked.
                let team: &[&str] = if target == "A-0001" { &["steward1", "steward2"] } else { &["steward3"] };
                let mut got: Vec<String> = body["candidates"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["steward_id"].as_str().unwrap().to_owned())
                    .collect();
                got.sort();
                let mut expect: Vec<String> = team.iter().map(|s| app.user(s).to_string()).collect();
                expect.sort();
                check(tag("candidates are the ticket's team"), got == expect);
            }

            let visit = json!({
                "id": Uuid::now_v7(), "household_id": hh, "steward_id": app.user(user), "ticket_id": null,
                "started_at": "2026-11-20T08:01:00Z", "completed_at": "2026-11-20T08:02:00Z", "location": null,
                "corrects": null, "records": [{"kind": "routine_service", "note": "走访"}]
            });
            let (_, body) = app
                .post(
                    tok,
                    "/api/v1/sync/push",
                    &json!({"mutations": [{"id": Uuid::now_v7(), "kind": "visit", "payload": visit}]}),
                )
                .await;
            let outcome = &body["outcomes"][0];
            let want = match (is_steward(user), visible) {
                (true, true) => ("applied", Value::Null),
                (true, false) => ("rejected", json!("not_found")),
                (false, _) => ("rejected", json!("forbidden")),
            };
            check(
                tag(&format!("push visit → {outcome}")),
                outcome["status"] == want.0 && outcome["error"]["code"] == want.1,
            );
        }
        let (status, _) = app.post(tok, "/api/v1/auth/revoke", &json!({"user_id": app.user("steward2")})).await;
        let want = if user == "admin" { StatusCode::OK } else { StatusCode::FORBIDDEN };
        check(format!("{user} × POST revoke → {status}"), status == want);
        let (status, _) = app.get(tok, "/api/v1/users").await;
        check(format!("{user} × GET users → {status}"), status == want);
        // The team lead's desk: positions, alerts, incidents; the policy is read by all.
        for path in ["/api/v1/stewards/positions", "/api/v1/alerts", "/api/v1/incidents"] {
            let (status, _) = app.get(tok, path).await;
            let want = if matches!(user, "admin" | "lead1" | "lead2") { StatusCode::OK } else { StatusCode::FORBIDDEN };
            check(format!("{user} × GET {path} → {status}"), status == want);
        }
        let (status, _) = app.get(tok, "/api/v1/sla/policy").await;
        check(format!("{user} × GET sla policy → {status}"), status == StatusCode::OK);
        // Every role reads its own profile, and only its own.
        let (status, me) = app.get(tok, "/api/v1/me").await;
        check(format!("{user} × GET me → {status}"), status == StatusCode::OK && me["username"] == user);
        check(format!("{user} × GET me is theirs"), me["staff_id"] == json!(app.user(user)));
        // A staff member names their own photo only.
        for (whose, want) in [(user, "applied"), ("steward1", if user == "steward1" { "applied" } else { "rejected" })]
        {
            let photo = json!({"mutations": [{"id": Uuid::now_v7(), "kind": "staff_photo",
                "payload": {"staff_id": app.user(whose), "sha256": "ab".repeat(32)}}]});
            let (_, body) = app.post(tok, "/api/v1/sync/push", &photo).await;
            let outcome = &body["outcomes"][0];
            check(format!("{user} × push photo of {whose} → {outcome}"), outcome["status"] == want);
        }
        // The photo of steward1 is shown to them, their team lead and admins
        // (404: its bytes never arrived), and to nobody else.
        let (status, _) = app.get(tok, &format!("/api/v1/staff/{}/photo", app.user("steward1"))).await;
        let want =
            if matches!(user, "admin" | "lead1" | "steward1") { StatusCode::NOT_FOUND } else { StatusCode::FORBIDDEN };
        check(format!("{user} × GET photo of steward1 → {status}"), status == want);
        let res = app
            .client
            .put(app.url(&format!("/api/v1/users/{}/password", app.user("steward2"))))
            .bearer_auth(&token)
            .json(&json!({"password": "reset-by-matrix"}))
            .send()
            .await
            .unwrap();
        let want = if user == "admin" { StatusCode::NO_CONTENT } else { StatusCode::FORBIDDEN };
        check(format!("{user} × PUT password → {}", res.status()), res.status() == want);
    }
    // Callbacks and reports: generated by the hotline (or an admin) from the
    // visits pushed above; read within scope.
    let hotline = app.login("hotline1").await;
    let (status, body) = app.post(Some(&hotline), "/api/v1/callbacks/generate?date=2026-11-20", &json!({})).await;
    check(format!("hotline × generate callbacks → {status} {body}"), status == StatusCode::OK);
    let scorecard = format!("/api/v1/stewards/{}/scorecard", app.user("steward1"));
    for user in ROLES {
        let token = app.login(user).await;
        let tok = Some(token.as_str());
        let reads_callbacks = matches!(user, "admin" | "hotline1" | "lead1" | "lead2");
        for path in ["/api/v1/callbacks", "/api/v1/callbacks/contradictions"] {
            let (status, body) = app.get(tok, path).await;
            let want = if reads_callbacks { StatusCode::OK } else { StatusCode::FORBIDDEN };
            check(format!("{user} × GET {path} → {status}"), status == want);
            if status == StatusCode::OK {
                for c in body.as_array().unwrap() {
                    let target = if c["steward_id"] == json!(app.user("steward1")) { "A-0001" } else { "C-0001" };
                    check(format!("{user} × {path} lists a callback of {target}"), sees(user, target));
                }
            }
        }
        if reads_callbacks && user != "lead2" {
            let (_, body) = app.get(tok, "/api/v1/callbacks").await;
            check(format!("{user} × GET callbacks is not empty"), !body.as_array().unwrap().is_empty());
        }
        let (status, _) = app.post(tok, "/api/v1/callbacks/generate?date=2026-11-20", &json!({})).await;
        let want = if matches!(user, "admin" | "hotline1") { StatusCode::OK } else { StatusCode::FORBIDDEN };
        check(format!("{user} × POST generate → {status}"), status == want);
        let (status, _) =
            app.post(tok, &format!("/api/v1/callbacks/{}/outcome", Uuid::now_v7()), &json!({"reached": false})).await;
        let want = if user == "hotline1" { StatusCode::NOT_FOUND } else { StatusCode::FORBIDDEN };
        check(format!("{user} × POST outcome → {status}"), status == want);
        for report in ["sla", "callbacks", "satisfaction", "suspension-checks", "contact-cards", "sweeps"] {
            let (status, body) = app.get(tok, &format!("/api/v1/reports/{report}?by=district")).await;
            let reads = matches!(user, "admin" | "lead1" | "lead2");
            let want = if reads { StatusCode::OK } else { StatusCode::FORBIDDEN };
            check(format!("{user} × GET report {report} → {status}"), status == want);
            if report == "contact-cards" && reads {
                for row in body["rows"].as_array().unwrap() {
                    let target = if row["code"] == "SH-03" { "C-0001" } else { "A-0001" };
                    check(format!("{user} × contact-cards lists {}", row["code"]), sees(user, target));
                }
            }
        }
        let (status, _) = app.get(tok, &scorecard).await;
        let want = if matches!(user, "admin" | "lead1" | "steward1") { StatusCode::OK } else { StatusCode::FORBIDDEN };
        check(format!("{user} × GET scorecard of steward1 → {status}"), status == want);
    }
    let (status, _) = app.get(None, "/api/v1/me").await;
    check(format!("anyone × GET me → {status}"), status == StatusCode::UNAUTHORIZED);
    for t in targets {
        let (status, _) = app.get(None, &format!("/cards/{}", app.user(steward_of(t)))).await;
        check(format!("anyone × GET card × {t} → {status}"), status == StatusCode::OK);
    }
    assert!(failures.is_empty(), "authorisation matrix failures:\n{}", failures.join("\n"));
}
