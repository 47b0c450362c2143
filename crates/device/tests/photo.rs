//! The contact card's photo replaced twice: the device keeps only the
//! newest photo's bytes, and the sync still leaves the newest at a real
//! central, named and whole.

mod common;

use common::{eventually, login};

use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};
use steward_device::{Device, Stamp};
use steward_domain::ids::DeviceId;

const PASSWORD: &str = "heat-test-photo";

/// Three small JPEGs as a canvas's `toDataURL` gives them.
const FIRST: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01 first face \xFF\xD9";
const SECOND: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01 second face \xFF\xD9";
const THIRD: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01 third face \xFF\xD9";

fn data_url(bytes: &[u8]) -> String {
    use base64::Engine;
    format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Waits until the central names `bytes` as the steward's photo and serves
/// them whole to the team lead.
async fn central_holds(client: &reqwest::Client, base: &str, steward: &str, lead: &str, bytes: &[u8]) {
    let sha = steward_store::content_name(bytes);
    eventually("the photo's name at the central", || async {
        let me: Value =
            client.get(format!("{base}/api/v1/me")).bearer_auth(steward).send().await.ok()?.json().await.ok()?;
        (me["photo"] == json!(sha)).then_some(())
    })
    .await;
    let me: Value =
        client.get(format!("{base}/api/v1/me")).bearer_auth(steward).send().await.unwrap().json().await.unwrap();
    let url = format!("{base}/api/v1/staff/{}/photo", me["staff_id"].as_str().unwrap());
    eventually("the photo's bytes at the central", || async {
        let res = client.get(&url).bearer_auth(lead).send().await.ok()?;
        if !res.status().is_success() {
            return None;
        }
        (res.bytes().await.ok()?.as_ref() == bytes).then_some(())
    })
    .await;
}

/// The photos (attachments) the device's database holds, read through a
/// second connection to its file.
fn photos_on_device(data_dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let store = steward_store::Store::open(&data_dir.join(steward_device::DB_FILE)).unwrap();
    [FIRST, SECOND, THIRD]
        .iter()
        .map(|b| {
            let name = steward_store::content_name(b);
            let held = store.attachment(&name).unwrap();
            (name, held)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_replaced_twice_leaves_only_the_newest_on_the_device_and_at_the_central() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let client = reqwest::Client::new();
    let data_dir = dir.path().join("phone");
    let device = Arc::new(Device::open(&data_dir).unwrap());
    device.bootstrap_demo("steward1", DeviceId::new_v7(Timestamp::UNIX_EPOCH, [7; 10])).unwrap();
    steward_device::sign_in(&device, &base, "steward1", PASSWORD, DeviceId::new_v7(Timestamp::UNIX_EPOCH, [8; 10]))
        .await
        .unwrap();
    let (hers, lead) =
        (login(&client, &base, "steward1", PASSWORD).await, login(&client, &base, "lead1", PASSWORD).await);

    // The first photo goes up whole before it is replaced.
    device.set_card_photo(&data_url(FIRST), Stamp::now()).unwrap();
    central_holds(&client, &base, &hers, &lead, FIRST).await;

    // Replaced twice in a row: the second may or may not have gone up.
    device.set_card_photo(&data_url(SECOND), Stamp::now()).unwrap();
    let card = device.set_card_photo(&data_url(THIRD), Stamp::now()).unwrap();
    assert_eq!(card.photo.as_deref(), Some(data_url(THIRD).as_str()));
    let held = photos_on_device(&data_dir);
    assert_eq!((held[0].1.as_deref(), held[1].1.as_deref()), (None, None), "the replaced photos left the device");
    assert_eq!(held[2].1.as_deref(), Some(THIRD), "the newest photo is kept until the central holds it");

    // The sync leaves the newest at the central, and only it on the device.
    central_holds(&client, &base, &hers, &lead, THIRD).await;
    eventually("the device's photo lane drained", || async {
        let st = device.sync_status()?;
        (st.pending_attachments == 0 && st.pending_bulk == 0 && st.in_progress.is_none()).then_some(())
    })
    .await;
    let held = photos_on_device(&data_dir);
    assert_eq!(
        held.iter().map(|(_, b)| b.is_some()).collect::<Vec<_>>(),
        [false, false, true],
        "only the newest photo's bytes remain"
    );
    assert_eq!(device.contact_card().unwrap().photo.as_deref(), Some(data_url(THIRD).as_str()));
    let _ = stop.send(());
}
