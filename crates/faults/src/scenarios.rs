//! The fault scenarios, each a randomized round from a seed. A round makes
//! records on devices, pushes them through the faulty proxy (or kills a
//! process on the way), brings every device of the world in step, and then
//! counts every record on both sides: 0 lost, 0 doubled, each device's
//! visits equal to the central's, its cursor at the central's head, its
//! outbox empty. A failing round names its scenario and seed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use steward_domain::ids::{DeviceId, EventId, MutationId, TicketId, VisitId};
use steward_domain::org::Role;
use steward_domain::ticket::{Actor, TicketAction};
use steward_domain::visit::CompletedVisit;
use steward_store::MutationMeta;
use steward_sync::engine::Jitter;
use steward_sync::{BatchLimits, Clock, HttpTransport, SyncStatus, Syncer};
use tempfile::TempDir;
use uuid::Uuid;

use crate::proxy::Proxy;
use crate::world::{
    self, Bins, CentralProcess, ClientArgs, ClientProcess, DeviceStore, GUARD, PASSWORD, SkewedClock, count,
};

/// The steward every round works as.
pub const STEWARD: &str = "steward1";

/// The scenarios of the proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// A few visits over a network that refuses, delays, duplicates and cuts
    /// connections mid-body in both directions; the device clock anywhere
    /// within ±2 h, and exactly ±2 h on some rounds.
    Flaky,
    /// Two devices of the same steward record and sync at once.
    TwoDevices,
    /// A ticket reassigned while the device is offline: its action is
    /// rejected `reassigned`, its visit kept and attributed.
    Reassigned,
    /// The central process SIGKILLed mid-batch and restarted on the same file.
    ServerKill,
    /// The device process `kill -9`ed mid-push, then restarted on its file.
    ClientKillPush,
    /// The device process `kill -9`ed mid-pull, then restarted on its file.
    ClientKillPull,
    /// Three days offline with 2,000 queued visits, then a flaky network.
    Offline,
}

impl Scenario {
    pub const ALL: [Scenario; 7] = [
        Scenario::Flaky,
        Scenario::TwoDevices,
        Scenario::Reassigned,
        Scenario::ServerKill,
        Scenario::ClientKillPush,
        Scenario::ClientKillPull,
        Scenario::Offline,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Flaky => "flaky network, clock ±2 h",
            Scenario::TwoDevices => "two devices of one steward",
            Scenario::Reassigned => "reassigned while offline",
            Scenario::ServerKill => "server killed mid-batch",
            Scenario::ClientKillPush => "client killed mid-push",
            Scenario::ClientKillPull => "client killed mid-pull",
            Scenario::Offline => "three days offline, 2,000 queued",
        }
    }
}

/// One device of a world: a store file, its id, and how far its clock is
/// off (it stays off by that much for the world's life, as a phone's does).
pub struct Device {
    pub path: PathBuf,
    pub id: DeviceId,
    pub store: DeviceStore,
    pub skew: SignedDuration,
}

/// A central process on its own copy of the seeded database, the proxy in
/// front of it, and the devices of [`STEWARD`].
pub struct World {
    pub bins: Bins,
    pub dir: TempDir,
    pub central: CentralProcess,
    pub proxy: Proxy,
    pub devices: Vec<Device>,
    /// Every visit recorded on a device of this world.
    pub recorded: Vec<VisitId>,
    /// What the rounds saw, for the report.
    pub tally: Tally,
}

/// What the rounds of a world did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    pub rounds: u64,
    pub visits: u64,
    pub attempts: u64,
    pub duplicates_answered: u64,
    pub rejected_reassigned: u64,
    pub server_kills: u64,
    pub client_kills: u64,
    /// Connections the proxy faulted, and of them those it duplicated.
    pub faulty_connections: u64,
    pub duplicated_requests: u64,
}

impl World {
    /// A world on a fresh copy of `template` with `devices` devices, each
    /// through its initial sync. Device clocks are two hours fast, two
    /// hours slow, then anywhere within ±2 h, chosen from `seed`.
    pub async fn new(bins: &Bins, template: &std::path::Path, devices: usize, seed: u64) -> anyhow::Result<World> {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("central.db");
        world::copy_db(template, &db)?;
        let central = CentralProcess::start(bins, &db).await?;
        let proxy = Proxy::start(central.addr).await?;
        let mut w = World {
            bins: bins.clone(),
            dir,
            central,
            proxy,
            devices: Vec::new(),
            recorded: Vec::new(),
            tally: Tally::default(),
        };
        for i in 0..devices {
            let path = w.dir.path().join(format!("device-{i}.db"));
            let store = world::open_device(&path)?;
            let skew = match i {
                0 => SignedDuration::from_hours(2),
                1 => SignedDuration::from_hours(-2),
                _ => SignedDuration::from_secs((Jitter::new(seed + i as u64).next_u64() % 14_400) as i64 - 7_200),
            };
            w.devices.push(Device { path, id: DeviceId(Uuid::now_v7()), store, skew });
        }
        w.settle().await?;
        Ok(w)
    }

    fn syncer(
        &self,
        device: usize,
        seed: u64,
    ) -> anyhow::Result<Syncer<std::sync::Mutex<steward_store::Store>, HttpTransport, SkewedClock>> {
        let d = &self.devices[device];
        let skew = d.skew;
        let transport = Arc::new(world::transport(&self.proxy.base())?);
        let config = world::sync_config(STEWARD, d.id, seed);
        Ok(Syncer::new(d.store.clone(), transport, Arc::new(SkewedClock(skew)), config))
    }

    /// Brings every device in step over a clean network: each syncs once,
    /// then each again (so that every device has pulled what the others
    /// pushed). Then nothing is queued and every cursor is the head.
    pub async fn settle(&mut self) -> anyhow::Result<()> {
        self.proxy.set_faults(None);
        self.proxy.set_up(true);
        for _pass in 0..2 {
            for i in 0..self.devices.len() {
                let mut s = self.syncer(i, 0)?;
                s.round().await.with_context(|| format!("settling device {i}"))?;
            }
        }
        Ok(())
    }

    /// Counts every record; an error names what is off.
    pub fn check(&self) -> anyhow::Result<()> {
        let stores: Vec<_> = self.devices.iter().map(|d| d.store.lock().unwrap_or_else(|p| p.into_inner())).collect();
        let refs: Vec<&steward_store::Store> = stores.iter().map(|g| &**g).collect();
        let c = count(&self.central, STEWARD, &self.recorded, &refs)?;
        ensure!(c.clean(), "the count is off: {c:?}");
        Ok(())
    }

    fn record(
        &mut self,
        device: usize,
        visits: &[CompletedVisit],
        device_time: Timestamp,
    ) -> anyhow::Result<Vec<MutationId>> {
        let mut store = self.devices[device].store.lock().unwrap_or_else(|p| p.into_inner());
        let mutations = world::record(&mut store, visits, device_time)?;
        drop(store);
        self.recorded.extend(visits.iter().map(|v| v.id()));
        self.tally.visits += visits.len() as u64;
        Ok(mutations)
    }

    /// Runs one round of `scenario` from `seed`, then counts.
    pub async fn round(&mut self, scenario: Scenario, seed: u64) -> anyhow::Result<()> {
        match scenario {
            Scenario::Flaky => self.flaky(seed).await?,
            Scenario::TwoDevices => self.two_devices(seed).await?,
            Scenario::Reassigned => self.reassigned(seed).await?,
            Scenario::ServerKill => self.server_kill(seed).await?,
            Scenario::ClientKillPush => self.client_kill(seed, false).await?,
            Scenario::ClientKillPull => self.client_kill(seed, true).await?,
            Scenario::Offline => self.offline(seed).await?,
        }
        self.settle().await?;
        self.check()?;
        self.tally.rounds += 1;
        Ok(())
    }

    fn visits(&self, jitter: &mut Jitter, n: u64) -> Vec<CompletedVisit> {
        let households = world::households_of(STEWARD, 60);
        let me = world::steward(STEWARD);
        (0..n)
            .map(|i| {
                let h = &households[(jitter.next_u64() % households.len() as u64) as usize];
                world::visit(h.id, me, (jitter.next_u64() % 50_000) as i64 + i as i64)
            })
            .collect()
    }

    /// Syncs device `device` until a round gets through.
    async fn sync_through(&mut self, device: usize, seed: u64) -> anyhow::Result<()> {
        let mut s = self.syncer(device, seed)?;
        for _ in 0..500 {
            self.tally.attempts += 1;
            if let Ok(report) = s.round().await {
                self.tally.duplicates_answered += report.duplicates as u64;
                self.tally.rejected_reassigned += report.rejected as u64;
                return Ok(());
            }
        }
        bail!("no round got through in 500 attempts")
    }

    async fn flaky(&mut self, seed: u64) -> anyhow::Result<()> {
        let mut j = Jitter::new(seed);
        let n = 1 + j.next_u64() % 8;
        let visits = self.visits(&mut j, n);
        let device = (j.next_u64() % self.devices.len() as u64) as usize;
        // The visits happen now; the device's clock says two hours off.
        let truth = Timestamp::now();
        let mutations = self.record(device, &visits, SkewedClock(self.devices[device].skew).now())?;
        self.proxy.set_faults(Some((seed, 30 + j.next_u64() % 50)));
        self.sync_through(device, seed).await?;
        // The central settled on honest times all the same.
        let db = self.central.inspect()?;
        for m in mutations {
            let honest: i64 = db
                .query_row("SELECT honest_ms FROM mutation_stamps WHERE mutation_id = ?1", [m.to_string()], |r| {
                    r.get(0)
                })
                .with_context(|| format!("the stamp of mutation {m}"))?;
            let off = (honest - truth.as_millisecond()).abs();
            ensure!(
                off < 10_000,
                "mutation {m}: honest time {off} ms from the truth (clock {})",
                self.devices[device].skew
            );
        }
        Ok(())
    }

    async fn two_devices(&mut self, seed: u64) -> anyhow::Result<()> {
        ensure!(self.devices.len() >= 2, "two devices needed");
        let mut j = Jitter::new(seed);
        let (na, nb) = (1 + j.next_u64() % 5, 1 + j.next_u64() % 5);
        let (a, b) = (self.visits(&mut j, na), self.visits(&mut j, nb));
        self.record(0, &a, SkewedClock(self.devices[0].skew).now())?;
        self.record(1, &b, SkewedClock(self.devices[1].skew).now())?;
        self.proxy.set_faults(Some((seed, 30 + j.next_u64() % 40)));
        let (mut s0, mut s1) = (self.syncer(0, seed)?, self.syncer(1, seed + 1)?);
        let (r0, r1) = tokio::join!(until_ok_fn(&mut s0), until_ok_fn(&mut s1));
        self.tally.attempts += r0? + r1?;
        Ok(())
    }

    async fn reassigned(&mut self, seed: u64) -> anyhow::Result<()> {
        let mut j = Jitter::new(seed);
        let (lead_name, mate) = world::lead_and_teammate(STEWARD);
        let households = world::households_of(STEWARD, 60);
        let household = &households[(j.next_u64() % households.len() as u64) as usize];
        let api = Api::new(self.central.base());
        let hotline = api.login("hotline1").await?;
        let body =
            json!({"account_no": household.account_no.as_str(), "category": "no_heat", "description": "暖气不热"});
        let ticket = api.post(&hotline, "/api/v1/tickets", &body).await?;
        let id: TicketId = ticket["id"].as_str().context("a ticket id")?.parse()?;
        let lead = api.login(&lead_name).await?;
        let me = world::steward(STEWARD);
        api.post(&lead, &format!("/api/v1/tickets/{id}/assign"), &json!({"steward_id": me})).await?;
        self.sync_through(0, seed).await?;

        // Offline, the lead gives the ticket to a teammate; after that, not
        // knowing, the steward accepts it and records the visit. (An accept
        // made before the reassignment would stand: the central slots a late
        // offline action into the history when it still holds.)
        self.proxy.set_up(false);
        let body = json!({"steward_id": mate, "reason": "steward1 is unreachable"});
        api.post(&lead, &format!("/api/v1/tickets/{id}/assign"), &body).await?;
        let attention_before =
            self.devices[0].store.lock().unwrap_or_else(|p| p.into_inner()).needs_attention_count()?;
        {
            let mut store = self.devices[0].store.lock().unwrap_or_else(|p| p.into_inner());
            let mut t = store.ticket(id)?.context("the ticket is on the device")?;
            let at = Timestamp::now();
            let event = t.apply(
                Actor { user_id: me, role: Role::Steward },
                TicketAction::Accept,
                at,
                None,
                EventId(Uuid::now_v7()),
            )?;
            // The event is at the corrected time, as the app records it; the
            // device's clock says two hours off.
            let device_time = SkewedClock(self.devices[0].skew).now();
            store.record_ticket_event(
                &t,
                &event,
                &MutationMeta { mutation_id: MutationId(Uuid::now_v7()), device_time },
            )?;
        }
        let visit = world::visit(household.id, me, (j.next_u64() % 50_000) as i64);
        self.record(0, std::slice::from_ref(&visit), SkewedClock(self.devices[0].skew).now())?;
        self.proxy.set_up(true);
        self.proxy.set_faults(Some((seed, 20 + j.next_u64() % 40)));
        self.sync_through(0, seed).await?;
        self.proxy.set_faults(None);

        let attention = self.devices[0].store.lock().unwrap_or_else(|p| p.into_inner()).needs_attention()?;
        ensure!(
            attention.len() as u64 == attention_before + 1,
            "one more entry needs attention: {:?}",
            attention.iter().map(|a| (&a.code, &a.message)).collect::<Vec<_>>(),
        );
        let last = attention.last().context("the refused action")?;
        ensure!(
            last.code == "reassigned" && last.entry.entity_id == id.to_string(),
            "the accept is refused `reassigned`: {} {}",
            last.code,
            last.entry.entity_id
        );
        // The visit is on the central, attributed to the steward who made it.
        let db = self.central.inspect()?;
        let steward: String =
            db.query_row("SELECT steward_id FROM visits WHERE id = ?1", [visit.id().to_string()], |r| r.get(0))?;
        ensure!(steward == me.to_string(), "the visit is attributed to {steward}");
        let ticket = api.get(&lead, &format!("/api/v1/tickets/{id}")).await?;
        ensure!(ticket["assignee"] == json!(mate) && ticket["status"] == json!("dispatched"), "ticket {ticket}");
        Ok(())
    }

    async fn server_kill(&mut self, seed: u64) -> anyhow::Result<()> {
        let mut j = Jitter::new(seed);
        let n = 20 + j.next_u64() % 40;
        let visits = self.visits(&mut j, n);
        self.record(0, &visits, SkewedClock(self.devices[0].skew).now())?;
        let d = &self.devices[0];
        let mut config = world::sync_config(STEWARD, d.id, seed);
        config.batch = BatchLimits { max_mutations: 1 + (j.next_u64() % 6) as usize, ..BatchLimits::default() };
        let handle =
            steward_sync::spawn(d.store.clone(), world::transport(&self.proxy.base())?, SkewedClock(d.skew), config);
        let mut status = handle.status();
        // Kill the server once part of the batch is settled.
        let keep = 1 + j.next_u64() % (n / 2);
        let started = Instant::now();
        let store = d.store.clone();
        loop {
            let pending = {
                let s = store.lock().unwrap_or_else(|p| p.into_inner());
                s.pending_counts()?.bulk
            };
            if pending <= n - keep.min(n) || pending == 0 {
                break;
            }
            ensure!(started.elapsed() < GUARD, "the push never started");
            tokio::task::yield_now().await;
        }
        self.central.kill().await?;
        self.tally.server_kills += 1;
        self.central.restart().await?;
        self.proxy.set_target(self.central.addr);
        handle.sync_now();
        wait_drained(&mut status, SkewedClock(self.devices[0].skew).now()).await?;
        handle.shutdown().await;
        Ok(())
    }

    async fn client_kill(&mut self, seed: u64, mid_pull: bool) -> anyhow::Result<()> {
        ensure!(self.devices.len() >= 2, "a second device is the process");
        let mut j = Jitter::new(seed);
        let households: Vec<_> = world::households_of(STEWARD, 60).into_iter().map(|h| h.id).collect();
        let process_device = self.devices.len() - 1;
        let (record, pull_limit, batch) = if mid_pull {
            // Others push a stack of visits the process then pulls in small pages.
            let n = 20 + j.next_u64() % 60;
            let visits = self.visits(&mut j, n);
            self.record(0, &visits, SkewedClock(self.devices[0].skew).now())?;
            self.sync_through(0, seed).await?;
            (0, 3 + (j.next_u64() % 8) as u32, 200)
        } else {
            (10 + (j.next_u64() % 40) as usize, 1000, 1 + (j.next_u64() % 5) as usize)
        };
        let d = &self.devices[process_device];
        let args = ClientArgs {
            db: d.path.clone(),
            url: self.proxy.base(),
            username: STEWARD.to_owned(),
            device_id: d.id,
            households,
            record,
            seed,
            skew: d.skew,
            pull_limit,
            batch,
        };
        // Visits the process records are counted from its store after it.
        let before: std::collections::HashSet<VisitId> =
            d.store.lock().unwrap_or_else(|p| p.into_inner()).visit_ids()?.into_iter().collect();
        let mut client = ClientProcess::start(&self.bins, &args)?;
        let kth = 1 + j.next_u64() % 3;
        let want = if mid_pull { "pulled more" } else { "pushed" };
        for _ in 0..kth {
            client.wait_for(|l| l.starts_with(want)).await.with_context(|| format!("waiting for {want:?}"))?;
        }
        client.kill().await?;
        self.tally.client_kills += 1;
        // Restarted on the same file: it finishes what it was doing.
        let again = ClientArgs { record: 0, ..args };
        ClientProcess::start(&self.bins, &again)?.drained().await?;
        let after = d.store.lock().unwrap_or_else(|p| p.into_inner()).visit_ids()?;
        let mine: Vec<VisitId> =
            after.into_iter().filter(|v| !before.contains(v) && !self.recorded.contains(v)).collect();
        ensure!(mine.len() == record, "the process recorded {record}, its store gained {}", mine.len());
        self.recorded.extend(mine);
        self.tally.visits += record as u64;
        Ok(())
    }

    async fn offline(&mut self, seed: u64) -> anyhow::Result<()> {
        let mut j = Jitter::new(seed);
        let n = 2_000;
        let visits = self.visits(&mut j, n);
        // Recorded over three days without a network.
        let start = SkewedClock(self.devices[0].skew).now().checked_sub(SignedDuration::from_hours(72))?;
        {
            let mut store = self.devices[0].store.lock().unwrap_or_else(|p| p.into_inner());
            for (i, v) in visits.iter().enumerate() {
                let at = start.checked_add(SignedDuration::from_secs(i as i64 * 129))?;
                world::record(&mut store, std::slice::from_ref(v), at)?;
            }
        }
        self.recorded.extend(visits.iter().map(|v| v.id()));
        self.tally.visits += n;
        self.proxy.set_up(false);
        let mut s = self.syncer(0, seed)?;
        ensure!(s.round().await.is_err(), "no network, no round");
        self.proxy.set_up(true);
        // Most connections misbehave: the queue goes up over many of them.
        self.proxy.set_faults(Some((seed, 60 + j.next_u64() % 30)));
        self.sync_through(0, seed).await
    }
}

async fn until_ok_fn<S: steward_sync::StoreAccess, T: steward_sync::Transport, C: Clock>(
    s: &mut Syncer<S, T, C>,
) -> anyhow::Result<u64> {
    for attempt in 1..=500u64 {
        if s.round().await.is_ok() {
            return Ok(attempt);
        }
    }
    bail!("no round got through in 500 attempts")
}

/// Waits until a round has gone through with nothing queued.
/// `since` is on the device's clock, as the status's times are.
async fn wait_drained(status: &mut tokio::sync::watch::Receiver<SyncStatus>, since: Timestamp) -> anyhow::Result<()> {
    let done = |st: &SyncStatus| {
        st.last_success_at.is_some_and(|t| t >= since)
            && st.in_progress.is_none()
            && st.pending_priority + st.pending_bulk == 0
    };
    tokio::time::timeout(GUARD, status.wait_for(done)).await.context("not drained in time")??;
    Ok(())
}

/// The central's API, straight (not through the proxy), for the office's side.
struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    fn new(base: String) -> Api {
        Api { base, client: reqwest::Client::new() }
    }

    async fn login(&self, username: &str) -> anyhow::Result<String> {
        let body = json!({"username": username, "password": PASSWORD});
        let v: Value =
            self.client.post(format!("{}/api/v1/auth/login", self.base)).json(&body).send().await?.json().await?;
        Ok(v["token"].as_str().with_context(|| format!("login {username}: {v}"))?.to_owned())
    }

    async fn post(&self, token: &str, path: &str, body: &Value) -> anyhow::Result<Value> {
        let res = self.client.post(format!("{}{path}", self.base)).bearer_auth(token).json(body).send().await?;
        let status = res.status();
        let v: Value = res.json().await?;
        ensure!(status.is_success(), "POST {path}: {status} {v}");
        Ok(v)
    }

    async fn get(&self, token: &str, path: &str) -> anyhow::Result<Value> {
        Ok(self.client.get(format!("{}{path}", self.base)).bearer_auth(token).send().await?.json().await?)
    }
}

/// How many rounds of each scenario make `total`: mostly the cheap flaky
/// rounds, the process kills and the two-device rounds next, and one
/// three-days-offline round (2,000 visits) per 500.
pub fn plan(total: u64) -> Vec<(Scenario, u64)> {
    let part = |percent: u64| (total * percent / 100).max(1);
    let mut p = vec![
        (Scenario::TwoDevices, part(12)),
        (Scenario::Reassigned, part(5)),
        (Scenario::ServerKill, part(8)),
        (Scenario::ClientKillPush, part(6)),
        (Scenario::ClientKillPull, part(6)),
        (Scenario::Offline, (total / 500).max(1)),
    ];
    let rest: u64 = p.iter().map(|(_, n)| n).sum();
    p.insert(0, (Scenario::Flaky, total.saturating_sub(rest).max(1)));
    p
}

/// Runs `rounds` rounds of `scenario` in a fresh world, seeds
/// `seed..seed + rounds`; the first failure names its round and seed.
pub async fn run(
    bins: &Bins,
    template: &std::path::Path,
    scenario: Scenario,
    seed: u64,
    rounds: u64,
) -> anyhow::Result<(Tally, Duration)> {
    let started = Instant::now();
    let devices = match scenario {
        Scenario::TwoDevices | Scenario::Flaky | Scenario::ClientKillPush | Scenario::ClientKillPull => 2,
        _ => 1,
    };
    let mut w = World::new(bins, template, devices, seed).await.context("making the world")?;
    for r in 0..rounds {
        let s = seed.wrapping_add(r);
        w.round(scenario, s).await.with_context(|| {
            format!("{} round {r} failed; replay with seed {s} (FAULT_SEED={seed})", scenario.name())
        })?;
    }
    let counts = w.proxy.counts();
    w.tally.faulty_connections = counts.faulty.load(std::sync::atomic::Ordering::Relaxed);
    w.tally.duplicated_requests = counts.duplicated.load(std::sync::atomic::Ordering::Relaxed);
    Ok((w.tally, started.elapsed()))
}
