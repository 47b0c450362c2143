// Shared display helpers: times in the service area's zone, valves, records.

import type { RecordDto } from "./bindings/RecordDto";
import type { ValveDto } from "./bindings/ValveDto";
import { getLocale, type MessageKey, t } from "./i18n";

/** The service area keeps China Standard Time. */
export const SERVICE_TZ = "Asia/Shanghai";

/** `11月26日 09:30` / `Nov 26, 09:30` in the service area's time. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(getLocale(), {
    timeZone: SERVICE_TZ,
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
}

/** `已铅封 · 铅封号 SH-0042`, `阀门开启`. */
export function formatValve(valve: ValveDto): string {
  const state = t(`valve.${valve.state}` as MessageKey);
  return valve.seal_no ? `${state} · ${t("valve.sealNo", { seal: valve.seal_no })}` : state;
}

/** One line about a record: its kind and what it says. */
export function describeRecord(record: RecordDto): string {
  const kind = t(`kind.${record.kind}` as MessageKey);
  switch (record.kind) {
    case "suspension_valve_closure":
      return `${kind}：${formatValve(record.valve)}`;
    case "indoor_temperature":
      return `${kind}：${record.room} ${record.celsius} °C`;
    case "illegal_use_check":
      return record.findings.length
        ? `${kind}：${record.findings.map((f) => t(`illegal.${f.category}` as MessageKey)).join("、")}`
        : `${kind}：✓`;
    case "new_household":
      return `${kind}：${record.valve_opened ? t("field.valveOpened") : "—"}`;
    case "leak_check":
      return `${kind}：${record.leak_found ? t("field.leakFound") : "✓"}`;
    case "routine_service":
      return record.note ? `${kind}：${record.note}` : kind;
    case "leaflet_handed_over":
      return `${kind}：${record.title}`;
    case "resident_confirmation":
      return `${kind}：${record.confirmed_by}`;
    case "contact_card_handed_over":
      return kind;
  }
}
