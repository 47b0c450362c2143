//! A fresh device and a steward the central's admin created: signing in
//! reads the steward's profile from the central (`GET /api/v1/me`), with
//! no demo data on the device; the work arrives by the sync's pull. The
//! contact card's photo goes up with the sync and comes down to the
//! steward's next fresh device.

mod common;

use common::{eventually, login, wait_for};

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};
use steward_device::{Device, DeviceError, Stamp};
use steward_domain::ids::DeviceId;

const PASSWORD: &str = "heat-test-fresh";
const NEW_PASSWORD: &str = "wang-fang-2026";

/// A tiny JPEG as a canvas's `toDataURL` gives it (signature and body).
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01 the steward's face \xFF\xD9";

fn data_url(bytes: &[u8]) -> String {
    use base64::Engine;
    format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The central at `base` as the device's sign-in reaches it.
fn central(base: &str) -> steward_sync::HttpTransport {
    steward_sync::HttpTransport::new(base, std::time::Duration::from_secs(30)).unwrap()
}

fn new_id(n: u8) -> DeviceId {
    DeviceId::new_v7(Timestamp::UNIX_EPOCH, [n; 10])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steward_the_admin_created_signs_in_on_an_empty_device_and_gets_their_district_and_card() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store, base, stop) = common::start_central_with_store(dir.path(), PASSWORD).await;
    let client = reqwest::Client::new();
    let admin = login(&client, &base, "admin", PASSWORD).await;

    // The admin creates 王芳 in steward1's team and hands her steward1's first district.
    let users: Value =
        client.get(format!("{base}/api/v1/users")).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    let steward1 = users.as_array().unwrap().iter().find(|u| u["username"] == "steward1").unwrap().clone();
    let created = client
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"username": "wang.fang", "display_name": "王芳", "role": "steward",
            "team_id": steward1["team_id"], "employee_no": "SH2001", "mobile": "13912345678", "password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let demo = steward_demo::generate(&steward_demo::DemoConfig::default()).unwrap();
    let district = demo.districts.iter().find(|d| json!(d.steward_id) == steward1["id"]).unwrap().clone();
    let geometry: Value = serde_json::from_str(&demo.boundary_geojson(district.id).unwrap()).unwrap();
    let collection = json!({"type": "FeatureCollection", "features": [{"type": "Feature", "id": district.code,
        "properties": {"steward": "wang.fang"}, "geometry": geometry}]})
    .to_string();
    tokio::task::spawn_blocking(move || {
        steward_central::import::import_districts(&store, &collection, Timestamp::now())
    })
    .await
    .unwrap()
    .unwrap();

    // A wrong password on an empty device leaves it empty.
    let data_dir = dir.path().join("phone");
    let device = Arc::new(Device::open(&data_dir).unwrap());
    let err = steward_device::sign_in(&device, &base, "wang.fang", "not-her-password", new_id(1)).await.unwrap_err();
    assert_eq!(err.code(), "bad_credentials");
    assert!(matches!(device.profile(), Err(DeviceError::NoSteward)));

    let session = steward_device::sign_in(&device, &base, "wang.fang", NEW_PASSWORD, new_id(1)).await.unwrap();
    assert_eq!((session.username.as_str(), session.display_name.as_str()), ("wang.fang", "王芳"));
    let profile = device.profile().unwrap();
    assert_eq!(
        (profile.steward.id.to_string(), profile.device_id),
        (created["id"].as_str().unwrap().to_owned(), Some(new_id(1)))
    );
    wait_for(&device, "a first round", |s| s.last_success_at.is_some() && s.in_progress.is_none()).await;
    let profile = device.profile().unwrap();
    assert_eq!(profile.districts.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), [district.code.as_str()]);
    assert!(profile.stats.households > 0, "the district's households came by the pull: {:?}", profile.stats);

    // Her card: her name, number and mobile, the org names from the central, her district.
    let card = device.contact_card().unwrap();
    assert_eq!((card.display_name.as_str(), card.employee_no.as_str()), ("王芳", "SH2001"));
    assert_eq!(card.mobile, "13912345678");
    let team = demo.teams.iter().find(|t| json!(t.id) == steward1["team_id"]).unwrap();
    assert_eq!((card.team.as_str(), card.centre.as_str()), (team.name.as_str(), demo.centre.name.as_str()));
    assert_eq!(card.utility, demo.utility.name);
    assert_eq!(card.districts, std::slice::from_ref(&district.name));
    assert_eq!(card.photo, None);

    // Another steward cannot sign in on her device.
    let err = steward_device::sign_in(&device, &base, "steward1", PASSWORD, new_id(2)).await.unwrap_err();
    assert_eq!(err.code(), "other_steward");

    // Her photo: kept on the device at once, then up to the central with the sync.
    for bad in ["data:text/plain;base64,aGVsbG8sIHdvcmxk", "not base64 at all!", ""] {
        assert_eq!(device.set_card_photo(bad, Stamp::now()).unwrap_err().code(), "not_an_image", "{bad}");
    }
    let mut huge = JPEG.to_vec();
    huge.resize(steward_device::card::MAX_PHOTO_BYTES + 1, 0);
    assert_eq!(device.set_card_photo(&data_url(&huge), Stamp::now()).unwrap_err().code(), "photo_too_large");
    assert_eq!(device.contact_card().unwrap().photo, None, "a refused photo leaves nothing");
    let card = device.set_card_photo(&data_url(JPEG), Stamp::now()).unwrap();
    assert_eq!(card.photo.as_deref(), Some(data_url(JPEG).as_str()));
    let sha = steward_store::content_name(JPEG);
    let hers = login(&client, &base, "wang.fang", NEW_PASSWORD).await;
    eventually("the photo's name at the central", || async {
        let me: Value =
            client.get(format!("{base}/api/v1/me")).bearer_auth(&hers).send().await.ok()?.json().await.ok()?;
        (me["photo"] == json!(sha)).then_some(())
    })
    .await;
    let lead = login(&client, &base, "lead1", PASSWORD).await;
    let photo_url = format!("{base}/api/v1/staff/{}/photo", created["id"].as_str().unwrap());
    let held = eventually("the photo's bytes at the central", || async {
        let res = client.get(&photo_url).bearer_auth(&lead).send().await.ok()?;
        if !res.status().is_success() {
            return None;
        }
        Some(res.bytes().await.ok()?.to_vec())
    })
    .await;
    assert_eq!(held, JPEG);

    // Her next phone, empty too: the profile and the photo come from the central.
    let second = Arc::new(Device::open(&dir.path().join("second-phone")).unwrap());
    steward_device::sign_in(&second, &base, "wang.fang", NEW_PASSWORD, new_id(3)).await.unwrap();
    assert_eq!(second.contact_card().unwrap().photo.as_deref(), Some(data_url(JPEG).as_str()));
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_read_with_a_bad_token_or_no_central_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let err = steward_device::session::fetch_me(&central(&base), "hst_not-a-token").await.unwrap_err();
    assert_eq!(err.code(), "unauthorized", "{err}");
    let err = steward_device::session::fetch_me(&central(&base), "").await.unwrap_err();
    assert_eq!(err.code(), "unauthorized", "{err}");
    let token = login(&reqwest::Client::new(), &base, "steward2", PASSWORD).await;
    let me = steward_device::session::fetch_me(&central(&base), &token).await.unwrap();
    assert_eq!((me.username.as_str(), me.district_ids.is_empty()), ("steward2", false));
    let _ = stop.send(());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err =
        steward_device::session::fetch_me(&central(&format!("http://127.0.0.1:{port}")), &token).await.unwrap_err();
    assert_eq!(err.code(), "central_unreachable", "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_on_the_stewards_own_device_refreshes_the_card_from_the_central() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let device = Arc::new(Device::open(&dir.path().join("phone")).unwrap());
    device.bootstrap_demo("steward2", new_id(4)).unwrap();
    // The card's organisation names went missing on the device.
    device.set_card_org(&steward_device::CardOrg::default()).unwrap();
    assert_eq!(device.contact_card().unwrap().team, "");
    steward_device::sign_in(&device, &base, "steward2", PASSWORD, new_id(5)).await.unwrap();
    let token = login(&reqwest::Client::new(), &base, "steward2", PASSWORD).await;
    let me = steward_device::session::fetch_me(&central(&base), &token).await.unwrap();
    let card = device.contact_card().unwrap();
    assert_eq!(Some(card.team), me.team.map(|t| t.name));
    assert_eq!((Some(card.centre), Some(card.utility)), (me.centre_name, me.utility_name));
    // The device keeps its own id.
    assert_eq!(device.profile().unwrap().device_id, Some(new_id(4)));
    let _ = stop.send(());
}
