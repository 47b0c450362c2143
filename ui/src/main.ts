import "./styles.css";
import { mountApp } from "./app";
import { DEFAULT_LOCALE, loadLocale, onLocaleChange, saveLocale, setLocale } from "./i18n";
import { isSmokeMode, reportSmoke } from "./smoke";

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

const root = document.getElementById("app")!;

if (isSmokeMode()) {
  // A smoke run always starts in zh-CN, whatever a person chose on this machine.
  setLocale(DEFAULT_LOCALE);
  reportSmoke(() => mountApp(root)).catch((error: unknown) => console.error("smoke report failed", error));
} else {
  setLocale(loadLocale(storage()));
  onLocaleChange((locale) => saveLocale(storage(), locale));
  mountApp(root);
}
