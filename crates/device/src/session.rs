//! Signing in (登录): the steward's username and password against the
//! configured central, a remembered token, and signing out. The token is
//! kept on the device (`meta`), so an offline start goes straight to the
//! last signed-in steward's work; the password is kept in memory only,
//! while the app runs, to sign in again when the token expires.

use std::sync::{Arc, Mutex};

use steward_domain::ground::PhoneNumber;
use steward_domain::ids::{DeviceId, DistrictId, TeamId, UserId};
use steward_domain::org::{Role, Staff};
use steward_protocol::{AttachmentStatus, ErrorBody, PullResponse, PushRequest, PushResponse};
use steward_store::meta_keys;
use steward_sync::{AttachmentPiece, Credentials, HttpTransport, SyncConfig, SystemClock, Transport, TransportError};

use crate::card::{CardOrg, card_keys};
use crate::dto::{SessionDto, StartStateDto};
use crate::input::InputError;
use crate::{Device, DeviceError};

/// Device settings of the remembered session.
pub mod session_keys {
    pub const USERNAME: &str = "session.username";
    pub const TOKEN: &str = "session.token";
    pub const CENTRAL: &str = "session.central";
}

/// What the sync signs in with: the remembered token first, then the
/// password if the steward typed it since the app started. Signing out
/// empties it, so the sync stops reaching the central.
#[derive(Debug, Default)]
pub struct SessionSecrets {
    token: Option<String>,
    password: Option<String>,
}

/// The central's transport with the session's secrets.
struct SessionTransport {
    inner: HttpTransport,
    secrets: Arc<Mutex<SessionSecrets>>,
}

impl SessionTransport {
    fn secrets(&self) -> std::sync::MutexGuard<'_, SessionSecrets> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Transport for SessionTransport {
    async fn login(&self, credentials: &Credentials) -> Result<String, TransportError> {
        let (token, password) = {
            let mut s = self.secrets();
            (s.token.take(), s.password.clone())
        };
        if let Some(token) = token {
            return Ok(token);
        }
        let Some(password) = password else {
            return Err(TransportError::Unauthorized(ErrorBody::new("signed_out", "sign in again to sync")));
        };
        self.inner.login(&Credentials { password, ..credentials.clone() }).await
    }

    async fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse, TransportError> {
        self.inner.push(token, request).await
    }

    async fn pull(&self, token: &str, cursor: Option<&str>, limit: u32) -> Result<PullResponse, TransportError> {
        self.inner.pull(token, cursor, limit).await
    }

    async fn attachment_offset(&self, token: &str, sha256: &str) -> Result<Option<(u64, bool)>, TransportError> {
        self.inner.attachment_offset(token, sha256).await
    }

    async fn put_attachment(&self, token: &str, piece: AttachmentPiece) -> Result<AttachmentStatus, TransportError> {
        self.inner.put_attachment(token, piece).await
    }
}

fn central_error(e: TransportError) -> InputError {
    match e {
        TransportError::Unauthorized(b) => InputError::SignIn { code: "bad_credentials", message: b.message },
        TransportError::Network(m) => InputError::SignIn { code: "central_unreachable", message: m },
        other => InputError::SignIn { code: "central", message: other.to_string() },
    }
}

impl Device {
    /// The remembered session, if a steward signed in on this device.
    pub fn session(&self) -> Result<Option<SessionDto>, InputError> {
        let store = self.store();
        let Some(username) = store.meta(session_keys::USERNAME)?.filter(|u| !u.is_empty()) else { return Ok(None) };
        let central = store.meta(session_keys::CENTRAL)?.unwrap_or_default();
        drop(store);
        let display_name = self.profile().map(|p| p.steward.display_name).unwrap_or_default();
        Ok(Some(SessionDto { username, display_name, central }))
    }

    /// Signs out: the remembered token is forgotten and the sync can no
    /// longer sign in; the work on the device stays (unsynced records are
    /// never dropped) and goes up after the next sign-in.
    pub fn sign_out(&self) -> Result<(), InputError> {
        {
            let mut store = self.store();
            for key in [session_keys::USERNAME, session_keys::TOKEN] {
                store.set_meta(key, "")?;
            }
        }
        let mut secrets = self.secrets.lock().unwrap_or_else(|p| p.into_inner());
        *secrets = SessionSecrets::default();
        Ok(())
    }

    pub(crate) fn remember(&self, username: &str, token: &str, central: &str) -> Result<(), InputError> {
        let mut store = self.store();
        store.set_meta(session_keys::USERNAME, username)?;
        store.set_meta(session_keys::TOKEN, token)?;
        store.set_meta(session_keys::CENTRAL, central)?;
        Ok(())
    }

    /// Starts the background sync signing in with the session's secrets
    /// (once per app run; later sign-ins only change the secrets).
    fn start_session_sync(self: &Arc<Self>, base: &str) -> Result<(), InputError> {
        if self.sync.get().is_some() {
            return Ok(());
        }
        let profile = self.profile()?;
        let inner = HttpTransport::new(base, crate::sync::REQUEST_TIMEOUT).map_err(central_error)?;
        let transport = SessionTransport { inner, secrets: Arc::clone(&self.secrets) };
        let credentials =
            Credentials { username: profile.steward.username, password: String::new(), device_id: profile.device_id };
        let mut config = SyncConfig::new(credentials);
        config.seed = profile.device_id.map_or(0, |id| id.as_uuid().as_u64_pair().1);
        self.attach_sync(steward_sync::spawn(Arc::clone(self), transport, SystemClock, config));
        Ok(())
    }
}

impl Device {
    /// What the app shows first: the sign-in screen when a central is
    /// configured and no steward is signed in (and no sync runs), else the
    /// work on the device, online or not.
    pub fn start_state(&self, central: Option<&str>) -> Result<StartStateDto, InputError> {
        let session = self.session()?;
        let needs_sign_in = central.is_some() && session.is_none();
        Ok(StartStateDto { central: central.map(str::to_owned), session, needs_sign_in })
    }
}

/// Keeps the central's response-time policy (`GET /api/v1/sla/policy`) on
/// the device, for the clock and the check-in fence offline. A policy that
/// cannot be fetched or read leaves the one the device has.
async fn fetch_policy(device: &Device, http: &HttpTransport, token: &str) {
    let Ok(policy) = http.get_json::<steward_domain::sla::SlaPolicy>(token, "/api/v1/sla/policy").await else { return };
    if let Ok(json) = serde_json::to_string(&policy) {
        let _ = device.store().set_meta(crate::tickets::SLA_POLICY_KEY, &json);
    }
}

/// Signs out and, when the central answers, revokes the remembered token
/// there, so the running sync (which holds the same token) is refused and
/// cannot sign in again. Offline, the token is forgotten on the device and
/// expires at the central on its own. Returns whether the central revoked it.
pub async fn sign_out_at_central(device: &Arc<Device>) -> Result<bool, InputError> {
    let (token, central) = {
        let store = device.store();
        (store.meta(session_keys::TOKEN)?.filter(|t| !t.is_empty()), store.meta(session_keys::CENTRAL)?)
    };
    device.sign_out()?;
    let (Some(token), Some(central)) = (token, central) else { return Ok(false) };
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| InputError::SignIn { code: "central", message: e.to_string() })?;
    let url = format!("{}/api/v1/auth/logout", central.trim_end_matches('/'));
    Ok(matches!(client.post(url).bearer_auth(token).send().await, Ok(r) if r.status().is_success()))
}

/// The remembered session's sync at start, with no network needed: the
/// steward goes straight to their work; the sync signs in with the
/// remembered token when the central answers. Returns whether a session
/// was remembered. Call it inside the app's tokio runtime.
pub fn resume_session(device: &Arc<Device>, base: &str) -> Result<bool, InputError> {
    let token = {
        let store = device.store();
        match (store.meta(session_keys::USERNAME)?, store.meta(session_keys::TOKEN)?) {
            (Some(user), Some(token)) if !user.is_empty() && !token.is_empty() => token,
            _ => return Ok(false),
        }
    };
    device.secrets.lock().unwrap_or_else(|p| p.into_inner()).token = Some(token);
    device.start_session_sync(base)?;
    Ok(true)
}

/// The signed-in user as the central describes them (`GET /api/v1/me`),
/// read leniently: a field a newer central adds is ignored.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct CentralMe {
    pub staff_id: UserId,
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub employee_no: String,
    #[serde(default)]
    pub mobile: Option<String>,
    pub role: Role,
    #[serde(default)]
    pub team: Option<CentralTeam>,
    #[serde(default)]
    pub centre_name: Option<String>,
    #[serde(default)]
    pub utility_name: Option<String>,
    #[serde(default)]
    pub district_ids: Vec<DistrictId>,
    /// The SHA-256 of the contact card's photo.
    #[serde(default)]
    pub photo: Option<String>,
}

/// A team by id and name.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct CentralTeam {
    pub id: TeamId,
    pub name: String,
}

impl CentralMe {
    /// The staff row the device keeps. A mobile number the domain does not
    /// take is left out (the card then says it has nothing to call).
    pub fn staff(&self) -> Staff {
        Staff {
            id: self.staff_id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            team_id: self.team.as_ref().map(|t| t.id),
            employee_no: self.employee_no.clone(),
            mobile: self.mobile.as_deref().and_then(|m| PhoneNumber::parse(m).ok()),
        }
    }

    /// The organisation names the card prints.
    pub fn card_org(&self) -> CardOrg {
        CardOrg {
            team: self.team.as_ref().map(|t| t.name.clone()).unwrap_or_default(),
            centre: self.centre_name.clone().unwrap_or_default(),
            utility: self.utility_name.clone().unwrap_or_default(),
        }
    }
}

/// The card's organisation names as the device's settings.
fn card_settings(org: &CardOrg) -> [(&'static str, &str); 3] {
    [
        (card_keys::TEAM_NAME, org.team.trim()),
        (card_keys::CENTRE_NAME, org.centre.trim()),
        (card_keys::UTILITY_NAME, org.utility.trim()),
    ]
}

/// The signed-in user's profile at the central. A refused token is
/// `unauthorized`, no answer `central_unreachable`, anything else `central`,
/// each with the reason.
pub async fn fetch_me(http: &HttpTransport, token: &str) -> Result<CentralMe, InputError> {
    http.get_json(token, "/api/v1/me").await.map_err(|e| match e {
        TransportError::Unauthorized(b) => InputError::SignIn { code: "unauthorized", message: b.message },
        TransportError::Network(m) | TransportError::Tls(m) => {
            InputError::SignIn { code: "central_unreachable", message: m }
        }
        TransportError::Server { body, .. } => InputError::SignIn { code: "central", message: body.message },
        other => InputError::SignIn { code: "central", message: format!("the profile did not read: {other}") },
    })
}

/// The photo the central holds under `sha256`, when it is whole there and
/// its bytes are an image with that name.
async fn fetch_photo(http: &HttpTransport, token: &str, sha256: &str) -> Option<(Vec<u8>, &'static str)> {
    let bytes = http.get_bytes(token, &format!("/api/v1/attachments/{sha256}")).await.ok()?;
    let kind = steward_domain::photo::image_kind(&bytes)?;
    (steward_store::content_name(&bytes) == sha256).then_some((bytes, kind))
}

impl Device {
    /// Makes the central's `me` this device's steward, in one store
    /// transaction: the staff row, the device id, the card's organisation
    /// names and the steward id. Their districts, households and tickets
    /// then arrive by the sync's pull. A device holding someone else refuses.
    pub fn adopt_profile(&self, me: &CentralMe, device_id: DeviceId) -> Result<(), InputError> {
        let org = me.card_org();
        let device_id = device_id.to_string();
        let mut settings = vec![(meta_keys::DEVICE_ID, device_id.as_str())];
        settings.extend(card_settings(&org));
        self.store().adopt_staff(&me.staff(), &settings).map_err(|e| match e {
            steward_store::StoreError::Invalid(message) => InputError::SignIn { code: "other_steward", message },
            other => InputError::from(other),
        })
    }

    /// Refreshes the steward's row and card names from the central (their
    /// mobile or team may have changed); the device id stays.
    fn refresh_profile(&self, me: &CentralMe) -> Result<(), InputError> {
        let org = me.card_org();
        self.store().adopt_staff(&me.staff(), &card_settings(&org)).map_err(InputError::from)
    }

    /// Brings the card's photo the steward set elsewhere, when this device
    /// has none of its own yet (checked again as it is stored: one taken
    /// while this was on its way wins).
    async fn take_photo_from_central(&self, me: &CentralMe, http: &HttpTransport, token: &str) {
        let Some(sha) = me.photo.as_deref() else { return };
        if self.store().staff_photo().ok().flatten().is_some() {
            return;
        }
        if let Some((bytes, kind)) = fetch_photo(http, token, sha).await {
            let _ = self.store().keep_staff_photo(me.staff_id, &bytes, kind);
        }
    }
}

/// Signs in at the central `base` with the steward's username and password.
/// A device that holds no steward yet reads the steward's profile from the
/// central (`GET /api/v1/me`) and keeps it; their work then arrives by the
/// sync's pull, so any account the central knows can use a fresh device. A
/// device that holds another steward's work refuses (`other_steward`). The
/// token is remembered and the background sync starts. Call it inside the
/// app's tokio runtime.
pub async fn sign_in(
    device: &Arc<Device>,
    base: &str,
    username: &str,
    password: &str,
    new_device_id: DeviceId,
) -> Result<SessionDto, InputError> {
    let username = username.trim();
    if username.is_empty() {
        return Err(InputError::Required("username"));
    }
    if password.is_empty() {
        return Err(InputError::Required("password"));
    }
    let held = match device.profile() {
        Ok(p) if p.steward.username != username => {
            return Err(InputError::SignIn {
                code: "other_steward",
                message: format!("this device holds the work of {}; only they can sign in here", p.steward.username),
            });
        }
        Ok(p) => Some(p),
        Err(DeviceError::NoSteward) => None,
        Err(e) => return Err(e.into()),
    };
    let device_id = match &held {
        Some(p) => p.device_id,
        None => Some(new_device_id),
    };
    let http = HttpTransport::new(base, crate::sync::REQUEST_TIMEOUT).map_err(central_error)?;
    let credentials = Credentials { username: username.to_owned(), password: password.to_owned(), device_id };
    let token = http.login(&credentials).await.map_err(central_error)?;
    match &held {
        None => {
            let me = fetch_me(&http, &token).await?;
            device.adopt_profile(&me, new_device_id)?;
            device.take_photo_from_central(&me, &http, &token).await;
        }
        // The device's steward: their row and card names follow the central
        // when it answers (a device loaded from other ids keeps its own).
        Some(p) => {
            if let Ok(me) = fetch_me(&http, &token).await
                && me.staff_id == p.steward.id
            {
                let _ = device.refresh_profile(&me);
                device.take_photo_from_central(&me, &http, &token).await;
            }
        }
    }
    device.remember(username, &token, base)?;
    fetch_policy(device, &http, &token).await;
    {
        let mut secrets = device.secrets.lock().unwrap_or_else(|p| p.into_inner());
        secrets.token = Some(token);
        secrets.password = Some(password.to_owned());
    }
    device.start_session_sync(base)?;
    if let Some(sync) = device.sync.get() {
        sync.sync_now();
    }
    Ok(device.session()?.unwrap_or(SessionDto {
        username: username.to_owned(),
        display_name: String::new(),
        central: base.to_owned(),
    }))
}
