import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TicketActionResultDto } from "../src/bindings/TicketActionResultDto";
import type { TicketDetailDto } from "../src/bindings/TicketDetailDto";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { createTicketView, describeVerdict, liveSlaStatus } from "../src/ticket";
import { createTodayScreen } from "../src/today";
import { deviceTable, dueIn, mockCommands, NOW, TODAY } from "./fixtures";

const MIN = 60 * 1000;

export function ticketDetail(overrides: Partial<TicketDetailDto> = {}): TicketDetailDto {
  return {
    ticket: {
      id: "t-2",
      household_id: "hh-1",
      category: "no_heat",
      description: "暖气不热",
      status: "dispatched",
      is_open: true,
      reported_at: dueIn(-20 * MIN),
      due_at: dueIn(10 * MIN + 30_000),
    },
    resident_name: "王秀英",
    phone: "13812345678",
    address: "鑫隆帝景城 1号楼 2单元 301室",
    building_lon: 117.1362,
    building_lat: 37.3108,
    events: [
      {
        id: "e-1",
        seq: 1,
        action: "open",
        at: dueIn(-20 * MIN),
        actor_role: "hotline_agent",
        status_after: "new",
        verdict: null,
        note: null,
        pending: false,
      },
    ],
    sla: { status: "on_track", due_at: dueIn(10 * MIN + 30_000), now: new Date(NOW).toISOString(), at_risk_minutes: 10, geofence_m: 150 },
    next_actions: ["accept"],
    pending: false,
    ...overrides,
  };
}

function result(detail: TicketDetailDto, verdict: TicketActionResultDto["verdict"] = null): TicketActionResultDto {
  return { detail, verdict, pending: { priority: 1, bulk: 0, total: 1 } };
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

describe("ticket page", () => {
  it("shows the ticket, a call link, the clock and the actions its state allows", async () => {
    mockCommands(deviceTable({ ticket_detail: ticketDetail() }));
    const view = createTicketView("t-2", { back: () => undefined, now: () => NOW, autoTick: false });
    document.body.append(view.element);
    await view.ready;
    expect(byTestId("ticket-detail")?.dataset.ticketId).toBe("t-2");
    expect(byTestId("ticket-status")?.textContent).toBe("已派单");
    expect(document.querySelector<HTMLAnchorElement>(".tel-link")?.href).toBe("tel:13812345678");
    expect(byTestId("ticket-sla")?.dataset.sla).toBe("on_track");
    expect(byTestId("ticket-countdown")?.textContent).toContain("10:30");
    expect(byTestId("ticket-accept")).not.toBeNull();
    expect(byTestId("ticket-checkin")).toBeNull();
    // The clock keeps running on screen with no network: 31 s later it is at risk.
    view.tick(NOW + 31_000);
    expect(byTestId("ticket-sla")?.dataset.sla).toBe("at_risk");
    expect(byTestId("ticket-sla")?.textContent).toBe("即将超时");
  });

  it("applies the device's server offset to the countdown", async () => {
    // The device clock is 2 minutes behind the server's: sla.now is 2 minutes ahead of the clock.
    const detail = ticketDetail({ sla: { ...ticketDetail().sla, now: new Date(NOW + 2 * MIN).toISOString() } });
    mockCommands(deviceTable({ ticket_detail: detail }));
    const view = createTicketView("t-2", { back: () => undefined, now: () => NOW, autoTick: false });
    document.body.append(view.element);
    await view.ready;
    expect(byTestId("ticket-countdown")?.textContent).toContain("08:30");
  });

  it("accepts, and the saved action waits to sync", async () => {
    const accepted = ticketDetail({
      ticket: { ...ticketDetail().ticket, status: "accepted" },
      next_actions: ["en_route", "arrive"],
      pending: true,
    });
    const calls = mockCommands(deviceTable({ ticket_detail: ticketDetail(), ticket_action: result(accepted) }));
    let pending = 0;
    const view = createTicketView("t-2", {
      back: () => undefined,
      acted: (r) => (pending = r.pending.total),
      now: () => NOW,
      autoTick: false,
    });
    document.body.append(view.element);
    await view.ready;
    byTestId("ticket-accept")!.click();
    await expect.poll(() => byTestId("ticket-status")?.dataset.status).toBe("accepted");
    const sent = calls.filter((c) => c.cmd === "ticket_action");
    expect(sent[0]?.args).toEqual({ ticketId: "t-2", action: { action: "accept" } });
    expect(byTestId("ticket-status")?.dataset.status).toBe("accepted");
    expect(byTestId("ticket-enroute")).not.toBeNull();
    expect(byTestId("ticket-checkin")).not.toBeNull();
    expect(byTestId("ticket-pending")?.textContent).toBe("操作已保存在本机，联网后上传");
    expect(pending).toBe(1);
  });

  it("checks in by GPS in one tap when the device has a fix, and shows the verdict", async () => {
    const enRoute = ticketDetail({ ticket: { ...ticketDetail().ticket, status: "en_route" }, next_actions: ["arrive"] });
    const onSite = ticketDetail({
      ticket: { ...ticketDetail().ticket, status: "on_site" },
      next_actions: ["resolve"],
      sla: { ...ticketDetail().sla, status: "met" },
    });
    const verdict = { verified: true, method: "gps", reason: null, distance_m: null, fence_m: null, accuracy_m: null, note: null };
    const calls = mockCommands(
      deviceTable({
        ticket_detail: enRoute,
        location_fix: { lon: 117.1362, lat: 37.311, accuracy_m: 8, source: "fake_gps" },
        ticket_action: result(onSite, verdict),
      }),
    );
    const view = createTicketView("t-2", { back: () => undefined, now: () => NOW, autoTick: false });
    document.body.append(view.element);
    await view.ready;
    byTestId("ticket-checkin")!.click();
    await expect.poll(() => byTestId("checkin-verdict")?.textContent).toBe("到场已核验（定位）");
    expect(calls.find((c) => c.cmd === "ticket_action")?.args).toEqual({
      ticketId: "t-2",
      action: { action: "arrive", proof: { method: "gps" } },
    });
    expect(byTestId("ticket-sla")?.dataset.sla).toBe("met");
    expect(byTestId("ticket-countdown")?.hidden).toBe(true);
    expect(byTestId("resolve-note")).not.toBeNull();
  });

  it("without a fix offers the door tag and hand entry, and shows a refusal's reason", async () => {
    const enRoute = ticketDetail({ ticket: { ...ticketDetail().ticket, status: "en_route" }, next_actions: ["arrive"] });
    const calls = mockCommands(
      deviceTable({
        ticket_detail: enRoute,
        location_fix: null,
        ticket_action: () => Promise.reject({ code: "required", message: "tag is required" }),
      }),
    );
    const view = createTicketView("t-2", { back: () => undefined, now: () => NOW, autoTick: false });
    document.body.append(view.element);
    await view.ready;
    byTestId("ticket-checkin")!.click();
    await expect.poll(() => byTestId("checkin-panel")).not.toBeNull();
    byTestId("checkin-tag-submit")!.click();
    await expect.poll(() => byTestId("ticket-error")?.dataset.code).toBe("required");
    expect(byTestId("ticket-error")?.textContent).toBe("请填写必填项");
    expect(calls.find((c) => c.cmd === "ticket_action")?.args).toEqual({
      ticketId: "t-2",
      action: { action: "arrive", proof: { method: "tag_typed", tag: "" } },
    });
    // The hand entry starts at the building and says why.
    expect((byTestId("checkin-lon") as HTMLInputElement).value).toBe("117.1362");
    byTestId("checkin-manual-submit")!.click();
    await expect.poll(() => calls.filter((c) => c.cmd === "ticket_action").length).toBe(2);
    expect(calls.filter((c) => c.cmd === "ticket_action")[1]?.args).toEqual({
      ticketId: "t-2",
      action: { action: "arrive", proof: { method: "manual", reason: "本机无定位，手动确认到场", lon: 117.1362, lat: 37.3108 } },
    });
  });
});

describe("the response clock on screen", () => {
  it("moves a running clock and keeps a stopped one", () => {
    const d = ticketDetail();
    expect(liveSlaStatus(d, NOW)).toBe("on_track");
    expect(liveSlaStatus(d, NOW + 30_000)).toBe("at_risk");
    expect(liveSlaStatus(d, NOW + 10 * MIN + 30_000)).toBe("at_risk");
    expect(liveSlaStatus(d, NOW + 10 * MIN + 31_000)).toBe("breached");
    const met = ticketDetail({ sla: { ...d.sla, status: "met" } });
    expect(liveSlaStatus(met, NOW + 60 * MIN)).toBe("met");
  });

  it("says why an arrival is not verified", () => {
    const far = { verified: false, method: null, reason: "outside_geofence", distance_m: 420.4, fence_m: 150, accuracy_m: null, note: null };
    expect(describeVerdict(far)).toBe("到场未核验：距楼 420 米，超出 150 米范围");
    const hand = { ...far, reason: "manual_entry", distance_m: null, fence_m: null, note: "桌面端" };
    expect(describeVerdict(hand)).toBe("到场未核验：手动填写位置（桌面端），待班长审核");
  });
});

describe("Today", () => {
  it("opens a ticket's page from its row", async () => {
    mockCommands(deviceTable());
    const opened: string[] = [];
    const screen = createTodayScreen({ now: () => NOW, autoTick: false, openTicket: (id) => opened.push(id) });
    document.body.append(screen.element);
    await screen.ready;
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="ticket-row"]')];
    expect(rows.map((r) => r.dataset.ticketId)).toEqual(["t-1", "t-2", "t-3"]);
    expect(rows[0]?.querySelector('[data-testid="countdown"]')).not.toBeNull();
    rows[1]!.querySelector("button")!.click();
    expect(opened).toEqual(["t-2"]);
  });
});

describe("Today's countdowns", () => {
  it("run on the device's server-corrected time, not its own clock alone", async () => {
    // The device clock is 5 minutes behind the server: Today's list says so in `now`.
    mockCommands(deviceTable({ today: { ...TODAY, now: new Date(NOW + 5 * MIN).toISOString() } }));
    const screen = createTodayScreen({ now: () => NOW, autoTick: false });
    document.body.append(screen.element);
    await screen.ready;
    const times = [...document.querySelectorAll('[data-testid="countdown"] .countdown-time')].map((e) => e.textContent);
    expect(times).toEqual(["08:00", "05:00", "24:59"]);
  });
});
