// Charts as inline SVG from pure functions: the geometry is computed here
// (and tested), the DOM is a thin wrapper. No chart library: the charts are
// small (a rate ring, horizontal bars, a histogram), and an SVG with a
// viewBox scales to a 360 px phone and a desktop alike.

const SVG = "http://www.w3.org/2000/svg";

export interface Bar {
  label: string;
  value: number;
  /** Text at the bar's end (`92%`, `14 分钟`). */
  text: string;
  /** CSS class suffix: `good`, `warn`, `bad`. */
  tone: string;
}

export interface BarGeometry extends Bar {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The tone of an on-time rate: green from 95%, amber from 80%, red below. */
export function rateTone(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return "none";
  if (rate >= 0.95) return "good";
  if (rate >= 0.8) return "warn";
  return "bad";
}

/** `92%`, or `—` when there is nothing to rate. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined || !Number.isFinite(rate) ? "—" : `${Math.round(rate * 100)}%`;
}

/**
 * Horizontal bars in a `width`-wide box: one row of `rowHeight` per bar,
 * the label column `labelWidth` wide, bar length proportional to
 * `value / max` (max defaults to the largest value, at least 1e-9).
 */
export function horizontalBars(
  bars: Bar[],
  opts: { width?: number; rowHeight?: number; labelWidth?: number; textWidth?: number; max?: number } = {},
): { width: number; height: number; bars: BarGeometry[] } {
  const width = opts.width ?? 320;
  const rowHeight = opts.rowHeight ?? 28;
  const labelWidth = opts.labelWidth ?? 84;
  const textWidth = opts.textWidth ?? 48;
  const max = Math.max(opts.max ?? 0, ...bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)), 1e-9);
  const room = Math.max(0, width - labelWidth - textWidth);
  return {
    width,
    height: bars.length * rowHeight,
    bars: bars.map((b, i) => ({
      ...b,
      x: labelWidth,
      y: i * rowHeight + 4,
      width: Number.isFinite(b.value) && b.value > 0 ? (Math.min(b.value, max) / max) * room : 0,
      height: rowHeight - 8,
    })),
  };
}

export interface Bin {
  /** Lower bound, inclusive. */
  from: number;
  /** Upper bound, exclusive; Infinity for the overflow bin. */
  to: number;
  count: number;
}

/**
 * Counts `values` into bins of `width` from 0 up to `limit`, and one
 * overflow bin from `limit` on. Negative and non-finite values are ignored.
 */
export function histogramBins(values: number[], width: number, limit: number): Bin[] {
  const n = Math.max(1, Math.ceil(limit / width));
  const bins: Bin[] = Array.from({ length: n }, (_, i) => ({ from: i * width, to: Math.min((i + 1) * width, limit), count: 0 }));
  bins.push({ from: limit, to: Infinity, count: 0 });
  for (const v of values) {
    if (!Number.isFinite(v) || v < 0) continue;
    const index = v >= limit ? n : Math.floor(v / width);
    bins[index]!.count += 1;
  }
  return bins;
}

export interface Column {
  label: string;
  value: number;
  tone: string;
}

export interface ColumnGeometry extends Column {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Whether the label is drawn: every k-th one, so labels of `labelWidth` never overlap. */
  showLabel: boolean;
}

/** Vertical columns over a baseline at `height - axis`, scaled to the largest value. */
export function columns(
  cols: Column[],
  opts: { width?: number; height?: number; axis?: number; gap?: number; labelWidth?: number } = {},
): { width: number; height: number; baseline: number; columns: ColumnGeometry[] } {
  const width = opts.width ?? 320;
  const height = opts.height ?? 160;
  const axis = opts.axis ?? 20;
  const gap = opts.gap ?? 4;
  const baseline = height - axis;
  const max = Math.max(1e-9, ...cols.map((c) => (Number.isFinite(c.value) ? c.value : 0)));
  const slot = cols.length ? width / cols.length : width;
  const every = Math.max(1, Math.ceil((opts.labelWidth ?? 30) / slot));
  return {
    width,
    height,
    baseline,
    columns: cols.map((c, i) => {
      const h = Number.isFinite(c.value) && c.value > 0 ? (c.value / max) * (baseline - 12) : 0;
      return { ...c, x: i * slot + gap / 2, y: baseline - h, width: Math.max(1, slot - gap), height: h, showLabel: i % every === 0 };
    }),
  };
}

/** The arc of a rate ring: the SVG path from 12 o'clock clockwise over `rate` of the circle. */
export function ringArc(rate: number, cx: number, cy: number, r: number): string {
  const f = Math.min(Math.max(Number.isFinite(rate) ? rate : 0, 0), 0.9999);
  const angle = f * 2 * Math.PI;
  const x = cx + r * Math.sin(angle);
  const y = cy - r * Math.cos(angle);
  const large = f > 0.5 ? 1 : 0;
  return `M ${cx} ${cy - r} A ${r} ${r} 0 ${large} 1 ${round(x)} ${round(y)}`;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

// ---- DOM -------------------------------------------------------------------

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(width: number, height: number, label: string, cls: string): SVGSVGElement {
  const root = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: `chart ${cls}`, preserveAspectRatio: "xMinYMin meet" });
  root.append(el("title", {}, label));
  return root;
}

/** A ring showing an on-time rate with the percentage in the middle. */
export function rateRing(rate: number | null | undefined, label: string): SVGSVGElement {
  const root = svg(120, 120, `${label} ${percent(rate)}`, "chart-ring");
  root.append(el("circle", { cx: 60, cy: 60, r: 48, class: "ring-track" }));
  if (rate !== null && rate !== undefined && Number.isFinite(rate) && rate > 0) {
    if (rate >= 0.9999) root.append(el("circle", { cx: 60, cy: 60, r: 48, class: `ring-value tone-${rateTone(rate)}` }));
    else root.append(el("path", { d: ringArc(rate, 60, 60, 48), class: `ring-value tone-${rateTone(rate)}` }));
  }
  root.append(el("text", { x: 60, y: 66, "text-anchor": "middle", class: "ring-text" }, percent(rate)));
  return root;
}

/** Horizontal bars with labels and values. */
export function barChart(bars: Bar[], label: string, max?: number): SVGSVGElement {
  const g = horizontalBars(bars, { max });
  const root = svg(g.width, Math.max(g.height, 1), label, "chart-bars");
  for (const b of g.bars) {
    const mid = b.y + b.height / 2 + 5;
    root.append(
      el("text", { x: 0, y: mid, class: "bar-label" }, b.label.length > 6 ? `${b.label.slice(0, 6)}…` : b.label),
      el("rect", { x: b.x, y: b.y, width: round(b.width), height: b.height, rx: 3, class: `bar tone-${b.tone}` }),
      el("text", { x: b.x + b.width + 4, y: mid, class: "bar-text" }, b.text),
    );
  }
  return root;
}

/** Vertical columns with a label under each. */
export function columnChart(cols: Column[], label: string): SVGSVGElement {
  const g = columns(cols);
  const root = svg(g.width, g.height, label, "chart-columns");
  root.append(el("line", { x1: 0, y1: g.baseline, x2: g.width, y2: g.baseline, class: "axis" }));
  for (const c of g.columns) {
    root.append(el("rect", { x: round(c.x), y: round(c.y), width: round(c.width), height: round(c.height), class: `bar tone-${c.tone}` }));
    if (c.value > 0 && c.showLabel) root.append(el("text", { x: round(c.x + c.width / 2), y: round(c.y - 2), "text-anchor": "middle", class: "col-value" }, String(c.value)));
    if (c.showLabel) root.append(el("text", { x: round(c.x + c.width / 2), y: g.height - 5, "text-anchor": "middle", class: "col-label" }, c.label));
  }
  return root;
}
