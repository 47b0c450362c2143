//! Latency of `GET /api/v1/tickets/{id}/candidates` through the real server
//! on 127.0.0.1, with a team of `n` stewards (default 2,000) who all have a
//! reported position and a recent sync, beside `GET /api/v1/sla/policy` (one
//! row, same auth and routing) measured in the same run as the baseline.
//!
//! The store holds the 商河 demo; the extra stewards join the team of one
//! open ticket's district. Requests are sequential, so each figure is one
//! request's latency on this machine with the server, the client and SQLite
//! sharing its cores.
//!
//! Run in release: `cargo run --release -p steward-central --example candidates-latency -- [stewards] [requests]`

use std::time::{Duration, Instant};

use jiff::SignedDuration;
use serde_json::{Value, json};
use steward_central::auth::PasswordPolicy;
use steward_central::store::Store;
use steward_central::{AppState, Config};
use steward_domain::geometry::LonLat;
use steward_domain::ids::UserId;
use steward_domain::org::{Role, Staff};

const PASSWORD: &str = "latency-test";

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

async fn time(client: &reqwest::Client, url: &str, token: &str, n: usize) -> anyhow::Result<(Vec<Duration>, Value)> {
    let mut out = Vec::with_capacity(n);
    let mut last = Value::Null;
    for _ in 0..n {
        let t = Instant::now();
        let res = client.get(url).bearer_auth(token).send().await?;
        anyhow::ensure!(res.status().is_success(), "{url}: {}", res.status());
        last = res.json().await?;
        out.push(t.elapsed());
    }
    out.sort();
    Ok((out, last))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let stewards: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2_000);
    let requests: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(300);

    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("latency.db"))?;
    let data = steward_demo::generate(&steward_demo::DemoConfig::default())?;
    let as_of = data.config.as_of;
    {
        let (s, d) = (store.clone(), data.clone());
        tokio::task::spawn_blocking(move || {
            steward_central::seed::seed_dataset(&s, &d, PASSWORD, PasswordPolicy::insecure_fast(), as_of)
        })
        .await??;
    }
    // An open ticket, its district's team and that team's lead.
    let household_district: std::collections::HashMap<_, _> =
        data.households.iter().map(|h| (h.id, h.district_id)).collect();
    let open = data
        .tickets
        .iter()
        .find(|t| t.ticket.status().is_open())
        .ok_or_else(|| anyhow::anyhow!("the demo has no open ticket"))?;
    let district = household_district[&open.ticket.household_id()];
    let team = data.districts.iter().find(|d| d.id == district).map(|d| d.team_id).unwrap();
    let lead = data
        .staff
        .iter()
        .find(|s| s.role == Role::TeamLead && s.team_id == Some(team))
        .ok_or_else(|| anyhow::anyhow!("no lead for the team"))?
        .username
        .clone();
    let ticket_id = open.ticket.id();

    // `stewards` more stewards in that team, spread over the county seat,
    // each with a position and a sync a minute old.
    let now = as_of;
    let seen = now.checked_sub(SignedDuration::from_mins(1))?.as_millisecond();
    store
        .write(move |tx| {
            for i in 0..stewards {
                let id = UserId::new_v7(now, [0xCA, 0, 0, (i >> 8) as u8, i as u8, 0, 0, 0, 0, 0]);
                tx.put_staff(&Staff {
                    id,
                    username: format!("latency{i:05}"),
                    display_name: format!("管家{i}"),
                    role: Role::Steward,
                    team_id: Some(team),
                    employee_no: format!("L{i:05}"),
                    mobile: None,
                })?;
                let (x, y) = ((i * 7919 % 1000) as f64 / 1000.0, (i * 104_729 % 1000) as f64 / 1000.0);
                let at = LonLat::new(117.10 + 0.08 * x, 37.28 + 0.06 * y).unwrap();
                tx.record_position(id, at, seen, "visit")?;
                tx.record_sync(id, None, seen, Some((i % 4) as u32))?;
            }
            Ok::<_, steward_central::store::StoreError>(())
        })
        .await?;

    let config = Config { password_policy: PasswordPolicy::insecure_fast(), ..Config::default() };
    let mut state = AppState::new(store, config);
    struct Fixed(jiff::Timestamp);
    impl steward_central::Clock for Fixed {
        fn now(&self) -> jiff::Timestamp {
            self.0
        }
    }
    state.clock = std::sync::Arc::new(Fixed(now));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(steward_central::run(listener, state, std::future::pending()));

    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": lead, "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["token"].as_str().ok_or_else(|| anyhow::anyhow!("login failed: {login}"))?.to_owned();

    let candidates_url = format!("{base}/api/v1/tickets/{ticket_id}/candidates");
    let policy_url = format!("{base}/api/v1/sla/policy");
    // Warm up both.
    time(&client, &candidates_url, &token, 5).await?;
    time(&client, &policy_url, &token, 5).await?;
    let (cand, body) = time(&client, &candidates_url, &token, requests).await?;
    let (top10, _) = time(&client, &format!("{candidates_url}?limit=10"), &token, requests).await?;
    let (base_lat, _) = time(&client, &policy_url, &token, requests).await?;
    let rows = body["candidates"].as_array().map_or(0, Vec::len);
    println!("{requests} sequential requests each; {rows} candidates ranked per request");
    for (name, l) in
        [("GET /tickets/{id}/candidates", &cand), ("  … ?limit=10", &top10), ("GET /sla/policy (baseline)", &base_lat)]
    {
        println!(
            "{name:<32} p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms",
            percentile(l, 0.5),
            percentile(l, 0.99),
            percentile(l, 1.0)
        );
    }
    println!("ratio p50 candidates / baseline: {:.1}", percentile(&cand, 0.5) / percentile(&base_lat, 0.5));
    Ok(())
}
