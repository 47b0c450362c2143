// 回访 / callbacks: the hotline's callback list for the team and the
// contradictions it found (the steward recorded the valve shut and sealed,
// the resident says the heating works), read live from the central
// (`GET /api/v1/callbacks`, `GET /api/v1/callbacks/contradictions`).

import { h } from "./dom";
import { hasMessage, t } from "./i18n";
import { type LeadApiError, leadDocument, toLeadError } from "./lead-api";
import { leadErrorBox } from "./lead-error";

/** One callback as the central lists it (`CallbackDto` in its OpenAPI). */
export interface CallbackRow {
  id: string;
  kind: string;
  reason: string;
  address: string;
  resident_name: string;
  steward_name: string;
  work_day: string;
  /** What the steward recorded about the valve: `{ state, seal_no? }`. */
  recorded_valve?: { state: string; seal_no?: string | null } | null;
  outcome?: { outcome: "not_reached" } | { outcome: "reached"; satisfaction: number; heating_works?: boolean | null; complaint?: string | null } | null;
  contradiction?: { code?: string; recorded?: { state: string; seal_no?: string | null } } | null;
}

/** Why the call is made: every handled suspension, or the 30% sample. */
export function reasonWord(reason: string): string {
  const key = `cb.reason.${reason}`;
  return hasMessage(key) ? t(key) : reason;
}

/** The contradiction in words: what was recorded against what the resident said. */
export function contradictionText(row: CallbackRow): string | null {
  const c = row.contradiction;
  if (!c) return null;
  const valve = c.recorded ?? row.recorded_valve;
  const recorded = valve?.state === "sealed" && valve.seal_no ? t("cb.recordedSealed", { seal: valve.seal_no }) : t("cb.recordedClosed");
  return t("cb.shutButHeated", { recorded });
}

export interface CallbackData {
  callbacks: CallbackRow[];
  contradictions: CallbackRow[];
}

export type CallbackState =
  | { kind: "loading" }
  | { kind: "loaded"; data: CallbackData }
  | { kind: "failed"; error: LeadApiError };

/** The outcome chip: pending, not reached, or reached with the satisfaction score. */
export function outcomeText(row: CallbackRow): { text: string; tone: string } {
  const o = row.outcome;
  if (!o) return { text: t("cb.pending"), tone: "none" };
  if (o.outcome === "not_reached") return { text: t("cb.notReached"), tone: "warn" };
  return { text: `${t("cb.reached")} · ${t("cb.satisfaction", { score: o.satisfaction })}`, tone: o.satisfaction >= 4 ? "good" : o.satisfaction <= 2 ? "bad" : "warn" };
}

export interface CallbacksScreen {
  element: HTMLElement;
  state(): CallbackState;
  show(): Promise<void>;
  render(): void;
}

export function createCallbacksScreen(options: { load?: () => Promise<CallbackData> } = {}): CallbacksScreen {
  const load =
    options.load ??
    (async () => {
      const [callbacks, contradictions] = await Promise.all([
        leadDocument<CallbackRow[]>("/api/v1/callbacks?limit=200"),
        leadDocument<CallbackRow[]>("/api/v1/callbacks/contradictions?limit=200"),
      ]);
      return { callbacks, contradictions };
    });
  const body = h("div", { class: "cb-body", attrs: { "aria-live": "polite" } });
  const element = h("section", { class: "screen lead-screen callbacks", attrs: { "data-screen": "callbacks", "data-testid": "callbacks" } }, body);
  let current: CallbackState = { kind: "loading" };

  function row(r: CallbackRow, contradiction: boolean): HTMLElement {
    const outcome = outcomeText(r);
    return h(
      "li",
      { class: `cb-item${contradiction ? " cb-contradiction" : ""}`, attrs: { "data-id": r.id } },
      h("span", { class: "cb-line" }, h("span", { class: "cb-name", text: r.resident_name }), h("span", { class: `chip chip-${outcome.tone}`, text: outcome.text })),
      h("span", { class: "cb-address", text: r.address }),
      h("span", { class: "muted", text: `${r.steward_name} · ${r.work_day} · ${reasonWord(r.reason)}` }),
      contradiction ? h("span", { class: "cb-why", text: contradictionText(r) ?? "" }) : null,
      r.outcome && r.outcome.outcome === "reached" && r.outcome.complaint ? h("span", { class: "cb-complaint", text: `“${r.outcome.complaint}”` }) : null,
    );
  }

  function render(): void {
    const title = h("h2", { class: "section-title", text: t("cb.title") });
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
        const { callbacks, contradictions } = current.data;
        body.replaceChildren(
          title,
          h("h3", { class: "sub-title", text: t("cb.contradictions", { count: contradictions.length }) }),
          contradictions.length
            ? h("ul", { class: "plain-list cb-list" }, ...contradictions.map((r) => row(r, true)))
            : h("p", { class: "muted", text: t("cb.noContradictions") }),
          h("h3", { class: "sub-title", text: t("cb.list", { count: callbacks.length }) }),
          callbacks.length ? h("ul", { class: "plain-list cb-list" }, ...callbacks.map((r) => row(r, false))) : h("p", { class: "muted", text: t("cb.none") }),
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
