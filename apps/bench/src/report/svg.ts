/** One line of a chart. */
export interface Series {
  name: string;
  /** `[x, y]` points, drawn in order; non-finite values are skipped. */
  points: readonly (readonly [number, number])[];
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  /** Fixed y range (e.g. `[0, 1]` for probabilities); default from the data. */
  yDomain?: readonly [number, number];
  /** Draw a dot on each point (useful with few points). Default when a series has at most 40 points. */
  markers?: boolean;
  /** Only whole-number ticks on the x axis (epochs, indices). */
  integerX?: boolean;
}

/** Colour-blind-safe palette (Okabe–Ito). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Round numbers (1, 2, 5 × 10^k) covering `[lo, hi]` with about `count` ticks. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag) as number;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

/**
 * A self-contained SVG line chart: axes with round-number ticks and grid lines, axis labels, a title, one
 * coloured line per series and a legend. No dependencies: the report embeds it inline.
 */
export function lineChart({ title, xLabel, yLabel, series, width = 560, height = 340, yDomain, markers, integerX = false }: LineChartOptions): string {
  const m = { top: 34, right: 16, bottom: 46, left: 60 };
  const legendRows = series.length;
  const legendH = legendRows * 16 + 6;
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom - legendH;
  const pts = series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  let [x0, x1] = pts.length ? [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))] : [0, 1];
  let [y0, y1] = yDomain ?? (pts.length ? [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))] : [0, 1]);
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  // One value: a small band around it, so the ticks stay distinct and readable.
  if (y1 === y0) [y0, y1] = [y0 - Math.max(0.05, Math.abs(y0) * 0.1), y1 + Math.max(0.05, Math.abs(y1) * 0.1)];
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number) => m.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
  );
  const xTicks = niceTicks(x0, x1, 6).filter((t) => !integerX || Number.isInteger(t));
  for (const t of integerX && xTicks.length === 0 ? [Math.round(x0)] : xTicks) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text x="${x}" y="${m.top + plotH + 15}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(y0, y1, 5)) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${(Number(y) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${m.left + plotW / 2}" y="${m.top + plotH + 34}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] as string;
    const good = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (good.length > 0) {
      const d = good.map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
      parts.push(`<path class="series" data-name="${esc(s.name)}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
      if (markers ?? good.length <= 40) {
        for (const [x, y] of good) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${colour}"/>`);
      }
    }
    const ly = height - legendH + 8 + i * 16;
    parts.push(
      `<line x1="${m.left}" x2="${m.left + 22}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${m.left + 28}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
