//! Team-lead mode (班组长): the dispatch board, the team map, the SLA
//! dashboard and the callback list. Unlike a steward's work, these are the
//! team's live state at the central, so they are read online, through a
//! small HTTP client signed in as the device's user; with no network the
//! calls fail with code `offline` and the UI says it needs the network.
//!
//! The central's JSON is read into the flat DTOs below (exported to
//! TypeScript), leniently: a field the central does not send yet reads as
//! its default, so a newer or older central does not break the board.

use std::collections::HashMap;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use steward_domain::ids::HouseholdId;
use steward_sync::Credentials;
use ts_rs::TS;

use crate::session::session_keys;
use crate::{Device, DeviceError};

/// How long a lead request may take: the board is read while the lead
/// waits, so a dead network fails fast instead of hanging the screen.
pub const LEAD_TIMEOUT: Duration = Duration::from_secs(15);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Open ticket statuses, as the central's status filter takes them.
pub const OPEN_STATUSES: [&str; 5] = ["new", "dispatched", "accepted", "en_route", "on_site"];
/// At most this many addresses are fetched from the central per board (the
/// rest come from the device's own copy of the team's households).
const MAX_ADDRESS_FETCHES: usize = 40;

/// Why a lead call failed. The UI branches on [`LeadError::code`]:
/// `offline` shows "需要网络".
#[derive(Debug, thiserror::Error)]
pub enum LeadError {
    #[error("this device is not connected to a central server")]
    NoCentral,
    #[error("the central server cannot be reached: {0}")]
    Offline(String),
    #[error("the central refused the sign-in: {0}")]
    Unauthorized(String),
    /// The central answered with an error; its own `{code, message}`.
    #[error("{message}")]
    Refused { status: u16, code: String, message: String },
    #[error("the central's answer could not be read: {0}")]
    BadAnswer(String),
    #[error("{field} {value:?} is not valid")]
    BadInput { field: &'static str, value: String },
    #[error(transparent)]
    Device(#[from] DeviceError),
}

impl From<steward_store::StoreError> for LeadError {
    fn from(e: steward_store::StoreError) -> Self {
        LeadError::Device(DeviceError::Store(e))
    }
}

impl LeadError {
    /// A stable code: ours, or the central's when it refused.
    pub fn code(&self) -> String {
        match self {
            LeadError::NoCentral => "no_central".to_owned(),
            LeadError::Offline(_) => "offline".to_owned(),
            LeadError::Unauthorized(_) => "unauthorized".to_owned(),
            LeadError::Refused { code, .. } => code.clone(),
            LeadError::BadAnswer(_) => "bad_answer".to_owned(),
            LeadError::BadInput { .. } => "bad_input".to_owned(),
            LeadError::Device(e) => e.code().to_owned(),
        }
    }

    /// The HTTP status the central answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            LeadError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub type LeadResult<T> = Result<T, LeadError>;

/// A ticket (工单) on the dispatch board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LeadTicketDto {
    pub id: String,
    pub household_id: String,
    #[serde(default)]
    pub district_id: String,
    pub category: String,
    #[serde(default)]
    pub description: String,
    pub status: String,
    #[serde(default)]
    pub assignee: Option<String>,
    /// The assignee's display name, when known.
    #[serde(default)]
    pub assignee_name: Option<String>,
    pub reported_at: String,
    pub due_at: String,
    /// The central's SLA status (`on_track`, `at_risk`, `breached`, `met`,
    /// `met_unverified`, `not_applicable`); `null` from an older central.
    #[serde(default)]
    pub sla_status: Option<String>,
    /// `鑫隆帝景城 1号楼 2单元 301室`; empty when unknown.
    #[serde(default)]
    pub address: String,
    /// Waiting to be accepted for the escalation time or longer (超时未接).
    #[serde(default)]
    pub unaccepted: bool,
    /// How long it has waited to be accepted, in whole minutes.
    #[serde(default)]
    pub waiting_minutes: Option<u32>,
}

/// One steward who could take a ticket, ranked by estimated arrival.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CandidateDto {
    pub steward_id: String,
    #[serde(default)]
    pub name: String,
    pub eta_minutes: f64,
    #[serde(default)]
    pub distance_km: f64,
    #[serde(default)]
    pub open_tickets: u32,
    pub meets_deadline: bool,
    /// No sync for 10 minutes: the position and load may be old.
    #[serde(default)]
    pub stale: bool,
    /// Records waiting on the steward's device.
    #[serde(default)]
    pub queued: u32,
    #[serde(default)]
    pub last_seen_at: Option<String>,
    /// `last_fix` (the device's last position) or `district_centroid`.
    #[serde(default)]
    pub position_source: String,
}

/// The candidates for one ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CandidatesDto {
    pub ticket_id: String,
    pub due_at: String,
    pub candidates: Vec<CandidateDto>,
}

/// A reported position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PositionDto {
    pub lon: f64,
    pub lat: f64,
    /// When the device reported it.
    pub at: String,
    /// Recent enough for dispatch to rank from it.
    #[serde(default)]
    pub fresh: bool,
}

/// A point without a time (a district's centroid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PointDto {
    pub lon: f64,
    pub lat: f64,
}

/// A steward's last known position and device state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StewardPositionDto {
    pub steward_id: String,
    #[serde(default)]
    pub name: String,
    /// The last position the device reported; none when it never did.
    #[serde(default)]
    pub position: Option<PositionDto>,
    /// The centroid of the steward's first district.
    #[serde(default)]
    pub district_centroid: Option<PointDto>,
    #[serde(default)]
    pub last_sync_at: Option<String>,
    /// No sync for the policy's stale minutes, or never.
    #[serde(default)]
    pub stale: bool,
    /// Records waiting on the device.
    #[serde(default)]
    pub queued: u32,
    #[serde(default)]
    pub open_tickets: u32,
}

/// A station incident (换热站事件): many no-heat reports from one station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IncidentDto {
    #[serde(default)]
    pub station_id: String,
    #[serde(default)]
    pub station_name: String,
    #[serde(default)]
    pub ticket_ids: Vec<String>,
    #[serde(default)]
    pub first_at: String,
    #[serde(default)]
    pub last_at: String,
}

/// An arrival recorded without proof, for the lead to review (到场待核).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ArrivalReviewDto {
    pub ticket_id: String,
    pub steward_id: String,
    pub steward_name: Option<String>,
    pub at: String,
    /// `outside_geofence`, `fix_too_coarse`, `tag_mismatch`, `manual_entry`, …
    pub reason: String,
    pub sla_status: String,
}

/// Breaches counted against one steward (超时记录).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StewardBreachesDto {
    pub steward_id: String,
    #[serde(default)]
    pub name: String,
    pub breaches: u32,
}

/// The lead's alerts (告警) beside the ticket list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, TS)]
pub struct LeadAlertsDto {
    /// Minutes after which an unaccepted ticket alerts.
    pub escalation_minutes: u32,
    pub unaccepted: u32,
    pub at_risk: u32,
    pub breached: u32,
    pub arrival_review: Vec<ArrivalReviewDto>,
    pub breaches_by_steward: Vec<StewardBreachesDto>,
}

/// The dispatch board (派单看板): open tickets soonest due first, stale
/// devices with their queues, station incidents and alerts.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DispatchBoardDto {
    pub tickets: Vec<LeadTicketDto>,
    /// Stewards whose device has not synced for a while or holds records
    /// not uploaded, with queue depth.
    pub stale_devices: Vec<StewardPositionDto>,
    pub incidents: Vec<IncidentDto>,
    pub alerts: LeadAlertsDto,
    /// Parts the central does not offer (an older central): `positions`,
    /// `incidents`, `alerts`. The board shows the rest.
    pub unavailable: Vec<String>,
}

/// Whether the lead screens apply: the user's role and whether the device
/// knows a central to read them from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LeadStatusDto {
    /// The signed-in user is a team lead (班组长).
    pub is_lead: bool,
    /// A central server is configured (the lead screens can be read online).
    pub central: bool,
    pub display_name: String,
}

impl Device {
    /// The lead status of the signed-in user; `central` says whether a lead
    /// client exists.
    pub fn lead_status(&self, central: bool) -> crate::Result<LeadStatusDto> {
        let profile = self.profile()?;
        Ok(LeadStatusDto {
            is_lead: profile.steward.role == steward_domain::org::Role::TeamLead,
            central,
            display_name: profile.steward.display_name,
        })
    }
}

/// The response times (响应时间) of the tickets on the device, for the SLA
/// dashboard's distribution: a lead's device holds the team's tickets once
/// synced, a steward's their own.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ResponseTimesDto {
    /// The first report counted (RFC 3339).
    pub since: String,
    /// Minutes from the report to the first arrival, one per ticket, oldest report first.
    pub minutes: Vec<f64>,
}

/// The longest look back of the response distribution, in days.
pub const MAX_RESPONSE_DAYS: u32 = 400;

impl Device {
    /// The response times of the tickets reported in the `days` days before `now`.
    pub fn response_times(&self, now: jiff::Timestamp, days: u32) -> LeadResult<ResponseTimesDto> {
        if days == 0 || days > MAX_RESPONSE_DAYS {
            return Err(LeadError::BadInput { field: "days", value: days.to_string() });
        }
        let since = now.saturating_sub(jiff::SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(now);
        let rows = self.store().response_times(since, now)?;
        Ok(ResponseTimesDto { since: since.to_string(), minutes: rows.iter().map(|r| r.seconds / 60.0).collect() })
    }
}

/// What a team map draws besides the districts on the device.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TeamMapDto {
    pub positions: Vec<StewardPositionDto>,
    pub tickets: Vec<LeadTicketDto>,
}

#[derive(Serialize)]
struct AssignBody<'a> {
    steward_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

#[derive(Deserialize)]
struct LoginAnswer {
    token: String,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    code: String,
    message: String,
}

#[derive(Deserialize)]
struct HouseholdAnswer {
    #[serde(default)]
    address: String,
}

/// `GET /api/v1/alerts` as the central sends it.
#[derive(Deserialize)]
struct AlertsAnswer {
    #[serde(default)]
    escalation_minutes: i64,
    #[serde(default)]
    unaccepted: Vec<AlertTicketAnswer>,
    #[serde(default)]
    at_risk: Vec<AlertTicketAnswer>,
    #[serde(default)]
    breached: Vec<AlertTicketAnswer>,
    #[serde(default)]
    arrival_review: Vec<ArrivalReviewAnswer>,
    #[serde(default)]
    breaches: BreachesAnswer,
}

#[derive(Deserialize)]
struct AlertTicketAnswer {
    ticket_id: String,
    #[serde(default)]
    waiting_minutes: Option<i64>,
}

#[derive(Deserialize)]
struct ArrivalReviewAnswer {
    ticket_id: String,
    steward_id: String,
    at: String,
    #[serde(default)]
    reason: serde_json::Value,
    #[serde(default)]
    sla_status: String,
}

#[derive(Deserialize, Default)]
struct BreachesAnswer {
    #[serde(default)]
    by_steward: Vec<StewardBreachesDto>,
}

/// The unverified reason's code: the central sends `{code, …}` or a bare code.
fn reason_code(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(m) => {
            m.get("code").or_else(|| m.get("kind")).and_then(|c| c.as_str()).unwrap_or_default().to_owned()
        }
        _ => String::new(),
    }
}

fn clamp_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

/// The lead's client for the central, signed in as the device's user. It
/// signs in on first use and again once when the token is refused.
pub struct LeadClient {
    base: String,
    http: reqwest::Client,
    /// What to sign in with; none for a client on the remembered session,
    /// which signs in only through the app's sign-in screen.
    credentials: Option<Credentials>,
    token: tokio::sync::Mutex<Option<String>>,
}

impl LeadClient {
    /// A client for the central at `base` (e.g. `http://127.0.0.1:8787`).
    pub fn new(base: &str, credentials: Credentials) -> LeadResult<LeadClient> {
        let base = base.trim().trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(LeadError::BadInput { field: "central URL", value: base.to_owned() });
        }
        let http = reqwest::Client::builder()
            .timeout(LEAD_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| LeadError::Offline(e.to_string()))?;
        Ok(LeadClient {
            base: base.to_owned(),
            http,
            credentials: Some(credentials),
            token: tokio::sync::Mutex::new(None),
        })
    }

    /// A client on the device's signed-in session: the central and the
    /// token remembered at sign-in (see `sign_in`); `None` when nobody has
    /// signed in. A refused token fails with `unauthorized`: sign in again.
    pub fn for_session(device: &Device) -> LeadResult<Option<LeadClient>> {
        let (base, token) = {
            let store = device.store();
            (store.meta(session_keys::CENTRAL)?, store.meta(session_keys::TOKEN)?)
        };
        let (Some(base), Some(token)) = (base, token) else { return Ok(None) };
        if base.is_empty() || token.is_empty() {
            return Ok(None);
        }
        let creds = Credentials { username: String::new(), password: String::new(), device_id: None };
        let mut client = LeadClient::new(&base, creds)?;
        client.credentials = None;
        client.token = tokio::sync::Mutex::new(Some(token));
        Ok(Some(client))
    }

    /// A client signed in as `device`'s user with `password`.
    pub fn for_device(device: &Device, base: &str, password: String) -> LeadResult<LeadClient> {
        let profile = device.profile()?;
        let credentials = Credentials { username: profile.steward.username, password, device_id: profile.device_id };
        LeadClient::new(base, credentials)
    }

    /// The central's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn token(&self, renew: bool) -> LeadResult<String> {
        let mut token = self.token.lock().await;
        if let Some(t) = token.as_ref().filter(|_| !renew) {
            return Ok(t.clone());
        }
        let Some(credentials) = &self.credentials else {
            return Err(LeadError::Unauthorized("the remembered sign-in was refused; sign in again".to_owned()));
        };
        let res = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(credentials)
            .send()
            .await
            .map_err(offline)?;
        let fresh = match answer::<LoginAnswer>(res).await {
            Ok(a) => a.token,
            Err(LeadError::Refused { status: 401, message, .. }) => return Err(LeadError::Unauthorized(message)),
            Err(e) => return Err(e),
        };
        *token = Some(fresh.clone());
        Ok(fresh)
    }

    /// Sends a request built by `build` with the bearer token, signing in
    /// again once when the token is refused.
    async fn send<T: DeserializeOwned>(
        &self,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> LeadResult<T> {
        let mut renew = false;
        loop {
            let token = self.token(renew).await?;
            let res = build(&self.http).bearer_auth(&token).send().await.map_err(offline)?;
            if res.status() == reqwest::StatusCode::UNAUTHORIZED && !renew {
                renew = true;
                continue;
            }
            return answer(res).await;
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: String) -> LeadResult<T> {
        let url = format!("{}{path}", self.base);
        self.send(|http| http.get(&url)).await
    }

    /// The team's open tickets (any open status), soonest due first.
    pub async fn open_tickets(&self) -> LeadResult<Vec<LeadTicketDto>> {
        let pages =
            OPEN_STATUSES.map(|s| self.get::<Vec<LeadTicketDto>>(format!("/api/v1/tickets?status={s}&limit=1000")));
        let [a, b, c, d, e] = pages;
        let (a, b, c, d, e) = tokio::join!(a, b, c, d, e);
        let mut tickets: Vec<LeadTicketDto> = [a?, b?, c?, d?, e?].into_iter().flatten().collect();
        tickets.sort_by(|x, y| x.due_at.cmp(&y.due_at).then_with(|| x.id.cmp(&y.id)));
        Ok(tickets)
    }

    /// The stewards who could take `ticket_id`, best estimated arrival first.
    pub async fn candidates(&self, ticket_id: &str) -> LeadResult<CandidatesDto> {
        let id = checked_id("ticket id", ticket_id)?;
        self.get(format!("/api/v1/tickets/{id}/candidates")).await
    }

    /// Dispatches a new ticket to `steward_id`, or reassigns a dispatched one.
    pub async fn assign(&self, ticket_id: &str, steward_id: &str, reason: Option<&str>) -> LeadResult<LeadTicketDto> {
        let id = checked_id("ticket id", ticket_id)?;
        let steward = checked_id("steward id", steward_id)?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let url = format!("{}/api/v1/tickets/{id}/assign", self.base);
        let body = AssignBody { steward_id: &steward, reason };
        self.send(|http| http.post(&url).json(&body)).await
    }

    /// The stewards' last known positions and device state.
    pub async fn positions(&self) -> LeadResult<Vec<StewardPositionDto>> {
        self.get("/api/v1/stewards/positions".to_owned()).await
    }

    /// Open station incidents.
    pub async fn incidents(&self) -> LeadResult<Vec<IncidentDto>> {
        self.get("/api/v1/incidents".to_owned()).await
    }

    /// The lead's SLA alerts, with the tickets waiting to be accepted.
    async fn alerts(&self) -> LeadResult<(LeadAlertsDto, HashMap<String, Option<u32>>)> {
        let a: AlertsAnswer = self.get("/api/v1/alerts".to_owned()).await?;
        let waiting = a.unaccepted.iter().map(|t| (t.ticket_id.clone(), t.waiting_minutes.map(clamp_u32))).collect();
        let dto = LeadAlertsDto {
            escalation_minutes: clamp_u32(a.escalation_minutes),
            unaccepted: u32::try_from(a.unaccepted.len()).unwrap_or(u32::MAX),
            at_risk: u32::try_from(a.at_risk.len()).unwrap_or(u32::MAX),
            breached: u32::try_from(a.breached.len()).unwrap_or(u32::MAX),
            arrival_review: a
                .arrival_review
                .into_iter()
                .map(|r| ArrivalReviewDto {
                    ticket_id: r.ticket_id,
                    steward_id: r.steward_id,
                    steward_name: None,
                    at: r.at,
                    reason: reason_code(&r.reason),
                    sla_status: r.sla_status,
                })
                .collect(),
            breaches_by_steward: a.breaches.by_steward,
        };
        Ok((dto, waiting))
    }

    /// Any JSON document the central serves under `/api/v1/` (reports,
    /// callbacks), for the screens that show it as it comes.
    pub async fn document(&self, path: &str) -> LeadResult<serde_json::Value> {
        let path = checked_api_path(path)?;
        self.get(path).await
    }

    /// The dispatch board: open tickets with addresses and names from the
    /// device where it has them, stale devices, incidents and alerts. A part
    /// the central does not offer (404) is listed in `unavailable`; any
    /// other failure fails the board.
    pub async fn board(&self, device: &Device) -> LeadResult<DispatchBoardDto> {
        let (tickets, positions, incidents, alerts) =
            tokio::join!(self.open_tickets(), self.positions(), self.incidents(), self.alerts());
        let mut unavailable = Vec::new();
        let positions = optional(&mut unavailable, "positions", positions)?;
        let incidents = optional(&mut unavailable, "incidents", incidents)?;
        let (mut alerts, waiting) = match alerts {
            Err(e) if is_missing_route(&e) => {
                unavailable.push("alerts".to_owned());
                (LeadAlertsDto::default(), HashMap::new())
            }
            other => other?,
        };
        let mut tickets = tickets?;
        for t in &mut tickets {
            if let Some(minutes) = waiting.get(&t.id) {
                t.unaccepted = true;
                t.waiting_minutes = *minutes;
            }
        }
        self.describe(device, &mut tickets, &positions).await?;
        let names: HashMap<&str, &str> = positions.iter().map(|p| (p.steward_id.as_str(), p.name.as_str())).collect();
        for r in &mut alerts.arrival_review {
            r.steward_name = names.get(r.steward_id.as_str()).map(|n| (*n).to_owned());
        }
        let stale_devices = positions.into_iter().filter(|p| p.stale || p.queued > 0).collect();
        Ok(DispatchBoardDto { tickets, stale_devices, incidents, alerts, unavailable })
    }

    /// The team map: positions and open tickets.
    pub async fn team_map(&self, device: &Device) -> LeadResult<TeamMapDto> {
        let (tickets, positions) = tokio::join!(self.open_tickets(), self.positions());
        let positions = optional(&mut Vec::new(), "positions", positions)?;
        let mut tickets = tickets?;
        self.describe(device, &mut tickets, &positions).await?;
        Ok(TeamMapDto { positions, tickets })
    }

    /// Fills in assignee names and addresses: from the device first, then
    /// the central for a bounded number of addresses.
    async fn describe(
        &self,
        device: &Device,
        tickets: &mut [LeadTicketDto],
        positions: &[StewardPositionDto],
    ) -> LeadResult<()> {
        let mut names: HashMap<String, String> =
            positions.iter().filter(|p| !p.name.is_empty()).map(|p| (p.steward_id.clone(), p.name.clone())).collect();
        let mut missing = Vec::new();
        {
            let store = device.store();
            for s in store.staff()? {
                names.entry(s.id.to_string()).or_insert(s.display_name);
            }
            for t in tickets.iter_mut() {
                if t.address.is_empty()
                    && let Ok(id) = t.household_id.parse::<HouseholdId>()
                {
                    match store.household(id)? {
                        Some(d) => t.address = d.address,
                        None => missing.push(t.household_id.clone()),
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        let mut fetched = HashMap::new();
        for id in missing.into_iter().take(MAX_ADDRESS_FETCHES) {
            match self.get::<HouseholdAnswer>(format!("/api/v1/households/{id}")).await {
                Ok(h) => {
                    fetched.insert(id, h.address);
                }
                Err(e @ (LeadError::Offline(_) | LeadError::Unauthorized(_))) => return Err(e),
                Err(_) => {}
            }
        }
        for t in tickets.iter_mut() {
            if let Some(address) = fetched.get(&t.household_id) {
                t.address = address.clone();
            }
            if let Some(a) = &t.assignee {
                t.assignee_name = names.get(a).cloned();
            }
        }
        Ok(())
    }
}

/// A list the central may not offer yet: a 404 (no such route) reads as
/// empty and is named in `unavailable`; any other failure stays one.
fn optional<T>(unavailable: &mut Vec<String>, name: &str, r: LeadResult<Vec<T>>) -> LeadResult<Vec<T>> {
    match r {
        Err(e) if is_missing_route(&e) => {
            unavailable.push(name.to_owned());
            Ok(Vec::new())
        }
        other => other,
    }
}

/// A 404 or 405 that is not the central's own "not found" answer: the
/// route does not exist on this central.
fn is_missing_route(e: &LeadError) -> bool {
    matches!(e.status(), Some(404 | 405)) && e.code() != "not_found"
}

fn offline(e: reqwest::Error) -> LeadError {
    LeadError::Offline(e.to_string())
}

async fn answer<T: DeserializeOwned>(res: reqwest::Response) -> LeadResult<T> {
    let status = res.status();
    let bytes = res.bytes().await.map_err(offline)?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| LeadError::BadAnswer(e.to_string()));
    }
    let (code, message) = match serde_json::from_slice::<ErrorAnswer>(&bytes) {
        Ok(b) => (b.code, b.message),
        Err(_) => ("http".to_owned(), format!("HTTP {}", status.as_u16())),
    };
    Err(LeadError::Refused { status: status.as_u16(), code, message })
}

/// A UUID from the UI, so that no other text reaches a URL path.
fn checked_id(field: &'static str, value: &str) -> LeadResult<String> {
    value
        .trim()
        .parse::<uuid::Uuid>()
        .map(|u| u.to_string())
        .map_err(|_| LeadError::BadInput { field, value: value.chars().take(64).collect() })
}

/// A path under `/api/v1/` with only the characters a report or callback
/// path and its query need.
fn checked_api_path(path: &str) -> LeadResult<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "/-_.?=&%:".contains(c);
    if path.starts_with("/api/v1/") && !path.contains("..") && path.len() <= 300 && path.chars().all(allowed) {
        Ok(path.to_owned())
    } else {
        Err(LeadError::BadInput { field: "path", value: path.chars().take(64).collect() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_paths_from_the_ui_are_checked() {
        let id = "0190a0b0-0000-7000-8000-000000000001";
        assert_eq!(checked_id("ticket id", &format!(" {id} ")).unwrap(), id);
        assert_eq!(checked_id("ticket id", "../users").unwrap_err().code(), "bad_input");
        assert!(checked_api_path("/api/v1/reports/sla?by=steward&from=2026-11-01").is_ok());
        for bad in ["/api/v1/../healthz", "http://evil/api/v1/x", "/api/v1/x y", "/cards/x"] {
            assert_eq!(checked_api_path(bad).unwrap_err().code(), "bad_input", "{bad}");
        }
    }

    #[test]
    fn unverified_reasons_read_as_their_code() {
        assert_eq!(
            reason_code(&serde_json::json!({"code": "outside_geofence", "distance_m": 420.0})),
            "outside_geofence"
        );
        assert_eq!(reason_code(&serde_json::json!("manual_entry")), "manual_entry");
        assert_eq!(reason_code(&serde_json::Value::Null), "");
        assert_eq!((clamp_u32(-4), clamp_u32(7)), (0, 7));
    }

    #[test]
    fn a_bad_central_url_is_refused() {
        let creds = Credentials { username: "lead1".into(), password: "x".into(), device_id: None };
        assert_eq!(LeadClient::new("ftp://x", creds).err().map(|e| e.code()), Some("bad_input".to_owned()));
    }
}
