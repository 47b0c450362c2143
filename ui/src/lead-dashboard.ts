// 时效考核 / the SLA dashboard: the team's on-time rate as a ring, response
// times (median and 90th percentile per day) and the number of tickets per
// SLA outcome as columns, and each steward's on-time rate as bars — from the
// central's SLA report (`GET /api/v1/reports/sla?by=…`), read live.

import { barChart, type Bar, type Column, columnChart, histogramBins, percent, rateRing, rateTone } from "./chart";
import { h } from "./dom";
import { t } from "./i18n";
import { type LeadApiError, leadDocument, responseTimes, toLeadError } from "./lead-api";
import { leadErrorBox } from "./lead-error";

/** One group of the central's SLA report (`SlaRow` in its OpenAPI). */
export interface SlaRow {
  key: string;
  name: string;
  tickets: number;
  met: number;
  met_unverified: number;
  breached: number;
  on_track: number;
  at_risk: number;
  not_applicable: number;
  on_time_rate: number | null;
  responses: number;
  median_response_s: number | null;
  p90_response_s: number | null;
}

export interface SlaReport {
  by: string;
  from: string | null;
  to: string | null;
  as_of: string;
  rows: SlaRow[];
  total: SlaRow;
}

export interface DashboardData {
  bySteward: SlaReport;
  byDay: SlaReport;
  /** Minutes from report to first arrival, per ticket on the device. */
  responseMinutes: number[];
}

/** How many days the dashboard looks back. */
export const DASHBOARD_DAYS = 30;

/** The response-time histogram: 5-minute bins up to an hour, then one bin for the rest. */
export function responseHistogram(minutes: number[]): Column[] {
  return histogramBins(minutes, 5, 60).map((b) => ({
    label: Number.isFinite(b.to) ? `${b.from}` : `${b.from}+`,
    value: b.count,
    tone: b.from < 20 ? "good" : b.from < 30 ? "warn" : "bad",
  }));
}

export type DashboardState =
  | { kind: "loading" }
  | { kind: "loaded"; data: DashboardData }
  | { kind: "failed"; error: LeadApiError };

/** The first day of the last `days` days (service-area dates, UTC+8), `YYYY-MM-DD`. */
export function daysBack(nowMs: number, days: number): string {
  return new Date(nowMs + 8 * 3600 * 1000 - (days - 1) * 86_400_000).toISOString().slice(0, 10);
}

/** Stewards' bars: on-time rate, worst first; stewards with nothing to rate last. */
export function stewardBars(report: SlaReport): Bar[] {
  return report.rows
    .filter((r) => r.key !== "")
    .map((r) => ({ label: r.name || r.key.slice(0, 8), value: r.on_time_rate ?? 0, text: percent(r.on_time_rate), tone: rateTone(r.on_time_rate), rated: r.on_time_rate !== null }))
    .sort((a, b) => Number(b.rated) - Number(a.rated) || a.value - b.value || a.label.localeCompare(b.label))
    .map(({ rated: _rated, ...bar }) => bar);
}

/** Per-day columns of a response-time figure in whole minutes (`MM-DD` labels). */
export function responseColumns(report: SlaReport, field: "median_response_s" | "p90_response_s"): Column[] {
  return [...report.rows]
    .filter((r) => r.key !== "" && r.key !== "total")
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((r) => {
      const seconds = r[field];
      const minutes = seconds === null ? 0 : Math.round(seconds / 60);
      return { label: r.key.slice(5), value: minutes, tone: seconds === null ? "none" : minutes <= 30 ? "good" : "bad" };
    });
}

/** How the team's tickets stand: met, met unverified, breached, at risk, on track. */
export function outcomeColumns(total: SlaRow): Column[] {
  return [
    { label: t("sla.met"), value: total.met, tone: "good" },
    { label: t("sla.met_unverified"), value: total.met_unverified, tone: "warn" },
    { label: t("sla.breached"), value: total.breached, tone: "bad" },
    { label: t("sla.at_risk"), value: total.at_risk, tone: "warn" },
    { label: t("sla.on_track"), value: total.on_track, tone: "none" },
  ];
}

export interface Dashboard {
  element: HTMLElement;
  state(): DashboardState;
  show(): Promise<void>;
  render(): void;
}

export function createDashboard(options: { load?: () => Promise<DashboardData>; now?: () => number } = {}): Dashboard {
  const now = options.now ?? Date.now;
  const load =
    options.load ??
    (async () => {
      const from = daysBack(now(), DASHBOARD_DAYS);
      const [bySteward, byDay, responses] = await Promise.all([
        leadDocument<SlaReport>(`/api/v1/reports/sla?by=steward&from=${from}`),
        leadDocument<SlaReport>(`/api/v1/reports/sla?by=day&from=${from}`),
        responseTimes(DASHBOARD_DAYS),
      ]);
      return { bySteward, byDay, responseMinutes: responses.minutes };
    });
  const body = h("div", { class: "dash-body", attrs: { "aria-live": "polite" } });
  const element = h("section", { class: "screen lead-screen dashboard", attrs: { "data-screen": "dashboard", "data-testid": "sla-dashboard" } }, body);
  let current: DashboardState = { kind: "loading" };

  function render(): void {
    const title = h("h2", { class: "section-title", text: t("dash.title") });
    element.dataset.state = current.kind;
    switch (current.kind) {
      case "loading":
        body.replaceChildren(title, h("p", { class: "muted", text: t("common.loading") }));
        return;
      case "failed": {
        body.replaceChildren(title, leadErrorBox(current.error, () => void show()));
        return;
      }
      case "loaded": {
        const { bySteward, byDay, responseMinutes } = current.data;
        const total = bySteward.total;
        const minutes = (s: number | null) => (s === null ? "—" : String(Math.round(s / 60)));
        const bars = stewardBars(bySteward);
        const median = responseColumns(byDay, "median_response_s");
        body.replaceChildren(
          title,
          h(
            "div",
            { class: "dash-summary" },
            rateRing(total.on_time_rate, t("dash.onTime")),
            h(
              "ul",
              { class: "dash-figures" },
              h("li", { class: "dash-rate", text: `${t("dash.onTime")} ${percent(total.on_time_rate)}` }),
              h("li", { text: t("dash.median", { minutes: minutes(total.median_response_s) }) }),
              h("li", { text: t("dash.p90", { minutes: minutes(total.p90_response_s) }) }),
              h("li", { class: "dash-breaches", text: t("dash.breaches", { count: total.breached }) }),
              h("li", { class: "muted", text: t("dash.total", { count: total.tickets }) }),
            ),
          ),
          h("h3", { class: "sub-title", text: t("dash.distribution", { count: responseMinutes.length }) }),
          responseMinutes.length
            ? columnChart(responseHistogram(responseMinutes), t("dash.distribution", { count: responseMinutes.length }))
            : h("p", { class: "muted", text: t("dash.noData") }),
          h("h3", { class: "sub-title", text: t("dash.histogram") }),
          median.length ? columnChart(median, t("dash.histogram")) : h("p", { class: "muted", text: t("dash.noData") }),
          columnChart(outcomeColumns(total), t("dash.total", { count: total.tickets })),
          h("h3", { class: "sub-title", text: t("dash.perSteward") }),
          bars.length ? barChart(bars, t("dash.perSteward"), 1) : h("p", { class: "muted", text: t("dash.noData") }),
        );
      }
    }
  }

  async function show(): Promise<void> {
    if (current.kind !== "loaded") {
      current = { kind: "loading" };
      render();
    }
    try {
      current = { kind: "loaded", data: await load() };
    } catch (error) {
      current = { kind: "failed", error: toLeadError(error) };
    }
    render();
  }

  render();
  return { element, state: () => current, show, render };
}
