import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AT_RISK_MS, formatCountdown, remainingMs, urgency } from "../src/countdown";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import type { PlannedVisitDto } from "../src/bindings/PlannedVisitDto";
import { createTodayScreen } from "../src/today";
import { deviceTable, dueIn, mockCommands, NOW, TODAY } from "./fixtures";

const MIN = 60 * 1000;

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

describe("countdown", () => {
  it("formats minutes and seconds, hours past an hour, and the overrun once breached", () => {
    expect(formatCountdown(29 * MIN + 59 * 1000)).toBe("29:59");
    expect(formatCountdown(30 * MIN)).toBe("30:00");
    expect(formatCountdown(10 * MIN)).toBe("10:00");
    // A part-second left still shows the second it is in.
    expect(formatCountdown(9 * MIN + 59_001)).toBe("10:00");
    expect(formatCountdown(500)).toBe("00:01");
    expect(formatCountdown(0)).toBe("00:00");
    expect(formatCountdown(-3 * MIN - 12_000)).toBe("03:12");
    expect(formatCountdown(65 * MIN)).toBe("1:05:00");
  });

  it("is green above ten minutes, amber at ten and under, red once the due time has passed", () => {
    expect(urgency(29 * MIN + 59 * 1000)).toBe("ok");
    expect(urgency(10 * MIN + 1000)).toBe("ok");
    expect(urgency(10 * MIN)).toBe("at_risk");
    expect(AT_RISK_MS).toBe(10 * MIN);
    expect(urgency(1)).toBe("at_risk");
    expect(urgency(0)).toBe("breached");
    expect(urgency(-1)).toBe("breached");
  });

  it("counts from due_at and the clock", () => {
    expect(remainingMs("2026-11-26T01:30:00Z", NOW)).toBe(30 * MIN);
    expect(remainingMs("2026-11-26T00:59:00Z", NOW)).toBe(-MIN);
  });
});

describe("today screen", () => {
  function mount(now = NOW) {
    let clock = now;
    const opened: string[] = [];
    const screen = createTodayScreen({ now: () => clock, autoTick: false, openHousehold: (id) => opened.push(id) });
    document.body.replaceChildren(screen.element);
    return { screen, opened, setClock: (ms: number) => (clock = ms) };
  }

  const rows = () => [...document.querySelectorAll<HTMLElement>(".ticket")];

  it("lists open tickets soonest due first with live countdowns and colours", async () => {
    mockCommands(deviceTable());
    const { screen, setClock } = mount();
    await screen.ready;
    expect(rows().map((r) => r.dataset.id)).toEqual(["t-1", "t-2", "t-3"]);
    expect(rows().map((r) => r.querySelector(".countdown-time")?.textContent)).toEqual(["03:00", "10:00", "29:59"]);
    expect(rows().map((r) => r.dataset.urgency)).toEqual(["breached", "at_risk", "ok"]);
    expect(rows()[0]!.querySelector(".countdown-label")?.textContent).toBe("已超时");
    expect(rows()[2]!.querySelector(".countdown-label")?.textContent).toBe("剩余");
    expect(rows()[0]!.querySelector(".ticket-category")?.textContent).toBe("漏水");

    // Twenty minutes later, with no new data, the clock alone moves them.
    setClock(NOW + 20 * MIN);
    screen.tick();
    expect(rows().map((r) => r.querySelector(".countdown-time")?.textContent)).toEqual(["23:00", "10:00", "09:59"]);
    expect(rows().map((r) => r.dataset.urgency)).toEqual(["breached", "breached", "at_risk"]);
  });

  it("lists the households to visit in walking order with why, and opens one", async () => {
    mockCommands(deviceTable());
    const { screen, opened } = mount();
    await screen.ready;
    const items = [...document.querySelectorAll<HTMLElement>(".walk-item")];
    expect(items.map((i) => i.dataset.id)).toEqual(["hh-2", "hh-3"]);
    expect(items.map((i) => i.querySelector(".reason")?.textContent)).toEqual(["报停封阀", "新户开阀"]);
    expect(items[1]!.querySelector(".walk-visited")?.textContent).toBe("今日已访");
    expect(document.querySelector(".today-done")?.textContent).toBe("今日已入户 4 户");
    items[0]!.querySelector("button")!.click();
    expect(opened).toEqual(["hh-2"]);
  });

  it("says so when there is nothing to do, and shows errors with a retry", async () => {
    let fail = true;
    mockCommands({
      today: () => (fail ? Promise.reject({ code: "no_steward", message: "no steward is signed in" }) : { tickets: [], households: [], planned: [], visits_done: 0, now: new Date(NOW).toISOString() }),
    });
    const { screen } = mount();
    await screen.ready;
    expect(document.querySelector('[role="alert"] .error-detail')?.textContent).toBe("no steward is signed in");
    fail = false;
    await screen.reload();
    expect([...document.querySelectorAll(".muted")].map((p) => p.textContent)).toEqual(["暂无待响应工单", "今日无待入户住户", "暂无专项排查任务"]);
  });

  function planned(n: number, building: string, state: string, deadline: string): PlannedVisitDto {
    return {
      id: `sw-1:hh-p${n}`,
      sweep_id: "sw-1",
      kind: "suspension_check",
      kind_label: "报停阀门检查",
      title: "第一轮报停复查",
      deadline,
      household_id: `hh-p${n}`,
      building_id: `b-${building}`,
      resident_name: `住户${n}`,
      account_no: `10000${n}`,
      address: `阳光花园${building}号楼1单元${n}01`,
      building: `阳光花园 ${building}号楼`,
      state,
      done_at: state === "done" ? dueIn(-60 * MIN) : null,
    };
  }

  it("lists the sweeps' planned visits building by building, overdue ones highlighted, and opens one", async () => {
    const list = [
      planned(1, "1", "done", dueIn(60 * MIN)),
      planned(2, "1", "overdue", dueIn(-5 * MIN)),
      planned(3, "2", "open", dueIn(10 * MIN)),
    ];
    mockCommands(deviceTable({ today: { ...TODAY, planned: list } }));
    const { screen, opened, setClock } = mount();
    await screen.ready;
    const groups = [...document.querySelectorAll<HTMLElement>(".planned-group")];
    expect(groups.map((g) => g.querySelector(".planned-building")?.textContent)).toEqual(["阳光花园 1号楼", "阳光花园 2号楼"]);
    const items = () => [...document.querySelectorAll<HTMLElement>(".planned-item")];
    expect(items().map((i) => i.dataset.id)).toEqual(["sw-1:hh-p1", "sw-1:hh-p2", "sw-1:hh-p3"]);
    expect(items().map((i) => i.querySelector(".walk-no")?.textContent)).toEqual(["1", "2", "3"]);
    expect(items().map((i) => i.dataset.state)).toEqual(["done", "overdue", "open"]);
    expect(items().map((i) => i.querySelector(".planned-state")?.textContent)).toEqual(["已完成", "已逾期", "待完成"]);
    expect(items()[1]!.querySelector(".reason")?.textContent).toBe("报停阀门检查");
    expect(items()[1]!.querySelector(".planned-campaign")?.textContent).toBe("第一轮报停复查");
    expect(items()[1]!.querySelector(".planned-deadline")?.textContent).toMatch(/^截止 /);

    // The deadline of the open one passes while the screen is up.
    setClock(NOW + 11 * MIN);
    screen.tick();
    expect(items().map((i) => i.dataset.state)).toEqual(["done", "overdue", "overdue"]);
    expect(items()[2]!.querySelector(".planned-state")?.textContent).toBe("已逾期");

    items()[2]!.querySelector("button")!.click();
    expect(opened).toEqual(["hh-p3"]);
    setLocale("en");
    screen.render();
    expect(document.querySelector(".section-title:last-of-type")?.textContent).toBe("Sweep campaigns (building by building)");
  });

  it("renders in English", async () => {
    mockCommands(deviceTable({ today: { ...TODAY, tickets: [TODAY.tickets[0]!] } }));
    const { screen } = mount();
    await screen.ready;
    setLocale("en");
    screen.render();
    expect(document.querySelector(".countdown-label")?.textContent).toBe("Overdue");
    expect(document.querySelector(".ticket-category")?.textContent).toBe("Leak");
    expect(dueIn(0)).toBe("2026-11-26T01:00:00.000Z");
  });
});
