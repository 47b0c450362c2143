//! The team lead's screens end to end, in the real window at a phone's
//! 360 × 740: lead1 signs in and gets the lead's tabs; a hotline report
//! made at the central appears on the dispatch board with a running
//! countdown; the lead opens it, sees the candidates with their estimated
//! arrival, dispatches it to steward1 and then reassigns it with a reason,
//! each checked on the central; the team map, the SLA dashboard (its charts
//! drawn) and the callback list each load without the failure box.
//!
//! Every check waits for the exact state it reads (a screen's
//! `data-state`, a row's `data-status` and `data-assignee`), never for
//! time to pass.

use std::path::Path;

use serde_json::{Value, json};
use steward_domain::ids::UserId;

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

    // 8. Back on the board: it reads the central again and still shows the reassignment.
    app.click_on("[data-testid=nav-board]", UI).await?;
    screen_loaded(app, board).await?;
    app.wait_for(&format!("{board} {row}[data-assignee='{other}']"), UI).await?;
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
