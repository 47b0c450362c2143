// 住户详情 / Household: address, status, valve and seal, heated area, visits
// newest first, tickets; and the button that starts a visit.

import { type ApiError, household as fetchHousehold, recordVisit } from "./api";
import type { HouseholdDetailDto } from "./bindings/HouseholdDetailDto";
import type { RecordedVisitDto } from "./bindings/RecordedVisitDto";
import type { VisitInput } from "./bindings/VisitInput";
import { createTagSheet, type TagSheetOptions, type TagSheetView } from "./doortag";
import { h } from "./dom";
import { describeRecord, formatDateTime, formatValve } from "./format";
import { type MessageKey, t } from "./i18n";
import { RECORD_KINDS, type RecordKind } from "./visit";

export interface HouseholdView {
  element: HTMLElement;
  ready: Promise<void>;
  detail(): HouseholdDetailDto | null;
  render(): void;
}

export interface HouseholdViewOptions {
  back: () => void;
  /** Opens the visit form, starting with the records of `kinds` (or the household's usual ones). */
  startVisit: (detail: HouseholdDetailDto, kinds?: readonly RecordKind[]) => void;
  load?: (id: string) => Promise<HouseholdDetailDto>;
  /** Records a visit at once (the card handed over); defaults to the device. */
  save?: (visit: VisitInput) => Promise<RecordedVisitDto>;
  /** A visit was recorded from this page. */
  saved?: (result: RecordedVisitDto) => void;
  now?: () => Date;
  /** A detail already in hand (just saved): shown at once, with the note. */
  initial?: HouseholdDetailDto;
  note?: MessageKey;
  /** Makes the printable door tags (the device by default). */
  doorTags?: TagSheetOptions["load"];
  /** Opens the print dialog (window.print by default). */
  print?: () => void;
}

export function createHouseholdView(id: string, options: HouseholdViewOptions): HouseholdView {
  const load = options.load ?? fetchHousehold;
  const save = options.save ?? recordVisit;
  const now = options.now ?? (() => new Date());
  const body = h("div", { class: "hh-detail-body" });
  const element = h("section", { class: "screen hh-detail", attrs: { "data-screen": "household", "data-testid": "household-detail" } }, body);
  let note: MessageKey | undefined = options.note;
  let problem: ApiError | null = null;
  let state: { kind: "loading" } | { kind: "loaded"; detail: HouseholdDetailDto } | { kind: "failed"; error: ApiError } =
    options.initial ? { kind: "loaded", detail: options.initial } : { kind: "loading" };

  function backButton(): HTMLButtonElement {
    const button = h("button", { class: "back", text: `‹ ${t("common.back")}`, attrs: { type: "button" } });
    button.addEventListener("click", options.back);
    return button;
  }

  /** The printable door tags, while open: the household's own or its building's. */
  let tagSheet: TagSheetView | null = null;

  function openTags(householdId: string, wholeBuilding: boolean): void {
    tagSheet = createTagSheet({
      householdId,
      wholeBuilding,
      load: options.doorTags,
      print: options.print,
      close: () => {
        tagSheet = null;
        render();
      },
    });
    body.replaceChildren(tagSheet.element);
  }

  function render(): void {
    if (tagSheet) return;
    if (state.kind === "loading") {
      body.replaceChildren(backButton(), h("p", { class: "muted", text: t("common.loading") }));
      return;
    }
    if (state.kind === "failed") {
      body.replaceChildren(
        backButton(),
        h("div", { class: "error-box", attrs: { role: "alert" } }, h("p", { class: "error-detail", text: state.error.message })),
      );
      return;
    }
    const d = state.detail;
    const start = h("button", { class: "button button-wide start-visit", text: t("household.startVisit"), attrs: { type: "button" } });
    start.addEventListener("click", () => options.startVisit(d));
    // One button per record kind: the form opens with that record.
    const kinds = h(
      "div",
      { class: "kind-picker visit-starts" },
      ...RECORD_KINDS.map((kind) => {
        const button = h("button", {
          class: "kind-button",
          text: t(`kind.${kind}` as MessageKey),
          attrs: { type: "button", "data-kind": kind, "data-testid": `visit-start-${kind}` },
        });
        button.addEventListener("click", () => options.startVisit(d, [kind]));
        return button;
      }),
    );
    const handOver = h("button", {
      class: "button button-wide button-quiet",
      text: t("card.handOver"),
      attrs: { type: "button", "data-testid": "card-handed-over" },
    });
    handOver.addEventListener("click", () => void handOverCard(d));
    // 补打门牌码: a lost door tag, or a whole building's, printed from the device (offline).
    const printTag = h("button", {
      class: "button button-wide button-quiet",
      text: t("doortag.printOne"),
      attrs: { type: "button", "data-testid": "doortag-household" },
    });
    printTag.addEventListener("click", () => openTags(d.id, false));
    const printBuilding = h("button", {
      class: "button button-wide button-quiet",
      text: t("doortag.printBuilding"),
      attrs: { type: "button", "data-testid": "doortag-building" },
    });
    printBuilding.addEventListener("click", () => openTags(d.id, true));
    const fact = (label: MessageKey, value: string, cls = "") =>
      h("div", { class: `fact ${cls}` }, h("dt", { text: t(label) }), h("dd", { text: value }));
    const nodes: (Node | null)[] = [
      backButton(),
      note
        ? h("p", { class: "flash", attrs: { role: "status", ...(note === "household.saved" || note === "card.handedOver" ? { "data-testid": "visit-saved" } : {}) }, text: t(note) })
        : null,
      problem ? h("p", { class: "form-error", attrs: { role: "alert", "data-code": problem.code }, text: problem.message }) : null,
      h(
        "div",
        { class: "card-block" },
        h(
          "div",
          { class: "hh-line" },
          h("h2", { class: "hh-detail-name", text: d.resident_name }),
          h("span", { class: "hh-status", attrs: { "data-status": d.status }, text: t(`status.${d.status}` as MessageKey) }),
        ),
        h("p", { class: "hh-detail-address", text: d.address }),
        h(
          "dl",
          { class: "facts" },
          fact("household.account", d.account_no),
          fact("household.phone", d.phone),
          fact("household.area", t("household.areaValue", { area: d.heated_area_m2 })),
          fact("household.valve", formatValve(d.valve), "fact-valve"),
        ),
      ),
      start,
      h("h3", { class: "section-title", text: t("household.addRecord") }),
      kinds,
      handOver,
      printTag,
      printBuilding,
      h("h3", { class: "section-title", text: t("household.tickets") }),
      d.tickets.length
        ? h(
            "ul",
            { class: "plain-list" },
            ...d.tickets.map((tk) =>
              h(
                "li",
                { class: "plain-item" },
                h("span", { class: "plain-title", text: `${t(`category.${tk.category}` as MessageKey)} · ${t(`ticket.${tk.status}` as MessageKey)}` }),
                h("span", { class: "plain-meta", text: `${formatDateTime(tk.reported_at)} · ${tk.description}` }),
              ),
            ),
          )
        : h("p", { class: "muted", text: t("household.noTickets") }),
      h("h3", { class: "section-title", text: t("household.visits") }),
      d.visits.length
        ? h(
            "ul",
            { class: "plain-list visit-history" },
            ...d.visits.map((v) =>
              h(
                "li",
                { class: "plain-item visit-item", attrs: { "data-id": v.id } },
                h("span", { class: "plain-title", text: formatDateTime(v.completed_at) }),
                ...v.records.map((r) => h("span", { class: "plain-meta", text: describeRecord(r) })),
              ),
            ),
          )
        : h("p", { class: "muted", text: t("household.noVisits") }),
    ];
    body.replaceChildren(...nodes.filter((n): n is Node => n !== null));
  }

  /** 名片递交: recorded as a visit with the one record, offline. */
  async function handOverCard(d: HouseholdDetailDto): Promise<void> {
    problem = null;
    try {
      const at = now().toISOString();
      const result = await save({ household_id: d.id, ticket_id: null, started_at: at, records: [{ kind: "contact_card_handed_over" }] });
      state = { kind: "loaded", detail: result.household };
      note = "card.handedOver";
      options.saved?.(result);
    } catch (error) {
      problem = error as ApiError;
    }
    render();
  }

  async function refresh(): Promise<void> {
    if (state.kind === "loaded") return;
    try {
      state = { kind: "loaded", detail: await load(id) };
    } catch (error) {
      state = { kind: "failed", error: error as ApiError };
    }
    render();
  }

  render();
  const ready = refresh();
  return { element, ready, detail: () => (state.kind === "loaded" ? state.detail : null), render };
}
