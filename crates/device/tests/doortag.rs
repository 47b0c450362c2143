//! Printable door tags from what the device holds: one household's and a
//! whole building's, each QR decoding back to the household's tag.

use jiff::Timestamp;
use steward_device::Device;
use steward_device::doortag::DoorTagDto;
use steward_domain::ids::DeviceId;

fn device() -> (tempfile::TempDir, Device) {
    let dir = tempfile::tempdir().unwrap();
    let device = Device::open(dir.path()).unwrap();
    device.bootstrap_demo("steward1", DeviceId::new_v7(Timestamp::UNIX_EPOCH, [7; 10])).unwrap();
    (dir, device)
}

/// Draws the SVG as the qrcode crate writes it (a white rect, then one path
/// of `M{x} {y}h{w}v{h}H{x}V{y}` rectangles) and reads it with a QR decoder.
fn decode_svg(svg: &str) -> String {
    let attr = |name: &str| -> usize {
        let start = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[start..].split('"').next().unwrap().parse().unwrap()
    };
    let (w, h) = (attr("width"), attr("height"));
    let mut dark = vec![false; w * h];
    let d_start = svg.find(" d=\"").unwrap() + 4;
    let d = svg[d_start..].split('"').next().unwrap();
    for rect in d.split('M').filter(|r| !r.is_empty()) {
        let nums: Vec<usize> =
            rect.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()).map(|n| n.parse().unwrap()).collect();
        let [x, y, rw, rh, ..] = nums[..] else { panic!("odd path piece {rect}") };
        for yy in y..y + rh {
            for xx in x..x + rw {
                dark[yy * w + xx] = true;
            }
        }
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| if dark[y * w + x] { 0 } else { 255 });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the SVG");
    grids[0].decode().unwrap().1
}

fn assert_tag(t: &DoorTagDto) {
    assert_eq!(t.tag, format!("HH:{}", t.account_no));
    assert_eq!(t.address, format!("{} {}号楼 {}单元 {}室", t.community, t.building_no, t.unit_no, t.room));
    assert_eq!(decode_svg(&t.qr_svg), t.tag, "the printed QR reads back as the tag");
}

#[test]
fn a_households_tag_decodes_to_its_account_number() {
    let (_dir, device) = device();
    let community = device.communities().unwrap().remove(0);
    let building = device.buildings(&community.id).unwrap().remove(0);
    let unit = device.units(&building.id).unwrap().remove(0);
    let row = device.households_in_unit(&unit.id).unwrap().remove(0);
    let detail = device.household(&row.id).unwrap();
    let sheet = device.household_door_tag(&row.id).unwrap();
    assert_eq!(sheet.tags.len(), 1);
    let tag = &sheet.tags[0];
    assert_eq!((tag.household_id.as_str(), tag.account_no.as_str()), (detail.id.as_str(), detail.account_no.as_str()));
    assert_eq!(sheet.title, tag.address);
    assert_tag(tag);
    assert_eq!(device.door_tags(&row.id, false).unwrap(), sheet);
    // From the household's page, its whole building.
    let building_sheet = device.door_tags(&row.id, true).unwrap();
    assert_eq!(building_sheet, device.building_door_tags(&building.id).unwrap());
    assert!(building_sheet.tags.iter().any(|t| t.tag == tag.tag) && building_sheet.tags.len() > 1);
}

#[test]
fn a_buildings_sheet_has_every_household_in_unit_and_room_order() {
    let (_dir, device) = device();
    let community = device.communities().unwrap().remove(0);
    let building = device.buildings(&community.id).unwrap().remove(0);
    let mut expected = Vec::new();
    for unit in device.units(&building.id).unwrap() {
        for h in device.households_in_unit(&unit.id).unwrap() {
            expected.push((unit.number, h.account_no));
        }
    }
    assert!(expected.len() > 1, "a demo building has several households");
    let sheet = device.building_door_tags(&building.id).unwrap();
    assert_eq!(sheet.title, format!("{} {}号楼", community.name, building.number));
    let got: Vec<(u32, String)> = sheet.tags.iter().map(|t| (t.unit_no, t.account_no.clone())).collect();
    assert_eq!(got, expected);
    assert!(sheet.tags.iter().all(|t| t.community == community.name && t.building_no == building.number));
    for tag in sheet.tags.iter().step_by(sheet.tags.len().div_ceil(4)) {
        assert_tag(tag);
    }
}

#[test]
fn unknown_or_bad_ids_are_codes() {
    let (_dir, device) = device();
    let unknown = "0190a000-0000-7000-8000-000000000000";
    assert_eq!(device.household_door_tag(unknown).unwrap_err().code(), "not_found");
    assert_eq!(device.building_door_tags(unknown).unwrap_err().code(), "not_found");
    assert_eq!(device.building_door_tags("nope").unwrap_err().code(), "bad_id");
}
