// What the Rust side pushes (Tauri events), not polled: the sync panel on
// every change of the sync's status, a note when the open tickets changed
// (a pull brought a new one), and the response clock's alerts.

import { listen } from "@tauri-apps/api/event";
import type { SlaAlertDto } from "./bindings/SlaAlertDto";
import type { SyncPanelDto } from "./bindings/SyncPanelDto";

export const SYNC_EVENT = "sync-status";
export const TICKETS_EVENT = "tickets-changed";
export const ALERT_EVENT = "sla-alert";

export interface DeviceEvents {
  onSync(handler: (panel: SyncPanelDto) => void): void;
  onTicketsChanged(handler: () => void): void;
  onAlert(handler: (alert: SlaAlertDto) => void): void;
}

/** Subscribes through Tauri; outside the app (no event plugin) nothing arrives and nothing fails. */
export const tauriEvents: DeviceEvents = {
  onSync: (handler) => subscribe<SyncPanelDto>(SYNC_EVENT, handler),
  onTicketsChanged: (handler) => subscribe<unknown>(TICKETS_EVENT, () => handler()),
  onAlert: (handler) => subscribe<SlaAlertDto>(ALERT_EVENT, handler),
};

function subscribe<T>(event: string, handler: (payload: T) => void): void {
  listen<T>(event, (e) => handler(e.payload)).catch((error: unknown) => console.warn(`no ${event} events`, error));
}
