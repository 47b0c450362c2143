import { describe, expect, it } from "vitest";
import { barChart, columnChart, columns, histogramBins, horizontalBars, percent, rateRing, rateTone, ringArc } from "../src/chart";

describe("chart geometry", () => {
  it("scales horizontal bars to the largest value (or a given max) inside the room left by label and text", () => {
    const g = horizontalBars(
      [
        { label: "张三", value: 1, text: "100%", tone: "good" },
        { label: "李四", value: 0.5, text: "50%", tone: "bad" },
        { label: "王五", value: 0, text: "—", tone: "none" },
      ],
      { width: 332, labelWidth: 84, textWidth: 48, rowHeight: 28 },
    );
    expect(g.height).toBe(84);
    expect(g.bars.map((b) => [b.x, b.y, b.width, b.height])).toEqual([
      [84, 4, 200, 20],
      [84, 32, 100, 20],
      [84, 60, 0, 20],
    ]);
    // With max 2 the full bar is half as long.
    expect(horizontalBars([{ label: "a", value: 1, text: "", tone: "" }], { width: 332, max: 2 }).bars[0]!.width).toBe(100);
  });

  it("counts values into bins with an overflow bin, ignoring negatives and NaN", () => {
    const bins = histogramBins([0, 4.9, 5, 12, 29.99, 30, 95, -1, Number.NaN], 5, 30);
    expect(bins.map((b) => b.count)).toEqual([2, 1, 1, 0, 0, 1, 2]);
    expect(bins.at(-1)).toEqual({ from: 30, to: Infinity, count: 2 });
    expect(bins[0]).toEqual({ from: 0, to: 5, count: 2 });
  });

  it("puts columns on a baseline, the tallest reaching 12 px under the top", () => {
    const g = columns(
      [
        { label: "a", value: 10, tone: "good" },
        { label: "b", value: 5, tone: "bad" },
      ],
      { width: 100, height: 160, axis: 20, gap: 4 },
    );
    expect(g.baseline).toBe(140);
    expect(g.columns.map((c) => [c.x, c.y, c.width, c.height])).toEqual([
      [2, 12, 46, 128],
      [52, 76, 46, 64],
    ]);
    expect(g.columns.every((c) => c.showLabel)).toBe(true);
  });

  it("labels every k-th column when 30 days do not fit side by side", () => {
    const days = Array.from({ length: 30 }, (_, i) => ({ label: `11-${i + 1}`, value: i, tone: "good" }));
    // 320 px / 30 columns ≈ 10.7 px a slot; a 30 px label needs every third.
    const shown = columns(days, { width: 320, labelWidth: 30 }).columns.filter((c) => c.showLabel).map((c) => c.label);
    expect(shown).toEqual(days.filter((_, i) => i % 3 === 0).map((d) => d.label));
  });

  it("draws a ring arc clockwise from 12 o'clock, the large arc past half", () => {
    expect(ringArc(0.25, 60, 60, 48)).toBe("M 60 12 A 48 48 0 0 1 108 60");
    expect(ringArc(0.75, 60, 60, 48)).toBe("M 60 12 A 48 48 0 1 1 12 60");
  });

  it("tones and formats rates", () => {
    expect([rateTone(0.96), rateTone(0.85), rateTone(0.5), rateTone(null)]).toEqual(["good", "warn", "bad", "none"]);
    expect([percent(0.925), percent(null), percent(1)]).toEqual(["93%", "—", "100%"]);
  });
});

describe("chart SVG", () => {
  it("renders scalable SVG with a title for screen readers", () => {
    const ring = rateRing(0.9, "按时到达率");
    expect(ring.getAttribute("viewBox")).toBe("0 0 120 120");
    expect(ring.querySelector("title")?.textContent).toBe("按时到达率 90%");
    expect(ring.querySelector(".ring-value")?.getAttribute("class")).toContain("tone-warn");
    const bars = barChart([{ label: "一个很长的管家名字", value: 0.5, text: "50%", tone: "bad" }], "各管家");
    expect(bars.querySelector(".bar-label")?.textContent).toBe("一个很长的管…");
    expect(bars.querySelector(".bar-text")?.textContent).toBe("50%");
    const cols = columnChart([{ label: "11-26", value: 14, tone: "good" }], "中位");
    expect(cols.querySelectorAll("rect")).toHaveLength(1);
    expect(cols.querySelector(".col-label")?.textContent).toBe("11-26");
  });

  it("draws no arc for a missing rate", () => {
    expect(rateRing(null, "x").querySelector(".ring-value")).toBeNull();
    expect(rateRing(null, "x").querySelector(".ring-text")?.textContent).toBe("—");
  });
});
