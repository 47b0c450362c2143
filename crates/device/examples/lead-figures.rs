//! Figures for the closing note: how long the team lead's screens take to
//! read from a real central on loopback seeded with the demo data (one
//! season, 9 stewards). Not a test: numbers vary with the machine.
//!
//! `cargo run --release -p steward-device --example lead-figures [rounds]`

use std::time::{Duration, Instant};

use jiff::Timestamp;
use steward_central::auth::PasswordPolicy;
use steward_central::{AppState, Config};
use steward_device::Device;
use steward_device::lead::LeadClient;
use steward_domain::ids::DeviceId;

const PASSWORD: &str = "heat-figures";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let store = steward_central::store::Store::open(&dir.path().join("central.db")).unwrap();
    let seeded = store.clone();
    let as_of = Timestamp::now();
    tokio::task::spawn_blocking(move || {
        let config = steward_demo::DemoConfig { as_of, ..steward_demo::DemoConfig::default() };
        let data = steward_demo::generate(&config).unwrap();
        steward_central::seed::seed_dataset(&seeded, &data, PASSWORD, PasswordPolicy::insecure_fast(), as_of).unwrap()
    })
    .await
    .unwrap();
    let state = AppState::new(store, Config { password_policy: PasswordPolicy::insecure_fast(), ..Config::default() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(steward_central::run(listener, state, std::future::pending()));

    let device = Device::open(&dir.path().join("lead1")).unwrap();
    device.bootstrap_demo_as_of("lead1", DeviceId::new_v7(Timestamp::UNIX_EPOCH, [9; 10]), as_of).unwrap();
    let lead = LeadClient::for_device(&device, &base, PASSWORD.to_owned()).unwrap();
    let first = lead.board(&device).await.unwrap();
    let ticket = first.tickets[0].id.clone();

    let (mut board, mut candidates, mut team) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        lead.board(&device).await.unwrap();
        board.push(t.elapsed());
        let t = Instant::now();
        lead.candidates(&ticket).await.unwrap();
        candidates.push(t.elapsed());
        let t = Instant::now();
        lead.team_map(&device).await.unwrap();
        team.push(t.elapsed());
    }
    // The distribution reads the device: a steward's device holds its season's tickets from the first start.
    let steward = Device::open(&dir.path().join("steward1")).unwrap();
    steward.bootstrap_demo_as_of("steward1", DeviceId::new_v7(Timestamp::UNIX_EPOCH, [8; 10]), as_of).unwrap();
    let t = Instant::now();
    let times = steward.response_times(as_of, 400).unwrap();
    let responses = t.elapsed();
    println!("tickets on the board: {}, rounds: {rounds}", first.tickets.len());
    println!("board (5 status lists, positions, incidents, alerts, addresses): median {:?}", median(board));
    println!("candidates for one ticket: median {:?}", median(candidates));
    println!("team map: median {:?}", median(team));
    println!("response times on steward1's device: {} tickets in {responses:?}", times.minutes.len());
}
