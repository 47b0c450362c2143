import "./styles.css";
import { startScreen, startState } from "./api";
import { createLoginScreen } from "./login";
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
  const open = () => {
    const app = mountApp(root);
    // HEAT_STEWARD_START_SCREEN (today, household, visit, card) picks the first screen, for screenshots and demos.
    startScreen()
      .then((screen) => app.start(screen))
      .catch((error: unknown) => console.error("start screen failed", error));
  };
  // With a central and nobody signed in, the sign-in screen comes first; a remembered session goes straight in.
  startState()
    .then((state) => {
      if (!state.needs_sign_in) return open();
      const login = createLoginScreen({ central: state.central, username: "", done: () => open() });
      onLocaleChange(() => login.render());
      root.replaceChildren(login.element);
    })
    .catch(() => open());
}
