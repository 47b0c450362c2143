// 门牌码 / Door tags: reading the household's door or seal QR tag with the
// camera, and laying out printable tags.
//
// A scan is the proof of arrival: the QR's text (`HH:` and the account
// number) goes to the device as `tag_scan`. The picture comes from a file
// input with `capture="environment"` (the rear camera on a phone, a file
// picker on a desktop) or, where `getUserMedia` exists, a live preview whose
// frames are scanned until a tag is found. The decoder (jsQR) is imported on
// first use, so it stays out of the first screen's bundle.

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
