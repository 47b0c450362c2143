import { clearMocks } from "@tauri-apps/api/mocks";
import QRCode from "qrcode";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TicketDetailDto } from "../src/bindings/TicketDetailDto";
import type { DoorTagDto } from "../src/bindings/DoorTagDto";
import {
  A4_LABELS,
  createScanButton,
  decodeQr,
  decodeSize,
  isDoorTag,
  labelGrid,
  layoutLabels,
  pageCount,
  type RgbaImage,
  readDoorTag,
  tagLines,
  tagPrintCss,
} from "../src/doortag";
import { createHouseholdView } from "../src/household";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { createTicketView, describeVerdict } from "../src/ticket";
import { CARD, DETAIL, deviceTable, mockCommands, NOW } from "./fixtures";

/** A QR code of `text` drawn as a real picture: `scale` px a module, a 4-module white quiet zone, black on white. */
function qrImage(text: string, scale = 4): RgbaImage {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const quiet = 4;
  const side = (modules.size + 2 * quiet) * scale;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      for (let y = 0; y < scale; y++) {
        for (let x = 0; x < scale; x++) {
          const i = (((row + quiet) * scale + y) * side + (col + quiet) * scale + x) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
      }
    }
  }
  return { data, width: side, height: side };
}

/** A grey picture with no code in it. */
function blank(width = 200, height = 120): RgbaImage {
  return { data: new Uint8ClampedArray(width * height * 4).fill(200), width, height };
}

const MIN = 60 * 1000;

/** A ticket on its way to 鑫隆帝景城 1号楼 2单元 301室, the steward en route. */
function enRouteDetail(status = "en_route", next_actions = ["arrive"]): TicketDetailDto {
  const due = new Date(NOW + 10 * MIN).toISOString();
  return {
    ticket: {
      id: "t-2",
      household_id: "hh-1",
      category: "no_heat",
      description: "暖气不热",
      status,
      is_open: true,
      reported_at: new Date(NOW - 20 * MIN).toISOString(),
      due_at: due,
    },
    resident_name: "王秀英",
    phone: "13812345678",
    address: "鑫隆帝景城 1号楼 2单元 301室",
    building_lon: 117.1362,
    building_lat: 37.3108,
    events: [],
    sla: { status: "on_track", due_at: due, now: new Date(NOW).toISOString(), at_risk_minutes: 10, geofence_m: 150 },
    next_actions,
    pending: false,
  };
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

describe("reading a door tag", () => {
  it("decodes a real QR picture to its text", async () => {
    expect(await decodeQr(qrImage("HH:A-0001"))).toBe("HH:A-0001");
    expect(await decodeQr(qrImage("HH:2024-北区-0815", 3))).toBe("HH:2024-北区-0815");
    expect(await decodeQr(blank())).toBeNull();
  });

  it("tells a door tag from no code and from another QR", async () => {
    expect(await readDoorTag(qrImage("HH:A-0001"))).toEqual({ kind: "tag", tag: "HH:A-0001" });
    expect(await readDoorTag(blank())).toEqual({ kind: "no_code" });
    const vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:张伟\nEND:VCARD";
    expect(await readDoorTag(qrImage(vcard))).toEqual({ kind: "not_tag", text: vcard });
    expect(isDoorTag("HH:")).toBe(false);
    expect(isDoorTag(" HH:42 ")).toBe(true);
    expect(isDoorTag("42")).toBe(false);
  });

  it("scales a phone photo down before decoding", () => {
    expect(decodeSize(4000, 3000)).toEqual({ width: 1280, height: 960 });
    expect(decodeSize(800, 600)).toEqual({ width: 800, height: 600 });
    expect(decodeSize(1000, 4000, 1000)).toEqual({ width: 250, height: 1000 });
  });

  it("the scan button hands on a tag and says so when a picture has none", async () => {
    const pictures = new Map<Blob, RgbaImage>();
    const tags: string[] = [];
    const scan = createScanButton({ onTag: (tag) => tags.push(tag), loadImage: async (f) => pictures.get(f)!, live: false });
    document.body.append(scan.element);
    const input = byTestId("checkin-scan-file") as HTMLInputElement;
    expect(input.getAttribute("capture")).toBe("environment");
    expect(input.getAttribute("accept")).toBe("image/*");
    expect(byTestId("checkin-scan-live")).toBeNull();
    const empty = new Blob(["x"]);
    pictures.set(empty, blank());
    await scan.readFile(empty);
    expect(tags).toEqual([]);
    expect(byTestId("checkin-scan-message")?.hidden).toBe(false);
    expect(byTestId("checkin-scan-message")?.textContent).toBe("照片里没有识别到二维码，请对准门牌码重拍");
    const tag = new Blob(["y"]);
    pictures.set(tag, qrImage("HH:A-0001"));
    await scan.readFile(tag);
    expect(tags).toEqual(["HH:A-0001"]);
    expect(byTestId("checkin-scan-message")?.hidden).toBe(true);
    await scan.readFile(new Blob(["broken"]));
    expect(byTestId("checkin-scan-message")?.textContent).toBe("无法读取这张图片，请重拍");
    setLocale("en");
    const card = createScanButton({ onTag: (t) => tags.push(t), loadImage: async () => qrImage("https://example.com"), live: false });
    await card.readFile(new Blob(["z"]));
    expect(card.element.querySelector(".scan-message")?.textContent).toBe("This is not a door tag (HH:account no.); not checked in");
    expect(tags).toEqual(["HH:A-0001"]);
  });
});

describe("the live camera", () => {
  afterEach(() => {
    Reflect.deleteProperty(navigator, "mediaDevices");
  });

  it("is offered where the webview has getUserMedia and says so when the camera cannot open", async () => {
    expect(createScanButton({ onTag: () => undefined }).element.querySelector('[data-testid="checkin-scan-live"]')).toBeNull();
    const asked: MediaStreamConstraints[] = [];
    Object.defineProperty(navigator, "mediaDevices", {
      configurable: true,
      value: { getUserMedia: (c: MediaStreamConstraints) => (asked.push(c), Promise.reject(new Error("NotAllowedError"))) },
    });
    const tags: string[] = [];
    const scan = createScanButton({ onTag: (tag) => tags.push(tag) });
    document.body.append(scan.element);
    byTestId("checkin-scan-live")!.click();
    await expect.poll(() => byTestId("checkin-scan-message")?.textContent).toBe("无法打开摄像头，请用“扫门牌码”拍照");
    expect(asked).toEqual([{ video: { facingMode: "environment" }, audio: false }]);
    expect(byTestId("checkin-scan-preview")?.hidden).toBe(true);
    expect(tags).toEqual([]);
  });
});

describe("checking in with the door tag", () => {
  const enRoute = (): TicketDetailDto => enRouteDetail();

  it("sends a scanned tag as proof and records nothing for a picture without one", async () => {
    const met = enRouteDetail("on_site", ["resolve"]);
    const verdict = { verified: true, method: "tag_scan", reason: null, distance_m: null, fence_m: null, accuracy_m: null, note: null };
    const calls = mockCommands(
      deviceTable({ ticket_detail: enRoute(), ticket_action: { detail: met, verdict, pending: { priority: 1, bulk: 0, total: 1 } } }),
    );
    const pictures = [blank(), qrImage("HH:A-0001")];
    const view = createTicketView("t-2", {
      back: () => undefined,
      now: () => NOW,
      autoTick: false,
      liveScan: false,
      loadImage: async () => pictures.shift()!,
    });
    document.body.append(view.element);
    await view.ready;
    const input = byTestId("checkin-scan-file") as HTMLInputElement;
    const choose = () => {
      Object.defineProperty(input, "files", { value: [new File(["jpeg"], "tag.jpg", { type: "image/jpeg" })], configurable: true });
      input.dispatchEvent(new Event("change"));
    };
    choose();
    await expect.poll(() => byTestId("checkin-scan-message")?.hidden).toBe(false);
    expect(calls.filter((c) => c.cmd === "ticket_action")).toEqual([]);
    choose();
    await expect.poll(() => byTestId("checkin-verdict")?.textContent).toBe("到场已核验（扫门牌码）");
    expect(calls.filter((c) => c.cmd === "ticket_action").map((c) => c.args)).toEqual([
      { ticketId: "t-2", action: { action: "arrive", proof: { method: "tag_scan", tag: "HH:A-0001" } } },
    ]);
  });

  it("sends a typed tag as unverified and says the lead reviews it", async () => {
    const calls = mockCommands(
      deviceTable({ ticket_detail: enRoute(), location_fix: null, ticket_action: () => Promise.reject({ code: "required", message: "tag" }) }),
    );
    const view = createTicketView("t-2", { back: () => undefined, now: () => NOW, autoTick: false, liveScan: false });
    document.body.append(view.element);
    await view.ready;
    byTestId("ticket-checkin")!.click();
    await expect.poll(() => byTestId("checkin-panel")).not.toBeNull();
    (byTestId("checkin-tag") as HTMLInputElement).value = " A-0001 ";
    byTestId("checkin-tag-submit")!.click();
    await expect.poll(() => calls.filter((c) => c.cmd === "ticket_action").length).toBe(1);
    expect(calls.find((c) => c.cmd === "ticket_action")?.args).toEqual({
      ticketId: "t-2",
      action: { action: "arrive", proof: { method: "tag_typed", tag: "A-0001" } },
    });
    const typed = { verified: false, method: null, reason: "tag_typed", distance_m: null, fence_m: null, accuracy_m: null, note: null };
    expect(describeVerdict(typed)).toBe("到场未核验：门牌码手工输入，待班长审核");
    expect(describeVerdict({ ...typed, note: "mismatch" })).toBe("到场未核验：门牌码手工输入，且与该户不符，待班长审核");
  });
});

function doorTag(n: number, unit = 1): DoorTagDto {
  const room = `${Math.floor(n / 2) + 1}0${(n % 2) + 1}`;
  return {
    household_id: `hh-${n}`,
    account_no: `SH${String(n).padStart(4, "0")}`,
    tag: `HH:SH${String(n).padStart(4, "0")}`,
    community: "鑫隆帝景城",
    building_no: 1,
    unit_no: unit,
    room,
    address: `鑫隆帝景城 1号楼 ${unit}单元 ${room}室`,
    qr_svg: CARD.qr_svg,
  };
}

describe("printable door tags", () => {
  it("fits 50 × 30 mm labels on A4, four across and nine down, centred", () => {
    expect(labelGrid(A4_LABELS)).toEqual({ columns: 4, rows: 9, perPage: 36 });
    const slots = layoutLabels(38);
    // (210 − 4·50) / 2 = 5 mm left, (297 − 9·30) / 2 = 13.5 mm top.
    expect(slots[0]).toEqual({ page: 0, column: 0, row: 0, x: 5, y: 13.5 });
    expect(slots[3]).toEqual({ page: 0, column: 3, row: 0, x: 155, y: 13.5 });
    expect(slots[4]).toEqual({ page: 0, column: 0, row: 1, x: 5, y: 43.5 });
    expect(slots[35]).toEqual({ page: 0, column: 3, row: 8, x: 155, y: 253.5 });
    expect(slots[36]).toEqual({ page: 1, column: 0, row: 0, x: 5, y: 13.5 });
    // Every label stays inside the page.
    expect(slots.every((s) => s.x + 50 <= 210 && s.y + 30 <= 297)).toBe(true);
    expect([pageCount(0), pageCount(1), pageCount(36), pageCount(37)]).toEqual([0, 1, 1, 2]);
    const big = { pageWidth: 100, pageHeight: 100, labelWidth: 50, labelHeight: 30, margin: 0 };
    expect(labelGrid(big)).toEqual({ columns: 2, rows: 3, perPage: 6 });
    expect(() => layoutLabels(1, { ...big, labelWidth: 120 })).toThrow();
    expect(tagPrintCss()).toContain("size: 210mm 297mm");
  });

  it("prints the address lines and the account number on each tag", () => {
    expect(tagLines(doorTag(3, 2))).toEqual(["鑫隆帝景城", "1号楼 2单元 202室", "户号 SH0003"]);
  });

  it("opens a household's tag and its building's from the household page, offline from the device", async () => {
    const building = Array.from({ length: 40 }, (_, i) => doorTag(i, i < 20 ? 1 : 2));
    const calls = mockCommands(
      deviceTable({
        door_tags: (args: { wholeBuilding: boolean }) =>
          args.wholeBuilding ? { title: "鑫隆帝景城 1号楼", tags: building } : { title: DETAIL.address, tags: [doorTag(1)] },
      }),
    );
    let printed = 0;
    const view = createHouseholdView("hh-2", { back: () => undefined, startVisit: () => undefined, load: async () => DETAIL, print: () => printed++ });
    document.body.append(view.element);
    await view.ready;
    byTestId("doortag-household")!.click();
    await expect.poll(() => document.querySelectorAll('[data-testid="doortag-label"]').length).toBe(1);
    expect(document.head.querySelector("style[data-doortag-print]")?.textContent).toContain("@page");
    const label = byTestId("doortag-label")!;
    expect(label.dataset.tag).toBe("HH:SH0001");
    expect(label.querySelector("svg")).not.toBeNull();
    expect([label.style.left, label.style.top, label.style.width, label.style.height]).toEqual(["5mm", "13.5mm", "50mm", "30mm"]);
    expect(label.textContent).toBe("鑫隆帝景城1号楼 1单元 102室户号 SH0001");
    byTestId("doortag-print")!.click();
    expect(printed).toBe(1);
    // Back on the household page, the print style is gone.
    (document.querySelector(".tagsheet .back") as HTMLElement).click();
    expect(byTestId("household-detail")?.querySelector(".hh-detail-name")?.textContent).toBe(DETAIL.resident_name);
    expect(document.head.querySelector("style[data-doortag-print]")).toBeNull();

    byTestId("doortag-building")!.click();
    await expect.poll(() => document.querySelectorAll('[data-testid="doortag-label"]').length).toBe(40);
    expect(document.querySelectorAll('[data-testid="doortag-page"]').length).toBe(2);
    expect(byTestId("doortag-count")?.textContent).toBe("共 40 张，2 页");
    expect(calls.filter((c) => c.cmd === "door_tags").map((c) => c.args)).toEqual([
      { householdId: "hh-2", wholeBuilding: false },
      { householdId: "hh-2", wholeBuilding: true },
    ]);
  });

  it("shows the device's refusal instead of a sheet", async () => {
    mockCommands(deviceTable({ door_tags: () => Promise.reject({ code: "not_found", message: "no household hh-2 on this device" }) }));
    const view = createHouseholdView("hh-2", { back: () => undefined, startVisit: () => undefined, load: async () => DETAIL });
    document.body.append(view.element);
    await view.ready;
    byTestId("doortag-building")!.click();
    await expect.poll(() => document.querySelector(".tagsheet [role=alert]")?.textContent).toBe("no household hh-2 on this device");
    expect(document.querySelectorAll('[data-testid="doortag-label"]').length).toBe(0);
  });
});
