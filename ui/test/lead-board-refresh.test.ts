// The dispatch board while it reads the central again: overlapping reads
// and a reassignment reason being typed (the board refreshes every 30 s).

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CandidatesDto } from "../src/bindings/CandidatesDto";
import type { DispatchBoardDto } from "../src/bindings/DispatchBoardDto";
import type { LeadTicketDto } from "../src/bindings/LeadTicketDto";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { createDispatchBoard } from "../src/lead-board";
import { dueIn, NOW } from "./fixtures";

const MIN = 60 * 1000;

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => document.body.replaceChildren());

function ticket(assignee: string | null): LeadTicketDto {
  const due_at = dueIn(20 * MIN);
  return {
    id: "t-1",
    household_id: "hh-1",
    district_id: "d-1",
    category: "no_heat",
    description: "暖气不热",
    status: assignee ? "dispatched" : "new",
    assignee,
    assignee_name: assignee ? "张三" : null,
    reported_at: new Date(Date.parse(due_at) - 30 * MIN).toISOString(),
    due_at,
    sla_status: "on_track",
    address: "鑫隆帝景城 1号楼",
    unaccepted: false,
    waiting_minutes: null,
  };
}

function boardWith(assignee: string | null): DispatchBoardDto {
  return {
    tickets: [ticket(assignee)],
    stale_devices: [],
    incidents: [],
    alerts: { escalation_minutes: 5, unaccepted: 0, at_risk: 0, breached: 0, arrival_review: [], breaches_by_steward: [] },
    unavailable: [],
  };
}

const CANDIDATES: CandidatesDto = {
  ticket_id: "t-1",
  due_at: dueIn(20 * MIN),
  candidates: [
    { steward_id: "s-2", name: "李四", eta_minutes: 8, distance_km: 2, open_tickets: 1, meets_deadline: true, stale: false, queued: 0, last_seen_at: null, position_source: "last_fix" },
  ],
};

function row(element: HTMLElement): HTMLElement {
  return element.querySelector<HTMLElement>("[data-testid=board-ticket]")!;
}

describe("dispatch board refresh", () => {
  it("shows the latest read when an older one answers after it", async () => {
    const answers: ((board: DispatchBoardDto) => void)[] = [];
    const screen = createDispatchBoard({
      load: () => new Promise<DispatchBoardDto>((resolve) => answers.push(resolve)),
      now: () => NOW,
      autoTick: false,
    });
    expect(screen.element.dataset.state).toBe("loading");
    const older = screen.reload();
    const newer = screen.reload();
    answers[1]!(boardWith("s-2"));
    await newer;
    answers[0]!(boardWith(null));
    await older;
    expect(screen.element.dataset.state).toBe("loaded");
    expect(row(screen.element).dataset.assignee).toBe("s-2");
    expect(row(screen.element).dataset.status).toBe("dispatched");
  });

  it("keeps a reassignment reason being typed when the board reads the central again", async () => {
    let assigned: unknown = null;
    const screen = createDispatchBoard({
      load: async () => boardWith("s-1"),
      candidates: async () => CANDIDATES,
      assign: async (ticketId, stewardId, reason) => ((assigned = { ticketId, stewardId, reason }), ticket(stewardId)),
      now: () => NOW,
      autoTick: false,
    });
    await screen.reload();
    await screen.openCandidates("t-1");
    const typed = screen.element.querySelector<HTMLInputElement>("[data-testid=reassign-reason]")!;
    typed.value = "张三在处理漏水";
    typed.dispatchEvent(new Event("input"));
    await screen.reload();
    const again = screen.element.querySelector<HTMLInputElement>("[data-testid=reassign-reason]")!;
    expect(again).not.toBe(typed);
    expect(again.value).toBe("张三在处理漏水");
    expect(screen.element.querySelector<HTMLElement>("[data-testid=candidates]")!.dataset.state).toBe("loaded");
    screen.element.querySelector<HTMLButtonElement>("[data-testid=candidate-assign]")!.click();
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
    expect(assigned).toEqual({ ticketId: "t-1", stewardId: "s-2", reason: "张三在处理漏水" });
  });
});
