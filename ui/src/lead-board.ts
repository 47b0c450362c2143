// 派单看板 / the team lead's dispatch board: open tickets soonest due first
// with live countdowns (at-risk amber, breached red), a ticket's candidates
// with their estimated arrival, assign / reassign, devices that stopped
// syncing with their queue depth, station incidents and alerts. It is read
// from the central live; with no network it says so and offers a retry.

import type { CandidateDto } from "./bindings/CandidateDto";
import type { CandidatesDto } from "./bindings/CandidatesDto";
import type { DispatchBoardDto } from "./bindings/DispatchBoardDto";
import type { LeadTicketDto } from "./bindings/LeadTicketDto";
import { formatCountdown, remainingMs } from "./countdown";
import { h } from "./dom";
import { hasMessage, type MessageKey, t } from "./i18n";
import { type LeadApiError, leadAssign, leadBoard, leadCandidates, toLeadError } from "./lead-api";
import { leadErrorBox } from "./lead-error";
import { ticketTone } from "./map";

export type BoardState =
  | { kind: "loading" }
  | { kind: "loaded"; board: DispatchBoardDto }
  | { kind: "failed"; error: LeadApiError };

export interface BoardOptions {
  load?: () => Promise<DispatchBoardDto>;
  candidates?: (ticketId: string) => Promise<CandidatesDto>;
  assign?: (ticketId: string, stewardId: string, reason: string | null) => Promise<LeadTicketDto>;
  now?: () => number;
  autoTick?: boolean;
}

export interface DispatchBoard {
  element: HTMLElement;
  state(): BoardState;
  reload(): Promise<void>;
  /** Opens a ticket's candidates; settles once they are on screen. */
  openCandidates(ticketId: string): Promise<void>;
  tick(nowMs?: number): void;
  render(): void;
}

/** Most urgent first: breached, at risk, not accepted in time (escalated), the rest by due time, arrived last. */
export function boardOrder(tickets: LeadTicketDto[], nowMs: number): LeadTicketDto[] {
  const rank = (x: LeadTicketDto): number => {
    const tone = ticketTone(x.status, x.due_at, nowMs, x.sla_status);
    if (tone === "breached") return 0;
    if (tone === "at_risk") return 1;
    if (tone === "met") return 4;
    return x.unaccepted ? 2 : 3;
  };
  return [...tickets].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    return ra - rb || a.due_at.localeCompare(b.due_at) || a.id.localeCompare(b.id);
  });
}

/** The candidate line: `约 12 分钟 · 2.4 公里`. */
export function etaText(c: Pick<CandidateDto, "eta_minutes" | "distance_km">): string {
  return t("board.eta", { minutes: Math.max(0, Math.round(c.eta_minutes)), km: c.distance_km.toFixed(1) });
}

/** An unverified arrival's reason, in words when known. */
export function reasonText(code: string): string {
  const key = `review.${code}`;
  return hasMessage(key) ? t(key) : code;
}

/** `MM-DD HH:MM` in the service area's time (UTC+8), for last-seen times. */
export function shanghaiTime(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const d = new Date(ms + 8 * 3600 * 1000);
  return `${String(d.getUTCMonth() + 1).padStart(2, "0")}-${String(d.getUTCDate()).padStart(2, "0")} ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

export function createDispatchBoard(options: BoardOptions = {}): DispatchBoard {
  const load = options.load ?? leadBoard;
  const fetchCandidates = options.candidates ?? leadCandidates;
  const assign = options.assign ?? leadAssign;
  const now = options.now ?? Date.now;
  const body = h("div", { class: "board-body", attrs: { "aria-live": "polite" } });
  const element = h(
    "section",
    { class: "screen lead-screen dispatch-board", attrs: { "data-screen": "board", "data-testid": "dispatch-board" } },
    body,
  );
  let current: BoardState = { kind: "loading" };
  let openTicket: string | null = null;
  let picked: { ticketId: string; result: CandidatesDto | LeadApiError } | null = null;
  let notice: string | null = null;
  // The reassignment reason being typed: kept across re-renders (the board reads the central again every 30 s).
  let reasonDraft = "";
  let loads = 0;
  let clocks: { ticket: LeadTicketDto; row: HTMLElement; time: HTMLElement; tone: HTMLElement }[] = [];

  function tick(nowMs = now()): void {
    let toneChanged = false;
    for (const c of clocks) {
      const tone = ticketTone(c.ticket.status, c.ticket.due_at, nowMs, c.ticket.sla_status);
      toneChanged ||= c.row.dataset.urgency !== undefined && c.row.dataset.urgency !== tone;
      c.row.dataset.urgency = tone;
      // Once the steward is at the door the clock has stopped: no countdown.
      c.time.textContent = tone === "met" ? t("board.met") : formatCountdown(remainingMs(c.ticket.due_at, nowMs));
      c.tone.textContent = t(tone === "ok" ? "sla.on_track" : (`sla.${tone}` as MessageKey));
    }
    if (toneChanged) reorder(nowMs);
  }

  /**
   * Moves the rows into the board's order when a clock has changed a
   * ticket's urgency, so a ticket that has just turned at risk or breached
   * rises at once rather than at the next read of the central. Only rows out
   * of place move, and they are moved, not rebuilt: an open candidates panel
   * and a typed reason stay, and the field being typed in keeps the keyboard.
   */
  function reorder(nowMs: number): void {
    const list = body.querySelector(".board-list");
    if (!list) return;
    const rows = new Map(clocks.map((c) => [c.ticket.id, c.row]));
    const wanted = boardOrder(
      clocks.map((c) => c.ticket),
      nowMs,
    ).flatMap((ticket) => rows.get(ticket.id) ?? []);
    const active = document.activeElement;
    const typing = active instanceof HTMLInputElement && list.contains(active) ? active : null;
    const caret: [number | null, number | null] | null = typing ? [typing.selectionStart, typing.selectionEnd] : null;
    wanted.forEach((row, i) => {
      const here = list.children[i];
      if (here !== row) list.insertBefore(row, here ?? null);
    });
    if (typing && document.activeElement !== typing) {
      typing.focus();
      if (caret) typing.setSelectionRange(caret[0], caret[1]);
    }
  }

  function failure(error: LeadApiError): HTMLElement {
    return leadErrorBox(error, () => void reload());
  }

  function render(): void {
    clocks = [];
    // What the screen shows, for tests and styles: loading, loaded or failed.
    element.dataset.state = current.kind;
    switch (current.kind) {
      case "loading":
        body.replaceChildren(h("h2", { class: "section-title", text: t("board.title") }), h("p", { class: "muted", text: t("common.loading") }));
        return;
      case "failed":
        body.replaceChildren(h("h2", { class: "section-title", text: t("board.title") }), failure(current.error));
        return;
      case "loaded": {
        const board = current.board;
        const tickets = boardOrder(board.tickets, now());
        const parts: (HTMLElement | null)[] = [
          h("h2", { class: "section-title", text: t("board.title") }),
          notice ? h("p", { class: "board-notice", attrs: { role: "status", "data-testid": "board-notice" }, text: notice }) : null,
          board.unavailable.length
            ? h("p", { class: "muted board-unavailable", text: t("lead.unavailable", { parts: board.unavailable.join(", ") }) })
            : null,
          alertsSection(board),
          board.incidents.length ? incidentsSection(board) : null,
          h("h3", { class: "sub-title", text: t("board.tickets", { count: tickets.length }) }),
          tickets.length
            ? h("ul", { class: "board-list" }, ...tickets.map(ticketRow))
            : h("p", { class: "muted", text: t("board.noTickets") }),
          board.incidents.length ? null : h("p", { class: "muted board-none", text: t("board.noIncidents") }),
          staleSection(board),
        ];
        body.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
        tick();
      }
    }
  }

  function alertsSection(board: DispatchBoardDto): HTMLElement | null {
    const a = board.alerts;
    const chips = [
      a.unaccepted ? h("span", { class: "chip chip-bad", attrs: { "data-kind": "unaccepted" }, text: t("board.unacceptedCount", { count: a.unaccepted, minutes: a.escalation_minutes }) }) : null,
      a.at_risk ? h("span", { class: "chip chip-warn", attrs: { "data-kind": "at_risk" }, text: t("board.atRiskCount", { count: a.at_risk }) }) : null,
      a.breached ? h("span", { class: "chip chip-bad", attrs: { "data-kind": "breached" }, text: t("board.breachedCount", { count: a.breached }) }) : null,
    ];
    if (!chips.some(Boolean) && !a.arrival_review.length) return null;
    return h(
      "div",
      { class: "board-alerts", attrs: { role: "status" } },
      h("h3", { class: "sub-title", text: t("board.alerts") }),
      h("p", { class: "chips" }, ...chips),
      a.arrival_review.length
        ? h(
            "ul",
            { class: "plain-list" },
            ...a.arrival_review.map((r) =>
              h("li", {
                class: "board-review",
                attrs: { "data-ticket": r.ticket_id },
                text: t("board.review", { name: r.steward_name ?? r.steward_id.slice(0, 8), time: shanghaiTime(r.at), reason: reasonText(r.reason) }),
              }),
            ),
          )
        : null,
    );
  }

  function incidentsSection(board: DispatchBoardDto): HTMLElement {
    return h(
      "div",
      { class: "board-incidents" },
      h("h3", { class: "sub-title", text: t("board.incidents") }),
      h(
        "ul",
        { class: "plain-list" },
        ...board.incidents.map((i) =>
          h("li", {
            class: "board-incident",
            attrs: { "data-station": i.station_id },
            text: t("board.incident", { station: i.station_name || i.station_id, count: i.ticket_ids.length, time: shanghaiTime(i.first_at) }),
          }),
        ),
      ),
    );
  }

  function staleSection(board: DispatchBoardDto): HTMLElement {
    return h(
      "div",
      { class: "board-stale" },
      h("h3", { class: "sub-title", text: t("board.staleDevices") }),
      board.stale_devices.length
        ? h(
            "ul",
            { class: "plain-list" },
            ...board.stale_devices.map((d) =>
              h(
                "li",
                { class: "stale-device", attrs: { "data-id": d.steward_id, "data-stale": String(d.stale) } },
                h("span", { class: "stale-name", text: d.name || d.steward_id }),
                h("span", { class: "stale-queue", text: t("board.queued", { count: d.queued }) }),
                h("span", { class: "muted", text: d.last_sync_at ? t("board.lastSeen", { time: shanghaiTime(d.last_sync_at) }) : t("board.never") }),
              ),
            ),
          )
        : h("p", { class: "muted", text: t("board.noStale") }),
    );
  }

  function ticketRow(ticket: LeadTicketDto): HTMLElement {
    const time = h("span", { class: "countdown-time" });
    const tone = h("span", { class: "countdown-label" });
    const main = h(
      "button",
      { class: "ticket-main", attrs: { type: "button", "aria-expanded": String(openTicket === ticket.id), "data-testid": "board-ticket-open" } },
      h(
        "span",
        { class: "ticket-line" },
        h("span", { class: "ticket-category", text: t(`category.${ticket.category}` as MessageKey) }),
        h("span", { class: "ticket-status", text: t(`ticket.${ticket.status}` as MessageKey) }),
      ),
      h("span", { class: "ticket-address", text: ticket.address || ticket.household_id }),
      ticket.unaccepted
        ? h("span", { class: "chip chip-bad ticket-unaccepted", text: t("board.unaccepted", { minutes: ticket.waiting_minutes ?? 0 }) })
        : null,
      h("span", {
        class: "ticket-assignee",
        text: ticket.assignee ? t("board.assignee", { name: ticket.assignee_name ?? ticket.assignee }) : t("board.unassigned"),
      }),
    );
    main.addEventListener("click", () => void (openTicket === ticket.id ? closeCandidates() : openCandidates(ticket.id)));
    const row = h(
      "li",
      {
        class: "ticket board-ticket",
        attrs: { "data-testid": "board-ticket", "data-id": ticket.id, "data-status": ticket.status, "data-assignee": ticket.assignee ?? "" },
      },
      h("span", { class: "countdown", attrs: { role: "timer", "data-testid": "board-countdown" } }, time, tone),
      main,
      openTicket === ticket.id ? candidatesPanel(ticket) : null,
    );
    clocks.push({ ticket, row, time, tone });
    return row;
  }

  function candidatesPanel(ticket: LeadTicketDto): HTMLElement {
    const panel = h("div", { class: "candidates", attrs: { "data-testid": "candidates", "data-state": "loading" } }, h("h4", { class: "sub-title", text: t("board.candidates") }));
    if (!picked || picked.ticketId !== ticket.id) {
      panel.append(h("p", { class: "muted", text: t("common.loading") }));
      return panel;
    }
    const result = picked.result;
    if ("code" in result) {
      panel.dataset.state = "failed";
      panel.append(failure(result));
      return panel;
    }
    panel.dataset.state = "loaded";
    if (!result.candidates.length) {
      panel.append(h("p", { class: "muted", text: t("board.noCandidates") }));
      return panel;
    }
    const verb = ticket.status === "new" ? "board.assign" : "board.reassign";
    // A reassignment says why (the central records it; 改派 when left empty).
    const reason =
      ticket.status === "new"
        ? null
        : h("input", {
            class: "reassign-reason",
            attrs: { type: "text", maxlength: "200", placeholder: t("board.reason"), "aria-label": t("board.reason"), "data-testid": "reassign-reason" },
          });
    if (reason) {
      reason.value = reasonDraft;
      reason.addEventListener("input", () => {
        reasonDraft = reason.value;
      });
      panel.append(reason);
    }
    panel.append(
      h(
        "ol",
        { class: "candidate-list" },
        ...result.candidates.map((c) => {
          const button = h("button", { class: "button candidate-assign", text: t(verb), attrs: { type: "button", "data-testid": "candidate-assign" } });
          const isAssignee = c.steward_id === ticket.assignee;
          button.disabled = isAssignee;
          button.addEventListener("click", () => void doAssign(ticket, c, reason?.value.trim() || null));
          return h(
            "li",
            { class: "candidate", attrs: { "data-testid": "candidate", "data-id": c.steward_id, "data-meets": String(c.meets_deadline), "data-stale": String(c.stale) } },
            h(
              "div",
              { class: "candidate-main" },
              h("span", { class: "candidate-name", text: c.name || c.steward_id }),
              h("span", { class: "candidate-eta", attrs: { "data-testid": "candidate-eta" }, text: etaText(c) }),
              h(
                "span",
                { class: "candidate-flags" },
                h("span", { class: "chip", text: t("board.load", { count: c.open_tickets }) }),
                c.meets_deadline ? null : h("span", { class: "chip chip-bad", text: t("board.late") }),
                c.stale ? h("span", { class: "chip chip-warn", text: t("board.stale") }) : null,
                c.queued > 0 ? h("span", { class: "chip chip-warn", text: t("board.queued", { count: c.queued }) }) : null,
              ),
            ),
            button,
          );
        }),
      ),
    );
    return panel;
  }

  async function doAssign(ticket: LeadTicketDto, c: CandidateDto, reason: string | null): Promise<void> {
    try {
      await assign(ticket.id, c.steward_id, reason);
      notice = t("board.assigned", { name: c.name || c.steward_id });
      openTicket = null;
      picked = null;
      reasonDraft = "";
      await reload();
    } catch (error) {
      picked = { ticketId: ticket.id, result: toLeadError(error) };
      render();
    }
  }

  function closeCandidates(): void {
    openTicket = null;
    picked = null;
    reasonDraft = "";
    render();
  }

  async function openCandidates(ticketId: string): Promise<void> {
    openTicket = ticketId;
    picked = null;
    reasonDraft = "";
    render();
    let result: CandidatesDto | LeadApiError;
    try {
      result = await fetchCandidates(ticketId);
    } catch (error) {
      result = toLeadError(error);
    }
    if (openTicket !== ticketId) return;
    picked = { ticketId, result };
    render();
  }

  async function reload(): Promise<void> {
    // Reads may overlap (the 30 s refresh, a tap on 派单, the read after an
    // assignment): only the latest one started is shown, so an older answer
    // arriving late cannot put back the board as it was before.
    const seq = ++loads;
    if (current.kind !== "loaded") {
      current = { kind: "loading" };
      render();
    }
    let next: BoardState;
    try {
      next = { kind: "loaded", board: await load() };
    } catch (error) {
      next = { kind: "failed", error: toLeadError(error) };
    }
    if (seq !== loads) return;
    current = next;
    render();
  }

  if (options.autoTick ?? true) setInterval(() => tick(), 1000);
  render();
  return { element, state: () => current, reload, openCandidates, tick, render };
}
