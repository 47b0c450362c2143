//! Offline recording then sync, duplicates, rejections, incremental pulls.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use jiff::SignedDuration;
use steward_protocol::{MutationStatus, PushRequest};
use steward_store::PendingCounts;
use steward_sync::wire::mutation_of;
use steward_sync::{SyncStatus, Transport, spawn};
use tempfile::tempdir;
use tokio::sync::watch;

use crate::support::*;
use steward_faults::proxy::Proxy;

/// Awaits a status that satisfies `f`; the timeout only guards a failure.
async fn wait(status: &mut watch::Receiver<SyncStatus>, what: &str, f: impl Fn(&SyncStatus) -> bool) -> SyncStatus {
    let seen = Arc::new(Mutex::new(SyncStatus::default()));
    let last = seen.clone();
    let result = tokio::time::timeout(
        GUARD,
        status.wait_for(move |s| {
            *last.lock().unwrap() = s.clone();
            f(s)
        }),
    )
    .await;
    match result {
        Ok(Ok(s)) => s.clone(),
        Ok(Err(_)) => panic!("the sync task stopped while waiting for {what}"),
        Err(_) => panic!("no status with {what}; the last was {:?}", seen.lock().unwrap()),
    }
}

#[tokio::test]
async fn visits_recorded_offline_reach_the_central_once_when_the_network_comes_back() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let proxy = Proxy::start(central.addr).await.unwrap();
    let device = open_device(&dir);
    // The first sync brings the steward's ground.
    let first = syncer(&device, &proxy, "steward1", SignedDuration::ZERO).round().await.unwrap();
    assert!(first.changes > 0 && first.pages >= 1, "{first:?}");

    proxy.set_up(false);
    let before = central.visits().await;
    // The phone's clock is two hours behind the server's.
    let skew = SignedDuration::from_hours(-2);
    let handle = spawn(device.clone(), transport(&proxy.base()), SkewedClock(skew), config("steward1"));
    let mut status = handle.status();
    let me = steward("steward1");
    let visits: Vec<_> =
        households_of("steward1", 5).iter().enumerate().map(|(i, h)| visit(h.id, me, i as i64)).collect();
    record(&device, &visits);
    handle.local_write();
    wait(&mut status, "5 pending and offline", |s| {
        s.pending_bulk == 5 && s.last_error.as_ref().is_some_and(|e| e.code == "offline")
    })
    .await;

    proxy.set_up(true);
    handle.network_back();
    let done = wait(&mut status, "a successful sync", |s| {
        s.pending_bulk == 0 && s.last_error.is_none() && s.last_success_at.is_some() && s.in_progress.is_none()
    })
    .await;
    assert_eq!(central.visits().await, before + 5);
    let feed = central.feed_visit_ids("steward1").await;
    for v in &visits {
        assert_eq!(feed.iter().filter(|id| **id == v.id().to_string()).count(), 1, "visit {} once", v.id());
    }
    assert_eq!(device.lock().unwrap().pending_counts().unwrap(), PendingCounts::default());
    // Every exchange told the device the server's clock: two hours ahead.
    let offset = done.clock_offset_ms.unwrap();
    assert!((offset - 7_200_000).abs() < 60_000, "offset {offset} ms");
    assert_eq!(device.lock().unwrap().clock_offset().unwrap().map(|o| o.as_hours()), Some(2));
    handle.shutdown().await;
}

#[tokio::test]
async fn a_batch_pushed_twice_is_applied_once() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let proxy = Proxy::start(central.addr).await.unwrap();
    let device = open_device(&dir);
    let mut syncer = syncer(&device, &proxy, "steward1", SignedDuration::ZERO);
    syncer.round().await.unwrap();
    let before = central.visits().await;
    let me = steward("steward1");
    let visits: Vec<_> =
        households_of("steward1", 3).iter().enumerate().map(|(i, h)| visit(h.id, me, i as i64)).collect();
    record(&device, &visits);

    // The batch goes up twice, as after an answer lost on the way back.
    let entries = device.lock().unwrap().pending(None, 10).unwrap();
    let mutations: Vec<_> = entries.iter().map(|e| mutation_of(e).unwrap()).collect();
    let request = PushRequest::new(None, &mutations).unwrap();
    let t = transport(&central.base());
    let token = t.login(&config("steward1").credentials).await.unwrap();
    for want in [MutationStatus::Applied, MutationStatus::Duplicate] {
        let answer = t.push(&token, &request).await.unwrap();
        assert!(answer.outcomes.iter().all(|o| o.status == want), "{answer:?}");
    }
    // The device, which heard neither answer, sends them a third time.
    let report = syncer.round().await.unwrap();
    assert_eq!((report.applied, report.duplicates, report.rejected), (0, 3, 0));
    assert_eq!(central.visits().await, before + 3);
    assert_eq!(device.lock().unwrap().pending_counts().unwrap(), PendingCounts::default());
    let feed = central.feed_visit_ids("steward1").await;
    for v in &visits {
        assert_eq!(feed.iter().filter(|id| **id == v.id().to_string()).count(), 1);
    }
}

#[tokio::test]
async fn a_rejected_mutation_waits_for_the_steward_and_blocks_nothing() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let proxy = Proxy::start(central.addr).await.unwrap();
    let device = open_device(&dir);
    let mut syncer = syncer(&device, &proxy, "steward1", SignedDuration::ZERO);
    let status = syncer.subscribe();
    syncer.round().await.unwrap();
    let before = central.visits().await;

    // A household of another steward's district is somehow on the device.
    let (foreign, snapshot) = foreign_household_snapshot("steward2");
    device.lock().unwrap().load_ground(&snapshot).unwrap();
    let me = steward("steward1");
    let own = households_of("steward1", 2);
    let visits = [visit(own[0].id, me, 1), visit(foreign, me, 2), visit(own[1].id, me, 3)];
    record(&device, &visits);

    let report = syncer.round().await.unwrap();
    assert_eq!((report.applied, report.rejected), (2, 1), "{report:?}");
    assert_eq!(central.visits().await, before + 2);
    let store = device.lock().unwrap();
    assert_eq!(store.pending_counts().unwrap(), PendingCounts::default());
    let attention = store.needs_attention().unwrap();
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].entry.entity_id, visits[1].id().to_string());
    assert_eq!((attention[0].code.as_str(), attention[0].message.as_str()), ("not_found", "household not found"));
    // The field data is kept on the device.
    assert_eq!(store.visits_of(foreign).unwrap(), vec![visits[1].clone()]);
    assert_eq!(status.borrow().needs_attention, 1);
}

#[tokio::test]
async fn a_second_pull_with_nothing_new_brings_nothing() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let proxy = Proxy::start(central.addr).await.unwrap();
    let device = open_device(&dir);
    let mut syncer = syncer(&device, &proxy, "steward1", SignedDuration::ZERO);
    let started = Instant::now();
    let first = syncer.round().await.unwrap();
    let initial = started.elapsed();
    let cursor = device.lock().unwrap().pull_cursor().unwrap();
    assert!(cursor.is_some());
    let stats = device.lock().unwrap().stats().unwrap();
    let district = district_of("steward1").id;
    let in_district = dataset().households.iter().filter(|h| h.district_id == district).count() as u64;
    assert_eq!(stats.households, in_district, "the device holds its steward's district");

    let started = Instant::now();
    let second = syncer.round().await.unwrap();
    let incremental = started.elapsed();
    assert_eq!((second.changes, second.pages, second.pushes), (0, 1, 0), "{second:?}");
    assert_eq!(device.lock().unwrap().pull_cursor().unwrap(), cursor);
    eprintln!(
        "initial sync: {} changes in {} pages, {initial:?}; incremental sync with nothing new: {incremental:?} (debug build)",
        first.changes, first.pages
    );
}

#[tokio::test]
async fn a_failed_round_is_retried_on_the_timer_without_a_new_write() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let proxy = Proxy::start(central.addr).await.unwrap();
    let device = open_device(&dir);
    syncer(&device, &proxy, "steward1", SignedDuration::ZERO).round().await.unwrap();
    let before = central.visits().await;
    let me = steward("steward1");
    let visits: Vec<_> =
        households_of("steward1", 2).iter().enumerate().map(|(i, h)| visit(h.id, me, i as i64)).collect();
    record(&device, &visits);

    proxy.set_up(false);
    let handle = spawn(device.clone(), transport(&proxy.base()), SkewedClock(SignedDuration::ZERO), config("steward1"));
    let mut status = handle.status();
    wait(&mut status, "a failed round", |s| {
        s.pending_bulk == 2 && s.last_error.as_ref().is_some_and(|e| e.code == "offline")
    })
    .await;
    // The network returns unannounced: no local write, no trigger. The
    // backoff timer alone brings the queue through.
    proxy.set_up(true);
    wait(&mut status, "a successful retry", |s| s.pending_bulk == 0 && s.last_error.is_none()).await;
    assert_eq!(central.visits().await, before + 2);
    handle.shutdown().await;
}
