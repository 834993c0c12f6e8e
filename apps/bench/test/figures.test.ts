import { logGamma } from '../src/claims/stats';
import { betaDensity, betaCurves } from '../src/figures/beta';
import { formatDuration } from '../src/estimate';

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

describe('time estimate', () => {
  it('formats durations', () => {
    expect(formatDuration(40)).toBe('40 s');
    expect(formatDuration(900)).toBe('15 min');
    expect(formatDuration(3 * 3600 + 300)).toBe('3 h 05 min');
  });
});
