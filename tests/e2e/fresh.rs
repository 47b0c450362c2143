//! A new steward's first start, end to end in the real window at a phone's
//! 360 × 740: an admin hands steward2 their account (sets its password
//! through the central's API); the app starts on an empty device (no demo
//! slice, no password in its environment) and shows the sign-in screen;
//! steward2 signs in, the first sync brings their district (a household of
//! it is found by search, Today loads without the failure box), the card
//! shows the name the central holds, and a photo chosen through the card's
//! file input reaches the central once the sync panel has drained, where
//! the steward's team lead gets it from `GET /api/v1/staff/{id}/photo`.
//!
//! The central has no API that gives a new account a district (districts
//! come with the ground import), so the steward is a demo one whose device
//! is new, not an account made during the test.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use steward_domain::ground::{HeatingStatus, ValveState};

use crate::central::Central;
use crate::driver::Driver;
use crate::webdriver::Session;
use crate::{ONE_WINDOW, SYNC, UI, artifacts_dir, assert_display, wait_synced};

/// The steward whose first start this is.
const STEWARD: &str = "steward2";
/// The password the admin gives them (not the demo's).
const NEW_PASSWORD: &str = "zhao-lei-2026-e2e";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_stewards_first_sign_in_sync_and_card_photo_end_to_end() {
    assert_display();
    let _window = ONE_WINDOW.lock().await;
    let shots = artifacts_dir();
    let work = tempfile::tempdir().unwrap();
    let central = Central::seed_and_start(&work.path().join("central.db")).await;
    central.set_password(STEWARD, NEW_PASSWORD).await;
    // A new device: no demo user, no password, no GPS.
    let driver = Driver::start(&central, work.path(), None, None).await;
    let app = match Session::start(&driver.url(), &driver.application()).await {
        Ok(app) => app,
        Err(error) => panic!("start the app session: {error}\n{}", driver.diagnostics()),
    };
    let outcome = scenario(&app, &central, work.path(), &shots).await;
    if let Err(error) = &outcome {
        eprintln!("e2e (fresh) failed: {error}");
        let _ = app.screenshot(&shots.join("fresh-failure.png")).await;
        let _ = app.quit().await;
        panic!("{error}\nscreenshots: {}\n{}", shots.display(), driver.diagnostics());
    }
    app.quit().await.expect("close the app");
}

async fn scenario(app: &Session, central: &Central, work: &Path, shots: &Path) -> Result<(), String> {
    app.set_window_size(360, 740).await?;
    let steward = central.user(STEWARD);
    let account = central.user_record(STEWARD).await;
    let name = account["display_name"].as_str().ok_or_else(|| format!("{STEWARD} on the central: {account}"))?;
    let district = central
        .data
        .districts
        .iter()
        .find(|d| d.steward_id == Some(steward))
        .ok_or_else(|| format!("{STEWARD} has no district in the demo"))?
        .id;
    let household = central.data.households.iter().rev().find(|h| h.district_id == district).unwrap();

    // 1. The empty device shows the sign-in screen; steward2 signs in with the password the admin set.
    app.fill("[data-testid=login-username]", STEWARD, UI).await?;
    app.fill("[data-testid=login-password]", NEW_PASSWORD, UI).await?;
    app.screenshot(&shots.join("fresh-01-login.png")).await?;
    app.click_on("[data-testid=login-submit]", UI).await?;
    app.wait_for("nav.tabbar [data-testid=nav-today]", UI).await?;

    // 2. The first sync finishes with nothing pending.
    wait_synced(app).await?;
    app.screenshot(&shots.join("fresh-02-first-sync.png")).await?;

    // 3. Their district arrived: one of its households is found by its account number; Today loads.
    app.click_on("[data-testid=nav-households]", UI).await?;
    app.fill("[data-testid=household-search]", household.account_no.as_str(), UI).await?;
    app.wait_for(&format!("[data-testid=household-hit][data-household-id='{}']", household.id), SYNC).await?;
    app.screenshot(&shots.join("fresh-03-households.png")).await?;
    // Today counts the same work the central holds for them: their open tickets and their district's
    // households to visit (suspended with the valve not sealed, new with the valve not open).
    let to_visit = central
        .data
        .households
        .iter()
        .filter(|h| h.district_id == district)
        .filter(|h| match h.status {
            HeatingStatus::Suspended => !matches!(h.valve, ValveState::Sealed { .. }),
            HeatingStatus::New => h.valve != ValveState::Open,
            _ => false,
        })
        .count();
    let tickets = central
        .data
        .tickets
        .iter()
        .filter(|t| t.ticket.assignee() == Some(steward) && t.ticket.status().is_open())
        .count();
    app.click_on("[data-testid=nav-today]", UI).await?;
    app.wait_for("[data-testid=planned], [data-testid=planned-empty]", UI).await?;
    if to_visit == 0 {
        return Err(format!("the demo gives {STEWARD}'s district no household to visit: nothing to check Today by"));
    }
    // (Today reloads when the pull changes this work; before it did for households, it stayed at 0.)
    let expected = format!("工单 {tickets} · 待入户 {to_visit}");
    app.wait_text(".today-summary", UI, |t| t.contains(&expected))
        .await
        .map_err(|e| format!("Today does not show the work the central holds ({expected}): {e}"))?;
    let failures = app
        .execute(
            "return [...document.querySelectorAll('.error-box')].filter(e => e.offsetParent !== null).map(e => e.textContent);",
            json!([]),
        )
        .await?;
    if failures != json!([]) {
        return Err(format!("Today shows a failure after the first sync: {failures}"));
    }
    app.screenshot(&shots.join("fresh-04-today.png")).await?;

    // 4. The card carries the name the central holds, initials in place of a photo.
    app.click_on("[data-testid=nav-card]", UI).await?;
    app.wait_text(".namecard .nc-name", UI, |t| t.trim() == name).await?;
    app.wait_for(".namecard .nc-initials", UI).await?;
    app.screenshot(&shots.join("fresh-05-card.png")).await?;

    // 5. A photo chosen through the card's file input appears on the card.
    let photo = work.join("face.png");
    std::fs::write(&photo, test_png(96, 96)).map_err(|e| format!("write {}: {e}", photo.display()))?;
    let path = photo.to_str().ok_or("the photo's path is not UTF-8")?;
    app.poll("the photo chosen", UI, || async {
        let Some(input) = app.find_all("[data-testid=card-photo-input]").await?.into_iter().next() else {
            return Ok(None);
        };
        app.type_into(&input, path).await.map(Some)
    })
    .await?;
    app.wait_for(".namecard img.nc-photo", UI).await?;
    app.screenshot(&shots.join("fresh-06-card-photo.png")).await?;

    // 6. The sync panel drains, and the team lead gets the photo from the central.
    app.click_on("[data-testid=nav-sync]", UI).await?;
    app.click_on("[data-testid=sync-now]", UI).await?;
    app.wait_text("[data-testid=sync-pending-total]", SYNC, |t| t.trim() == "0").await?;
    app.screenshot(&shots.join("fresh-07-sync-drained.png")).await?;
    let lead = central.lead_of(steward).username.clone();
    let deadline = Instant::now() + SYNC;
    let (kind, bytes) = loop {
        if let Some(found) = central.staff_photo(&lead, steward).await {
            break found;
        }
        if Instant::now() >= deadline {
            return Err(format!("the central has no photo of {STEWARD} {SYNC:?} after the sync drained"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let signature_ok = bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes.starts_with(b"\x89PNG\r\n\x1a\n");
    if !kind.starts_with("image/") || !signature_ok {
        return Err(format!("the central's photo is not an image: {kind}, {} bytes", bytes.len()));
    }
    std::fs::write(shots.join("fresh-central-photo.bin"), &bytes).map_err(|e| e.to_string())?;
    println!("fresh: the central serves {STEWARD}'s photo to {lead}: {kind}, {} bytes", bytes.len());
    Ok(())
}

/// A small valid PNG (8-bit RGB, a colour gradient), built by hand: the
/// pixels in one stored (uncompressed) deflate block.
fn test_png(width: u32, height: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            raw.extend([(x * 255 / width) as u8, (y * 255 / height) as u8, 160]);
        }
    }
    assert!(raw.len() <= 0xFFFF, "one stored block holds the image");
    let len = raw.len() as u16;
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend(len.to_le_bytes());
    zlib.extend((!len).to_le_bytes());
    zlib.extend(&raw);
    zlib.extend(adler32(&raw).to_be_bytes());

    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, adaptive filters, no interlace

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", header), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        png.extend((data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend(kind);
        png.extend(&data);
        let crc = crc32(&png[start..]);
        png.extend(crc.to_be_bytes());
    }
    png
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn the_test_png_checksums_are_right() {
    // Known values: CRC-32 and Adler-32 of "123456789", and the IEND chunk's CRC every PNG ends with.
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(adler32(b"123456789"), 0x091E_01DE);
    assert!(test_png(4, 4).ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
}
