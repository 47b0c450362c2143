//! The organisation: 济南热力集团 → 商河供热服务中心 → steward teams, with
//! the admin, hotline agents, team leads and one steward per district.

use std::collections::HashSet;

use jiff::Timestamp;
use steward_domain::ground::PhoneNumber;
use steward_domain::ids::{CentreId, TeamId, UserId, UtilityId};
use steward_domain::org::{Role, ServiceCentre, Staff, Team, Utility};

use crate::DemoError;
use crate::names::{person, zh_number};
use crate::rng::DemoRng;

/// Mobile prefixes of the three mainland carriers.
const MOBILE_PREFIXES: &[u64] = &[
    130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 170, 173, 175, 176,
    177, 178, 180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 198, 199,
];

/// Hands out mobile numbers that are valid and never repeat.
pub(crate) struct Phones {
    used: HashSet<u64>,
}

impl Phones {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self { used: HashSet::with_capacity(n) }
    }

    pub(crate) fn next(&mut self, rng: &mut DemoRng) -> Result<PhoneNumber, DemoError> {
        loop {
            let number = rng.pick(MOBILE_PREFIXES) * 100_000_000 + rng.digits(8);
            if self.used.insert(number) {
                return Ok(PhoneNumber::parse(&number.to_string())?);
            }
        }
    }
}

/// The people and units of the organisation, with the indexes into `staff`
/// the generator needs.
pub(crate) struct Org {
    pub utility: Utility,
    pub centre: ServiceCentre,
    pub teams: Vec<Team>,
    pub staff: Vec<Staff>,
    /// The team lead of each team, as an index into `staff`.
    pub leads: Vec<usize>,
    /// Steward k (0-based) owns district k.
    pub stewards: Vec<usize>,
    pub hotline: Vec<usize>,
}

/// The team of district `k` of `districts`: consecutive districts share a team.
pub(crate) fn team_of_district(k: usize, districts: usize, teams: usize) -> usize {
    k * teams / districts.max(1)
}

/// About ten districts per team, and at least two teams.
pub(crate) fn team_count(districts: usize) -> usize {
    districts.div_ceil(10).max(2)
}

pub(crate) fn build(
    districts: usize,
    households: usize,
    created: Timestamp,
    rng: &mut DemoRng,
    phones: &mut Phones,
) -> Result<Org, DemoError> {
    let utility = Utility { id: UtilityId::new_v7(created, rng.id_bytes()), name: "济南热力集团".to_owned() };
    let centre = ServiceCentre {
        id: CentreId::new_v7(created, rng.id_bytes()),
        utility_id: utility.id,
        name: "商河供热服务中心".to_owned(),
    };
    let team_n = team_count(districts);
    let mut teams: Vec<Team> = (1..=team_n)
        .map(|t| Team {
            id: TeamId::new_v7(created, rng.id_bytes()),
            centre_id: centre.id,
            name: format!("供暖管家{}队", zh_number(t)),
            lead_id: None,
        })
        .collect();

    let mut names = HashSet::new();
    let mut staff = Vec::new();
    let mut add = |username: String, role: Role, team_id: Option<TeamId>, employee_no: String, rng: &mut DemoRng| {
        let display_name = loop {
            let name = person(rng);
            if names.insert(name.clone()) {
                break name;
            }
        };
        staff.push(Staff {
            id: UserId::new_v7(created, rng.id_bytes()),
            username,
            display_name,
            role,
            team_id,
            employee_no,
            mobile: Some(phones.next(rng)?),
        });
        Ok::<usize, DemoError>(staff.len() - 1)
    };

    add("admin".to_owned(), Role::Admin, None, "SH0001".to_owned(), rng)?;
    let hotline_n = 2 + households / 100_000;
    let hotline = (1..=hotline_n)
        .map(|i| add(format!("hotline{i}"), Role::HotlineAgent, None, format!("SH02{i:02}"), rng))
        .collect::<Result<Vec<_>, _>>()?;
    let leads = (0..team_n)
        .map(|t| {
            let n = t + 1;
            add(format!("lead{n}"), Role::TeamLead, Some(teams[t].id), format!("SH01{n:02}"), rng)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let stewards = (0..districts)
        .map(|k| {
            let team = &teams[team_of_district(k, districts, team_n)];
            let n = k + 1;
            add(format!("steward{n}"), Role::Steward, Some(team.id), format!("SH{:04}", 1000 + n), rng)
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (team, &lead) in teams.iter_mut().zip(&leads) {
        team.lead_id = Some(staff[lead].id);
    }
    Ok(Org { utility, centre, teams, staff, leads, stewards, hotline })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn districts_are_shared_out_to_teams_in_blocks() {
        assert_eq!(team_count(9), 2);
        assert_eq!(team_count(210), 21);
        let teams: Vec<usize> = (0..9).map(|k| team_of_district(k, 9, 2)).collect();
        assert_eq!(teams, [0, 0, 0, 0, 0, 1, 1, 1, 1]);
        assert_eq!(team_of_district(209, 210, 21), 20);
    }
}
