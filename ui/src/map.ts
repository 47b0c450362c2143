// 片区地图 / the district map. The layers (district polygons, communities,
// buildings, open tickets coloured by their 30-minute clock, positions) are
// computed by pure functions from the device's data; Leaflet only draws
// them. With no tile URL the map has no base layer and needs no network.

import type { MapViewDto } from "./bindings/MapViewDto";
import { remainingMs, urgency } from "./countdown";
import { h } from "./dom";
import { type MessageKey, t } from "./i18n";
import { type LeadApiError, mapView, setMapTileUrl, toLeadError } from "./lead-api";

/** `[lat, lng]`, Leaflet's order (GeoJSON and the DTOs use `[lon, lat]`). */
export type LatLng = [number, number];

/** A ticket's colour class: the countdown's urgency, or met once on site. */
export type TicketTone = "ok" | "at_risk" | "breached" | "met";

export interface PolygonLayer {
  id: string;
  label: string;
  mine: boolean;
  /** Polygons → rings → points. */
  rings: LatLng[][][];
}

export interface PointLayer {
  id: string;
  kind: "community" | "building" | "ticket" | "me" | "steward";
  at: LatLng;
  label: string;
  /** CSS class suffix (tone of a ticket, `stale` for a steward). */
  tone: string;
  radius: number;
}

export interface MapModel {
  districts: PolygonLayer[];
  points: PointLayer[];
  /** South-west and north-east corners of everything drawn; null when empty. */
  bounds: [LatLng, LatLng] | null;
}

export interface Position {
  lon: number;
  lat: number;
}

/** A point worth drawing: finite, on the globe, not the 0,0 of a missing fix. */
export function validLonLat(lon: number | null | undefined, lat: number | null | undefined): boolean {
  return (
    typeof lon === "number" &&
    typeof lat === "number" &&
    Number.isFinite(lon) &&
    Number.isFinite(lat) &&
    Math.abs(lon) <= 180 &&
    Math.abs(lat) <= 90 &&
    !(lon === 0 && lat === 0)
  );
}

/** The tone of an open ticket at `nowMs`: on site counts as met; else its countdown. */
export function ticketTone(status: string, dueAt: string, nowMs: number, slaStatus?: string | null): TicketTone {
  if (slaStatus === "met" || slaStatus === "met_unverified" || status === "on_site" || status === "resolved") {
    return "met";
  }
  if (slaStatus === "breached") return "breached";
  const level = urgency(remainingMs(dueAt, nowMs));
  if (slaStatus === "at_risk" && level === "ok") return "at_risk";
  return level;
}

export interface TicketPoint {
  id: string;
  category: string;
  status: string;
  due_at: string;
  address: string;
  lon: number;
  lat: number;
  sla_status?: string | null;
}

export interface StewardPoint {
  steward_id: string;
  name: string;
  lon: number | null;
  lat: number | null;
  stale: boolean;
}

/** The map model of a device's map view, open tickets toned at `nowMs`. */
export function mapModel(
  view: Pick<MapViewDto, "districts" | "communities" | "buildings"> & { tickets: TicketPoint[] },
  nowMs: number,
  extra: { me?: Position | null; stewards?: StewardPoint[] } = {},
): MapModel {
  const districts: PolygonLayer[] = view.districts
    .map((d) => ({
      id: d.id,
      label: `${d.name}（${d.code}）`,
      mine: d.mine,
      rings: d.polygons.map((polygon) =>
        polygon.map((ring) => ring.filter(([lon, lat]) => validLonLat(lon, lat)).map(([lon, lat]): LatLng => [lat, lon])),
      ),
    }))
    .filter((d) => d.rings.some((p) => p.some((r) => r.length >= 3)));
  const points: PointLayer[] = [];
  for (const c of view.communities) {
    if (!validLonLat(c.lon, c.lat)) continue;
    points.push({ id: c.id, kind: "community", at: [c.lat, c.lon], label: c.name, tone: "community", radius: 7 });
  }
  for (const b of view.buildings) {
    if (!validLonLat(b.lon, b.lat)) continue;
    const label = t("map.building", { label: b.label, households: b.household_count, suspended: b.suspended_count });
    points.push({ id: b.id, kind: "building", at: [b.lat, b.lon], label, tone: b.suspended_count > 0 ? "suspended" : "building", radius: 3 });
  }
  for (const ticket of view.tickets) {
    if (!validLonLat(ticket.lon, ticket.lat)) continue;
    const label = t("map.ticket", {
      category: t(`category.${ticket.category}` as MessageKey),
      status: t(`ticket.${ticket.status}` as MessageKey),
      address: ticket.address,
    });
    const tone = ticketTone(ticket.status, ticket.due_at, nowMs, ticket.sla_status);
    points.push({ id: ticket.id, kind: "ticket", at: [ticket.lat, ticket.lon], label, tone, radius: 9 });
  }
  for (const s of extra.stewards ?? []) {
    if (!validLonLat(s.lon, s.lat)) continue;
    points.push({ id: s.steward_id, kind: "steward", at: [s.lat!, s.lon!], label: s.name, tone: s.stale ? "stale" : "live", radius: 10 });
  }
  if (extra.me && validLonLat(extra.me.lon, extra.me.lat)) {
    points.push({ id: "me", kind: "me", at: [extra.me.lat, extra.me.lon], label: t("map.legend.me"), tone: "me", radius: 8 });
  }
  return { districts, points, bounds: boundsOf(districts, points) };
}

/** The box around every ring point and point; null when there is nothing. */
export function boundsOf(districts: PolygonLayer[], points: PointLayer[]): [LatLng, LatLng] | null {
  let south = Infinity;
  let west = Infinity;
  let north = -Infinity;
  let east = -Infinity;
  const add = ([lat, lng]: LatLng) => {
    south = Math.min(south, lat);
    north = Math.max(north, lat);
    west = Math.min(west, lng);
    east = Math.max(east, lng);
  };
  for (const d of districts) for (const polygon of d.rings) for (const ring of polygon) ring.forEach(add);
  for (const p of points) add(p.at);
  return Number.isFinite(south) ? [[south, west], [north, east]] : null;
}

/** Re-tones the ticket points of `model` at `nowMs` (the map's one-second tick). */
export function retoneTickets(model: MapModel, tickets: TicketPoint[], nowMs: number): Map<string, TicketTone> {
  const byId = new Map<string, TicketTone>();
  for (const ticket of tickets) byId.set(ticket.id, ticketTone(ticket.status, ticket.due_at, nowMs, ticket.sla_status));
  for (const p of model.points) if (p.kind === "ticket" && byId.has(p.id)) p.tone = byId.get(p.id)!;
  return byId;
}

// ---- drawing ---------------------------------------------------------------

type Leaflet = typeof import("leaflet");

let leafletModule: Promise<Leaflet> | null = null;

/** Leaflet and its stylesheet, loaded on first use (not on the first screen). */
function loadLeaflet(): Promise<Leaflet> {
  leafletModule ??= Promise.all([import("leaflet"), import("leaflet/dist/leaflet.css")]).then(
    ([module]) => ((module as unknown as { default?: Leaflet }).default ?? module) as Leaflet,
  );
  return leafletModule;
}

/** A Leaflet map drawing a model; `draw` replaces its layers. */
export interface MapCanvas {
  element: HTMLElement;
  draw(model: MapModel, tileUrl: string): Promise<void>;
  /** Sets the tone class of ticket markers (called each second). */
  tone(tones: Map<string, TicketTone>): void;
  /** Leaflet measures its box: call after the element is shown. */
  resize(): void;
}

export function createMapCanvas(testId: string): MapCanvas {
  const element = h("div", { class: "map-canvas", attrs: { "data-testid": `${testId}-canvas` } });
  let map: import("leaflet").Map | null = null;
  let group: import("leaflet").LayerGroup | null = null;
  let tiles: import("leaflet").TileLayer | null = null;
  let currentTiles = "";
  const tickets = new Map<string, import("leaflet").CircleMarker>();

  async function draw(model: MapModel, tileUrl: string): Promise<void> {
    const L = await loadLeaflet();
    if (!map) {
      map = L.map(element, { zoomControl: true, attributionControl: Boolean(tileUrl), preferCanvas: false });
      map.setView([37.31, 117.16], 13);
    }
    if (tileUrl !== currentTiles) {
      tiles?.remove();
      tiles = tileUrl ? L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(map) : null;
      currentTiles = tileUrl;
    }
    element.dataset.tiles = tileUrl ? "on" : "off";
    group?.remove();
    group = L.layerGroup().addTo(map);
    tickets.clear();
    for (const d of model.districts) {
      L.polygon(d.rings, { className: `map-district${d.mine ? " mine" : ""}`, weight: 2 })
        .bindTooltip(d.label)
        .addTo(group);
    }
    for (const p of model.points) {
      const marker = L.circleMarker(p.at, { radius: p.radius, className: `map-point map-${p.kind} tone-${p.tone}`, weight: 2 })
        .bindTooltip(p.label)
        .addTo(group);
      if (p.kind === "ticket") tickets.set(p.id, marker);
    }
    if (model.bounds) map.fitBounds(model.bounds, { padding: [16, 16], maxZoom: 17 });
  }

  function tone(tones: Map<string, TicketTone>): void {
    for (const [id, value] of tones) {
      const el = tickets.get(id)?.getElement();
      if (!el) continue;
      for (const cls of ["tone-ok", "tone-at_risk", "tone-breached", "tone-met"]) el.classList.toggle(cls, cls === `tone-${value}`);
    }
  }

  return { element, draw, tone, resize: () => map?.invalidateSize() };
}

// ---- the steward's district map screen ------------------------------------

export type MapState =
  | { kind: "loading" }
  | { kind: "loaded"; view: MapViewDto; model: MapModel }
  | { kind: "failed"; error: LeadApiError };

export interface MapScreen {
  element: HTMLElement;
  state(): MapState;
  /** Loads (again) and draws. */
  show(): Promise<void>;
  tick(nowMs?: number): void;
  render(): void;
}

export interface MapScreenOptions {
  load?: () => Promise<MapViewDto>;
  saveTileUrl?: (url: string) => Promise<string>;
  now?: () => number;
  /** The steward's position when the platform gives one. */
  position?: () => Promise<Position | null>;
  /** Whether to draw with Leaflet (tests check the model, not the drawing). */
  draw?: boolean;
}

/** The browser's geolocation, if it answers quickly; null otherwise. */
export function browserPosition(timeoutMs = 3000): Promise<Position | null> {
  const geo = typeof navigator !== "undefined" ? navigator.geolocation : undefined;
  if (!geo) return Promise.resolve(null);
  return new Promise((resolve) => {
    geo.getCurrentPosition(
      (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude }),
      () => resolve(null),
      { timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}

export function createMapScreen(options: MapScreenOptions = {}): MapScreen {
  const load = options.load ?? mapView;
  const saveTileUrl = options.saveTileUrl ?? setMapTileUrl;
  const now = options.now ?? Date.now;
  const position = options.position ?? (() => browserPosition());
  const drawing = options.draw ?? true;
  const title = h("h2", { class: "section-title" });
  const status = h("p", { class: "muted map-status", attrs: { role: "status" } });
  const counts = h("p", { class: "map-counts" });
  const canvas = createMapCanvas("district-map");
  const legend = h("ul", { class: "map-legend" });
  const tileLabel = h("label", { class: "map-tile-label", attrs: { for: "map-tile-url" } });
  const tileInput = h("input", { class: "map-tile-input", attrs: { id: "map-tile-url", type: "url", inputmode: "url" } });
  const tileSave = h("button", { class: "button", attrs: { type: "button" } });
  const tileNote = h("p", { class: "muted map-tile-note", attrs: { role: "status" } });
  const settings = h("details", { class: "map-settings" }, h("summary", {}), tileLabel, tileInput, tileSave, tileNote);
  const element = h(
    "section",
    { class: "screen map-screen", attrs: { "data-screen": "map", "data-testid": "district-map" } },
    title,
    status,
    canvas.element,
    counts,
    legend,
    settings,
  );
  let current: MapState = { kind: "loading" };
  let me: Position | null = null;

  tileSave.addEventListener("click", async () => {
    try {
      const saved = await saveTileUrl(tileInput.value);
      tileInput.value = saved;
      tileNote.textContent = t("map.tileSaved");
      tileNote.dataset.error = "false";
      await show();
    } catch (error) {
      tileNote.textContent = toLeadError(error).message;
      tileNote.dataset.error = "true";
    }
  });

  function render(): void {
    title.textContent = t("map.title");
    (settings.firstChild as HTMLElement).textContent = t("map.tileUrl");
    tileLabel.textContent = t("map.tileUrlHint");
    tileSave.textContent = t("map.tileSave");
    legend.replaceChildren(
      ...(["district", "community", "building", "ticket", "me"] as const).map((k) =>
        h("li", { class: `legend-${k}` }, h("span", { class: "legend-swatch", attrs: { "aria-hidden": "true" } }), t(`map.legend.${k}`)),
      ),
    );
    switch (current.kind) {
      case "loading":
        status.textContent = t("map.loading");
        counts.textContent = "";
        return;
      case "failed":
        status.textContent = `${t("common.error")}: ${current.error.message}`;
        return;
      case "loaded": {
        const v = current.view;
        status.textContent = v.districts.length === 0 && v.buildings.length === 0 ? t("map.empty") : v.tile_url ? "" : t("map.noTiles");
        counts.textContent = t("map.counts", {
          districts: v.districts.length,
          communities: v.communities.length,
          buildings: v.buildings.length,
          tickets: v.tickets.length,
        });
      }
    }
  }

  async function show(): Promise<void> {
    if (current.kind !== "loaded") {
      current = { kind: "loading" };
      render();
    }
    try {
      const view = await load();
      // The device's own fix first (a phone's GPS through the core), else the webview's.
      me = view.position ? { lon: view.position.lon, lat: view.position.lat } : (me ?? (await position().catch(() => null)));
      tileInput.value = view.tile_url;
      const model = mapModel(view, now(), { me });
      current = { kind: "loaded", view, model };
      render();
      if (drawing) {
        await canvas.draw(model, view.tile_url);
        canvas.resize();
      }
    } catch (error) {
      current = { kind: "failed", error: toLeadError(error) };
      render();
    }
  }

  function tick(nowMs = now()): void {
    if (current.kind !== "loaded") return;
    const tones = retoneTickets(current.model, current.view.tickets, nowMs);
    if (drawing) canvas.tone(tones);
  }

  render();
  return { element, state: () => current, show, tick, render };
}
