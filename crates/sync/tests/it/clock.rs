//! A device whose clock is two hours off still yields honest times on the
//! central: the device stamps each change with the time corrected by the
//! offset it learnt, and the central keeps that stamp with the mutation.

use jiff::{SignedDuration, Timestamp};
use steward_domain::ids::MutationId;
use steward_store::MutationMeta;
use steward_sync::Clock;
use tempfile::tempdir;
use uuid::Uuid;

use crate::support::*;
use steward_faults::proxy::Proxy;

#[tokio::test]
async fn a_device_clock_two_hours_wrong_still_yields_honest_times_on_the_central() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let proxy = Proxy::start(central.addr).await.unwrap();
    let me = steward("steward1");
    let households = households_of("steward1", 2);
    for (i, hours) in [2i64, -2].into_iter().enumerate() {
        let skew = SignedDuration::from_hours(hours);
        let device = std::sync::Arc::new(std::sync::Mutex::new(
            steward_store::Store::open(&dir.path().join(format!("device-{i}.db"))).unwrap(),
        ));
        let mut syncer = syncer(&device, &proxy, "steward1", skew);
        syncer.round().await.unwrap();

        // The visit happens now; the phone's clock says two hours off.
        let truth = Timestamp::now();
        let mutation = MutationId(Uuid::now_v7());
        let meta = MutationMeta { mutation_id: mutation, device_time: SkewedClock(skew).now() };
        device.lock().unwrap().record_visit(&visit(households[i].id, me, i as i64), &meta).unwrap();
        syncer.round().await.unwrap();

        let stamp = central.store.read(move |db| db.mutation_stamp(mutation.0)).await.unwrap().expect("a stamp");
        let honest = Timestamp::from_millisecond(stamp.honest_ms).unwrap();
        let device_time = Timestamp::from_millisecond(stamp.device_time_ms.unwrap()).unwrap();
        assert!(
            honest.duration_since(truth).abs() < SignedDuration::from_secs(5),
            "{hours} h: honest {honest}, truth {truth}"
        );
        assert!(
            (device_time.duration_since(truth) - skew).abs() < SignedDuration::from_secs(5),
            "{hours} h: the device's own time is kept too: {device_time}"
        );
        assert_eq!(stamp.basis, "wall_offset", "{hours} h");
        assert_eq!(stamp.device_seq, Some(1), "{hours} h: the first change of this device");
        assert!(stamp.honest_ms <= stamp.received_ms);
    }
}
