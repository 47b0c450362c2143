// 登录 / Sign in: the steward's username and password against the configured
// central. The token is remembered on the device, so the next start (online
// or not) goes straight to the work; signing out forgets it.

import { type ApiError, signIn } from "./api";
import type { SessionDto } from "./bindings/SessionDto";
import { h } from "./dom";
import { hasMessage, t } from "./i18n";

export interface LoginScreen {
  element: HTMLElement;
  /** Sends the form; resolves when signed in or the error is on screen. */
  submit(): Promise<void>;
  render(): void;
}

export function createLoginScreen(options: {
  central: string | null;
  username?: string;
  done: (session: SessionDto) => void;
  send?: (username: string, password: string) => Promise<SessionDto>;
}): LoginScreen {
  const send = options.send ?? signIn;
  const username = h("input", { class: "text-input", attrs: { type: "text", name: "username", autocomplete: "username", "data-testid": "login-username" } });
  username.value = options.username ?? "";
  const password = h("input", { class: "text-input", attrs: { type: "password", name: "password", autocomplete: "current-password", "data-testid": "login-password" } });
  const button = h("button", { class: "button button-wide", attrs: { type: "submit", "data-testid": "login-submit" } });
  const error = h("p", { class: "form-error", attrs: { role: "alert", "data-testid": "login-error" } });
  error.hidden = true;
  const title = h("h2", { class: "section-title" });
  const server = h("p", { class: "muted" });
  const userLabel = h("span", { class: "field-label" });
  const passLabel = h("span", { class: "field-label" });
  const form = h(
    "form",
    { class: "login-form card-block", attrs: { novalidate: "" } },
    title,
    server,
    h("label", { class: "field" }, userLabel, username),
    h("label", { class: "field" }, passLabel, password),
    error,
    button,
  );
  const element = h("section", { class: "screen login-screen", attrs: { "data-screen": "login" } }, form);

  function render(): void {
    title.textContent = t("login.title");
    server.textContent = options.central ? t("login.server", { url: options.central }) : "";
    userLabel.textContent = t("login.username");
    passLabel.textContent = t("login.password");
    button.textContent = t("login.submit");
  }

  async function submit(): Promise<void> {
    error.hidden = true;
    button.disabled = true;
    try {
      options.done(await send(username.value.trim(), password.value));
    } catch (e) {
      const err = e as ApiError;
      const key = `error.${err.code}`;
      error.hidden = false;
      error.dataset.code = err.code;
      error.textContent = hasMessage(key) ? t(key) : err.message;
    } finally {
      button.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit();
  });
  render();
  return { element, submit, render };
}
