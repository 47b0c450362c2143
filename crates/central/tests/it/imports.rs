//! Register imports: good files, and bad files rejected whole with the line
//! and the reason.

use jiff::Timestamp;
use steward_central::import::{ImportError, import_districts, import_households};

use crate::helpers::{HOUSEHOLDS_CSV, TestApp, spawn_app};

const HEADER: &str = "account_no,community,building,unit,room,resident_name,phone,heated_area_m2,status,lon,lat\n";
const GOOD_ROW: &str = "A-0009,鑫隆帝景城,5,1,501,孙七,13800000009,80,active,117.105,37.305\n";

async fn households(app: &TestApp, csv: String) -> Result<steward_central::import::ImportReport, String> {
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || import_households(&store, &csv, Timestamp::now()))
        .await
        .unwrap()
        .map_err(|e| e.to_string())
}

async fn household_count(app: &TestApp) -> i64 {
    let counts = app.store.read(|db| db.counts()).await.unwrap();
    counts.into_iter().find(|(t, _)| *t == "households").unwrap().1
}

#[tokio::test]
async fn a_good_register_imports_and_reimports_as_updates() {
    let app = spawn_app().await;
    assert_eq!(household_count(&app).await, 4);
    let report = households(&app, HOUSEHOLDS_CSV.to_owned()).await.unwrap();
    assert_eq!((report.created, report.updated), (0, 4));
    let report = households(&app, format!("{HEADER}{GOOD_ROW}")).await.unwrap();
    assert_eq!((report.created, report.updated), (1, 0));
    assert_eq!(household_count(&app).await, 5);
}

#[tokio::test]
async fn one_bad_row_rejects_the_whole_file_with_its_line() {
    let app = spawn_app().await;
    let cases = [
        (
            "A-0010,鑫隆帝景城,5,1,502,周八,13800000010,80,active,117.105,37.305\nA-0010,鑫隆帝景城,5,1,503,吴九,13800000011,80,active,117.105,37.305\n",
            "line 4",
            "repeats line 3",
        ),
        (
            "A-0011,鑫隆帝景城,5,1,502,周八,13800000010,80,active,117.105,97.5\n",
            "line 3",
            "not a valid longitude/latitude",
        ),
        ("A-0012,鑫隆帝景城,5,1,502,周八,13800000010,80,active,116.0,37.305\n", "line 3", "inside no district"),
        ("A-0013,鑫隆帝景城,5,1,502,周八,13800000010,80,frozen,117.105,37.305\n", "line 3", "status"),
        ("A-0014,鑫隆帝景城,5,1,502,周八,12345,80,active,117.105,37.305\n", "line 3", "phone"),
        ("A-0015,鑫隆帝景城,5,1,502,周八,13800000010,-3,active,117.105,37.305\n", "line 3", "heated area"),
        ("A-0016,鑫隆帝景城,five,1,502,周八,13800000010,80,active,117.105,37.305\n", "line 3", "building"),
        ("A-0017,鑫隆帝景城,5,1\n", "line 3", "columns"),
    ];
    for (rows, line, reason) in cases {
        let err = households(&app, format!("{HEADER}{GOOD_ROW}{rows}")).await.unwrap_err();
        assert!(err.contains(line) && err.contains(reason), "{err:?} lacks {line} / {reason}");
        assert_eq!(household_count(&app).await, 4, "the good row before {line} must not be written");
    }
    let err = households(&app, format!("account,community\n{GOOD_ROW}")).await.unwrap_err();
    assert!(err.contains("line 1"), "{err}");
}

#[tokio::test]
async fn bad_district_files_are_refused() {
    let app = spawn_app().await;
    let bowtie = serde_json::json!({"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "SH-09", "properties": {"steward": "steward1"},
        "geometry": {"type": "Polygon", "coordinates": [[[117.0, 37.0], [117.1, 37.1], [117.1, 37.0], [117.0, 37.1], [117.0, 37.0]]]}
    }]});
    let no_team = serde_json::json!({"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "SH-10", "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [[[117.3, 37.0], [117.4, 37.0], [117.4, 37.1], [117.3, 37.0]]]}
    }]});
    for (text, reason) in [
        (bowtie.to_string(), "self-intersect"),
        (no_team.to_string(), "needs a `steward`"),
        ("{".to_owned(), "GeoJSON"),
    ] {
        let store = app.store.clone();
        let err = tokio::task::spawn_blocking(move || import_districts(&store, &text, Timestamp::now()))
            .await
            .unwrap()
            .unwrap_err();
        assert!(matches!(err, ImportError::File(_)));
        assert!(err.to_string().contains(reason), "{err} lacks {reason}");
    }
    let districts = app.store.read(|db| db.district_boundaries()).await.unwrap();
    assert_eq!(districts.len(), 3);
}

#[tokio::test]
async fn the_command_line_import_reports_the_line_and_fails() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, format!("{HEADER}{GOOD_ROW}{GOOD_ROW}")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_steward-central"))
        .args(["import", "households"])
        .arg(&bad)
        .arg("--db")
        .arg(&app.db_path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3") && stderr.contains("repeats line 2"), "{stderr}");
    let good = dir.path().join("good.csv");
    std::fs::write(&good, format!("{HEADER}{GOOD_ROW}")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_steward-central"))
        .args(["import", "households"])
        .arg(&good)
        .arg("--db")
        .arg(&app.db_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(household_count(&app).await, 5);
}

#[tokio::test]
async fn the_demo_registers_import_into_an_empty_store() {
    let data = steward_demo::generate(&steward_demo::DemoConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = steward_central::store::Store::open(&dir.path().join("c.db")).unwrap();
    let org = data.clone();
    store
        .write(move |tx| {
            tx.put_utility(&org.utility)?;
            tx.put_centre(&org.centre)?;
            for t in &org.teams {
                tx.put_team(t)?;
            }
            for s in &org.staff {
                tx.put_staff(s)?;
            }
            Ok::<_, steward_central::store::StoreError>(())
        })
        .await
        .unwrap();
    let (geojson, csv) = (data.districts_geojson(), data.to_households_csv());
    let s = store.clone();
    let (districts, households) = tokio::task::spawn_blocking(move || {
        (
            import_districts(&s, &geojson, Timestamp::now()).unwrap(),
            import_households(&s, &csv, Timestamp::now()).unwrap(),
        )
    })
    .await
    .unwrap();
    assert_eq!(districts.created, data.districts.len());
    assert_eq!(households.created, data.households.len());
    // Point in polygon puts every household in the district the demo gave it.
    let by_code: std::collections::HashMap<_, _> = data.districts.iter().map(|d| (d.id, d.code.clone())).collect();
    let stored = store.read(|db| db.district_boundaries()).await.unwrap();
    let code_of: std::collections::HashMap<_, _> = stored.into_iter().map(|(id, code, _)| (id, code)).collect();
    for h in data.households.iter().step_by(97) {
        let account = h.account_no.to_string();
        let row = store.read(move |db| db.household_by_account(&account)).await.unwrap().unwrap();
        assert_eq!(code_of[&row.household.district_id], by_code[&h.district_id], "{}", h.account_no);
    }
}
