// The online/offline indicator in the header, from `navigator.onLine`.
//
// `navigator.onLine` only says whether the device has a network at all; whether
// the central server answers is the sync layer's business, not this badge's.

import { h } from "./dom";
import { t } from "./i18n";

export interface OnlineIndicator {
  element: HTMLElement;
  isOnline(): boolean;
  render(): void;
}

export function createOnlineIndicator(win: Window = window): OnlineIndicator {
  const label = h("span", { class: "net-label" });
  const element = h("span", { class: "net", attrs: { role: "status" } }, h("span", { class: "net-dot", attrs: { "aria-hidden": "true" } }), label);

  const isOnline = () => win.navigator.onLine;
  const render = () => {
    const online = isOnline();
    element.dataset.online = String(online);
    label.textContent = t(online ? "net.online" : "net.offline");
  };

  win.addEventListener("online", render);
  win.addEventListener("offline", render);
  render();
  return { element, isOnline, render };
}
