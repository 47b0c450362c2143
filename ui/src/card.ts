// 我的名片 / My card: the steward's contact card with a QR code holding the
// vCard (made in Rust, so a resident's phone camera saves the contact with
// no network), and a print button: the print stylesheet sizes the card to
// 90 × 54 mm. The steward's photo is taken here (on a phone the file input
// opens the front camera), scaled down on the device and kept there; the
// card shows the device's own copy, so it works offline. Without a photo the
// card shows the name's initials in a circle. The photo is never put into
// the QR code's vCard: it would make the code too dense to print small.

import { type ApiError, contactCard, type HouseholdHit, recordVisit, searchHouseholds, setCardPhoto } from "./api";
import type { ContactCardDto } from "./bindings/ContactCardDto";
import type { RecordedVisitDto } from "./bindings/RecordedVisitDto";
import type { VisitInput } from "./bindings/VisitInput";
import { h } from "./dom";
import { hasMessage, t } from "./i18n";

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

/** The longest side of a card photo after scaling, in pixels. */
export const PHOTO_MAX_PX = 480;

/** The size to draw an image of `width` × `height` at so that its longer side is at most `max`: never enlarged. */
export function scaledSize(width: number, height: number, max: number = PHOTO_MAX_PX): { width: number; height: number } {
  if (!(width > 0 && height > 0)) return { width: 0, height: 0 };
  const factor = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * factor)), height: Math.max(1, Math.round(height * factor)) };
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;

/**
 * What the circle shows without a photo: a Chinese name's given name (its
 * last two characters, 王小明 → 小明; a two-character name whole), or the first
 * letters of the first and last words of a Latin name (Wang Fang → WF).
 */
export function initials(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return "?";
  if (CJK.test(trimmed)) {
    const chars = [...trimmed.replace(/\s+/gu, "")];
    return chars.length <= 2 ? chars.join("") : chars.slice(-2).join("");
  }
  const words = trimmed.split(/\s+/u);
  const letter = (word: string | undefined) => [...(word ?? "")][0] ?? "";
  const first = letter(words[0]);
  const last = words.length > 1 ? letter(words[words.length - 1]) : "";
  return (first + last).toUpperCase();
}

/** Draws the picture at most {@link PHOTO_MAX_PX} on its longer side and encodes it as a JPEG `data:` URL. */
export async function scalePhoto(file: Blob, max: number = PHOTO_MAX_PX, quality = 0.85): Promise<string> {
  const bitmap = await createImageBitmap(file);
  try {
    const size = scaledSize(bitmap.width, bitmap.height, max);
    const canvas = document.createElement("canvas");
    canvas.width = size.width;
    canvas.height = size.height;
    const context = canvas.getContext("2d");
    if (!context) throw { code: "no_canvas", message: "this device cannot draw the photo" } satisfies ApiError;
    // JPEG has no transparency: a white ground under a transparent PNG.
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, size.width, size.height);
    context.drawImage(bitmap, 0, 0, size.width, size.height);
    return canvas.toDataURL("image/jpeg", quality);
  } finally {
    bitmap.close();
  }
}

/** Taking the card's photo: scaling it down and keeping it on the device. */
export interface PhotoTaker {
  scale: (file: File) => Promise<string>;
  save: (image: string) => Promise<ContactCardDto>;
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
  photo: PhotoTaker = { scale: (file) => scalePhoto(file), save: setCardPhoto },
): CardScreen {
  const handOverBox = createHandOver(handOver);
  const photoStatus = h("p", { class: "flash no-print photo-status", attrs: { role: "status" } });
  photoStatus.hidden = true;
  const photoInput = h("input", {
    class: "photo-input",
    attrs: { type: "file", accept: "image/*", capture: "user", "data-testid": "card-photo-input" },
  }) as HTMLInputElement;
  const photoLabel = h("span", {});
  const photoButton = h("label", { class: "button button-quiet button-wide no-print photo-take" }, photoLabel, photoInput);

  function say(text: string): void {
    photoStatus.hidden = false;
    photoStatus.textContent = text;
  }

  photoInput.addEventListener("change", () => {
    const file = photoInput.files?.[0];
    if (!file) return;
    void (async () => {
      say(t("card.photoSaving"));
      try {
        const card = await photo.save(await photo.scale(file));
        state = { kind: "loaded", card };
        render();
        say(t("card.photoSaved"));
      } catch (error) {
        const err = error as ApiError;
        const key = `error.${err.code}`;
        say(hasMessage(key) ? t(key) : (err.message ?? String(error)));
      } finally {
        photoInput.value = "";
      }
    })();
  });
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
    const face = c.photo
      ? h("img", { class: "nc-photo", attrs: { src: c.photo, alt: t("card.photoAlt") } })
      : h("div", { class: "nc-photo nc-initials", text: initials(c.display_name), attrs: { "aria-hidden": "true" } });
    photoLabel.textContent = t(c.photo ? "card.photoChange" : "card.photoTake");
    body.replaceChildren(
      h("h2", { class: "section-title no-print", text: t("card.title") }),
      h(
        "article",
        { class: "namecard" },
        h(
          "div",
          { class: "nc-text" },
          h("div", { class: "nc-head" }, face, h("div", {}, h("p", { class: "nc-role", text: t("card.role") }), h("p", { class: "nc-name", text: c.display_name }))),
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
      photoButton,
      photoStatus,
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
