//! Photos reach the central content-addressed and resumably: a piece cut
//! mid-body leaves nothing half-written, `HEAD` says where to go on, and the
//! whole is checked against its name.

use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::tempdir;
use tokio::io::AsyncWriteExt;

use crate::support::*;

fn photo(len: usize, seed: u8) -> (Vec<u8>, String) {
    let bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
    let name = hex::encode(Sha256::digest(&bytes));
    (bytes, name)
}

async fn put(base: &str, token: &str, name: &str, bytes: &[u8], start: usize, total: usize) -> (StatusCode, Value) {
    let end = start + bytes.len() - 1;
    let res = reqwest::Client::new()
        .put(format!("{base}/api/v1/attachments/{name}"))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .header("content-range", format!("bytes {start}-{end}/{total}"))
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn held(base: &str, token: &str, name: &str) -> Option<(u64, u64, bool)> {
    let res = reqwest::Client::new()
        .head(format!("{base}/api/v1/attachments/{name}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    if res.status() == StatusCode::NOT_FOUND {
        return None;
    }
    assert_eq!(res.status(), StatusCode::OK);
    let h = |k: &str| res.headers()[k].to_str().unwrap().to_owned();
    Some((h("upload-offset").parse().unwrap(), h("upload-length").parse().unwrap(), h("upload-complete") == "true"))
}

#[tokio::test]
async fn an_upload_cut_mid_body_resumes_where_the_server_stopped() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let base = central.base();
    let token = central.login("steward1").await;
    let (bytes, name) = photo(300_000, 7);
    assert_eq!(held(&base, &token, &name).await, None);

    let (status, body) = put(&base, &token, &name, &bytes[..100_000], 0, bytes.len()).await;
    assert_eq!((status, body["received"].as_u64()), (StatusCode::OK, Some(100_000)), "{body}");

    // The next piece is cut after 50,000 of its 200,000 bytes.
    let mut raw = tokio::net::TcpStream::connect(central.addr).await.unwrap();
    let head = format!(
        "PUT /api/v1/attachments/{name} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
         content-type: image/jpeg\r\ncontent-range: bytes 100000-299999/300000\r\ncontent-length: 200000\r\n\r\n"
    );
    raw.write_all(head.as_bytes()).await.unwrap();
    raw.write_all(&bytes[100_000..150_000]).await.unwrap();
    drop(raw);
    // Nothing of the cut piece was kept: the server still holds 100,000
    // (and the resume below at that offset proves no later write slipped in).
    assert_eq!(held(&base, &token, &name).await, Some((100_000, 300_000, false)));

    // A piece that does not start where the server stopped is refused.
    let (status, body) = put(&base, &token, &name, &bytes[150_000..], 150_000, bytes.len()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("offset_mismatch")), "{body}");
    // A repeat of a piece held is harmless.
    let (status, _) = put(&base, &token, &name, &bytes[..100_000], 0, bytes.len()).await;
    assert_eq!(status, StatusCode::OK);
    // Resumed from the offset HEAD gave, it completes.
    let (offset, _, _) = held(&base, &token, &name).await.unwrap();
    let (status, body) = put(&base, &token, &name, &bytes[offset as usize..], offset as usize, bytes.len()).await;
    assert_eq!((status, body["complete"].as_bool()), (StatusCode::CREATED, Some(true)), "{body}");
    assert_eq!(held(&base, &token, &name).await, Some((300_000, 300_000, true)));
    // Uploading it again sends nothing twice.
    let (status, body) = put(&base, &token, &name, &bytes, 0, bytes.len()).await;
    assert_eq!((status, body["complete"].as_bool()), (StatusCode::OK, Some(true)));

    let got = reqwest::Client::new()
        .get(format!("{base}/api/v1/attachments/{name}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(got.headers()["content-type"], "image/jpeg");
    assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn bad_attachments_get_clear_errors() {
    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let base = central.base();
    let token = central.login("steward1").await;
    let (bytes, name) = photo(1000, 1);
    let (_, other) = photo(1000, 2);

    // Bytes that do not hash to their name are discarded whole.
    let (status, body) = put(&base, &token, &other, &bytes, 0, bytes.len()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("hash_mismatch")), "{body}");
    assert_eq!(held(&base, &token, &other).await, None);

    let cases: Vec<(String, Option<&str>, StatusCode, &str)> = vec![
        ("NOT-A-HASH".into(), None, StatusCode::BAD_REQUEST, "bad_hash"),
        (name.to_uppercase(), None, StatusCode::BAD_REQUEST, "bad_hash"),
        (name.clone(), Some("bytes 0-10/1000"), StatusCode::BAD_REQUEST, "bad_range"),
        (name.clone(), Some("items 0-999/1000"), StatusCode::BAD_REQUEST, "bad_range"),
        (name.clone(), Some("bytes 0-999/999999999999"), StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        (name.clone(), Some("bytes 500-1499/2000"), StatusCode::CONFLICT, "offset_mismatch"),
    ];
    for (n, range, want_status, want_code) in cases {
        let mut req = reqwest::Client::new().put(format!("{base}/api/v1/attachments/{n}")).bearer_auth(&token);
        if let Some(r) = range {
            req = req.header("content-range", r);
        }
        let res = req.body(bytes.clone()).send().await.unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!((status, body["code"].as_str()), (want_status, Some(want_code)), "{n} {range:?}: {body}");
    }
    // Without a token, nothing.
    let res = reqwest::Client::new().put(format!("{base}/api/v1/attachments/{name}")).body(bytes).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_photo_goes_up_in_its_own_lane_resumes_after_a_cut_and_never_holds_up_its_visit() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let device = open_device(&dir);
    // Pieces after the first `pass` are cut off before they reach the
    // server; the offset of every piece sent is noted.
    let pass = Arc::new(AtomicUsize::new(1));
    let offsets = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (left, sent) = (pass.clone(), offsets.clone());
    let transport = Arc::new(Observed {
        before_piece: Some(Box::new(move |piece: &steward_sync::AttachmentPiece| {
            sent.lock().unwrap().push(piece.offset);
            let passing = left.load(std::sync::atomic::Ordering::SeqCst);
            if passing == 0 {
                return Err(steward_sync::TransportError::Network("cut mid-body".into()));
            }
            left.store(passing - 1, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        })),
        ..Observed::new(&central.base())
    });
    let clock = Arc::new(SkewedClock(jiff::SignedDuration::ZERO));
    let mut syncer = steward_sync::Syncer::new(device.clone(), transport.clone(), clock, config("steward1"));
    syncer.round().await.unwrap();

    // A visit with a photo of three pieces.
    let me = steward("steward1");
    let v = visit(households_of("steward1", 1)[0].id, me, 1);
    let (bytes, name) = photo(steward_sync::runner::ATTACHMENT_PIECE * 2 + 1000, 9);
    {
        let mut store = device.lock().unwrap();
        let meta = steward_store::MutationMeta {
            mutation_id: steward_domain::ids::MutationId(uuid::Uuid::now_v7()),
            device_time: jiff::Timestamp::now(),
        };
        store.record_visit(&v, &meta).unwrap();
        let kept = store.add_attachment(&bytes, "image/jpeg", Some(("visit", &v.id().to_string()))).unwrap();
        assert_eq!(kept, name);
        assert_eq!(store.pending_attachment_count().unwrap(), 1);
    }
    let before = central.visits().await;

    // The second piece is cut: the round fails, but the visit is through.
    assert!(syncer.round().await.is_err());
    assert_eq!(central.visits().await, before + 1, "the visit did not wait for its photo");
    assert_eq!(device.lock().unwrap().pending_counts().unwrap(), steward_store::PendingCounts::default());
    let token = central.login("steward1").await;
    let piece = steward_sync::runner::ATTACHMENT_PIECE as u64;
    assert_eq!(held(&central.base(), &token, &name).await, Some((piece, bytes.len() as u64, false)));

    // The next round goes on from the server's count, not from the start.
    pass.store(usize::MAX, std::sync::atomic::Ordering::SeqCst);
    let report = syncer.round().await.unwrap();
    assert_eq!(report.attachments, 1);
    assert_eq!(*offsets.lock().unwrap(), [0, piece, piece, 2 * piece]);
    assert_eq!(device.lock().unwrap().pending_attachment_count().unwrap(), 0);
    let got = reqwest::Client::new()
        .get(format!("{}/api/v1/attachments/{name}", central.base()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());
    // Nothing more to send.
    assert_eq!(syncer.round().await.unwrap().attachments, 0);
}

fn meta() -> steward_store::MutationMeta {
    steward_store::MutationMeta {
        mutation_id: steward_domain::ids::MutationId(uuid::Uuid::now_v7()),
        device_time: jiff::Timestamp::now(),
    }
}

/// A JPEG-shaped photo of `len` bytes.
fn jpeg(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01".to_vec();
    bytes.extend((bytes.len()..len - 2).map(|i| (i as u8).wrapping_mul(17).wrapping_add(seed)));
    bytes.extend_from_slice(b"\xFF\xD9");
    bytes
}

#[tokio::test]
async fn a_card_photo_replaced_while_it_goes_up_is_let_go_and_the_newer_one_follows() {
    use std::sync::Arc;

    let dir = tempdir().unwrap();
    let central = spawn_central(&dir).await;
    let device = open_device(&dir);
    let me = steward("steward1");
    let older = jpeg(steward_sync::runner::ATTACHMENT_PIECE * 2 + 500, 3);
    let newer = jpeg(1_000, 7);
    // Once the first piece of a photo has gone up, the steward replaces
    // their card photo on the device: the old photo is gone from the device
    // while the lane is still sending it.
    let replaced = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (flag, on_device, photo) = (replaced.clone(), device.clone(), newer.clone());
    let transport = Arc::new(Observed {
        after_piece: Some(Box::new(move || {
            if !flag.swap(true, std::sync::atomic::Ordering::SeqCst) {
                on_device.lock().unwrap().set_staff_photo(me, &photo, "image/jpeg", &meta()).unwrap();
            }
        })),
        ..Observed::new(&central.base())
    });
    let clock = Arc::new(SkewedClock(jiff::SignedDuration::ZERO));
    let mut syncer = steward_sync::Syncer::new(device.clone(), transport.clone(), clock, config("steward1"));
    syncer.round().await.unwrap();
    let older_name = device.lock().unwrap().set_staff_photo(me, &older, "image/jpeg", &meta()).unwrap();

    // The older photo's first piece goes up, then the steward replaces it:
    // the round lets the older one go instead of failing on it.
    let first = syncer.round().await.expect("a round with a photo replaced mid-upload");
    assert!(replaced.load(std::sync::atomic::Ordering::SeqCst), "the photo was replaced mid-upload");
    assert_eq!(first.attachments, 0, "the older photo never went up whole");
    assert_eq!(device.lock().unwrap().attachment(&older_name).unwrap(), None);

    // The next round sends the newer photo, and the central names it.
    let second = syncer.round().await.unwrap();
    assert_eq!(second.attachments, 1);
    assert_eq!(device.lock().unwrap().pending_attachment_count().unwrap(), 0);
    let token = central.login("steward1").await;
    let profile: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/me", central.base()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile["photo"], steward_store::content_name(&newer), "{profile}");
    let served = reqwest::Client::new()
        .get(format!("{}/api/v1/staff/{}/photo", central.base(), me))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(served.status().is_success(), "{}", served.status());
    assert_eq!(served.bytes().await.unwrap().as_ref(), newer.as_slice());
}
