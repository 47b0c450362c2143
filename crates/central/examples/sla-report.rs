//! Benchmark: the SLA report over a season of tickets (default 1,000,000).
//!
//! Writes a season (2026-11-15 to 2027-03-15, Asia/Shanghai) of ticket facts
//! straight into a fresh central SQLite file (the rows the write path keeps
//! in `ticket_facts`), then times the report: the store query that judges
//! every ticket with the domain's `sla_status` and groups it, for each
//! grouping, and `GET /api/v1/reports/sla` end to end through a real server
//! on 127.0.0.1. Prints the median of several runs.
//!
//! Run in release: `cargo run --release -p steward-central --example sla-report -- [tickets] [runs]`

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use steward_central::auth::{PasswordPolicy, hash_password};
use steward_central::store::{ReportScope, Scope, SlaDimension, Store, StoreError};
use steward_central::{AppState, Config};
use steward_domain::ids::{TeamId, UserId};
use steward_domain::org::{Role, Staff};
use steward_domain::ticket::TicketCategory;

const STEWARDS: u128 = 500;
const TEAMS: u128 = 25;
const BATCH: usize = 50_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let tickets: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("season.db");
    let store = Store::open(&path)?;

    let season_start: Timestamp = "2026-11-14T16:00:00Z".parse()?;
    let season_secs: i64 = 120 * 86_400;
    let started = Instant::now();
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let mut written = 0;
    while written < tickets {
        let n = BATCH.min(tickets - written);
        let rows: Vec<_> = (0..n)
            .map(|i| {
                let k = (written + i) as u128;
                let steward = rng.random_range(0..STEWARDS);
                let reported = season_start + SignedDuration::from_secs(rng.random_range(0..season_secs));
                let category = TicketCategory::ALL[rng.random_range(0..TicketCategory::ALL.len())];
                let due = reported + SignedDuration::from_mins(30);
                let roll: u32 = rng.random_range(0..100);
                let arrivals: Vec<(Timestamp, bool)> = if roll < 85 {
                    let at = reported + SignedDuration::from_secs(rng.random_range(180..2700));
                    vec![(at, rng.random_range(0..10) < 9)]
                } else {
                    Vec::new()
                };
                let cancelled = (roll >= 97).then(|| reported + SignedDuration::from_mins(10));
                (k, steward, reported, due, category, arrivals, cancelled)
            })
            .collect();
        store.write_blocking(move |tx| {
            for (k, steward, reported, due, category, arrivals, cancelled) in &rows {
                let id = uuid::Uuid::from_u128(*k).to_string();
                let s = uuid::Uuid::from_u128(0x5000 + steward).to_string();
                let team = uuid::Uuid::from_u128(0x7000 + steward % TEAMS).to_string();
                let district = uuid::Uuid::from_u128(0x9000 + steward).to_string();
                tx.put_ticket_facts_raw(
                    &id,
                    &id,
                    &district,
                    Some(&s),
                    Some(&team),
                    *category,
                    *reported,
                    *due,
                    *cancelled,
                    arrivals,
                    None,
                )?;
            }
            Ok::<_, StoreError>(())
        })?;
        written += n;
    }
    // The accounts: an admin to call the endpoint, the stewards for names.
    let hash = hash_password(PasswordPolicy::insecure_fast(), "bench-pass")?;
    store.write_blocking(move |tx| {
        let admin = Staff {
            id: UserId(uuid::Uuid::from_u128(0x1)),
            username: "admin".into(),
            display_name: "管理员".into(),
            role: Role::Admin,
            team_id: None,
            employee_no: "A1".into(),
            mobile: None,
        };
        tx.put_staff(&admin)?;
        tx.set_password_hash(admin.id, &hash)?;
        for s in 0..STEWARDS {
            tx.put_staff(&Staff {
                id: UserId(uuid::Uuid::from_u128(0x5000 + s)),
                username: format!("steward{s}"),
                display_name: format!("管家{s}"),
                role: Role::Steward,
                team_id: Some(TeamId(uuid::Uuid::from_u128(0x7000 + s % TEAMS))),
                employee_no: format!("S{s}"),
                mobile: None,
            })?;
        }
        Ok::<_, StoreError>(())
    })?;
    println!("wrote {tickets} tickets of one season in {:.1} s", started.elapsed().as_secs_f64());

    let now: Timestamp = "2027-03-16T00:00:00Z".parse()?;
    let scope = ReportScope::new(&Scope::everything());
    let policy = steward_domain::sla::SlaPolicy::default();
    for by in [SlaDimension::Steward, SlaDimension::Day, SlaDimension::Category, SlaDimension::Team] {
        let mut times = Vec::new();
        let mut groups = 0;
        let mut counted = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let out = store.read_blocking(|db| db.sla_report(&scope, by, (20261115, 20270315), &policy, now))?;
            times.push(t.elapsed());
            groups = out.len();
            counted = out.iter().map(|g| g.tally.tickets).sum::<u64>();
        }
        println!(
            "store sla_report by {by:?}: {counted} tickets, {groups} groups, median of {runs} runs {:.0} ms (min {:.0}, max {:.0})",
            median(times.clone()).as_secs_f64() * 1000.0,
            times.iter().min().unwrap().as_secs_f64() * 1000.0,
            times.iter().max().unwrap().as_secs_f64() * 1000.0,
        );
    }

    // End to end through the real server.
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let state = AppState::new(
            store.clone(),
            Config { password_policy: PasswordPolicy::insecure_fast(), ..Config::default() },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        tokio::spawn(steward_central::run(listener, state, std::future::pending()));
        let client = reqwest::Client::new();
        let login: serde_json::Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": "admin", "password": "bench-pass"}))
            .send()
            .await?
            .json()
            .await?;
        let token = login["token"].as_str().unwrap_or_default().to_owned();
        for (by, format) in [("steward", "json"), ("day", "csv")] {
            let mut times = Vec::new();
            let mut size = 0;
            for _ in 0..runs {
                let t = Instant::now();
                let res = client
                    .get(format!("{base}/api/v1/reports/sla?by={by}&from=2026-11-15&to=2027-03-15&format={format}"))
                    .bearer_auth(&token)
                    .send()
                    .await?;
                anyhow::ensure!(res.status().is_success(), "report failed: {}", res.status());
                size = res.bytes().await?.len();
                times.push(t.elapsed());
            }
            println!(
                "GET /api/v1/reports/sla?by={by}&format={format}: {size} bytes, median of {runs} runs {:.0} ms",
                median(times).as_secs_f64() * 1000.0
            );
        }
        anyhow::Ok(())
    })?;
    Ok(())
}
