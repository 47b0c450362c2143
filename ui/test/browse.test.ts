import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBrowseScreen } from "../src/browse";
import { DEFAULT_LOCALE, setLocale } from "../src/i18n";
import { mockCommands } from "./fixtures";

const COMMUNITY = { id: "c-1", name: "鑫隆帝景城", initials: "xldjc", household_count: 120, suspended_count: 7 };
const BUILDING = { id: "b-1", number: 1, label: "1号楼", unit_count: 2, household_count: 24, suspended_count: 0 };
const UNIT = { id: "u-2", number: 2, household_count: 12, suspended_count: 1 };
const ROW = { id: "hh-9", room: "301", resident_name: "赵敏", account_no: "SH0009", status: "suspended", valve: { state: "sealed", seal_no: "SH-1" } };

beforeEach(() => setLocale(DEFAULT_LOCALE));
afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

const titles = () => [...document.querySelectorAll(".browse-title")].map((e) => e.textContent);
const crumbs = () => [...document.querySelectorAll(".crumb")].map((e) => e.textContent);
const click = async (text: string, screen: { level(): unknown }) => {
  const target = [...document.querySelectorAll<HTMLButtonElement>(".browse-entry, button.crumb")].find((b) =>
    b.textContent?.startsWith(text),
  )!;
  const before = screen.level();
  target.click();
  await new Promise((resolve) => setTimeout(resolve, 0));
  return before;
};

describe("browse by place", () => {
  it("goes community → building → unit → household and back up by the breadcrumb", async () => {
    const calls = mockCommands({
      communities: [COMMUNITY],
      buildings: [BUILDING],
      units: [UNIT],
      households_in_unit: [ROW],
    });
    const opened: string[] = [];
    const screen = createBrowseScreen((id) => opened.push(id));
    document.body.replaceChildren(screen.element);
    await screen.go({ kind: "communities" });
    expect(titles()).toEqual(["鑫隆帝景城"]);
    expect(document.querySelector(".browse-meta")?.textContent).toBe("120 户 · 报停 7");

    await click("鑫隆帝景城", screen);
    expect(titles()).toEqual(["1号楼"]);
    await click("1号楼", screen);
    expect(titles()).toEqual(["2单元"]);
    await click("2单元", screen);
    expect(titles()).toEqual(["301室 赵敏"]);
    expect(document.querySelector(".browse-meta")?.textContent).toBe("已报停 · 已铅封");
    expect(crumbs()).toEqual(["全部小区", "鑫隆帝景城", "1号楼", "2单元"]);

    await click("301室", screen);
    expect(opened).toEqual(["hh-9"]);

    await click("鑫隆帝景城", screen);
    expect(screen.level()).toMatchObject({ kind: "buildings" });
    expect(titles()).toEqual(["1号楼"]);

    expect(calls.map((c) => [c.cmd, c.args])).toEqual([
      ["communities", {}],
      ["buildings", { communityId: "c-1" }],
      ["units", { buildingId: "b-1" }],
      ["households_in_unit", { unitId: "u-2" }],
      ["buildings", { communityId: "c-1" }],
    ]);
  });
});
