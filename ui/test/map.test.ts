import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { boundsOf, createMapScreen, mapModel, retoneTickets, ticketTone, validLonLat } from "../src/map";
import { dueIn, mockCommands, NOW } from "./fixtures";
import { mapFixture } from "./map-fixtures";

const MIN = 60 * 1000;

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

describe("map layers", () => {
  it("turns GeoJSON [lon, lat] into Leaflet [lat, lng] and skips districts with no boundary", () => {
    const model = mapModel(mapFixture(), NOW);
    expect(model.districts).toHaveLength(1);
    expect(model.districts[0]).toMatchObject({ id: "d-1", label: "商中片区（SH-01）", mine: true });
    expect(model.districts[0]!.rings[0]![0]![1]).toEqual([37.3, 117.2]);
  });

  it("draws communities, buildings with their counts, and tickets; drops points without coordinates", () => {
    const model = mapModel(mapFixture(), NOW);
    const kinds = model.points.map((p) => `${p.kind}:${p.id}`);
    expect(kinds).toEqual(["community:c-1", "building:b-1", "building:b-2", "ticket:t-late", "ticket:t-soon", "ticket:t-fine", "ticket:t-there"]);
    const b1 = model.points.find((p) => p.id === "b-1")!;
    expect(b1.label).toBe("1号楼 · 24 户，报停 2 户");
    expect(b1.tone).toBe("suspended");
    expect(model.points.find((p) => p.id === "b-2")!.tone).toBe("building");
    expect(model.points.find((p) => p.id === "t-late")!.label).toBe("不热 / 温度低 · 已派单 · 鑫隆帝景城 1号楼 2单元 301室");
  });

  it("colours tickets by their clock: breached, at risk (≤ 10 min), on track, and met once on site", () => {
    const tones = Object.fromEntries(mapModel(mapFixture(), NOW).points.filter((p) => p.kind === "ticket").map((p) => [p.id, p.tone]));
    expect(tones).toEqual({ "t-late": "breached", "t-soon": "at_risk", "t-fine": "ok", "t-there": "met" });
    // The central's own status wins where it knows more (the best ETA is past the deadline).
    expect(ticketTone("dispatched", dueIn(25 * MIN), NOW, "at_risk")).toBe("at_risk");
    expect(ticketTone("dispatched", dueIn(25 * MIN), NOW, "met_unverified")).toBe("met");
  });

  it("re-tones tickets as time passes, with no reload", () => {
    const view = mapFixture();
    const model = mapModel(view, NOW);
    const later = retoneTickets(model, view.tickets, NOW + 16 * MIN);
    expect(later.get("t-fine")).toBe("at_risk");
    expect(later.get("t-soon")).toBe("breached");
    expect(model.points.find((p) => p.id === "t-fine")!.tone).toBe("at_risk");
  });

  it("adds the steward's position and stale colleagues, and fits the bounds around everything", () => {
    const model = mapModel(mapFixture(), NOW, {
      me: { lon: 117.25, lat: 37.45 },
      stewards: [
        { steward_id: "s-2", name: "李四", lon: 117.05, lat: 37.29, stale: true },
        { steward_id: "s-3", name: "无位置", lon: null, lat: null, stale: false },
      ],
    });
    expect(model.points.filter((p) => p.kind === "me")).toHaveLength(1);
    expect(model.points.filter((p) => p.kind === "steward").map((p) => [p.label, p.tone])).toEqual([["李四", "stale"]]);
    expect(model.bounds).toEqual([
      [37.29, 117.05],
      [37.45, 117.25],
    ]);
  });

  it("has no bounds when there is nothing to draw", () => {
    expect(boundsOf([], [])).toBeNull();
    expect(validLonLat(0, 0)).toBe(false);
    expect(validLonLat(181, 10)).toBe(false);
    expect(validLonLat(117.1, 37.3)).toBe(true);
  });
});

describe("district map screen", () => {
  it("loads the map view, says it runs without tiles, and counts what it drew", async () => {
    mockCommands({ map_view: mapFixture() });
    const screen = createMapScreen({ now: () => NOW, position: async () => null, draw: false });
    document.body.append(screen.element);
    await screen.show();
    expect(screen.element.dataset.testid).toBe("district-map");
    expect(screen.state().kind).toBe("loaded");
    expect(screen.element.querySelector(".map-status")?.textContent).toContain("离线底图");
    expect(screen.element.querySelector(".map-counts")?.textContent).toBe("片区 2 · 小区 1 · 楼 3 · 工单 4");
  });

  it("marks the steward's position from the device's own fix before asking the webview", async () => {
    mockCommands({ map_view: { ...mapFixture(), position: { lon: 117.16, lat: 37.34, accuracy_m: 8, source: "gps" } } });
    let asked = 0;
    const screen = createMapScreen({ now: () => NOW, position: async () => (asked++, null), draw: false });
    await screen.show();
    const state = screen.state();
    const me = state.kind === "loaded" ? state.model.points.find((p) => p.kind === "me") : undefined;
    expect(me?.at).toEqual([37.34, 117.16]);
    expect(asked).toBe(0);
  });

  it("saves a tile URL and shows the device's refusal of a bad one", async () => {
    const calls = mockCommands({
      map_view: mapFixture(),
      set_map_tile_url: (args: unknown) => {
        const url = (args as { url: string }).url;
        if (!url.includes("{z}")) return Promise.reject({ code: "bad_tile_url", message: "a tile URL is an http(s) template" });
        return url;
      },
    });
    const screen = createMapScreen({ now: () => NOW, position: async () => null, draw: false });
    await screen.show();
    const input = screen.element.querySelector<HTMLInputElement>(".map-tile-input")!;
    const save = screen.element.querySelector<HTMLButtonElement>(".map-settings .button")!;
    input.value = "https://tiles.example/x.png";
    save.click();
    await flush();
    expect(screen.element.querySelector(".map-tile-note")?.getAttribute("data-error")).toBe("true");
    input.value = "https://tiles.example/{z}/{x}/{y}.png";
    save.click();
    await flush();
    expect(calls.filter((c) => c.cmd === "set_map_tile_url")).toHaveLength(2);
    expect(screen.element.querySelector(".map-tile-note")?.textContent).toBe("已保存");
  });

  it("shows the error when the device cannot answer", async () => {
    mockCommands({ map_view: () => Promise.reject({ code: "store", message: "disk full" }) });
    const screen = createMapScreen({ position: async () => null, draw: false });
    await screen.show();
    expect(screen.state()).toEqual({ kind: "failed", error: { code: "store", message: "disk full" } });
    expect(screen.element.querySelector(".map-status")?.textContent).toContain("disk full");
  });
});

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
}
