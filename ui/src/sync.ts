// 同步 / Sync panel: what waits to upload per lane, the last successful sync,
// progress (n of m) while a sync runs, online/offline, and the changes the
// server refused with its reason — each can be sent again or let go. The
// panel is pushed from Rust on every change (`sync-status` events).

import { type ApiError, dismissAttention, retryAttention, signOut, syncNow, syncPanel } from "./api";
import type { AttentionDto } from "./bindings/AttentionDto";
import type { SyncPanelDto } from "./bindings/SyncPanelDto";
import { h } from "./dom";
import { formatDateTime } from "./format";
import { hasMessage, type MessageKey, t } from "./i18n";

export interface SyncScreen {
  element: HTMLElement;
  /** Loads the panel the first time the screen is shown. */
  show(): Promise<void>;
  /** A panel pushed from Rust. */
  update(panel: SyncPanelDto): void;
  panel(): SyncPanelDto | null;
  render(): void;
}

export interface SyncScreenOptions {
  load?: () => Promise<SyncPanelDto>;
  dismiss?: (mutationId: string) => Promise<SyncPanelDto>;
  retry?: (mutationId: string) => Promise<SyncPanelDto>;
  now?: () => Promise<boolean>;
  /** Signs out (then the app shows the sign-in screen). */
  signOut?: () => Promise<void>;
  /** The panel changed (the header badge follows the pending total). */
  changed?: (panel: SyncPanelDto) => void;
}

export function createSyncScreen(options: SyncScreenOptions = {}): SyncScreen {
  const load = options.load ?? syncPanel;
  const dismiss = options.dismiss ?? dismissAttention;
  const retry = options.retry ?? retryAttention;
  const now = options.now ?? syncNow;
  const body = h("div", { class: "sync-body" });
  const element = h("section", { class: "screen sync-screen", attrs: { "data-screen": "sync" } }, body);
  let current: SyncPanelDto | null = null;
  let problem: ApiError | null = null;
  let loading: Promise<void> | null = null;

  function update(panel: SyncPanelDto): void {
    current = panel;
    options.changed?.(panel);
    render();
  }

  async function run(action: () => Promise<SyncPanelDto>): Promise<void> {
    problem = null;
    try {
      update(await action());
    } catch (error) {
      problem = error as ApiError;
      render();
    }
  }

  function attentionRow(a: AttentionDto): HTMLElement {
    const retryButton = h("button", { class: "button", text: t("sync.retry"), attrs: { type: "button", "data-testid": "attention-retry" } });
    retryButton.addEventListener("click", () => void run(() => retry(a.mutation_id)));
    const dismissButton = h("button", { class: "button button-quiet", text: t("sync.dismiss"), attrs: { type: "button", "data-testid": "attention-dismiss" } });
    dismissButton.addEventListener("click", () => void run(() => dismiss(a.mutation_id)));
    const what =
      a.entity === "ticket"
        ? t("sync.whatTicket", { op: eventName(a.op) })
        : a.entity === "staff_photo"
          ? t("card.photoAlt")
          : t("sync.whatVisit");
    return h(
      "li",
      { class: "plain-item attention-row", attrs: { "data-testid": "attention-row", "data-mutation-id": a.mutation_id, "data-code": a.code } },
      h("span", { class: "plain-title", text: `${what} · ${formatDateTime(a.device_time)}` }),
      h("span", { class: "plain-meta attention-reason", text: reasonText(a) }),
      h("div", { class: "attention-actions" }, retryButton, dismissButton),
    );
  }

  function signOutButton(): HTMLElement {
    const button = h("button", { class: "button button-quiet button-wide", text: t("login.signOut"), attrs: { type: "button", "data-testid": "sign-out" } });
    button.addEventListener("click", () => {
      void (options.signOut ?? (() => signOut().then(() => window.location.reload())))().catch((error: unknown) => {
        problem = error as ApiError;
        render();
      });
    });
    return button;
  }

  function render(): void {
    if (!current) {
      body.replaceChildren(h("p", { class: "muted", text: t("common.loading") }));
      return;
    }
    const p = current;
    const progress = p.progress
      ? h(
          "div",
          { class: "sync-progress-box" },
          h("progress", { class: "sync-progress", attrs: { "data-testid": "sync-progress", max: String(Math.max(p.progress.total, 1)), value: String(p.progress.done) } }),
          h("span", { class: "muted", text: t("sync.progress", { done: p.progress.done, total: p.progress.total }) }),
        )
      : null;
    const syncButton = h("button", { class: "button button-wide", text: t("sync.now"), attrs: { type: "button", "data-testid": "sync-now" } });
    syncButton.disabled = !p.central || p.state === "syncing";
    syncButton.addEventListener("click", () => void now().catch(() => false));
    const row = (label: MessageKey, value: Node | string) =>
      h("div", { class: "fact" }, h("dt", { text: t(label) }), h("dd", {}, value));
    const nodes: (Node | null)[] = [
      h("h2", { class: "section-title", text: t("tab.sync") }),
      h(
        "div",
        { class: "card-block" },
        h(
          "p",
          { class: "sync-state-line" },
          h("span", { class: "sync-state", attrs: { "data-testid": "sync-state", "data-state": p.state }, text: t(`sync.state.${p.state}` as MessageKey) }),
        ),
        p.central ? null : h("p", { class: "hint", text: t("sync.noCentral") }),
        h(
          "dl",
          { class: "facts" },
          row("sync.pendingTotal", h("span", { attrs: { "data-testid": "sync-pending-total" }, text: String(p.pending.total) })),
          row("sync.pendingPriority", h("span", { attrs: { "data-testid": "sync-pending-priority" }, text: String(p.pending.priority) })),
          row("sync.pendingBulk", h("span", { attrs: { "data-testid": "sync-pending-bulk" }, text: String(p.pending.bulk) })),
          row(
            "sync.lastOk",
            h("span", {
              attrs: { "data-testid": "sync-last-ok", ...(p.last_success_at ? { "data-at": p.last_success_at } : {}) },
              text: p.last_success_at ? formatDateTime(p.last_success_at) : t("sync.never"),
            }),
          ),
        ),
        progress,
        p.last_error && p.state !== "syncing"
          ? h("p", { class: "form-error sync-error", attrs: { "data-code": p.last_error.code }, text: p.last_error.message })
          : null,
        syncButton,
      ),
      problem ? h("p", { class: "form-error", attrs: { role: "alert", "data-code": problem.code }, text: problem.message }) : null,
      p.central ? signOutButton() : null,
      h("h3", { class: "section-title", text: t("sync.attention", { count: p.attention.length }) }),
      p.attention.length
        ? h("ul", { class: "plain-list attention-list" }, ...p.attention.map(attentionRow))
        : h("p", { class: "muted", text: t("sync.noAttention") }),
    ];
    body.replaceChildren(...nodes.filter((n): n is Node => n !== null));
  }

  function show(): Promise<void> {
    loading ??= (async () => {
      try {
        update(await load());
      } catch (error) {
        loading = null;
        problem = error as ApiError;
        body.replaceChildren(h("div", { class: "error-box", attrs: { role: "alert" } }, h("p", { class: "error-detail", text: problem.message })));
      }
    })();
    return loading;
  }

  render();
  return { element, show, update, panel: () => current, render };
}

function eventName(op: string): string {
  const key = `event.${op}`;
  return hasMessage(key) ? t(key) : op;
}

function reasonText(a: AttentionDto): string {
  const key = `sync.reason.${a.code}`;
  return hasMessage(key) ? `${t(key)}（${a.message}）` : `${a.code}: ${a.message}`;
}
