//! Photos on the device: named by their bytes, kept whole, handed out in
//! pieces, and marked as the central takes them.

use steward_store::{Store, content_name};

#[test]
fn a_photo_is_kept_by_its_content_and_handed_out_in_pieces() {
    let mut store = Store::open_in_memory().unwrap();
    let bytes: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let name = store.add_attachment(&bytes, "image/jpeg", Some(("visit", "v-1"))).unwrap();
    assert_eq!(name, content_name(&bytes));
    assert_eq!(name.len(), 64);
    // The same bytes again are the same photo.
    assert_eq!(store.add_attachment(&bytes, "image/jpeg", None).unwrap(), name);
    assert_eq!(store.pending_attachment_count().unwrap(), 1);
    assert!(store.add_attachment(&[], "image/jpeg", None).is_err(), "an empty photo is refused");

    let pending = store.pending_attachments(10).unwrap();
    assert_eq!((pending[0].size, pending[0].uploaded), (10_000, 0));
    let pieces: Vec<u8> = [(0, 4096), (4096, 4096), (8192, 4096)]
        .into_iter()
        .flat_map(|(at, len)| store.attachment_piece(&name, at, len).unwrap().unwrap())
        .collect();
    assert_eq!(pieces, bytes, "the pieces make the whole");
    assert_eq!(store.attachment_piece("0".repeat(64).as_str(), 0, 10).unwrap(), None);

    store.set_attachment_uploaded(&name, 4096, false).unwrap();
    assert_eq!(store.pending_attachments(10).unwrap()[0].uploaded, 4096);
    store.set_attachment_uploaded(&name, 10_000, true).unwrap();
    assert_eq!(store.pending_attachment_count().unwrap(), 0);
    // Uploaded, it stays on the device.
    assert_eq!(store.attachment(&name).unwrap(), Some(bytes));
}
