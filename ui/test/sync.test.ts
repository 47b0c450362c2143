import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAlertBanner } from "../src/alerts";
import { mountApp } from "../src/app";
import type { SlaAlertDto } from "../src/bindings/SlaAlertDto";
import type { SyncPanelDto } from "../src/bindings/SyncPanelDto";
import type { DeviceEvents } from "../src/events";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { createSyncScreen } from "../src/sync";
import { deviceTable, mockCommands } from "./fixtures";

export function panel(overrides: Partial<SyncPanelDto> = {}): SyncPanelDto {
  return {
    state: "idle",
    central: true,
    pending: { priority: 1, bulk: 2, total: 3 },
    last_success_at: "2026-11-26T01:00:00Z",
    progress: null,
    last_error: null,
    attention: [],
    clock_offset_ms: 1200,
    ...overrides,
  };
}

const REFUSED = {
  mutation_id: "m-1",
  entity: "ticket",
  entity_id: "t-1",
  op: "accept",
  device_time: "2026-11-26T00:50:00Z",
  code: "reassigned",
  message: "the ticket was reassigned to another steward",
};

const ALERT: SlaAlertDto = { ticket_id: "t-2", kind: "at_risk", due_at: "2026-11-26T01:10:00Z", category: "leak", address: "鑫隆帝景城 1号楼 2单元 301室" };

/** Events a test pushes by hand, as Rust would emit them. */
function fakeEvents() {
  const handlers = { sync: [] as ((p: SyncPanelDto) => void)[], tickets: [] as (() => void)[], alert: [] as ((a: SlaAlertDto) => void)[] };
  const events: DeviceEvents = {
    onSync: (h) => void handlers.sync.push(h),
    onTicketsChanged: (h) => void handlers.tickets.push(h),
    onAlert: (h) => void handlers.alert.push(h),
  };
  return { events, handlers };
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

describe("sync panel", () => {
  it("shows what waits per lane, the last sync and the state", async () => {
    const screen = createSyncScreen({ load: async () => panel() });
    document.body.append(screen.element);
    await screen.show();
    expect(byTestId("sync-pending-total")?.textContent).toBe("3");
    expect(byTestId("sync-pending-priority")?.textContent).toBe("1");
    expect(byTestId("sync-pending-bulk")?.textContent).toBe("2");
    expect(byTestId("sync-state")?.dataset.state).toBe("idle");
    expect(byTestId("sync-state")?.textContent).toBe("已同步");
    expect(byTestId("sync-last-ok")?.dataset.at).toBe("2026-11-26T01:00:00Z");
    expect(byTestId("sync-progress")).toBeNull();
  });

  it("follows pushed panels: progress while syncing, offline, and the pending count", async () => {
    const totals: number[] = [];
    const screen = createSyncScreen({ load: async () => panel(), changed: (p) => totals.push(p.pending.total) });
    document.body.append(screen.element);
    await screen.show();
    screen.update(panel({ state: "syncing", progress: { done: 2, total: 5 } }));
    expect(byTestId("sync-state")?.dataset.state).toBe("syncing");
    expect(byTestId("sync-progress")?.getAttribute("value")).toBe("2");
    expect(byTestId("sync-progress")?.getAttribute("max")).toBe("5");
    expect(screen.element.textContent).toContain("已上传 2 / 5");
    screen.update(panel({ state: "offline", pending: { priority: 0, bulk: 4, total: 4 }, last_error: { code: "offline", message: "connection refused" } }));
    expect(byTestId("sync-state")?.textContent).toBe("离线，联网后自动上传");
    expect(byTestId("sync-pending-total")?.textContent).toBe("4");
    expect(totals).toEqual([3, 3, 4]);
  });

  it("lists refused changes with the server's reason, and retries or dismisses them", async () => {
    const asked: string[] = [];
    const screen = createSyncScreen({
      load: async () => panel({ attention: [REFUSED, { ...REFUSED, mutation_id: "m-2", entity: "visit", op: "create", code: "not_found", message: "household not found" }] }),
      retry: async (id) => (asked.push(`retry ${id}`), panel({ attention: [] })),
      dismiss: async (id) => (asked.push(`dismiss ${id}`), panel({ attention: [REFUSED] })),
    });
    document.body.append(screen.element);
    await screen.show();
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="attention-row"]')];
    expect(rows.map((r) => r.dataset.code)).toEqual(["reassigned", "not_found"]);
    expect(rows[0]?.textContent).toContain("工单已改派给其他管家");
    expect(rows[0]?.textContent).toContain("工单操作：接单");
    rows[1]!.querySelector<HTMLElement>('[data-testid="attention-dismiss"]')!.click();
    await expect.poll(() => document.querySelectorAll('[data-testid="attention-row"]').length).toBe(1);
    document.querySelector<HTMLElement>('[data-testid="attention-retry"]')!.click();
    await expect.poll(() => document.querySelectorAll('[data-testid="attention-row"]').length).toBe(0);
    expect(asked).toEqual(["dismiss m-2", "retry m-1"]);
  });
});

describe("alerts", () => {
  it("keeps one banner per ticket, a breach replacing the warning, and opens the ticket", () => {
    const opened: string[] = [];
    const banner = createAlertBanner((id) => opened.push(id), async () => []);
    document.body.append(banner.element);
    expect(banner.element.hidden).toBe(true);
    banner.add(ALERT);
    banner.add(ALERT);
    expect(document.querySelectorAll('[data-testid="sla-alert"]').length).toBe(1);
    expect(byTestId("sla-alert")?.textContent).toContain("剩余不到 10 分钟");
    banner.add({ ...ALERT, kind: "breached" });
    expect([...document.querySelectorAll<HTMLElement>('[data-testid="sla-alert"]')].map((a) => a.dataset.kind)).toEqual(["breached"]);
    byTestId("sla-alert")!.querySelector<HTMLElement>(".sla-alert-main")!.click();
    expect(opened).toEqual(["t-2"]);
  });
});

describe("app shell with events", () => {
  it("has a sync tab, shows pushed alerts and pending counts, and reloads Today when tickets change", async () => {
    const calls = mockCommands(deviceTable({ sync_panel: panel(), recent_alerts: [] }));
    const { events, handlers } = fakeEvents();
    const root = document.createElement("div");
    document.body.append(root);
    const app = mountApp(root, events);
    await app.ready;
    for (const id of ["nav-today", "nav-households", "nav-sync", "nav-card"]) expect(byTestId(id), id).not.toBeNull();
    expect(byTestId("pending-badge")?.textContent).toBe("待同步 2");

    byTestId("nav-sync")!.click();
    await expect.poll(() => byTestId("sync-pending-total")?.textContent).toBe("3");
    expect(byTestId("pending-badge")?.textContent).toBe("待同步 3");
    for (const h of handlers.sync) h(panel({ pending: { priority: 0, bulk: 0, total: 0 } }));
    expect(byTestId("pending-badge")?.textContent).toBe("待同步 0");
    expect(byTestId("sync-pending-total")?.textContent).toBe("0");

    for (const h of handlers.alert) h(ALERT);
    expect(byTestId("sla-alert")?.dataset.ticketId).toBe("t-2");

    const todayCalls = () => calls.filter((c) => c.cmd === "today").length;
    const before = todayCalls();
    for (const h of handlers.tickets) h();
    await expect.poll(todayCalls).toBe(before + 1);
  });
});
