use rusqlite::Connection;
use steward_store::{SCHEMA_VERSION, Store, StoreError};

const TABLES: [&str; 16] = [
    "meta",
    "teams",
    "staff",
    "districts",
    "stations",
    "communities",
    "buildings",
    "units",
    "households",
    "household_fts",
    "tickets",
    "ticket_events",
    "visits",
    "outbox",
    "needs_attention",
    "pull_parked",
];

#[test]
fn an_empty_database_is_migrated_to_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_owned()]);
    drop(store);

    let raw = Connection::open(&path).unwrap();
    let version: i64 = raw.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = raw.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    for table in TABLES {
        let n: i64 = raw
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1, "table {table} exists");
    }
    let outbox_sql: String =
        raw.query_row("SELECT sql FROM sqlite_master WHERE name = 'outbox'", [], |r| r.get(0)).unwrap();
    // No AUTOINCREMENT: SQLite numbers a new entry max(seq) + 1 (see 0001_init.sql).
    assert!(!outbox_sql.contains("AUTOINCREMENT"));
    assert!(outbox_sql.contains("CHECK (lane IN ('priority', 'bulk'))"));
}

#[test]
fn reopening_runs_no_migration_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut store = Store::open(&path).unwrap();
    store.set_meta("device_id", "d-1").unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.meta("device_id").unwrap().as_deref(), Some("d-1"));
}

#[test]
fn a_database_from_a_newer_app_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    drop(Store::open(&path).unwrap());
    let raw = Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", SCHEMA_VERSION + 7).unwrap();
    drop(raw);
    match Store::open(&path) {
        Err(StoreError::SchemaTooNew { found, supported }) => {
            assert_eq!(found, SCHEMA_VERSION + 7);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        Err(other) => panic!("expected SchemaTooNew, got {other}"),
        Ok(_) => panic!("expected SchemaTooNew, the store opened"),
    }
}

#[test]
fn foreign_keys_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut store = Store::open(&path).unwrap();
    let mut g = crate::support::ground();
    g.communities[0].district_id = crate::support::id(0xDEAD);
    assert!(matches!(store.load_ground(&g), Err(StoreError::Sqlite(_))));
    assert_eq!(store.stats().unwrap().communities, 0, "a failed load writes nothing");
}
