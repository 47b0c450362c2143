//! Team-lead mode against a real central on loopback: the dispatch board's
//! tickets, a ticket's candidates, assigning, and what the lead sees with
//! no central to reach. Also the district map's layers from the device.

mod common;

use std::sync::Arc;

use jiff::Timestamp;
use steward_device::Device;
use steward_device::lead::{LeadClient, OPEN_STATUSES};
use steward_domain::ids::DeviceId;

const PASSWORD: &str = "heat-test-lead";

fn device_of(dir: &std::path::Path, user: &str) -> Arc<Device> {
    let device = Device::open(&dir.join(user)).unwrap();
    device.bootstrap_demo(user, DeviceId::new_v7(Timestamp::UNIX_EPOCH, [7; 10])).unwrap();
    Arc::new(device)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_lead_reads_the_board_ranks_candidates_and_assigns() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let device = device_of(dir.path(), "lead1");
    assert!(device.lead_status(true).unwrap().is_lead);
    let lead = LeadClient::for_device(&device, &base, PASSWORD.to_owned()).unwrap();

    // The team's open tickets, soonest due first, each with the central's SLA status.
    let tickets = lead.open_tickets().await.unwrap();
    assert!(!tickets.is_empty(), "the demo has open tickets in lead1's team");
    assert!(tickets.iter().all(|t| OPEN_STATUSES.contains(&t.status.as_str())), "{tickets:?}");
    assert!(tickets.windows(2).all(|w| w[0].due_at <= w[1].due_at));
    assert!(tickets.iter().all(|t| t.sla_status.is_some()));

    // The board: the same tickets, described, with every part the central offers.
    let board = lead.board(&device).await.unwrap();
    assert_eq!(board.unavailable, Vec::<String>::new());
    assert_eq!(board.tickets.len(), tickets.len());
    assert!(board.tickets.iter().take(10).all(|t| !t.address.is_empty()), "addresses come from the central");
    assert!(
        board.tickets.iter().filter(|t| t.assignee.is_some()).all(|t| t.assignee_name.is_some()),
        "assignees are named"
    );

    // A ticket's candidates, best estimated arrival first.
    let ticket = &tickets[0];
    let picked = lead.candidates(&ticket.id).await.unwrap();
    assert_eq!(picked.ticket_id, ticket.id);
    assert!(!picked.candidates.is_empty());
    assert!(picked.candidates.windows(2).all(|w| w[0].eta_minutes <= w[1].eta_minutes), "{picked:?}");
    assert!(picked.candidates.iter().all(|c| !c.name.is_empty()));

    // Assigning to a steward who does not hold it: dispatch or reassign.
    let to = picked.candidates.iter().find(|c| Some(&c.steward_id) != ticket.assignee.as_ref()).unwrap();
    let assigned = lead.assign(&ticket.id, &to.steward_id, Some("离得更近")).await.unwrap();
    assert_eq!(assigned.assignee.as_deref(), Some(to.steward_id.as_str()));
    let again = lead.open_tickets().await.unwrap();
    let now_held = again.iter().find(|t| t.id == ticket.id).unwrap();
    assert_eq!(now_held.assignee.as_deref(), Some(to.steward_id.as_str()));

    // Bad input never reaches the network; the central's refusal keeps its code.
    assert_eq!(lead.candidates("../users").await.unwrap_err().code(), "bad_input");
    let unknown = lead.candidates(&uuid::Uuid::now_v7().to_string()).await.unwrap_err();
    assert_eq!((unknown.code(), unknown.status()), ("not_found".to_owned(), Some(404)));
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_signed_in_on_the_sign_in_screen_reads_the_board_with_that_session() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let device = Arc::new(Device::open(&dir.path().join("signed-in")).unwrap());
    assert!(LeadClient::for_session(&device).unwrap().is_none(), "nobody signed in yet");
    let id = DeviceId::new_v7(Timestamp::UNIX_EPOCH, [5; 10]);
    steward_device::sign_in(&device, &base, "lead1", PASSWORD, id).await.unwrap();
    let lead = LeadClient::for_session(&device).unwrap().expect("the remembered session");
    assert_eq!(lead.base(), base);
    assert!(!lead.open_tickets().await.unwrap().is_empty());

    // Signing out forgets the session; the lead screens then have no central.
    device.sign_out().unwrap();
    assert!(LeadClient::for_session(&device).unwrap().is_none());
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steward_is_refused_the_lead_screens_with_the_centrals_code() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base, stop) = common::start_central(dir.path(), PASSWORD).await;
    let device = device_of(dir.path(), "steward1");
    assert!(!device.lead_status(true).unwrap().is_lead);
    let client = LeadClient::for_device(&device, &base, PASSWORD.to_owned()).unwrap();
    let err = client.positions().await.unwrap_err();
    assert_eq!((err.code(), err.status()), ("forbidden".to_owned(), Some(403)), "{err}");

    let wrong = LeadClient::for_device(&device, &base, "not-the-password".to_owned()).unwrap();
    assert_eq!(wrong.open_tickets().await.unwrap_err().code(), "unauthorized");
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_central_to_reach_the_lead_screens_answer_offline() {
    let dir = tempfile::tempdir().unwrap();
    let device = device_of(dir.path(), "lead1");
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let lead = LeadClient::for_device(&device, &format!("http://127.0.0.1:{port}"), PASSWORD.to_owned()).unwrap();
    let err = lead.board(&device).await.unwrap_err();
    assert_eq!(err.code(), "offline", "{err}");
    assert_eq!(lead.team_map(&device).await.unwrap_err().code(), "offline");
}

#[test]
fn the_district_map_draws_the_stewards_districts_from_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let device = device_of(dir.path(), "steward1");
    let view = device.map_view().unwrap();
    assert!(!view.districts.is_empty());
    assert!(view.districts.iter().all(|d| d.mine && !d.polygons.is_empty()), "steward1's districts with boundaries");
    assert!(!view.communities.is_empty() && !view.buildings.is_empty());
    assert!(view.buildings.iter().all(|b| b.lon.is_finite() && b.lat.is_finite() && b.label.ends_with("号楼")));
    assert!(view.tickets.iter().all(|t| OPEN_STATUSES.contains(&t.status.as_str()) && !t.address.is_empty()));
    assert_eq!(view.tile_url, "", "no tiles until one is set: the map works offline");

    let url = "https://tiles.example/{z}/{x}/{y}.png";
    assert_eq!(device.set_map_tile_url(url).unwrap(), url);
    assert_eq!(device.map_view().unwrap().tile_url, url);
    assert_eq!(device.set_map_tile_url("http://no-placeholders").unwrap_err().code(), "bad_tile_url");
    assert_eq!(device.map_tile_url().unwrap(), url, "a refused URL leaves the setting as it was");
    assert_eq!(device.set_map_tile_url("").unwrap(), "");

    // The response distribution: the steward's tickets with an arrival, none negative.
    let season = device.response_times(Timestamp::now(), 400).unwrap();
    assert!(!season.minutes.is_empty(), "steward1's demo history has arrivals");
    assert!(season.minutes.iter().all(|m| m.is_finite() && *m >= 0.0));
    let none = device.response_times("2020-01-01T00:00:00Z".parse().unwrap(), 1).unwrap();
    assert!(none.minutes.is_empty(), "nothing was reported in 2019");
    assert_eq!(device.response_times(Timestamp::now(), 0).unwrap_err().code(), "bad_input");
}
