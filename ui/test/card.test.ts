import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setCardPhoto } from "../src/api";
import { createCardScreen, initials, scaledSize, svgNode } from "../src/card";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { CARD, mockCommands } from "./fixtures";

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

describe("my card", () => {
  it("shows the steward, the hotline, the 30-minute promise and the QR code from Rust", async () => {
    const calls = mockCommands({ contact_card: CARD });
    let printed = 0;
    const screen = createCardScreen(undefined, () => printed++);
    document.body.replaceChildren(screen.element);
    expect(calls).toEqual([]);
    await screen.show();
    await screen.show();
    expect(calls.map((c) => c.cmd)).toEqual(["contact_card"]);

    const card = document.querySelector(".namecard")!;
    expect(card.querySelector(".nc-name")?.textContent).toBe("王小明");
    expect(card.querySelector(".nc-role")?.textContent).toBe("供暖管家");
    expect(card.querySelector(".nc-mobile .nc-value")?.textContent).toBe("13812345678");
    expect(card.querySelector(".nc-employee .nc-value")?.textContent).toBe("SH1001");
    expect(card.querySelector(".nc-team .nc-value")?.textContent).toBe("供暖管家一队 · 商河供热服务中心");
    expect(card.querySelector(".nc-districts .nc-value")?.textContent).toBe("鑫隆帝景城片区");
    expect(card.querySelector(".nc-hotline strong")?.textContent).toBe("88812319");
    expect(card.querySelector(".nc-promise")?.textContent).toBe("一旦您反映问题，我们半小时内到达现场");
    expect(card.querySelector(".nc-qr svg path")?.getAttribute("d")).toBe("M4 4h7v7H4z");
    expect(document.querySelector(".qr-large svg path")?.getAttribute("d")).toBe("M4 4h7v7H4z");

    document.querySelector<HTMLButtonElement>(".print-card")!.click();
    expect(printed).toBe(1);
  });

  it("leaves out lines the device does not know, and parses only SVG", async () => {
    mockCommands({ contact_card: { ...CARD, team: "", centre: "" } });
    const screen = createCardScreen();
    document.body.replaceChildren(screen.element);
    await screen.show();
    expect(document.querySelector(".nc-team")).toBeNull();
    expect(svgNode("<html><script>alert(1)</script></html>")).toBeNull();
  });
});

describe("the card's photo", () => {
  it("scales the longer side down to 480 px, keeping the shape and never enlarging", () => {
    expect(scaledSize(4032, 3024)).toEqual({ width: 480, height: 360 });
    expect(scaledSize(3024, 4032)).toEqual({ width: 360, height: 480 });
    expect(scaledSize(300, 200)).toEqual({ width: 300, height: 200 });
    expect(scaledSize(480, 480)).toEqual({ width: 480, height: 480 });
    expect(scaledSize(10000, 10)).toEqual({ width: 480, height: 1 });
    expect(scaledSize(0, 100)).toEqual({ width: 0, height: 0 });
    expect(scaledSize(1000, 500, 100)).toEqual({ width: 100, height: 50 });
  });

  it("shows initials: a Chinese given name, or the first letters of a Latin name", () => {
    expect(initials("王小明")).toBe("小明");
    expect(initials("王芳")).toBe("王芳");
    expect(initials("欧阳娜娜")).toBe("娜娜");
    expect(initials(" wang  fang ")).toBe("WF");
    expect(initials("Li")).toBe("L");
    expect(initials("  ")).toBe("?");
  });

  it("shows initials in a circle without a photo, and the device's copy once taken", async () => {
    const calls = mockCommands({ contact_card: CARD });
    const photo = "data:image/jpeg;base64,/9j/4AAQ";
    const scaled: File[] = [];
    const screen = createCardScreen(undefined, () => {}, undefined, {
      scale: async (file) => {
        scaled.push(file);
        return photo;
      },
      save: async (image) => ({ ...CARD, photo: image }),
    });
    document.body.replaceChildren(screen.element);
    await screen.show();
    expect(document.querySelector(".namecard .nc-initials")?.textContent).toBe("小明");
    expect(document.querySelector(".namecard img")).toBeNull();
    const input = document.querySelector<HTMLInputElement>("[data-testid=card-photo-input]")!;
    expect([input.type, input.accept, input.getAttribute("capture")]).toEqual(["file", "image/*", "user"]);
    expect(document.querySelector(".photo-take")?.textContent).toBe("拍照设置名片照片");

    const file = new File([new Uint8Array([0xff, 0xd8, 0xff])], "face.jpg", { type: "image/jpeg" });
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    input.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(document.querySelector<HTMLImageElement>(".namecard img.nc-photo")?.src).toBe(photo));
    expect(scaled).toEqual([file]);
    expect(document.querySelector(".namecard .nc-initials")).toBeNull();
    expect(document.querySelector(".photo-status")?.textContent).toBe("照片已保存在本机，联网后上传");
    expect(document.querySelector(".photo-take")?.textContent).toBe("换一张照片");
    expect(calls.map((c) => c.cmd)).toEqual(["contact_card"]);
  });

  it("says why a photo was refused and keeps the card as it was", async () => {
    mockCommands({ contact_card: CARD, set_card_photo: () => Promise.reject({ code: "not_an_image", message: "不是图片" }) });
    const screen = createCardScreen(undefined, () => {}, undefined, { scale: async () => "data:text/plain;base64,aGk=", save: setCardPhoto });
    document.body.replaceChildren(screen.element);
    await screen.show();
    const input = document.querySelector<HTMLInputElement>("[data-testid=card-photo-input]")!;
    Object.defineProperty(input, "files", { value: [new File(["hi"], "a.txt")], configurable: true });
    input.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(document.querySelector(".photo-status")?.textContent).toBe("这不是一张照片，请重新拍照或选择图片"));
    expect(document.querySelector(".namecard .nc-initials")?.textContent).toBe("小明");
  });
});
