import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { segmentedResnet } from '@aa/rezero';
import * as tf from '@tensorflow/tfjs';

import { CHAPTER_CROPS, INPUT_24 } from '../src/experiments/chapterModels';
import type { ModelRun, ModelSpec } from '../src/experiments/types';
import { manifoldStep } from '../src/training/manifoldStep';
import { trainModel } from '../src/training/trainModel';
import { tinyInputs } from './jobs-helpers';

type Json = Record<string, unknown>;
const withoutTimes = (run: ModelRun): Json => ({
  ...run,
  imagesPerSecond: 0,
  records: run.records.map(({ totalTime, epochTime, ...r }) => (void totalTime, void epochTime, r)),
});

/**
 * A job whose worker dies after a checkpoint must train on exactly as if it had not: the weights, the optimizer, the
 * schedule, the loader's epoch and every generator (MixUp's λ and permutations, Manifold MixUp's layer choice) come
 * back from the checkpoint. Each model here is trained 2 epochs straight, and 1 epoch, stopped, then resumed.
 */
describe('a resumed job trains what an uninterrupted one trains', () => {
  const root = mkdtempSync(join(tmpdir(), 'aa-bench-resume-'));
  const data = tinyInputs().cifar10;
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // Tiny models (the pure-JS backend is slow); what is checked is the state around them, not their size.
  const dense = (seed: number) =>
    tf.sequential({ layers: [tf.layers.flatten({ inputShape: [...INPUT_24] }), tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed }) })] });
  const segments = new WeakMap<tf.LayersModel, tf.LayersModel[]>();
  const cases: [string, () => ModelSpec][] = [
    ['MixUp (its generator is in the checkpoint)', () => ({ key: 'mixup', label: 'dense + MixUp', build: dense, workload: { cnn: 0.1 }, mixupAlpha: 0.25, ...CHAPTER_CROPS })],
    [
      'Manifold MixUp (the loop generator picks the layer and λ)',
      () => ({
        key: 'manifold',
        label: 'segmented ResNet + Manifold MixUp',
        build: (seed) => {
          const r = segmentedResnet({ classes: 10, inputShape: INPUT_24, width: 2, blocksPerStage: 1, rezero: true, seed });
          segments.set(r.model, r.segments);
          return r.model;
        },
        step: (model) => manifoldStep(segments.get(model) ?? []),
        workload: { resnet: 0.01 },
        ...CHAPTER_CROPS,
      }),
    ],
  ];

  it.each(cases)('%s', async (_name, makeSpec) => {
    const start = tf.memory().numTensors;
    const spec = makeSpec();
    const settings = { epochs: 2, batchSize: 8 };
    const straight = await trainModel(spec, 7, data, { ...settings, checkpointDir: join(root, `${spec.key}-straight`) });
    straight.model.dispose();

    const dir = join(root, `${spec.key}-resumed`);
    const stop = new Error('worker killed');
    await expect(
      trainModel(spec, 7, data, {
        ...settings,
        checkpointDir: dir,
        onEpoch: (r) => {
          if (r.epoch === 0) throw stop; // after the first epoch's checkpoint was written
        },
      }),
    ).rejects.toBe(stop);
    const resumed = await trainModel(spec, 7, data, { ...settings, checkpointDir: dir, resume: true });
    resumed.model.dispose();

    expect(resumed.run.records).toHaveLength(2);
    expect(withoutTimes(resumed.run)).toEqual(withoutTimes(straight.run));
    expect(tf.memory().numTensors).toBe(start);
  }, 300000);
});
