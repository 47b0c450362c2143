// The typed boundary to the Rust side: one wrapper per Tauri command.
//
// Errors cross from Rust as `{ code, message }`; anything else that rejects an
// invoke (a Tauri-level failure such as an unknown command is a bare string)
// is normalised to the same shape here, so screens handle one error type.

import { invoke } from "@tauri-apps/api/core";

/** 供暖状态: the heating status of a household. */
export type HeatingStatus = "active" | "suspended" | "new" | "disconnected";

/** One row of a household search (住户查询), as `search_households` returns it. */
export interface HouseholdHit {
  id: string;
  account_no: string;
  resident_name: string;
  address: string;
  community: string;
  phone_masked: string;
  heating_status: HeatingStatus;
}

export interface ApiError {
  code: string;
  message: string;
}

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
