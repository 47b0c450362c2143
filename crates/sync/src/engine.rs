//! The I/O-free heart of sync: what to push next, what each outcome means,
//! when to pull, and when to try again. The host (the runner) reads the
//! store, calls these, and carries out what they decide; tests drive them
//! with plain values.

use std::time::Duration;

use steward_domain::ids::MutationId;
use steward_protocol::{ErrorBody, MutationOutcome, MutationStatus};
use steward_store::OutboxEntry;

/// How large one push may be. The server takes at most 2,000 mutations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    pub max_mutations: usize,
    /// The payload bytes of one batch; a single larger entry still goes alone.
    pub max_bytes: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits { max_mutations: 200, max_bytes: 256 * 1024 }
    }
}

/// How many entries from the head of the outbox go in the next push. The
/// head is in send order (every priority entry before any bulk one, by
/// `seq` within a lane), so a prefix keeps the priority lane first and each
/// record's changes in order.
pub fn next_batch(head: &[OutboxEntry], limits: BatchLimits) -> usize {
    let mut bytes = 0;
    let mut n = 0;
    for e in head.iter().take(limits.max_mutations.max(1)) {
        bytes += e.payload.len();
        if n > 0 && bytes > limits.max_bytes {
            break;
        }
        n += 1;
    }
    n
}

/// What to do with the mutations of one push after the server answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settlement {
    /// Applied now or before (duplicate): remove from the outbox.
    pub acknowledge: Vec<MutationId>,
    /// Refused for good: move to needs attention with the server's reason.
    pub reject: Vec<(MutationId, ErrorBody)>,
    /// No usable answer (or a server fault): they stay queued and go again.
    pub retry: Vec<MutationId>,
}

impl Settlement {
    /// How many mutations left the outbox.
    pub fn settled(&self) -> usize {
        self.acknowledge.len() + self.reject.len()
    }

    /// Whether the batch prepared behind this one may go as it is. Only
    /// when nothing of this one is to go again: a mutation sent again must
    /// go before the entries queued after it (a record's later changes may
    /// be among them), so the next batch is taken anew from the outbox.
    pub fn next_may_follow(&self) -> bool {
        self.retry.is_empty()
    }
}

/// Error codes of a rejection that is the server's trouble, not the
/// mutation's: the mutation stays queued and goes again.
const TRANSIENT_CODES: &[&str] = &["internal", "unavailable"];

/// Pairs the server's outcomes with the mutations sent. Outcomes come in the
/// order sent; one without a readable id is matched by position.
pub fn settle(sent: &[MutationId], outcomes: &[MutationOutcome]) -> Settlement {
    let mut out = Settlement::default();
    for (i, id) in sent.iter().enumerate() {
        let by_position = outcomes.get(i).filter(|o| o.id.is_none_or(|u| u == id.0));
        let outcome = by_position.or_else(|| outcomes.iter().find(|o| o.id == Some(id.0)));
        match outcome {
            Some(o) => match o.status {
                MutationStatus::Applied | MutationStatus::Duplicate => out.acknowledge.push(*id),
                MutationStatus::Rejected => {
                    let error = o.error.clone().unwrap_or_else(|| ErrorBody::new("rejected", "rejected by the server"));
                    if TRANSIENT_CODES.contains(&error.code.as_str()) {
                        out.retry.push(*id);
                    } else {
                        out.reject.push((*id, error));
                    }
                }
            },
            None => out.retry.push(*id),
        }
    }
    out
}

/// A small seeded random source (SplitMix64) for backoff jitter: the same
/// seed gives the same delays, so tests are deterministic.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Jitter(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A fraction in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// When to sync: backoff after failures, the watchdog after success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleConfig {
    /// The first retry delay; it doubles with each failure in a row.
    pub backoff_base: Duration,
    /// The longest retry delay.
    pub backoff_cap: Duration,
    /// How long the engine waits after a successful sync before syncing
    /// again with no local write: the watchdog that keeps a quiet queue
    /// moving and pulls what others changed.
    pub watchdog: Duration,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            backoff_base: Duration::from_secs(2),
            backoff_cap: Duration::from_secs(5 * 60),
            watchdog: Duration::from_secs(60),
        }
    }
}

/// The undithered delay after `failures` failures in a row: base·2^(n−1),
/// at most the cap.
pub fn backoff_ceiling(config: &ScheduleConfig, failures: u32) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    let factor = 1u32.checked_shl(failures.saturating_sub(1).min(31)).unwrap_or(u32::MAX);
    config.backoff_base.saturating_mul(factor).min(config.backoff_cap)
}

/// What woke the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The runner started.
    Start,
    /// The steward saved something: sync soon, unless the server is in backoff.
    LocalWrite,
    /// The network came back: sync at once, forgetting the backoff.
    NetworkBack,
    /// The steward pulled to refresh: sync at once.
    Manual,
    /// The wake time passed.
    Timer,
}

/// What the engine decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Start a sync round now.
    SyncNow,
    /// Sleep until this time (on the runner's clock), unless woken sooner.
    WaitUntil(Duration),
    /// A round is running; what woke the engine is remembered.
    Busy,
}

/// The retry and watchdog state machine. Times are durations since the
/// runner's start, given by the host.
#[derive(Debug, Clone)]
pub struct Scheduler {
    config: ScheduleConfig,
    jitter: Jitter,
    failures: u32,
    running: bool,
    /// Something asked for a sync while a round ran.
    again: bool,
    /// The network came back while a round ran: whatever that round's
    /// fate, the next one starts at once with the backoff forgotten.
    network_back: bool,
    wake_at: Duration,
}

impl Scheduler {
    pub fn new(config: ScheduleConfig, seed: u64) -> Self {
        Scheduler {
            config,
            jitter: Jitter::new(seed),
            failures: 0,
            running: false,
            again: false,
            network_back: false,
            wake_at: Duration::ZERO,
        }
    }

    /// Failed rounds in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The delay before retry number `failures`, with jitter: uniform in
    /// [ceiling/2, ceiling], so that many devices coming back together
    /// spread out.
    fn backoff(&mut self) -> Duration {
        let ceiling = backoff_ceiling(&self.config, self.failures);
        ceiling.mul_f64(0.5 + 0.5 * self.jitter.unit())
    }

    fn start(&mut self) -> Decision {
        self.running = true;
        self.again = false;
        Decision::SyncNow
    }

    pub fn on_trigger(&mut self, now: Duration, trigger: Trigger) -> Decision {
        if self.running {
            match trigger {
                Trigger::Timer | Trigger::Start => {}
                Trigger::NetworkBack => self.network_back = true,
                Trigger::LocalWrite | Trigger::Manual => self.again = true,
            }
            return Decision::Busy;
        }
        match trigger {
            Trigger::Start | Trigger::Manual => self.start(),
            Trigger::NetworkBack => {
                self.failures = 0;
                self.start()
            }
            Trigger::LocalWrite if self.failures == 0 => self.start(),
            Trigger::LocalWrite | Trigger::Timer if now >= self.wake_at => self.start(),
            Trigger::LocalWrite | Trigger::Timer => Decision::WaitUntil(self.wake_at),
        }
    }

    /// A round ended. A failure waits out the backoff; a success waits for
    /// the watchdog, or goes again at once when something asked for it
    /// during the round.
    pub fn on_round_end(&mut self, now: Duration, ok: bool) -> Decision {
        self.running = false;
        if std::mem::take(&mut self.network_back) {
            // The failure may have been the network that is now back.
            self.failures = 0;
            self.wake_at = now;
            return self.start();
        }
        if ok {
            self.failures = 0;
            self.wake_at = now + self.config.watchdog;
            if std::mem::take(&mut self.again) {
                return self.start();
            }
        } else {
            self.failures = self.failures.saturating_add(1);
            self.again = false;
            self.wake_at = now + self.backoff();
        }
        Decision::WaitUntil(self.wake_at)
    }

    /// When the engine wants to run next, when idle.
    pub fn wake_at(&self) -> Duration {
        self.wake_at
    }
}

/// Where a sync round is: pushing the outbox, then pulling pages until the
/// server has no more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Push,
    Pull,
    Done,
}

/// The next thing a round does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Push this many entries from the head of the outbox.
    Push(usize),
    /// Pull the page after this cursor.
    Pull(Option<String>),
    Done,
}

/// Why a round stopped early.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundError {
    #[error("the server settled none of {0} mutations")]
    NoProgress(usize),
}

/// One sync round as a state machine: push until the outbox is empty, then
/// pull until `has_more` is false.
#[derive(Debug, Clone)]
pub struct Round {
    phase: Phase,
    limits: BatchLimits,
    cursor: Option<String>,
    done: u64,
    total: u64,
}

impl Round {
    /// A round over `pending` queued entries, pulling after `cursor`.
    pub fn new(pending: u64, cursor: Option<String>, limits: BatchLimits) -> Self {
        Round { phase: Phase::Push, limits, cursor, done: 0, total: pending }
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Mutations settled of those queued when the round started (the total
    /// grows when the steward records more during the round).
    pub fn progress(&self) -> (u64, u64) {
        (self.done, self.total.max(self.done))
    }

    /// The next step, given the head of the outbox in send order.
    pub fn next(&mut self, head: &[OutboxEntry]) -> Step {
        if self.phase == Phase::Push {
            let n = next_batch(head, self.limits);
            if n > 0 {
                return Step::Push(n);
            }
            self.phase = Phase::Pull;
        }
        match self.phase {
            Phase::Pull => Step::Pull(self.cursor.clone()),
            _ => Step::Done,
        }
    }

    /// Takes a push's settlement. A push that settles nothing ends the
    /// round as failed, so a server that answers nothing useful is retried
    /// with backoff instead of in a tight loop.
    pub fn pushed(&mut self, sent: usize, settlement: &Settlement) -> Result<(), RoundError> {
        let settled = settlement.settled();
        if settled == 0 {
            return Err(RoundError::NoProgress(sent));
        }
        self.done += settled as u64;
        self.total = self.total.max(self.done + settlement.retry.len() as u64);
        Ok(())
    }

    /// Takes a pulled page (already applied with its cursor).
    pub fn pulled(&mut self, cursor: String, has_more: bool) {
        self.cursor = Some(cursor);
        if !has_more {
            self.phase = Phase::Done;
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use steward_store::Lane;
    use uuid::Uuid;

    use super::*;

    fn mid(n: u128) -> MutationId {
        MutationId(Uuid::from_u128(n))
    }

    fn entry(n: u128, lane: Lane, bytes: usize) -> OutboxEntry {
        OutboxEntry {
            seq: n as i64,
            mutation_id: mid(n),
            lane,
            entity: "visit".into(),
            entity_id: n.to_string(),
            op: "create".into(),
            payload: "x".repeat(bytes),
            device_time: Timestamp::UNIX_EPOCH,
            stamp: None,
        }
    }

    fn outcome(n: u128, status: MutationStatus, code: Option<&str>) -> MutationOutcome {
        MutationOutcome { id: Some(mid(n).0), status, error: code.map(|c| ErrorBody::new(c, "why")) }
    }

    #[test]
    fn batches_are_bounded_by_count_and_bytes() {
        let head: Vec<_> = (1..=10).map(|n| entry(n, Lane::Bulk, 100)).collect();
        let cases = [
            (BatchLimits { max_mutations: 4, max_bytes: 10_000 }, 4),
            (BatchLimits { max_mutations: 100, max_bytes: 350 }, 3),
            (BatchLimits { max_mutations: 100, max_bytes: 10 }, 1),
            (BatchLimits { max_mutations: 0, max_bytes: 10 }, 1),
            (BatchLimits { max_mutations: 100, max_bytes: 100_000 }, 10),
        ];
        for (limits, want) in cases {
            assert_eq!(next_batch(&head, limits), want, "{limits:?}");
        }
        assert_eq!(next_batch(&[], BatchLimits::default()), 0);
    }

    #[test]
    fn each_outcome_settles_its_mutation() {
        use MutationStatus::*;
        let sent = [mid(1), mid(2), mid(3), mid(4), mid(5)];
        let cases: Vec<(Vec<MutationOutcome>, Settlement)> = vec![
            (
                vec![
                    outcome(1, Applied, None),
                    outcome(2, Duplicate, None),
                    outcome(3, Rejected, Some("not_found")),
                    outcome(4, Applied, None),
                    outcome(5, Rejected, Some("internal")),
                ],
                Settlement {
                    acknowledge: vec![mid(1), mid(2), mid(4)],
                    reject: vec![(mid(3), ErrorBody::new("not_found", "why"))],
                    retry: vec![mid(5)],
                },
            ),
            // A rejection that names no id is matched by its position.
            (
                vec![
                    outcome(1, Applied, None),
                    MutationOutcome::rejected(None, ErrorBody::new("invalid_mutation", "why")),
                    outcome(3, Applied, None),
                    outcome(4, Applied, None),
                    outcome(5, Applied, None),
                ],
                Settlement {
                    acknowledge: vec![mid(1), mid(3), mid(4), mid(5)],
                    reject: vec![(mid(2), ErrorBody::new("invalid_mutation", "why"))],
                    retry: vec![],
                },
            ),
            // A short or reordered answer: matched by id; the unanswered go again.
            (
                vec![outcome(4, Applied, None), outcome(1, Duplicate, None)],
                Settlement { acknowledge: vec![mid(1), mid(4)], reject: vec![], retry: vec![mid(2), mid(3), mid(5)] },
            ),
            (vec![], Settlement { acknowledge: vec![], reject: vec![], retry: sent.to_vec() }),
        ];
        for (outcomes, want) in cases {
            let got = settle(&sent, &outcomes);
            // The batch prepared behind goes only when nothing goes again.
            assert_eq!(got.next_may_follow(), want.retry.is_empty(), "{outcomes:?}");
            assert_eq!(got, want, "{outcomes:?}");
        }
    }

    #[test]
    fn a_rejected_mutation_does_not_block_those_behind_it() {
        let head: Vec<_> = (1..=3).map(|n| entry(n, Lane::Bulk, 10)).collect();
        let mut round = Round::new(3, None, BatchLimits { max_mutations: 2, max_bytes: 1000 });
        assert_eq!(round.next(&head), Step::Push(2));
        let s = settle(
            &[mid(1), mid(2)],
            &[outcome(1, MutationStatus::Rejected, Some("reassigned")), outcome(2, MutationStatus::Applied, None)],
        );
        round.pushed(2, &s).unwrap();
        // The host rejected 1 and acknowledged 2: the head moves on to 3.
        assert_eq!(round.next(&head[2..]), Step::Push(1));
        round.pushed(1, &settle(&[mid(3)], &[outcome(3, MutationStatus::Applied, None)])).unwrap();
        assert_eq!(round.progress(), (3, 3));
        assert_eq!(round.next(&[]), Step::Pull(None));
    }

    #[test]
    fn the_priority_lane_goes_first() {
        // The store hands out the head priority first; the batch is a prefix.
        let head = vec![entry(7, Lane::Priority, 10), entry(2, Lane::Bulk, 10), entry(3, Lane::Bulk, 10)];
        let mut round = Round::new(3, None, BatchLimits { max_mutations: 1, max_bytes: 1000 });
        assert_eq!(round.next(&head), Step::Push(1));
    }

    #[test]
    fn a_round_pushes_then_pulls_until_no_more() {
        let mut round = Round::new(0, Some("5".into()), BatchLimits::default());
        assert_eq!(round.next(&[]), Step::Pull(Some("5".into())));
        round.pulled("9".into(), true);
        assert_eq!(round.next(&[]), Step::Pull(Some("9".into())));
        round.pulled("12".into(), false);
        assert_eq!(round.next(&[]), Step::Done);
        assert_eq!(round.phase(), &Phase::Done);
    }

    #[test]
    fn a_push_that_settles_nothing_fails_the_round() {
        let mut round = Round::new(2, None, BatchLimits::default());
        let s = settle(&[mid(1), mid(2)], &[]);
        assert_eq!(round.pushed(2, &s), Err(RoundError::NoProgress(2)));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let config = ScheduleConfig {
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(30),
            watchdog: Duration::from_secs(60),
        };
        let ceilings: Vec<u64> = (0..=8).map(|n| backoff_ceiling(&config, n).as_secs()).collect();
        assert_eq!(ceilings, [0, 1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(backoff_ceiling(&config, u32::MAX), Duration::from_secs(30));

        let mut s = Scheduler::new(config, 42);
        let mut now = Duration::ZERO;
        assert_eq!(s.on_trigger(now, Trigger::Start), Decision::SyncNow);
        for n in 1..=8u32 {
            let Decision::WaitUntil(at) = s.on_round_end(now, false) else { panic!("no wait") };
            let delay = at - now;
            let ceiling = backoff_ceiling(&config, n);
            assert!(delay >= ceiling / 2 && delay <= ceiling, "failure {n}: {delay:?} not in [{ceiling:?}/2, ..]");
            // Before the wake time, the timer and a local write wait.
            assert_eq!(s.on_trigger(now, Trigger::Timer), Decision::WaitUntil(at));
            assert_eq!(s.on_trigger(now, Trigger::LocalWrite), Decision::WaitUntil(at));
            now = at;
            assert_eq!(s.on_trigger(now, Trigger::Timer), Decision::SyncNow);
        }
        assert_eq!(s.failures(), 8);
        // The same seed gives the same delays.
        let delays = |seed| {
            let mut s = Scheduler::new(config, seed);
            (0..5).map(|_| s.on_round_end(Duration::ZERO, false)).collect::<Vec<_>>()
        };
        assert_eq!(delays(7), delays(7));
        assert_ne!(delays(7), delays(8));
    }

    #[test]
    fn the_watchdog_syncs_again_with_no_local_write() {
        let config = ScheduleConfig::default();
        let mut s = Scheduler::new(config, 1);
        assert_eq!(s.on_trigger(Duration::ZERO, Trigger::Start), Decision::SyncNow);
        let t = Duration::from_secs(3);
        assert_eq!(s.on_round_end(t, true), Decision::WaitUntil(t + config.watchdog));
        assert_eq!(s.on_trigger(t + config.watchdog / 2, Trigger::Timer), Decision::WaitUntil(t + config.watchdog));
        assert_eq!(s.on_trigger(t + config.watchdog, Trigger::Timer), Decision::SyncNow);
        // A failure is retried on the timer too, however many came before.
        let mut now = t + config.watchdog;
        for _ in 0..20 {
            let Decision::WaitUntil(at) = s.on_round_end(now, false) else { panic!() };
            assert!(at - now <= config.backoff_cap);
            now = at;
            assert_eq!(s.on_trigger(now, Trigger::Timer), Decision::SyncNow);
        }
    }

    #[test]
    fn the_network_coming_back_syncs_at_once() {
        let mut s = Scheduler::new(ScheduleConfig::default(), 1);
        s.on_trigger(Duration::ZERO, Trigger::Start);
        for _ in 0..5 {
            s.on_round_end(Duration::ZERO, false);
            s.on_trigger(s.wake_at(), Trigger::Timer);
        }
        s.on_round_end(Duration::ZERO, false);
        assert!(matches!(s.on_trigger(Duration::ZERO, Trigger::LocalWrite), Decision::WaitUntil(_)));
        assert_eq!(s.on_trigger(Duration::ZERO, Trigger::NetworkBack), Decision::SyncNow);
        assert_eq!(s.failures(), 0);
    }

    #[test]
    fn the_network_coming_back_during_a_failing_round_syncs_at_once_after_it() {
        let mut s = Scheduler::new(ScheduleConfig::default(), 1);
        assert_eq!(s.on_trigger(Duration::ZERO, Trigger::Start), Decision::SyncNow);
        assert_eq!(s.on_trigger(Duration::ZERO, Trigger::NetworkBack), Decision::Busy);
        assert_eq!(s.on_round_end(Duration::ZERO, false), Decision::SyncNow);
        assert_eq!(s.failures(), 0);
        // A local write during a failing round waits out the backoff.
        assert_eq!(s.on_trigger(Duration::ZERO, Trigger::LocalWrite), Decision::Busy);
        assert!(matches!(s.on_round_end(Duration::ZERO, false), Decision::WaitUntil(_)));
    }

    #[test]
    fn triggers_during_a_round_run_it_again_after() {
        let mut s = Scheduler::new(ScheduleConfig::default(), 1);
        assert_eq!(s.on_trigger(Duration::ZERO, Trigger::Start), Decision::SyncNow);
        assert_eq!(s.on_trigger(Duration::ZERO, Trigger::LocalWrite), Decision::Busy);
        assert_eq!(s.on_trigger(Duration::ZERO, Trigger::Manual), Decision::Busy);
        assert_eq!(s.on_round_end(Duration::ZERO, true), Decision::SyncNow);
        assert!(matches!(s.on_round_end(Duration::ZERO, true), Decision::WaitUntil(_)));
        // A local write on a healthy link syncs at once.
        assert_eq!(s.on_trigger(Duration::ZERO, Trigger::LocalWrite), Decision::SyncNow);
    }
}
