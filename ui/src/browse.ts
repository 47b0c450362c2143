// 按楼浏览 / Browse: community (小区) → building (楼) → unit (单元) →
// households (户). A breadcrumb goes back up; a household opens its page.

import * as api from "./api";
import type { ApiError } from "./api";
import type { BuildingDto } from "./bindings/BuildingDto";
import type { CommunityDto } from "./bindings/CommunityDto";
import type { HouseholdRowDto } from "./bindings/HouseholdRowDto";
import type { UnitDto } from "./bindings/UnitDto";
import { h } from "./dom";
import { type MessageKey, t } from "./i18n";

/** Where the browser stands: each level keeps the one above it. */
export type BrowseLevel =
  | { kind: "communities" }
  | { kind: "buildings"; community: CommunityDto }
  | { kind: "units"; community: CommunityDto; building: BuildingDto }
  | { kind: "households"; community: CommunityDto; building: BuildingDto; unit: UnitDto };

export interface BrowseApi {
  communities(): Promise<CommunityDto[]>;
  buildings(communityId: string): Promise<BuildingDto[]>;
  units(buildingId: string): Promise<UnitDto[]>;
  householdsInUnit(unitId: string): Promise<HouseholdRowDto[]>;
}

export interface BrowseScreen {
  element: HTMLElement;
  level(): BrowseLevel;
  /** Goes to a level and resolves once its list is rendered. */
  go(level: BrowseLevel): Promise<void>;
  render(): void;
}

type Listing =
  | { kind: "loading" }
  | { kind: "failed"; error: ApiError }
  | { kind: "communities"; items: CommunityDto[] }
  | { kind: "buildings"; items: BuildingDto[] }
  | { kind: "units"; items: UnitDto[] }
  | { kind: "households"; items: HouseholdRowDto[] };

export function createBrowseScreen(openHousehold: (id: string) => void, source: BrowseApi = api): BrowseScreen {
  const crumbs = h("nav", { class: "crumbs" });
  const list = h("div", { class: "browse-list", attrs: { "aria-live": "polite" } });
  const element = h("div", { class: "browse" }, crumbs, list);
  let level: BrowseLevel = { kind: "communities" };
  let listing: Listing = { kind: "loading" };
  let sequence = 0;

  async function go(next: BrowseLevel): Promise<void> {
    const mine = ++sequence;
    level = next;
    listing = { kind: "loading" };
    render();
    let result: Listing;
    try {
      switch (next.kind) {
        case "communities":
          result = { kind: "communities", items: await source.communities() };
          break;
        case "buildings":
          result = { kind: "buildings", items: await source.buildings(next.community.id) };
          break;
        case "units":
          result = { kind: "units", items: await source.units(next.building.id) };
          break;
        case "households":
          result = { kind: "households", items: await source.householdsInUnit(next.unit.id) };
          break;
      }
    } catch (error) {
      result = { kind: "failed", error: error as ApiError };
    }
    if (mine !== sequence) return;
    listing = result;
    render();
  }

  function crumb(text: string, target: BrowseLevel | null): HTMLElement {
    if (!target) return h("span", { class: "crumb crumb-here", text, attrs: { "aria-current": "location" } });
    const button = h("button", { class: "crumb", text, attrs: { type: "button" } });
    button.addEventListener("click", () => void go(target));
    return button;
  }

  function renderCrumbs(): void {
    const parts: HTMLElement[] = [];
    const all: BrowseLevel = { kind: "communities" };
    parts.push(crumb(t("browse.all"), level.kind === "communities" ? null : all));
    if (level.kind !== "communities") {
      const c = level.community;
      parts.push(crumb(c.name, level.kind === "buildings" ? null : { kind: "buildings", community: c }));
    }
    if (level.kind === "units" || level.kind === "households") {
      const { community, building } = level;
      parts.push(crumb(building.label, level.kind === "units" ? null : { kind: "units", community, building }));
    }
    if (level.kind === "households") parts.push(crumb(t("browse.unit", { number: level.unit.number }), null));
    crumbs.replaceChildren(...parts.flatMap((part, i) => (i === 0 ? [part] : [h("span", { class: "crumb-sep", text: "›" }), part])));
  }

  function entry(title: string, meta: string, onClick: () => void, extra?: Node): HTMLLIElement {
    const button = h(
      "button",
      { class: "browse-entry", attrs: { type: "button" } },
      h("span", { class: "browse-title", text: title }),
      h("span", { class: "browse-meta", text: meta }),
      extra ?? null,
    );
    button.addEventListener("click", onClick);
    return h("li", { class: "browse-item" }, button);
  }

  function counts(households: number, suspended: number): string {
    const parts = [t("browse.households", { count: households })];
    if (suspended > 0) parts.push(t("browse.suspended", { count: suspended }));
    return parts.join(" · ");
  }

  function renderList(): void {
    const l = listing;
    const lv = level;
    let items: HTMLLIElement[] = [];
    switch (l.kind) {
      case "loading":
        list.replaceChildren(h("p", { class: "muted", text: t("common.loading") }));
        return;
      case "failed":
        list.replaceChildren(h("div", { class: "error-box", attrs: { role: "alert" } }, h("p", { class: "error-detail", text: l.error.message })));
        return;
      case "communities":
        items = l.items.map((c) =>
          entry(c.name, counts(c.household_count, c.suspended_count), () => void go({ kind: "buildings", community: c })),
        );
        break;
      case "buildings":
        if (lv.kind !== "buildings") return;
        items = l.items.map((b) =>
          entry(
            b.label,
            `${t("browse.units", { count: b.unit_count })} · ${counts(b.household_count, b.suspended_count)}`,
            () => void go({ kind: "units", community: lv.community, building: b }),
          ),
        );
        break;
      case "units":
        if (lv.kind !== "units") return;
        items = l.items.map((u) =>
          entry(t("browse.unit", { number: u.number }), counts(u.household_count, u.suspended_count), () =>
            void go({ kind: "households", community: lv.community, building: lv.building, unit: u }),
          ),
        );
        break;
      case "households":
        items = l.items.map((hh) =>
          entry(
            `${t("browse.room", { room: hh.room })} ${hh.resident_name}`,
            `${t(`status.${hh.status}` as MessageKey)} · ${t(`valve.${hh.valve.state}` as MessageKey)}`,
            () => openHousehold(hh.id),
          ),
        );
        break;
    }
    list.replaceChildren(items.length ? h("ul", { class: "browse-ul" }, ...items) : h("p", { class: "muted", text: t("browse.empty") }));
  }

  function render(): void {
    renderCrumbs();
    renderList();
  }

  return { element, level: () => level, go, render };
}
