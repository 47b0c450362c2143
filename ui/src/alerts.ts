// 响应提醒 / SLA alerts: raised on the device at 10 minutes left and at the
// breach, once per ticket, with no network; shown here as a banner (and by
// Rust as a system notification where the platform has them). Tapping one
// opens the ticket.

import { recentAlerts } from "./api";
import type { SlaAlertDto } from "./bindings/SlaAlertDto";
import { h } from "./dom";
import { type MessageKey, t } from "./i18n";

export interface AlertBanner {
  element: HTMLElement;
  /** An alert pushed from Rust; one per ticket and kind is kept. */
  add(alert: SlaAlertDto): void;
  alerts(): SlaAlertDto[];
  /** Shows the alerts raised before the screen subscribed. */
  load(): Promise<void>;
  render(): void;
}

export function createAlertBanner(openTicket: (id: string) => void, fetchRecent = recentAlerts): AlertBanner {
  const element = h("div", { class: "sla-alerts", attrs: { "aria-live": "assertive" } });
  let shown: SlaAlertDto[] = [];

  function add(alert: SlaAlertDto): void {
    // A breach replaces the ticket's "10 minutes left".
    shown = shown.filter((a) => !(a.ticket_id === alert.ticket_id && (a.kind === alert.kind || alert.kind === "breached")));
    shown.push(alert);
    render();
  }

  function render(): void {
    element.hidden = shown.length === 0;
    element.replaceChildren(
      ...shown.map((a) => {
        const open = h("button", { class: "sla-alert-main", attrs: { type: "button" } }, h("strong", { text: t(`alert.${a.kind}` as MessageKey) }), h("span", { text: ` ${t(`category.${a.category}` as MessageKey)} · ${a.address}` }));
        open.addEventListener("click", () => openTicket(a.ticket_id));
        const close = h("button", { class: "sla-alert-close", text: "×", attrs: { type: "button", "aria-label": t("alert.close") } });
        close.addEventListener("click", () => {
          shown = shown.filter((x) => x !== a);
          render();
        });
        return h("div", { class: "sla-alert", attrs: { role: "alert", "data-testid": "sla-alert", "data-kind": a.kind, "data-ticket-id": a.ticket_id } }, open, close);
      }),
    );
  }

  async function load(): Promise<void> {
    try {
      for (const alert of await fetchRecent()) add(alert);
    } catch {
      // Outside the app there is no alert log; events still come.
    }
  }

  render();
  return { element, add, alerts: () => shown, load, render };
}
