// Test data shaped like the Rust DTOs (the bindings type-check it), and a
// mockIPC router that answers each command from a table.

import { mockIPC } from "@tauri-apps/api/mocks";
import type { HouseholdHit } from "../src/api";
import type { ContactCardDto } from "../src/bindings/ContactCardDto";
import type { HouseholdDetailDto } from "../src/bindings/HouseholdDetailDto";
import type { TodayDto } from "../src/bindings/TodayDto";

export const NOW = Date.parse("2026-11-26T01:00:00Z");

/** `due_at` that leaves `ms` at NOW. */
export function dueIn(ms: number): string {
  return new Date(NOW + ms).toISOString();
}

export const HIT: HouseholdHit = {
  id: "hh-1",
  account_no: "0102030405",
  resident_name: "王秀英",
  address: "历下区 和平小区 3号楼 2单元 501",
  community: "和平小区",
  phone_masked: "138****1234",
  heating_status: "new",
};

export function ticket(id: string, dueAt: string, category = "no_heat") {
  return {
    ticket: {
      id,
      household_id: "hh-1",
      category,
      description: "暖气不热",
      status: "dispatched",
      is_open: true,
      reported_at: new Date(Date.parse(dueAt) - 30 * 60 * 1000).toISOString(),
      due_at: dueAt,
    },
    resident_name: "王秀英",
    address: "鑫隆帝景城 1号楼 2单元 301室",
  };
}

export const TODAY: TodayDto = {
  tickets: [ticket("t-1", dueIn(-3 * 60 * 1000), "leak"), ticket("t-2", dueIn(10 * 60 * 1000)), ticket("t-3", dueIn(29 * 60 * 1000 + 59 * 1000))],
  households: [
    {
      id: "hh-2",
      account_no: "SH0001",
      resident_name: "李建国",
      address: "鑫隆帝景城 1号楼 1单元 101室",
      community: "鑫隆帝景城",
      status: "suspended",
      valve: { state: "open", seal_no: null },
      reason: "seal_suspended",
      visited_today: false,
    },
    {
      id: "hh-3",
      account_no: "SH0002",
      resident_name: "张伟",
      address: "鑫隆帝景城 1号楼 1单元 102室",
      community: "鑫隆帝景城",
      status: "new",
      valve: { state: "closed", seal_no: null },
      reason: "open_new_valve",
      visited_today: true,
    },
  ],
  planned: [],
  visits_done: 4,
  now: new Date(NOW).toISOString(),
};

export const DETAIL: HouseholdDetailDto = {
  id: "hh-2",
  account_no: "SH0001",
  resident_name: "李建国",
  phone: "13812345678",
  address: "鑫隆帝景城 1号楼 1单元 101室",
  community_name: "鑫隆帝景城",
  building_no: 1,
  unit_no: 1,
  room: "101",
  heated_area_m2: 89.5,
  status: "suspended",
  valve: { state: "open", seal_no: null },
  visits: [],
  tickets: [],
};

export const CARD: ContactCardDto = {
  display_name: "王小明",
  employee_no: "SH1001",
  mobile: "13812345678",
  team: "供暖管家一队",
  centre: "商河供热服务中心",
  utility: "济南热力集团",
  districts: ["鑫隆帝景城片区"],
  hotline: "88812319",
  promise: "一旦您反映问题，我们半小时内到达现场",
  vcard: "BEGIN:VCARD\r\nEND:VCARD\r\n",
  qr_svg: '<?xml version="1.0" standalone="yes"?><svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="29" height="29" viewBox="0 0 29 29"><rect x="0" y="0" width="29" height="29" fill="#ffffff"/><path fill="#000000" d="M4 4h7v7H4z"/></svg>',
  photo: null,
};

export type Calls = { cmd: string; args: unknown }[];

/** Answers commands from `table` (a value, or a function of the args); records every call. */
export function mockCommands(table: Record<string, unknown>): Calls {
  const calls: Calls = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    if (!(cmd in table)) return Promise.reject(`Command ${cmd} not found`);
    const answer = table[cmd];
    return typeof answer === "function" ? (answer as (args: unknown) => unknown)(args) : answer;
  });
  return calls;
}

/** The answers of a working device. */
export function deviceTable(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    search_households: [HIT],
    today: TODAY,
    pending_counts: { priority: 0, bulk: 2, total: 2 },
    household: DETAIL,
    contact_card: CARD,
    communities: [],
    smoke_ready: null,
    ...overrides,
  };
}
