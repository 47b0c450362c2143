// 我的名片 / My card: the steward's contact card with a QR code holding the
// vCard (made in Rust, so a resident's phone camera saves the contact with
// no network), and a print button: the print stylesheet sizes the card to
// 90 × 54 mm.

import { type ApiError, contactCard } from "./api";
import type { ContactCardDto } from "./bindings/ContactCardDto";
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

export function createCardScreen(
  load: () => Promise<ContactCardDto> = contactCard,
  print: () => void = () => window.print(),
): CardScreen {
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
    );
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
