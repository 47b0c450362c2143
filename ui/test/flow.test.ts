// The steward's main path through the app shell: Today → household → visit →
// saved, with the household page and the pending badge updated.

import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mountApp } from "../src/app";
import type { VisitInput } from "../src/bindings/VisitInput";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { DETAIL, deviceTable, mockCommands } from "./fixtures";

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

function root(): HTMLElement {
  const element = document.createElement("div");
  document.body.replaceChildren(element);
  return element;
}

describe("a visit from Today", () => {
  it("opens the household, records a sealed closure offline and shows it", async () => {
    const calls = mockCommands(
      deviceTable({
        record_visit: (args: unknown) => {
          const visit = (args as { visit: VisitInput }).visit;
          const recorded = { id: "v-new", steward_id: "s", ticket_id: null, started_at: visit.started_at, completed_at: visit.started_at, corrects: null, records: visit.records };
          return {
            visit: recorded,
            household: { ...DETAIL, valve: { state: "sealed", seal_no: "SH-0042" }, visits: [recorded] },
            pending: { priority: 0, bulk: 3, total: 3 },
          };
        },
      }),
    );
    const app = mountApp(root());
    await app.ready;
    expect(document.querySelector(".pending")?.textContent).toBe("待同步 2");

    document.querySelector<HTMLButtonElement>('.walk-item[data-id="hh-2"] button')!.click();
    await vi.waitFor(() => expect(document.querySelector(".hh-detail-name")?.textContent).toBe("李建国"));
    expect(document.querySelector(".fact-valve dd")?.textContent).toBe("阀门开启");
    expect(app.today.element.hidden).toBe(true);

    document.querySelector<HTMLButtonElement>(".start-visit")!.click();
    // A suspended household's visit starts with the valve closure.
    const closure = document.querySelector<HTMLElement>('.record[data-kind="suspension_valve_closure"]')!;
    closure.querySelector<HTMLInputElement>('[name="seal_no"]')!.value = "SH-0042";
    document.querySelector<HTMLFormElement>(".visit-form")!.requestSubmit();

    await vi.waitFor(() => expect(document.querySelector(".flash")?.textContent).toBe("入户记录已保存在本机，待同步"));
    expect(document.querySelector(".fact-valve dd")?.textContent).toBe("已铅封 · 铅封号 SH-0042");
    expect(document.querySelector(".visit-item")?.textContent).toContain("报停阀门关闭：已铅封 · 铅封号 SH-0042");
    expect(document.querySelector(".pending")?.textContent).toBe("待同步 3");
    expect(calls.filter((c) => c.cmd === "today")).toHaveLength(2);

    document.querySelector<HTMLButtonElement>(".back")!.click();
    expect(app.today.element.hidden).toBe(false);
  });

  it("opens a search hit's page from the households tab", async () => {
    mockCommands(deviceTable());
    const app = mountApp(root());
    await app.ready;
    document.querySelector<HTMLButtonElement>('.tab[data-tab="households"]')!.click();
    expect(app.households.element.hidden).toBe(false);
    document.querySelector<HTMLElement>(".hh-item")!.click();
    await vi.waitFor(() => expect(document.querySelector(".hh-detail-name")).not.toBeNull());
  });
});
