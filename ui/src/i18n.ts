// A tiny i18n module: Chinese (zh-CN) first, English as the switch.
//
// Every key lives in the zh-CN dictionary; the English one is typed against it,
// so a key missing from a translation fails `tsc`, not a steward in the field.

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
} as const;

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = {
  "app.title": "Heat Steward",
  "app.subtitle": "Field assistant for heating stewards",
  "lang.switch": "中文",
  "lang.switchLabel": "切换到中文",
  "net.online": "Online",
  "net.offline": "Offline",
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
