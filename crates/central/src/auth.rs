//! Passwords, bearer tokens and the caller of a request.
//!
//! Passwords are kept as argon2id PHC strings. A bearer token is 32 random
//! bytes shown once to the client; the store keeps only its SHA-256, so a
//! copy of the database does not hold live tokens. Neither a password nor a
//! token is ever logged.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};
use steward_domain::org::Role;

use crate::error::AppError;
use crate::server::AppState;
use crate::store::{Principal, Scope, millis};

/// The cost of argon2id password hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordPolicy {
    /// The OWASP recommendation: 19 MiB, 2 iterations, 1 lane.
    fn default() -> Self {
        PasswordPolicy { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

impl PasswordPolicy {
    /// A cheap policy for tests and demo data only.
    pub fn insecure_fast() -> Self {
        PasswordPolicy { memory_kib: 256, iterations: 1, parallelism: 1 }
    }

    fn hasher(self) -> anyhow::Result<Argon2<'static>> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Hashes a password to an argon2id PHC string with a random salt.
pub fn hash_password(policy: PasswordPolicy, password: &str) -> anyhow::Result<String> {
    let hash = policy.hasher()?.hash_password(password.as_bytes()).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string; a malformed hash never
/// matches.
pub fn verify_password(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// A fresh bearer token: `hst_` and 64 hex digits of randomness.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("hst_{}", hex::encode(bytes))
}

/// The SHA-256 of a token, the only form the store keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Ten random bytes for a UUIDv7.
pub fn random10() -> [u8; 10] {
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// Whether a role is shown residents' phone numbers in full. Stewards and
/// team leads call residents about visits and tickets; the hotline calls
/// back. Admins manage accounts and imports and see them masked.
pub fn sees_phone(role: Role) -> bool {
    matches!(role, Role::Steward | Role::TeamLead | Role::HotlineAgent)
}

/// The authenticated caller of a request and what it may see.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub scope: Scope,
}

impl Caller {
    pub fn role(&self) -> Role {
        self.principal.role
    }

    /// Whether the caller is `staff` themselves, the team lead of their
    /// team, or an admin: who sees a staff member's own records (their
    /// card photo, their scorecard).
    pub fn oversees(&self, staff: &steward_domain::org::Staff) -> bool {
        let p = &self.principal;
        staff.id == p.user_id
            || p.role == Role::Admin
            || (p.role == Role::TeamLead && p.team_id.is_some() && staff.team_id == p.team_id)
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.principal.role) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!("the role {} may not do this", self.principal.role.code())))
        }
    }
}

/// The token of an `Authorization: Bearer …` header.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = bearer(parts).ok_or_else(|| AppError::unauthorized("a bearer token is required"))?;
        let hash = token_hash(token);
        let now_ms = millis(state.clock.now());
        let caller = state
            .store
            .read(move |db| {
                let Some(principal) = db.principal_by_token(&hash, now_ms)? else { return Ok(None) };
                let scope = db.scope_for(principal.user_id, principal.role, principal.team_id)?;
                Ok(Some(Caller { principal, scope }))
            })
            .await?;
        caller.ok_or_else(|| AppError::unauthorized("the token is unknown, expired or revoked"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let phc = hash_password(PasswordPolicy::insecure_fast(), "heat-demo").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password(&phc, "heat-demo"));
        assert!(!verify_password(&phc, "heat-demo!"));
        assert!(!verify_password("not a hash", "heat-demo"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
