//! Load generator: simulated devices each doing an incremental pull and a
//! small push against a real server on 127.0.0.1, reported beside a trivial
//! axum endpoint measured in the same run on the same machine.
//!
//! The store holds the 商河 demo, re-cut for a city-sized organisation: one
//! steward per device, each with a district of about five households, so a
//! device's incremental pull carries its own district's news.
//!
//! Run in release: `cargo run --release -p steward-central --example central-load -- [devices] [rounds] [in-flight]`
//! (defaults: 1000 devices, 3 rounds, at most 64 requests in flight; each
//! phase is also run with every device at once). The server, the clients and SQLite
//! share this machine's cores, as the figures say.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use serde_json::{Value, json};
use steward_central::auth::PasswordPolicy;
use steward_central::store::Store;
use steward_central::{AppState, Config};
use tokio::sync::Semaphore;

const PASSWORD: &str = "load-test";

struct Device {
    token: String,
    cursor: String,
    household: Option<String>,
    steward_id: String,
}

/// Latencies of one phase, and its wall time.
struct Phase {
    name: &'static str,
    latencies: Vec<Duration>,
    wall: Duration,
    errors: usize,
}

impl Phase {
    fn report(&mut self) {
        self.latencies.sort();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len()) - 1;
            self.latencies[i].as_secs_f64() * 1000.0
        };
        println!(
            "{:<34} {:>7} req in {:>6.2} s = {:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>7.2} ms   errors {}",
            self.name,
            self.latencies.len(),
            self.wall.as_secs_f64(),
            self.latencies.len() as f64 / self.wall.as_secs_f64(),
            pct(0.50),
            pct(0.99),
            pct(1.0),
            self.errors
        );
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let devices: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1000);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3);
    let in_flight: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(64);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("central-load: {devices} devices × {rounds} rounds (pull + push), {cores} cores");

    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("load.db"))?;
    let data = steward_demo::generate(&steward_demo::DemoConfig::default())?;
    let s = store.clone();
    let d = data.clone();
    tokio::task::spawn_blocking(move || {
        steward_central::seed::seed_dataset(&s, &d, PASSWORD, PasswordPolicy::insecure_fast(), d.config.as_of)
    })
    .await??;
    // A city-sized organisation: one steward (and device) per simulated
    // device, each owning a district of about five demo households.
    let stewards = tokio::task::spawn_blocking({
        let (store, data) = (store.clone(), data.clone());
        move || add_load_stewards(&store, &data, devices)
    })
    .await??;

    let config = Config { password_policy: PasswordPolicy::insecure_fast(), ..Config::default() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(steward_central::run(listener, AppState::new(store, config), std::future::pending()));
    let trivial = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let trivial_url = format!("http://{}/trivial", trivial.local_addr()?);
    tokio::spawn(async move {
        let app = Router::new().route("/trivial", get(|| async { "ok" }));
        axum::serve(trivial, app).await
    });

    let client = reqwest::Client::builder().pool_max_idle_per_host(devices).build()?;

    // Setup, not measured: each device logs in and pulls its whole feed.
    let setup = Instant::now();
    let limit = Arc::new(Semaphore::new(64));
    let mut tasks = Vec::new();
    for i in 0..devices {
        let (client, base, limit) = (client.clone(), base.clone(), limit.clone());
        let username = stewards[i % stewards.len()].clone();
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire().await?;
            let login: Value = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": username, "password": PASSWORD, "device_id": uuid::Uuid::now_v7()}))
                .send()
                .await?
                .json()
                .await?;
            let token = login["token"].as_str().ok_or_else(|| anyhow::anyhow!("login failed: {login}"))?.to_owned();
            let steward_id = login["user"]["id"].as_str().unwrap_or_default().to_owned();
            let mut device = Device { token, cursor: "0".into(), household: None, steward_id };
            loop {
                let page: Value = client
                    .get(format!("{base}/api/v1/sync/pull?cursor={}&limit=1000", device.cursor))
                    .bearer_auth(&device.token)
                    .send()
                    .await?
                    .json()
                    .await?;
                if device.household.is_none() {
                    device.household = page["changes"]
                        .as_array()
                        .and_then(|c| c.iter().find(|c| c["kind"] == "household"))
                        .and_then(|c| c["id"].as_str().map(str::to_owned));
                }
                device.cursor = page["cursor"].as_str().unwrap_or("0").to_owned();
                if page["has_more"] != true {
                    break;
                }
            }
            anyhow::Ok(device)
        }));
    }
    let mut all = Vec::with_capacity(devices);
    for t in tasks {
        all.push(t.await??);
    }
    println!("setup (logins + full pulls): {:.1} s", setup.elapsed().as_secs_f64());

    let devices_arc: Arc<Vec<tokio::sync::Mutex<Device>>> =
        Arc::new(all.into_iter().map(tokio::sync::Mutex::new).collect());
    for limit in [in_flight, devices] {
        println!("-- at most {limit} requests in flight --");
        let (c, u) = (client.clone(), trivial_url.clone());
        let mut phase = measure("trivial axum GET", devices, rounds, limit, move |_, _| {
            let (client, url) = (c.clone(), u.clone());
            async move { client.get(url).send().await.map(|r| r.status().is_success()).unwrap_or(false) }
        })
        .await;
        phase.report();
        for (name, steps) in [
            ("steward incremental pull", [Step::Pull, Step::Pull]),
            ("steward push (1 visit)", [Step::Push, Step::Push]),
            ("steward pull + push (1 visit)", [Step::Pull, Step::Push]),
        ] {
            let (c, b, da) = (client.clone(), base.clone(), devices_arc.clone());
            let mut phase = measure(name, devices, rounds, limit, move |i, step| {
                device_request(c.clone(), b.clone(), da.clone(), i, steps[step])
            })
            .await;
            phase.report();
        }
    }
    Ok(())
}

/// Creates `n` stewards `load{i}`, each with a district `LD-{i}`, and
/// spreads the demo households over those districts.
fn add_load_stewards(store: &Store, data: &steward_demo::DemoDataset, n: usize) -> anyhow::Result<Vec<String>> {
    use steward_domain::ground::District;
    use steward_domain::ids::{DistrictId, UserId};
    use steward_domain::org::{Role, Staff};
    let hash = steward_central::auth::hash_password(PasswordPolicy::insecure_fast(), PASSWORD)?;
    let team = data.teams[0].id;
    let now = data.config.as_of;
    let data = data.clone();
    store
        .write_blocking(move |tx| {
            let lookup = data.lookup();
            let mut districts = Vec::with_capacity(n);
            for i in 0..n {
                let id = UserId::new_v7(now, steward_central::auth::random10());
                let staff = Staff {
                    id,
                    username: format!("load{i}"),
                    display_name: format!("负载{i}"),
                    role: Role::Steward,
                    team_id: Some(team),
                    employee_no: format!("LD{i:04}"),
                    mobile: None,
                };
                tx.put_staff(&staff)?;
                tx.set_password_hash(id, &hash)?;
                let district = District {
                    id: DistrictId::new_v7(now, steward_central::auth::random10()),
                    code: format!("LD-{i:04}"),
                    name: format!("负载片区{i}"),
                    team_id: team,
                    steward_id: Some(id),
                };
                steward_central::import::put_district(tx, &district, None, now)?;
                districts.push(district.id);
            }
            for (k, h) in data.households.iter().enumerate() {
                let mut h = h.clone();
                let prev = h.district_id;
                h.district_id = districts[k % n];
                let building = lookup.buildings[&h.building_id];
                let row = steward_central::store::HouseholdRow {
                    community_name: lookup.communities[&h.community_id].name.clone(),
                    building_no: building.number,
                    unit_no: lookup.units[&h.unit_id].number,
                    location: Some(building.location),
                    household: h,
                };
                steward_central::service::put_household(tx, &row, Some(prev), now)
                    .map_err(|e| steward_central::store::StoreError::Invalid(e.into_parts().1))?;
            }
            Ok::<_, steward_central::store::StoreError>(())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((0..n).map(|i| format!("load{i}")).collect())
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Pull,
    Push,
}

/// One request of device `i`: an incremental pull from its cursor, or a
/// push of one visit to a household of its district.
async fn device_request(
    client: reqwest::Client,
    base: String,
    devices: Arc<Vec<tokio::sync::Mutex<Device>>>,
    i: usize,
    step: Step,
) -> bool {
    let mut d = devices[i].lock().await;
    match step {
        Step::Pull => {
            let Ok(res) = client
                .get(format!("{base}/api/v1/sync/pull?cursor={}&limit=100", d.cursor))
                .bearer_auth(&d.token)
                .send()
                .await
            else {
                return false;
            };
            let Ok(page) = res.json::<Value>().await else { return false };
            match page["cursor"].as_str() {
                Some(c) => {
                    d.cursor = c.to_owned();
                    true
                }
                None => false,
            }
        }
        Step::Push => {
            let Some(household) = d.household.clone() else { return true };
            let visit = json!({
                "id": uuid::Uuid::now_v7(), "household_id": household, "steward_id": d.steward_id, "ticket_id": null,
                "started_at": "2026-11-26T02:00:00Z", "completed_at": "2026-11-26T02:05:00Z", "location": null,
                "corrects": null, "records": [{"kind": "routine_service", "note": "走访"}]
            });
            let body = json!({"mutations": [{"id": uuid::Uuid::now_v7(), "kind": "visit", "payload": visit}]});
            let Ok(res) =
                client.post(format!("{base}/api/v1/sync/push")).bearer_auth(&d.token).json(&body).send().await
            else {
                return false;
            };
            let Ok(out) = res.json::<Value>().await else { return false };
            out["outcomes"][0]["status"] == "applied"
        }
    }
}

/// Runs `rounds` × 2 requests for each of `devices` devices, all devices at
/// once with at most `in_flight` requests on the wire, and collects the
/// latency of each request (from send to the parsed answer).
async fn measure<F, Fut>(name: &'static str, devices: usize, rounds: usize, in_flight: usize, request: F) -> Phase
where
    F: Fn(usize, usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let start = Instant::now();
    let limit = Arc::new(Semaphore::new(in_flight));
    let mut tasks = Vec::with_capacity(devices);
    for i in 0..devices {
        let request = request.clone();
        let limit = limit.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::with_capacity(rounds * 2);
            let mut errors = 0;
            for _ in 0..rounds {
                for step in 0..2 {
                    let Ok(_permit) = limit.acquire().await else { continue };
                    let t = Instant::now();
                    if !request(i, step).await {
                        errors += 1;
                    }
                    out.push(t.elapsed());
                }
            }
            (out, errors)
        }));
    }
    let mut latencies = Vec::with_capacity(devices * rounds * 2);
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            latencies.extend(l);
            errors += e;
        }
    }
    Phase { name, latencies, wall: start.elapsed(), errors }
}
