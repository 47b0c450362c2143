// A tiny i18n module: Chinese (zh-CN) first, English as the switch.
//
// Every key lives in the zh-CN dictionary; the English one is typed against it,
// so a key missing from a translation fails `tsc`, not a steward in the field.

import { leadEn, leadZhCN } from "./lead-i18n";
import { stewardEn, stewardZhCN } from "./steward-i18n";

export type Locale = "zh-CN" | "en";

export const LOCALES: readonly Locale[] = ["zh-CN", "en"];
export const DEFAULT_LOCALE: Locale = "zh-CN";

const zhCN = {
  "app.title": "供暖管家",
  "app.subtitle": "热力站管家助手",
  "lang.switch": "EN",
  "lang.switchLabel": "Switch to English",
  "net.online": "在线",
  "net.offline": "离线",
  "net.unreachable": "连不上服务器",
  "nav.main": "主导航",
  "tab.households": "住户",
  "households.searchLabel": "搜索住户",
  "households.searchPlaceholder": "姓名、地址或户号",
  "households.searchButton": "搜索",
  "households.loading": "正在加载…",
  "households.empty": "没有找到住户",
  "households.count": "共 {count} 户",
  "households.error": "住户加载失败",
  "households.retry": "重试",
  "households.accountNo": "户号",
  "households.phone": "电话",
  "status.active": "供暖中",
  "status.suspended": "已报停",
  "status.new": "新开户",
  "status.disconnected": "已断开",
  "tab.today": "今日",
  "tab.card": "名片",
  "net.offlineNote": "离线：记录保存在本机，联网后上传",
  "pending.badge": "待同步 {count}",
  "pending.label": "已保存在本机、等待上传的记录：{count} 条",
  "common.loading": "正在加载…",
  "common.error": "加载失败",
  "common.retry": "重试",
  "common.back": "返回",
  "today.tickets": "待响应工单",
  "today.noTickets": "暂无待响应工单",
  "today.households": "待入户（按步行顺序）",
  "today.noHouseholds": "今日无待入户住户",
  "today.visitsDone": "今日已入户 {count} 户",
  "today.summary": "工单 {tickets} · 待入户 {households}",
  "today.left": "剩余",
  "today.overdue": "已超时",
  "today.due": "应到 {time}",
  "today.visitedToday": "今日已访",
  "reason.seal_suspended": "报停封阀",
  "reason.open_new_valve": "新户开阀",
  "ticket.new": "新建",
  "ticket.dispatched": "已派单",
  "ticket.accepted": "已接单",
  "ticket.en_route": "在途",
  "ticket.on_site": "已到场",
  "ticket.resolved": "已解决",
  "ticket.closed": "已关闭",
  "ticket.cancelled": "已取消",
  "category.no_heat": "不热 / 温度低",
  "category.leak": "漏水",
  "category.venting_noise": "排气噪声",
  "category.valve": "阀门",
  "category.suspension_request": "报停申请",
  "category.payment": "缴费",
  "category.consultation": "咨询",
  "category.illegal_use_report": "违法用热举报",
  "category.other": "其他",
  "valve.open": "阀门开启",
  "valve.closed": "阀门关闭",
  "valve.sealed": "已铅封",
  "valve.sealNo": "铅封号 {seal}",
  "browse.search": "搜索",
  "browse.browse": "按楼浏览",
  "browse.all": "全部小区",
  "browse.unit": "{number}单元",
  "browse.room": "{room}室",
  "browse.households": "{count} 户",
  "browse.suspended": "报停 {count}",
  "browse.units": "{count} 个单元",
  "browse.empty": "这里没有住户",
  "household.account": "户号",
  "household.phone": "电话",
  "household.area": "供暖面积",
  "household.areaValue": "{area} m²",
  "household.status": "供暖状态",
  "household.valve": "阀门",
  "household.visits": "入户记录",
  "household.noVisits": "暂无入户记录",
  "household.tickets": "工单",
  "household.noTickets": "暂无工单",
  "household.startVisit": "开始入户",
  "household.saved": "入户记录已保存在本机，待同步",
  "visit.title": "入户记录",
  "visit.addRecord": "添加记录",
  "visit.records": "本次记录",
  "visit.noRecords": "还没有记录：从上面选择要记录的项目",
  "visit.complete": "完成入户",
  "visit.saving": "正在保存…",
  "visit.remove": "删除",
  "visit.cancel": "取消",
  "visit.offline": "可离线填写，保存在本机",
  "kind.suspension_valve_closure": "报停阀门关闭",
  "kind.new_household": "新户检查开阀",
  "kind.illegal_use_check": "违法用热检查",
  "kind.leak_check": "漏水检查",
  "kind.indoor_temperature": "室温测量",
  "kind.routine_service": "日常走访",
  "kind.leaflet_handed_over": "发放明白纸",
  "kind.contact_card_handed_over": "发放管家名片",
  "kind.resident_confirmation": "住户确认",
  "field.valveState": "阀门状态",
  "field.closed": "已关闭",
  "field.sealed": "已关闭并铅封",
  "field.sealNo": "铅封号",
  "field.outsidePipesOk": "户外管网检查正常",
  "field.valveOpened": "已开阀",
  "field.filterReminder": "已提醒清洗过滤网",
  "field.leakFound": "发现漏水",
  "field.residentPresent": "注水时家中留人",
  "field.valveClosedLeak": "已关阀",
  "field.note": "备注",
  "field.celsius": "温度（°C）",
  "field.room": "房间",
  "field.defaultRoom": "客厅",
  "field.leafletTitle": "资料名称",
  "field.defaultLeaflet": "《用热知识》",
  "field.confirmedBy": "确认人",
  "field.findings": "勾选发现的问题，并写明证据；不勾选即检查无异常",
  "field.evidence": "证据说明",
  "illegal.unauthorised_tapping": "私自乱接、破坏供热管道",
  "illegal.reopened_after_suspension": "报停后私自打开",
  "illegal.enlarged_heated_area": "私自扩大用热面积",
  "illegal.water_heater_on_loop": "私自安装热水器",
  "illegal.changed_nature_of_use": "改变用热性质",
  "illegal.changed_operating_mode": "改变运行方式",
  "illegal.drain_device": "擅自安装放水装置",
  "illegal.disrupting_service_order": "扰乱正常供暖秩序及服务",
  "illegal.unofficial_fee_collection": "恶意提供非正规账户收取费用及截留供暖费",
  "error.seal_required": "选择“铅封”时必须填写铅封号",
  "error.bad_seal_no": "铅封号只能包含字母、数字和“-”",
  "error.evidence_required": "每项违法用热发现都需要证据说明",
  "error.temperature_range": "室温应在 -30 到 45 °C 之间",
  "error.room_required": "请填写测温的房间",
  "error.confirmed_by_required": "请填写确认人",
  "error.empty_visit": "请至少添加一条记录",
  "error.save": "保存失败",
  "card.title": "我的名片",
  "card.role": "供暖管家",
  "card.hotline": "24小时供暖服务热线",
  "card.promise": "一旦您反映问题，我们半小时内到达现场",
  "card.employeeNo": "工号",
  "card.mobile": "手机",
  "card.team": "服务队",
  "card.districts": "负责片区",
  "card.scan": "手机扫码即可保存联系人，无需联网",
  "card.print": "打印名片",
  "card.photoTake": "拍照设置名片照片",
  "card.photoChange": "换一张照片",
  "card.photoSaving": "正在保存照片…",
  "card.photoSaved": "照片已保存在本机，联网后上传",
  "card.photoAlt": "管家照片",
  ...leadZhCN,
  ...stewardZhCN,
} as const;

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = {
  "app.title": "Heat Steward",
  "app.subtitle": "Field assistant for heating stewards",
  "lang.switch": "中文",
  "lang.switchLabel": "切换到中文",
  "net.online": "Online",
  "net.offline": "Offline",
  "net.unreachable": "Server unreachable",
  "nav.main": "Main navigation",
  "tab.households": "Households",
  "households.searchLabel": "Search households",
  "households.searchPlaceholder": "Name, address or account no.",
  "households.searchButton": "Search",
  "households.loading": "Loading…",
  "households.empty": "No households found",
  "households.count": "{count} households",
  "households.error": "Could not load households",
  "households.retry": "Retry",
  "households.accountNo": "Account",
  "households.phone": "Phone",
  "status.active": "Heating",
  "status.suspended": "Suspended",
  "status.new": "New",
  "status.disconnected": "Disconnected",
  "tab.today": "Today",
  "tab.card": "My card",
  "net.offlineNote": "Offline: records are saved on this device and upload later",
  "pending.badge": "{count} to sync",
  "pending.label": "Records saved on this device, waiting to upload: {count}",
  "common.loading": "Loading…",
  "common.error": "Could not load",
  "common.retry": "Retry",
  "common.back": "Back",
  "today.tickets": "Open tickets",
  "today.noTickets": "No open tickets",
  "today.households": "Households to visit (walking order)",
  "today.noHouseholds": "No households to visit today",
  "today.visitsDone": "{count} visits done today",
  "today.summary": "{tickets} tickets · {households} to visit",
  "today.left": "left",
  "today.overdue": "Overdue",
  "today.due": "Due {time}",
  "today.visitedToday": "Visited today",
  "reason.seal_suspended": "Seal suspended valve",
  "reason.open_new_valve": "Open new valve",
  "ticket.new": "New",
  "ticket.dispatched": "Dispatched",
  "ticket.accepted": "Accepted",
  "ticket.en_route": "En route",
  "ticket.on_site": "On site",
  "ticket.resolved": "Resolved",
  "ticket.closed": "Closed",
  "ticket.cancelled": "Cancelled",
  "category.no_heat": "No heat / too cold",
  "category.leak": "Leak",
  "category.venting_noise": "Venting noise",
  "category.valve": "Valve",
  "category.suspension_request": "Suspension request",
  "category.payment": "Payment",
  "category.consultation": "Consultation",
  "category.illegal_use_report": "Illegal use report",
  "category.other": "Other",
  "valve.open": "Valve open",
  "valve.closed": "Valve closed",
  "valve.sealed": "Sealed",
  "valve.sealNo": "Seal {seal}",
  "browse.search": "Search",
  "browse.browse": "Browse",
  "browse.all": "All communities",
  "browse.unit": "Unit {number}",
  "browse.room": "Room {room}",
  "browse.households": "{count} households",
  "browse.suspended": "{count} suspended",
  "browse.units": "{count} units",
  "browse.empty": "No households here",
  "household.account": "Account",
  "household.phone": "Phone",
  "household.area": "Heated area",
  "household.areaValue": "{area} m²",
  "household.status": "Heating status",
  "household.valve": "Valve",
  "household.visits": "Visits",
  "household.noVisits": "No visits yet",
  "household.tickets": "Tickets",
  "household.noTickets": "No tickets",
  "household.startVisit": "Start a visit",
  "household.saved": "Visit saved on this device, waiting to sync",
  "visit.title": "Home visit",
  "visit.addRecord": "Add a record",
  "visit.records": "Records of this visit",
  "visit.noRecords": "No records yet: pick what to record above",
  "visit.complete": "Complete visit",
  "visit.saving": "Saving…",
  "visit.remove": "Remove",
  "visit.cancel": "Cancel",
  "visit.offline": "Works offline; saved on this device",
  "kind.suspension_valve_closure": "Suspended valve closure",
  "kind.new_household": "New household check",
  "kind.illegal_use_check": "Illegal heat use check",
  "kind.leak_check": "Leak check",
  "kind.indoor_temperature": "Indoor temperature",
  "kind.routine_service": "Routine service",
  "kind.leaflet_handed_over": "Leaflet handed over",
  "kind.contact_card_handed_over": "Contact card handed over",
  "kind.resident_confirmation": "Resident confirmation",
  "field.valveState": "Valve",
  "field.closed": "Closed",
  "field.sealed": "Closed and sealed",
  "field.sealNo": "Seal number",
  "field.outsidePipesOk": "Outside pipes checked, OK",
  "field.valveOpened": "Valve opened",
  "field.filterReminder": "Reminded to clean the filter",
  "field.leakFound": "Leak found",
  "field.residentPresent": "Someone home during filling",
  "field.valveClosedLeak": "Valve closed",
  "field.note": "Note",
  "field.celsius": "Temperature (°C)",
  "field.room": "Room",
  "field.defaultRoom": "Living room",
  "field.leafletTitle": "Leaflet",
  "field.defaultLeaflet": "《用热知识》",
  "field.confirmedBy": "Confirmed by",
  "field.findings": "Tick what you found and write the evidence; nothing ticked means the home is clean",
  "field.evidence": "Evidence",
  "illegal.unauthorised_tapping": "Unauthorised tapping or damage to pipes",
  "illegal.reopened_after_suspension": "Reopened after suspension",
  "illegal.enlarged_heated_area": "Heated area enlarged",
  "illegal.water_heater_on_loop": "Water heater on the heating loop",
  "illegal.changed_nature_of_use": "Nature of use changed",
  "illegal.changed_operating_mode": "Operating mode changed",
  "illegal.drain_device": "Drain device fitted",
  "illegal.disrupting_service_order": "Disrupting service order",
  "illegal.unofficial_fee_collection": "Unofficial fee collection or withheld fees",
  "error.seal_required": "A sealed valve needs its seal number",
  "error.bad_seal_no": "A seal number has only letters, digits and '-'",
  "error.evidence_required": "Every illegal-use finding needs evidence",
  "error.temperature_range": "Indoor temperature must be between -30 and 45 °C",
  "error.room_required": "Say which room was measured",
  "error.confirmed_by_required": "Say who confirmed the visit",
  "error.empty_visit": "Add at least one record",
  "error.save": "Could not save",
  "card.title": "My card",
  "card.role": "Heating steward",
  "card.hotline": "24-hour heating hotline",
  "card.promise": "Report a problem and we are at your door within 30 minutes",
  "card.employeeNo": "Employee no.",
  "card.mobile": "Mobile",
  "card.team": "Team",
  "card.districts": "Districts",
  "card.scan": "Scan with a phone to save the contact, no network needed",
  "card.print": "Print card",
  "card.photoTake": "Take a photo for the card",
  "card.photoChange": "Change the photo",
  "card.photoSaving": "Saving the photo…",
  "card.photoSaved": "Photo saved on this device; it uploads when online",
  "card.photoAlt": "Steward's photo",
  ...leadEn,
  ...stewardEn,
};

const dictionaries: Record<Locale, Record<MessageKey, string>> = {
  "zh-CN": zhCN,
  en,
};

let current: Locale = DEFAULT_LOCALE;
const listeners = new Set<(locale: Locale) => void>();

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** The message for `key` in the current locale, with `{name}` placeholders filled. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  // A key from outside the type system (a status the Rust side added later) shows as itself.
  const template = dictionaries[current][key] ?? dictionaries[DEFAULT_LOCALE][key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function getLocale(): Locale {
  return current;
}

/** Switches the locale and tells every subscriber; setting the same locale is a no-op. */
export function setLocale(locale: Locale): void {
  if (locale === current) return;
  current = locale;
  for (const listener of listeners) listener(locale);
}

/** Subscribes to locale changes; returns the unsubscribe function. */
export function onLocaleChange(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const STORAGE_KEY = "heat-steward.locale";

/** The locale the steward chose last time, or zh-CN. */
export function loadLocale(storage: Pick<Storage, "getItem"> | undefined): Locale {
  try {
    const stored = storage?.getItem(STORAGE_KEY);
    return isLocale(stored) ? stored : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

export function saveLocale(storage: Pick<Storage, "setItem"> | undefined, locale: Locale): void {
  try {
    storage?.setItem(STORAGE_KEY, locale);
  } catch {
    // Storage may be unavailable (private mode, quota); the choice then lasts one session.
  }
}

/** Whether `key` is a message (for codes that come from Rust, such as error codes). */
export function hasMessage(key: string): key is MessageKey {
  return key in dictionaries[DEFAULT_LOCALE];
}
