//! The world of a fault round: the demo data both sides agree on, the
//! central and device processes, device stores, and the count of every
//! record on both sides.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, bail};
use jiff::{SignedDuration, Timestamp};
use steward_demo::{DemoConfig, DemoDataset};
use steward_domain::ground::Household;
use steward_domain::ids::{DeviceId, HouseholdId, MutationId, UserId, VisitId};
use steward_domain::visit::{CompletedVisit, InspectionRecord, VisitDraft};
use steward_store::{MutationMeta, Store};
use steward_sync::{Clock, Credentials, HttpTransport, ScheduleConfig, SyncConfig};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use uuid::Uuid;

/// The password of every account in the fault world.
pub const PASSWORD: &str = "heat-fault-7";

/// A failure guard for awaited conditions, never a synchronisation.
pub const GUARD: Duration = Duration::from_secs(60);

/// The demo data (the smallest size), generated once per process. It is
/// deterministic, so the central and the test agree on every id.
pub fn dataset() -> Arc<DemoDataset> {
    static DATA: OnceLock<Arc<DemoDataset>> = OnceLock::new();
    DATA.get_or_init(|| {
        let cfg = DemoConfig { households: steward_demo::MIN_HOUSEHOLDS, ..DemoConfig::default() };
        Arc::new(steward_demo::generate(&cfg).expect("the demo data generates"))
    })
    .clone()
}

pub fn steward(username: &str) -> UserId {
    dataset().staff_by_username(username).expect("a demo steward").id
}

/// The first `n` households of a steward's district.
pub fn households_of(username: &str, n: usize) -> Vec<Household> {
    let data = dataset();
    let id = steward(username);
    let district = data.districts.iter().find(|d| d.steward_id == Some(id)).expect("the steward's district").id;
    data.households.iter().filter(|h| h.district_id == district).take(n).cloned().collect()
}

/// The lead of `username`'s team and another steward of it.
pub fn lead_and_teammate(username: &str) -> (String, UserId) {
    let data = dataset();
    let me = data.staff_by_username(username).expect("a demo steward");
    let team = data.teams.iter().find(|t| Some(t.id) == me.team_id).expect("a team");
    let lead = data.staff.iter().find(|s| Some(s.id) == team.lead_id).expect("a lead");
    let mate = data
        .staff
        .iter()
        .find(|s| s.role == steward_domain::org::Role::Steward && s.team_id == me.team_id && s.id != me.id)
        .expect("a teammate");
    (lead.username.clone(), mate.id)
}

/// A completed visit by `steward` to `household`, `n` minutes after the
/// demo's now: the contact card handed over.
pub fn visit(household: HouseholdId, steward: UserId, n: i64) -> CompletedVisit {
    let at = dataset().config.as_of.checked_add(SignedDuration::from_mins(n)).expect("a time in range");
    let mut draft = VisitDraft::start(VisitId(Uuid::now_v7()), household, steward, at);
    draft.add(InspectionRecord::ContactCardHandedOver).expect("a contact card is a valid record");
    draft.complete(at.checked_add(SignedDuration::from_mins(5)).expect("in range")).expect("a complete visit")
}

/// Records `visits` on the device, each with its outbox entry, at the
/// device's (possibly wrong) `device_time`.
pub fn record(store: &mut Store, visits: &[CompletedVisit], device_time: Timestamp) -> anyhow::Result<Vec<MutationId>> {
    let mut ids = Vec::with_capacity(visits.len());
    for v in visits {
        let m = MutationMeta { mutation_id: MutationId(Uuid::now_v7()), device_time };
        store.record_visit(v, &m)?;
        ids.push(m.mutation_id);
    }
    Ok(ids)
}

/// A device clock set `skew` away from the true time.
#[derive(Debug, Clone, Copy)]
pub struct SkewedClock(pub SignedDuration);

impl Clock for SkewedClock {
    fn now(&self) -> Timestamp {
        Timestamp::now().checked_add(self.0).unwrap_or(Timestamp::MAX)
    }
}

/// Sync settings for `username` with short retry delays.
pub fn sync_config(username: &str, device_id: DeviceId, seed: u64) -> SyncConfig {
    let mut c = SyncConfig::new(Credentials {
        username: username.to_owned(),
        password: PASSWORD.to_owned(),
        device_id: Some(device_id),
    });
    c.pull_limit = 1000;
    c.seed = seed;
    c.schedule = ScheduleConfig {
        backoff_base: Duration::from_millis(5),
        backoff_cap: Duration::from_millis(100),
        watchdog: Duration::from_secs(3600),
    };
    c
}

pub fn transport(base: &str) -> anyhow::Result<HttpTransport> {
    Ok(HttpTransport::new(base, Duration::from_secs(10))?)
}

pub type DeviceStore = Arc<Mutex<Store>>;

pub fn open_device(path: &Path) -> anyhow::Result<DeviceStore> {
    Ok(Arc::new(Mutex::new(Store::open(path).with_context(|| format!("opening {}", path.display()))?)))
}

/// Where the suite's binaries are.
#[derive(Debug, Clone)]
pub struct Bins {
    pub central: PathBuf,
    pub client: PathBuf,
}

impl Bins {
    /// The binaries beside the running executable (the soak command), or in
    /// the target directory above it (a test binary in `deps/`).
    pub fn beside_current_exe() -> anyhow::Result<Bins> {
        let exe = std::env::current_exe()?;
        let mut dir = exe.parent().context("the executable's folder")?.to_path_buf();
        for _ in 0..2 {
            let bins = Bins {
                central: dir.join(format!("fault-central{}", std::env::consts::EXE_SUFFIX)),
                client: dir.join(format!("fault-client{}", std::env::consts::EXE_SUFFIX)),
            };
            if bins.central.exists() && bins.client.exists() {
                return Ok(bins);
            }
            dir = dir.parent().context("the target folder")?.to_path_buf();
        }
        bail!("fault-central and fault-client are not built beside {}", exe.display())
    }
}

/// The seeded central database, made once per process by the central
/// binary and copied for each world (seeding is the slow part).
pub async fn seeded_template(bins: &Bins, dir: &Path) -> anyhow::Result<PathBuf> {
    let db = dir.join("template-central.db");
    let out = Command::new(&bins.central).arg("seed").arg("--db").arg(&db).output().await?;
    if !out.status.success() {
        bail!("seeding failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(db)
}

/// Copies a closed SQLite database (and its WAL, if any) to `to`.
pub fn copy_db(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::copy(from, to)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", from.display()));
        if side.exists() {
            std::fs::copy(&side, format!("{}{suffix}", to.display()))?;
        }
    }
    Ok(())
}

/// The central server as a child process on a SQLite file.
pub struct CentralProcess {
    bin: PathBuf,
    db: PathBuf,
    child: Child,
    pub addr: SocketAddr,
}

impl CentralProcess {
    pub async fn start(bins: &Bins, db: &Path) -> anyhow::Result<CentralProcess> {
        let (child, addr) = Self::spawn(&bins.central, db).await?;
        Ok(CentralProcess { bin: bins.central.clone(), db: db.to_owned(), child, addr })
    }

    async fn spawn(bin: &Path, db: &Path) -> anyhow::Result<(Child, SocketAddr)> {
        let mut child = Command::new(bin)
            .args(["serve", "--db"])
            .arg(db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
        let line = tokio::time::timeout(GUARD, lines.next_line()).await??.context("the central said nothing")?;
        let addr = line.strip_prefix("listening on ").context("no address")?.parse()?;
        Ok((child, addr))
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGKILL: no graceful shutdown, no flush, as a power cut.
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// Starts the server again on the same database file (a new port).
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        let (child, addr) = Self::spawn(&self.bin, &self.db).await?;
        self.child = child;
        self.addr = addr;
        Ok(())
    }

    /// A read-only look at the central's database, for counting.
    pub fn inspect(&self) -> anyhow::Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open_with_flags(&self.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        Ok(conn)
    }
}

/// What a device client process is told to do.
#[derive(Debug, Clone)]
pub struct ClientArgs {
    pub db: PathBuf,
    pub url: String,
    pub username: String,
    pub device_id: DeviceId,
    pub households: Vec<HouseholdId>,
    pub record: usize,
    pub seed: u64,
    pub skew: SignedDuration,
    pub pull_limit: u32,
    pub batch: usize,
}

/// A device client as a child process; its stdout says what it did
/// (`recorded n`, `pushed n`, `pulled more|last`, `drained`).
pub struct ClientProcess {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl ClientProcess {
    pub fn start(bins: &Bins, a: &ClientArgs) -> anyhow::Result<ClientProcess> {
        let households = a.households.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(",");
        let mut child = Command::new(&bins.client)
            .arg("--db")
            .arg(&a.db)
            .args(["--url", &a.url, "--username", &a.username, "--device-id", &a.device_id.to_string()])
            .args(["--households", &households, "--record", &a.record.to_string(), "--seed", &a.seed.to_string()])
            .args(["--skew-ms", &a.skew.as_millis().to_string(), "--pull-limit", &a.pull_limit.to_string()])
            .args(["--batch", &a.batch.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
        Ok(ClientProcess { child, lines })
    }

    /// The next line that satisfies `want`; an error if the process ends
    /// (or says `drained`) first.
    pub async fn wait_for(&mut self, want: impl Fn(&str) -> bool) -> anyhow::Result<String> {
        let deadline = tokio::time::Instant::now() + GUARD;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line()).await??;
            match line {
                Some(l) if want(&l) => return Ok(l),
                Some(l) if l == "drained" => bail!("drained before the awaited line"),
                Some(_) => {}
                None => bail!("the client ended before the awaited line"),
            }
        }
    }

    /// `kill -9`.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// Waits for `drained` and the process's clean exit.
    pub async fn drained(mut self) -> anyhow::Result<()> {
        self.wait_for(|l| l == "drained")
            .await
            .or_else(|e| if e.to_string().contains("drained before") { Ok(String::new()) } else { Err(e) })?;
        let status = tokio::time::timeout(GUARD, self.child.wait()).await??;
        if !status.success() {
            bail!("the client exited with {status}");
        }
        Ok(())
    }
}

/// What the count of a round found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Count {
    /// Recorded on a device, missing on the central.
    pub lost: usize,
    /// On the central more than once (feed entries or rows), or applied
    /// twice (seen mutation ids against visits).
    pub doubled: usize,
    /// Devices whose visits differ from the central's for their steward.
    pub devices_out_of_step: usize,
    /// Devices whose cursor is past the central's head or has changes left.
    pub cursors_off: usize,
    /// Queued entries left on devices.
    pub queued: usize,
}

impl Count {
    pub fn clean(&self) -> bool {
        *self == Count::default()
    }
}

/// Counts every visit on both sides: `recorded` (visit ids made on the
/// devices this round) against the central's rows, change feed and seen
/// mutations, and each device's visits and cursor against the central.
pub fn count(
    central: &CentralProcess,
    username: &str,
    recorded: &[VisitId],
    devices: &[&Store],
) -> anyhow::Result<Count> {
    let db = central.inspect()?;
    let me = steward(username).to_string();
    let mut central_visits = HashSet::new();
    {
        let mut stmt = db.prepare("SELECT id FROM visits WHERE steward_id = ?1")?;
        for id in stmt.query_map([&me], |r| r.get::<_, String>(0))? {
            central_visits.insert(id?);
        }
    }
    let mut feed: HashMap<String, usize> = HashMap::new();
    {
        let mut stmt = db.prepare("SELECT entity_id FROM changes WHERE kind = 'visit' AND assignee = ?1")?;
        for id in stmt.query_map([&me], |r| r.get::<_, String>(0))? {
            *feed.entry(id?).or_default() += 1;
        }
    }
    let head: i64 = db.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| r.get(0))?;
    let mut c = Count {
        lost: recorded.iter().filter(|v| !central_visits.contains(&v.to_string())).count(),
        doubled: feed.values().filter(|n| **n > 1).count()
            + central_visits.iter().filter(|v| !feed.contains_key(*v)).count(),
        ..Count::default()
    };
    for store in devices {
        let on_device: HashSet<String> = store.visit_ids()?.into_iter().map(|v| v.to_string()).collect();
        if on_device != central_visits {
            c.devices_out_of_step += 1;
        }
        let cursor: i64 = store.pull_cursor()?.and_then(|c| c.parse().ok()).unwrap_or(-1);
        if cursor < 0 || cursor > head {
            c.cursors_off += 1;
        }
        let pending = store.pending_counts()?;
        c.queued += (pending.priority + pending.bulk) as usize;
    }
    Ok(c)
}
