import { SHIFTS } from './crops';

const SVG = 'http://www.w3.org/2000/svg';
const W = 360;
const H = 200;
const M = { left: 40, right: 10, top: 10, bottom: 32 };

function node<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  parent?.appendChild(el);
  return el;
}

const x = (i: number) => M.left + (i / (SHIFTS * SHIFTS - 1)) * (W - M.left - M.right);
const y = (p: number) => M.top + (1 - p) * (H - M.top - M.bottom);

/** An empty plot of P(class) over the 64 crops; {@link drawShiftPlot} fills it. */
export function createShiftPlot(): SVGSVGElement {
  const svg = node('svg', { viewBox: `0 0 ${W} ${H}`, class: 'shift-plot', role: 'img' });
  const axes = node('g', { class: 'axes' }, svg);
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    node('line', { x1: M.left, x2: W - M.right, y1: y(p), y2: y(p), class: 'grid' }, axes);
    node('text', { x: M.left - 6, y: y(p) + 4, 'text-anchor': 'end' }, axes).textContent = p.toFixed(2);
  }
  // One band per crop row (top = 0..7): the 8 crops of a row are one horizontal sweep.
  for (let top = 0; top <= SHIFTS; top++) node('line', { x1: x(Math.min(top * SHIFTS, 63)), x2: x(Math.min(top * SHIFTS, 63)), y1: M.top, y2: H - M.bottom, class: 'row' }, axes);
  for (let top = 0; top < SHIFTS; top++) node('text', { x: (x(top * SHIFTS) + x(top * SHIFTS + SHIFTS - 1)) / 2, y: H - M.bottom + 14, 'text-anchor': 'middle' }, axes).textContent = String(top);
  node('text', { x: (M.left + W - M.right) / 2, y: H - 4, 'text-anchor': 'middle', class: 'label' }, axes).textContent = 'crop: top offset (left offset 0–7 within each band)';
  node('polyline', { class: 'series', points: '' }, svg);
  node('line', { class: 'cursor', x1: 0, x2: 0, y1: M.top, y2: H - M.bottom }, svg);
  node('circle', { class: 'marker', r: 5, cx: 0, cy: 0 }, svg);
  return svg;
}

/**
 * Draws `values` (P(class) of crop `top·8 + left`, 64 values) and marks crop `current`. The values and the marked
 * crop are also left in `data-values` and `data-current`, for tests and for anyone reading the page's data.
 */
export function drawShiftPlot(svg: SVGSVGElement, values: number[], current: number, title: string): void {
  svg.querySelector('.series')?.setAttribute('points', values.map((p, i) => `${x(i).toFixed(2)},${y(p).toFixed(2)}`).join(' '));
  const cursor = svg.querySelector('.cursor');
  cursor?.setAttribute('x1', x(current).toFixed(2));
  cursor?.setAttribute('x2', x(current).toFixed(2));
  const marker = svg.querySelector('.marker');
  marker?.setAttribute('cx', x(current).toFixed(2));
  marker?.setAttribute('cy', y(values[current] ?? 0).toFixed(2));
  svg.setAttribute('aria-label', title);
  svg.dataset.values = JSON.stringify(values);
  svg.dataset.current = String(current);
}
