import { chainSchedules, cosineAnnealing, linearWarmup, sequentialSchedules, stepDecay } from '../src/schedules';
import fixtures from './fixtures/reference.json';

/** PyTorch's recursive CosineAnnealingLR.get_lr, written out independently (lr_t from lr_{t-1}). */
function pytorchRecursive(base: number, etaMin: number, T: number, steps: number): number[] {
  const lrs = [base];
  for (let t = 1; t <= steps; t++) {
    const prev = lrs[t - 1] as number;
    let lr: number;
    if ((t - 1 - T) % (2 * T) === 0) lr = prev + ((base - etaMin) * (1 - Math.cos(Math.PI / T))) / 2;
    else lr = ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (prev - etaMin) + etaMin;
    lrs.push(lr);
  }
  return lrs;
}

describe('cosineAnnealing', () => {
  const { lr0, T, etaMin, lrs } = fixtures.cosineAnnealing;
  const sched = cosineAnnealing({ tMax: T, etaMin });

  it('matches the CosineAnnealingLR fixture (T=30) at every epoch', () => {
    lrs.forEach((expected, t) => expect(Math.abs(sched(t, lr0) - expected)).toBeLessThan(1e-15));
  });

  it("agrees with PyTorch's recursive form over the fixture range and past T_max", () => {
    const recursive = pytorchRecursive(lr0, etaMin, T, 2 * T + 5);
    recursive.forEach((expected, t) => {
      if (t <= T) expect(Math.abs((lrs[t] as number) - expected)).toBeLessThan(1e-15);
      expect(Math.abs(sched(t, lr0) - expected)).toBeLessThan(1e-12);
    });
  });

  it('uses eta_min at T and in the closed form', () => {
    const s = cosineAnnealing({ tMax: 10, etaMin: 1e-4 });
    expect(s(10, 1e-2)).toBeCloseTo(1e-4, 15);
    expect(s(5, 1e-2)).toBeCloseTo(1e-4 + (1e-2 - 1e-4) / 2, 15);
    pytorchRecursive(1e-2, 1e-4, 10, 25).forEach((e, t) => expect(Math.abs(s(t, 1e-2) - e)).toBeLessThan(1e-12));
  });

  it('matches the lrs used in the adamw fixtures, including the climb after T', () => {
    for (const c of fixtures.adamw) {
      const s = cosineAnnealing({ tMax: c.cosineT });
      c.lrs_used.forEach((e, t) => expect(Math.abs(s(t, c.lr) - e)).toBeLessThan(1e-15));
    }
  });
});

describe('stepDecay, linearWarmup and composition', () => {
  it('stepDecay is StepLR: base·gamma^floor(t/stepSize)', () => {
    const s = stepDecay({ stepSize: 3, gamma: 0.5 });
    expect([0, 1, 2, 3, 5, 6, 9].map((t) => s(t, 0.8))).toEqual([0.8, 0.8, 0.8, 0.4, 0.4, 0.2, 0.1]);
    expect(stepDecay({ stepSize: 1 })(2, 1)).toBeCloseTo(0.01, 15);
  });

  it('linearWarmup is LinearLR to the base rate', () => {
    const s = linearWarmup({ steps: 4, startFactor: 0.2 });
    [0.2, 0.4, 0.6, 0.8, 1, 1, 1].forEach((f, t) => expect(s(t, 0.5)).toBeCloseTo(0.5 * f, 15));
    expect(linearWarmup()(0, 0.3)).toBeCloseTo(0.1, 15);
  });

  it('sequentialSchedules switches at milestones and restarts the next schedule at 0', () => {
    const s = sequentialSchedules([linearWarmup({ steps: 2, startFactor: 0.5 }), cosineAnnealing({ tMax: 4 })], [2]);
    const expected = [0.5, 0.75, 1, (1 + Math.cos(Math.PI / 4)) / 2, 0.5, (1 + Math.cos((3 * Math.PI) / 4)) / 2, 0];
    expected.forEach((e, t) => expect(s(t, 1)).toBeCloseTo(e, 14));
  });

  it('chainSchedules feeds each output as the next base rate (warm-up × cosine)', () => {
    const s = chainSchedules(linearWarmup({ steps: 2, startFactor: 0.5 }), cosineAnnealing({ tMax: 8 }));
    [0, 1, 2, 5].forEach((t) => {
      const warm = 0.5 + 0.5 * Math.min(t, 2) / 2;
      expect(s(t, 0.1)).toBeCloseTo((0.1 * warm * (1 + Math.cos((Math.PI * t) / 8))) / 2, 15);
    });
    // With eta_min > 0 the order matters: the warm-up output is the cosine's base rate.
    const ordered = chainSchedules(linearWarmup({ steps: 2, startFactor: 0.5 }), cosineAnnealing({ tMax: 8, etaMin: 0.01 }));
    [0, 1, 3].forEach((t) => {
      const base = 0.1 * (0.5 + (0.5 * Math.min(t, 2)) / 2);
      expect(ordered(t, 0.1)).toBeCloseTo(0.01 + ((base - 0.01) * (1 + Math.cos((Math.PI * t) / 8))) / 2, 15);
    });
  });
});

describe('schedule validation', () => {
  it.each([
    [() => cosineAnnealing({ tMax: 0 }), /cosineAnnealing: tMax must be a finite number > 0, got 0/],
    [() => cosineAnnealing({ tMax: 3, etaMin: -1 }), /cosineAnnealing: etaMin must be a finite number >= 0, got -1/],
    [() => cosineAnnealing({ tMax: 3 })(1.5, 0.1), /cosineAnnealing: step must be an integer >= 0, got 1.5/],
    [() => stepDecay({ stepSize: 0 }), /stepDecay: stepSize must be an integer >= 1, got 0/],
    [() => linearWarmup({ startFactor: 2 }), /linearWarmup: startFactor must be a finite number >= 0 <= 1, got 2/],
    [() => sequentialSchedules([linearWarmup()], [3]), /sequentialSchedules: milestones must be an array of 0 increasing step counts, got an array of length 1/],
    [() => sequentialSchedules([linearWarmup(), linearWarmup(), linearWarmup()], [3, 3]), /sequentialSchedules: milestones\[1\] must be an integer >= 4, got 3/],
    [() => chainSchedules(), /chainSchedules: schedules must be at least one schedule, got an array of length 0/],
  ])('%#: %p', (f, message) => {
    expect(f).toThrow(message);
  });
});
