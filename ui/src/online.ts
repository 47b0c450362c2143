// The network badge in the header: 在线, 离线 (the device has no network,
// from `navigator.onLine`), or 连不上服务器 (the device has a network but the
// central does not answer: the sync's last round ended with `offline` or
// `unreachable`, from the `sync-status` panel). Without a central configured
// only the network counts.

import type { SyncPanelDto } from "./bindings/SyncPanelDto";
import { h } from "./dom";
import { t } from "./i18n";

export type NetState = "online" | "offline" | "unreachable";

/** The sync error codes that mean the central gave no answer at all. */
const NO_ANSWER = new Set(["offline", "unreachable"]);

/** What the badge says, from the network flag and the sync's last panel (if any). */
export function netState(networkUp: boolean, panel: Pick<SyncPanelDto, "central" | "last_error"> | null): NetState {
  if (!networkUp) return "offline";
  if (panel?.central && panel.last_error && NO_ANSWER.has(panel.last_error.code)) return "unreachable";
  return "online";
}

export interface OnlineIndicator {
  element: HTMLElement;
  /** Whether the central can be reached as far as the device knows. */
  isOnline(): boolean;
  state(): NetState;
  /** A sync panel pushed from Rust. */
  sync(panel: Pick<SyncPanelDto, "central" | "last_error">): void;
  render(): void;
}

export function createOnlineIndicator(win: Window = window): OnlineIndicator {
  const label = h("span", { class: "net-label" });
  const element = h("span", { class: "net", attrs: { role: "status" } }, h("span", { class: "net-dot", attrs: { "aria-hidden": "true" } }), label);
  let panel: Pick<SyncPanelDto, "central" | "last_error"> | null = null;

  const state = () => netState(win.navigator.onLine, panel);
  const isOnline = () => state() === "online";
  const render = () => {
    const now = state();
    element.dataset.online = String(now === "online");
    element.dataset.state = now;
    label.textContent = t(now === "online" ? "net.online" : now === "offline" ? "net.offline" : "net.unreachable");
  };
  const sync = (next: Pick<SyncPanelDto, "central" | "last_error">) => {
    panel = next;
    render();
  };

  win.addEventListener("online", render);
  win.addEventListener("offline", render);
  render();
  return { element, isOnline, state, sync, render };
}
