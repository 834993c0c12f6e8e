import { countTrainableParams } from '@aa/rezero';
import * as tf from '@tensorflow/tfjs';

import { CHAPTER_EXPERIMENTS, EXERCISES, EXPERIMENTS, experiment } from '../src/experiments';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the experiment registry', () => {
  it('holds every section of the chapter and every exercise, once, in order', () => {
    expect(EXPERIMENTS.map((e) => e.key)).toEqual(['aliasing', 'shift', 'residual', 'mixup', 'exercise2', 'exercise3', 'exercise4', 'exercise5', 'exercise6']);
    expect(CHAPTER_EXPERIMENTS.map((e) => e.key)).toEqual(['aliasing', 'shift', 'residual', 'mixup']);
    expect(EXERCISES.map((e) => e.exercise)).toEqual([2, 3, 4, 5, 6]);
    expect(() => experiment('nope')).toThrow("unknown experiment 'nope'; known: aliasing, shift, residual, mixup, exercise2, exercise3, exercise4, exercise5, exercise6.");
  });

  it('every training experiment declares models with unique keys and a workload', () => {
    for (const e of EXPERIMENTS.filter((x) => x.trains)) {
      const models = e.models();
      expect(models.length).toBeGreaterThan(0);
      expect(new Set(models.map((m) => m.key)).size).toBe(models.length);
      for (const m of models) expect((m.workload.cnn ?? 0) + (m.workload.resnet ?? 0)).toBeGreaterThan(0);
    }
  });

  // PyTorch's counts: the chapter's CNN 18,010; its ReZero ResNet 1,181,222 (exercise 5's blur has no weights).
  it.each([
    ['shift', [18010, 18010]],
    ['exercise2', [18010, 18010, 18010, 18010]],
    ['residual', [18010, 1181194, 1181222]],
    ['exercise5', [1181222]],
  ])('%s builds its models with the PyTorch parameter counts', (key, counts) => {
    const models = experiment(key).models();
    expect(
      models.map((m) => {
        const model = m.build(0);
        const n = countTrainableParams(model);
        model.dispose();
        return n;
      }),
    ).toEqual(counts);
  });
});
