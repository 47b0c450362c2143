import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RecordedVisitDto } from "../src/bindings/RecordedVisitDto";
import type { VisitInput } from "../src/bindings/VisitInput";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { checkRecords, createVisitForm, ILLEGAL_USE_CATEGORIES, RECORD_KINDS } from "../src/visit";
import { DETAIL, mockCommands } from "./fixtures";

const STARTED = new Date("2026-11-26T01:00:00Z");

function saved(input: VisitInput): RecordedVisitDto {
  return {
    visit: { id: "v-1", steward_id: "s-1", ticket_id: null, started_at: input.started_at, completed_at: input.started_at, corrects: null, records: input.records },
    household: { ...DETAIL, valve: { state: "sealed", seal_no: "SH-0042" } },
    pending: { priority: 0, bulk: 1, total: 1 },
  };
}

function mount() {
  const results: RecordedVisitDto[] = [];
  const form = createVisitForm(DETAIL, { cancel: () => undefined, saved: (r) => results.push(r), now: () => STARTED });
  document.body.replaceChildren(form.element);
  return { form, results };
}

const input = (record: Element, name: string) => record.querySelector<HTMLInputElement>(`[name="${name}"]`)!;
const problem = () => document.querySelector<HTMLElement>(".form-error")!;

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

describe("visit form", () => {
  it("offers every kind of record in the domain, and the nine illegal-use categories", () => {
    mount();
    const kinds = [...document.querySelectorAll<HTMLElement>(".kind-button")].map((b) => b.dataset.kind);
    expect(kinds).toEqual([...RECORD_KINDS]);
    expect(kinds).toHaveLength(9);
    expect(document.querySelector('.kind-button[data-kind="suspension_valve_closure"]')?.textContent).toBe("报停阀门关闭");
    document.querySelector<HTMLButtonElement>('.kind-button[data-kind="illegal_use_check"]')!.click();
    expect(document.querySelectorAll(".finding")).toHaveLength(ILLEGAL_USE_CATEGORIES.length);
    expect(ILLEGAL_USE_CATEGORIES).toHaveLength(9);
  });

  it("refuses a sealed closure without a seal number, in the UI, without calling Rust", async () => {
    const calls = mockCommands({ record_visit: (args: unknown) => saved((args as { visit: VisitInput }).visit) });
    const { form, results } = mount();
    const record = form.add("suspension_valve_closure");
    await form.submit();
    expect(calls).toEqual([]);
    expect(results).toEqual([]);
    expect(problem().hidden).toBe(false);
    expect(problem().dataset.code).toBe("seal_required");
    expect(problem().textContent).toBe("选择“铅封”时必须填写铅封号");
    expect(record.hasAttribute("data-invalid")).toBe(true);

    input(record, "seal_no").value = "铅封1";
    await form.submit();
    expect(problem().dataset.code).toBe("bad_seal_no");
    expect(calls).toEqual([]);
  });

  it("sends the records once they are complete, and hands back the saved visit", async () => {
    const calls = mockCommands({ record_visit: (args: unknown) => saved((args as { visit: VisitInput }).visit) });
    const { form, results } = mount();
    const closure = form.add("suspension_valve_closure");
    input(closure, "seal_no").value = " SH-0042 ";
    const temperature = form.add("indoor_temperature");
    input(temperature, "celsius").value = "12.5";
    form.add("contact_card_handed_over");
    await form.submit();

    expect(problem().hidden).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.cmd).toBe("record_visit");
    expect(calls[0]!.args).toEqual({
      visit: {
        household_id: "hh-2",
        ticket_id: null,
        started_at: "2026-11-26T01:00:00.000Z",
        records: [
          { kind: "suspension_valve_closure", valve: { state: "sealed", seal_no: "SH-0042" } },
          { kind: "indoor_temperature", celsius: 12.5, room: "客厅", measured_at: "2026-11-26T01:00:00.000Z" },
          { kind: "contact_card_handed_over" },
        ],
      },
    });
    expect(results.map((r) => r.household.valve.seal_no)).toEqual(["SH-0042"]);
  });

  it("needs evidence for each illegal-use finding, a room and a plausible temperature", () => {
    expect(checkRecords([])).toEqual({ index: -1, code: "empty_visit" });
    expect(checkRecords([{ kind: "illegal_use_check", findings: [] }])).toBeNull();
    expect(checkRecords([{ kind: "illegal_use_check", findings: [{ category: "drain_device", note: " " }] }])).toEqual({ index: 0, code: "evidence_required" });
    expect(checkRecords([{ kind: "indoor_temperature", celsius: Number.NaN, room: "客厅", measured_at: "" }])?.code).toBe("temperature_range");
    expect(checkRecords([{ kind: "indoor_temperature", celsius: 19, room: " ", measured_at: "" }])?.code).toBe("room_required");
    expect(checkRecords([{ kind: "suspension_valve_closure", valve: { state: "closed", seal_no: null } }])).toBeNull();
    expect(checkRecords([{ kind: "resident_confirmation", confirmed_by: "" }])?.code).toBe("confirmed_by_required");
  });

  it("reads ticked findings with their evidence", () => {
    const { form } = mount();
    const check = form.add("illegal_use_check");
    const finding = check.querySelector<HTMLElement>('.finding[data-category="water_heater_on_loop"]')!;
    const box = finding.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    box.checked = true;
    box.dispatchEvent(new Event("change"));
    const evidence = finding.querySelector<HTMLInputElement>(".evidence-input")!;
    expect(evidence.hidden).toBe(false);
    evidence.value = "热水器接在暖气回水管上";
    expect(form.records()).toEqual([{ kind: "illegal_use_check", findings: [{ category: "water_heater_on_loop", note: "热水器接在暖气回水管上" }] }]);
  });

  it("shows a {code, message} refusal from Rust", async () => {
    mockCommands({ record_visit: () => Promise.reject({ code: "invalid_visit", message: "indoor temperature 80 °C is out of range" }) });
    const { form, results } = mount();
    form.add("leaflet_handed_over");
    await form.submit();
    expect(results).toEqual([]);
    expect(problem().dataset.code).toBe("invalid_visit");
    expect(problem().textContent).toBe("indoor temperature 80 °C is out of range");
    mockCommands({ record_visit: () => Promise.reject({ code: "seal_required", message: "a sealed valve needs its seal number" }) });
    await form.submit();
    expect(problem().textContent).toBe("选择“铅封”时必须填写铅封号");
  });

  it("removes a record", async () => {
    const calls = mockCommands({});
    const { form } = mount();
    const record = form.add("routine_service");
    record.querySelector<HTMLButtonElement>(".remove")!.click();
    expect(form.records()).toEqual([]);
    await form.submit();
    expect(problem().dataset.code).toBe("empty_visit");
    expect(calls).toEqual([]);
  });
});
