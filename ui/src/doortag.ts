// 门牌码 / Door tags: reading the household's door or seal QR tag with the
// camera, and laying out printable tags.
//
// A scan is the proof of arrival: the QR's text (`HH:` and the account
// number) goes to the device as `tag_scan`. The picture comes from a file
// input with `capture="environment"` (the rear camera on a phone, a file
// picker on a desktop) or, where `getUserMedia` exists, a live preview whose
// frames are scanned until a tag is found. The decoder (jsQR) is imported on
// first use, so it stays out of the first screen's bundle.

import { invoke } from "@tauri-apps/api/core";
import { toApiError } from "./api";
import type { DoorTagDto } from "./bindings/DoorTagDto";
import type { DoorTagSheetDto } from "./bindings/DoorTagSheetDto";
import { h } from "./dom";
import { t } from "./i18n";

/** The prefix of a household's door tag (as `crates/device/src/tickets.rs` `door_tag`). */
export const DOOR_TAG_PREFIX = "HH:";

/** An RGBA picture: 4 bytes a pixel, rows top to bottom (the layout of `ImageData`). */
export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The outcome of reading a picture. */
export type TagRead =
  | { kind: "tag"; tag: string }
  | { kind: "no_code" }
  | { kind: "not_tag"; text: string };

/** The text of the first QR code in the picture, or null when it has none. */
export async function decodeQr(image: RgbaImage): Promise<string | null> {
  const { default: jsQR } = await import("jsqr");
  const code = jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
  return code ? code.data : null;
}

/** Whether a QR's text is a household door tag: `HH:` and a non-empty account number. */
export function isDoorTag(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith(DOOR_TAG_PREFIX) && trimmed.length > DOOR_TAG_PREFIX.length;
}

/** Reads a door tag from a picture: the tag, no QR at all, or a QR that is something else (a contact card's vCard). */
export async function readDoorTag(image: RgbaImage): Promise<TagRead> {
  const text = await decodeQr(image);
  if (text === null) return { kind: "no_code" };
  return isDoorTag(text) ? { kind: "tag", tag: text.trim() } : { kind: "not_tag", text };
}

/** The largest side a picture is scaled to before decoding: a phone photo is 4000 px, a tag needs far fewer. */
export const MAX_DECODE_SIDE = 1280;

/** The size a picture of `width`×`height` is decoded at: scaled down to at most `max` on its longer side. */
export function decodeSize(width: number, height: number, max = MAX_DECODE_SIDE): { width: number; height: number } {
  const longer = Math.max(width, height);
  if (longer <= max || longer === 0) return { width, height };
  const k = max / longer;
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/** Draws `source` scaled into a canvas and reads its pixels. */
function pixels(source: CanvasImageSource, width: number, height: number): RgbaImage {
  const size = decodeSize(width, height);
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new Error("canvas 2d unavailable");
  ctx.drawImage(source, 0, 0, size.width, size.height);
  const data = ctx.getImageData(0, 0, size.width, size.height);
  return { data: data.data, width: data.width, height: data.height };
}

/** A picture file's pixels, through an `<img>` (every webview decodes JPEG/PNG/HEIC it can show). */
export async function imageFromFile(file: Blob): Promise<RgbaImage> {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.decoding = "async";
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("not an image"));
      img.src = url;
    });
    return pixels(img, img.naturalWidth, img.naturalHeight);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Whether this webview can show a live camera preview. */
export function canLiveScan(): boolean {
  return typeof navigator !== "undefined" && typeof navigator.mediaDevices?.getUserMedia === "function";
}

export interface ScanButtonOptions {
  /** A door tag was read: send it as the `tag_scan` proof. */
  onTag: (tag: string) => void;
  /** Turns a picture file into pixels (the webview's own decoder by default). */
  loadImage?: (file: Blob) => Promise<RgbaImage>;
  /** Offer the live preview where the webview has a camera API (default: when `getUserMedia` exists). */
  live?: boolean;
}

export interface ScanButton {
  element: HTMLElement;
  /** Reads one picture; resolves once the tag was handed on or the message is on screen. */
  readFile(file: Blob): Promise<void>;
  /** Stops a running live preview. */
  stop(): void;
}

/** The message for a picture that gave no tag. */
function readMessage(read: Exclude<TagRead, { kind: "tag" }> | { kind: "unreadable" } | { kind: "camera" }): string {
  switch (read.kind) {
    case "no_code":
      return t("doortag.noCode");
    case "not_tag":
      return t("doortag.notTag");
    case "unreadable":
      return t("doortag.unreadable");
    case "camera":
      return t("doortag.noCamera");
  }
}

/**
 * The large "扫门牌码" button: a camera/file input and, where possible, a live
 * preview. A picture without a door tag leaves a message and records nothing.
 */
export function createScanButton(options: ScanButtonOptions): ScanButton {
  const loadImage = options.loadImage ?? imageFromFile;
  const message = h("p", { class: "scan-message", attrs: { role: "status", "data-testid": "checkin-scan-message" } });
  message.hidden = true;
  const input = h("input", {
    class: "scan-file",
    attrs: { type: "file", accept: "image/*", capture: "environment", "data-testid": "checkin-scan-file" },
  });
  const label = h(
    "label",
    { class: "button button-wide scan-button", attrs: { "data-testid": "checkin-scan" } },
    h("span", { text: t("doortag.scan") }),
    input,
  );
  const preview = h("div", { class: "scan-live", attrs: { "data-testid": "checkin-scan-preview" } });
  preview.hidden = true;
  const element = h("div", { class: "scan-box" }, label, preview, message);
  let stream: MediaStream | null = null;
  let frame = 0;

  function say(text: string | null): void {
    message.textContent = text ?? "";
    message.hidden = text === null;
    if (text !== null) message.dataset.state = "failed";
  }

  async function readFile(file: Blob): Promise<void> {
    say(null);
    let read: TagRead;
    try {
      read = await readDoorTag(await loadImage(file));
    } catch {
      say(readMessage({ kind: "unreadable" }));
      return;
    }
    if (read.kind === "tag") options.onTag(read.tag);
    else say(readMessage(read));
  }

  input.addEventListener("change", () => {
    const file = input.files?.[0];
    input.value = "";
    if (file) void readFile(file);
  });

  function stop(): void {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    preview.replaceChildren();
    preview.hidden = true;
  }

  async function startLive(): Promise<void> {
    say(null);
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch {
      say(readMessage({ kind: "camera" }));
      return;
    }
    const video = h("video", { class: "scan-video", attrs: { playsinline: "", muted: "" } });
    video.srcObject = stream;
    const close = h("button", { class: "button", text: t("doortag.stop"), attrs: { type: "button", "data-testid": "checkin-scan-stop" } });
    close.addEventListener("click", stop);
    preview.replaceChildren(video, close);
    preview.hidden = false;
    await video.play().catch(() => undefined);
    let last = 0;
    const scanFrame = (time: number): void => {
      if (!stream) return;
      frame = requestAnimationFrame(scanFrame);
      // Four frames a second is enough to find a tag and keeps a phone cool.
      if (time - last < 250 || video.videoWidth === 0) return;
      last = time;
      void readDoorTag(pixels(video, video.videoWidth, video.videoHeight)).then((read) => {
        if (read.kind === "tag" && stream) {
          stop();
          options.onTag(read.tag);
        }
      });
    };
    frame = requestAnimationFrame(scanFrame);
  }

  if (options.live ?? canLiveScan()) {
    const live = h("button", {
      class: "button button-wide scan-live-start",
      text: t("doortag.live"),
      attrs: { type: "button", "data-testid": "checkin-scan-live" },
    });
    live.addEventListener("click", () => void startLive());
    element.insertBefore(live, preview);
  }

  return { element, readFile, stop };
}

// ---- Printable door tags (补打门牌码) ----

/** A label sheet: the page and one label, in millimetres. */
export interface LabelSheet {
  pageWidth: number;
  pageHeight: number;
  labelWidth: number;
  labelHeight: number;
  /** The unprintable edge kept on every side of the page. */
  margin: number;
}

/** A4 with 50 × 30 mm labels and a 5 mm edge: 4 across, 9 down. */
export const A4_LABELS: LabelSheet = { pageWidth: 210, pageHeight: 297, labelWidth: 50, labelHeight: 30, margin: 5 };

/** Where one label goes: its page, and its top-left corner on that page in millimetres. */
export interface LabelSlot {
  page: number;
  column: number;
  row: number;
  x: number;
  y: number;
}

/** How many labels fit across and down, and on one page. */
export function labelGrid(sheet: LabelSheet): { columns: number; rows: number; perPage: number } {
  const columns = Math.max(0, Math.floor((sheet.pageWidth - 2 * sheet.margin) / sheet.labelWidth));
  const rows = Math.max(0, Math.floor((sheet.pageHeight - 2 * sheet.margin) / sheet.labelHeight));
  return { columns, rows, perPage: columns * rows };
}

/**
 * The slot of each of `count` labels, filled row by row and page by page;
 * the grid is centred on the page so a sheet's edges stay even.
 */
export function layoutLabels(count: number, sheet: LabelSheet = A4_LABELS): LabelSlot[] {
  const { columns, rows, perPage } = labelGrid(sheet);
  if (perPage === 0) throw new Error("a label is larger than the page");
  const left = (sheet.pageWidth - columns * sheet.labelWidth) / 2;
  const top = (sheet.pageHeight - rows * sheet.labelHeight) / 2;
  const slots: LabelSlot[] = [];
  for (let i = 0; i < count; i++) {
    const page = Math.floor(i / perPage);
    const onPage = i % perPage;
    const row = Math.floor(onPage / columns);
    const column = onPage % columns;
    slots.push({ page, column, row, x: left + column * sheet.labelWidth, y: top + row * sheet.labelHeight });
  }
  return slots;
}

/** The number of pages `count` labels take. */
export function pageCount(count: number, sheet: LabelSheet = A4_LABELS): number {
  return Math.ceil(count / labelGrid(sheet).perPage);
}

/** The print stylesheet while a tag sheet is open: A4 pages, only the sheet printed. */
export function tagPrintCss(sheet: LabelSheet = A4_LABELS): string {
  return [
    "@media print {",
    `  @page { size: ${sheet.pageWidth}mm ${sheet.pageHeight}mm; margin: 0; }`,
    "  .tagsheet, .tagsheet * { visibility: visible; }",
    "  .tagsheet { position: absolute; top: 0; left: 0; margin: 0; padding: 0; background: #fff; }",
    "  .tagsheet .ts-tools { display: none; }",
    "  .tagsheet .ts-page { margin: 0; box-shadow: none; break-after: page; page-break-after: always; }",
    "  .tagsheet .ts-page:last-child { break-after: auto; page-break-after: auto; }",
    "}",
  ].join("\n");
}

/** The printed text of one tag: community, `N号楼 N单元 N室`, and the account number. */
export function tagLines(tag: DoorTagDto): [string, string, string] {
  return [tag.community, `${tag.building_no}号楼 ${tag.unit_no}单元 ${tag.room}室`, `${t("doortag.account")} ${tag.account_no}`];
}

function svgNode(svg: string): Node | null {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = doc.documentElement;
  return root.nodeName === "svg" ? document.importNode(root, true) : null;
}

export interface TagSheetView {
  element: HTMLElement;
  ready: Promise<void>;
  close(): void;
}

export interface TagSheetOptions {
  /** The household whose tag (or whose building's tags) to print. */
  householdId: string;
  wholeBuilding: boolean;
  close: () => void;
  load?: (householdId: string, wholeBuilding: boolean) => Promise<DoorTagSheetDto>;
  print?: () => void;
}

/** The door tags the device makes (offline). */
export async function fetchDoorTags(householdId: string, wholeBuilding: boolean): Promise<DoorTagSheetDto> {
  try {
    return await invoke<DoorTagSheetDto>("door_tags", { householdId, wholeBuilding });
  } catch (error) {
    throw toApiError(error);
  }
}

/** A printable sheet of door tags: A4 pages of 50 × 30 mm labels, QR and address on each. */
export function createTagSheet(options: TagSheetOptions): TagSheetView {
  const load = options.load ?? fetchDoorTags;
  const print = options.print ?? (() => window.print());
  const style = h("style", { attrs: { "data-doortag-print": "" }, text: tagPrintCss() });
  document.head.append(style);
  const body = h("div", { class: "tagsheet-body" });
  const element = h("section", { class: "screen tagsheet", attrs: { "data-screen": "doortags", "data-testid": "doortag-sheet" } }, body);

  function close(): void {
    style.remove();
    options.close();
  }

  function tools(title: string, count: number, pages: number): HTMLElement {
    const back = h("button", { class: "back", text: `‹ ${t("common.back")}`, attrs: { type: "button" } });
    back.addEventListener("click", close);
    const printButton = h("button", {
      class: "button button-wide",
      text: t("doortag.print"),
      attrs: { type: "button", "data-testid": "doortag-print" },
    });
    printButton.addEventListener("click", print);
    return h(
      "div",
      { class: "ts-tools" },
      back,
      h("h2", { class: "section-title", text: title }),
      h("p", { class: "muted", attrs: { "data-testid": "doortag-count" }, text: t("doortag.count", { count, pages }) }),
      printButton,
    );
  }

  function label(tag: DoorTagDto, slot: LabelSlot): HTMLElement {
    const qr = h("div", { class: "ts-qr", attrs: { role: "img", "aria-label": tag.tag } });
    const svg = svgNode(tag.qr_svg);
    if (svg) qr.append(svg);
    const [community, place, account] = tagLines(tag);
    const el = h(
      "div",
      { class: "ts-label", attrs: { "data-testid": "doortag-label", "data-tag": tag.tag } },
      qr,
      h(
        "div",
        { class: "ts-text" },
        h("p", { class: "ts-community", text: community }),
        h("p", { class: "ts-place", text: place }),
        h("p", { class: "ts-account", text: account }),
      ),
    );
    el.style.left = `${slot.x}mm`;
    el.style.top = `${slot.y}mm`;
    el.style.width = `${A4_LABELS.labelWidth}mm`;
    el.style.height = `${A4_LABELS.labelHeight}mm`;
    return el;
  }

  function render(sheet: DoorTagSheetDto): void {
    const slots = layoutLabels(sheet.tags.length);
    const pages = Array.from({ length: pageCount(sheet.tags.length) }, () => {
      const page = h("div", { class: "ts-page", attrs: { "data-testid": "doortag-page" } });
      page.style.width = `${A4_LABELS.pageWidth}mm`;
      page.style.height = `${A4_LABELS.pageHeight}mm`;
      return page;
    });
    sheet.tags.forEach((tag, i) => {
      const slot = slots[i]!;
      pages[slot.page]!.append(label(tag, slot));
    });
    body.replaceChildren(tools(sheet.title, sheet.tags.length, pages.length), ...pages);
  }

  body.replaceChildren(h("p", { class: "muted", text: t("common.loading") }));
  const ready = (async () => {
    try {
      render(await load(options.householdId, options.wholeBuilding));
    } catch (error) {
      const message = (error as { message?: string }).message ?? String(error);
      const back = h("button", { class: "back", text: `‹ ${t("common.back")}`, attrs: { type: "button" } });
      back.addEventListener("click", close);
      body.replaceChildren(back, h("div", { class: "error-box", attrs: { role: "alert" } }, h("p", { class: "error-detail", text: message })));
    }
  })();
  return { element, ready, close };
}
