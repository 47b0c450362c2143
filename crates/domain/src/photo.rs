//! Photos on a contact card (管家名片): which bytes count as one. Both the
//! device (before it keeps a photo) and the central (before it names one on
//! a staff record) judge by these rules, so they cannot disagree.

/// The image format of some bytes by their signature: JPEG, PNG, GIF or
/// WebP. Anything else is not a card photo; SVG in particular is refused,
/// since it can carry script.
pub fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// The first bytes [`image_kind`] needs.
pub const SIGNATURE_LEN: usize = 12;

/// Whether `name` is a SHA-256 in lowercase hex (an attachment's name).
pub fn is_sha256(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_signature() {
        assert_eq!(image_kind(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some("image/jpeg"));
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(image_kind(b"GIF89a.."), Some("image/gif"));
        assert_eq!(image_kind(b"GIF87a"), Some("image/gif"));
        assert_eq!(image_kind(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_kind(b"<svg xmlns=..."), None, "SVG can carry script: not a card photo");
        assert_eq!(image_kind(b"hello, this is text"), None);
        assert_eq!(image_kind(b""), None);
    }

    #[test]
    fn attachment_names_are_lowercase_sha256() {
        assert!(is_sha256(&"a".repeat(64)));
        assert!(is_sha256(&"0123456789abcdef".repeat(4)));
        assert!(!is_sha256(&"A".repeat(64)) && !is_sha256("abc") && !is_sha256(&"g".repeat(64)));
    }
}
