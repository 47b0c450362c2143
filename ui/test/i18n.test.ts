import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_LOCALE,
  getLocale,
  isLocale,
  loadLocale,
  type MessageKey,
  onLocaleChange,
  saveLocale,
  setLocale,
  t,
} from "../src/i18n";

afterEach(() => setLocale(DEFAULT_LOCALE));

describe("i18n", () => {
  it("starts in zh-CN with the Chinese title", () => {
    expect(getLocale()).toBe("zh-CN");
    expect(t("app.title")).toBe("供暖管家");
    expect(t("tab.households")).toBe("住户");
  });

  it("switches to English and back", () => {
    setLocale("en");
    expect(t("tab.households")).toBe("Households");
    expect(t("status.suspended")).toBe("Suspended");
    setLocale("zh-CN");
    expect(t("status.suspended")).toBe("已报停");
  });

  it("fills placeholders and leaves unknown ones alone", () => {
    expect(t("households.count", { count: 3 })).toBe("共 3 户");
    setLocale("en");
    expect(t("households.count", { count: 12 })).toBe("12 households");
    expect(t("households.count", { other: 1 })).toBe("{count} households");
  });

  it("shows a key it does not know as the key itself", () => {
    expect(t("status.frozen" as MessageKey)).toBe("status.frozen");
  });

  it("notifies subscribers once per real change", () => {
    const listener = vi.fn();
    const unsubscribe = onLocaleChange(listener);
    setLocale("en");
    setLocale("en");
    unsubscribe();
    setLocale("zh-CN");
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith("en");
  });

  it("loads a stored locale, and falls back to zh-CN on junk or failure", () => {
    const storage = new Map<string, string>();
    const fake = {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => void storage.set(key, value),
    };
    expect(loadLocale(fake)).toBe("zh-CN");
    saveLocale(fake, "en");
    expect(loadLocale(fake)).toBe("en");
    storage.set("heat-steward.locale", "fr");
    expect(loadLocale(fake)).toBe("zh-CN");
    expect(loadLocale({ getItem: () => { throw new Error("denied"); } })).toBe("zh-CN");
    expect(loadLocale(undefined)).toBe("zh-CN");
  });

  it("recognises only the supported locales", () => {
    expect(isLocale("zh-CN")).toBe(true);
    expect(isLocale("en")).toBe(true);
    expect(isLocale("zh")).toBe(false);
    expect(isLocale(undefined)).toBe(false);
  });
});
