// 我的名片 / My card: the steward's contact card with a QR code holding the
// vCard (made in Rust, so a resident's phone camera saves the contact with
// no network), and a print button: the print stylesheet sizes the card to
// 90 × 54 mm.

import { type ApiError, contactCard, type HouseholdHit, recordVisit, searchHouseholds } from "./api";
import type { ContactCardDto } from "./bindings/ContactCardDto";
import type { RecordedVisitDto } from "./bindings/RecordedVisitDto";
import type { VisitInput } from "./bindings/VisitInput";
import { h } from "./dom";
import { t } from "./i18n";

export interface CardScreen {
  element: HTMLElement;
  /** Loads the card the first time the screen is shown. */
  show(): Promise<void>;
  card(): ContactCardDto | null;
  render(): void;
}

/** The SVG document from Rust as a DOM node (parsed as SVG, never as HTML). */
export function svgNode(svg: string): Node | null {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName !== "svg") return null;
  return document.importNode(root, true);
}

/** Recording "card handed over" (名片递交) from the card screen. */
export interface HandOver {
  search: (query: string) => Promise<HouseholdHit[]>;
  save: (visit: VisitInput) => Promise<RecordedVisitDto>;
  saved?: (result: RecordedVisitDto) => void;
}

export function createCardScreen(
  load: () => Promise<ContactCardDto> = contactCard,
  print: () => void = () => window.print(),
  handOver: HandOver = { search: searchHouseholds, save: recordVisit },
): CardScreen {
  const handOverBox = createHandOver(handOver);
  const body = h("div", { class: "card-body" });
  const element = h("section", { class: "screen card-screen", attrs: { "data-screen": "card" } }, body);
  let state: { kind: "idle" } | { kind: "loading" } | { kind: "loaded"; card: ContactCardDto } | { kind: "failed"; error: ApiError } = {
    kind: "idle",
  };
  let loading: Promise<void> | null = null;

  function line(label: string, value: string, cls: string): HTMLElement | null {
    if (!value) return null;
    return h("p", { class: `nc-line ${cls}` }, h("span", { class: "nc-label", text: label }), h("span", { class: "nc-value", text: value }));
  }

  function render(): void {
    if (state.kind === "idle" || state.kind === "loading") {
      body.replaceChildren(h("p", { class: "muted", text: t("common.loading") }));
      return;
    }
    if (state.kind === "failed") {
      body.replaceChildren(h("div", { class: "error-box", attrs: { role: "alert" } }, h("p", { class: "error-detail", text: state.error.message })));
      return;
    }
    const c = state.card;
    const qr = h("div", { class: "nc-qr", attrs: { role: "img", "aria-label": t("card.scan") } });
    const svg = svgNode(c.qr_svg);
    if (svg) qr.append(svg);
    const printButton = h("button", { class: "button button-wide print-card", text: t("card.print"), attrs: { type: "button" } });
    printButton.addEventListener("click", print);
    body.replaceChildren(
      h("h2", { class: "section-title no-print", text: t("card.title") }),
      h(
        "article",
        { class: "namecard" },
        h(
          "div",
          { class: "nc-text" },
          h("p", { class: "nc-role", text: t("card.role") }),
          h("p", { class: "nc-name", text: c.display_name }),
          line(t("card.mobile"), c.mobile, "nc-mobile"),
          line(t("card.employeeNo"), c.employee_no, "nc-employee"),
          line(t("card.team"), [c.team, c.centre].filter(Boolean).join(" · "), "nc-team"),
          line(t("card.districts"), c.districts.join("、"), "nc-districts"),
          h("p", { class: "nc-hotline" }, h("span", { class: "nc-label", text: t("card.hotline") }), h("strong", { text: c.hotline })),
          h("p", { class: "nc-promise", text: t("card.promise") }),
        ),
        qr,
      ),
      // The same code large, for a resident to scan from the steward's phone.
      h("div", { class: "qr-large no-print" }, svgNode(c.qr_svg)),
      h("p", { class: "muted no-print card-scan", text: t("card.scan") }),
      printButton,
      handOverBox.element,
    );
    handOverBox.render();
  }

  function show(): Promise<void> {
    loading ??= (async () => {
      state = { kind: "loading" };
      render();
      try {
        state = { kind: "loaded", card: await load() };
      } catch (error) {
        state = { kind: "failed", error: error as ApiError };
        loading = null;
      }
      render();
    })();
    return loading;
  }

  render();
  return { element, show, card: () => (state.kind === "loaded" ? state.card : null), render };
}

/** Search a household, tap it: a visit with the card handed over is recorded on the device. */
function createHandOver(options: HandOver): { element: HTMLElement; render(): void } {
  const input = h("input", { class: "search-input", attrs: { type: "search", "data-testid": "card-handover-search", autocomplete: "off" } });
  const results = h("ul", { class: "plain-list" });
  const status = h("p", { class: "flash", attrs: { role: "status" } });
  status.hidden = true;
  const title = h("h3", { class: "section-title" });
  const hint = h("p", { class: "muted" });
  const element = h("div", { class: "card-block no-print card-handover" }, title, hint, input, results, status);
  let debounce: ReturnType<typeof setTimeout> | undefined;

  async function record(hit: HouseholdHit): Promise<void> {
    const at = new Date().toISOString();
    try {
      const result = await options.save({ household_id: hit.id, ticket_id: null, started_at: at, records: [{ kind: "contact_card_handed_over" }] });
      status.hidden = false;
      status.dataset.testid = "visit-saved";
      status.textContent = `${t("card.handedOver")} · ${hit.resident_name}`;
      options.saved?.(result);
    } catch (error) {
      status.hidden = false;
      status.textContent = (error as ApiError).message;
    }
  }

  async function search(query: string): Promise<void> {
    if (!query) {
      results.replaceChildren();
      return;
    }
    try {
      const hits = await options.search(query);
      results.replaceChildren(
        ...hits.slice(0, 8).map((hit) => {
          const button = h("button", {
            class: "button button-quiet button-wide",
            text: `${hit.resident_name} · ${hit.address}`,
            attrs: { type: "button", "data-testid": "card-handover-hit", "data-household-id": hit.id },
          });
          button.addEventListener("click", () => void record(hit));
          return h("li", {}, button);
        }),
      );
    } catch {
      results.replaceChildren();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => void search(input.value.trim()), 250);
  });
  return {
    element,
    render() {
      title.textContent = t("card.handOverTitle");
      hint.textContent = t("card.handOverHint");
    },
  };
}
