// The app shell: header (title, network badge, language switch), the current
// screen, and the bottom tab bar. The tab bar lists only screens that exist.

import { h } from "./dom";
import { createHouseholdsScreen, type HouseholdsScreen } from "./households";
import { getLocale, type MessageKey, onLocaleChange, setLocale, t } from "./i18n";
import { createOnlineIndicator, type OnlineIndicator } from "./online";

export interface AppShell {
  households: HouseholdsScreen;
  online: OnlineIndicator;
  /** Settles once the first screen has its first data rendered. */
  ready: Promise<void>;
}

interface Tab {
  id: string;
  label: MessageKey;
  icon: string;
}

// SVG path data (24×24 viewBox) for the tab icons.
const HOUSE_ICON = "M3 11 12 3l9 8v10h-6v-6H9v6H3z";

export function mountApp(root: HTMLElement): AppShell {
  const title = h("h1", { class: "app-title", attrs: { id: "app-title" } });
  const online = createOnlineIndicator();
  const langButton = h("button", { class: "lang-switch", attrs: { type: "button" } });
  langButton.addEventListener("click", () => setLocale(getLocale() === "zh-CN" ? "en" : "zh-CN"));
  const header = h("header", { class: "app-header" }, title, h("div", { class: "app-header-tools" }, online.element, langButton));

  const households = createHouseholdsScreen();
  const main = h("main", { class: "app-main" }, households.element);

  const tabs: Tab[] = [{ id: "households", label: "tab.households", icon: HOUSE_ICON }];
  const tabLabels = new Map<string, HTMLSpanElement>();
  const tabbar = h(
    "nav",
    { class: "tabbar" },
    ...tabs.map((tab) => {
      const text = h("span", { class: "tab-label" });
      tabLabels.set(tab.id, text);
      const button = h("button", { class: "tab", attrs: { type: "button", "data-tab": tab.id, "aria-current": "page" } }, icon(tab.icon), text);
      return button;
    }),
  );

  function render(): void {
    const locale = getLocale();
    document.documentElement.lang = locale;
    document.title = t("app.title");
    title.textContent = t("app.title");
    langButton.textContent = t("lang.switch");
    langButton.setAttribute("aria-label", t("lang.switchLabel"));
    tabbar.setAttribute("aria-label", t("nav.main"));
    for (const tab of tabs) tabLabels.get(tab.id)!.textContent = t(tab.label);
    online.render();
    households.render();
  }

  root.replaceChildren(header, main, tabbar);
  onLocaleChange(render);
  render();

  return { households, online, ready: households.ready };
}

function icon(path: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("tab-icon");
  const shape = document.createElementNS(ns, "path");
  shape.setAttribute("d", path);
  svg.append(shape);
  return svg;
}
