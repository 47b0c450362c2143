import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CandidatesDto } from "../src/bindings/CandidatesDto";
import type { DispatchBoardDto } from "../src/bindings/DispatchBoardDto";
import type { LeadTicketDto } from "../src/bindings/LeadTicketDto";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { boardOrder, createDispatchBoard, etaText, shanghaiTime } from "../src/lead-board";
import { createCallbacksScreen, outcomeText, type CallbackRow } from "../src/lead-callbacks";
import { createDashboard, daysBack, outcomeColumns, responseColumns, responseHistogram, type SlaReport, type SlaRow, stewardBars } from "../src/lead-dashboard";
import { teamMapModel } from "../src/lead-map";
import { createLeadScreens, REFRESH_MS } from "../src/lead-shell";
import { dueIn, mockCommands, NOW } from "./fixtures";
import { mapFixture } from "./map-fixtures";

const MIN = 60 * 1000;

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
}

function leadTicket(id: string, dueMs: number, over: Partial<LeadTicketDto> = {}): LeadTicketDto {
  const due_at = dueIn(dueMs);
  return {
    id,
    household_id: `hh-${id}`,
    district_id: "d-1",
    category: "no_heat",
    description: "暖气不热",
    status: "dispatched",
    assignee: "s-1",
    assignee_name: "张三",
    reported_at: new Date(Date.parse(due_at) - 30 * MIN).toISOString(),
    due_at,
    sla_status: "on_track",
    address: `鑫隆帝景城 1号楼 ${id}`,
    unaccepted: false,
    waiting_minutes: null,
    ...over,
  };
}

function board(): DispatchBoardDto {
  return {
    tickets: [
      leadTicket("t-fine", 25 * MIN),
      leadTicket("t-late", -3 * MIN, { sla_status: "breached" }),
      leadTicket("t-new", 20 * MIN, { status: "new", assignee: null, assignee_name: null, unaccepted: true, waiting_minutes: 7 }),
      leadTicket("t-soon", 6 * MIN, { sla_status: "at_risk" }),
      leadTicket("t-there", 2 * MIN, { status: "on_site", sla_status: "met" }),
    ],
    stale_devices: [
      {
        steward_id: "s-9",
        name: "王五",
        position: null,
        district_centroid: null,
        last_sync_at: "2026-11-26T00:20:00Z",
        stale: true,
        queued: 12,
        open_tickets: 1,
      },
    ],
    incidents: [{ station_id: "st-1", station_name: "商中换热站", ticket_ids: ["a", "b", "c", "d", "e"], first_at: "2026-11-26T00:40:00Z", last_at: "2026-11-26T00:55:00Z" }],
    alerts: {
      escalation_minutes: 5,
      unaccepted: 1,
      at_risk: 1,
      breached: 1,
      arrival_review: [{ ticket_id: "t-x", steward_id: "s-1", steward_name: "张三", at: "2026-11-26T00:30:00Z", reason: "outside_geofence", sla_status: "met_unverified" }],
      breaches_by_steward: [],
    },
    unavailable: [],
  };
}

const CANDIDATES: CandidatesDto = {
  ticket_id: "t-new",
  due_at: dueIn(20 * MIN),
  candidates: [
    { steward_id: "s-2", name: "李四", eta_minutes: 8.4, distance_km: 2.1, open_tickets: 1, meets_deadline: true, stale: false, queued: 0, last_seen_at: null, position_source: "last_fix" },
    { steward_id: "s-9", name: "王五", eta_minutes: 41, distance_km: 10.25, open_tickets: 3, meets_deadline: false, stale: true, queued: 12, last_seen_at: null, position_source: "district_centroid" },
  ],
};

describe("dispatch board", () => {
  it("orders breached, at risk, escalated, then by due time, arrived last", () => {
    expect(boardOrder(board().tickets, NOW).map((t) => t.id)).toEqual(["t-late", "t-soon", "t-new", "t-fine", "t-there"]);
    // An escalated ticket (not accepted in time) goes before one due sooner that is on its way.
    const escalated = [leadTicket("t-a", 12 * MIN), leadTicket("t-b", 20 * MIN, { unaccepted: true })];
    expect(boardOrder(escalated, NOW).map((t) => t.id)).toEqual(["t-b", "t-a"]);
  });

  it("shows live countdowns with at-risk and breached highlighted, stale devices with their queue, incidents and alerts", async () => {
    mockCommands({ lead_board: board() });
    let now = NOW;
    const screen = createDispatchBoard({ now: () => now, autoTick: false });
    await screen.reload();
    const el = screen.element;
    expect(el.dataset.testid).toBe("dispatch-board");
    const rows = [...el.querySelectorAll<HTMLElement>(".board-ticket")];
    expect(rows.map((r) => [r.dataset.id, r.dataset.urgency, r.querySelector(".countdown-time")?.textContent])).toEqual([
      ["t-late", "breached", "03:00"],
      ["t-soon", "at_risk", "06:00"],
      ["t-new", "ok", "20:00"],
      ["t-fine", "ok", "25:00"],
      ["t-there", "met", "已到达"],
    ]);
    expect(rows[2]!.querySelector(".ticket-assignee")?.textContent).toBe("未派单");
    expect(rows[2]!.querySelector(".ticket-unaccepted")?.textContent).toBe("超时未接 7 分钟");
    expect(rows[3]!.querySelector(".ticket-assignee")?.textContent).toBe("管家：张三");
    now += 15 * MIN;
    screen.tick();
    expect(rows[3]!.dataset.urgency).toBe("at_risk");
    expect(rows[3]!.querySelector(".countdown-label")?.textContent).toBe("即将超时");
    expect(el.querySelector(".stale-device")?.textContent).toContain("待上传 12");
    expect(el.querySelector(".stale-device")?.textContent).toContain("最后同步 11-26 08:20");
    expect(el.querySelector(".board-incident")?.textContent).toBe("商中换热站 · 5 张不热工单 · 自 11-26 08:40");
    expect([...el.querySelectorAll(".board-alerts .chip")].map((c) => c.textContent)).toEqual(["超过 5 分钟未接单 1", "即将超时 1", "已超时 1"]);
    expect(el.querySelector(".board-review")?.textContent).toBe("张三 11-26 08:30 到场未核验：不在楼栋范围内");
  });

  it("moves a ticket up as soon as its clock turns it at risk, keeping the rows", async () => {
    const tickets = [leadTicket("t-a", 25 * MIN), leadTicket("t-b", 28 * MIN, { status: "new", assignee: null, assignee_name: null, unaccepted: true, waiting_minutes: 6 })];
    mockCommands({ lead_board: { ...board(), tickets } });
    let now = NOW;
    const screen = createDispatchBoard({ now: () => now, autoTick: false });
    await screen.reload();
    const order = () => [...screen.element.querySelectorAll<HTMLElement>(".board-ticket")].map((r) => [r.dataset.id, r.dataset.urgency]);
    // Escalated first while both are on track.
    expect(order()).toEqual([
      ["t-b", "ok"],
      ["t-a", "ok"],
    ]);
    const rowA = screen.element.querySelector<HTMLElement>(".board-ticket[data-id=t-a]");
    now += 17 * MIN;
    screen.tick();
    // t-a has 8 minutes left, t-b still 11: the at-risk one goes first.
    expect(order()).toEqual([
      ["t-a", "at_risk"],
      ["t-b", "ok"],
    ]);
    expect(screen.element.querySelector(".board-ticket[data-id=t-a]")).toBe(rowA);
    now += 3 * MIN;
    screen.tick();
    expect(order()).toEqual([
      ["t-a", "at_risk"],
      ["t-b", "at_risk"],
    ]);
  });

  it("keeps the keyboard in a reason being typed when the row moves up", async () => {
    const tickets = [leadTicket("t-a", 25 * MIN), leadTicket("t-b", 28 * MIN, { status: "new", assignee: null, assignee_name: null, unaccepted: true, waiting_minutes: 6 })];
    mockCommands({ lead_board: { ...board(), tickets }, lead_candidates: { ...CANDIDATES, ticket_id: "t-a" } });
    let now = NOW;
    const screen = createDispatchBoard({ now: () => now, autoTick: false });
    document.body.append(screen.element);
    try {
      await screen.reload();
      await screen.openCandidates("t-a");
      const reason = screen.element.querySelector<HTMLInputElement>("[data-testid=reassign-reason]")!;
      reason.focus();
      reason.value = "在另一户";
      reason.setSelectionRange(2, 2);
      now += 17 * MIN;
      screen.tick();
      expect([...screen.element.querySelectorAll<HTMLElement>(".board-ticket")].map((r) => r.dataset.id)).toEqual(["t-a", "t-b"]);
      expect(document.activeElement).toBe(reason);
      expect([reason.value, reason.selectionStart]).toEqual(["在另一户", 2]);
    } finally {
      screen.element.remove();
    }
  });

  it("opens a ticket's candidates with their ETA and flags, and assigns one", async () => {
    let assigned: unknown = null;
    const calls = mockCommands({
      lead_board: board(),
      lead_candidates: CANDIDATES,
      lead_assign: (args: unknown) => {
        assigned = args;
        return leadTicket("t-new", 20 * MIN, { assignee: "s-2" });
      },
    });
    const screen = createDispatchBoard({ now: () => NOW, autoTick: false });
    await screen.reload();
    await screen.openCandidates("t-new");
    const panel = screen.element.querySelector<HTMLElement>("[data-testid=candidates]")!;
    const items = [...panel.querySelectorAll<HTMLElement>(".candidate")];
    expect(items.map((i) => [i.querySelector(".candidate-name")?.textContent, i.querySelector(".candidate-eta")?.textContent, i.dataset.meets])).toEqual([
      ["李四", "约 8 分钟 · 2.1 公里", "true"],
      ["王五", "约 41 分钟 · 10.3 公里", "false"],
    ]);
    expect(items[1]!.textContent).toContain("赶不上时限");
    expect(items[1]!.textContent).toContain("设备未同步");
    expect(items[0]!.querySelector("button")?.textContent).toBe("派单");
    items[0]!.querySelector("button")!.click();
    await flush();
    expect(assigned).toEqual({ ticketId: "t-new", stewardId: "s-2", reason: null });
    expect(calls.filter((c) => c.cmd === "lead_board")).toHaveLength(2);
    expect(screen.element.querySelector(".board-notice")?.textContent).toBe("已派给 李四");
  });

  it("sends the reason of a reassignment", async () => {
    let assigned: unknown = null;
    mockCommands({
      lead_board: board(),
      lead_candidates: { ...CANDIDATES, ticket_id: "t-fine" },
      lead_assign: (args: unknown) => ((assigned = args), leadTicket("t-fine", 25 * MIN, { assignee: "s-2" })),
    });
    const screen = createDispatchBoard({ now: () => NOW, autoTick: false });
    await screen.reload();
    await screen.openCandidates("t-fine");
    const reason = screen.element.querySelector<HTMLInputElement>(".reassign-reason")!;
    reason.value = " 张三在另一户处理漏水 ";
    const button = screen.element.querySelector<HTMLButtonElement>(".candidate button")!;
    expect(button.textContent).toBe("改派");
    button.click();
    await flush();
    expect(assigned).toEqual({ ticketId: "t-fine", stewardId: "s-2", reason: "张三在另一户处理漏水" });
  });

  it("says it needs the network when the central cannot be reached, and retries", async () => {
    let online = false;
    mockCommands({ lead_board: () => (online ? board() : Promise.reject({ code: "offline", message: "connection refused" })) });
    const screen = createDispatchBoard({ now: () => NOW, autoTick: false });
    await screen.reload();
    const alert = screen.element.querySelector<HTMLElement>("[role=alert]")!;
    expect(alert.dataset.code).toBe("offline");
    expect(alert.querySelector(".error-title")?.textContent).toBe("需要网络");
    online = true;
    alert.querySelector("button")!.click();
    await flush();
    expect(screen.state().kind).toBe("loaded");
  });

  it("asks to sign in again when the remembered sign-in is refused", async () => {
    mockCommands({ lead_board: () => Promise.reject({ code: "unauthorized", message: "the remembered sign-in was refused" }) });
    const screen = createDispatchBoard({ now: () => NOW, autoTick: false });
    await screen.reload();
    expect(screen.element.querySelector("[role=alert] .error-detail")?.textContent).toBe("登录已失效，请重新登录");
  });

  it("shows the central's refusal of an assignment in the candidates panel", async () => {
    mockCommands({
      lead_board: board(),
      lead_candidates: CANDIDATES,
      lead_assign: () => Promise.reject({ code: "invalid_transition", message: "the ticket was resolved meanwhile" }),
    });
    const screen = createDispatchBoard({ now: () => NOW, autoTick: false });
    await screen.reload();
    await screen.openCandidates("t-new");
    screen.element.querySelector<HTMLButtonElement>(".candidate button")!.click();
    await flush();
    expect(screen.element.querySelector("[data-testid=candidates] .error-detail")?.textContent).toBe("the ticket was resolved meanwhile");
  });

  it("formats ETAs and service-area times", () => {
    expect(etaText({ eta_minutes: 12.6, distance_km: 3 })).toBe("约 13 分钟 · 3.0 公里");
    expect(shanghaiTime("2026-11-26T16:05:00Z")).toBe("11-27 00:05");
  });
});

function row(over: Partial<SlaRow>): SlaRow {
  return {
    key: "k",
    name: "n",
    tickets: 0,
    met: 0,
    met_unverified: 0,
    breached: 0,
    on_track: 0,
    at_risk: 0,
    not_applicable: 0,
    on_time_rate: null,
    responses: 0,
    median_response_s: null,
    p90_response_s: null,
    ...over,
  };
}

function report(by: string, rows: SlaRow[], total: SlaRow): SlaReport {
  return { by, from: null, to: null, as_of: "2026-11-26T01:00:00Z", rows, total };
}

describe("SLA dashboard", () => {
  const bySteward = report(
    "steward",
    [
      row({ key: "s-1", name: "张三", on_time_rate: 0.96 }),
      row({ key: "s-2", name: "李四", on_time_rate: 0.7 }),
      row({ key: "s-3", name: "王五", on_time_rate: null }),
      row({ key: "", name: "未派单", on_time_rate: 0 }),
    ],
    row({ key: "total", name: "合计", tickets: 40, met: 30, met_unverified: 2, breached: 4, at_risk: 1, on_track: 3, on_time_rate: 0.888, median_response_s: 1140, p90_response_s: 1710 }),
  );
  const byDay = report(
    "day",
    [row({ key: "2026-11-26", median_response_s: 900 }), row({ key: "2026-11-25", median_response_s: 2400 }), row({ key: "2026-11-24" })],
    row({ key: "total" }),
  );

  it("bars each steward's on-time rate, worst first, unrated last, without the unassigned group", () => {
    expect(stewardBars(bySteward).map((b) => [b.label, b.text, b.tone])).toEqual([
      ["李四", "70%", "bad"],
      ["张三", "96%", "good"],
      ["王五", "—", "none"],
    ]);
  });

  it("columns the daily median response in minutes, oldest day first, late days red", () => {
    expect(responseColumns(byDay, "median_response_s").map((c) => [c.label, c.value, c.tone])).toEqual([
      ["11-24", 0, "none"],
      ["11-25", 40, "bad"],
      ["11-26", 15, "good"],
    ]);
    expect(outcomeColumns(bySteward.total).map((c) => c.value)).toEqual([30, 2, 4, 1, 3]);
    expect(daysBack(NOW, 14)).toBe("2026-11-13");
    // 5-minute bins to an hour, then the rest; under 20 minutes green, 20–30 amber, later red.
    const hist = responseHistogram([3, 12, 14, 18.5, 27, 31, 75]);
    expect(hist.map((c) => c.value)).toEqual([1, 0, 2, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1]);
    expect([hist[0]!.label, hist.at(-1)!.label]).toEqual(["0", "60+"]);
    expect([hist[3]!.tone, hist[5]!.tone, hist[6]!.tone]).toEqual(["good", "warn", "bad"]);
  });

  it("renders the rate ring, figures and charts from the central's reports", async () => {
    const paths: string[] = [];
    mockCommands({
      response_times: { since: "2026-10-27T01:00:00Z", minutes: [3, 12, 14, 18.5, 27, 31, 75] },
      lead_document: (args: unknown) => {
        const path = (args as { path: string }).path;
        paths.push(path);
        return path.includes("by=day") ? byDay : bySteward;
      },
    });
    const dash = createDashboard({ now: () => NOW });
    await dash.show();
    expect(paths.sort()).toEqual(["/api/v1/reports/sla?by=day&from=2026-10-28", "/api/v1/reports/sla?by=steward&from=2026-10-28"]);
    const el = dash.element;
    expect(el.dataset.testid).toBe("sla-dashboard");
    expect(el.querySelector(".ring-text")?.textContent).toBe("89%");
    expect(el.querySelector(".dash-figures")?.textContent).toContain("中位响应 19 分钟");
    expect(el.querySelector(".dash-breaches")?.textContent).toBe("超时 4 单");
    expect(el.querySelectorAll("svg.chart")).toHaveLength(5);
    expect(el.querySelector(".chart-columns title")?.textContent).toBe("响应时间分布（分钟，本机 7 单）");
    expect(el.querySelectorAll(".chart-bars .bar")).toHaveLength(3);
  });
});

describe("callbacks", () => {
  const cb = (id: string, outcome: CallbackRow["outcome"]): CallbackRow => ({
    id,
    kind: "visit",
    reason: "suspension_handled",
    address: "鑫隆帝景城 1号楼 1单元 101室",
    resident_name: "李建国",
    steward_name: "张三",
    work_day: "2026-11-25",
    outcome,
  });

  it("words outcomes: to call, not reached, reached with satisfaction", () => {
    expect(outcomeText(cb("a", null))).toEqual({ text: "待回访", tone: "none" });
    expect(outcomeText(cb("a", { outcome: "not_reached" }))).toEqual({ text: "未接通", tone: "warn" });
    expect(outcomeText(cb("a", { outcome: "reached", satisfaction: 5 }))).toEqual({ text: "已接通 · 满意度 5", tone: "good" });
    expect(outcomeText(cb("a", { outcome: "reached", satisfaction: 1 })).tone).toBe("bad");
  });

  it("lists contradictions first, then the callback list", async () => {
    mockCommands({
      lead_document: (args: unknown) =>
        (args as { path: string }).path.includes("contradictions")
          ? [{ ...cb("c-1", { outcome: "reached", satisfaction: 2, heating_works: true }), contradiction: { code: "shut_valve_but_heated", recorded: { state: "sealed", seal_no: "SH2026-000019" } } }]
          : [cb("c-1", { outcome: "reached", satisfaction: 2, heating_works: true }), cb("c-2", null)],
    });
    const screen = createCallbacksScreen();
    await screen.show();
    expect([...screen.element.querySelectorAll(".sub-title")].map((e) => e.textContent)).toEqual(["矛盾记录 1", "回访清单 2"]);
    expect(screen.element.querySelectorAll(".cb-contradiction")).toHaveLength(1);
    expect(screen.element.querySelector(".cb-contradiction .cb-why")?.textContent).toBe("记录已关阀铅封（SH2026-000019），住户称暖气是热的");
    expect(screen.element.querySelector(".cb-contradiction .muted")?.textContent).toBe("张三 · 2026-11-25 · 报停回访");
  });
});

describe("team map", () => {
  it("places the team's tickets at their building and stewards at their fresh position", () => {
    const view = mapFixture();
    const { model, tickets } = teamMapModel(
      view,
      {
        tickets: [leadTicket("t-late", -2 * MIN), leadTicket("t-elsewhere", 5 * MIN)],
        positions: [
          { steward_id: "s-1", name: "张三", position: { lon: 117.16, lat: 37.34, at: "2026-11-26T00:58:00Z", fresh: true }, district_centroid: null, last_sync_at: null, stale: false, queued: 0, open_tickets: 1 },
          { steward_id: "s-2", name: "李四", position: { lon: 117.17, lat: 37.35, at: "2026-11-25T20:00:00Z", fresh: false }, district_centroid: null, last_sync_at: null, stale: false, queued: 0, open_tickets: 0 },
          { steward_id: "s-3", name: "王五", position: null, district_centroid: { lon: 117.1, lat: 37.3 }, last_sync_at: null, stale: true, queued: 0, open_tickets: 0 },
        ],
      },
      NOW,
    );
    // t-elsewhere is not on the device: it is listed on the board but not drawn.
    expect(tickets.map((t) => t.id)).toEqual(["t-late"]);
    expect(model.points.map((p) => [p.kind, p.id, p.tone])).toEqual([
      ["ticket", "t-late", "breached"],
      ["steward", "s-1", "live"],
      ["steward", "s-2", "stale"],
    ]);
    expect(model.districts).toHaveLength(1);
  });
});

describe("lead navigation", () => {
  it("turns the tab bar into the lead nav for a team lead and opens the dispatch board", async () => {
    mockCommands({ lead_board: board() });
    const screens = createLeadScreens({ status: async () => ({ is_lead: true, central: true, display_name: "赵班长" }) });
    const ids = ["today", "households", "sync", "map", "board", "teamMap", "dashboard", "callbacks", "card"];
    const buttons = new Map(ids.map((id) => [id, document.createElement("button")]));
    const nav = document.createElement("nav");
    const selected: string[] = [];
    await screens.attach(buttons, nav, (tab) => selected.push(tab));
    expect(ids.filter((id) => !buttons.get(id)!.hidden)).toEqual(["sync", "board", "teamMap", "dashboard", "callbacks", "card"]);
    expect(nav.dataset.role).toBe("lead");
    expect(nav.getAttribute("aria-label")).toBe("班组长导航");
    expect(selected).toEqual(["board"]);
  });

  it("reads the board again every 30 seconds while it is shown, and not when another tab is", async () => {
    vi.useFakeTimers();
    try {
      const calls = mockCommands({ lead_board: board() });
      const screens = createLeadScreens({ status: async () => ({ is_lead: true, central: true, display_name: "赵班长" }) });
      screens.board.element.hidden = false;
      screens.selected("board");
      await vi.advanceTimersByTimeAsync(REFRESH_MS * 2);
      expect(calls.filter((c) => c.cmd === "lead_board")).toHaveLength(3);
      screens.board.element.hidden = true;
      screens.selected("callbacks");
      const before = calls.filter((c) => c.cmd === "lead_board").length;
      await vi.advanceTimersByTimeAsync(REFRESH_MS * 2);
      expect(calls.filter((c) => c.cmd === "lead_board")).toHaveLength(before);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps the steward's tabs, with the map, for everyone else", async () => {
    const screens = createLeadScreens({ status: async () => ({ is_lead: false, central: false, display_name: "张三" }) });
    const ids = ["today", "households", "sync", "map", "board", "teamMap", "dashboard", "callbacks", "card"];
    const buttons = new Map(ids.map((id) => [id, document.createElement("button")]));
    const selected: string[] = [];
    await screens.attach(buttons, document.createElement("nav"), (tab) => selected.push(tab));
    expect(ids.filter((id) => !buttons.get(id)!.hidden)).toEqual(["today", "households", "sync", "map", "card"]);
    expect(selected).toEqual([]);
  });
});
