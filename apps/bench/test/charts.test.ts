import { lineChart } from '../src/report/charts';
import { integerTicks, PALETTE, wrapText } from '../src/report/chartSpec';
import { textWidth } from '../src/report/textWidth';

/** The drawn lines of a chart: one `<path>` per series, named by its aria-label. */
function lines(svg: string): { name: string; points: [number, number][]; stroke: string }[] {
  return [...svg.matchAll(/<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="line mark" d="([^"]*)" stroke="([^"]*)"/g)].map((m) => ({
    name: (m[1] as string).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
    points: [...(m[2] as string).matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((p) => [Number(p[1]), Number(p[2])] as [number, number]),
    stroke: m[3] as string,
  }));
}

/** The tick labels of one axis (its last text is the axis title). */
function axisLabels(svg: string, axis: 'X' | 'Y'): string[] {
  const start = svg.indexOf(`aria-label="${axis}-axis`);
  const end = axis === 'X' ? svg.indexOf('aria-label="Y-axis', start) : svg.indexOf('role-mark', start);
  const texts = [...svg.slice(start, end).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string);
  return texts.slice(0, -1);
}

/** Lines of the chart title, in order. */
const titleLines = (svg: string) => {
  const group = svg.slice(svg.indexOf('role-title-text'));
  return [...group.slice(0, group.indexOf('</g>')).matchAll(/<(?:text|tspan)[^>]*>([^<]+)</g)].map((m) => m[1] as string);
};

const translate = (s: string) => /translate\(([-\d.]+),([-\d.]+)\)/.exec(s)?.slice(1).map(Number) as [number, number];

describe('lineChart (Vega-Lite)', () => {
  let svg: string;
  beforeAll(async () => {
    svg = await lineChart({
      title: 'Accuracy <per> epoch',
      xLabel: 'epoch',
      yLabel: 'test accuracy',
      series: [
        { name: 'plain', points: [[1, 0.5], [2, 0.6], [3, 0.7]] },
        { name: 'anti-aliased', points: [[1, 0.55], [2, Number.NaN], [3, 0.75]] },
      ],
      width: 400,
      height: 300,
      integerX: true,
    });
  });

  it('is a standalone SVG of the requested size with the escaped title and axis titles', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toMatch(/<svg[^>]* width="400" height="300"/);
    expect(titleLines(svg)).toEqual(['Accuracy &lt;per&gt; epoch']);
    expect(svg).toContain('>epoch</text>');
    expect(svg).toContain('>test accuracy</text>');
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('draws one path per series with one vertex per finite point, in the Okabe–Ito colours', () => {
    const drawn = lines(svg);
    expect(drawn.map((l) => l.name).sort()).toEqual(['anti-aliased', 'plain']);
    const plain = drawn.find((l) => l.name === 'plain');
    const aa = drawn.find((l) => l.name === 'anti-aliased');
    expect(plain?.points).toHaveLength(3);
    expect(aa?.points).toHaveLength(2); // the NaN point is skipped
    expect(plain?.stroke).toBe(PALETTE[0]);
    expect(aa?.stroke).toBe(PALETTE[1]);
  });

  it('maps data linearly: equal x steps are equal pixel steps, and higher values are higher up', () => {
    const p = lines(svg).find((l) => l.name === 'plain')?.points ?? [];
    const [a, b, c] = p as [[number, number], [number, number], [number, number]];
    // Without `nice`, epochs 1 and 3 are the plot's edges.
    expect(a[0]).toBeCloseTo(0, 6);
    expect(b[0] - a[0]).toBeCloseTo(c[0] - b[0], 6);
    expect(b[1] - a[1]).toBeCloseTo(c[1] - b[1], 2); // 0.5 → 0.6 → 0.7
    expect(a[1]).toBeGreaterThan(c[1]);
  });

  it('labels epochs with whole numbers only', () => {
    expect(axisLabels(svg, 'X')).toEqual(['1', '2', '3']);
  });

  it('keeps the legend below the plot, clear of the data', () => {
    const plotHeight = translate(svg.slice(svg.indexOf('aria-label="X-axis'), svg.indexOf('aria-label="X-axis') + 400))[1];
    const legend = svg.slice(svg.indexOf('role-legend"'));
    const legendTop = translate(legend.slice(legend.indexOf('<g transform')))[1];
    expect(legendTop).toBeGreaterThan(plotHeight);
    expect(legend).toContain('>plain</text>');
    expect(legend).toContain('>anti-aliased</text>');
  });

  it('gives a single point a readable axis: distinct y ticks around the value, one x tick at its epoch', async () => {
    const one = await lineChart({ title: 'one epoch', xLabel: 'epoch', yLabel: 'accuracy', series: [{ name: 'a', points: [[1, 0.1]] }], integerX: true });
    const y = axisLabels(one, 'Y');
    expect(y.length).toBeGreaterThanOrEqual(3);
    expect(new Set(y).size).toBe(y.length);
    const values = y.map(Number);
    expect(Math.min(...values)).toBeLessThan(0.1);
    expect(Math.max(...values)).toBeGreaterThan(0.1);
    expect(axisLabels(one, 'X')).toEqual(['1']);
    expect(lines(one)[0]?.points).toHaveLength(1);
    expect(one).toContain('aria-roledescription="point"'); // a lone point is drawn as a dot
    expect(one).not.toMatch(/NaN/);
  });

  it('keeps a flat non-negative series on a non-negative axis (an accuracy of 0 is not shown among negative ones)', async () => {
    const zero = await lineChart({ title: 'zero', xLabel: 'epoch', yLabel: 'accuracy', series: [{ name: 'a', points: [[1, 0]] }, { name: 'b', points: [[1, 0]] }], integerX: true });
    const y = axisLabels(zero, 'Y').map((t) => Number(t.replace('−', '-')));
    expect(y[0]).toBe(0);
    expect(Math.min(...y)).toBe(0);
    expect(y.length).toBeGreaterThanOrEqual(3);
  });

  it('thins whole-number ticks over many epochs and never labels fractions', async () => {
    const many = await lineChart({
      title: 'thirty epochs',
      xLabel: 'epoch',
      yLabel: 'accuracy',
      series: [{ name: 'a', points: Array.from({ length: 30 }, (_, e) => [e + 1, 0.3 + e / 100] as [number, number]) }],
      integerX: true,
    });
    const x = axisLabels(many, 'X').map(Number);
    expect(x.length).toBeGreaterThanOrEqual(3);
    expect(x.length).toBeLessThanOrEqual(12);
    for (const v of x) expect(Number.isInteger(v)).toBe(true);
    expect(lines(many)[0]?.points).toHaveLength(30);
  });

  it('wraps a long title into lines that fit the figure', async () => {
    const title = 'Exercise 5: the ReZero ResNet with blur-pooled strides against the plain ResNet, test accuracy per epoch';
    const chart = await lineChart({ title, xLabel: 'epoch', yLabel: 'accuracy', series: [{ name: 'a', points: [[1, 0.2], [2, 0.3]] }], width: 400 });
    const got = titleLines(chart);
    expect(got.length).toBeGreaterThan(1);
    expect(got.join(' ')).toBe(title);
    for (const line of got) expect(textWidth(line, 14, true)).toBeLessThanOrEqual(400 - 16);
  });

  it('clips to a fixed y range and gives each chart its own clip ids', async () => {
    const opts = { xLabel: 'x', yLabel: 'p', yDomain: [0, 1] as const, series: [{ name: 'p', points: [[0, 0.2], [1, 1.5]] as [number, number][] }] };
    const a = await lineChart({ ...opts, title: 'A' });
    const b = await lineChart({ ...opts, title: 'B' });
    const ids = (s: string) => [...s.matchAll(/<clipPath id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(a).length).toBeGreaterThan(0);
    expect(ids(a).filter((id) => ids(b).includes(id))).toEqual([]);
    expect(axisLabels(a, 'Y').map(Number)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('names the argument and the allowed values in its errors', async () => {
    const series = [{ name: 'a', points: [[0, 1]] as [number, number][] }];
    await expect(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [...series, ...series] })).rejects.toThrow(
      `lineChart: series[1].name must be different from the other series' names, got "a".`,
    );
    await expect(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series, width: 50 })).rejects.toThrow('lineChart: width must be an integer of at least 200 (pixels), got 50.');
    await expect(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series, yDomain: [1, 0] })).rejects.toThrow('lineChart: yDomain must be [low, high] with low < high, got [1,0].');
  });
});

describe('chart helpers', () => {
  it('measures text with DejaVu Sans advance widths', () => {
    // DejaVu Sans digits advance 1303/2048 em; bold digits 1425/2048 em (the fonts' hmtx tables); plus the 4% margin.
    expect(textWidth('0', 1000)).toBe(Math.ceil((1303 / 2048) * 1000 * 1.04));
    expect(textWidth('00', 1000, true)).toBe(Math.ceil(2 * (1425 / 2048) * 1000 * 1.04));
    expect(textWidth('\u{1F600}', 10)).toBe(11); // unmeasured: a full em
  });

  it('wraps at spaces to the width', () => {
    expect(wrapText('aaa bbb ccc', textWidth('aaa bbb', 10), 10)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapText('one', 1, 10)).toEqual(['one']);
  });

  it('picks whole-number ticks at 1, 2, 5 × 10^k steps', () => {
    expect(integerTicks(1, 5, 10)).toEqual([1, 2, 3, 4, 5]);
    expect(integerTicks(1, 30, 6)).toEqual([5, 10, 15, 20, 25, 30]);
    expect(integerTicks(0.5, 1.5, 8)).toEqual([1]);
  });
});
