//! The team lead's screens end to end, in the real window at a phone's
//! 360 × 740: lead1 signs in and gets the lead's tabs; a hotline report
//! made at the central appears on the dispatch board with a running
//! countdown; the lead opens it, sees the candidates with their estimated
//! arrival, dispatches it to steward1 and then reassigns it with a reason,
//! each checked on the central; the team map, the SLA dashboard (its charts
//! drawn) and the callback list each load without the failure box.
//!
//! Back on the board, the rest of what it promises, each made real at the
//! central first: two hotline reports taken 22 and 45 minutes ago (the
//! report's time starts the 30-minute clock) show as at risk (`08:00` or
//! less left, 即将超时) and breached (`15:00` or more over, 已超时), listed
//! breached, at risk, on track, with both kinds in the alerts; as many
//! no-heat reports from one station's communities as make an incident
//! show as that station's incident, its text the central's incident's
//! (station, ticket count, first report); and the devices: one whose last
//! sync is long past (written with the store function the sync handlers
//! call, as the API stamps syncs with the central's clock) is listed stale
//! with its queue depth and last sync, one that pushed just now saying
//! records are waiting is listed not stale with its queue depth, and one
//! that pushed just now with nothing waiting is not listed.
//!
//! Every check waits for the exact state it reads (a screen's
//! `data-state`, a row's `data-status`, `data-assignee`, `data-urgency`,
//! `data-station` and `data-stale`, and the texts shown), never for time to
//! pass.

use std::collections::HashMap;
use std::path::Path;

use jiff::tz::{TimeZone, offset};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use steward_domain::ids::{CommunityId, DistrictId, HouseholdId, StationId, UserId};
use steward_domain::org::Role;

use crate::central::{self, Central};
use crate::driver::Driver;
use crate::webdriver::Session;
use crate::{ONE_WINDOW, SYNC, UI, artifacts_dir, assert_display, wait_synced};

/// The tabs a team lead has, in the tab bar's order: 同步, 派单, 团队, 考核, 回访, 名片.
const LEAD_TABS: [&str; 6] = ["sync", "board", "teamMap", "dashboard", "callbacks", "card"];
/// The reason the lead gives for the reassignment.
const REASON: &str = "steward1 在另一户处理漏水（端到端测试）";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_leads_dispatch_board_and_screens_end_to_end() {
    assert_display();
    let _window = ONE_WINDOW.lock().await;
    let shots = artifacts_dir();
    let work = tempfile::tempdir().unwrap();
    let central = Central::seed_and_start(&work.path().join("central.db")).await;
    // A lead's phone: the device is lead1's, with no GPS (a lead does not check in).
    let driver = Driver::start(&central, work.path(), Some("lead1"), None).await;
    let app = match Session::start(&driver.url(), &driver.application()).await {
        Ok(app) => app,
        Err(error) => panic!("start the app session: {error}\n{}", driver.diagnostics()),
    };
    let outcome = scenario(&app, &central, &shots).await;
    if let Err(error) = &outcome {
        eprintln!("e2e (lead) failed: {error}");
        let _ = app.screenshot(&shots.join("lead-failure.png")).await;
        let _ = app.quit().await;
        panic!("{error}\nscreenshots: {}\n{}", shots.display(), driver.diagnostics());
    }
    app.quit().await.expect("close the app");
}

async fn scenario(app: &Session, central: &Central, shots: &Path) -> Result<(), String> {
    app.set_window_size(360, 740).await?;

    // 1. lead1 signs in; the tab bar becomes the lead's.
    app.fill("[data-testid=login-username]", "lead1", UI).await?;
    app.fill("[data-testid=login-password]", central::PASSWORD, UI).await?;
    app.click_on("[data-testid=login-submit]", UI).await?;
    app.wait_for("nav.tabbar[data-role=lead]", UI).await?;
    let tabs = app
        .poll("the lead's tabs", UI, || async {
            let shown = app
                .execute(
                    "return [...document.querySelectorAll('nav.tabbar [data-tab]')].filter(b => !b.hidden).map(b => b.dataset.tab);",
                    json!([]),
                )
                .await?;
            Ok((shown == json!(LEAD_TABS)).then_some(shown))
        })
        .await?;
    println!("lead tabs: {tabs}");
    let board = "[data-testid=dispatch-board]:not([hidden])";
    screen_loaded(app, board).await?;

    // 2. The hotline reports no heat in steward1's district; the lead taps 派单 and sees it, new, its clock running.
    let steward1 = central.user("steward1");
    let lead1 = central.user("lead1");
    let district = central.data.districts.iter().find(|d| d.steward_id == Some(steward1)).unwrap().id;
    let household = central.data.households.iter().rev().find(|h| h.district_id == district).unwrap().id;
    let ticket = central.reported_ticket(household, "E2E-LEAD-0001").await;
    app.click_on("[data-testid=nav-board]", UI).await?;
    let row = format!("[data-testid=board-ticket][data-id='{ticket}']");
    app.wait_for(&format!("{board} {row}[data-status=new][data-assignee='']"), UI).await?;
    let clock = format!("{row} [data-testid=board-countdown] .countdown-time");
    let first = app.wait_text(&clock, UI, |t| t.contains(':') && t.chars().any(|c| c.is_ascii_digit())).await?;
    let later = app.wait_text(&clock, UI, |t| t != first && t.contains(':')).await?;
    println!("board countdown: {first} → {later}");
    no_error_box(app, board).await?;
    scroll_to_top(app).await?;
    app.screenshot(&shots.join("lead-01-board.png")).await?;

    // 3. Open it: the candidates, each with an estimated arrival; dispatch to steward1.
    let candidates = open_candidates(app, &row).await?;
    println!("candidates: {candidates:?}");
    if !candidates.iter().any(|(id, _)| *id == steward1.to_string()) {
        return Err(format!("steward1 ({steward1}) is not among the candidates: {candidates:?}"));
    }
    // The ticket at the top of the screen, below the sticky header, its candidates under it.
    app.execute(
        "const row = document.querySelector(arguments[0]);
         const header = document.querySelector('header')?.getBoundingClientRect().height ?? 0;
         if (row) window.scrollTo(0, row.getBoundingClientRect().top + window.scrollY - header - 8);",
        json!([format!("{board} {row}")]),
    )
    .await?;
    app.screenshot(&shots.join("lead-02-candidates.png")).await?;
    app.click_on(&format!("{row} [data-testid=candidate][data-id='{steward1}'] [data-testid=candidate-assign]"), UI)
        .await?;
    app.wait_for(&format!("{board} {row}[data-status=dispatched][data-assignee='{steward1}']"), UI).await?;
    let name = |id: UserId| central.data.staff.iter().find(|s| s.id == id).unwrap().display_name.clone();
    let notice = app.wait_text("[data-testid=board-notice]", UI, |t| t.contains(&name(steward1))).await?;
    println!("board notice: {notice}");

    // The central holds the dispatch, made by lead1.
    let on_central = central.get_ticket(&ticket).await;
    check_ticket(&on_central, "dispatched", steward1)?;
    find_event(&on_central, |e| {
        e["action"]["action"] == json!("dispatch")
            && e["action"]["steward_id"] == json!(steward1)
            && e["actor_id"] == json!(lead1)
    })?;
    app.execute(
        "document.querySelector(arguments[0])?.scrollIntoView({block: 'center'});",
        json!([format!("{board} {row}")]),
    )
    .await?;
    app.screenshot(&shots.join("lead-03-assigned.png")).await?;

    // 4. Reassign it to another candidate, saying why.
    let candidates = open_candidates(app, &row).await?;
    let other = candidates
        .iter()
        .map(|(id, _)| id.clone())
        .find(|id| *id != steward1.to_string())
        .ok_or_else(|| format!("no other candidate to reassign to: {candidates:?}"))?;
    // Typed again should the board re-render mid-typing; it keeps a finished reason across its refresh.
    let reason = format!("{row} [data-testid=reassign-reason]");
    app.poll("the reason typed in full", UI, || async {
        let typed = app.execute("return document.querySelector(arguments[0])?.value ?? null;", json!([reason])).await?;
        if typed == json!(REASON) {
            return Ok(Some(()));
        }
        app.fill(&reason, REASON, UI).await?;
        Ok(None)
    })
    .await?;
    app.click_on(&format!("{row} [data-testid=candidate][data-id='{other}'] [data-testid=candidate-assign]"), UI)
        .await?;
    app.wait_for(&format!("{board} {row}[data-status=dispatched][data-assignee='{other}']"), UI).await?;
    let on_central = central.get_ticket(&ticket).await;
    let other_id: UserId = other.parse().map_err(|_| format!("candidate id {other} is not a user id"))?;
    check_ticket(&on_central, "dispatched", other_id)?;
    find_event(&on_central, |e| {
        e["action"]["action"] == json!("reassign")
            && e["action"]["steward_id"] == json!(other_id)
            && e["action"]["reason"] == json!(REASON)
            && e["actor_id"] == json!(lead1)
    })?;
    app.wait_text("[data-testid=board-notice]", UI, |t| t.contains(&name(other_id))).await?;
    no_error_box(app, board).await?;

    // 5. The team map, once the lead's device holds the team's ground.
    wait_synced(app).await?;
    app.click_on("[data-testid=nav-teamMap]", UI).await?;
    let team_map = "[data-testid=team-map]:not([hidden])";
    screen_loaded(app, team_map).await?;
    let positions = app.find_all(&format!("{team_map} .team-position")).await?.len();
    let districts = app
        .poll("the team map's districts drawn", UI, || async {
            let n = app.find_all(&format!("{team_map} [data-testid=team-map-canvas] path.map-district")).await?.len();
            Ok((n > 0).then_some(n))
        })
        .await?;
    println!("team map: {positions} stewards listed, {districts} districts drawn");
    if positions == 0 {
        return Err("the team map lists no steward".to_owned());
    }
    no_error_box(app, team_map).await?;
    scroll_to_top(app).await?;
    app.screenshot(&shots.join("lead-04-team-map.png")).await?;

    // 6. The SLA dashboard: its charts are drawn.
    app.click_on("[data-testid=nav-dashboard]", UI).await?;
    let dashboard = "[data-testid=sla-dashboard]:not([hidden])";
    screen_loaded(app, dashboard).await?;
    let charts = app.find_all(&format!("{dashboard} svg.chart")).await?.len();
    let rate = app.wait_text(&format!("{dashboard} .dash-rate"), UI, |t| t.contains('%') || t.contains('—')).await?;
    println!("dashboard: {charts} charts, {rate}");
    if charts == 0 {
        return Err("the SLA dashboard drew no chart".to_owned());
    }
    no_error_box(app, dashboard).await?;
    scroll_to_top(app).await?;
    app.screenshot(&shots.join("lead-05-dashboard.png")).await?;

    // 7. The callback list.
    app.click_on("[data-testid=nav-callbacks]", UI).await?;
    let callbacks = "[data-testid=callbacks]:not([hidden])";
    screen_loaded(app, callbacks).await?;
    let titles: Vec<String> = {
        let mut out = Vec::new();
        for element in app.find_all(&format!("{callbacks} .sub-title")).await? {
            out.push(app.text(&element).await?);
        }
        out
    };
    println!("callbacks: {titles:?}");
    if titles.len() != 2 {
        return Err(format!("the callbacks screen should show its two lists: {titles:?}"));
    }
    no_error_box(app, callbacks).await?;
    scroll_to_top(app).await?;
    app.screenshot(&shots.join("lead-06-callbacks.png")).await?;

    // 8. Meanwhile at the central: two hotline reports taken 22 and 45 minutes ago, a station's
    // worth of no-heat reports, and the team's devices: one gone quiet with records waiting,
    // one in touch with records waiting, one in sync with nothing waiting.
    let seeded = seed_board(central, district, &[household]).await?;

    // Back on the board, which reads the central again on the tap: the reassignment still there.
    app.click_on("[data-testid=nav-board]", UI).await?;
    screen_loaded(app, board).await?;
    app.wait_for(&format!("{board} {row}[data-assignee='{other}']"), UI).await?;

    // 9. The clock of each ticket: at risk (amber) and breached (red), the most urgent first.
    urgency_marked(app, board, &seeded, &ticket).await?;
    scroll_to_top(app).await?;
    app.screenshot(&shots.join("lead-07-board-urgent.png")).await?;

    // 10. The station incident, as the central judges it.
    let incident = format!("{board} .board-incident[data-station='{}']", seeded.station);
    let shown = app
        .poll("the station incident on the board", UI, || async {
            let texts = app
                .execute(
                    "return [...document.querySelectorAll(arguments[0])].map(li => li.textContent);",
                    json!([incident]),
                )
                .await?;
            let texts: Vec<String> = serde_json::from_value(texts).map_err(|e| e.to_string())?;
            Ok(texts.into_iter().find(|t| *t == seeded.incident_text))
        })
        .await?;
    println!("board incident: {shown}");

    // 11. The devices that stopped syncing, each with its queue depth.
    stale_devices_listed(app, board, &seeded).await?;
    app.execute(
        "document.querySelector(arguments[0])?.scrollIntoView({block: 'end'});",
        json!([format!("{board} .board-stale")]),
    )
    .await?;
    app.screenshot(&shots.join("lead-08-board-devices.png")).await?;
    no_error_box(app, board).await?;
    let overflow: Value =
        app.execute("return document.documentElement.scrollWidth > window.innerWidth + 1;", json!([])).await?;
    if overflow != json!(false) {
        return Err("at 360 px wide the lead's board scrolls sideways".to_owned());
    }
    Ok(())
}

/// Waits until the screen `css` finished loading; a failure box is an error
/// carrying its text.
async fn screen_loaded(app: &Session, css: &str) -> Result<(), String> {
    let state = app
        .poll(&format!("{css} to finish loading"), SYNC, || async {
            let Some(screen) = app.find_all(css).await?.into_iter().next() else { return Ok(None) };
            let state = app.attribute(&screen, "data-state").await?;
            Ok(matches!(state.as_deref(), Some("loaded" | "failed")).then_some(state))
        })
        .await?;
    if state.as_deref() == Some("failed") {
        let text = app.wait_text(&format!("{css} .error-box"), UI, |_| true).await.unwrap_or_default();
        return Err(format!("{css} failed to load: {text}"));
    }
    Ok(())
}

/// The failure box (`lead-error.ts`) is not on the screen `css`.
async fn no_error_box(app: &Session, css: &str) -> Result<(), String> {
    let boxes = app.find_all(&format!("{css} .error-box")).await?;
    if let Some(first) = boxes.first() {
        return Err(format!("{css} shows a failure box: {}", app.text(first).await.unwrap_or_default()));
    }
    Ok(())
}

/// Taps the board's ticket `row` and waits for its candidates; returns each
/// candidate's steward id and estimated arrival, as listed.
async fn open_candidates(app: &Session, row: &str) -> Result<Vec<(String, String)>, String> {
    app.click_on(&format!("{row} [data-testid=board-ticket-open]"), UI).await?;
    let panel = format!("{row} [data-testid=candidates]");
    app.poll("the candidates", UI, || async {
        let Some(element) = app.find_all(&panel).await?.into_iter().next() else { return Ok(None) };
        match app.attribute(&element, "data-state").await?.as_deref() {
            Some("loaded") => Ok(Some(())),
            Some("failed") => Err(format!("the candidates failed to load: {}", app.text(&element).await?)),
            _ => Ok(None),
        }
    })
    .await?;
    // Read in one go in the page, so a re-render cannot split the list.
    let listed = app
        .poll("the candidates' estimated arrivals", UI, || async {
            let found = app
                .execute(
                    "const panel = document.querySelector(arguments[0]);
                     return panel ? [...panel.querySelectorAll('[data-testid=candidate]')]
                       .map(c => [c.dataset.id, c.querySelector('[data-testid=candidate-eta]')?.textContent ?? '']) : [];",
                    json!([panel]),
                )
                .await?;
            let listed: Vec<(String, String)> = serde_json::from_value(found).map_err(|e| e.to_string())?;
            Ok((!listed.is_empty()).then_some(listed))
        })
        .await?;
    // `约 12 分钟 · 2.4 公里`: minutes and kilometres, both numbers; the soonest arrival first.
    let mut minutes = Vec::new();
    for (id, eta) in &listed {
        let parsed = eta
            .strip_prefix("约 ")
            .and_then(|rest| rest.split_once(" 分钟 · "))
            .and_then(|(m, km)| Some((m.parse::<u32>().ok()?, km.strip_suffix(" 公里")?.parse::<f64>().ok()?)));
        let Some((eta_minutes, _km)) = parsed else {
            return Err(format!("candidate {id} has no estimated arrival: {eta:?}"));
        };
        minutes.push(eta_minutes);
    }
    if !minutes.is_sorted() {
        return Err(format!("the candidates are not ranked by estimated arrival: {listed:?}"));
    }
    Ok(listed)
}

/// What step 8 put on the central for the board to show.
struct Seeded {
    /// Reported 22 minutes ago: due in 8 minutes, at risk (the last 10
    /// minutes), with 8 minutes' margin for a slow run before it is breached.
    at_risk: String,
    /// Reported 45 minutes ago: 15 minutes past due, breached.
    breached: String,
    /// The station of the incident and its row's text as the central's incident makes it.
    station: String,
    incident_text: String,
    /// Last synced long ago, records waiting: (steward, name, queued, last sync as shown).
    quiet: (UserId, String, u32, String),
    /// Synced just now, records still waiting: (steward, queued).
    busy: (UserId, u32),
    /// Synced just now with nothing waiting: not listed.
    in_sync: UserId,
}

/// Puts on the central, through its API (and the store function its sync
/// handlers call, for a sync in the past), what the board's remaining
/// promises are about. `district` is steward1's; `taken` its households
/// already used.
async fn seed_board(central: &Central, district: DistrictId, taken: &[HouseholdId]) -> Result<Seeded, String> {
    let policy = central.policy().await;
    let number = |key: &str| policy[key].as_u64().ok_or_else(|| format!("the policy has no {key}: {policy}"));
    let (threshold, stale_minutes) = (number("incident_threshold")?, number("stale_minutes")?);
    let now = Timestamp::now();
    let ago = |minutes: i64| now.checked_sub(SignedDuration::from_mins(minutes)).unwrap();

    // Two reports whose clocks started long ago, at steward1's households.
    let mut homes = central.data.households.iter().filter(|h| h.district_id == district && !taken.contains(&h.id));
    let mut report = async |reference: &str, minutes: i64, sla: &str| {
        let home = homes.next().ok_or("steward1's district has too few households")?.id;
        let ticket = central.reported_ticket_at(home, reference, ago(minutes)).await;
        if ticket["sla_status"] != json!(sla) {
            return Err(format!("reported {minutes} minutes ago, the central's ticket should be {sla}: {ticket}"));
        }
        Ok::<_, String>(ticket["id"].as_str().unwrap().to_owned())
    };
    let at_risk = report("E2E-LEAD-RISK", 22, "at_risk").await?;
    let breached = report("E2E-LEAD-LATE", 45, "breached").await?;

    // As many no-heat reports as make an incident, from the communities one station feeds in lead1's team.
    let team = central.data.staff.iter().find(|s| s.username == "lead1").and_then(|s| s.team_id).unwrap();
    let team_districts: Vec<DistrictId> =
        central.data.districts.iter().filter(|d| d.team_id == team).map(|d| d.id).collect();
    let station_of: HashMap<CommunityId, StationId> =
        central.data.communities.iter().filter_map(|c| Some((c.id, c.station_id?))).collect();
    let mut fed: HashMap<StationId, Vec<HouseholdId>> = HashMap::new();
    for h in central.data.households.iter().filter(|h| team_districts.contains(&h.district_id)) {
        if let Some(station) = station_of.get(&h.community_id).filter(|_| !taken.contains(&h.id)) {
            fed.entry(*station).or_default().push(h.id);
        }
    }
    let (station, homes) = fed
        .into_iter()
        .filter(|(_, homes)| homes.len() as u64 >= threshold + 2)
        .min_by_key(|(station, _)| *station)
        .ok_or("no station feeds enough households in lead1's team")?;
    let mut ours = Vec::new();
    for (n, home) in homes.iter().rev().take(threshold as usize).enumerate() {
        ours.push(central.reported_ticket_at(*home, &format!("E2E-LEAD-STATION-{n}"), now).await["id"].clone());
    }
    let incidents = central.incidents("lead1").await;
    let incident = incidents
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| {
            i["station_id"] == json!(station) && ours.iter().all(|t| i["ticket_ids"].as_array().unwrap().contains(t))
        })
        .ok_or_else(|| format!("the central has no incident at station {station} of {ours:?}: {incidents}"))?;
    let name = &central.data.stations.iter().find(|s| s.id == station).unwrap().name;
    let first: Timestamp = incident["first_at"].as_str().and_then(|t| t.parse().ok()).unwrap();
    let count = incident["ticket_ids"].as_array().unwrap().len();
    let incident_text = format!("{name} · {count} 张不热工单 · 自 {}", shanghai(first));

    // The team's devices (none has synced yet: every steward is listed, never synced).
    let mut stewards: Vec<_> = central
        .data
        .staff
        .iter()
        .filter(|s| s.role == Role::Steward && s.team_id == Some(team) && s.username != "steward1")
        .collect();
    stewards.sort_by(|a, b| a.username.cmp(&b.username));
    let [quiet, busy, in_sync, ..] = stewards.as_slice() else {
        return Err(format!("lead1's team has too few stewards: {}", stewards.len()));
    };
    central.device_reports_queue(&busy.username, 3).await;
    central.device_reports_queue(&in_sync.username, 0).await;
    let quiet_at = ago(i64::try_from(stale_minutes).unwrap() + 30);
    central.device_synced_at(quiet.id, quiet_at, 7).await;
    Ok(Seeded {
        at_risk,
        breached,
        station: station.to_string(),
        incident_text,
        quiet: (quiet.id, quiet.display_name.clone(), 7, shanghai(quiet_at)),
        busy: (busy.id, 3),
        in_sync: in_sync.id,
    })
}

/// The at-risk and breached tickets are marked so on the board (the row's
/// `data-urgency`, the countdown's words), their clocks counted from the
/// report, the breached one above the at-risk one above `fresh` (reported
/// in step 2, on track); the alerts name both kinds.
async fn urgency_marked(app: &Session, board: &str, seeded: &Seeded, fresh: &str) -> Result<(), String> {
    let row = |id: &str| format!("{board} [data-testid=board-ticket][data-id='{id}']");
    app.wait_for(&format!("{}[data-urgency=at_risk]", row(&seeded.at_risk)), UI).await?;
    app.wait_for(&format!("{}[data-urgency=breached]", row(&seeded.breached)), UI).await?;
    let seconds = |t: &str| -> Option<u32> {
        let (m, s) = t.split_once(':')?;
        Some(m.parse::<u32>().ok()? * 60 + s.parse::<u32>().ok()?)
    };
    let label = |id: &str| format!("{} [data-testid=board-countdown] .countdown-label", row(id));
    let time = |id: &str| format!("{} [data-testid=board-countdown] .countdown-time", row(id));
    app.wait_text(&label(&seeded.at_risk), UI, |t| t == "即将超时").await?;
    app.wait_text(&label(&seeded.breached), UI, |t| t == "已超时").await?;
    // Due 30 minutes after the report: 8 minutes left, and 15 minutes over.
    let left = app.wait_text(&time(&seeded.at_risk), UI, |t| seconds(t).is_some()).await?;
    let over = app.wait_text(&time(&seeded.breached), UI, |t| seconds(t).is_some()).await?;
    println!("board clocks: at risk {left} left, breached {over} over");
    if !seconds(&left).is_some_and(|s| s > 0 && s <= 8 * 60) {
        return Err(format!("the at-risk ticket reported 22 minutes ago should have at most 08:00 left: {left}"));
    }
    if seconds(&over).is_none_or(|s| s < 15 * 60) {
        return Err(format!("the ticket reported 45 minutes ago should be at least 15:00 over: {over}"));
    }
    let order = app
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map(r => r.dataset.id);",
            json!([format!("{board} [data-testid=board-ticket]")]),
        )
        .await?;
    let order: Vec<String> = serde_json::from_value(order).map_err(|e| e.to_string())?;
    let at = |id: &str| order.iter().position(|x| x == id);
    match (at(&seeded.breached), at(&seeded.at_risk), at(fresh)) {
        (Some(b), Some(r), Some(f)) if b < r && r < f => {}
        found => return Err(format!("breached, at risk, on track should be listed in that order: {found:?}")),
    }
    for kind in ["at_risk", "breached"] {
        app.wait_for(&format!("{board} .board-alerts [data-kind={kind}]"), UI).await?;
    }
    Ok(())
}

/// The quiet device is listed stale with its queue depth and last sync, the
/// busy one (in touch, records waiting) with its queue, and the one in sync
/// with nothing waiting is not listed: read in one go, once the board shows them.
async fn stale_devices_listed(app: &Session, board: &str, seeded: &Seeded) -> Result<(), String> {
    let (quiet, quiet_name, quiet_queued, quiet_seen) = &seeded.quiet;
    let (busy, busy_queued) = seeded.busy;
    let expected_quiet =
        json!([quiet_name, "true", format!("待上传 {quiet_queued}"), format!("最后同步 {quiet_seen}")]);
    let last = std::cell::RefCell::new(Value::Null);
    let found = app
        .poll("the stale devices with their queues", UI, || async {
            let rows = app
                .execute(
                    "const out = {};
                     for (const li of document.querySelectorAll(arguments[0]))
                       out[li.dataset.id] = [li.querySelector('.stale-name')?.textContent, li.dataset.stale,
                         li.querySelector('.stale-queue')?.textContent, li.querySelector('.muted')?.textContent];
                     return out;",
                    json!([format!("{board} .board-stale .stale-device")]),
                )
                .await?;
            let ok = rows[quiet.to_string()] == expected_quiet
                && rows[busy.to_string()][1] == json!("false")
                && rows[busy.to_string()][2] == json!(format!("待上传 {busy_queued}"))
                && rows.get(seeded.in_sync.to_string()).is_none();
            *last.borrow_mut() = rows.clone();
            Ok(ok.then_some(rows))
        })
        .await
        .map_err(|e| format!("{e}; the board's devices: {}", last.borrow()))?;
    println!("board stale devices: {} listed", found.as_object().map_or(0, |o| o.len()));
    Ok(())
}

/// `MM-DD HH:MM` in the service area's time (UTC+8), as the board shows last syncs and incidents.
fn shanghai(at: Timestamp) -> String {
    at.to_zoned(TimeZone::fixed(offset(8))).strftime("%m-%d %H:%M").to_string()
}

fn check_ticket(ticket: &Value, status: &str, assignee: UserId) -> Result<(), String> {
    if ticket["status"] != json!(status) || ticket["assignee"] != json!(assignee) {
        return Err(format!("the central's ticket should be {status} to {assignee}: {ticket}"));
    }
    Ok(())
}

fn find_event(ticket: &Value, matches: impl Fn(&Value) -> bool) -> Result<(), String> {
    let events = ticket["events"].as_array().ok_or_else(|| format!("the central's ticket has no events: {ticket}"))?;
    if events.iter().any(matches) {
        return Ok(());
    }
    Err(format!("the central's ticket lacks the expected event: {}", json!(events)))
}

async fn scroll_to_top(app: &Session) -> Result<(), String> {
    app.execute("window.scrollTo(0, 0);", json!([])).await?;
    Ok(())
}
