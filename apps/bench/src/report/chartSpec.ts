import type { TopLevelSpec } from 'vega-lite';

import { textWidth } from './textWidth';

/** One line of a chart. */
export interface Series {
  name: string;
  /** `[x, y]` points, drawn in order; non-finite values are skipped. */
  points: readonly (readonly [number, number])[];
}

/** Options of `lineChart`. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Width of the whole figure (title and legend included) in pixels. Default 560. */
  width?: number;
  /** Height of the whole figure in pixels. Default 340. */
  height?: number;
  /** Fixed y range (e.g. `[0, 1]` for probabilities); default from the data. Lines are clipped to it. */
  yDomain?: readonly [number, number];
  /** Draw a dot on each point (useful with few points). Default when no series has more than 40 points. */
  markers?: boolean;
  /** Only whole-number ticks on the x axis (epochs, indices). */
  integerX?: boolean;
}

/** Colour-blind-safe palette (Okabe–Ito), in the order series get it. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export const DASHES = [[1, 0], [7, 3], [2, 2], [9, 3, 2, 3], [4, 4], [12, 4]];

export const FONT = 'system-ui, sans-serif';
export const TITLE_SIZE = 14;
const LABEL_SIZE = 11;
const LEGEND_SIZE = 12;
const PADDING = 8;

/** Breaks `text` at spaces into lines that each fit `width` at `fontSize` (a single over-long word gets its own line). */
export function wrapText(text: string, width: number, fontSize: number, bold = false): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, fontSize, bold) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

/** Round tick steps: 1, 2, 5 × 10^k. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
}

/** Whole-number ticks over `[lo, hi]`, about `count` of them, at steps of 1, 2, 5, 10, ... */
export function integerTicks(lo: number, hi: number, count: number): number[] {
  const step = Math.max(1, niceStep(hi - lo, count));
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) ticks.push(v);
  return ticks;
}

function fail(name: string, value: unknown, allowed: string): never {
  throw new Error(`lineChart: ${name} must be ${allowed}, got ${JSON.stringify(value)}.`);
}

function extent(values: number[]): [number, number] | null {
  if (values.length === 0) return null;
  return [Math.min(...values), Math.max(...values)];
}

/**
 * The data's range made into an axis range. A flat one (one point, or equal values) is widened so the axis gets
 * distinct, readable ticks; never below zero for data that are not (an accuracy of 0 gets 0 to 0.1, not a negative
 * axis).
 */
function widen([lo, hi]: [number, number], minPad: number): [number, number] {
  // A real range gets 5% of room each side, so points at the extremes do not sit on the plot's frame.
  if (hi > lo) return [lo >= 0 ? Math.max(0, lo - (hi - lo) * 0.05) : lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05];
  const pad = Math.max(minPad, Math.abs(lo) * 0.1);
  return lo >= 0 && lo - pad < 0 ? [0, 2 * pad] : [lo - pad, hi + pad];
}

/**
 * The Vega-Lite spec of a line chart: one coloured line per series (Okabe–Ito colours in series order), a legend
 * below the plot (so it never covers data), a title wrapped to the figure's width, and exactly `width` × `height`
 * pixels overall.
 */
export function lineChartSpec(o: LineChartOptions): TopLevelSpec {
  const width = o.width ?? 560;
  const height = o.height ?? 340;
  if (!Number.isInteger(width) || width < 200) fail('width', o.width, 'an integer of at least 200 (pixels)');
  if (!Number.isInteger(height) || height < 150) fail('height', o.height, 'an integer of at least 150 (pixels)');
  const names = o.series.map((s) => s.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) fail(`series[${i}].name`, n, 'different from the other series\' names');
  });
  if (o.yDomain && !(o.yDomain[0] < o.yDomain[1])) fail('yDomain', o.yDomain, '[low, high] with low < high');

  const rows = o.series.flatMap((s) =>
    s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y], i) => ({ series: s.name, x, y, i })),
  );
  const integerX = o.integerX ?? false;
  const xs = extent(rows.map((r) => r.x)) ?? [0, 1];
  // Integer axes get half a step of room on each side of a lone value, so its one tick sits in the middle.
  const xDomain = integerX ? (xs[1] > xs[0] ? xs : [xs[0] - 0.5, xs[1] + 0.5]) : widen(xs, 0.5);
  const yDomain = o.yDomain ? [o.yDomain[0], o.yDomain[1]] : widen(extent(rows.map((r) => r.y)) ?? [0, 1], 0.05);
  const markers = o.markers ?? o.series.every((s) => s.points.length <= 40);

  const inner = width - 2 * PADDING;
  const longest = Math.max(0, ...names.map((n) => textWidth(n, LEGEND_SIZE)));
  const columns = Math.max(1, Math.min(names.length, Math.floor(inner / (longest + 40))));

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width,
    height,
    autosize: { type: 'fit', contains: 'padding' },
    padding: PADDING,
    background: '#ffffff',
    title: { text: wrapText(o.title, inner, TITLE_SIZE, true), anchor: 'start', frame: 'bounds', fontSize: TITLE_SIZE, offset: 10 },
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, clip: Boolean(o.yDomain), point: markers ? { size: 30, filled: true } : false },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: o.xLabel,
        scale: { domain: xDomain, zero: false, nice: !integerX },
        axis: integerX ? { values: integerTicks(xDomain[0] as number, xDomain[1] as number, Math.max(2, Math.floor(inner / 60))), format: 'd' } : { tickCount: 6 },
      },
      y: {
        field: 'y',
        type: 'quantitative',
        title: o.yLabel,
        scale: { domain: yDomain, zero: false, nice: !o.yDomain },
        axis: { tickCount: 6 },
      },
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: names, range: names.map((_, i) => PALETTE[i % PALETTE.length] as string) },
        legend: names.length ? { orient: 'bottom', direction: 'horizontal', columns, title: null, symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 400, labelLimit: 0 } : null,
      },
      // Dashes as well as colours, so overlapping or similar-coloured lines stay apart.
      strokeDash: { field: 'series', type: 'nominal', scale: { domain: names, range: names.map((_, i) => DASHES[i % DASHES.length] as number[]) } },
      order: { field: 'i', type: 'quantitative' },
      description: { field: 'series', type: 'nominal' },
    },
    config: {
      font: FONT,
      title: { fontSize: TITLE_SIZE, fontWeight: 'bold', color: '#222' },
      axis: { labelFontSize: LABEL_SIZE, titleFontSize: 12, titleFontWeight: 'normal', titleColor: '#333', labelColor: '#333', gridColor: '#e8e8e8', domainColor: '#888', tickColor: '#888' },
      legend: { labelFontSize: LEGEND_SIZE, labelColor: '#222', columnPadding: 16, rowPadding: 4 },
      view: { stroke: '#bbb' },
    },
  };
}
