import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCardScreen, svgNode } from "../src/card";
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
