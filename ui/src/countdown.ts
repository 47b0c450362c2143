// The 30-minute clock (半小时到达) as the steward sees it: the time left until
// a ticket's due time, computed here from `due_at` and the device clock, so
// it keeps ticking with no network.

/** At or under this much time left a countdown turns amber. */
export const AT_RISK_MS = 10 * 60 * 1000;

/** `ok` (green), `at_risk` (amber: ≤ 10 min left), `breached` (red: due time passed). */
export type Urgency = "ok" | "at_risk" | "breached";

/** Milliseconds left until `dueAt` (RFC 3339) at `nowMs`; negative once breached. */
export function remainingMs(dueAt: string, nowMs: number): number {
  return Date.parse(dueAt) - nowMs;
}

export function urgency(remaining: number): Urgency {
  if (remaining <= 0) return "breached";
  if (remaining <= AT_RISK_MS) return "at_risk";
  return "ok";
}

/**
 * The countdown text: `29:59`, `1:05:00` past an hour, and the overrun
 * (time since the due time) once breached. Whole seconds, rounded towards
 * the due time so that `0:00` is shown only when it is reached.
 */
export function formatCountdown(remaining: number): string {
  const seconds = remaining > 0 ? Math.ceil(remaining / 1000) : Math.floor(-remaining / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mmss = `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}
