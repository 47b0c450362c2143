// 住户 / Households: search the households of the steward's ground and list them.

import { type ApiError, type HouseholdHit, searchHouseholds } from "./api";
import { h } from "./dom";
import { t } from "./i18n";

/** How long typing pauses before the search runs (a submit runs it at once). */
export const SEARCH_DEBOUNCE_MS = 250;

export type SearchState =
  | { kind: "loading"; query: string }
  | { kind: "loaded"; query: string; hits: HouseholdHit[] }
  | { kind: "failed"; query: string; error: ApiError };

export interface HouseholdsScreen {
  element: HTMLElement;
  /** Settles once the first search has finished and its result is on screen. */
  ready: Promise<void>;
  state(): SearchState;
  /** Runs a search now; resolves when its result (unless superseded) is rendered. */
  search(query: string): Promise<void>;
  /** Re-renders every text, e.g. after a locale change. */
  render(): void;
}

export function createHouseholdsScreen(
  search: (query: string) => Promise<HouseholdHit[]> = searchHouseholds,
): HouseholdsScreen {
  const input = h("input", {
    class: "search-input",
    attrs: { type: "search", name: "query", autocomplete: "off", enterkeyhint: "search", "data-testid": "household-search" },
  });
  const label = h("label", { class: "visually-hidden" });
  const button = h("button", { class: "search-button", attrs: { type: "submit" } });
  const form = h("form", { class: "search", attrs: { role: "search" } }, label, input, button);
  const results = h("div", { class: "hh-results", attrs: { "aria-live": "polite" } });
  const element = h("section", { class: "screen households", attrs: { "data-screen": "households" } }, form, results);

  const inputId = "households-query";
  input.id = inputId;
  label.htmlFor = inputId;

  let current: SearchState = { kind: "loading", query: "" };
  let sequence = 0;
  let debounce: ReturnType<typeof setTimeout> | undefined;

  function renderTexts(): void {
    label.textContent = t("households.searchLabel");
    input.placeholder = t("households.searchPlaceholder");
    button.textContent = t("households.searchButton");
  }

  function renderResults(): void {
    results.replaceChildren(...resultNodes(current, () => void runSearch(current.query)));
  }

  async function runSearch(query: string): Promise<void> {
    clearTimeout(debounce);
    const mine = ++sequence;
    current = { kind: "loading", query };
    renderResults();
    let next: SearchState;
    try {
      next = { kind: "loaded", query, hits: await search(query) };
    } catch (error) {
      next = { kind: "failed", query, error: error as ApiError };
    }
    // A newer search has started meanwhile: its result is the one to show.
    if (mine !== sequence) return;
    current = next;
    renderResults();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void runSearch(input.value.trim());
  });
  input.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => void runSearch(input.value.trim()), SEARCH_DEBOUNCE_MS);
  });

  renderTexts();
  const ready = runSearch("");

  return {
    element,
    ready,
    state: () => current,
    search: runSearch,
    render() {
      renderTexts();
      renderResults();
    },
  };
}

function resultNodes(state: SearchState, retry: () => void): Node[] {
  switch (state.kind) {
    case "loading":
      return [h("p", { class: "hh-loading", text: t("households.loading") })];
    case "failed": {
      const retryButton = h("button", { class: "button", text: t("households.retry"), attrs: { type: "button" } });
      retryButton.addEventListener("click", retry);
      return [
        h(
          "div",
          { class: "hh-error", attrs: { role: "alert" } },
          h("p", { class: "hh-error-title", text: t("households.error") }),
          h("p", { class: "hh-error-detail", text: state.error.message }),
          retryButton,
        ),
      ];
    }
    case "loaded":
      if (state.hits.length === 0) return [h("p", { class: "hh-empty", text: t("households.empty") })];
      return [
        h("p", { class: "hh-count", text: t("households.count", { count: state.hits.length }) }),
        h("ul", { class: "hh-list" }, ...state.hits.map(householdItem)),
      ];
  }
}

function householdItem(hit: HouseholdHit): HTMLLIElement {
  return h(
    "li",
    { class: "hh-item", attrs: { "data-id": hit.id, "data-household-id": hit.id, "data-testid": "household-hit", tabindex: "0", role: "button" } },
    h(
      "div",
      { class: "hh-line" },
      h("span", { class: "hh-name", text: hit.resident_name }),
      h("span", {
        class: "hh-status",
        text: t(`status.${hit.heating_status}`),
        attrs: { "data-status": hit.heating_status },
      }),
    ),
    h("div", { class: "hh-address", text: hit.address }),
    h(
      "div",
      { class: "hh-meta" },
      h("span", { class: "hh-account", text: `${t("households.accountNo")} ${hit.account_no}` }),
      h("span", { class: "hh-community", text: hit.community }),
    ),
  );
}
