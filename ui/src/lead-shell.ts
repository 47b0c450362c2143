// The map tab and the team lead's tabs, for the app shell (app.ts). A
// steward's tab bar gets 地图; a team lead's (Device profile role
// `team_lead`) becomes the lead nav: 派单, 团队, 考核, 回访, and the tabs
// everyone has (同步, 名片).

import type { MessageKey } from "./i18n";
import { t } from "./i18n";
import { leadStatus } from "./lead-api";
import { createDispatchBoard, type DispatchBoard } from "./lead-board";
import { createCallbacksScreen, type CallbacksScreen } from "./lead-callbacks";
import { createDashboard, type Dashboard } from "./lead-dashboard";
import { createTeamMap, type TeamMap } from "./lead-map";
import { createMapScreen, type MapScreen } from "./map";

export type LeadTabId = "map" | "board" | "teamMap" | "dashboard" | "callbacks";

// SVG path data (24×24) for the tab icons.
const MAP_ICON = "M9 3 3 5v16l6-2 6 2 6-2V3l-6 2zm0 2.2 6 2v11.6l-6-2z";
const BOARD_ICON = "M3 3h8v8H3zm10 0h8v5h-8zM3 13h8v8H3zm10-3h8v11h-8z";
const TEAM_ICON = "M8 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm8 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM1 20c0-4 3-7 7-7s7 3 7 7zm15 0c0-2-.6-3.8-1.7-5.2A6 6 0 0 1 23 20z";
const CHART_ICON = "M3 21V3h2v16h16v2zm4-4V10h3v7zm5 0V6h3v11zm5 0v-5h3v5z";
const PHONE_ICON = "M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z";

export const LEAD_TABS: { id: LeadTabId; label: MessageKey; icon: string }[] = [
  { id: "map", label: "tab.map", icon: MAP_ICON },
  { id: "board", label: "tab.board", icon: BOARD_ICON },
  { id: "teamMap", label: "tab.teamMap", icon: TEAM_ICON },
  { id: "dashboard", label: "tab.dashboard", icon: CHART_ICON },
  { id: "callbacks", label: "tab.callbacks", icon: PHONE_ICON },
];

/** The team lead's own tabs: hidden from stewards. */
export const LEAD_ONLY: readonly string[] = ["board", "teamMap", "dashboard", "callbacks"];
/** A steward's field tabs: hidden from team leads. Every other tab (同步, 名片, …) is everyone's. */
export const STEWARD_ONLY: readonly string[] = ["today", "households", "map"];

/** How often the dispatch board reads the central again while it is shown. */
export const REFRESH_MS = 30_000;

export interface LeadScreens {
  map: MapScreen;
  board: DispatchBoard;
  teamMap: TeamMap;
  dashboard: Dashboard;
  callbacks: CallbacksScreen;
  screens: Record<LeadTabId, HTMLElement>;
  /** Whether the lead nav is on (after `attach` learnt the role). */
  isLead(): boolean;
  /** Shows the nav for the user's role; a lead starts on the dispatch board. */
  attach(buttons: Map<string, HTMLButtonElement>, nav: HTMLElement, selectTab: (tab: string) => void): Promise<void>;
  /** Loads the tab's data when it is selected. */
  selected(tab: string): void;
  /** Opens a start screen (`map`, `board`, …); false for other names. */
  start(screen: string | null, selectTab: (tab: string) => void): Promise<boolean>;
  render(): void;
}

export function createLeadScreens(options: { status?: typeof leadStatus } = {}): LeadScreens {
  const status = options.status ?? leadStatus;
  const map = createMapScreen();
  const board = createDispatchBoard();
  const teamMap = createTeamMap();
  const dashboard = createDashboard();
  const callbacks = createCallbacksScreen();
  const screens: Record<LeadTabId, HTMLElement> = {
    map: map.element,
    board: board.element,
    teamMap: teamMap.element,
    dashboard: dashboard.element,
    callbacks: callbacks.element,
  };
  for (const element of Object.values(screens)) element.hidden = true;
  let lead = false;
  let navElement: HTMLElement | null = null;
  let current = "";
  setInterval(() => {
    map.tick();
    teamMap.tick();
  }, 1000);
  // Incoming tickets reach the board without a tap: while it is shown (and
  // the page visible) it reads the central again every REFRESH_MS.
  setInterval(() => {
    if (current === "board" && !board.element.hidden && document.visibilityState !== "hidden") void board.reload();
  }, REFRESH_MS);

  function selected(tab: string): void {
    current = tab;
    if (tab === "map") void map.show();
    else if (tab === "board") void board.reload();
    else if (tab === "teamMap") void teamMap.show();
    else if (tab === "dashboard") void dashboard.show();
    else if (tab === "callbacks") void callbacks.show();
  }

  async function attach(buttons: Map<string, HTMLButtonElement>, nav: HTMLElement, selectTab: (tab: string) => void): Promise<void> {
    navElement = nav;
    const apply = () => {
      const hidden = lead ? STEWARD_ONLY : LEAD_ONLY;
      for (const [id, button] of buttons) button.hidden = hidden.includes(id);
      nav.dataset.role = lead ? "lead" : "steward";
      render();
    };
    apply();
    try {
      lead = (await status()).is_lead;
    } catch {
      lead = false;
    }
    apply();
    if (lead) selectTab("board");
  }

  async function start(screen: string | null, selectTab: (tab: string) => void): Promise<boolean> {
    if (!screen || !(screen in screens)) return false;
    selectTab(screen);
    if (screen === "map") await map.show();
    else if (screen === "board") await board.reload();
    else if (screen === "teamMap") await teamMap.show();
    else if (screen === "dashboard") await dashboard.show();
    else if (screen === "callbacks") await callbacks.show();
    return true;
  }

  function render(): void {
    if (navElement) navElement.setAttribute("aria-label", t(lead ? "lead.nav" : "nav.main"));
    map.render();
    board.render();
    teamMap.render();
    dashboard.render();
    callbacks.render();
  }

  return { map, board, teamMap, dashboard, callbacks, screens, isLead: () => lead, attach, selected, start, render };
}
