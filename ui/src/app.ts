// The app shell: header (title, pending-upload badge, network badge, language
// switch), the current screen, and the bottom tab bar (今日, 住户, 名片).
// A household page and the visit form open over the tabs and go back to them.

import { pendingCounts, recordVisit, searchHouseholds } from "./api";
import type { HouseholdDetailDto } from "./bindings/HouseholdDetailDto";
import type { RecordedVisitDto } from "./bindings/RecordedVisitDto";
import { type BrowseScreen, createBrowseScreen } from "./browse";
import { type CardScreen, createCardScreen } from "./card";
import { h } from "./dom";
import { type HouseholdView, createHouseholdView } from "./household";
import { createHouseholdsScreen, type HouseholdsScreen } from "./households";
import { getLocale, type MessageKey, onLocaleChange, setLocale, t } from "./i18n";
import { createOnlineIndicator, type OnlineIndicator } from "./online";
import { type AlertBanner, createAlertBanner } from "./alerts";
import { type DeviceEvents, tauriEvents } from "./events";
import { createSyncScreen, type SyncScreen } from "./sync";
import { createTicketView, type TicketView } from "./ticket";
import { createTodayScreen, type TodayScreen } from "./today";
import { createVisitForm, type RecordKind, type VisitForm } from "./visit";
import { createLeadScreens, LEAD_TABS, type LeadTabId } from "./lead-shell";

export type TabId = "today" | "households" | "sync" | "card" | LeadTabId;

export interface AppShell {
  today: TodayScreen;
  households: HouseholdsScreen;
  browse: BrowseScreen;
  card: CardScreen;
  sync: SyncScreen;
  alerts: AlertBanner;
  online: OnlineIndicator;
  /** Settles once the first screens have their first data rendered. */
  ready: Promise<void>;
  selectTab(tab: TabId): void;
  openHousehold(id: string): HouseholdView;
  openVisit(detail: HouseholdDetailDto): VisitForm;
  /** Opens a ticket's page (工单详情) over the tabs. */
  openTicket(id: string): TicketView;
  /** Re-reads the pending-upload count for the header badge. */
  refreshPending(): Promise<void>;
  /** Opens the screen named by `HEAT_STEWARD_START_SCREEN` (today, household, visit, card). */
  start(screen: string | null): Promise<void>;
}

interface Tab {
  id: TabId;
  label: MessageKey;
  icon: string;
}

// SVG path data (24×24 viewBox) for the tab icons.
const CLOCK_ICON = "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 5v5.4l4 2.4-1 1.7-5-3V7z";
const HOUSE_ICON = "M3 11 12 3l9 8v10h-6v-6H9v6H3z";
const SYNC_ICON = "M12 4V1L8 5l4 4V6a6 6 0 0 1 5.7 7.9l1.5 1.5A8 8 0 0 0 12 4zm0 14a6 6 0 0 1-5.7-7.9L4.8 8.6A8 8 0 0 0 12 20v3l4-4-4-4z";
const CARD_ICON = "M2 5h20v14H2zm2 2v10h16V7zm2 2h6v2H6zm0 4h8v2H6zm10-4h2v6h-2z";

const TABS: Tab[] = [
  { id: "today", label: "tab.today", icon: CLOCK_ICON },
  { id: "households", label: "tab.households", icon: HOUSE_ICON },
  { id: "sync", label: "tab.sync", icon: SYNC_ICON },
  { id: "card", label: "tab.card", icon: CARD_ICON },
];
// The map and the team lead's tabs (lead-shell.ts) go before 名片.
TABS.splice(TABS.length - 1, 0, ...LEAD_TABS);

export function mountApp(root: HTMLElement, events: DeviceEvents = tauriEvents): AppShell {
  const title = h("h1", { class: "app-title", attrs: { id: "app-title" } });
  const online = createOnlineIndicator();
  const pending = h("span", { class: "pending", attrs: { role: "status", "data-testid": "pending-badge" } });
  let pendingCount = 0;
  const langButton = h("button", { class: "lang-switch", attrs: { type: "button" } });
  langButton.addEventListener("click", () => setLocale(getLocale() === "zh-CN" ? "en" : "zh-CN"));
  const header = h(
    "header",
    { class: "app-header" },
    title,
    h("div", { class: "app-header-tools" }, pending, online.element, langButton),
  );
  const offlineNote = h("p", { class: "offline-note", attrs: { role: "status" } });

  const today = createTodayScreen({ openHousehold: (id) => void openHousehold(id), openTicket: (id) => void openTicket(id) });
  const households = createHouseholdsScreen();
  const browse = createBrowseScreen((id) => void openHousehold(id));
  const card = createCardScreen(undefined, undefined, {
    search: searchHouseholds,
    save: recordVisit,
    saved: (result) => {
      setPending(result.pending.total);
      void today.reload();
    },
  });
  const sync = createSyncScreen({
    changed: (panel) => {
      setPending(panel.pending.total);
      // The badge says 连不上服务器 while the central gives no answer.
      online.sync(panel);
      renderOffline();
    },
  });
  const alerts = createAlertBanner((id) => void openTicket(id));
  const lead = createLeadScreens();

  // The households tab: search (the default) or browse by place.
  const searchMode = h("button", { class: "seg", attrs: { type: "button", "data-mode": "search" } });
  const browseMode = h("button", { class: "seg", attrs: { type: "button", "data-mode": "browse" } });
  const householdsTab = h(
    "section",
    { class: "screen households-tab", attrs: { "data-screen": "households-tab" } },
    h("div", { class: "segmented", attrs: { role: "group" } }, searchMode, browseMode),
    households.element,
    browse.element,
  );
  let browseStarted = false;
  function setMode(mode: "search" | "browse"): void {
    searchMode.setAttribute("aria-pressed", String(mode === "search"));
    browseMode.setAttribute("aria-pressed", String(mode === "browse"));
    households.element.hidden = mode !== "search";
    browse.element.hidden = mode !== "browse";
    if (mode === "browse" && !browseStarted) {
      browseStarted = true;
      void browse.go({ kind: "communities" });
    }
  }
  searchMode.addEventListener("click", () => setMode("search"));
  browseMode.addEventListener("click", () => setMode("browse"));
  setMode("search");
  // A search hit opens the household's page.
  households.element.addEventListener("click", (event) => {
    const item = (event.target as Element).closest<HTMLElement>(".hh-item");
    if (item?.dataset.id) openHousehold(item.dataset.id);
  });
  households.element.addEventListener("keydown", (event) => {
    const item = (event.target as Element).closest<HTMLElement>(".hh-item");
    if (item?.dataset.id && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      openHousehold(item.dataset.id);
    }
  });

  const screens: Record<TabId, HTMLElement> = { today: today.element, households: householdsTab, sync: sync.element, card: card.element, ...lead.screens };
  const overlay = h("div", { class: "overlay" });
  const main = h("main", { class: "app-main" }, today.element, householdsTab, sync.element, card.element, ...Object.values(lead.screens), overlay);

  let currentTab: TabId = "today";
  let overlayView: { render(): void } | null = null;
  const tabButtons = new Map<TabId, HTMLButtonElement>();
  const tabLabels = new Map<TabId, HTMLSpanElement>();
  const tabbar = h(
    "nav",
    { class: "tabbar" },
    ...TABS.map((tab) => {
      const text = h("span", { class: "tab-label" });
      tabLabels.set(tab.id, text);
      const button = h("button", { class: "tab", attrs: { type: "button", "data-tab": tab.id, "data-testid": `nav-${tab.id}` } }, icon(tab.icon), text);
      button.addEventListener("click", () => selectTab(tab.id));
      tabButtons.set(tab.id, button);
      return button;
    }),
  );

  let closeOverlay: (() => void) | null = null;
  function showOverlay(element: HTMLElement | null, close: (() => void) | null = null): void {
    closeOverlay?.();
    closeOverlay = close;
    overlay.replaceChildren(...(element ? [element] : []));
    overlay.hidden = element === null;
    for (const [id, screen] of Object.entries(screens)) screen.hidden = element !== null || id !== currentTab;
    window.scrollTo?.(0, 0);
  }

  function selectTab(tab: TabId): void {
    currentTab = tab;
    for (const [id, button] of tabButtons) {
      if (id === tab) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
    }
    overlayView = null;
    showOverlay(null);
    if (tab === "card") void card.show();
    if (tab === "sync") void sync.show();
    lead.selected(tab);
  }

  function openHousehold(id: string, initial?: HouseholdDetailDto, note?: MessageKey): HouseholdView {
    const view = createHouseholdView(id, {
      back: () => selectTab(currentTab),
      startVisit: (detail, kinds) => void openVisit(detail, kinds),
      saved: (result) => {
        setPending(result.pending.total);
        void today.reload();
      },
      initial,
      note,
    });
    overlayView = view;
    showOverlay(view.element);
    return view;
  }

  function openTicket(id: string): TicketView {
    const view = createTicketView(id, {
      back: () => selectTab(currentTab),
      acted: (result) => {
        setPending(result.pending.total);
        void today.reload();
      },
    });
    overlayView = view;
    showOverlay(view.element, view.close);
    return view;
  }

  function openVisit(detail: HouseholdDetailDto, initialKinds?: readonly RecordKind[]): VisitForm {
    const form = createVisitForm(detail, {
      cancel: () => void openHousehold(detail.id, detail),
      saved: (result: RecordedVisitDto) => {
        setPending(result.pending.total);
        void today.reload();
        openHousehold(result.household.id, result.household, "household.saved");
      },
      initialKinds: initialKinds ?? defaultKinds(detail),
    });
    overlayView = null;
    showOverlay(form.element);
    return form;
  }

  function setPending(count: number): void {
    pendingCount = count;
    pending.dataset.count = String(count);
    renderPending();
  }

  function renderPending(): void {
    pending.textContent = t("pending.badge", { count: pendingCount });
    pending.title = t("pending.label", { count: pendingCount });
  }

  async function refreshPending(): Promise<void> {
    try {
      setPending((await pendingCounts()).total);
    } catch {
      // The badge keeps its last count; the screens show their own errors.
    }
  }

  function renderOffline(): void {
    offlineNote.hidden = online.isOnline();
    offlineNote.textContent = t("net.offlineNote");
  }
  window.addEventListener("online", renderOffline);
  window.addEventListener("offline", renderOffline);

  function render(): void {
    const locale = getLocale();
    document.documentElement.lang = locale;
    document.title = t("app.title");
    title.textContent = t("app.title");
    langButton.textContent = t("lang.switch");
    langButton.setAttribute("aria-label", t("lang.switchLabel"));
    tabbar.setAttribute("aria-label", t("nav.main"));
    searchMode.textContent = t("browse.search");
    browseMode.textContent = t("browse.browse");
    for (const tab of TABS) tabLabels.get(tab.id)!.textContent = t(tab.label);
    online.render();
    renderPending();
    renderOffline();
    today.render();
    households.render();
    browse.render();
    card.render();
    sync.render();
    alerts.render();
    lead.render();
    overlayView?.render();
  }

  async function start(screen: string | null): Promise<void> {
    if (screen === "sync") {
      selectTab("sync");
      await sync.show();
      return;
    }
    if (await lead.start(screen, (tab) => selectTab(tab as TabId))) return;
    if (screen === "card") {
      selectTab("card");
      await card.show();
      return;
    }
    if (screen !== "visit" && screen !== "household") return;
    // The first household on Today, preferring a suspended one (a valve to seal).
    await today.ready;
    const state = today.state();
    const tasks = state.kind === "loaded" ? state.work.households : [];
    const task = tasks.find((h) => h.reason === "seal_suspended") ?? tasks[0];
    if (!task) return;
    const view = openHousehold(task.id);
    await view.ready;
    const detail = view.detail();
    if (screen === "visit" && detail) {
      const form = openVisit(detail, ["suspension_valve_closure", "indoor_temperature"]);
      form.element.querySelector(".records")?.scrollIntoView?.({ block: "start" });
    }
  }

  root.replaceChildren(header, offlineNote, alerts.element, main, tabbar);
  // Pushed from Rust: the sync panel, new tickets from a pull, response-clock alerts.
  events.onSync((panel) => sync.update(panel));
  events.onTicketsChanged(() => void today.reload());
  events.onAlert((alert) => alerts.add(alert));
  void alerts.load();
  onLocaleChange(render);
  selectTab("today");
  render();
  void lead.attach(tabButtons, tabbar, (tab) => selectTab(tab as TabId));
  const ready = Promise.all([households.ready, today.ready, refreshPending()]).then(() => undefined);

  return {
    today,
    households,
    browse,
    card,
    sync,
    alerts,
    online,
    ready,
    selectTab,
    openHousehold: (id) => openHousehold(id),
    openVisit: (detail) => openVisit(detail),
    openTicket,
    refreshPending,
    start,
  };
}

/** A suspended household's visit starts with the valve closure; a new one's with the new-household check. */
function defaultKinds(detail: HouseholdDetailDto): RecordKind[] {
  if (detail.status === "suspended") return ["suspension_valve_closure"];
  if (detail.status === "new") return ["new_household"];
  return [];
}

function icon(path: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("tab-icon");
  const shape = document.createElementNS(ns, "path");
  shape.setAttribute("d", path);
  shape.setAttribute("fill-rule", "evenodd");
  svg.append(shape);
  return svg;
}
