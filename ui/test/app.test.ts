import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { deviceTable, mockCommands } from "./fixtures";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mountApp } from "../src/app";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { collectSmokeReport, isSmokeMode, reportSmoke } from "../src/smoke";

function root(): HTMLElement {
  const element = document.createElement("div");
  document.body.replaceChildren(element);
  return element;
}

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
  delete window.__HEAT_STEWARD_SMOKE__;
});

describe("app shell", () => {
  it("renders the title, one tab per existing screen, and the network badge", async () => {
    mockCommands(deviceTable());
    const app = mountApp(root());
    await app.ready;
    expect(document.getElementById("app-title")?.textContent).toBe("供暖管家");
    expect(document.title).toBe("供暖管家");
    expect([...document.querySelectorAll(".tab:not([hidden])")].map((tab) => tab.textContent)).toEqual(["今日", "住户", "同步", "地图", "名片"]);
    expect(document.querySelector(".tab[aria-current]")?.textContent).toBe("今日");
    expect(document.querySelector(".pending")?.textContent).toBe("待同步 2");
    expect(document.querySelector(".net-label")?.textContent).toBe("在线");
  });

  it("switches every text to English with the language button", async () => {
    mockCommands(deviceTable());
    const app = mountApp(root());
    await app.ready;
    document.querySelector<HTMLButtonElement>(".lang-switch")!.click();
    expect(document.documentElement.lang).toBe("en");
    expect(document.getElementById("app-title")?.textContent).toBe("Heat Steward");
    expect(document.querySelector(".tab")?.textContent).toBe("Today");
    expect(document.querySelector(".pending")?.textContent).toBe("2 to sync");
    expect(document.querySelector(".hh-status")?.textContent).toBe("New");
    expect(document.querySelector(".lang-switch")?.textContent).toBe("中文");
  });

  it("follows the browser's online and offline events, and says records stay on the device", async () => {
    mockCommands(deviceTable({ search_households: [] }));
    const onLine = vi.spyOn(window.navigator, "onLine", "get").mockReturnValue(false);
    const app = mountApp(root());
    const badge = document.querySelector<HTMLElement>(".net")!;
    expect(badge.dataset.online).toBe("false");
    expect(badge.textContent).toBe("离线");
    expect(document.querySelector<HTMLElement>(".offline-note")!.hidden).toBe(false);
    expect(document.querySelector(".offline-note")?.textContent).toBe("离线：记录保存在本机，联网后上传");
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
    expect(badge.dataset.online).toBe("true");
    expect(badge.textContent).toBe("在线");
    await app.ready;
  });
});

describe("smoke report", () => {
  it("is off unless the Rust side injected the flag", () => {
    expect(isSmokeMode()).toBe(false);
    window.__HEAT_STEWARD_SMOKE__ = true;
    expect(isSmokeMode()).toBe(true);
  });

  it("reports the rendered title and households", async () => {
    mockCommands(deviceTable());
    const app = mountApp(root());
    await app.ready;
    expect(collectSmokeReport(document, app)).toEqual({
      title: "供暖管家",
      locale: "zh-CN",
      online: true,
      households_rendered: 1,
      search_ok: true,
      search_error: null,
      ui_error: null,
    });
  });

  it("reports a failed search without failing itself", async () => {
    mockIPC(() => Promise.reject("Command search_households not found"));
    const app = mountApp(root());
    await app.ready;
    expect(collectSmokeReport(document, app)).toMatchObject({
      households_rendered: 0,
      search_ok: false,
      search_error: "Command search_households not found",
    });
  });

  it("sends the report through smoke_ready after the first screen", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      return deviceTable()[cmd] ?? null;
    });
    const element = root();
    await reportSmoke(() => mountApp(element));
    expect([...new Set(calls.map((call) => call.cmd))].sort()).toEqual([
      "lead_status",
      "pending_counts",
      "plugin:event|listen",
      "recent_alerts",
      "search_households",
      "smoke_ready",
      "today",
    ]);
    expect(calls.at(-1)!.args).toMatchObject({ report: { title: "供暖管家", households_rendered: 1, ui_error: null } });
  });

  it("reports a UI that fails to start instead of never answering", async () => {
    const reports: unknown[] = [];
    mockIPC((_cmd, args) => void reports.push((args as { report: unknown }).report));
    await reportSmoke(() => {
      throw new TypeError("boom");
    });
    expect(reports).toEqual([expect.objectContaining({ ui_error: "TypeError: boom", search_ok: false })]);
  });
});
