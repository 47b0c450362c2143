//! The steward's contact card (管家名片): the card's text, the vCard behind
//! its QR code, and the QR code itself as SVG, all made on the device so a
//! resident's phone camera saves the contact with no network.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use steward_domain::ids::MutationId;
use steward_domain::org::HOTLINE;
use steward_domain::vcard::{ContactCard, RESPONSE_PROMISE, to_vcard};
use steward_store::MutationMeta;

use crate::Device;
use crate::dto::ContactCardDto;
use crate::input::InputError;
use crate::visits::Stamp;

/// Device settings (`meta` keys) naming the organisation on the card,
/// written by [`Device::set_card_org`]. Until they are written the card
/// leaves those lines out.
pub mod card_keys {
    pub const TEAM_NAME: &str = "card.team_name";
    pub const CENTRE_NAME: &str = "card.centre_name";
    pub const UTILITY_NAME: &str = "card.utility_name";
}

/// Why the card cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("the steward has no mobile number on record, so the card has nothing to call")]
    NoMobile,
    #[error("the card text could not be encoded as a QR code: {0}")]
    Qr(String),
    #[error("the photo is not an image the card can show (JPEG, PNG, GIF or WebP)")]
    NotAnImage,
    #[error("the photo is {0} bytes; a card photo is at most {MAX_PHOTO_BYTES} (scale it down first)")]
    PhotoTooLarge(usize),
}

/// The largest card photo the device keeps, in bytes. The UI scales photos
/// to at most 480 px as JPEG first, which comes to some tens of kilobytes.
pub const MAX_PHOTO_BYTES: usize = 1 << 20;

use steward_domain::photo::image_kind;

/// The bytes of a `data:` URL with base64 content (what a canvas's
/// `toDataURL` gives), or of plain base64.
pub fn data_url_bytes(text: &str) -> Option<Vec<u8>> {
    let body = match text.strip_prefix("data:") {
        Some(rest) => rest.split_once(";base64,")?.1,
        None => text,
    };
    STANDARD.decode(body.trim()).ok()
}

/// A `data:` URL of an image, for the UI's `<img src>`.
pub fn data_url(content_type: &str, bytes: &[u8]) -> String {
    format!("data:{content_type};base64,{}", STANDARD.encode(bytes))
}

/// The QR code of `text`, error correction level M (survives a creased card).
fn qr_code(text: &str) -> Result<QrCode, CardError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| CardError::Qr(e.to_string()))
}

/// The QR code of `text` as an SVG document: black modules on white with the
/// standard quiet zone.
pub fn qr_svg(text: &str) -> Result<String, CardError> {
    Ok(qr_code(text)?
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// The organisation printed on the card: the steward's team (供暖管家服务队),
/// service centre (供热服务中心) and utility (热力集团).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardOrg {
    pub team: String,
    pub centre: String,
    pub utility: String,
}

impl Device {
    /// Remembers the organisation names the card prints. The store keeps no
    /// names above the team id, so whoever loads the steward's slice (the
    /// first start, later the sync engine) hands them over here.
    pub fn set_card_org(&self, org: &CardOrg) -> Result<(), InputError> {
        let mut store = self.store();
        store.set_meta(card_keys::TEAM_NAME, org.team.trim())?;
        store.set_meta(card_keys::CENTRE_NAME, org.centre.trim())?;
        store.set_meta(card_keys::UTILITY_NAME, org.utility.trim())?;
        Ok(())
    }

    /// Sets the photo on the steward's card from the image's bytes (a
    /// `data:` URL or base64, as the UI sends it after scaling it down):
    /// kept on the device, named by its SHA-256, uploaded by the attachments
    /// lane, and a `staff_photo` change tells the central (one transaction).
    /// Returns the card with the new photo.
    pub fn set_card_photo(&self, image: &str, stamp: Stamp) -> Result<ContactCardDto, InputError> {
        let bytes = data_url_bytes(image).ok_or(CardError::NotAnImage)?;
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(CardError::PhotoTooLarge(bytes.len()).into());
        }
        let kind = image_kind(&bytes).ok_or(CardError::NotAnImage)?;
        let steward = self.profile()?.steward.id;
        let meta =
            MutationMeta { mutation_id: MutationId::new_v7(stamp.at, stamp.mutation_random), device_time: stamp.at };
        self.store().set_staff_photo(steward, &bytes, kind, &meta)?;
        self.notify_local_write();
        self.contact_card()
    }

    /// The signed-in steward's contact card with its vCard and QR code.
    pub fn contact_card(&self) -> Result<ContactCardDto, InputError> {
        let profile = self.profile()?;
        let store = self.store();
        let name = |key: &str| store.meta(key).map(Option::unwrap_or_default);
        let steward = profile.steward;
        let mobile = steward.mobile.ok_or(CardError::NoMobile)?;
        let card = ContactCard {
            display_name: steward.display_name,
            mobile,
            team: name(card_keys::TEAM_NAME)?,
            centre: name(card_keys::CENTRE_NAME)?,
            utility: name(card_keys::UTILITY_NAME)?,
            employee_no: steward.employee_no,
            districts: profile.districts.into_iter().map(|d| d.name).collect(),
        };
        // The photo stays out of the vCard: inside the QR code it would
        // make the code too dense to print small or scan on a creased card.
        let vcard = to_vcard(&card)?;
        let qr_svg = qr_svg(&vcard)?;
        let photo = store.staff_photo()?.map(|p| data_url(&p.content_type, &p.bytes));
        Ok(ContactCardDto {
            display_name: card.display_name,
            employee_no: card.employee_no,
            mobile: card.mobile.to_string(),
            team: card.team,
            centre: card.centre,
            utility: card.utility,
            districts: card.districts,
            hotline: HOTLINE.to_owned(),
            promise: RESPONSE_PROMISE.to_owned(),
            vcard,
            qr_svg,
            photo,
        })
    }
}

#[cfg(test)]
mod tests {
    use steward_domain::ground::PhoneNumber;

    use super::*;

    /// Draws the code's modules at 4 px each with a 4-module quiet zone and
    /// reads it back with a QR decoder, as a phone camera would.
    fn decode(code: &QrCode) -> String {
        let modules = code.width();
        let scale = 4;
        let side = (modules + 8) * scale;
        let colors = code.to_colors();
        let dark = |x: usize, y: usize| {
            let (mx, my) = ((x / scale).checked_sub(4), (y / scale).checked_sub(4));
            match (mx, my) {
                (Some(mx), Some(my)) if mx < modules && my < modules => {
                    colors[my * modules + mx] == qrcode::Color::Dark
                }
                _ => false,
            }
        };
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| if dark(x, y) { 0 } else { 255 });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    #[test]
    fn a_photo_arrives_as_a_data_url_and_must_be_an_image() {
        let jpeg = b"\xFF\xD8\xFF\xE0 face";
        let url = data_url("image/jpeg", jpeg);
        assert!(url.starts_with("data:image/jpeg;base64,"), "{url}");
        assert_eq!(data_url_bytes(&url).as_deref(), Some(jpeg.as_slice()));
        assert_eq!(data_url_bytes(&STANDARD.encode(jpeg)).as_deref(), Some(jpeg.as_slice()));
        assert_eq!(data_url_bytes("data:image/jpeg,not-base64"), None);
        assert_eq!(data_url_bytes("data:image/png;base64,@@@"), None);
    }

    #[test]
    fn the_qr_code_holds_the_whole_vcard_in_chinese() {
        let card = ContactCard {
            display_name: "欧阳娜娜".into(),
            mobile: PhoneNumber::parse("13812345678").unwrap(),
            team: "供暖管家一队".into(),
            centre: "商河供热服务中心".into(),
            utility: "济南热力集团".into(),
            employee_no: "SH1001".into(),
            districts: vec!["城区一片区".into(), "城区二片区".into()],
        };
        let vcard = to_vcard(&card).unwrap();
        assert_eq!(decode(&qr_code(&vcard).unwrap()), vcard);
        let svg = qr_svg(&vcard).unwrap();
        assert!(svg.contains("<svg") && svg.contains("fill=\"#000000\""), "{svg:.200}");
    }
}
