//! The push pipeline: the next batch is read while one is on the wire, yet
//! the server gets the batches one after the other, in outbox order, each
//! entry once; a mutation to go again goes before those behind it.

use std::sync::{Arc, Mutex};

use jiff::SignedDuration;
use steward_protocol::{ErrorBody, MutationOutcome, PushRequest, PushResponse};
use steward_store::PendingCounts;
use steward_sync::{BatchLimits, Syncer, TransportError};
use tempfile::tempdir;

use crate::support::*;

/// What the pipeline test watches on the wire: the mutation ids of every
/// push in the order sent, how many pushes are on the wire, whether two
/// ever were at once, and the one mutation whose answer (the first time
/// only) becomes a server fault.
#[derive(Default)]
struct Wire {
    pushes: Mutex<Vec<Vec<String>>>,
    on_wire: Mutex<usize>,
    overlapped: Mutex<bool>,
    fail: Mutex<Option<String>>,
}

/// The real transport to `base`, reporting to `wire`.
fn watching(base: &str, wire: &Arc<Wire>) -> Observed {
    let (sent, answered) = (wire.clone(), wire.clone());
    Observed {
        before_push: Some(Box::new(move |request: &PushRequest| {
            let ids: Vec<String> = request.mutations.iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect();
            sent.pushes.lock().unwrap().push(ids);
            let mut n = sent.on_wire.lock().unwrap();
            *n += 1;
            if *n > 1 {
                *sent.overlapped.lock().unwrap() = true;
            }
        })),
        after_push: Some(Box::new(move |answer: &mut Result<PushResponse, TransportError>| {
            *answered.on_wire.lock().unwrap() -= 1;
            if let Ok(res) = answer {
                let fail = answered.fail.lock().unwrap().clone();
                for o in &mut res.outcomes {
                    if fail.as_deref().is_some_and(|f| o.id.is_some_and(|id| id.to_string() == f)) {
                        // Applied by the server, but the device hears a fault.
                        *o = MutationOutcome::rejected(o.id, ErrorBody::new("internal", "a fault"));
                        *answered.fail.lock().unwrap() = None;
                    }
                }
            }
        })),
        ..Observed::new(base)
    }
}

#[tokio::test]
async fn batches_go_one_after_another_in_order_and_a_retried_one_goes_first() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let device = open_device(&dir);
    let mut config = config("steward1");
    config.batch = BatchLimits { max_mutations: 3, max_bytes: 1 << 20 };
    let wire = Arc::new(Wire::default());
    let transport = Arc::new(watching(&central.base(), &wire));
    let clock = Arc::new(SkewedClock(SignedDuration::ZERO));
    let mut syncer = Syncer::new(device.clone(), transport.clone(), clock, config);
    syncer.round().await.unwrap();
    let before = central.visits().await;

    let me = steward("steward1");
    let visits: Vec<_> =
        households_of("steward1", 11).iter().enumerate().map(|(i, h)| visit(h.id, me, i as i64)).collect();
    record(&device, &visits);
    let queued: Vec<String> =
        device.lock().unwrap().pending(None, 100).unwrap().iter().map(|e| e.mutation_id.to_string()).collect();
    assert_eq!(queued.len(), 11);
    // The answer for the 5th (in the second batch) says "try again".
    *wire.fail.lock().unwrap() = Some(queued[4].clone());
    wire.pushes.lock().unwrap().clear();

    let report = syncer.round().await.unwrap();

    let pushes = wire.pushes.lock().unwrap().clone();
    assert!(!*wire.overlapped.lock().unwrap(), "two pushes were on the wire at once: {pushes:?}");
    // 1-3, 4-6 (5 to go again), then 5 first, then the rest in order.
    let want: Vec<Vec<String>> = [&[0, 1, 2][..], &[3, 4, 5], &[4, 6, 7], &[8, 9, 10]]
        .iter()
        .map(|b| b.iter().map(|&i| queued[i].clone()).collect())
        .collect();
    assert_eq!(pushes, want);
    assert_eq!((report.applied, report.duplicates, report.rejected), (10, 1, 0), "{report:?}");
    assert_eq!(central.visits().await, before + 11);
    assert_eq!(device.lock().unwrap().pending_counts().unwrap(), PendingCounts::default());
    let feed = central.feed_visit_ids("steward1").await;
    for v in &visits {
        assert_eq!(feed.iter().filter(|id| **id == v.id().to_string()).count(), 1);
    }
    assert_eq!(report.pushes, 4);
}
