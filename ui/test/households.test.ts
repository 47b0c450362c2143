import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { HouseholdHit } from "../src/api";
import { createHouseholdsScreen, SEARCH_DEBOUNCE_MS } from "../src/households";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";

const HITS: HouseholdHit[] = [
  {
    id: "hh-1",
    account_no: "0102030405",
    resident_name: "王秀英",
    address: "历下区 和平小区 3号楼 2单元 501",
    community: "和平小区",
    phone_masked: "138****1234",
    heating_status: "active",
  },
  {
    id: "hh-2",
    account_no: "0102030406",
    resident_name: "李建国",
    address: "历下区 和平小区 3号楼 2单元 502",
    community: "和平小区",
    phone_masked: "139****5678",
    heating_status: "suspended",
  },
];

function mount() {
  const screen = createHouseholdsScreen();
  document.body.replaceChildren(screen.element);
  return screen;
}

const items = () => [...document.querySelectorAll<HTMLLIElement>(".hh-item")];

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe("households screen", () => {
  it("searches with an empty query on mount and renders the hits", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "search_households") return HITS;
      throw new Error(`unexpected command ${cmd}`);
    });

    const screen = mount();
    expect(document.querySelector(".hh-loading")?.textContent).toBe("正在加载…");
    await screen.ready;

    expect(calls).toEqual([{ cmd: "search_households", args: { query: "" } }]);
    expect(screen.state().kind).toBe("loaded");
    expect(document.querySelector(".hh-count")?.textContent).toBe("共 2 户");
    const [first, second] = items();
    expect(items()).toHaveLength(2);
    expect(first!.dataset.id).toBe("hh-1");
    expect(first!.querySelector(".hh-name")?.textContent).toBe("王秀英");
    expect(first!.querySelector(".hh-address")?.textContent).toBe("历下区 和平小区 3号楼 2单元 501");
    expect(first!.querySelector(".hh-account")?.textContent).toBe("户号 0102030405");
    expect(first!.querySelector(".hh-status")?.textContent).toBe("供暖中");
    expect(second!.querySelector(".hh-status")?.textContent).toBe("已报停");
  });

  it("shows the empty state when nothing matches", async () => {
    mockIPC(() => []);
    const screen = mount();
    await screen.ready;
    expect(items()).toHaveLength(0);
    expect(document.querySelector(".hh-empty")?.textContent).toBe("没有找到住户");
  });

  it("submits the typed query, trimmed", async () => {
    const queries: string[] = [];
    mockIPC((_cmd, args) => {
      const query = (args as { query: string }).query;
      queries.push(query);
      return HITS.filter((hit) => hit.resident_name.includes(query));
    });
    const screen = mount();
    await screen.ready;

    const input = document.querySelector<HTMLInputElement>(".search-input")!;
    input.value = "  李 ";
    input.form!.requestSubmit();
    await vi.waitFor(() => expect(items()).toHaveLength(0));
    expect(queries).toEqual(["", "李"]);

    input.value = "李建国";
    await screen.search(input.value);
    expect(items().map((li) => li.dataset.id)).toEqual(["hh-2"]);
  });

  it("debounces typing into one search", async () => {
    vi.useFakeTimers();
    const queries: string[] = [];
    mockIPC((_cmd, args) => {
      queries.push((args as { query: string }).query);
      return HITS;
    });
    const screen = mount();
    await screen.ready;

    const input = document.querySelector<HTMLInputElement>(".search-input")!;
    for (const value of ["王", "王秀", "王秀英"]) {
      input.value = value;
      input.dispatchEvent(new Event("input"));
    }
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    expect(queries).toEqual(["", "王秀英"]);
  });

  it("shows only the newest result when searches overlap", async () => {
    const pending = new Map<string, (hits: HouseholdHit[]) => void>();
    mockIPC((_cmd, args) => new Promise((resolve) => pending.set((args as { query: string }).query, resolve)));
    const screen = mount();
    const slow = screen.search("slow");
    const fast = screen.search("fast");
    await vi.waitFor(() => expect(pending.size).toBe(3));
    pending.get("fast")!([HITS[1]!]);
    await fast;
    pending.get("slow")!(HITS);
    pending.get("")!(HITS);
    await slow;
    await screen.ready;
    expect(items().map((li) => li.dataset.id)).toEqual(["hh-2"]);
  });

  it("shows a {code, message} error from Rust, and retries", async () => {
    let fail = true;
    mockIPC(() => {
      if (fail) throw { code: "store_unavailable", message: "数据库无法打开" };
      return HITS;
    });
    const screen = mount();
    await screen.ready;

    expect(screen.state()).toMatchObject({ kind: "failed", error: { code: "store_unavailable" } });
    const alert = document.querySelector('[role="alert"]')!;
    expect(alert.querySelector(".hh-error-title")?.textContent).toBe("住户加载失败");
    expect(alert.querySelector(".hh-error-detail")?.textContent).toBe("数据库无法打开");
    expect(items()).toHaveLength(0);

    fail = false;
    alert.querySelector<HTMLButtonElement>("button")!.click();
    await vi.waitFor(() => expect(items()).toHaveLength(2));
    expect(document.querySelector('[role="alert"]')).toBeNull();
  });

  it("shows Tauri's own string rejection (command not registered) as an error too", async () => {
    mockIPC(() => Promise.reject("Command search_households not found"));
    const screen = mount();
    await screen.ready;
    expect(screen.state()).toEqual({
      kind: "failed",
      query: "",
      error: { code: "unknown", message: "Command search_households not found" },
    });
    expect(document.querySelector(".hh-error-detail")?.textContent).toBe("Command search_households not found");
  });

  it("re-renders its texts in English", async () => {
    mockIPC(() => HITS);
    const screen = mount();
    await screen.ready;
    setLocale("en");
    screen.render();
    expect(document.querySelector(".hh-count")?.textContent).toBe("2 households");
    expect(items()[0]!.querySelector(".hh-account")?.textContent).toBe("Account 0102030405");
    expect(document.querySelector<HTMLInputElement>(".search-input")!.placeholder).toBe("Name, address or account no.");
    expect(document.querySelector(".search-button")?.textContent).toBe("Search");
  });
});
