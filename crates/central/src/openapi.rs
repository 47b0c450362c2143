//! The OpenAPI 3.1 document, generated from the handlers and wire types.
//! A copy is committed at `crates/central/openapi.json`; a test fails when
//! they drift (regenerate with `steward-central openapi --write` or
//! `UPDATE_OPENAPI=1 cargo test -p steward-central`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::*;
use crate::cards::{__path_card, __path_qr_png};

#[derive(OpenApi)]
#[openapi(
    info(title = "Heat Steward central API", description = "供暖管家 central server: accounts, district-scoped access, hotline intake, sync, contact cards."),
    paths(healthz, login, logout, revoke, create_ticket, list_tickets, get_ticket, assign_ticket, list_households,
        get_household, push, pull, put_attachment, head_attachment, get_attachment, list_users, create_user, set_password, me, staff_photo, card, qr_png, get_policy, put_policy,
        candidates, positions, alerts, incidents, generate, list_callbacks,
        contradictions, record_outcome, scorecard, sla, callback_coverage, satisfaction, suspension_checks,
        contact_cards, open_sweep, list_sweeps, progress, sweep_report),
    modifiers(&Bearer),
    tags((name = "auth"), (name = "tickets"), (name = "households"), (name = "sync"), (name = "attachments"), (name = "users"), (name = "cards"), (name = "sla"), (name = "dispatch"), (name = "callbacks"), (name = "reports"), (name = "sweeps"), (name = "meta"))
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as pretty JSON with a final newline, as committed.
pub fn json() -> String {
    let mut text = document().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    text.push('\n');
    text
}

/// The committed copy's path.
pub const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

#[cfg(test)]
mod tests {
    use steward_domain::ground::HeatingStatus;
    use steward_domain::org::Role;
    use steward_domain::ticket::{TicketCategory, TicketStatus};

    /// The `enum` values of a component schema.
    fn enum_values(name: &str) -> Vec<String> {
        let doc = serde_json::to_value(super::document()).unwrap();
        doc["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("no enum schema {name}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn schema_enums_are_the_domain_codes() {
        let codes = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(enum_values("TicketCategory"), codes(TicketCategory::ALL.iter().map(|c| c.code()).collect()));
        assert_eq!(enum_values("TicketStatus"), codes(TicketStatus::ALL.iter().map(|c| c.code()).collect()));
        assert_eq!(enum_values("Role"), codes(Role::ALL.iter().map(|c| c.code()).collect()));
        assert_eq!(enum_values("HeatingStatus"), codes(HeatingStatus::ALL.iter().map(|c| c.code()).collect()));
    }

    #[test]
    fn committed_openapi_matches_the_code() {
        let generated = super::json();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(super::COMMITTED, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(super::COMMITTED).unwrap_or_default();
        assert!(
            committed == generated,
            "crates/central/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p steward-central --lib openapi`"
        );
        assert!(generated.contains("\"openapi\": \"3.1.0\""));
    }
}
