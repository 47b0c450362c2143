// The failure box every lead screen shows: 需要网络, sign in again, or the
// central's message, with a retry button.

import { h } from "./dom";
import { t } from "./i18n";
import { type LeadApiError, leadErrorText } from "./lead-api";

export function leadErrorBox(error: LeadApiError, retry: () => void): HTMLElement {
  const { title, detail } = leadErrorText(error);
  const button = h("button", { class: "button", text: t("common.retry"), attrs: { type: "button" } });
  button.addEventListener("click", retry);
  return h(
    "div",
    { class: "error-box", attrs: { role: "alert", "data-code": error.code } },
    h("p", { class: "error-title", text: title }),
    h("p", { class: "error-detail", text: detail }),
    button,
  );
}
