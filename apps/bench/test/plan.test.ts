import { centerCrop } from '@aa/cifar-data';

import { experimentSeconds, modelSeconds } from '../src/estimate';
import type { Experiment, ModelSpec } from '../src/experiments/types';
import { CNN_SHARE, fixedPlan, planToBudget, RESNET_MIN_EPOCHS } from '../src/plan';

const spec = (key: string, workload: ModelSpec['workload'], shift = false): ModelSpec => ({
  key,
  label: key,
  build: () => {
    throw new Error('not built in this test');
  },
  workload,
  shift,
  trainTransform: centerCrop(24),
  testTransform: centerCrop(24),
});

const experiment = (key: string, models: ModelSpec[]): Experiment =>
  ({ key, command: key, title: key, summary: key, trains: true, models: () => models, run: async () => ({ record: { title: key, notes: [] }, figures: [] }), section: () => ({ title: key, blocks: [] }) }) as Experiment;

const t = { cnn: 2000, resnet: 200, resnetExtrapolated: false };
const sizes = { trainSize: 10000, testSize: 2500 };
const shift = experiment('shift', [spec('plain', { cnn: 1 }, true), spec('aa', { cnn: 1 }, true)]);
const residual = experiment('residual', [spec('cnn', { cnn: 1 }), spec('resnet', { resnet: 1 }), spec('rezero', { resnet: 1 })]);

describe('time estimate', () => {
  it('counts training, a test pass per epoch, the final pass and the 64 crops of shift models', () => {
    const perImage = 1 / 2000;
    expect(modelSeconds(spec('a', { cnn: 1 }), 3, sizes, t)).toBeCloseTo(3 * (10000 * perImage + (2500 * perImage) / 3) + (2500 * perImage) / 3 + 2, 9);
    expect(modelSeconds(spec('a', { cnn: 1 }, true), 3, sizes, t)).toBeCloseTo(3 * (10000 * perImage + (2500 * perImage) / 3) + (64 * 2500 * perImage) / 3 + 2, 9);
    expect(experimentSeconds(residual, { epochs: 2, seeds: [0, 1] }, sizes, t)).toBeCloseTo(
      2 * (modelSeconds(spec('c', { cnn: 1 }), 2, sizes, t) + 2 * modelSeconds(spec('r', { resnet: 1 }), 2, sizes, t)),
      9,
    );
  });
});

describe('planToBudget', () => {
  it('stays within the budget and gives the ResNets the larger share', () => {
    const budget = 900;
    const plan = planToBudget([shift, residual], sizes, t, budget, 0);
    expect(plan).not.toBeNull();
    expect(plan!.seconds).toBeLessThanOrEqual(budget);
    const cnn = plan!.plans.shift!;
    const res = plan!.plans.residual!;
    expect(experimentSeconds(shift, cnn, sizes, t)).toBeLessThanOrEqual(budget * CNN_SHARE);
    expect(res.epochs).toBeGreaterThanOrEqual(2);
    // One more ResNet epoch would not have fitted.
    expect(experimentSeconds(shift, cnn, sizes, t) + experimentSeconds(residual, { epochs: res.epochs + 1, seeds: [0] }, sizes, t) + 10).toBeGreaterThan(budget);
    expect(plan!.why.join(' ')).toMatch(/estimated/);
  });

  it('keeps the ResNets at their minimum epochs before the CNNs get more seeds', () => {
    const plan = planToBudget([shift, residual], sizes, t, 900, 0)!;
    expect(plan.plans.residual!.epochs).toBeGreaterThanOrEqual(RESNET_MIN_EPOCHS);
    // The next CNN step would have cost a ResNet epoch under the minimum, or the CNN share.
    const more = { epochs: plan.plans.shift!.epochs, seeds: [...plan.plans.shift!.seeds, 99] };
    const tooMuch =
      experimentSeconds(shift, more, sizes, t) > 900 * CNN_SHARE ||
      10 + experimentSeconds(shift, more, sizes, t) + experimentSeconds(residual, { epochs: RESNET_MIN_EPOCHS, seeds: [0] }, sizes, t) > 900;
    expect(tooMuch).toBe(true);
  });

  it('gives CNN-only runs the whole budget, as seeds and epochs', () => {
    const plan = planToBudget([shift], sizes, t, 900, 5)!;
    expect(plan.plans.shift!.seeds[0]).toBe(5);
    expect(plan.plans.shift!.seeds.length * plan.plans.shift!.epochs).toBeGreaterThan(10);
  });

  it('returns null when even the smallest plan does not fit', () => {
    expect(planToBudget([shift, residual], sizes, { cnn: 2, resnet: 0.1, resnetExtrapolated: true }, 900, 0)).toBeNull();
  });

  it('a fixed plan gives every experiment the same epochs and seeds', () => {
    const plan = fixedPlan([shift, residual], sizes, t, 4, [0, 1], 'because');
    expect(plan.plans).toEqual({ shift: { epochs: 4, seeds: [0, 1] }, residual: { epochs: 4, seeds: [0, 1] } });
    expect(plan.seconds).toBeCloseTo(10 + experimentSeconds(shift, plan.plans.shift!, sizes, t) + experimentSeconds(residual, plan.plans.residual!, sizes, t), 9);
  });
});
