//! The host of the engine: it reads and writes the store, talks to the
//! server, and runs rounds when the [`Scheduler`] says so, as a tokio task
//! the app starts once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use steward_domain::ids::MutationId;
use steward_protocol::{ErrorBody, PushRequest};
use steward_store::{Store, StoreError};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::engine::{BatchLimits, Decision, Round, RoundError, ScheduleConfig, Scheduler, Step, Trigger, settle};
use crate::transport::{AttachmentPiece, Clock, Credentials, Transport, TransportError};
use crate::wire::{WireError, change_of, mutation_of};

/// How the app reaches its store. The store is not `Sync`; the holder keeps
/// it behind a lock and lends it for one short job at a time.
pub trait StoreAccess: Send + Sync + 'static {
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T;
}

impl StoreAccess for Mutex<Store> {
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        // Every write is one transaction, so a store whose holder panicked
        // is whole.
        let mut guard = self.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

/// Settings of the sync engine.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    pub credentials: Credentials,
    pub batch: BatchLimits,
    /// Changes per pull page, 1..=1000.
    pub pull_limit: u32,
    pub schedule: ScheduleConfig,
    /// Seeds the backoff jitter.
    pub seed: u64,
}

impl SyncConfig {
    pub fn new(credentials: Credentials) -> Self {
        SyncConfig {
            credentials,
            batch: BatchLimits::default(),
            pull_limit: 500,
            schedule: ScheduleConfig::default(),
            seed: 0,
        }
    }
}

/// What the UI shows about sync (同步状态).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncStatus {
    /// Ticket actions waiting to be sent.
    pub pending_priority: u64,
    /// Visit records waiting to be sent.
    pub pending_bulk: u64,
    pub last_success_at: Option<Timestamp>,
    /// Mutations settled of those to send, while a round runs.
    pub in_progress: Option<(u64, u64)>,
    /// Mutations the server refused, waiting for the steward.
    pub needs_attention: u64,
    /// Why the last round failed; cleared by a successful one.
    pub last_error: Option<ErrorBody>,
    /// The server's clock minus the device's, in milliseconds.
    pub clock_offset_ms: Option<i64>,
    /// Photos waiting to go up, in their own lane.
    pub pending_attachments: u64,
}

/// Why a sync round failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Wire(#[from] WireError),
    #[error(transparent)]
    Round(#[from] RoundError),
    #[error("a store job stopped: {0}")]
    Join(String),
}

impl SyncError {
    /// The `{code, message}` form the UI shows.
    pub fn body(&self) -> ErrorBody {
        match self {
            SyncError::Transport(e) => e.body(),
            SyncError::Store(e) => ErrorBody::new("store", e.to_string()),
            SyncError::Wire(e) => ErrorBody::new("bad_change", e.to_string()),
            SyncError::Round(e) => ErrorBody::new("no_progress", e.to_string()),
            SyncError::Join(m) => ErrorBody::new("internal", m.clone()),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Mutations the server applied now.
    pub applied: usize,
    /// Mutations the server had applied before.
    pub duplicates: usize,
    /// Mutations moved to needs attention.
    pub rejected: usize,
    pub pushes: usize,
    /// Changes received, over `pages` pages.
    pub changes: usize,
    pub pages: usize,
    /// Photos the server now holds whole.
    pub attachments: usize,
}

/// The size of one attachment piece.
pub const ATTACHMENT_PIECE: usize = 256 * 1024;

/// Runs sync rounds against one store and one server.
pub struct Syncer<S, T, C> {
    store: Arc<S>,
    transport: Arc<T>,
    clock: Arc<C>,
    config: SyncConfig,
    token: Option<String>,
    status: Arc<watch::Sender<SyncStatus>>,
}

impl<S: StoreAccess, T: Transport, C: Clock> Syncer<S, T, C> {
    pub fn new(store: Arc<S>, transport: Arc<T>, clock: Arc<C>, config: SyncConfig) -> Self {
        let (status, _) = watch::channel(SyncStatus::default());
        Syncer { store, transport, clock, config, token: None, status: Arc::new(status) }
    }

    /// A receiver of every status change.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    async fn store<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, SyncError> {
        let store = self.store.clone();
        let result = tokio::task::spawn_blocking(move || store.with_store(f))
            .await
            .map_err(|e| SyncError::Join(e.to_string()))?;
        Ok(result?)
    }

    /// Reads the queue lengths and the clock offset into the status.
    pub async fn refresh_status(&self) -> Result<(), SyncError> {
        refresh(self.store.clone(), self.status.clone()).await
    }

    async fn token(&mut self) -> Result<String, SyncError> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let token = self.transport.login(&self.config.credentials).await?;
        self.token = Some(token.clone());
        Ok(token)
    }

    /// Keeps the server's clock offset: the server's time against the middle
    /// of the device's send and receive times.
    async fn learn_clock(&self, sent: Timestamp, received: Timestamp, server: Timestamp) -> Result<(), SyncError> {
        let half = received.duration_since(sent) / 2;
        let middle = sent.checked_add(half).unwrap_or(sent);
        let offset: SignedDuration = server.duration_since(middle);
        self.store(move |s| s.set_clock_offset(offset)).await?;
        let ms = i64::try_from(offset.as_millis()).ok();
        self.status.send_modify(|st| st.clock_offset_ms = ms);
        Ok(())
    }

    async fn push(&mut self, request: &PushRequest) -> Result<steward_protocol::PushResponse, SyncError> {
        let token = self.token().await?;
        match self.transport.push(&token, request).await {
            Err(TransportError::Unauthorized(_)) => {
                self.token = None;
                let token = self.token().await?;
                Ok(self.transport.push(&token, request).await?)
            }
            other => Ok(other?),
        }
    }

    /// Calls the server, signing in again once if the token is refused.
    async fn authed<R, F, Fut>(&mut self, call: F) -> Result<R, SyncError>
    where
        F: Fn(Arc<T>, String) -> Fut,
        Fut: std::future::Future<Output = Result<R, TransportError>>,
    {
        let token = self.token().await?;
        match call(self.transport.clone(), token).await {
            Err(TransportError::Unauthorized(_)) => {
                self.token = None;
                let token = self.token().await?;
                Ok(call(self.transport.clone(), token).await?)
            }
            other => Ok(other?),
        }
    }

    /// The attachment lane: each photo not yet held whole goes up in
    /// pieces from where the server stopped (asked with `HEAD`, so a piece
    /// cut off is resent from the server's count, not the device's). It
    /// runs after the records, which never wait for it. A photo whose bytes
    /// the server refuses is left for the steward and blocks no other.
    async fn upload_attachments(&mut self, report: &mut RoundReport) -> Result<(), SyncError> {
        let pending = self.store(|s| s.pending_attachments(1000)).await?;
        for a in pending {
            let sha = a.sha256.clone();
            let held = self.authed(|t, token| {
                let sha = sha.clone();
                async move { t.attachment_offset(&token, &sha).await }
            });
            let (mut offset, mut done) = held.await?.unwrap_or((0, false));
            while !done && offset < a.size {
                let (name, at) = (a.sha256.clone(), offset);
                let bytes = self.store(move |s| s.attachment_piece(&name, at, ATTACHMENT_PIECE)).await?;
                let piece = AttachmentPiece {
                    sha256: a.sha256.clone(),
                    content_type: a.content_type.clone(),
                    offset,
                    total: a.size,
                    bytes,
                };
                let sent = self.authed(|t, token| {
                    let piece = piece.clone();
                    async move { t.put_attachment(&token, piece).await }
                });
                match sent.await {
                    Ok(st) => {
                        offset = st.received;
                        done = st.complete;
                    }
                    Err(SyncError::Transport(TransportError::Server { body, .. }))
                        if body.code == "offset_mismatch" =>
                    {
                        let sha = a.sha256.clone();
                        let held = self.authed(|t, token| {
                            let sha = sha.clone();
                            async move { t.attachment_offset(&token, &sha).await }
                        });
                        (offset, done) = held.await?.unwrap_or((0, false));
                    }
                    Err(SyncError::Transport(TransportError::Server { status: 400 | 413 | 422, .. })) => break,
                    Err(e) => return Err(e),
                }
                let (name, at, whole) = (a.sha256.clone(), offset, done);
                self.store(move |s| s.set_attachment_uploaded(&name, at, whole)).await?;
            }
            if done {
                let (name, size) = (a.sha256.clone(), a.size);
                self.store(move |s| s.set_attachment_uploaded(&name, size, true)).await?;
                report.attachments += 1;
            }
        }
        Ok(())
    }

    async fn pull(&mut self, cursor: Option<&str>) -> Result<steward_protocol::PullResponse, SyncError> {
        let token = self.token().await?;
        let limit = self.config.pull_limit;
        match self.transport.pull(&token, cursor, limit).await {
            Err(TransportError::Unauthorized(_)) => {
                self.token = None;
                let token = self.token().await?;
                Ok(self.transport.pull(&token, cursor, limit).await?)
            }
            other => Ok(other?),
        }
    }

    /// One round: push the whole outbox in batches, then pull every page.
    /// The status says how it went.
    pub async fn round(&mut self) -> Result<RoundReport, SyncError> {
        let result = self.round_inner().await;
        let now = self.clock.now();
        self.status.send_modify(|st| {
            st.in_progress = None;
            match &result {
                Ok(_) => {
                    st.last_success_at = Some(now);
                    st.last_error = None;
                }
                Err(e) => st.last_error = Some(e.body()),
            }
        });
        // The counts are refreshed even after a failure; a failing store
        // shows in the round's own error.
        let _ = self.refresh_status().await;
        result
    }

    async fn round_inner(&mut self) -> Result<RoundReport, SyncError> {
        let (counts, cursor) = self.store(|s| Ok((s.pending_counts()?, s.pull_cursor()?))).await?;
        let limits = self.config.batch;
        let mut round = Round::new(counts.priority + counts.bulk, cursor, limits);
        let mut report = RoundReport::default();
        self.status.send_modify(|st| st.in_progress = Some(round.progress()));
        loop {
            let head = match round.phase() {
                crate::engine::Phase::Push => {
                    let n = limits.max_mutations.max(1);
                    self.store(move |s| s.pending(None, n)).await?
                }
                _ => Vec::new(),
            };
            match round.next(&head) {
                Step::Push(n) => {
                    let batch = &head[..n];
                    let mut mutations = Vec::with_capacity(n);
                    let mut unsendable = Vec::new();
                    for e in batch {
                        match mutation_of(e) {
                            Ok(m) => mutations.push(m),
                            Err(err) => unsendable.push((e.mutation_id, err.to_string())),
                        }
                    }
                    if !unsendable.is_empty() {
                        // An entry this app cannot send would block the queue
                        // forever: it waits for the steward like a rejection.
                        report.rejected += unsendable.len();
                        self.store(move |s| {
                            for (id, message) in &unsendable {
                                s.reject(*id, "unsendable", message)?;
                            }
                            Ok(())
                        })
                        .await?;
                        continue;
                    }
                    let mut request = PushRequest::new(self.config.credentials.device_id, &mutations).map_err(|e| {
                        SyncError::Wire(WireError::Malformed {
                            what: "push".into(),
                            id: String::new(),
                            message: e.to_string(),
                        })
                    })?;
                    // What still waits on the device besides this batch, for the
                    // team lead's "queued" column.
                    let waiting = self.store(|s| s.pending_counts()).await?;
                    let besides = (waiting.priority + waiting.bulk).saturating_sub(n as u64);
                    request.queued = Some(u32::try_from(besides).unwrap_or(u32::MAX));
                    let sent_at = self.clock.now();
                    request.sent_at = Some(sent_at);
                    let response = self.push(&request).await?;
                    report.pushes += 1;
                    self.learn_clock(sent_at, self.clock.now(), response.server_time).await?;
                    let ids: Vec<MutationId> = mutations.iter().map(|m| m.id).collect();
                    let settlement = settle(&ids, &response.outcomes);
                    for o in &response.outcomes {
                        match o.status {
                            steward_protocol::MutationStatus::Applied => report.applied += 1,
                            steward_protocol::MutationStatus::Duplicate => report.duplicates += 1,
                            steward_protocol::MutationStatus::Rejected => {}
                        }
                    }
                    report.rejected += settlement.reject.len();
                    let (ack, reject) = (settlement.acknowledge.clone(), settlement.reject.clone());
                    self.store(move |s| {
                        s.acknowledge(&ack)?;
                        for (id, e) in &reject {
                            s.reject(*id, &e.code, &e.message)?;
                        }
                        Ok(())
                    })
                    .await?;
                    round.pushed(n, &settlement)?;
                    self.status.send_modify(|st| st.in_progress = Some(round.progress()));
                    let _ = self.refresh_status().await;
                }
                Step::Pull(cursor) => {
                    let sent_at = self.clock.now();
                    let page = self.pull(cursor.as_deref()).await?;
                    self.learn_clock(sent_at, self.clock.now(), page.server_time).await?;
                    let mut changes = Vec::with_capacity(page.changes.len());
                    for c in &page.changes {
                        if let Some(change) = change_of(c)? {
                            changes.push(change);
                        }
                    }
                    report.changes += page.changes.len();
                    report.pages += 1;
                    let next = page.cursor.clone();
                    self.store(move |s| s.apply_pull_page(&changes, &next)).await?;
                    round.pulled(page.cursor, page.has_more);
                }
                Step::Done => {
                    self.upload_attachments(&mut report).await?;
                    return Ok(report);
                }
            }
        }
    }
}

async fn refresh<S: StoreAccess>(store: Arc<S>, status: Arc<watch::Sender<SyncStatus>>) -> Result<(), SyncError> {
    let read = tokio::task::spawn_blocking(move || {
        store.with_store(|s| {
            Ok::<_, StoreError>((
                s.pending_counts()?,
                s.needs_attention_count()?,
                s.clock_offset()?,
                s.pending_attachment_count()?,
            ))
        })
    })
    .await
    .map_err(|e| SyncError::Join(e.to_string()))??;
    let (counts, attention, offset, attachments) = read;
    status.send_if_modified(|st| {
        let before = st.clone();
        st.pending_priority = counts.priority;
        st.pending_bulk = counts.bulk;
        st.needs_attention = attention;
        st.clock_offset_ms = offset.and_then(|o| i64::try_from(o.as_millis()).ok());
        st.pending_attachments = attachments;
        *st != before
    });
    Ok(())
}

enum Command {
    Trigger(Trigger),
    Shutdown,
}

/// The app's handle on the running sync task.
pub struct SyncHandle {
    commands: mpsc::UnboundedSender<Command>,
    status: watch::Receiver<SyncStatus>,
    task: JoinHandle<()>,
}

impl SyncHandle {
    /// The steward asked to sync now.
    pub fn sync_now(&self) {
        let _ = self.commands.send(Command::Trigger(Trigger::Manual));
    }

    /// The network came back: sync at once.
    pub fn network_back(&self) {
        let _ = self.commands.send(Command::Trigger(Trigger::NetworkBack));
    }

    /// Something was saved on the device.
    pub fn local_write(&self) {
        let _ = self.commands.send(Command::Trigger(Trigger::LocalWrite));
    }

    /// The status stream for the UI.
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Stops the task; a round in flight stops between store writes, each of
    /// which is whole.
    pub async fn shutdown(self) {
        let _ = self.commands.send(Command::Shutdown);
        let _ = self.task.await;
    }
}

/// Starts the sync task: a first round at once, then as the scheduler says
/// (local writes, the network coming back, backoff, the watchdog).
pub fn spawn<S: StoreAccess, T: Transport, C: Clock>(
    store: Arc<S>,
    transport: T,
    clock: C,
    config: SyncConfig,
) -> SyncHandle {
    let scheduler = Scheduler::new(config.schedule, config.seed);
    let syncer = Syncer::new(store, Arc::new(transport), Arc::new(clock), config);
    let status = syncer.subscribe();
    let (commands, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(syncer, scheduler, rx));
    SyncHandle { commands, status, task }
}

async fn run<S: StoreAccess, T: Transport, C: Clock>(
    mut syncer: Syncer<S, T, C>,
    mut scheduler: Scheduler,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let start = tokio::time::Instant::now();
    let elapsed = || start.elapsed();
    let _ = syncer.refresh_status().await;
    let mut decision = scheduler.on_trigger(elapsed(), Trigger::Start);
    loop {
        decision = match decision {
            Decision::SyncNow => {
                let (store, status) = (syncer.store.clone(), syncer.status.clone());
                let round = syncer.round();
                tokio::pin!(round);
                let ok = loop {
                    tokio::select! {
                        result = &mut round => break result.is_ok(),
                        cmd = commands.recv() => match cmd {
                            Some(Command::Trigger(t)) => {
                                scheduler.on_trigger(elapsed(), t);
                                let _ = refresh(store.clone(), status.clone()).await;
                            }
                            None | Some(Command::Shutdown) => return,
                        },
                    }
                };
                scheduler.on_round_end(elapsed(), ok)
            }
            Decision::WaitUntil(_) | Decision::Busy => {
                let wake = start + scheduler.wake_at().max(Duration::from_millis(1));
                tokio::select! {
                    cmd = commands.recv() => match cmd {
                        Some(Command::Trigger(t)) => {
                            let _ = syncer.refresh_status().await;
                            scheduler.on_trigger(elapsed(), t)
                        }
                        None | Some(Command::Shutdown) => return,
                    },
                    _ = tokio::time::sleep_until(wake) => scheduler.on_trigger(elapsed(), Trigger::Timer),
                }
            }
        };
    }
}
