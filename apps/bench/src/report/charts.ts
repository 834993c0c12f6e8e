import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import { lineChartSpec, type LineChartOptions } from './chartSpec';
import { textWidth } from './textWidth';

export type { LineChartOptions, Series } from './chartSpec';

/** The part of Vega's text measurer we replace (`vega.textMetrics`; not in its typings). */
interface TextMetrics {
  width: (item: { fontSize?: number; fontWeight?: string | number }, text: unknown) => number;
}
const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;

/**
 * Without a canvas Vega guesses every character to be 0.8 em wide, which leaves titles and legends far roomier than
 * the text. Vega lets a caller supply its own measure (as vl-convert does); ours uses real glyph widths while a chart
 * renders, and puts Vega's back afterwards.
 */
const measure: TextMetrics['width'] = (item, text) => {
  const weight = item.fontWeight;
  const bold = weight === 'bold' || (typeof weight === 'number' && weight >= 600);
  return textWidth(text === null || text === undefined ? '' : String(text).trim(), item.fontSize ?? 11, bold);
};
let rendering = 0;
let vegaWidth: TextMetrics['width'] = metrics.width;

/** FNV-1a of a string, as 8 hex digits: a stable name for a chart's SVG ids. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * Renders a Vega-Lite spec to an SVG string in Node: no canvas, no network (the data is inline). Vega numbers its
 * clip paths per process, so two charts inlined in one page could share an id: each chart's ids are renamed after
 * its content.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  if (rendering++ === 0) {
    vegaWidth = metrics.width;
    metrics.width = measure;
  }
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const prefix = `c${hash(JSON.stringify(spec))}-`;
    return svg.replace(/id="(clip\d+)"/g, `id="${prefix}$1"`).replace(/url\(#(clip\d+)\)/g, `url(#${prefix}$1)`) + '\n';
  } finally {
    view.finalize();
    if (--rendering === 0) metrics.width = vegaWidth;
  }
}

/**
 * A line chart as a standalone SVG, drawn by Vega-Lite: axes with round ticks (whole numbers only with `integerX`),
 * one line per series in colour-blind-safe colours and dashes, the legend below the plot, the title wrapped to fit.
 */
export async function lineChart(options: LineChartOptions): Promise<string> {
  return renderSvg(lineChartSpec(options));
}
