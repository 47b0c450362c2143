// 今日 / Today: open tickets by urgency with live 30-minute countdowns, then
// the households to visit in walking order, then the sweep campaigns' planned
// visits building by building (overdue ones highlighted). One timer ticks
// every countdown and deadline on the screen; it only rewrites text and a
// data attribute per row.

import { type ApiError, today as fetchToday } from "./api";
import type { PlannedVisitDto } from "./bindings/PlannedVisitDto";
import type { TicketTaskDto } from "./bindings/TicketTaskDto";
import type { TodayDto } from "./bindings/TodayDto";
import { formatCountdown, remainingMs, urgency } from "./countdown";
import { type Child, type Props, h } from "./dom";
import { formatDateTime } from "./format";
import { type MessageKey, t } from "./i18n";

export type TodayState =
  | { kind: "loading" }
  | { kind: "loaded"; work: TodayDto }
  | { kind: "failed"; error: ApiError };

export interface TodayScreen {
  element: HTMLElement;
  /** Settles once the first load has finished and is on screen (it never rejects). */
  ready: Promise<void>;
  state(): TodayState;
  reload(): Promise<void>;
  /** Updates every countdown to `nowMs` (the timer calls it each second). */
  tick(nowMs?: number): void;
  render(): void;
}

export interface TodayOptions {
  load?: () => Promise<TodayDto>;
  now?: () => number;
  openHousehold?: (id: string) => void;
  /** Opens a ticket's page; without it a ticket row opens its household. */
  openTicket?: (id: string) => void;
  /** Whether to start the one-second timer (tests drive `tick` themselves). */
  autoTick?: boolean;
}

export function createTodayScreen(options: TodayOptions = {}): TodayScreen {
  const load = options.load ?? fetchToday;
  const now = options.now ?? Date.now;
  const openHousehold = options.openHousehold ?? (() => undefined);
  const openTicket = options.openTicket;
  const body = h("div", { class: "today-body", attrs: { "aria-live": "polite" } });
  const element = h("section", { class: "screen today", attrs: { "data-screen": "today" } }, body);
  let current: TodayState = { kind: "loading" };
  let clocks: { dueAt: string; time: HTMLElement; row: HTMLElement; label: HTMLElement }[] = [];
  /** Planned visits not done yet: they turn overdue when their deadline passes. */
  let deadlines: { deadline: string; row: HTMLElement; state: HTMLElement }[] = [];
  /** The device's server-corrected time minus its clock, from the last load. */
  let skewMs = 0;

  function tick(nowMs = now()): void {
    for (const clock of clocks) {
      const left = remainingMs(clock.dueAt, nowMs + skewMs);
      const level = urgency(left);
      clock.row.dataset.urgency = level;
      clock.time.textContent = formatCountdown(left);
      clock.label.textContent = t(level === "breached" ? "today.overdue" : "today.left");
    }
    for (const d of deadlines) {
      const state = remainingMs(d.deadline, nowMs + skewMs) < 0 ? "overdue" : "open";
      d.row.dataset.state = state;
      d.state.dataset.state = state;
      d.state.textContent = t(`planned.${state}`);
    }
  }

  function render(): void {
    clocks = [];
    deadlines = [];
    switch (current.kind) {
      case "loading":
        body.replaceChildren(h("p", { class: "muted", text: t("common.loading") }));
        return;
      case "failed": {
        const retry = h("button", { class: "button", text: t("common.retry"), attrs: { type: "button" } });
        retry.addEventListener("click", () => void reload());
        body.replaceChildren(
          h(
            "div",
            { class: "error-box", attrs: { role: "alert" } },
            h("p", { class: "error-title", text: t("common.error") }),
            h("p", { class: "error-detail", text: current.error.message }),
            retry,
          ),
        );
        return;
      }
      case "loaded": {
        const work = current.work;
        const summary = h(
          "p",
          { class: "today-summary" },
          h("span", { text: t("today.summary", { tickets: work.tickets.length, households: work.households.length }) }),
          h("span", { class: "today-done", text: t("today.visitsDone", { count: work.visits_done }) }),
        );
        const tickets = work.tickets.length
          ? h("ul", { class: "ticket-list" }, ...work.tickets.map(ticketRow))
          : h("p", { class: "muted", text: t("today.noTickets") });
        const households = work.households.length
          ? h(
              "ol",
              { class: "walk-list" },
              ...work.households.map((task, index) =>
                walkItem(
                  { class: "walk-item", attrs: { "data-id": task.id, "data-reason": task.reason } },
                  index,
                  task.id,
                  [
                    h("span", { class: "walk-name", text: task.resident_name }),
                    h("span", { class: "reason", attrs: { "data-reason": task.reason }, text: t(`reason.${task.reason}` as MessageKey) }),
                  ],
                  [
                    h("span", { class: "walk-address", text: task.address }),
                    task.visited_today ? h("span", { class: "walk-visited", text: t("today.visitedToday") }) : null,
                  ],
                ),
              ),
            )
          : h("p", { class: "muted", text: t("today.noHouseholds") });
        body.replaceChildren(
          summary,
          h("h2", { class: "section-title", text: t("today.tickets") }),
          tickets,
          h("h2", { class: "section-title", text: t("today.households") }),
          households,
          h("h2", { class: "section-title", text: t("today.planned") }),
          plannedList(work.planned),
        );
        tick();
      }
    }
  }

  /** The planned visits in the order given (walking order), a heading per building. */
  function plannedList(planned: PlannedVisitDto[]): HTMLElement {
    if (!planned.length) return h("p", { class: "muted", attrs: { "data-testid": "planned-empty" }, text: t("today.noPlanned") });
    const groups: HTMLElement[] = [];
    let building: string | null = null;
    let list: HTMLElement | null = null;
    planned.forEach((task, index) => {
      if (task.building_id !== building || !list) {
        building = task.building_id;
        list = h("ol", { class: "walk-list planned-list", attrs: { start: String(index + 1) } });
        groups.push(
          h(
            "section",
            { class: "planned-group", attrs: { "data-building-id": task.building_id } },
            h("h3", { class: "planned-building", text: task.building }),
            list,
          ),
        );
      }
      list.append(plannedRow(task, index));
    });
    return h("div", { class: "planned", attrs: { "data-testid": "planned" } }, ...groups);
  }

  function plannedRow(task: PlannedVisitDto, index: number): HTMLLIElement {
    const state = h("span", {
      class: "planned-state",
      attrs: { "data-state": task.state },
      text: t(`planned.${task.state}` as MessageKey),
    });
    const item = walkItem(
      {
        class: "walk-item planned-item",
        attrs: { "data-id": task.id, "data-household-id": task.household_id, "data-state": task.state, "data-kind": task.kind },
      },
      index,
      task.household_id,
      [
        h("span", { class: "walk-name", text: task.resident_name }),
        h("span", { class: "reason", attrs: { "data-kind": task.kind }, text: task.kind_label }),
        state,
      ],
      [
        h("span", { class: "walk-address", text: task.address }),
        h("span", { class: "planned-campaign", text: task.title }),
        h("span", { class: "planned-deadline", text: t("today.plannedDeadline", { time: formatDateTime(task.deadline) }) }),
      ],
    );
    if (task.state !== "done") deadlines.push({ deadline: task.deadline, row: item, state });
    return item;
  }

  /**
   * One stop of a walking list: its number, a line (the resident and why),
   * then the details under it; a tap opens the household.
   */
  function walkItem(
    props: Props,
    index: number,
    householdId: string,
    line: Child[],
    details: Child[],
  ): HTMLLIElement {
    const item = h(
      "li",
      props,
      h("span", { class: "walk-no", text: String(index + 1) }),
      h("button", { class: "walk-main", attrs: { type: "button" } }, h("span", { class: "walk-line" }, ...line), ...details),
    );
    item.querySelector("button")!.addEventListener("click", () => openHousehold(householdId));
    return item;
  }

  function ticketRow(task: TicketTaskDto): HTMLLIElement {
    const time = h("span", { class: "countdown-time" });
    const label = h("span", { class: "countdown-label" });
    const row = h(
      "li",
      { class: "ticket", attrs: { "data-id": task.ticket.id, "data-testid": "ticket-row", "data-ticket-id": task.ticket.id } },
      h("span", { class: "countdown", attrs: { role: "timer", "data-testid": "countdown" } }, time, label),
      h(
        "button",
        { class: "ticket-main", attrs: { type: "button" } },
        h(
          "span",
          { class: "ticket-line" },
          h("span", { class: "ticket-category", text: t(`category.${task.ticket.category}` as MessageKey) }),
          h("span", { class: "ticket-status", text: t(`ticket.${task.ticket.status}` as MessageKey) }),
        ),
        h("span", { class: "ticket-address", text: `${task.resident_name} · ${task.address}` }),
        h("span", { class: "ticket-desc", text: task.ticket.description }),
      ),
    );
    row
      .querySelector("button")!
      .addEventListener("click", () => (openTicket ? openTicket(task.ticket.id) : openHousehold(task.ticket.household_id)));
    clocks.push({ dueAt: task.ticket.due_at, time, row, label });
    return row;
  }

  async function reload(): Promise<void> {
    current = { kind: "loading" };
    render();
    try {
      const work = await load();
      const corrected = Date.parse(work.now);
      skewMs = Number.isFinite(corrected) ? corrected - now() : 0;
      current = { kind: "loaded", work };
    } catch (error) {
      current = { kind: "failed", error: error as ApiError };
    }
    render();
  }

  if (options.autoTick ?? true) setInterval(() => tick(), 1000);
  const ready = reload();
  return { element, ready, state: () => current, reload, tick, render };
}
