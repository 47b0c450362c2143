import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RecordedVisitDto } from "../src/bindings/RecordedVisitDto";
import { createCardScreen } from "../src/card";
import { createHouseholdView } from "../src/household";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { CARD, DETAIL, HIT } from "./fixtures";

const SAVED: RecordedVisitDto = {
  visit: {
    id: "v-1",
    steward_id: "s-1",
    ticket_id: null,
    started_at: "2026-11-26T01:00:00Z",
    completed_at: "2026-11-26T01:00:00Z",
    corrects: null,
    records: [{ kind: "contact_card_handed_over" }],
  },
  household: DETAIL,
  pending: { priority: 0, bulk: 3, total: 3 },
};

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

describe("household page", () => {
  it("starts a visit with the record kind picked, one button per kind", async () => {
    const started: string[][] = [];
    const view = createHouseholdView("hh-2", {
      back: () => undefined,
      startVisit: (_d, kinds) => started.push([...(kinds ?? [])]),
      load: async () => DETAIL,
    });
    document.body.append(view.element);
    await view.ready;
    expect(byTestId("household-detail")).not.toBeNull();
    expect(document.querySelectorAll('[data-testid^="visit-start-"]').length).toBe(9);
    byTestId("visit-start-indoor_temperature")!.click();
    byTestId("visit-start-suspension_valve_closure")!.click();
    expect(started).toEqual([["indoor_temperature"], ["suspension_valve_closure"]]);
  });

  it("records the card handed over as a visit, offline", async () => {
    const sent: unknown[] = [];
    let pending = 0;
    const view = createHouseholdView("hh-2", {
      back: () => undefined,
      startVisit: () => undefined,
      load: async () => DETAIL,
      save: async (visit) => (sent.push(visit), SAVED),
      saved: (r) => (pending = r.pending.total),
      now: () => new Date("2026-11-26T01:00:00Z"),
    });
    document.body.append(view.element);
    await view.ready;
    byTestId("card-handed-over")!.click();
    await expect.poll(() => byTestId("visit-saved")?.textContent).toBe("已记录：名片已递交（保存在本机，待同步）");
    expect(sent).toEqual([
      { household_id: "hh-2", ticket_id: null, started_at: "2026-11-26T01:00:00.000Z", records: [{ kind: "contact_card_handed_over" }] },
    ]);
    expect(pending).toBe(3);
  });
});

describe("card screen", () => {
  it("records the card handed over to a household found by search", async () => {
    const sent: string[] = [];
    const screen = createCardScreen(
      async () => CARD,
      () => undefined,
      { search: async () => [HIT], save: async (v) => (sent.push(`${v.household_id}:${v.records[0]?.kind}`), SAVED) },
    );
    document.body.append(screen.element);
    await screen.show();
    const input = byTestId("card-handover-search") as HTMLInputElement;
    input.value = "王";
    input.dispatchEvent(new Event("input"));
    await expect.poll(() => byTestId("card-handover-hit"), { timeout: 2000 }).not.toBeNull();
    byTestId("card-handover-hit")!.click();
    await expect.poll(() => byTestId("visit-saved")?.textContent).toContain("王秀英");
    expect(sent).toEqual(["hh-1:contact_card_handed_over"]);
  });
});
