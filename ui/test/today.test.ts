import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AT_RISK_MS, formatCountdown, remainingMs, urgency } from "../src/countdown";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
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
      today: () => (fail ? Promise.reject({ code: "no_steward", message: "no steward is signed in" }) : { tickets: [], households: [], visits_done: 0, now: new Date(NOW).toISOString() }),
    });
    const { screen } = mount();
    await screen.ready;
    expect(document.querySelector('[role="alert"] .error-detail')?.textContent).toBe("no steward is signed in");
    fail = false;
    await screen.reload();
    expect([...document.querySelectorAll(".muted")].map((p) => p.textContent)).toEqual(["暂无待响应工单", "今日无待入户住户"]);
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
