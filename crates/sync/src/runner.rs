//! The host of the engine: it reads and writes the store, talks to the
//! server, and runs rounds when the [`Scheduler`] says so, as a tokio task
//! the app starts once.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use steward_domain::ids::MutationId;
use steward_protocol::{ErrorBody, PushRequest};
use steward_store::{OutboxEntry, Store, StoreError};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::engine::{
    BatchLimits, Decision, Round, RoundError, ScheduleConfig, Scheduler, Step, Trigger, next_batch, settle,
};
use crate::transport::{AttachmentPiece, Clock, Credentials, Transport, TransportError};
use crate::wire::{WireError, into_change, mutation_of};

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
    /// the server refuses is left for the steward and blocks no other; one
    /// the device drops while it goes up is let go.
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
                let Some(bytes) = self.store(move |s| s.attachment_piece(&name, at, ATTACHMENT_PIECE)).await? else {
                    // Gone from the device since this round listed it (a card
                    // photo replaced mid-upload): nothing left to send.
                    break;
                };
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

    /// The push phase: the outbox goes up in batches, one at a time and in
    /// order, until nothing is left. It is a pipeline of three stages that
    /// run together: while batch k is on the wire, the outcomes of batch
    /// k−1 are written to the store and batch k+1 is read and encoded. The
    /// server still gets batch k+1 only after it answered batch k, so each
    /// record's changes arrive in order, and an entry leaves the outbox only
    /// once its answer is stored. A batch with mutations to go again is
    /// settled before anything else is read, and the next batch is taken
    /// anew, so those go first.
    async fn push_outbox(&mut self, round: &mut Round, report: &mut RoundReport) -> Result<(), SyncError> {
        let limits = self.config.batch;
        let device = self.config.credentials.device_id;
        let mut next = prepare(self.store.clone(), limits, device, HashSet::new()).await?;
        // Outcomes of the batch before, still to be stored.
        let mut to_store: Option<Stored> = None;
        loop {
            report.rejected += next.unsendable;
            let Some(mut batch) = next.batch.take() else {
                if let Some(done) = to_store.take() {
                    store_outcomes(self.store.clone(), self.status.clone(), done).await?;
                }
                return Ok(());
            };
            // Not read into the batch behind: those on the wire and those
            // whose outcomes are being stored.
            let mut skip: HashSet<MutationId> = batch.ids.iter().copied().collect();
            if let Some(done) = &to_store {
                skip.extend(done.acknowledge.iter().copied());
                skip.extend(done.reject.iter().map(|(id, _)| *id));
            }
            let sent_at = self.clock.now();
            batch.request.sent_at = Some(sent_at);
            let token = self.token().await?;
            let (answer, stored, ahead) = tokio::join!(
                self.transport.push(&token, &batch.request),
                async {
                    match to_store.take() {
                        Some(done) => store_outcomes(self.store.clone(), self.status.clone(), done).await,
                        None => Ok(()),
                    }
                },
                prepare(self.store.clone(), limits, device, skip),
            );
            let answer = match answer {
                Err(TransportError::Unauthorized(_)) => {
                    self.token = None;
                    let token = self.token().await?;
                    self.transport.push(&token, &batch.request).await
                }
                other => other,
            };
            stored?;
            let response = answer?;
            let received = self.clock.now();
            report.pushes += 1;
            let settlement = settle(&batch.ids, &response.outcomes);
            for o in &response.outcomes {
                match o.status {
                    steward_protocol::MutationStatus::Applied => report.applied += 1,
                    steward_protocol::MutationStatus::Duplicate => report.duplicates += 1,
                    steward_protocol::MutationStatus::Rejected => {}
                }
            }
            report.rejected += settlement.reject.len();
            let done = Stored {
                acknowledge: settlement.acknowledge.clone(),
                reject: settlement.reject.clone(),
                offset: clock_offset(sent_at, received, response.server_time),
            };
            if let Ok(ms) = i64::try_from(done.offset.as_millis()) {
                self.status.send_modify(|st| st.clock_offset_ms = Some(ms));
            }
            let progress = round.pushed(batch.ids.len(), &settlement);
            if settlement.next_may_follow() && progress.is_ok() {
                to_store = Some(done);
                next = ahead?;
            } else {
                store_outcomes(self.store.clone(), self.status.clone(), done).await?;
                progress?;
                next = prepare(self.store.clone(), limits, device, HashSet::new()).await?;
            }
            self.status.send_modify(|st| st.in_progress = Some(round.progress()));
        }
    }

    async fn round_inner(&mut self) -> Result<RoundReport, SyncError> {
        let (counts, cursor) = self.store(|s| Ok((s.pending_counts()?, s.pull_cursor()?))).await?;
        let limits = self.config.batch;
        let mut round = Round::new(counts.priority + counts.bulk, cursor, limits);
        let mut report = RoundReport::default();
        self.status.send_modify(|st| st.in_progress = Some(round.progress()));
        self.push_outbox(&mut round, &mut report).await?;
        self.pull_feed(&mut round, &mut report).await?;
        self.upload_attachments(&mut report).await?;
        Ok(report)
    }

    /// The pull phase: every page after the cursor, each applied with its
    /// cursor in one transaction, in order. While a page is applied the
    /// next one is already asked for, so the central's work and the
    /// device's overlap; a page is applied only after the one before it.
    async fn pull_feed(&mut self, round: &mut Round, report: &mut RoundReport) -> Result<(), SyncError> {
        let limit = self.config.pull_limit;
        let mut ahead: Option<Result<Page, SyncError>> = None;
        while let Step::Pull(cursor) = round.next(&[]) {
            let fetched = match ahead.take() {
                Some(f) => f,
                None => {
                    let token = self.token().await?;
                    fetch(self.transport.clone(), self.clock.clone(), token, cursor.clone(), limit).await
                }
            };
            let page = match fetched {
                Err(SyncError::Transport(TransportError::Unauthorized(_))) => {
                    self.token = None;
                    let token = self.token().await?;
                    fetch(self.transport.clone(), self.clock.clone(), token, cursor.clone(), limit).await
                }
                other => other,
            }?;
            report.changes += page.count;
            report.pages += 1;
            let offset = clock_offset(page.sent, page.received, page.server_time);
            if let Ok(ms) = i64::try_from(offset.as_millis()) {
                self.status.send_modify(|st| st.clock_offset_ms = Some(ms));
            }
            let Page { changes, cursor: next, has_more, .. } = page;
            let (store, at) = (self.store.clone(), next.clone());
            let apply = async move {
                tokio::task::spawn_blocking(move || {
                    store.with_store(|s| {
                        s.set_clock_offset(offset)?;
                        s.apply_pull_page(&changes, &at)
                    })
                })
                .await
                .map_err(|e| SyncError::Join(e.to_string()))?
                .map_err(SyncError::from)
            };
            if has_more {
                let token = self.token().await?;
                let next_page = fetch(self.transport.clone(), self.clock.clone(), token, Some(next.clone()), limit);
                let (applied, fetched) = tokio::join!(apply, next_page);
                applied?;
                ahead = Some(fetched);
            } else {
                apply.await?;
            }
            round.pulled(next, has_more);
        }
        Ok(())
    }
}

/// A pull page asked for and decoded into store changes, with the
/// device's clock when it was asked for and when it came.
struct Page {
    sent: Timestamp,
    received: Timestamp,
    server_time: Timestamp,
    cursor: String,
    has_more: bool,
    /// Entries in the page, of kinds this app knows or not.
    count: usize,
    changes: Vec<steward_store::Change>,
}

/// Asks for the page after `cursor` and decodes it off the async workers.
async fn fetch<T: Transport, C: Clock>(
    transport: Arc<T>,
    clock: Arc<C>,
    token: String,
    cursor: Option<String>,
    limit: u32,
) -> Result<Page, SyncError> {
    let sent = clock.now();
    let answer = transport.pull(&token, cursor.as_deref(), limit).await?;
    let received = clock.now();
    tokio::task::spawn_blocking(move || {
        let count = answer.changes.len();
        let mut changes = Vec::with_capacity(count);
        for c in answer.changes {
            if let Some(change) = into_change(c)? {
                changes.push(change);
            }
        }
        Ok(Page {
            sent,
            received,
            server_time: answer.server_time,
            cursor: answer.cursor,
            has_more: answer.has_more,
            count,
            changes,
        })
    })
    .await
    .map_err(|e| SyncError::Join(e.to_string()))?
}

/// The next push, read from the head of the outbox and encoded, with what
/// this app could not encode moved to needs attention.
struct Prepared {
    batch: Option<Batch>,
    /// Entries moved to needs attention because they cannot be sent.
    unsendable: usize,
}

/// One push ready to go.
struct Batch {
    ids: Vec<MutationId>,
    request: PushRequest,
}

/// The outcomes of one push, to be written to the store.
struct Stored {
    acknowledge: Vec<MutationId>,
    reject: Vec<(MutationId, ErrorBody)>,
    /// The server's clock minus the device's, learnt from the exchange.
    offset: SignedDuration,
}

/// The server's clock offset: the server's time against the middle of the
/// device's send and receive times.
fn clock_offset(sent: Timestamp, received: Timestamp, server: Timestamp) -> SignedDuration {
    let half = received.duration_since(sent) / 2;
    let middle = sent.checked_add(half).unwrap_or(sent);
    server.duration_since(middle)
}

/// Reads and encodes the next batch from the head of the outbox in send
/// order, leaving out the entries in `skip` (on the wire, or settled but
/// not yet written). Runs off the async workers.
async fn prepare<S: StoreAccess>(
    store: Arc<S>,
    limits: BatchLimits,
    device: Option<steward_domain::ids::DeviceId>,
    skip: HashSet<MutationId>,
) -> Result<Prepared, SyncError> {
    tokio::task::spawn_blocking(move || {
        store.with_store(|s| {
            let mut unsendable = 0;
            loop {
                let want = limits.max_mutations.max(1);
                let head: Vec<OutboxEntry> = s
                    .pending(None, want + skip.len())?
                    .into_iter()
                    .filter(|e| !skip.contains(&e.mutation_id))
                    .collect();
                let n = next_batch(&head, limits);
                if n == 0 {
                    return Ok(Prepared { batch: None, unsendable });
                }
                let mut mutations = Vec::with_capacity(n);
                let mut refused = Vec::new();
                for e in &head[..n] {
                    match mutation_of(e) {
                        Ok(m) => mutations.push(m),
                        Err(err) => refused.push((e.mutation_id, err.to_string())),
                    }
                }
                if !refused.is_empty() {
                    // An entry this app cannot send would block the queue
                    // forever: it waits for the steward like a rejection.
                    unsendable += refused.len();
                    for (id, message) in &refused {
                        s.reject(*id, "unsendable", message)?;
                    }
                    continue;
                }
                let mut request = PushRequest::new(device, &mutations).map_err(|e| {
                    SyncError::Wire(WireError::Malformed {
                        what: "push".into(),
                        id: String::new(),
                        message: e.to_string(),
                    })
                })?;
                // What still waits on the device besides this batch and those
                // ahead of it, for the team lead's "queued" column.
                let waiting = s.pending_counts()?;
                let besides = (waiting.priority + waiting.bulk).saturating_sub((n + skip.len()) as u64);
                request.queued = Some(u32::try_from(besides).unwrap_or(u32::MAX));
                let ids = mutations.iter().map(|m| m.id).collect();
                return Ok(Prepared { batch: Some(Batch { ids, request }), unsendable });
            }
        })
    })
    .await
    .map_err(|e| SyncError::Join(e.to_string()))?
}

/// Writes the outcomes of one push: the clock offset, the acknowledged
/// entries out of the outbox, the refused ones to needs attention; then the
/// status's counts.
async fn store_outcomes<S: StoreAccess>(
    store: Arc<S>,
    status: Arc<watch::Sender<SyncStatus>>,
    done: Stored,
) -> Result<(), SyncError> {
    let s2 = store.clone();
    tokio::task::spawn_blocking(move || {
        s2.with_store(|s| {
            s.set_clock_offset(done.offset)?;
            s.acknowledge(&done.acknowledge)?;
            for (id, e) in &done.reject {
                s.reject(*id, &e.code, &e.message)?;
            }
            Ok::<_, StoreError>(())
        })
    })
    .await
    .map_err(|e| SyncError::Join(e.to_string()))??;
    let _ = refresh(store, status).await;
    Ok(())
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
