// Smoke mode (HEAT_STEWARD_SMOKE=1): the Rust side injects
// `window.__HEAT_STEWARD_SMOKE__ = true` before the page loads. Once the first
// screen has rendered, the UI reports what it shows through the `smoke_ready`
// command, and the Rust side prints `SMOKE-READY {json}` and exits. The test
// `tests/app_smoke.rs` drives this with the real binary in a real window.

import { type SmokeReport, smokeReady } from "./api";
import type { AppShell } from "./app";
import { getLocale } from "./i18n";

declare global {
  interface Window {
    __HEAT_STEWARD_SMOKE__?: boolean;
  }
}

export function isSmokeMode(win: Window = window): boolean {
  return win.__HEAT_STEWARD_SMOKE__ === true;
}

/** Reads the report off the rendered DOM, so it proves what a person would see. */
export function collectSmokeReport(doc: Document, app: AppShell): SmokeReport {
  const state = app.households.state();
  return {
    title: doc.getElementById("app-title")?.textContent ?? "",
    locale: getLocale(),
    online: app.online.isOnline(),
    households_rendered: doc.querySelectorAll(".hh-item").length,
    search_ok: state.kind === "loaded",
    search_error: state.kind === "failed" ? state.error.message : null,
    ui_error: null,
  };
}

/** The report of a UI that failed to start: the smoke test fails at once, with the reason. */
export function failedSmokeReport(error: unknown): SmokeReport {
  return {
    title: "",
    locale: getLocale(),
    online: navigator.onLine,
    households_rendered: 0,
    search_ok: false,
    search_error: null,
    ui_error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}

/** Resolves after the browser has painted the current DOM. */
export function nextPaint(win: Window = window): Promise<void> {
  return new Promise((resolve) => win.requestAnimationFrame(() => win.requestAnimationFrame(() => resolve())));
}

/** Waits for the first screen, then sends the report (or the start-up failure) to Rust. */
export async function reportSmoke(start: () => AppShell): Promise<void> {
  let report: SmokeReport;
  try {
    const app = start();
    await app.ready;
    await nextPaint();
    report = collectSmokeReport(document, app);
  } catch (error) {
    report = failedSmokeReport(error);
  }
  await smokeReady(report);
}
