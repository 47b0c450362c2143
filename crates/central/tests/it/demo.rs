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
