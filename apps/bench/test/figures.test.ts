import { betaDensity, betaCurves, logGamma } from '../src/experiments/beta';
import { choosePreset, estimateSeconds, formatDuration } from '../src/estimate';
import { lineChart, niceTicks } from '../src/report/svg';

describe('lineChart', () => {
  const svg = lineChart({
    title: 'Accuracy <per> epoch',
    xLabel: 'epoch',
    yLabel: 'test accuracy',
    series: [
      { name: 'plain', points: [[1, 0.5], [2, 0.6], [3, 0.7]] },
      { name: 'anti-aliased', points: [[1, 0.55], [2, Number.NaN], [3, 0.75]] },
    ],
    width: 400,
    height: 300,
  });

  it('is a standalone SVG with title, axis labels, escaped text and a legend', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Accuracy &lt;per&gt; epoch');
    expect(svg).toContain('>epoch</text>');
    expect(svg).toContain('>test accuracy</text>');
    expect(svg.match(/<path class="series"/g)).toHaveLength(2);
    expect(svg).toContain('>plain</text>');
    expect(svg).toContain('>anti-aliased</text>');
  });

  it('maps data to pixels: x from the left margin to the right edge, y upwards', () => {
    const d = /data-name="plain" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    const pts = d.split(/[ML]/).filter(Boolean).map((p) => p.split(',').map(Number));
    // Left margin 60, right margin 16: x = 60 at epoch 1 and 384 at epoch 3; higher accuracy is higher up (smaller y).
    expect(pts[0]?.[0]).toBeCloseTo(60, 5);
    expect(pts[2]?.[0]).toBeCloseTo(384, 5);
    expect(pts[1]?.[0]).toBeCloseTo(222, 5);
    expect((pts[0]?.[1] as number) > (pts[2]?.[1] as number)).toBe(true);
  });

  it('skips non-finite points', () => {
    const d = /data-name="anti-aliased" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(d.split(/[ML]/).filter(Boolean)).toHaveLength(2);
  });

  it('picks round ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 30, 6)).toEqual([5, 10, 15, 20, 25, 30]);
    expect(niceTicks(0.37, 0.52, 5)).toEqual([0.4, 0.45, 0.5]);
  });
});

describe('Beta densities (figure 14.6)', () => {
  it('logGamma matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 10);
  });

  it('Beta(α, α) is symmetric, U-shaped for α < 1, and integrates to 1', () => {
    expect(betaDensity(0.5, 1)).toBeCloseTo(1, 12);
    expect(betaDensity(0.2, 0.3)).toBeCloseTo(betaDensity(0.8, 0.3), 12);
    expect(betaDensity(0.05, 0.3)).toBeGreaterThan(betaDensity(0.5, 0.3));
    // Midpoint rule on a fine grid of the substitution x = sin²(θ), which softens the endpoint singularities.
    const n = 20000;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const th = ((i + 0.5) / n) * (Math.PI / 2);
      const x = Math.sin(th) ** 2;
      total += betaDensity(x, 0.4) * 2 * Math.sin(th) * Math.cos(th) * (Math.PI / 2 / n);
    }
    expect(total).toBeCloseTo(1, 3);
  });

  it('betaCurves gives one curve per α', () => {
    const curves = betaCurves();
    expect(curves.map((c) => c.alpha)).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(curves[0]?.points).toHaveLength(199);
  });
});

describe('time estimate and preset choice', () => {
  const fast = { cnn: 4000, resnet: 400, resnetExtrapolated: false };
  it('adds training, evaluation and shift measurement', () => {
    const s = estimateSeconds(fast, ['shift'], { trainSize: 1000, testSize: 300, epochs: 2 });
    expect(s).toBeCloseTo(10 + (2 / 4000) * 2 * (1000 + 100) + (2 * 64 * 300) / (3 * 4000), 9);
  });
  it('takes the largest preset that fits the budget', () => {
    expect(choosePreset(fast, ['shift'], 1e9, { train: 50000, test: 10000 }).preset).toBe('chapter');
    expect(choosePreset({ cnn: 1, resnet: 0.05, resnetExtrapolated: true }, ['shift'], 900, { train: 50000, test: 10000 }).preset).toBe('smoke');
  });
  it('formats durations', () => {
    expect(formatDuration(40)).toBe('40 s');
    expect(formatDuration(900)).toBe('15 min');
    expect(formatDuration(3 * 3600 + 300)).toBe('3 h 05 min');
  });
});
