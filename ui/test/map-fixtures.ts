// The district map's test data, shaped like the Rust DTO (the binding type-checks it).

import type { MapViewDto } from "../src/bindings/MapViewDto";
import { dueIn } from "./fixtures";

const MIN = 60 * 1000;

export function mapFixture(): MapViewDto {
  return {
    districts: [
      {
        id: "d-1",
        code: "SH-01",
        name: "商中片区",
        mine: true,
        polygons: [[[[117.1, 37.3], [117.2, 37.3], [117.2, 37.4], [117.1, 37.3]]]],
      },
      // A district whose boundary is unknown is not drawn.
      { id: "d-2", code: "SH-02", name: "无边界", mine: false, polygons: [] },
    ],
    communities: [{ id: "c-1", name: "鑫隆帝景城", district_id: "d-1", lon: 117.15, lat: 37.33 }],
    buildings: [
      { id: "b-1", community_id: "c-1", label: "1号楼", lon: 117.151, lat: 37.331, household_count: 24, suspended_count: 2 },
      { id: "b-2", community_id: "c-1", label: "2号楼", lon: 117.152, lat: 37.332, household_count: 18, suspended_count: 0 },
      // A building with no coordinates (0,0) is left out, not drawn in the Gulf of Guinea.
      { id: "b-3", community_id: "c-1", label: "3号楼", lon: 0, lat: 0, household_count: 1, suspended_count: 0 },
    ],
    tickets: [
      ticketAt("t-late", dueIn(-2 * MIN), "dispatched"),
      ticketAt("t-soon", dueIn(8 * MIN), "accepted"),
      ticketAt("t-fine", dueIn(25 * MIN), "dispatched"),
      ticketAt("t-there", dueIn(-1 * MIN), "on_site"),
    ],
    tile_url: "",
    position: null,
  };
}

function ticketAt(id: string, due_at: string, status: string) {
  return {
    id,
    household_id: "hh-1",
    category: "no_heat",
    status,
    assignee: "s-1",
    reported_at: new Date(Date.parse(due_at) - 30 * MIN).toISOString(),
    due_at,
    address: "鑫隆帝景城 1号楼 2单元 301室",
    lon: 117.151,
    lat: 37.331,
  };
}

