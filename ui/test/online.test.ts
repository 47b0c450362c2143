import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mountApp } from "../src/app";
import type { SyncPanelDto } from "../src/bindings/SyncPanelDto";
import type { DeviceEvents } from "../src/events";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { createOnlineIndicator, netState } from "../src/online";
import { deviceTable, mockCommands } from "./fixtures";

/** A sync panel as Rust pushes it. */
function panel(overrides: Partial<SyncPanelDto>): SyncPanelDto {
  return {
    state: "idle",
    central: true,
    pending: { priority: 0, bulk: 2, total: 2 },
    last_success_at: null,
    progress: null,
    last_error: null,
    attention: [],
    clock_offset_ms: null,
    ...overrides,
  };
}

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

const noAnswer = (code: string) => ({ central: true, last_error: { code, message: "connection refused" } });

describe("the network badge", () => {
  it("is offline without a network, unreachable when the central gives no answer, else online", () => {
    expect(netState(false, null)).toBe("offline");
    expect(netState(false, noAnswer("offline"))).toBe("offline");
    expect(netState(true, null)).toBe("online");
    expect(netState(true, noAnswer("offline"))).toBe("unreachable");
    expect(netState(true, noAnswer("unreachable"))).toBe("unreachable");
    // The central answered with a refusal: it is reachable.
    expect(netState(true, noAnswer("signed_out"))).toBe("online");
    expect(netState(true, { central: true, last_error: null })).toBe("online");
    // No central configured: only the network counts.
    expect(netState(true, { central: false, last_error: { code: "offline", message: "" } })).toBe("online");
  });

  it("follows the sync's panel and the browser's events", () => {
    const onLine = vi.spyOn(window.navigator, "onLine", "get").mockReturnValue(true);
    const badge = createOnlineIndicator();
    expect([badge.element.textContent, badge.element.dataset.state, badge.isOnline()]).toEqual(["在线", "online", true]);
    badge.sync(noAnswer("offline"));
    expect([badge.element.textContent, badge.element.dataset.online, badge.isOnline()]).toEqual(["连不上服务器", "false", false]);
    onLine.mockReturnValue(false);
    window.dispatchEvent(new Event("offline"));
    expect([badge.element.textContent, badge.element.dataset.state]).toEqual(["离线", "offline"]);
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
    expect(badge.element.textContent).toBe("连不上服务器");
    badge.sync({ central: true, last_error: null });
    expect([badge.element.textContent, badge.state()]).toEqual(["在线", "online"]);
    setLocale("en");
    badge.sync(noAnswer("unreachable"));
    expect(badge.element.textContent).toBe("Server unreachable");
  });
});

describe("the app's header", () => {
  it("says 连不上服务器 while the sync gets no answer, with the offline note, and 在线 once a round succeeds", async () => {
    vi.spyOn(window.navigator, "onLine", "get").mockReturnValue(true);
    mockCommands(deviceTable());
    const sync: ((p: SyncPanelDto) => void)[] = [];
    const events: DeviceEvents = { onSync: (h) => void sync.push(h), onTicketsChanged: () => {}, onAlert: () => {} };
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    const app = mountApp(root, events);
    await app.ready;
    const badge = document.querySelector<HTMLElement>(".net")!;
    const note = document.querySelector<HTMLElement>(".offline-note")!;
    expect([badge.textContent, note.hidden]).toEqual(["在线", true]);
    for (const h of sync) h(panel({ state: "offline", last_error: { code: "offline", message: "connection refused" } }));
    expect([badge.textContent, badge.dataset.state, note.hidden]).toEqual(["连不上服务器", "unreachable", false]);
    for (const h of sync) h(panel({ state: "idle", last_error: null }));
    expect([badge.textContent, note.hidden]).toEqual(["在线", true]);
  });
});
