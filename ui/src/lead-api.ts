// The map's and the team lead's commands (src-tauri/lead_commands.rs), one
// wrapper each. Errors arrive as `{ code, message }`; `offline` means the
// central could not be reached and the lead screens say "需要网络".

import { invoke } from "@tauri-apps/api/core";
import { type ApiError, toApiError } from "./api";
import { t } from "./i18n";
import type { CandidatesDto } from "./bindings/CandidatesDto";
import type { DispatchBoardDto } from "./bindings/DispatchBoardDto";
import type { LeadStatusDto } from "./bindings/LeadStatusDto";
import type { LeadTicketDto } from "./bindings/LeadTicketDto";
import type { MapViewDto } from "./bindings/MapViewDto";
import type { ResponseTimesDto } from "./bindings/ResponseTimesDto";
import type { TeamMapDto } from "./bindings/TeamMapDto";

export type LeadApiError = ApiError;

/** Codes that mean "the central is out of reach": the screen shows 需要网络. */
export const NETWORK_CODES: readonly string[] = ["offline", "no_central"];

export function toLeadError(error: unknown): LeadApiError {
  return toApiError(error);
}

export function needsNetwork(error: LeadApiError): boolean {
  return NETWORK_CODES.includes(error.code);
}

/** What a lead screen says about a failure: 需要网络, no central, sign in again, or the central's own message. */
export function leadErrorText(error: LeadApiError): { title: string; detail: string } {
  if (error.code === "offline") return { title: t("lead.needsNetwork"), detail: t("lead.needsNetworkDetail") };
  if (error.code === "no_central") return { title: t("lead.needsNetwork"), detail: t("lead.noCentral") };
  if (error.code === "unauthorized") return { title: t("common.error"), detail: t("lead.signInAgain") };
  return { title: t("common.error"), detail: error.message };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toLeadError(error);
  }
}

/** The district map's layers from the device (works offline). */
export function mapView(): Promise<MapViewDto> {
  return call<MapViewDto>("map_view");
}

/** Sets the map's tile URL template; "" turns tiles off. Returns the stored value. */
export function setMapTileUrl(url: string): Promise<string> {
  return call<string>("set_map_tile_url", { url });
}

/** Whether the signed-in user is a team lead, and whether a central is configured. */
export function leadStatus(): Promise<LeadStatusDto> {
  return call<LeadStatusDto>("lead_status");
}

/** 派单看板: open tickets, stale devices, incidents, alerts (online). */
export function leadBoard(): Promise<DispatchBoardDto> {
  return call<DispatchBoardDto>("lead_board");
}

/** The stewards who could take a ticket, best estimated arrival first. */
export function leadCandidates(ticketId: string): Promise<CandidatesDto> {
  return call<CandidatesDto>("lead_candidates", { ticketId });
}

/** Dispatches (or reassigns) a ticket to a steward. */
export function leadAssign(ticketId: string, stewardId: string, reason: string | null): Promise<LeadTicketDto> {
  return call<LeadTicketDto>("lead_assign", { ticketId, stewardId, reason });
}

/** The team map: stewards' last positions and the open tickets. */
export function leadTeamMap(): Promise<TeamMapDto> {
  return call<TeamMapDto>("lead_team_map");
}

/** A JSON document of the central under `/api/v1/` (reports, callbacks). */
export function leadDocument<T>(path: string): Promise<T> {
  return call<T>("lead_document", { path });
}

/** Response times of the tickets on the device over the last `days` days (offline). */
export function responseTimes(days: number): Promise<ResponseTimesDto> {
  return call<ResponseTimesDto>("response_times", { days });
}
