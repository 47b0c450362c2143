// The typed boundary to the Rust side: one wrapper per Tauri command. The
// types come from `./bindings/`, generated from the Rust DTOs by ts-rs
// (`crates/device/tests/bindings.rs` fails when they drift).
//
// Errors cross from Rust as `{ code, message }`; anything else that rejects an
// invoke (a Tauri-level failure such as an unknown command is a bare string)
// is normalised to the same shape here, so screens handle one error type.

import { invoke } from "@tauri-apps/api/core";
import type { BuildingDto } from "./bindings/BuildingDto";
import type { CommunityDto } from "./bindings/CommunityDto";
import type { ContactCardDto } from "./bindings/ContactCardDto";
import type { ErrorDto } from "./bindings/ErrorDto";
import type { HeatingStatusDto } from "./bindings/HeatingStatusDto";
import type { HouseholdDetailDto } from "./bindings/HouseholdDetailDto";
import type { HouseholdHitDto } from "./bindings/HouseholdHitDto";
import type { HouseholdRowDto } from "./bindings/HouseholdRowDto";
import type { PendingDto } from "./bindings/PendingDto";
import type { RecordedVisitDto } from "./bindings/RecordedVisitDto";
import type { TodayDto } from "./bindings/TodayDto";
import type { UnitDto } from "./bindings/UnitDto";
import type { VisitInput } from "./bindings/VisitInput";
import type { LocationFixDto } from "./bindings/LocationFixDto";
import type { SessionDto } from "./bindings/SessionDto";
import type { SlaAlertDto } from "./bindings/SlaAlertDto";
import type { StartStateDto } from "./bindings/StartStateDto";
import type { SyncPanelDto } from "./bindings/SyncPanelDto";
import type { TicketActionInput } from "./bindings/TicketActionInput";
import type { TicketActionResultDto } from "./bindings/TicketActionResultDto";
import type { TicketDetailDto } from "./bindings/TicketDetailDto";

/** 供暖状态: the heating status of a household. */
export type HeatingStatus = HeatingStatusDto;

/** One row of a household search (住户查询), as `search_households` returns it. */
export type HouseholdHit = HouseholdHitDto;

/** An error as every command returns it: `{ code, message }`. */
export type ApiError = ErrorDto;

/** The code given to failures that did not come from our own commands. */
export const UNKNOWN_ERROR = "unknown";

export function toApiError(error: unknown): ApiError {
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as Record<string, unknown>;
    if (typeof message === "string") {
      return { code: typeof code === "string" ? code : UNKNOWN_ERROR, message };
    }
  }
  if (typeof error === "string") return { code: UNKNOWN_ERROR, message: error };
  return { code: UNKNOWN_ERROR, message: String(error) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

/** Searches households by name, address or account number; "" lists the first page. */
export function searchHouseholds(query: string): Promise<HouseholdHit[]> {
  return call<HouseholdHit[]>("search_households", { query });
}

/** 今日: open tickets soonest due first, then households to visit in walking order. */
export function today(): Promise<TodayDto> {
  return call<TodayDto>("today");
}

/** The communities (小区) on the device. */
export function communities(): Promise<CommunityDto[]> {
  return call<CommunityDto[]>("communities");
}

/** The buildings (楼) of a community. */
export function buildings(communityId: string): Promise<BuildingDto[]> {
  return call<BuildingDto[]>("buildings", { communityId });
}

/** The units (单元) of a building. */
export function units(buildingId: string): Promise<UnitDto[]> {
  return call<UnitDto[]>("units", { buildingId });
}

/** The households (户) of a unit. */
export function householdsInUnit(unitId: string): Promise<HouseholdRowDto[]> {
  return call<HouseholdRowDto[]>("households_in_unit", { unitId });
}

/** One household's page. */
export function household(householdId: string): Promise<HouseholdDetailDto> {
  return call<HouseholdDetailDto>("household", { householdId });
}

/** Completes and records a visit on the device (works offline). */
export function recordVisit(visit: VisitInput): Promise<RecordedVisitDto> {
  return call<RecordedVisitDto>("record_visit", { visit });
}

/** How many local changes wait to be uploaded (待同步). */
export function pendingCounts(): Promise<PendingDto> {
  return call<PendingDto>("pending_counts");
}

/** The steward's contact card (管家名片) with its QR code as SVG. */
export function contactCard(): Promise<ContactCardDto> {
  return call<ContactCardDto>("contact_card");
}

/** Sets the card's photo from the image scaled down (a `data:` URL); answers the card with it. */
export function setCardPhoto(image: string): Promise<ContactCardDto> {
  return call<ContactCardDto>("set_card_photo", { image });
}

/** One ticket's page (工单详情), computed on the device (works offline). */
export function ticketDetail(ticketId: string): Promise<TicketDetailDto> {
  return call<TicketDetailDto>("ticket_detail", { ticketId });
}

/** Accept, en route, check in or resolve a ticket on the device; it waits in the priority lane to sync. */
export function ticketAction(ticketId: string, action: TicketActionInput): Promise<TicketActionResultDto> {
  return call<TicketActionResultDto>("ticket_action", { ticketId, action });
}

/** The device's location fix, or null when it has none (a desktop without GPS). */
export function locationFix(): Promise<LocationFixDto | null> {
  return call<LocationFixDto | null>("location_fix");
}

/** The sync panel (同步) now; later changes come as `sync-status` events. */
export function syncPanel(): Promise<SyncPanelDto> {
  return call<SyncPanelDto>("sync_panel");
}

/** Lets a refused change go: it leaves the needs-attention list (the record stays on the device). */
export function dismissAttention(mutationId: string): Promise<SyncPanelDto> {
  return call<SyncPanelDto>("dismiss_attention", { mutationId });
}

/** Sends a refused change again. */
export function retryAttention(mutationId: string): Promise<SyncPanelDto> {
  return call<SyncPanelDto>("retry_attention", { mutationId });
}

/** Asks for a sync round now; false when no central is configured. */
export function syncNow(): Promise<boolean> {
  return call<boolean>("sync_now");
}

/** The response-clock alerts raised since the app started. */
export function recentAlerts(): Promise<SlaAlertDto[]> {
  return call<SlaAlertDto[]>("recent_alerts");
}

/** What to show first: the sign-in screen, or the steward's work. */
export function startState(): Promise<StartStateDto> {
  return call<StartStateDto>("start_state");
}

/** Signs in at the configured central; the token is remembered on the device. */
export function signIn(username: string, password: string): Promise<SessionDto> {
  return call<SessionDto>("sign_in", { username, password });
}

/** Signs out: the token is revoked at the central when it answers, and forgotten; the work on the device stays. */
export function signOut(): Promise<boolean> {
  return call<boolean>("sign_out");
}

/** The screen to open first (`HEAT_STEWARD_START_SCREEN`), or null. */
export function startScreen(): Promise<string | null> {
  return call<string | null>("start_screen");
}

/** What the UI tells the Rust side in smoke mode once its first screen has rendered. */
export interface SmokeReport {
  title: string;
  locale: string;
  online: boolean;
  households_rendered: number;
  search_ok: boolean;
  search_error: string | null;
  /** Set when the UI failed to start; the other fields are then empty. */
  ui_error: string | null;
}

/** Smoke mode only: hands the report to Rust, which prints it and exits the app. */
export function smokeReady(report: SmokeReport): Promise<void> {
  return call<void>("smoke_ready", { report });
}
