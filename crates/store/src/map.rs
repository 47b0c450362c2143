//! What the district map (片区地图) draws from the device: the places with
//! their coordinates and the open tickets at their buildings. District
//! boundaries come from [`Store::districts`].

use serde::Serialize;
use steward_domain::ground::format_address;
use steward_domain::ids::{BuildingId, CommunityId, DistrictId};
use steward_domain::ticket::Ticket;

use crate::codec::{col, to_u32};
use crate::error::Result;
use crate::{Store, rows};

/// A community (小区) as a point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapCommunity {
    pub id: CommunityId,
    pub name: String,
    pub district_id: DistrictId,
    pub lon: f64,
    pub lat: f64,
}

/// A building (楼) as a point, with its household counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapBuilding {
    pub id: BuildingId,
    pub community_id: CommunityId,
    pub number: u32,
    pub lon: f64,
    pub lat: f64,
    pub household_count: u32,
    pub suspended_count: u32,
}

/// An open ticket at its household's building.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapTicket {
    pub ticket: Ticket,
    pub address: String,
    pub lon: f64,
    pub lat: f64,
}

/// Everything on the device that has a place on the map.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MapPlaces {
    pub communities: Vec<MapCommunity>,
    pub buildings: Vec<MapBuilding>,
    /// Open tickets (any assignee on the device), soonest due first.
    pub open_tickets: Vec<MapTicket>,
}

impl Store {
    /// The communities, buildings and open tickets on the device with their
    /// coordinates.
    pub fn map_places(&self) -> Result<MapPlaces> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, district_id, lon, lat FROM communities ORDER BY sort_key, id")?;
        let mut rows = stmt.query([])?;
        let mut communities = Vec::new();
        while let Some(row) = rows.next()? {
            communities.push(MapCommunity {
                id: col(row, "id")?,
                name: row.get("name")?,
                district_id: col(row, "district_id")?,
                lon: row.get("lon")?,
                lat: row.get("lat")?,
            });
        }

        let mut stmt = self.conn.prepare_cached(
            "SELECT b.id, b.community_id, b.number, b.lon, b.lat, \
             (SELECT count(*) FROM households h WHERE h.building_id = b.id) AS household_count, \
             (SELECT count(*) FROM households h WHERE h.building_id = b.id AND h.status = 'suspended') \
               AS suspended_count \
             FROM buildings b ORDER BY b.community_id, b.number, b.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut buildings = Vec::new();
        while let Some(row) = rows.next()? {
            buildings.push(MapBuilding {
                id: col(row, "id")?,
                community_id: col(row, "community_id")?,
                number: to_u32("building number", row.get("number")?)?,
                lon: row.get("lon")?,
                lat: row.get("lat")?,
                household_count: to_u32("household count", row.get("household_count")?)?,
                suspended_count: to_u32("suspended count", row.get("suspended_count")?)?,
            });
        }

        let open: Vec<String> = steward_domain::ticket::TicketStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{}'", s.code()))
            .collect();
        let sql = format!(
            "SELECT t.ticket_json, h.room, c.name AS community, b.number AS building_no, u.number AS unit_no, \
             b.lon, b.lat FROM tickets t JOIN households h ON h.id = t.household_id \
             JOIN communities c ON c.id = h.community_id JOIN buildings b ON b.id = h.building_id \
             JOIN units u ON u.id = h.unit_id WHERE t.status IN ({}) ORDER BY t.due_at, t.id",
            open.join(", ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([])?;
        let mut open_tickets = Vec::new();
        while let Some(row) = rows.next()? {
            let community: String = row.get("community")?;
            let building_no = to_u32("building number", row.get("building_no")?)?;
            let unit_no = to_u32("unit number", row.get("unit_no")?)?;
            let ticket: Ticket = rows::ticket(row)?;
            open_tickets.push(MapTicket {
                ticket,
                address: format_address(&community, building_no, unit_no, &row.get::<_, String>("room")?),
                lon: row.get("lon")?,
                lat: row.get("lat")?,
            });
        }
        Ok(MapPlaces { communities, buildings, open_tickets })
    }
}
