// 团队地图 / the team map: the districts on the device, the stewards' last
// known positions (stale ones greyed) and the team's open tickets coloured
// by their clock, read live from the central.

import type { MapViewDto } from "./bindings/MapViewDto";
import type { TeamMapDto } from "./bindings/TeamMapDto";
import { h } from "./dom";
import { t } from "./i18n";
import { type LeadApiError, leadTeamMap, mapView, toLeadError } from "./lead-api";
import { leadErrorBox } from "./lead-error";
import { shanghaiTime } from "./lead-board";
import { createMapCanvas, type MapModel, mapModel, retoneTickets, type TicketPoint, validLonLat } from "./map";

export type TeamMapState =
  | { kind: "loading" }
  | { kind: "loaded"; team: TeamMapDto; model: MapModel; tickets: TicketPoint[] }
  | { kind: "failed"; error: LeadApiError };

/**
 * The team map's model: districts from the device, tickets placed at their
 * building when the device knows it (the lead's device holds the team's
 * ground once synced), stewards at their last position.
 */
export function teamMapModel(view: MapViewDto, team: TeamMapDto, nowMs: number): { model: MapModel; tickets: TicketPoint[] } {
  const place = new Map(view.tickets.map((x) => [x.id, x]));
  const tickets: TicketPoint[] = [];
  for (const ticket of team.tickets) {
    const at = place.get(ticket.id);
    if (!at || !validLonLat(at.lon, at.lat)) continue;
    tickets.push({ ...ticket, lon: at.lon, lat: at.lat, address: ticket.address || at.address });
  }
  const stewards = team.positions.map((p) => ({
    steward_id: p.steward_id,
    name: p.name,
    lon: p.position?.lon ?? null,
    lat: p.position?.lat ?? null,
    stale: p.stale || !p.position?.fresh,
  }));
  const model = mapModel({ districts: view.districts, communities: [], buildings: [], tickets }, nowMs, { stewards });
  return { model, tickets };
}

export interface TeamMap {
  element: HTMLElement;
  state(): TeamMapState;
  show(): Promise<void>;
  tick(nowMs?: number): void;
  render(): void;
}

export function createTeamMap(
  options: { load?: () => Promise<TeamMapDto>; view?: () => Promise<MapViewDto>; now?: () => number; draw?: boolean } = {},
): TeamMap {
  const load = options.load ?? leadTeamMap;
  const view = options.view ?? mapView;
  const now = options.now ?? Date.now;
  const drawing = options.draw ?? true;
  const title = h("h2", { class: "section-title" });
  const status = h("div", { class: "map-status", attrs: { role: "status" } });
  const canvas = createMapCanvas("team-map");
  const list = h("ul", { class: "plain-list team-positions" });
  const element = h(
    "section",
    { class: "screen lead-screen team-map", attrs: { "data-screen": "team-map", "data-testid": "team-map" } },
    title,
    status,
    canvas.element,
    list,
  );
  let current: TeamMapState = { kind: "loading" };

  function render(): void {
    title.textContent = t("teamMap.title");
    element.dataset.state = current.kind;
    switch (current.kind) {
      case "loading":
        status.replaceChildren(h("p", { class: "muted", text: t("common.loading") }));
        list.replaceChildren();
        return;
      case "failed": {
        status.replaceChildren(leadErrorBox(current.error, () => void show()));
        return;
      }
      case "loaded": {
        status.replaceChildren(h("p", { class: "muted", text: t("teamMap.positions", { count: current.team.positions.length }) }));
        list.replaceChildren(
          ...current.team.positions.map((p) =>
            h(
              "li",
              { class: "team-position", attrs: { "data-id": p.steward_id, "data-stale": String(p.stale) } },
              h("span", { class: "stale-name", text: p.name || p.steward_id }),
              p.position && validLonLat(p.position.lon, p.position.lat)
                ? h("span", { class: "muted", text: t("board.lastSeen", { time: shanghaiTime(p.position.at) }) })
                : h("span", { class: "muted", text: t("teamMap.noPosition") }),
              p.stale ? h("span", { class: "chip chip-warn", text: t("board.stale") }) : null,
              p.queued > 0 ? h("span", { class: "chip chip-warn", text: t("board.queued", { count: p.queued }) }) : null,
            ),
          ),
        );
      }
    }
  }

  async function show(): Promise<void> {
    if (current.kind !== "loaded") {
      current = { kind: "loading" };
      render();
    }
    try {
      const [team, places] = await Promise.all([load(), view()]);
      const { model, tickets } = teamMapModel(places, team, now());
      current = { kind: "loaded", team, model, tickets };
      render();
      if (drawing) {
        await canvas.draw(model, places.tile_url);
        canvas.resize();
      }
    } catch (error) {
      current = { kind: "failed", error: toLeadError(error) };
      render();
    }
  }

  function tick(nowMs = now()): void {
    if (current.kind !== "loaded") return;
    const tones = retoneTickets(current.model, current.tickets, nowMs);
    if (drawing) canvas.tone(tones);
  }

  render();
  return { element, state: () => current, show, tick, render };
}
