//! Home visits (入户) and the typed inspection records made during them.
//!
//! A visit is a draft while the steward is in the home and becomes a
//! [`CompletedVisit`] once finished. A completed visit is immutable: it has no
//! setters, and a correction is a new visit that names the original.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::geometry::LonLat;
use crate::ground::{SealNo, ValveState};
use crate::ids::{HouseholdId, TicketId, UserId, VisitId};

/// The nine kinds of illegal heat use (违法用热) pursued with the
/// police-enterprise joint office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IllegalUseCategory {
    /// 私自乱接、破坏供热管道
    UnauthorisedTapping,
    /// 报停后私自打开
    ReopenedAfterSuspension,
    /// 私自扩大用热面积
    EnlargedHeatedArea,
    /// 私自安装热水器
    WaterHeaterOnLoop,
    /// 改变用热性质
    ChangedNatureOfUse,
    /// 改变运行方式
    ChangedOperatingMode,
    /// 擅自安装放水装置
    DrainDevice,
    /// 扰乱正常供暖秩序及服务
    DisruptingServiceOrder,
    /// 恶意提供非正规账户收取费用及截留供暖费
    UnofficialFeeCollection,
}

impl IllegalUseCategory {
    pub const ALL: [IllegalUseCategory; 9] = [
        IllegalUseCategory::UnauthorisedTapping,
        IllegalUseCategory::ReopenedAfterSuspension,
        IllegalUseCategory::EnlargedHeatedArea,
        IllegalUseCategory::WaterHeaterOnLoop,
        IllegalUseCategory::ChangedNatureOfUse,
        IllegalUseCategory::ChangedOperatingMode,
        IllegalUseCategory::DrainDevice,
        IllegalUseCategory::DisruptingServiceOrder,
        IllegalUseCategory::UnofficialFeeCollection,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            IllegalUseCategory::UnauthorisedTapping => "私自乱接、破坏供热管道",
            IllegalUseCategory::ReopenedAfterSuspension => "报停后私自打开",
            IllegalUseCategory::EnlargedHeatedArea => "私自扩大用热面积",
            IllegalUseCategory::WaterHeaterOnLoop => "私自安装热水器",
            IllegalUseCategory::ChangedNatureOfUse => "改变用热性质",
            IllegalUseCategory::ChangedOperatingMode => "改变运行方式",
            IllegalUseCategory::DrainDevice => "擅自安装放水装置",
            IllegalUseCategory::DisruptingServiceOrder => "扰乱正常供暖秩序及服务",
            IllegalUseCategory::UnofficialFeeCollection => "恶意提供非正规账户收取费用及截留供暖费",
        }
    }
}

/// A photo kept on the device and uploaded by content address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    /// Lower-case hex SHA-256 of the image bytes.
    pub sha256: String,
    pub mime: String,
}

/// What backs a finding: photos, a written note, or both.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Evidence {
    #[serde(default)]
    pub photos: Vec<PhotoRef>,
    #[serde(default)]
    pub note: String,
}

impl Evidence {
    pub fn is_empty(&self) -> bool {
        self.photos.is_empty() && self.note.trim().is_empty()
    }
}

/// One illegal-use finding with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IllegalUseFinding {
    pub category: IllegalUseCategory,
    pub evidence: Evidence,
}

/// Indoor temperatures below this (°C) are below the common standard for
/// living rooms during the official heating period.
pub const INDOOR_STANDARD_C: f64 = 18.0;

/// One typed record made during a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InspectionRecord {
    /// 报停阀门关闭: a suspended household's valve closed, and sealed.
    SuspensionValveClosure {
        valve: ValveState,
        #[serde(default)]
        photos: Vec<PhotoRef>,
    },
    /// 新用户开阀: outside pipes checked, valve opened, filter reminder.
    NewHousehold { outside_pipes_ok: bool, valve_opened: bool, filter_reminder_given: bool },
    /// 违法用热检查: no findings means the home was checked and clean.
    IllegalUseCheck { findings: Vec<IllegalUseFinding> },
    /// 漏水 / 注水检查.
    LeakCheck {
        leak_found: bool,
        /// Someone was at home during the secondary network's water filling (留人).
        resident_present: bool,
        valve_closed: bool,
        #[serde(default)]
        note: String,
    },
    /// 室温测量.
    IndoorTemperature { celsius: f64, room: String, measured_at: Timestamp },
    /// 日常走访.
    RoutineService { note: String },
    /// 明白纸 handed over.
    LeafletHandedOver { title: String },
    /// 管家名片 handed over.
    ContactCardHandedOver,
    /// The resident confirmed the visit.
    ResidentConfirmation {
        confirmed_by: String,
        #[serde(default)]
        signature: Option<PhotoRef>,
    },
}

impl InspectionRecord {
    pub fn kind(&self) -> &'static str {
        match self {
            InspectionRecord::SuspensionValveClosure { .. } => "suspension_valve_closure",
            InspectionRecord::NewHousehold { .. } => "new_household",
            InspectionRecord::IllegalUseCheck { .. } => "illegal_use_check",
            InspectionRecord::LeakCheck { .. } => "leak_check",
            InspectionRecord::IndoorTemperature { .. } => "indoor_temperature",
            InspectionRecord::RoutineService { .. } => "routine_service",
            InspectionRecord::LeafletHandedOver { .. } => "leaflet_handed_over",
            InspectionRecord::ContactCardHandedOver => "contact_card_handed_over",
            InspectionRecord::ResidentConfirmation { .. } => "resident_confirmation",
        }
    }

    /// Checks the record on its own.
    pub fn validate(&self) -> Result<(), VisitError> {
        match self {
            InspectionRecord::SuspensionValveClosure { valve, .. } if !valve.is_shut() => {
                Err(VisitError::Invalid("a suspension closure must leave the valve closed or sealed".into()))
            }
            InspectionRecord::IllegalUseCheck { findings } => match findings.iter().find(|f| f.evidence.is_empty()) {
                Some(f) => Err(VisitError::Invalid(format!("finding {:?} has no evidence", f.category))),
                None => Ok(()),
            },
            InspectionRecord::IndoorTemperature { celsius, room, .. } => {
                if !celsius.is_finite() || !(-30.0..=45.0).contains(celsius) {
                    Err(VisitError::Invalid(format!("indoor temperature {celsius} °C is out of range")))
                } else if room.trim().is_empty() {
                    Err(VisitError::Invalid("the room of a temperature reading is required".into()))
                } else {
                    Ok(())
                }
            }
            InspectionRecord::ResidentConfirmation { confirmed_by, .. } if confirmed_by.trim().is_empty() => {
                Err(VisitError::Invalid("who confirmed the visit is required".into()))
            }
            _ => Ok(()),
        }
    }

    /// The valve state this record proves, if it proves one. Field evidence
    /// wins for physical state when records meet the office's data.
    pub fn valve_after(&self) -> Option<ValveState> {
        match self {
            InspectionRecord::SuspensionValveClosure { valve, .. } => Some(valve.clone()),
            InspectionRecord::NewHousehold { valve_opened: true, .. } => Some(ValveState::Open),
            InspectionRecord::LeakCheck { valve_closed: true, .. } => Some(ValveState::Closed),
            _ => None,
        }
    }

    /// A seal number fitted by this record.
    pub fn seal_no(&self) -> Option<&SealNo> {
        match self {
            InspectionRecord::SuspensionValveClosure { valve, .. } => valve.seal_no(),
            _ => None,
        }
    }
}

/// Why a visit was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VisitError {
    #[error("{0}")]
    Invalid(String),
    #[error("a visit needs at least one record before it is completed")]
    Empty,
    #[error("a visit cannot end before it starts")]
    EndsBeforeStart,
    #[error("a correction must be for the same household as the original")]
    CorrectionOfOtherHousehold,
}

/// A visit in progress on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitDraft {
    pub id: VisitId,
    pub household_id: HouseholdId,
    pub steward_id: UserId,
    pub ticket_id: Option<TicketId>,
    pub started_at: Timestamp,
    pub location: Option<LonLat>,
    pub corrects: Option<VisitId>,
    pub records: Vec<InspectionRecord>,
}

impl VisitDraft {
    pub fn start(id: VisitId, household_id: HouseholdId, steward_id: UserId, started_at: Timestamp) -> Self {
        VisitDraft {
            id,
            household_id,
            steward_id,
            ticket_id: None,
            started_at,
            location: None,
            corrects: None,
            records: Vec::new(),
        }
    }

    /// A new visit that corrects `original`; the original stays as it was.
    pub fn correcting(original: &CompletedVisit, id: VisitId, steward_id: UserId, started_at: Timestamp) -> Self {
        let mut draft = Self::start(id, original.household_id, steward_id, started_at);
        draft.ticket_id = original.ticket_id;
        draft.corrects = Some(original.id);
        draft
    }

    /// Adds a record after checking it.
    pub fn add(&mut self, record: InspectionRecord) -> Result<(), VisitError> {
        record.validate()?;
        self.records.push(record);
        Ok(())
    }

    /// Finishes the visit; from here on it cannot change.
    pub fn complete(self, completed_at: Timestamp) -> Result<CompletedVisit, VisitError> {
        if self.records.is_empty() {
            return Err(VisitError::Empty);
        }
        if completed_at < self.started_at {
            return Err(VisitError::EndsBeforeStart);
        }
        self.records.iter().try_for_each(InspectionRecord::validate)?;
        Ok(CompletedVisit {
            id: self.id,
            household_id: self.household_id,
            steward_id: self.steward_id,
            ticket_id: self.ticket_id,
            started_at: self.started_at,
            completed_at,
            location: self.location,
            corrects: self.corrects,
            records: self.records,
        })
    }
}

/// A finished visit. Read-only: it deserializes only through the same checks
/// as [`VisitDraft::complete`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CompletedVisitWire")]
pub struct CompletedVisit {
    id: VisitId,
    household_id: HouseholdId,
    steward_id: UserId,
    ticket_id: Option<TicketId>,
    started_at: Timestamp,
    completed_at: Timestamp,
    location: Option<LonLat>,
    corrects: Option<VisitId>,
    records: Vec<InspectionRecord>,
}

#[derive(Deserialize)]
struct CompletedVisitWire {
    id: VisitId,
    household_id: HouseholdId,
    steward_id: UserId,
    ticket_id: Option<TicketId>,
    started_at: Timestamp,
    completed_at: Timestamp,
    location: Option<LonLat>,
    corrects: Option<VisitId>,
    records: Vec<InspectionRecord>,
}

impl TryFrom<CompletedVisitWire> for CompletedVisit {
    type Error = VisitError;
    fn try_from(w: CompletedVisitWire) -> Result<Self, VisitError> {
        VisitDraft {
            id: w.id,
            household_id: w.household_id,
            steward_id: w.steward_id,
            ticket_id: w.ticket_id,
            started_at: w.started_at,
            location: w.location,
            corrects: w.corrects,
            records: w.records,
        }
        .complete(w.completed_at)
    }
}

impl CompletedVisit {
    pub fn id(&self) -> VisitId {
        self.id
    }
    pub fn household_id(&self) -> HouseholdId {
        self.household_id
    }
    pub fn steward_id(&self) -> UserId {
        self.steward_id
    }
    pub fn ticket_id(&self) -> Option<TicketId> {
        self.ticket_id
    }
    pub fn started_at(&self) -> Timestamp {
        self.started_at
    }
    pub fn completed_at(&self) -> Timestamp {
        self.completed_at
    }
    pub fn location(&self) -> Option<LonLat> {
        self.location
    }
    pub fn corrects(&self) -> Option<VisitId> {
        self.corrects
    }
    pub fn records(&self) -> &[InspectionRecord] {
        &self.records
    }

    /// The household's valve state after this visit: the last record that
    /// proves one.
    pub fn valve_after(&self) -> Option<ValveState> {
        self.records.iter().rev().find_map(InspectionRecord::valve_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn draft() -> VisitDraft {
        VisitDraft::start(
            VisitId::new_v7(ts("2026-11-01T01:00:00Z"), [1; 10]),
            HouseholdId::new_v7(Timestamp::UNIX_EPOCH, [2; 10]),
            UserId::new_v7(Timestamp::UNIX_EPOCH, [3; 10]),
            ts("2026-11-01T01:00:00Z"),
        )
    }

    #[test]
    fn sealed_valve_closure_completes_and_reports_the_seal() {
        let mut d = draft();
        let seal = SealNo::parse("SH2026-0042").unwrap();
        d.add(InspectionRecord::SuspensionValveClosure {
            valve: ValveState::Sealed { seal_no: seal.clone() },
            photos: vec![],
        })
        .unwrap();
        d.add(InspectionRecord::IndoorTemperature {
            celsius: 12.5,
            room: "客厅".into(),
            measured_at: ts("2026-11-01T01:05:00Z"),
        })
        .unwrap();
        let v = d.complete(ts("2026-11-01T01:10:00Z")).unwrap();
        assert_eq!(v.valve_after(), Some(ValveState::Sealed { seal_no: seal }));
        assert_eq!(v.records().len(), 2);
    }

    #[test]
    fn bad_records_are_refused() {
        let mut d = draft();
        let open_closure = InspectionRecord::SuspensionValveClosure { valve: ValveState::Open, photos: vec![] };
        assert!(d.add(open_closure).is_err());
        let no_evidence = InspectionRecord::IllegalUseCheck {
            findings: vec![IllegalUseFinding {
                category: IllegalUseCategory::WaterHeaterOnLoop,
                evidence: Evidence::default(),
            }],
        };
        assert!(d.add(no_evidence).is_err());
        let hot = InspectionRecord::IndoorTemperature {
            celsius: 90.0,
            room: "卧室".into(),
            measured_at: ts("2026-11-01T01:00:00Z"),
        };
        assert!(d.add(hot).is_err());
        assert_eq!(d.clone().complete(ts("2026-11-01T02:00:00Z")).unwrap_err(), VisitError::Empty);
        d.add(InspectionRecord::ContactCardHandedOver).unwrap();
        assert_eq!(d.complete(ts("2026-11-01T00:00:00Z")).unwrap_err(), VisitError::EndsBeforeStart);
    }

    #[test]
    fn a_correction_names_the_original_and_leaves_it_alone() {
        let mut d = draft();
        d.add(InspectionRecord::LeafletHandedOver { title: "《用热知识》".into() }).unwrap();
        let original = d.complete(ts("2026-11-01T01:10:00Z")).unwrap();
        let snapshot = original.clone();
        let mut fix = VisitDraft::correcting(
            &original,
            VisitId::new_v7(ts("2026-11-02T01:00:00Z"), [5; 10]),
            original.steward_id(),
            ts("2026-11-02T01:00:00Z"),
        );
        fix.add(InspectionRecord::ContactCardHandedOver).unwrap();
        let fixed = fix.complete(ts("2026-11-02T01:01:00Z")).unwrap();
        assert_eq!(fixed.corrects(), Some(original.id()));
        assert_eq!(fixed.household_id(), original.household_id());
        assert_eq!(original, snapshot);
    }

    #[test]
    fn completed_visits_deserialize_only_when_valid() {
        let mut d = draft();
        d.add(InspectionRecord::IllegalUseCheck {
            findings: vec![IllegalUseFinding {
                category: IllegalUseCategory::ReopenedAfterSuspension,
                evidence: Evidence { photos: vec![], note: "阀门铅封已破坏".into() },
            }],
        })
        .unwrap();
        let v = d.complete(ts("2026-11-01T01:10:00Z")).unwrap();
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["records"][0]["kind"], "illegal_use_check");
        let back: CompletedVisit = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, v);
        let mut tampered = json;
        tampered["records"] = serde_json::json!([]);
        assert!(serde_json::from_value::<CompletedVisit>(tampered).is_err());
    }

    #[test]
    fn nine_illegal_use_categories() {
        assert_eq!(IllegalUseCategory::ALL.len(), 9);
        let labels: std::collections::HashSet<_> = IllegalUseCategory::ALL.iter().map(|c| c.label_zh()).collect();
        assert_eq!(labels.len(), 9);
    }
}
