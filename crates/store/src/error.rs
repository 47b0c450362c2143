//! The store's typed errors.

/// Everything that can go wrong in the device store. Callers match on the
/// variants; none of them is a panic.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database has schema version {found}, newer than version {supported} that this app knows; update the app"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("{entity} {id} is not on this device")]
    NotFound { entity: &'static str, id: String },
    #[error("{entity} {id} already exists")]
    Duplicate { entity: &'static str, id: String },
    #[error("invalid data: {0}")]
    Invalid(String),
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Whether an error is a UNIQUE or PRIMARY KEY constraint violation.
pub(crate) fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::ConstraintViolation))
        && matches!(
            err,
            rusqlite::Error::SqliteFailure(e, _)
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
}
