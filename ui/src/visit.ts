// 入户记录 / Visit form: add records of every kind in the domain, then
// complete the visit. It works offline: `record_visit` writes the visit and
// its outbox entry on the device. The form checks what it can before
// sending (a sealed valve needs its seal number, …); the Rust side checks
// again and its `{code, message}` errors show here the same way.

import { type ApiError, recordVisit } from "./api";
import type { HouseholdDetailDto } from "./bindings/HouseholdDetailDto";
import type { IllegalUseCategoryDto } from "./bindings/IllegalUseCategoryDto";
import type { RecordDto } from "./bindings/RecordDto";
import type { RecordedVisitDto } from "./bindings/RecordedVisitDto";
import type { VisitInput } from "./bindings/VisitInput";
import { h } from "./dom";
import { hasMessage, type MessageKey, t } from "./i18n";

export type RecordKind = RecordDto["kind"];

export const RECORD_KINDS: readonly RecordKind[] = [
  "suspension_valve_closure",
  "new_household",
  "illegal_use_check",
  "leak_check",
  "indoor_temperature",
  "routine_service",
  "leaflet_handed_over",
  "contact_card_handed_over",
  "resident_confirmation",
];

/** The nine categories of illegal heat use (违法用热), in the source's order. */
export const ILLEGAL_USE_CATEGORIES: readonly IllegalUseCategoryDto[] = [
  "unauthorised_tapping",
  "reopened_after_suspension",
  "enlarged_heated_area",
  "water_heater_on_loop",
  "changed_nature_of_use",
  "changed_operating_mode",
  "drain_device",
  "disrupting_service_order",
  "unofficial_fee_collection",
];

const SEAL_NO = /^[A-Za-z0-9-]{1,32}$/;

/** A record the form refuses, and why (an `error.*` message code). */
export interface FormProblem {
  index: number;
  code: string;
}

/** The checks the form makes before sending; the first problem, or null. */
export function checkRecords(records: readonly RecordDto[]): FormProblem | null {
  if (records.length === 0) return { index: -1, code: "empty_visit" };
  for (const [index, r] of records.entries()) {
    const code = checkRecord(r);
    if (code) return { index, code };
  }
  return null;
}

function checkRecord(r: RecordDto): string | null {
  switch (r.kind) {
    case "suspension_valve_closure": {
      if (r.valve.state !== "sealed") return null;
      const seal = (r.valve.seal_no ?? "").trim();
      if (!seal) return "seal_required";
      return SEAL_NO.test(seal) ? null : "bad_seal_no";
    }
    case "illegal_use_check":
      return r.findings.some((f) => !f.note.trim()) ? "evidence_required" : null;
    case "indoor_temperature":
      if (!Number.isFinite(r.celsius) || r.celsius < -30 || r.celsius > 45) return "temperature_range";
      return r.room.trim() ? null : "room_required";
    case "resident_confirmation":
      return r.confirmed_by.trim() ? null : "confirmed_by_required";
    default:
      return null;
  }
}

export interface VisitFormOptions {
  cancel: () => void;
  saved: (result: RecordedVisitDto) => void;
  save?: (visit: VisitInput) => Promise<RecordedVisitDto>;
  now?: () => Date;
  /** Records to start with (a suspended household starts with a valve closure). */
  initialKinds?: readonly RecordKind[];
}

export interface VisitForm {
  element: HTMLElement;
  add(kind: RecordKind): HTMLElement;
  /** The records as the form would send them now. */
  records(): RecordDto[];
  /** Checks and sends; resolves when the result (saved or refused) is on screen. */
  submit(): Promise<void>;
}

interface Block {
  element: HTMLElement;
  read(): RecordDto;
}

let fieldSequence = 0;

function labelled(text: string, control: HTMLInputElement | HTMLTextAreaElement): HTMLLabelElement {
  control.id ||= `f${++fieldSequence}`;
  return h("label", { class: "field", attrs: { for: control.id } }, h("span", { class: "field-label", text }), control);
}

function checkbox(text: string, name: string, checked = false): { element: HTMLLabelElement; input: HTMLInputElement } {
  const input = h("input", { attrs: { type: "checkbox", name } });
  input.checked = checked;
  return { element: h("label", { class: "check" }, input, h("span", { text })), input };
}

function textInput(name: string, value = "", type = "text"): HTMLInputElement {
  const input = h("input", { class: "text-input", attrs: { type, name, autocomplete: "off" } });
  input.value = value;
  return input;
}

export function createVisitForm(household: HouseholdDetailDto, options: VisitFormOptions): VisitForm {
  const save = options.save ?? recordVisit;
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const blocks: Block[] = [];

  const recordsBox = h("div", { class: "records" });
  const empty = h("p", { class: "muted records-empty", text: t("visit.noRecords") });
  const problem = h("p", { class: "form-error", attrs: { role: "alert" } });
  problem.hidden = true;
  const submitButton = h("button", {
    class: "button button-wide complete-visit",
    text: t("visit.complete"),
    attrs: { type: "submit", "data-testid": "visit-submit" },
  });
  const cancelButton = h("button", { class: "back", text: `‹ ${t("visit.cancel")}`, attrs: { type: "button" } });
  cancelButton.addEventListener("click", options.cancel);

  const picker = h(
    "div",
    { class: "kind-picker" },
    ...RECORD_KINDS.map((kind) => {
      const button = h("button", { class: "kind-button", text: t(`kind.${kind}` as MessageKey), attrs: { type: "button", "data-kind": kind } });
      button.addEventListener("click", () => add(kind).scrollIntoView?.({ block: "nearest" }));
      return button;
    }),
  );

  const form = h(
    "form",
    { class: "visit-form", attrs: { novalidate: "" } },
    cancelButton,
    h("h2", { class: "visit-title", text: t("visit.title") }),
    h("p", { class: "visit-who", text: `${household.resident_name} · ${household.address}` }),
    h("p", { class: "visit-offline", text: t("visit.offline") }),
    h("h3", { class: "section-title", text: t("visit.addRecord") }),
    picker,
    h("h3", { class: "section-title", text: t("visit.records") }),
    empty,
    recordsBox,
    problem,
    submitButton,
  );
  const element = h("section", { class: "screen visit", attrs: { "data-screen": "visit" } }, form);

  function build(kind: RecordKind): Block {
    const fields = h("div", { class: "record-fields" });
    let read: () => RecordDto;
    switch (kind) {
      case "suspension_valve_closure": {
        const name = `valve${++fieldSequence}`;
        const closed = h("input", { attrs: { type: "radio", name, value: "closed" } });
        const sealed = h("input", { attrs: { type: "radio", name, value: "sealed" } });
        sealed.checked = true;
        const seal = textInput("seal_no");
        seal.dataset.testid = "visit-seal-no";
        seal.classList.add("seal-input");
        seal.setAttribute("autocapitalize", "characters");
        const sealField = labelled(t("field.sealNo"), seal);
        const sync = () => (sealField.hidden = !sealed.checked);
        closed.addEventListener("change", sync);
        sealed.addEventListener("change", sync);
        fields.append(
          h(
            "fieldset",
            { class: "choice" },
            h("legend", { text: t("field.valveState") }),
            h("label", { class: "check" }, closed, h("span", { text: t("field.closed") })),
            h("label", { class: "check" }, sealed, h("span", { text: t("field.sealed") })),
          ),
          sealField,
        );
        read = () => ({
          kind,
          valve: sealed.checked ? { state: "sealed", seal_no: seal.value.trim() || null } : { state: "closed", seal_no: null },
        });
        break;
      }
      case "new_household": {
        const pipes = checkbox(t("field.outsidePipesOk"), "outside_pipes_ok");
        const opened = checkbox(t("field.valveOpened"), "valve_opened");
        const filter = checkbox(t("field.filterReminder"), "filter_reminder_given");
        fields.append(pipes.element, opened.element, filter.element);
        read = () => ({
          kind,
          outside_pipes_ok: pipes.input.checked,
          valve_opened: opened.input.checked,
          filter_reminder_given: filter.input.checked,
        });
        break;
      }
      case "illegal_use_check": {
        const rows = ILLEGAL_USE_CATEGORIES.map((category) => {
          const box = checkbox(t(`illegal.${category}` as MessageKey), "finding");
          box.input.value = category;
          const note = textInput("evidence");
          note.placeholder = t("field.evidence");
          note.classList.add("evidence-input");
          note.hidden = true;
          box.input.addEventListener("change", () => (note.hidden = !box.input.checked));
          fields.append(h("div", { class: "finding", attrs: { "data-category": category } }, box.element, note));
          return { category, box: box.input, note };
        });
        fields.prepend(h("p", { class: "hint", text: t("field.findings") }));
        read = () => ({
          kind,
          findings: rows.filter((r) => r.box.checked).map((r) => ({ category: r.category, note: r.note.value.trim() })),
        });
        break;
      }
      case "leak_check": {
        const leak = checkbox(t("field.leakFound"), "leak_found");
        const present = checkbox(t("field.residentPresent"), "resident_present", true);
        const closed = checkbox(t("field.valveClosedLeak"), "valve_closed");
        const note = textInput("note");
        fields.append(leak.element, present.element, closed.element, labelled(t("field.note"), note));
        read = () => ({
          kind,
          leak_found: leak.input.checked,
          resident_present: present.input.checked,
          valve_closed: closed.input.checked,
          note: note.value.trim(),
        });
        break;
      }
      case "indoor_temperature": {
        const celsius = textInput("celsius", "", "number");
        celsius.dataset.testid = "visit-temperature";
        celsius.setAttribute("step", "0.1");
        celsius.setAttribute("inputmode", "decimal");
        const room = textInput("room", t("field.defaultRoom"));
        const measuredAt = now().toISOString();
        fields.append(labelled(t("field.celsius"), celsius), labelled(t("field.room"), room));
        read = () => ({
          kind,
          celsius: celsius.value.trim() === "" ? Number.NaN : Number(celsius.value),
          room: room.value.trim(),
          measured_at: measuredAt,
        });
        break;
      }
      case "routine_service": {
        const note = h("textarea", { class: "text-input", attrs: { name: "note", rows: "2" } });
        fields.append(labelled(t("field.note"), note));
        read = () => ({ kind, note: note.value.trim() });
        break;
      }
      case "leaflet_handed_over": {
        const title = textInput("title", t("field.defaultLeaflet"));
        fields.append(labelled(t("field.leafletTitle"), title));
        read = () => ({ kind, title: title.value.trim() });
        break;
      }
      case "contact_card_handed_over":
        read = () => ({ kind });
        break;
      case "resident_confirmation": {
        const who = textInput("confirmed_by", household.resident_name);
        fields.append(labelled(t("field.confirmedBy"), who));
        read = () => ({ kind, confirmed_by: who.value.trim() });
        break;
      }
    }
    const remove = h("button", { class: "remove", text: t("visit.remove"), attrs: { type: "button" } });
    const element = h(
      "div",
      { class: "record", attrs: { "data-kind": kind } },
      h("div", { class: "record-head" }, h("span", { class: "record-title", text: t(`kind.${kind}` as MessageKey) }), remove),
      fields,
    );
    const block: Block = { element, read: () => read() };
    remove.addEventListener("click", () => {
      blocks.splice(blocks.indexOf(block), 1);
      element.remove();
      empty.hidden = blocks.length > 0;
    });
    return block;
  }

  function add(kind: RecordKind): HTMLElement {
    const block = build(kind);
    blocks.push(block);
    recordsBox.append(block.element);
    empty.hidden = true;
    return block.element;
  }

  function showProblem(code: string | null, message = "", index = -1): void {
    for (const [i, b] of blocks.entries()) b.element.toggleAttribute("data-invalid", i === index);
    problem.hidden = code === null;
    problem.dataset.code = code ?? "";
    const key = `error.${code}`;
    problem.textContent = code === null ? "" : hasMessage(key) ? t(key) : message || t("error.save");
  }

  const records = () => blocks.map((b) => b.read());

  async function submit(): Promise<void> {
    const current = records();
    const found = checkRecords(current);
    if (found) {
      showProblem(found.code, "", found.index);
      return;
    }
    showProblem(null);
    submitButton.disabled = true;
    submitButton.textContent = t("visit.saving");
    try {
      const result = await save({ household_id: household.id, ticket_id: null, started_at: startedAt, records: current });
      options.saved(result);
    } catch (error) {
      const e = error as ApiError;
      showProblem(e.code, e.message);
    } finally {
      submitButton.disabled = false;
      submitButton.textContent = t("visit.complete");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit();
  });
  for (const kind of options.initialKinds ?? []) add(kind);
  return { element, add, records, submit };
}
