//! A season of history up to `as_of`: hotline tickets (工单) worked through
//! the ticket state machine, and home visits (入户) completed through visit
//! drafts. The households' valves are then what the visits left them as.

use jiff::Timestamp;
use jiff::civil::Date;
use steward_domain::geometry::LonLat;
use steward_domain::ground::{HeatingStatus, SealNo, ValveState};
use steward_domain::ids::{EventId, TicketId, UserId, VisitId};
use steward_domain::ticket::{Actor, ArrivalProof, NewTicket, Ticket, TicketAction, TicketCategory};
use steward_domain::visit::{
    CompletedVisit, Evidence, IllegalUseCategory, IllegalUseFinding, InspectionRecord, VisitDraft,
};

use crate::calendar::{
    FILLING_END, FILLING_START, HISTORY_START, IGNITION, OFFICIAL_START, day, local, local_date, local_midnight,
    plus_min, yyyymmdd,
};
use crate::ground::{Ground, near};
use crate::org::{Org, team_of_district};
use crate::rng::DemoRng;
use crate::{DemoError, DemoTicket};

/// Tickets per household per day of intensity 1. Over the default window
/// (Oct 12 – Nov 26, about 44 intensity-days) this gives some 3.5 tickets per
/// 100 households.
const TICKETS_PER_HOUSEHOLD_DAY: f64 = 0.035 / 44.0;

/// The share of steward arrivals later than the 30-minute promise.
const LATE_SHARE: f64 = 0.08;
const REASSIGN_SHARE: f64 = 0.03;
const CANCEL_SHARE: f64 = 0.02;

/// The leaflet handed out on visits (明白纸).
const LEAFLET: &str = "《用热知识》";

/// Hotline calls by local hour of day, 0–23.
#[rustfmt::skip]
const HOUR_WEIGHTS: [(i8, u32); 24] = [
    (0, 2), (1, 1), (2, 1), (3, 1), (4, 1), (5, 2), (6, 5), (7, 10), (8, 14), (9, 15), (10, 14), (11, 12), (12, 10),
    (13, 10), (14, 12), (15, 12), (16, 12), (17, 13), (18, 15), (19, 16), (20, 14), (21, 10), (22, 6), (23, 3),
];

/// Where in the season a day falls; it sets how many calls come in and what
/// they are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before ignition: suspension requests, payment, questions.
    Before,
    /// 点火 and the first cold running.
    Ignition,
    /// 二次网注水: leaks, residents must keep someone at home.
    Filling,
    /// 试供热: venting noise and tuning.
    Trial,
    /// The first week of the official period: the cold-home peak.
    OfficialStart,
    Official,
    /// After the season (from mid-March).
    After,
}

impl Phase {
    fn of(d: Date) -> Phase {
        let official = day(OFFICIAL_START);
        if d < day(IGNITION) {
            Phase::Before
        } else if d < day(FILLING_START) {
            Phase::Ignition
        } else if d <= day(FILLING_END) {
            Phase::Filling
        } else if d < official {
            Phase::Trial
        } else if crate::calendar::days_between(official, d) < 6 {
            Phase::OfficialStart
        } else if d < jiff::civil::date(2027, 3, 16) {
            Phase::Official
        } else {
            Phase::After
        }
    }

    fn intensity(self) -> f64 {
        match self {
            Phase::Before => 0.3,
            Phase::Ignition => 0.6,
            Phase::Filling => 1.5,
            Phase::Trial => 1.2,
            Phase::OfficialStart => 1.6,
            Phase::Official => 1.0,
            Phase::After => 0.2,
        }
    }

    fn categories(self) -> &'static [(TicketCategory, u32)] {
        use TicketCategory::*;
        match self {
            Phase::Before => &[(SuspensionRequest, 35), (Payment, 30), (Consultation, 25), (Valve, 5), (Other, 5)],
            Phase::Ignition => &[
                (Consultation, 25),
                (Payment, 20),
                (SuspensionRequest, 15),
                (Valve, 15),
                (Leak, 10),
                (NoHeat, 10),
                (Other, 5),
            ],
            Phase::Filling => &[
                (Leak, 35),
                (VentingNoise, 15),
                (Valve, 15),
                (NoHeat, 15),
                (Consultation, 10),
                (Payment, 5),
                (SuspensionRequest, 3),
                (IllegalUseReport, 1),
                (Other, 2),
            ],
            Phase::Trial => &[
                (VentingNoise, 30),
                (NoHeat, 30),
                (Leak, 10),
                (Valve, 10),
                (Consultation, 8),
                (Payment, 5),
                (IllegalUseReport, 3),
                (Other, 4),
            ],
            Phase::OfficialStart | Phase::Official => &[
                (NoHeat, 50),
                (Valve, 10),
                (VentingNoise, 8),
                (Leak, 8),
                (Consultation, 8),
                (Payment, 6),
                (IllegalUseReport, 4),
                (SuspensionRequest, 1),
                (Other, 5),
            ],
            Phase::After => &[(Payment, 40), (Consultation, 40), (Other, 20)],
        }
    }
}

/// The tickets and visits of the season, sorted by time.
pub(crate) struct History {
    pub tickets: Vec<DemoTicket>,
    pub visits: Vec<CompletedVisit>,
}

/// Households by what can be called about them.
struct Pools {
    /// Heated: active or new.
    heated: Vec<usize>,
    suspended: Vec<usize>,
    /// Not disconnected.
    connected: Vec<usize>,
    /// Heated households per district.
    heated_by_district: Vec<Vec<usize>>,
}

struct Ctx<'a> {
    org: &'a Org,
    ground: &'a Ground,
    as_of: Timestamp,
    next_seal: u32,
}

impl Ctx<'_> {
    fn actor(&self, staff: usize) -> Actor {
        let s = &self.org.staff[staff];
        Actor { user_id: s.id, role: s.role }
    }

    fn steward(&self, district: usize) -> Actor {
        self.actor(self.org.stewards[district])
    }

    fn lead(&self, district: usize) -> Actor {
        let team = team_of_district(district, self.ground.districts.len(), self.org.teams.len());
        self.actor(self.org.leads[team])
    }

    fn hotline(&self, rng: &mut DemoRng) -> Actor {
        self.actor(rng.pick(&self.org.hotline))
    }

    /// Another steward of the same team, for a reassignment.
    fn colleague(&self, district: usize) -> Option<Actor> {
        let (n, teams) = (self.ground.districts.len(), self.org.teams.len());
        let team = team_of_district(district, n, teams);
        [district + 1, district.wrapping_sub(1)]
            .into_iter()
            .find(|&k| k < n && team_of_district(k, n, teams) == team)
            .map(|k| self.steward(k))
    }

    fn seal(&mut self) -> Result<ValveState, DemoError> {
        self.next_seal += 1;
        Ok(ValveState::Sealed { seal_no: SealNo::parse(&format!("SH2026-{:06}", self.next_seal))? })
    }
}

/// One step of a planned ticket, `secs` after the report.
struct Step {
    secs: i64,
    actor: Actor,
    action: TicketAction,
    location: Option<LonLat>,
}

/// The visit made on a ticket, from arrival to resolution.
struct PlannedVisit {
    steward: UserId,
    arrive_secs: i64,
    resolve_secs: i64,
    location: LonLat,
    records: Vec<InspectionRecord>,
}

struct Plan {
    household: usize,
    category: TicketCategory,
    reported_at: Timestamp,
    description: String,
    opener: Actor,
    steps: Vec<Step>,
    visit: Option<PlannedVisit>,
}

#[derive(Clone, Copy)]
struct PlanOptions {
    late: bool,
    may_cancel: bool,
    may_reassign: bool,
}

pub(crate) fn build(
    org: &Org,
    ground: &mut Ground,
    households: usize,
    as_of: Timestamp,
    ticket_rng: &mut DemoRng,
    visit_rng: &mut DemoRng,
) -> Result<History, DemoError> {
    let pools = pools(ground);
    let mut ctx = Ctx { org, ground, as_of, next_seal: 0 };
    let mut plans = season_tickets(&mut ctx, &pools, households, ticket_rng)?;
    plans.extend(open_tickets(&mut ctx, &pools, households, ticket_rng)?);
    plans.sort_by_key(|p| p.reported_at);

    let mut tickets = Vec::with_capacity(plans.len());
    let mut visits: Vec<(usize, CompletedVisit)> = Vec::new();
    let mut covered = vec![false; ground.households.len()];
    let (mut ref_day, mut ref_seq) = (String::new(), 0u32);
    for plan in plans {
        let today = yyyymmdd(plan.reported_at);
        if today != ref_day {
            (ref_day, ref_seq) = (today, 0);
        }
        ref_seq += 1;
        let external_ref = format!("HL{ref_day}{ref_seq:04}");
        let (ticket, visit) = materialise(&ctx, plan, external_ref, ticket_rng)?;
        if let Some((h, v)) = visit {
            covered[h] |= v.valve_after().is_some();
            visits.push((h, v));
        }
        tickets.push(ticket);
    }

    visits.extend(field_visits(&mut ctx, &covered, visit_rng)?);
    visits.sort_by_key(|(_, v)| (v.completed_at(), v.id()));
    for (h, v) in &visits {
        if let Some(valve) = v.valve_after() {
            ground.households[*h].valve = valve;
        }
    }
    let mut visits: Vec<CompletedVisit> = visits.into_iter().map(|(_, v)| v).collect();
    visits.sort_by_key(|v| (v.started_at(), v.id()));
    Ok(History { tickets, visits })
}

fn pools(ground: &Ground) -> Pools {
    let mut pools = Pools {
        heated: Vec::new(),
        suspended: Vec::new(),
        connected: Vec::new(),
        heated_by_district: vec![Vec::new(); ground.districts.len()],
    };
    for (h, household) in ground.households.iter().enumerate() {
        match household.status {
            HeatingStatus::Active | HeatingStatus::New => {
                pools.heated.push(h);
                pools.heated_by_district[ground.district_of_household(h)].push(h);
            }
            HeatingStatus::Suspended => pools.suspended.push(h),
            HeatingStatus::Disconnected => continue,
        }
        pools.connected.push(h);
    }
    pools
}

/// The calls of the season, day by day from the first day with history.
fn season_tickets(ctx: &mut Ctx, pools: &Pools, households: usize, rng: &mut DemoRng) -> Result<Vec<Plan>, DemoError> {
    let mut plans = Vec::new();
    let mut midnight = local(day(HISTORY_START), 0, 0);
    while midnight <= ctx.as_of {
        let phase = Phase::of(local_date(midnight));
        let expected = households as f64 * TICKETS_PER_HOUSEHOLD_DAY * phase.intensity();
        let count = expected.floor() as usize + usize::from(rng.chance(expected.fract()));
        for _ in 0..count {
            let hour = *rng.weighted(&HOUR_WEIGHTS);
            let minute = f64::from(hour) * 60.0 + rng.real(0.0, 60.0);
            let reported_at = plus_min(midnight, minute);
            let category = *rng.weighted(phase.categories());
            let (category, pool) = match category {
                TicketCategory::SuspensionRequest if !pools.suspended.is_empty() => (category, &pools.suspended),
                TicketCategory::SuspensionRequest => (TicketCategory::Consultation, &pools.connected),
                TicketCategory::IllegalUseReport if !pools.suspended.is_empty() && rng.chance(0.5) => {
                    (category, &pools.suspended)
                }
                TicketCategory::Payment | TicketCategory::Consultation | TicketCategory::Other => {
                    (category, &pools.connected)
                }
                _ if !pools.heated.is_empty() => (category, &pools.heated),
                _ => (category, &pools.connected),
            };
            if pool.is_empty() {
                continue;
            }
            let household = rng.pick(pool);
            let options = PlanOptions { late: rng.chance(LATE_SHARE), may_cancel: true, may_reassign: true };
            let plan = plan(ctx, household, category, reported_at, options, rng)?;
            if plan.reported_at <= ctx.as_of {
                plans.push(plan);
            }
        }
        midnight = plus_min(midnight, 24.0 * 60.0);
    }
    Ok(plans)
}

/// Calls of the last hour or so before `as_of`, stopped at every stage of
/// their work (one in six already past its 30 minutes), so that the Today
/// screens have something to do. They go round the districts from SH-01, so
/// `steward1` always has one.
fn open_tickets(ctx: &mut Ctx, pools: &Pools, households: usize, rng: &mut DemoRng) -> Result<Vec<Plan>, DemoError> {
    /// The number of steps done after opening; `None` marks the overdue one,
    /// en route past its due time.
    const STAGES: [Option<usize>; 6] = [Some(2), Some(0), Some(1), None, Some(4), Some(3)];
    let count = (households / 1000).max(6);
    let districts = ctx.ground.districts.len();
    let mut plans = Vec::with_capacity(count);
    for i in 0..count {
        let district = i % districts;
        let pool = match &pools.heated_by_district[district] {
            p if !p.is_empty() => p,
            _ => &pools.heated,
        };
        if pool.is_empty() {
            continue;
        }
        let household = rng.pick(pool);
        let category = *rng.weighted(&[
            (TicketCategory::NoHeat, 6),
            (TicketCategory::Leak, 1),
            (TicketCategory::Valve, 1),
            (TicketCategory::VentingNoise, 1),
        ]);
        let stage = STAGES[i % STAGES.len()];
        let options = PlanOptions { late: stage.is_none(), may_cancel: false, may_reassign: false };
        let mut plan = plan(ctx, household, category, ctx.as_of, options, rng)?;
        let secs = |k: usize| plan.steps.get(k).map_or(i64::MAX, |s| s.secs);
        let (lo, hi) = match stage {
            Some(0) => (30, secs(0)),
            Some(k) => (secs(k - 1), secs(k)),
            None => (secs(2).max(31 * 60), secs(3)),
        };
        let elapsed = if hi > lo + 1 { lo + 1 + (rng.u01() * (hi - lo - 1) as f64) as i64 } else { lo };
        plan.reported_at = plus_min(ctx.as_of, -(elapsed as f64) / 60.0);
        plans.push(plan);
    }
    Ok(plans)
}

/// Plans one ticket from report to close: who does what when, and the visit.
fn plan(
    ctx: &mut Ctx,
    household: usize,
    category: TicketCategory,
    reported_at: Timestamp,
    options: PlanOptions,
    rng: &mut DemoRng,
) -> Result<Plan, DemoError> {
    let ground = ctx.ground;
    let district = ground.district_of_household(household);
    let home = ground.location_of_household(household);
    let hh = &ground.households[household];
    let opener = ctx.hotline(rng);
    let lead = ctx.lead(district);
    let mut steward = ctx.steward(district);
    let mut steps = Vec::new();
    let mut step = |minutes: f64, actor: Actor, action: TicketAction, location: Option<LonLat>| {
        steps.push(Step { secs: (minutes * 60.0).round() as i64, actor, action, location });
    };

    let dispatched = rng.real(1.0, 3.5);
    step(dispatched, lead, TicketAction::Dispatch { steward_id: steward.user_id }, None);
    let mut accepted = dispatched + rng.real(0.5, 2.5);
    step(accepted, steward, TicketAction::Accept, None);
    if options.may_reassign
        && category.needs_visit()
        && rng.chance(REASSIGN_SHARE)
        && let Some(other) = ctx.colleague(district)
    {
        let reason = rng.pick(&["原管家正在抢修漏水，改派邻近片区管家", "原管家休班，改派同队管家"]).to_owned();
        let at = accepted + rng.real(1.0, 4.0);
        step(at, lead, TicketAction::Reassign { steward_id: other.user_id, reason }, None);
        steward = other;
        accepted = at + rng.real(0.5, 2.0);
        step(accepted, steward, TicketAction::Accept, None);
    }

    let mut visit = None;
    if !category.needs_visit() {
        let resolved = accepted + rng.real(3.0, 40.0);
        let note = match category {
            TicketCategory::Payment => "已电话告知缴费方式（营业厅、流动服务车、线上缴费），用户已缴费",
            _ => "已电话答复用户，讲解供热政策和服务标准",
        };
        step(resolved, steward, TicketAction::Resolve { note: note.to_owned() }, None);
        step(resolved + rng.real(90.0, 1800.0), ctx.hotline(rng), TicketAction::Close, None);
    } else {
        let en_route = accepted + rng.real(0.2, 1.5);
        step(en_route, steward, TicketAction::EnRoute, None);
        let target = if options.late { rng.triangular(33.0, 40.0, 80.0) } else { rng.triangular(7.0, 17.0, 29.5) };
        let arrived = target.max(en_route + 2.0);
        if options.may_cancel && rng.chance(CANCEL_SHARE) {
            let reason = "用户来电告知暖气已恢复，撤销工单".to_owned();
            step(rng.real(en_route, arrived), ctx.hotline(rng), TicketAction::Cancel { reason }, None);
        } else {
            let at_door = near(home, 0.0, 25.0, rng, |_| true).unwrap_or(home);
            let roll = rng.u01();
            let proof = if roll < 0.85 {
                ArrivalProof::Gps { at: at_door, accuracy_m: (rng.real(4.0, 20.0) * 10.0).round() / 10.0 }
            } else if roll < 0.97 {
                ArrivalProof::TagScan { tag: format!("HH:{}", hh.account_no) }
            } else {
                ArrivalProof::Manual { reason: "地下室无GPS信号".to_owned() }
            };
            step(arrived, steward, TicketAction::Arrive { proof }, Some(at_door));
            let (records, note, minutes) =
                ticket_records(ctx, household, category, plus_min(reported_at, arrived), rng)?;
            let resolved = arrived + minutes;
            step(resolved, steward, TicketAction::Resolve { note }, Some(at_door));
            step(resolved + rng.real(90.0, 1800.0), ctx.hotline(rng), TicketAction::Close, None);
            visit = Some(PlannedVisit {
                steward: steward.user_id,
                arrive_secs: (arrived * 60.0).round() as i64,
                resolve_secs: (resolved * 60.0).round() as i64,
                location: at_door,
                records,
            });
        }
    }
    Ok(Plan {
        household,
        category,
        reported_at,
        description: description(category, rng).to_owned(),
        opener,
        steps,
        visit,
    })
}

fn description(category: TicketCategory, rng: &mut DemoRng) -> &'static str {
    let options: &[&str] = match category {
        TicketCategory::NoHeat => &[
            "用户反映暖气不热，室温偏低",
            "暖气片上热下凉，屋里冷",
            "家中暖气一直不热，老人孩子在家，请尽快上门",
            "卧室暖气不热，客厅正常",
        ],
        TicketCategory::Leak => {
            &["暖气片接口漏水，已自行关阀", "注水期间家中暖气漏水", "楼道立管滴水，请尽快处理", "卫生间暖气片跑水"]
        }
        TicketCategory::VentingNoise => &["暖气管道有哗哗的水流声", "暖气片有响声，担心出问题", "夜间管道噪声大"],
        TicketCategory::Valve => &["户内阀门拧不动", "阀门关不严", "入户阀门处渗水，阀门损坏"],
        TicketCategory::SuspensionRequest => &["房屋空置，申请本季报停", "长期外出，申请报停并关阀"],
        TicketCategory::Payment => &["咨询供暖费缴费方式", "询问缴费标准和截止时间"],
        TicketCategory::Consultation => &["咨询今年供暖开始时间", "询问报停政策", "咨询室温标准"],
        TicketCategory::IllegalUseReport => {
            &["举报邻居报停后私自开阀", "举报有住户私接暖气管道", "举报楼下私装放水阀放水"]
        }
        TicketCategory::Other => &["咨询暖气片改造", "反映楼道暖气管道保温层脱落"],
    };
    rng.pick(options)
}

/// The records of a ticket's visit, the resolution note, and the minutes on site.
fn ticket_records(
    ctx: &mut Ctx,
    household: usize,
    category: TicketCategory,
    arrived_at: Timestamp,
    rng: &mut DemoRng,
) -> Result<(Vec<InspectionRecord>, String, f64), DemoError> {
    let hh = &ctx.ground.households[household];
    let routine = |note: &str| InspectionRecord::RoutineService { note: note.to_owned() };
    let mut records = Vec::new();
    let (note, minutes) = match category {
        TicketCategory::NoHeat => {
            let cold = rng.chance(0.65);
            let celsius = if cold { rng.real(13.5, 17.9) } else { rng.real(18.0, 20.5) };
            let celsius = (celsius * 10.0).round() / 10.0;
            records.push(InspectionRecord::IndoorTemperature {
                celsius,
                room: rng.pick(&["客厅", "卧室"]).to_owned(),
                measured_at: plus_min(arrived_at, rng.real(2.0, 6.0)),
            });
            let note = if cold {
                let cause = rng.pick(&[
                    "暖气片积气，排气后温度回升",
                    "过滤网堵塞，清洗过滤网后恢复循环",
                    "户内阀门未完全打开，已调整",
                    "楼内立管不热，已报外网班组调节平衡",
                    "分户锁闭阀故障，已更换",
                ]);
                format!("室温{celsius:.1}℃，{cause}")
            } else {
                format!("室温{celsius:.1}℃，已达标，向用户讲解试供热及室温调节知识")
            };
            records.push(routine(&note));
            if rng.chance(0.4) {
                records.push(InspectionRecord::ContactCardHandedOver);
            }
            (note, rng.real(15.0, 45.0))
        }
        TicketCategory::Leak => {
            let found = rng.chance(0.85);
            let note = if found {
                rng.pick(&[
                    "暖气片接口渗漏，已更换垫片",
                    "放气阀未关严，已关闭",
                    "立管丝扣渗水，已紧固",
                    "卫生间暖气片跑水，已更换阀门并重新开阀",
                ])
                .to_owned()
            } else {
                "现场未发现漏水，为楼上住户渗水，已协调处理".to_owned()
            };
            records.push(InspectionRecord::LeakCheck {
                leak_found: found,
                resident_present: rng.chance(0.9),
                valve_closed: false,
                note: note.clone(),
            });
            (note, rng.real(20.0, 80.0))
        }
        TicketCategory::VentingNoise => {
            let note = "为暖气片排气，讲解试供热期间排气噪声属正常现象".to_owned();
            records.push(routine(&note));
            records.push(InspectionRecord::LeafletHandedOver { title: LEAFLET.to_owned() });
            (note, rng.real(10.0, 30.0))
        }
        TicketCategory::Valve => {
            let note = rng.pick(&["阀门手柄松动，已紧固", "更换户内锁闭阀", "阀门关不严，已维修"]).to_owned();
            records.push(routine(&note));
            (note, rng.real(10.0, 40.0))
        }
        TicketCategory::SuspensionRequest => {
            let valve = ctx.seal()?;
            let note = format!("已关闭报停阀门并加装铅封{}", valve.seal_no().map_or("", SealNo::as_str));
            records.push(InspectionRecord::SuspensionValveClosure { valve, photos: Vec::new() });
            records.push(InspectionRecord::ContactCardHandedOver);
            (note, rng.real(10.0, 25.0))
        }
        TicketCategory::IllegalUseReport => {
            let (findings, note) = illegal_use(ctx, household, 0.45, rng)?;
            records.push(InspectionRecord::IllegalUseCheck { findings: findings.clone() });
            if hh.status == HeatingStatus::Suspended && !findings.is_empty() {
                records.push(InspectionRecord::SuspensionValveClosure { valve: ctx.seal()?, photos: Vec::new() });
            }
            (note, rng.real(20.0, 50.0))
        }
        TicketCategory::Other | TicketCategory::Payment | TicketCategory::Consultation => {
            let note = "已现场查看并向用户讲解".to_owned();
            records.push(routine(&note));
            (note, rng.real(10.0, 30.0))
        }
    };
    Ok((records, note, minutes))
}

/// An illegal-use check of a household: with probability `p` one finding
/// with its evidence, else a clean home.
fn illegal_use(
    ctx: &Ctx,
    household: usize,
    p: f64,
    rng: &mut DemoRng,
) -> Result<(Vec<IllegalUseFinding>, String), DemoError> {
    if !rng.chance(p) {
        return Ok((Vec::new(), "现场核查未发现违法用热".to_owned()));
    }
    let (category, evidence) = if ctx.ground.households[household].status == HeatingStatus::Suspended {
        (IllegalUseCategory::ReopenedAfterSuspension, "铅封已被破坏，报停阀门处于开启状态，暖气片发热")
    } else {
        rng.pick(&[
            (IllegalUseCategory::WaterHeaterOnLoop, "在供暖管道上私接热水器，取用循环热水"),
            (IllegalUseCategory::EnlargedHeatedArea, "封闭阳台加装暖气片，扩大用热面积约12㎡"),
            (IllegalUseCategory::DrainDevice, "暖气片加装放水阀，放水用于洗涤"),
            (IllegalUseCategory::UnauthorisedTapping, "私自从楼道立管接出支管供储藏室取暖"),
        ])
    };
    let note = format!("现场核查属实：{}，已取证并移交警企联合办公室", category.label_zh());
    let finding = IllegalUseFinding { category, evidence: Evidence { photos: Vec::new(), note: evidence.to_owned() } };
    Ok((vec![finding], note))
}

/// Opens the planned ticket and applies its steps up to `as_of`; completes
/// its visit when the steward resolved it by then.
fn materialise(
    ctx: &Ctx,
    plan: Plan,
    external_ref: String,
    rng: &mut DemoRng,
) -> Result<(DemoTicket, Option<(usize, CompletedVisit)>), DemoError> {
    let hh = &ctx.ground.households[plan.household];
    let new = NewTicket {
        id: TicketId::new_v7(plan.reported_at, rng.id_bytes()),
        household_id: hh.id,
        category: plan.category,
        description: plan.description,
        reported_at: plan.reported_at,
        external_ref: Some(external_ref),
    };
    let (mut ticket, opened) =
        Ticket::open(new.clone(), plan.opener, EventId::new_v7(plan.reported_at, rng.id_bytes()))?;
    let mut events = vec![opened];
    for step in plan.steps {
        let at = plus_min(plan.reported_at, step.secs as f64 / 60.0);
        if at > ctx.as_of {
            break;
        }
        let event_id = EventId::new_v7(at, rng.id_bytes());
        events.push(ticket.apply(step.actor, step.action, at, step.location, event_id)?);
    }
    let visit = match plan.visit {
        Some(v) if plus_min(plan.reported_at, v.resolve_secs as f64 / 60.0) <= ctx.as_of => {
            let started = plus_min(plan.reported_at, v.arrive_secs as f64 / 60.0);
            let mut draft = VisitDraft::start(VisitId::new_v7(started, rng.id_bytes()), hh.id, v.steward, started);
            draft.ticket_id = Some(new.id);
            draft.location = Some(v.location);
            for record in v.records {
                draft.add(record)?;
            }
            Some((plan.household, draft.complete(plus_min(plan.reported_at, v.resolve_secs as f64 / 60.0))?))
        }
        _ => None,
    };
    Ok((DemoTicket { new, ticket, events }, visit))
}

/// Visits made outside tickets: suspension closures, new-household openings,
/// routine service with leaflet and card, temperature readings and
/// illegal-use checks.
fn field_visits(ctx: &mut Ctx, covered: &[bool], rng: &mut DemoRng) -> Result<Vec<(usize, CompletedVisit)>, DemoError> {
    let ground = ctx.ground;
    let service_start = local(jiff::civil::date(2026, 9, 15), 0, 0);
    let closures = (local(day(HISTORY_START), 0, 0), local(day(OFFICIAL_START), 0, 0));
    let openings = (local(jiff::civil::date(2026, 10, 20), 0, 0), local(jiff::civil::date(2026, 11, 21), 0, 0));
    let official = local(day(OFFICIAL_START), 0, 0);
    let checks = local(jiff::civil::date(2026, 11, 1), 0, 0);
    let event_day = day(FILLING_START);
    let card = InspectionRecord::ContactCardHandedOver;
    let leaflet = || InspectionRecord::LeafletHandedOver { title: LEAFLET.to_owned() };

    let mut out = Vec::new();
    for (h, hh) in ground.households.iter().enumerate() {
        let district = ground.district_of_household(h);
        let steward = ctx.steward(district).user_id;
        let home = ground.location_of_household(h);
        let community = &ground.communities[ground.building_community[ground.household_building[h]]];
        let mut planned: Vec<(Timestamp, Vec<InspectionRecord>)> = Vec::new();
        match hh.status {
            HeatingStatus::Suspended if !covered[h] && rng.chance(0.88) => {
                let valve = if rng.chance(0.95) { ctx.seal()? } else { ValveState::Closed };
                let mut records = vec![InspectionRecord::SuspensionValveClosure { valve, photos: Vec::new() }];
                if rng.chance(0.6) {
                    records.push(card.clone());
                }
                if let Some(at) = when(closures, ctx.as_of, rng) {
                    planned.push((at, records));
                }
            }
            HeatingStatus::New if rng.chance(0.75) => {
                let pipes_ok = rng.chance(0.95);
                let mut records = vec![InspectionRecord::NewHousehold {
                    outside_pipes_ok: pipes_ok,
                    valve_opened: pipes_ok,
                    filter_reminder_given: true,
                }];
                if !pipes_ok {
                    records.push(InspectionRecord::RoutineService {
                        note: "外网管道有渗漏，已报外网班组维修，暂不开阀".to_owned(),
                    });
                }
                records.extend([leaflet(), card.clone()]);
                if let Some(at) = when(openings, ctx.as_of, rng) {
                    planned.push((at, records));
                }
            }
            HeatingStatus::Active => {
                // The 28 October service event at 鑫隆帝景城 brought stewards to many doors.
                let at_event = community.name == crate::names::XINLONG && rng.chance(0.2);
                if at_event || rng.chance(0.10) {
                    let at = if at_event {
                        Some(plus_min(local(event_day, 9, 30), rng.real(0.0, 150.0))).filter(|t| *t <= ctx.as_of)
                    } else {
                        when((service_start, ctx.as_of), ctx.as_of, rng)
                    };
                    let note = rng.pick(&[
                        "入户检查供暖设施，讲解用暖常识",
                        "检查暖气片及阀门，提醒注水期间家中留人",
                        "讲解供热政策、服务标准和缴费方式",
                        "提醒用户清洗过滤网，检查户内管道",
                    ]);
                    let mut records =
                        vec![InspectionRecord::RoutineService { note: note.to_owned() }, leaflet(), card.clone()];
                    if rng.chance(0.5) {
                        records.push(InspectionRecord::ResidentConfirmation {
                            confirmed_by: hh.resident_name.clone(),
                            signature: None,
                        });
                    }
                    if let Some(at) = at {
                        planned.push((at, records));
                    }
                }
                if rng.chance(0.04) {
                    let celsius = (rng.triangular(16.5, 20.5, 24.5) * 10.0).round() / 10.0;
                    if let Some(at) = when((official, ctx.as_of), ctx.as_of, rng) {
                        let mut records = vec![InspectionRecord::IndoorTemperature {
                            celsius,
                            room: "客厅".to_owned(),
                            measured_at: plus_min(at, 3.0),
                        }];
                        if celsius < steward_domain::visit::INDOOR_STANDARD_C {
                            records.push(InspectionRecord::RoutineService {
                                note: "室温偏低，已排气并报调度调节".to_owned(),
                            });
                        }
                        planned.push((at, records));
                    }
                }
            }
            _ => {}
        }
        if matches!(hh.status, HeatingStatus::Active | HeatingStatus::Suspended) && rng.chance(0.006) {
            let (findings, _) = illegal_use(ctx, h, 0.35, rng)?;
            let mut records = Vec::new();
            let reseal = hh.status == HeatingStatus::Suspended && !findings.is_empty();
            records.push(InspectionRecord::IllegalUseCheck { findings });
            if reseal {
                records.push(InspectionRecord::SuspensionValveClosure { valve: ctx.seal()?, photos: Vec::new() });
            }
            if let Some(at) = when((checks, ctx.as_of), ctx.as_of, rng) {
                planned.push((at, records));
            }
        }
        for (started, records) in planned {
            let completed = plus_min(started, rng.real(8.0, 30.0));
            if completed > ctx.as_of {
                continue;
            }
            let mut draft = VisitDraft::start(VisitId::new_v7(started, rng.id_bytes()), hh.id, steward, started);
            draft.location = near(home, 0.0, 15.0, rng, |_| true);
            for record in records {
                draft.add(record)?;
            }
            out.push((h, draft.complete(completed)?));
        }
    }
    Ok(out)
}

/// A working-hours time (08:30–20:30 local) on a day within `window`, not
/// after `as_of`; `None` when the window has not begun.
fn when(window: (Timestamp, Timestamp), as_of: Timestamp, rng: &mut DemoRng) -> Option<Timestamp> {
    let (from, to) = (window.0, window.1.min(as_of));
    if to <= from {
        return None;
    }
    let span_min = to.duration_since(from).as_secs_f64() / 60.0;
    let midnight = local_midnight(plus_min(from, rng.real(0.0, span_min)));
    let at = plus_min(midnight, rng.real(8.5 * 60.0, 20.5 * 60.0));
    (from..=to).contains(&at).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_follow_the_calendar() {
        assert_eq!(Phase::of(jiff::civil::date(2026, 10, 20)), Phase::Before);
        assert_eq!(Phase::of(day(IGNITION)), Phase::Ignition);
        assert_eq!(Phase::of(jiff::civil::date(2026, 11, 4)), Phase::Filling);
        assert_eq!(Phase::of(jiff::civil::date(2026, 11, 5)), Phase::Trial);
        assert_eq!(Phase::of(jiff::civil::date(2026, 11, 15)), Phase::OfficialStart);
        assert_eq!(Phase::of(jiff::civil::date(2026, 11, 21)), Phase::Official);
        assert_eq!(Phase::of(jiff::civil::date(2027, 3, 20)), Phase::After);
    }

    #[test]
    fn working_hours_stay_in_the_window() {
        let mut rng = DemoRng::new(4, crate::rng::Stream::Visits);
        let from = local(jiff::civil::date(2026, 10, 1), 0, 0);
        let to = local(jiff::civil::date(2026, 10, 5), 0, 0);
        for _ in 0..200 {
            if let Some(t) = when((from, to), to, &mut rng) {
                assert!(t >= from && t <= to);
                let hour = jiff::tz::Offset::constant(8).to_datetime(t).hour();
                assert!((8..=20).contains(&hour), "{t}");
            }
        }
        assert_eq!(when((to, from), to, &mut rng), None);
    }
}
