//! The TypeScript bindings in `ui/src/bindings/` are generated from the DTOs
//! in `steward_device::dto` and committed. This test regenerates them into a
//! temporary directory and fails when the committed files differ.
//!
//! To update them after changing a DTO:
//! `UPDATE_BINDINGS=1 cargo test -p steward-device --test bindings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use steward_device::dto::{
    BuildingDto, CommunityDto, ContactCardDto, ErrorDto, HouseholdDetailDto, HouseholdHitDto, HouseholdRowDto,
    PendingDto, RecordedVisitDto, TodayDto, UnitDto, VisitInput,
};
use ts_rs::{Config, TS};

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings")
}

/// Writes every DTO the UI uses, with its dependencies, into `dir`.
fn export_all(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir);
    TodayDto::export_all(&cfg).unwrap();
    CommunityDto::export_all(&cfg).unwrap();
    BuildingDto::export_all(&cfg).unwrap();
    UnitDto::export_all(&cfg).unwrap();
    HouseholdRowDto::export_all(&cfg).unwrap();
    HouseholdHitDto::export_all(&cfg).unwrap();
    HouseholdDetailDto::export_all(&cfg).unwrap();
    VisitInput::export_all(&cfg).unwrap();
    RecordedVisitDto::export_all(&cfg).unwrap();
    PendingDto::export_all(&cfg).unwrap();
    ContactCardDto::export_all(&cfg).unwrap();
    ErrorDto::export_all(&cfg).unwrap();
    steward_device::dto::TicketDetailDto::export_all(&cfg).unwrap();
    steward_device::dto::TicketActionInput::export_all(&cfg).unwrap();
    steward_device::dto::TicketActionResultDto::export_all(&cfg).unwrap();
    steward_device::dto::LocationFixDto::export_all(&cfg).unwrap();
    steward_device::dto::SyncPanelDto::export_all(&cfg).unwrap();
    steward_device::dto::SlaAlertDto::export_all(&cfg).unwrap();
    steward_device::dto::StartStateDto::export_all(&cfg).unwrap();
    steward_device::map::MapViewDto::export_all(&cfg).unwrap();
    steward_device::lead::DispatchBoardDto::export_all(&cfg).unwrap();
    steward_device::lead::CandidatesDto::export_all(&cfg).unwrap();
    steward_device::lead::TeamMapDto::export_all(&cfg).unwrap();
    steward_device::lead::LeadStatusDto::export_all(&cfg).unwrap();
    steward_device::lead::ResponseTimesDto::export_all(&cfg).unwrap();
    steward_device::doortag::DoorTagSheetDto::export_all(&cfg).unwrap();
}

/// The `.ts` files of `dir` by name, with their text.
fn ts_files(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return BTreeMap::new() };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ts"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

#[test]
fn committed_typescript_bindings_match_the_rust_dtos() {
    let fresh = tempfile::tempdir().unwrap();
    export_all(fresh.path());
    let generated = ts_files(fresh.path());
    assert!(generated.contains_key("TodayDto.ts"), "{:?}", generated.keys());

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let dir = committed_dir();
        std::fs::create_dir_all(&dir).unwrap();
        for stale in ts_files(&dir).keys().filter(|name| !generated.contains_key(*name)) {
            std::fs::remove_file(dir.join(stale)).unwrap();
        }
        for (name, text) in &generated {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }

    let committed = ts_files(&committed_dir());
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&generated),
        "ui/src/bindings/ holds other files than the DTOs generate; \
         run `UPDATE_BINDINGS=1 cargo test -p steward-device --test bindings`"
    );
    for (name, text) in &generated {
        assert_eq!(
            committed[name], *text,
            "ui/src/bindings/{name} drifted from the Rust DTO; \
             run `UPDATE_BINDINGS=1 cargo test -p steward-device --test bindings`"
        );
    }
}
