// 工单详情 / Ticket: category, address, the resident's phone (tap to call),
// when it was reported, the live 30-minute countdown and the response status
// (computed on the device, so it runs offline), the timeline, and the
// steward's actions by state: accept, en route, check in, resolve. A check-in
// uses the device's location fix when it has one (a phone); a desktop has
// none. Scanning the door tag's QR with the camera (doortag.ts) proves the
// arrival on any device; a tag typed by hand or a location entered by hand
// counts as unverified and goes to the team lead's review. Actions are saved on the device and wait
// to sync (待同步).

import { type ApiError, locationFix as fetchLocationFix, ticketAction, ticketDetail } from "./api";
import type { ArrivalInput } from "./bindings/ArrivalInput";
import type { ArrivalVerdictDto } from "./bindings/ArrivalVerdictDto";
import type { LocationFixDto } from "./bindings/LocationFixDto";
import type { TicketActionInput } from "./bindings/TicketActionInput";
import type { TicketActionResultDto } from "./bindings/TicketActionResultDto";
import type { TicketDetailDto } from "./bindings/TicketDetailDto";
import { formatCountdown, remainingMs } from "./countdown";
import { h } from "./dom";
import { createScanButton, type RgbaImage, type ScanButton } from "./doortag";
import { formatDateTime } from "./format";
import { hasMessage, type MessageKey, t } from "./i18n";

/** The response statuses the clock still moves: recomputed every second on screen. */
const RUNNING = new Set(["on_track", "at_risk", "breached"]);

/** The SLA status at `nowMs`, from what the device computed: a running clock moves on, a stopped one stays. */
export function liveSlaStatus(detail: TicketDetailDto, nowMs: number): string {
  const status = detail.sla.status;
  if (!RUNNING.has(status)) return status;
  const left = remainingMs(detail.sla.due_at, nowMs);
  if (left < 0) return "breached";
  if (left <= detail.sla.at_risk_minutes * 60 * 1000) return "at_risk";
  return "on_track";
}

/** A verdict in words: `已核验（定位）`, `未核验：距楼 420 米，超出 150 米范围`. */
export function describeVerdict(v: ArrivalVerdictDto): string {
  if (v.verified) return t("checkin.verified", { method: t(`checkin.method.${v.method ?? "gps"}` as MessageKey) });
  // A typed tag that is not the household's says so.
  const mismatch = v.reason === "tag_typed" && v.note === "mismatch" ? "_mismatch" : "";
  const key = `checkin.reason.${v.reason ?? "unknown"}${mismatch}`;
  const reason = hasMessage(key)
    ? t(key, {
        distance: Math.round(v.distance_m ?? 0),
        fence: Math.round(v.fence_m ?? 0),
        accuracy: Math.round(v.accuracy_m ?? 0),
        note: v.note ?? "",
      })
    : (v.reason ?? "");
  return t("checkin.unverified", { reason });
}

export interface TicketView {
  element: HTMLElement;
  ready: Promise<void>;
  detail(): TicketDetailDto | null;
  /** Sends one action; resolves when the result (or the refusal) is on screen. */
  act(action: TicketActionInput): Promise<void>;
  /** Updates the countdown and status to `nowMs` (device clock; the server offset is applied). */
  tick(nowMs?: number): void;
  /** Re-reads the ticket (e.g. after a pull brought a change). */
  reload(): Promise<void>;
  render(): void;
  /** Stops the one-second timer. */
  close(): void;
}

export interface TicketViewOptions {
  back: () => void;
  /** A saved action: the header's pending count changes. */
  acted?: (result: TicketActionResultDto) => void;
  load?: (id: string) => Promise<TicketDetailDto>;
  send?: (id: string, action: TicketActionInput) => Promise<TicketActionResultDto>;
  fix?: () => Promise<LocationFixDto | null>;
  now?: () => number;
  autoTick?: boolean;
  /** Turns a scanned picture into pixels (the webview's decoder by default). */
  loadImage?: (file: Blob) => Promise<RgbaImage>;
  /** Offer the live camera preview (default: where `getUserMedia` exists). */
  liveScan?: boolean;
}

const ACTION_TESTIDS: Record<string, string> = {
  accept: "ticket-accept",
  en_route: "ticket-enroute",
  arrive: "ticket-checkin",
  resolve: "ticket-resolve",
};

export function createTicketView(id: string, options: TicketViewOptions): TicketView {
  const load = options.load ?? ticketDetail;
  const send = options.send ?? ticketAction;
  const getFix = options.fix ?? fetchLocationFix;
  const now = options.now ?? Date.now;
  const body = h("div", { class: "ticket-detail-body" });
  const element = h(
    "section",
    { class: "screen ticket-detail", attrs: { "data-screen": "ticket", "data-testid": "ticket-detail", "data-ticket-id": id } },
    body,
  );
  let state: { kind: "loading" } | { kind: "loaded"; detail: TicketDetailDto } | { kind: "failed"; error: ApiError } = {
    kind: "loading",
  };
  /** Server-corrected time minus the device clock, from the last load. */
  let skewMs = 0;
  let verdict: ArrivalVerdictDto | null = null;
  let problem: ApiError | null = null;
  let checkinOpen = false;
  let fix: LocationFixDto | null = null;
  let busy = false;
  let scanner: ScanButton | null = null;
  let clock: { time: HTMLElement; label: HTMLElement; sla: HTMLElement; box: HTMLElement } | null = null;

  function backButton(): HTMLButtonElement {
    const button = h("button", { class: "back", text: `‹ ${t("common.back")}`, attrs: { type: "button" } });
    button.addEventListener("click", options.back);
    return button;
  }

  function tick(nowMs = now()): void {
    if (state.kind !== "loaded" || !clock) return;
    const d = state.detail;
    const corrected = nowMs + skewMs;
    const status = liveSlaStatus(d, corrected);
    clock.sla.dataset.sla = status;
    clock.sla.textContent = t(`clock.${status}` as MessageKey);
    clock.box.dataset.sla = status;
    const running = RUNNING.has(status);
    clock.box.hidden = !running;
    const left = remainingMs(d.sla.due_at, corrected);
    clock.time.textContent = formatCountdown(left);
    clock.label.textContent = t(left <= 0 ? "today.overdue" : "today.left");
  }

  function actionButtons(d: TicketDetailDto): HTMLElement {
    const box = h("div", { class: "ticket-actions" });
    for (const action of d.next_actions) {
      const button = h("button", {
        class: `button button-wide ticket-action`,
        text: t(`action.${action}` as MessageKey),
        attrs: { type: "button", "data-action": action, "data-testid": ACTION_TESTIDS[action] ?? `ticket-${action}` },
      });
      button.disabled = busy;
      if (action === "resolve") {
        const note = h("textarea", {
          class: "text-input resolve-note",
          attrs: { rows: "2", name: "resolve_note", "data-testid": "resolve-note", placeholder: t("ticket.resolveNote") },
        });
        button.addEventListener("click", () => void act({ action: "resolve", note: note.value.trim() }));
        box.append(h("label", { class: "field" }, h("span", { class: "field-label", text: t("ticket.resolveNote") }), note), button);
      } else if (action === "arrive") {
        button.addEventListener("click", () => void checkIn());
        // Scanning the door tag proves the arrival on its own, GPS or not.
        scanner?.stop();
        scanner = createScanButton({
          onTag: (tag) => void act({ action: "arrive", proof: { method: "tag_scan", tag } }),
          loadImage: options.loadImage,
          live: options.liveScan,
        });
        box.append(scanner.element, button);
      } else {
        button.addEventListener("click", () => void act({ action } as TicketActionInput));
        box.append(button);
      }
    }
    return box;
  }

  /** With a fix (a phone, or the test GPS), one tap checks in by GPS; without one the hand-entry panel opens. */
  async function checkIn(): Promise<void> {
    try {
      fix = await getFix();
    } catch {
      fix = null;
    }
    if (fix) {
      await act({ action: "arrive", proof: { method: "gps" } });
      return;
    }
    checkinOpen = true;
    render();
  }

  function checkinPanel(d: TicketDetailDto): HTMLElement {
    const tag = h("input", { class: "text-input", attrs: { type: "text", name: "tag", autocomplete: "off", "data-testid": "checkin-tag" } });
    const tagButton = h("button", { class: "button", text: t("checkin.byTag"), attrs: { type: "button", "data-testid": "checkin-tag-submit" } });
    // A typed tag is not proof (an account number can be typed anywhere): recorded unverified for the team lead.
    tagButton.addEventListener("click", () => void act({ action: "arrive", proof: { method: "tag_typed", tag: tag.value.trim() } }));
    const reason = h("input", { class: "text-input", attrs: { type: "text", name: "reason", "data-testid": "checkin-reason" } });
    reason.value = t("checkin.defaultReason");
    const lon = h("input", { class: "text-input", attrs: { type: "number", step: "0.000001", name: "lon", "data-testid": "checkin-lon" } });
    const lat = h("input", { class: "text-input", attrs: { type: "number", step: "0.000001", name: "lat", "data-testid": "checkin-lat" } });
    lon.value = String(d.building_lon);
    lat.value = String(d.building_lat);
    const manualButton = h("button", { class: "button", text: t("checkin.byHand"), attrs: { type: "button", "data-testid": "checkin-manual-submit" } });
    manualButton.addEventListener("click", () => {
      const proof: ArrivalInput = {
        method: "manual",
        reason: reason.value.trim(),
        lon: lon.value.trim() === "" ? null : Number(lon.value),
        lat: lat.value.trim() === "" ? null : Number(lat.value),
      };
      void act({ action: "arrive", proof });
    });
    const field = (label: MessageKey, input: HTMLInputElement) =>
      h("label", { class: "field" }, h("span", { class: "field-label", text: t(label) }), input);
    return h(
      "div",
      { class: "card-block checkin-panel", attrs: { "data-testid": "checkin-panel" } },
      h("p", { class: "hint", text: t("checkin.noFix") }),
      h("h3", { class: "section-title", text: t("checkin.tagTitle") }),
      field("checkin.tag", tag),
      tagButton,
      h("h3", { class: "section-title", text: t("checkin.handTitle") }),
      field("checkin.reason", reason),
      field("checkin.lon", lon),
      field("checkin.lat", lat),
      manualButton,
    );
  }

  function render(): void {
    clock = null;
    if (state.kind === "loading") {
      body.replaceChildren(backButton(), h("p", { class: "muted", text: t("common.loading") }));
      return;
    }
    if (state.kind === "failed") {
      body.replaceChildren(
        backButton(),
        h("div", { class: "error-box", attrs: { role: "alert" } }, h("p", { class: "error-detail", text: state.error.message })),
      );
      return;
    }
    const d = state.detail;
    const time = h("span", { class: "countdown-time" });
    const label = h("span", { class: "countdown-label" });
    const box = h("span", { class: "countdown countdown-large", attrs: { role: "timer", "data-testid": "ticket-countdown" } }, time, label);
    const sla = h("span", { class: "sla-badge", attrs: { "data-testid": "ticket-sla" } });
    clock = { time, label, sla, box };
    const fact = (key: MessageKey, value: Node | string) =>
      h("div", { class: "fact" }, h("dt", { text: t(key) }), h("dd", {}, value));
    const phone = h("a", { class: "tel-link", text: d.phone, attrs: { href: `tel:${d.phone}` } });
    const nodes: (Node | null)[] = [
      backButton(),
      h(
        "div",
        { class: "card-block" },
        h(
          "div",
          { class: "hh-line" },
          h("h2", { class: "ticket-title", text: t(`category.${d.ticket.category}` as MessageKey) }),
          h("span", {
            class: "ticket-status",
            text: t(`ticket.${d.ticket.status}` as MessageKey),
            attrs: { "data-testid": "ticket-status", "data-status": d.ticket.status },
          }),
        ),
        h("div", { class: "ticket-clock" }, box, sla),
        d.pending ? h("p", { class: "pending-note", attrs: { "data-testid": "ticket-pending" }, text: t("ticket.pending") }) : null,
        h(
          "dl",
          { class: "facts" },
          fact("ticket.resident", d.resident_name),
          fact("household.phone", phone),
          fact("ticket.address", d.address),
          fact("ticket.reported", formatDateTime(d.ticket.reported_at)),
          fact("ticket.due", formatDateTime(d.ticket.due_at)),
        ),
        h("p", { class: "ticket-desc", text: d.ticket.description }),
      ),
      verdict
        ? h(
            "p",
            {
              class: "checkin-verdict",
              attrs: { role: "status", "data-testid": "checkin-verdict", "data-verified": String(verdict.verified) },
            },
            describeVerdict(verdict),
          )
        : null,
      problem
        ? h("p", { class: "form-error", attrs: { role: "alert", "data-code": problem.code, "data-testid": "ticket-error" } }, errorText(problem))
        : null,
      actionButtons(d),
      checkinOpen && d.next_actions.includes("arrive") ? checkinPanel(d) : null,
      h("h3", { class: "section-title", text: t("ticket.timeline") }),
      h(
        "ol",
        { class: "plain-list timeline" },
        ...d.events.map((e) =>
          h(
            "li",
            { class: "plain-item timeline-item", attrs: { "data-action": e.action, "data-pending": String(e.pending) } },
            h(
              "span",
              { class: "plain-title" },
              `${formatDateTime(e.at)} · ${hasMessage(`event.${e.action}`) ? t(`event.${e.action}` as MessageKey) : e.action}`,
              e.pending ? h("span", { class: "pending-tag", text: t("ticket.pendingTag") }) : null,
            ),
            e.verdict ? h("span", { class: "plain-meta", text: describeVerdict(e.verdict) }) : null,
            e.note ? h("span", { class: "plain-meta", text: e.note }) : null,
          ),
        ),
      ),
    ];
    body.replaceChildren(...nodes.filter((n): n is Node => n !== null));
    tick();
  }

  function show(detail: TicketDetailDto): void {
    skewMs = Date.parse(detail.sla.now) - now();
    if (!Number.isFinite(skewMs)) skewMs = 0;
    state = { kind: "loaded", detail };
  }

  async function reload(): Promise<void> {
    try {
      show(await load(id));
    } catch (error) {
      if (state.kind !== "loaded") state = { kind: "failed", error: error as ApiError };
    }
    render();
  }

  async function act(action: TicketActionInput): Promise<void> {
    if (busy) return;
    busy = true;
    problem = null;
    try {
      const result = await send(id, action);
      show(result.detail);
      if (result.verdict) verdict = result.verdict;
      checkinOpen = false;
      options.acted?.(result);
    } catch (error) {
      problem = error as ApiError;
    } finally {
      busy = false;
    }
    render();
  }

  const timer = (options.autoTick ?? true) ? setInterval(() => tick(), 1000) : undefined;
  render();
  const ready = reload();
  return {
    element,
    ready,
    detail: () => (state.kind === "loaded" ? state.detail : null),
    act,
    tick,
    reload,
    render,
    close: () => {
      clearInterval(timer);
      scanner?.stop();
    },
  };
}

function errorText(e: ApiError): string {
  const key = `error.${e.code}`;
  return hasMessage(key) ? t(key) : e.message;
}
